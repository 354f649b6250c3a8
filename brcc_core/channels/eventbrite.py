"""Eventbrite API v3 client: the organization's events in the planning window, their
ticket classes and (for events still selling) capacity tiers, and capacity changes
(ticket class or event capacity tier).

Eventbrite allows about 2,000 calls an hour per token, so the client counts every call
it makes (retries included) in a rolling hour, shared with every server using the token
(``eventbrite_budget``), and keeps its reads lean: the events walk reads only the pages
that reach into the window, and ticket classes are fetched with bounded concurrency, one
event's failure never losing the others. Eventbrite's own word wins over the count: a 429
sets the calls left to 0 until the reset it names, for every server
(``note_calls_left``).

Answers are checked, not taken at face value: a walk's items are de-duplicated by id (a
page served twice doubled a show's sold), a page that brings nothing new ends the walk as
an error, and a walk stops before the hour's calls left reach the ones kept for capacity
changes (``keep``), so an endless continuation cannot spend the hour.

Writes are ``POST`` (Eventbrite never uses ``PUT``) and are never retried. Reads may lag
writes by minutes; every write returns the ``Eventbrite-API-Waypoint-Token`` answer
header, which the verification read sends back to see its own write.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import Engine

from brcc_core.channels.eventbrite_budget import (
    CallBudget,
    SharedCalls,
    token_fingerprint,
)
from brcc_core.channels.http import (
    DEFAULT_TIMEOUT,
    ApiClient,
    AuthError,
    IntegrationError,
    NotFound,
    Progress,
    RateLimited,
    UpstreamError,
    wait_words,
)
from brcc_core.common.clock import now
from brcc_core.common.club import HOURLY_LIMIT, Channel
from brcc_core.common.moments import parse_utc, utc_text
from brcc_core.common.secret import Secret
from brcc_core.settings import EVENTBRITE_API_URL

log = logging.getLogger(__name__)

WAYPOINT_HEADER = "Eventbrite-API-Waypoint-Token"
# Event statuses with seats a manager cares about: on sale, running now, or played (the
# last two weeks' shows are compared too). Drafts and canceled events sell nothing.
LISTED_STATUSES = frozenset({"live", "started", "ended", "completed"})
# Events that can still sell: their capacity tier (holds, carts in progress) is read too.
# A played event sells nothing more, so its tier would cost a call for nothing.
SELLING_STATUSES = frozenset({"live", "started"})
# How far the refresh reads Eventbrite: as far as the pages can show (the dashboard's
# "days ahead" goes to 90), and back far enough to compare the last two weeks' shows.
# Reads in flight during a refresh. Eventbrite's rate rules are per token and per hour
# (2,000 calls) and per day (48,000), with no documented limit on concurrent requests;
# the hourly budget is kept by reading fewer events (brcc_core.catalog.refresh_plan), so more
# reads at once only shorten the refresh: at 200 ms a call, 345 reads take 8.6 s with 8
# in flight against 17 s with 4.
READS_IN_FLIGHT = 8
WEEKS_AHEAD = 13
WEEKS_BACK = 2
MAX_PAGES = 500
# Orders and attendees of a whole organization run to many more pages (50 a page); a walk
# past the hour's 2,000 calls is stopped by the rate limit first.
HISTORY_MAX_PAGES = 2_000
AUTH_ERRORS = frozenset({"INVALID_AUTH", "NO_AUTH", "INVALID_AUTH_HEADER", "NOT_AUTHORIZED"})


class WalkStopped(UpstreamError):
    """A walk stopped before its end: the calls left reached the reserve, or Eventbrite
    kept answering what it had already sent."""


@dataclass(frozen=True)
class Page:
    """One page of a walk: its items and the continuation token of the page after it
    (None after the last page). The token is tied to the walk's query."""

    items: list
    continuation: str | None


class TicketClassesResult(dict[str, list[dict]]):
    """``{event_id: [ticket class, ...]}`` for every event that could be read, plus
    ``errors``: ``{event_id: IntegrationError}`` for the ones that could not, so the
    caller marks only those listings as unknown instead of dropping the whole refresh.
    ``tiers`` / ``tier_errors``: the capacity tiers asked for, and why any could not be
    read (that event's holds and carts are then unknown, its classes still known)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.errors: dict[str, IntegrationError] = {}
        self.tiers: dict[str, dict] = {}
        self.tier_errors: dict[str, IntegrationError] = {}


class EventbriteClient(ApiClient):
    """The club's Eventbrite organization over API v3."""

    channel = Channel.EVENTBRITE

    def __init__(
        self,
        token: str | Secret,
        organization_id: str,
        *,
        base_url: str = EVENTBRITE_API_URL,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_workers: int = READS_IN_FLIGHT,
        clock: Callable[[], datetime] | None = None,
    ):
        super().__init__(base_url, session=session, timeout=timeout, pool_size=max_workers)
        self._token = token if isinstance(token, Secret) else Secret(token)
        self.organization_id = str(organization_id)
        self.max_workers = max(1, int(max_workers))
        self.clock: Callable[[], datetime] = clock or now
        # The token's hour, counted by this process and, once ``share_budget`` gave it
        # the app-state database, by every process using the token.
        self.budget = CallBudget(lambda: self.clock(), HOURLY_LIMIT)
        self._call_times: deque[datetime] = self.budget.own

    def __repr__(self) -> str:
        return (
            f"EventbriteClient(base_url={self.base_url!r}, "
            f"organization_id={self.organization_id!r}, calls={self.calls})"
        )

    # Call budget -----------------------------------------------------------------------
    def share_budget(self, engine: Callable[[], Engine]) -> None:
        """Count this token's calls with every process whose app-state database is
        ``engine()`` (brcc_core.channels.eventbrite_budget): the hour is the token's, not ours."""
        self.budget.share(SharedCalls(engine, token_fingerprint(self._token.reveal())))

    def _record_call(self) -> None:
        super()._record_call()
        self.budget.record()

    def calls_this_hour(self) -> int:
        """HTTP calls of this token in the last rolling hour (retries included): this
        process's, and every other process's that shares the app-state database."""
        return self.budget.calls_this_hour()

    def calls_left_this_hour(self) -> int:
        """What is left of Eventbrite's HOURLY_LIMIT calls an hour, as far as the app knows:
        every process's calls counted, and what Eventbrite itself said last."""
        return self.budget.calls_left()

    def note_calls_left(self, left: int, *, until: datetime | None) -> None:
        """Eventbrite's own word: ``left`` calls until ``until`` (a 429 says 0 until the
        reset it names; None: the budget's default, ``CallBudget.eventbrite_says``); every
        server sharing the budget hears it."""
        self.budget.eventbrite_says(left, until=until)

    def limited_until(self) -> datetime | None:
        """When Eventbrite said its limit resets, while it says no calls are left."""
        return self.budget.limited_until()

    # Events ----------------------------------------------------------------------------
    def list_events(
        self,
        *,
        weeks_ahead: int = WEEKS_AHEAD,
        weeks_back: int = WEEKS_BACK,
        progress: Progress | None = None,
        keep: int = 0,
    ) -> list[dict]:
        """The organization's events (series occurrences, not parents) starting in
        ``[now - weeks_back, now + weeks_ahead]``, ordered by start.

        The documented ``GET /organizations/{id}/events/`` has no date-range filter, only
        ``time_filter`` (``all`` / ``past`` / ``current_future``) and ``order_by``. One
        ``time_filter=all`` walk would read the club's whole history on every refresh,
        against an hourly call budget. So two ordered walks, each stopping at the first
        page that reaches past the window: ``current_future`` by ``start_asc`` and
        ``past`` by ``start_desc``. ``status=all`` plus a client-side filter keeps live,
        started, ended and completed events (the status filter's documented values do not
        include ``completed``, which the last two weeks' shows may already be).
        ``progress(pages_done, None)`` after each page (continuation gives no total).
        A walk stops (``WalkStopped``) before the calls left this hour reach ``keep``.
        """
        now = self.clock()
        start = now - timedelta(weeks=weeks_back)
        end = now + timedelta(weeks=weeks_ahead)
        pages = [0]
        lock = threading.Lock()

        def page_done() -> None:
            with lock:
                pages[0] += 1
                done = pages[0]
            if progress is not None:
                progress(done, None)

        def walk(time_filter: str, order: str, beyond: Callable[[datetime], bool]) -> dict:
            found: dict[str, dict] = {}
            params = {"status": "all", "time_filter": time_filter, "order_by": order}
            path = f"/organizations/{self.organization_id}/events/"
            ordered = True  # until a page shows the server ignored order_by
            for page in self._walk(path, "events", params, on_page=page_done, keep=keep):
                starts = [_event_start(e) for e in page]
                for event, when in zip(page, starts, strict=True):
                    if (
                        when is not None
                        and start <= when <= end
                        and event.get("status") in LISTED_STATUSES
                        and not event.get("is_series_parent")
                    ):
                        found[str(event.get("id"))] = event
                known = [w for w in starts if w is not None]
                if ordered and known != sorted(known, reverse=order == "start_desc"):
                    ordered = False
                    log.warning("Eventbrite ignored order_by=%s; reading every page", order)
                if ordered and known and beyond(known[-1]):
                    break  # the rest of this walk lies outside the window
            return found

        # The two walks side by side: each page waits on the one before (continuation),
        # so at 200 ms a call a large club's 31 pages took 6 s one after the other.
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="eventbrite-list") as pool:
            walks = [
                pool.submit(walk, "current_future", "start_asc", lambda when: when > end),
                pool.submit(walk, "past", "start_desc", lambda when: when < start),
            ]
            found = {k: v for w in walks for k, v in w.result().items()}
        return sorted(found.values(), key=lambda e: (_event_start(e), str(e.get("id"))))

    # Ticket classes --------------------------------------------------------------------
    def ticket_classes(
        self,
        event_ids: Iterable[str],
        *,
        tiers_for: Iterable[str] = (),
        progress: Progress | None = None,
        keep: int = 0,
    ) -> TicketClassesResult:
        """Every ticket class of each event (never assume one per event), fetched with at
        most ``max_workers`` events in flight; for the events in ``tiers_for`` also their
        capacity tier (holds and carts in progress live only there: one more call each).

        An event that fails is reported in ``result.errors`` and the others are kept. A
        rejected token or an exhausted rate limit fails every event still waiting with
        the same error instead of spending the rest of the hour's budget on it.
        ``progress(events_done, events_total)`` as events finish.
        """
        ids = list(dict.fromkeys(str(e) for e in event_ids))
        with_tier = {str(e) for e in tiers_for}
        result = TicketClassesResult()
        total = len(ids)
        done = [0]
        lock = threading.Lock()
        stop: list[IntegrationError] = []

        def fetch(event_id: str) -> None:
            error: IntegrationError | None = None
            classes: list[dict] = []
            if stop:
                error = stop[0]
            else:
                try:
                    path = f"/events/{event_id}/ticket_classes/"
                    for page in self._walk(path, "ticket_classes", keep=keep):
                        classes.extend(page)
                except (AuthError, RateLimited) as exc:
                    stop.append(exc)
                    error = exc
                except IntegrationError as exc:
                    error = exc
            tier, tier_error = None, None
            if error is None and event_id in with_tier:
                tier, tier_error = self._tier_or_error(event_id, stop)
            with lock:
                if tier is not None:
                    result.tiers[event_id] = tier
                if tier_error is not None:
                    result.tier_errors[event_id] = tier_error
                if error is None:
                    result[event_id] = classes
                else:
                    result.errors[event_id] = error
                    log.info("Eventbrite ticket classes of event %s: %s", event_id, error)
                done[0] += 1
                count = done[0]
            if progress is not None:
                progress(count, total)

        if ids:
            with ThreadPoolExecutor(
                max_workers=min(self.max_workers, total), thread_name_prefix="eventbrite"
            ) as pool:
                for future in [pool.submit(fetch, event_id) for event_id in ids]:
                    future.result()  # fetch never raises IntegrationError; bugs surface here
        return result

    def _tier_or_error(
        self, event_id: str, stop: list[IntegrationError]
    ) -> tuple[dict | None, IntegrationError | None]:
        if stop:
            return None, stop[0]
        try:
            return self.get_capacity_tier(event_id), None
        except (AuthError, RateLimited) as exc:
            stop.append(exc)
            return None, exc
        except IntegrationError as exc:
            log.info("Eventbrite capacity tier of event %s: %s", event_id, exc)
            return None, exc

    def get_ticket_class(self, event_id: str, tc_id: str, *, waypoint: str | None = None) -> dict:
        """One ticket class, fresh; pass a write's ``waypoint`` to read that write."""
        path = f"/events/{event_id}/ticket_classes/{tc_id}/"
        return self._object("GET", path, waypoint=waypoint)[0]

    def update_ticket_class_capacity(
        self, event_id: str, tc_id: str, capacity: int
    ) -> tuple[dict, str | None]:
        """Set a ticket class's capacity (``POST``, never retried).

        Returns the class as Eventbrite answered and the waypoint token for the
        verification read. A series occurrence may refuse (``INVALID_TICKET``): then
        change the event's capacity tier instead.
        """
        path = f"/events/{event_id}/ticket_classes/{tc_id}/"
        body = {"ticket_class": {"capacity": _capacity(capacity)}}
        return self._object("POST", path, json=body)

    def get_capacity_tier(self, event_id: str, *, waypoint: str | None = None) -> dict:
        """The event's capacity tier: ``capacity_total``, ``capacity_sold``,
        ``capacity_pending`` (carts in progress) and ``holds``."""
        return self._object("GET", f"/events/{event_id}/capacity_tier/", waypoint=waypoint)[0]

    def update_capacity_tier(self, event_id: str, capacity_total: int) -> tuple[dict, str | None]:
        """Set the event's total capacity (``POST``, never retried); on a series parent
        this changes every date. Returns the tier and the waypoint token."""
        body = {"capacity_total": _capacity(capacity_total)}
        return self._object("POST", f"/events/{event_id}/capacity_tier/", json=body)

    def ping(self) -> None:
        """One cheap authenticated read (the organization's first event) for the health
        panel; raises the usual IntegrationError when Eventbrite does not answer well."""
        path = f"/organizations/{self.organization_id}/events/"
        self._request("GET", path, params={"page_size": 1})

    # Orders and attendees (sales history) --------------------------------------------
    def walk_orders(
        self,
        *,
        changed_since: datetime | None = None,
        on_page: Callable[[], None] | None = None,
    ) -> Iterator[list]:
        """Pages of the organization's orders of every status, each with its attendees
        and event (``expand``), so one walk gives seats, money and show times.
        ``changed_since`` (on or after) makes it incremental."""
        for page in self.order_pages(changed_since=changed_since, on_page=on_page):
            yield page.items

    def order_pages(
        self,
        *,
        changed_since: datetime | None = None,
        continuation: str | None = None,
        on_page: Callable[[], None] | None = None,
    ) -> Iterator[Page]:
        """``walk_orders`` as ``Page`` objects, so a walk cut short can go on later from
        the last page's ``continuation`` (with the same ``changed_since``: Eventbrite
        ties the token to its query). Eventbrite documents no order for this list (the
        sandbox serves oldest change first), so a walk is resumed by its token, never by
        the newest change it stored."""
        params: dict[str, Any] = {"status": "both", "expand": "attendees,event"}
        if changed_since is not None:
            params["changed_since"] = _since_param(changed_since)
        path = f"/organizations/{self.organization_id}/orders/"
        yield from self._pages(
            path,
            "orders",
            params,
            on_page=on_page,
            max_pages=HISTORY_MAX_PAGES,
            continuation=continuation,
        )

    def walk_attendees(
        self,
        *,
        changed_since: datetime | None = None,
        event_id: str | None = None,
        on_page: Callable[[], None] | None = None,
    ) -> Iterator[list]:
        """Pages of attendees (one per seat, with check-in state) of the organization or
        of one event; ``changed_since`` makes it incremental."""
        pages = self.attendee_pages(changed_since=changed_since, event_id=event_id, on_page=on_page)
        for page in pages:
            yield page.items

    def attendee_pages(
        self,
        *,
        changed_since: datetime | None = None,
        event_id: str | None = None,
        continuation: str | None = None,
        on_page: Callable[[], None] | None = None,
    ) -> Iterator[Page]:
        """``walk_attendees`` as ``Page`` objects (see ``order_pages``)."""
        params: dict[str, Any] = {}
        if changed_since is not None:
            params["changed_since"] = _since_param(changed_since)
        if event_id is None:
            path = f"/organizations/{self.organization_id}/attendees/"
        else:
            path = f"/events/{event_id}/attendees/"
        yield from self._pages(
            path,
            "attendees",
            params,
            on_page=on_page,
            max_pages=HISTORY_MAX_PAGES,
            continuation=continuation,
        )

    # Plumbing --------------------------------------------------------------------------
    def _headers(self, waypoint: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self._token.reveal()}"}
        if waypoint:
            headers[WAYPOINT_HEADER] = waypoint
        return headers

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        waypoint: str | None = None,
    ) -> tuple[requests.Response, Any]:
        response = self._send(
            method, path, params=params, json=json, headers=self._headers(waypoint)
        )
        if not response.ok:
            raise self._error_from_response(response, method, path)
        return response, self._json(response, method, path)

    def _object(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        waypoint: str | None = None,
    ) -> tuple[dict, str | None]:
        response, body = self._request(method, path, json=json, waypoint=waypoint)
        if not isinstance(body, dict):
            raise self._unexpected(method, path)
        return body, response.headers.get(WAYPOINT_HEADER)

    def _walk(
        self,
        path: str,
        key: str,
        params: dict[str, Any] | None = None,
        *,
        on_page: Callable[[], None] | None = None,
        max_pages: int = MAX_PAGES,
        keep: int = 0,
    ) -> Iterator[list]:
        """Yield each page's ``key`` list (see ``_pages``)."""
        pages = self._pages(path, key, params, on_page=on_page, max_pages=max_pages, keep=keep)
        for page in pages:
            yield page.items

    def _pages(
        self,
        path: str,
        key: str,
        params: dict[str, Any] | None = None,
        *,
        on_page: Callable[[], None] | None = None,
        max_pages: int = MAX_PAGES,
        continuation: str | None = None,
        keep: int = 0,
    ) -> Iterator[Page]:
        """Yield each page, following ``pagination.continuation`` with the same query
        (Eventbrite ties a continuation token to its query), from ``continuation`` when
        given. More than ``max_pages`` pages is an error, never a silent end: a part must
        not pass for the whole (an order sync would record itself complete and undercount
        sales). A page is only asked for when the one before was taken, so a caller that
        stops taking spends no call on a page it will not use.

        Items are de-duplicated by ``id`` (an item seen on an earlier page is dropped); a
        page whose items were all sent before ends the walk (``WalkStopped``), and so does
        reaching ``keep`` calls left this hour before a page after the first."""
        query = dict(params or {})
        seen_tokens: set[str] = set()
        seen_ids: set[str] = set()
        if continuation:
            query["continuation"] = continuation
            seen_tokens.add(continuation)
        for number in range(max_pages):
            if number and keep and self.calls_left_this_hour() <= keep:
                raise WalkStopped(
                    self.channel,
                    f"Eventbrite's walk of {path} stopped after {number:,} page(s): the calls "
                    f"left this hour reached the {keep:,} kept for capacity changes.",
                    method="GET",
                    path=path,
                )
            _, body = self._request("GET", path, params=query)
            items = body.get(key) if isinstance(body, dict) else None
            if not isinstance(items, list):
                raise self._unexpected("GET", path)
            fresh = _new_items(items, seen_ids)
            if items and not fresh:
                raise WalkStopped(
                    self.channel,
                    f"Eventbrite answered a page of {path} with only items it had sent "
                    "already; stopped reading rather than count them twice.",
                    method="GET",
                    path=path,
                )
            items = fresh
            if on_page is not None:
                on_page()
            pagination = body.get("pagination") or {}
            token = pagination.get("continuation")
            more = bool(pagination.get("has_more_items") and token)
            if more and token in seen_tokens:
                raise UpstreamError(
                    self.channel,
                    f"Eventbrite kept answering the same page of {path}; stopped reading.",
                    method="GET",
                    path=path,
                )
            yield Page(items, token if more else None)
            if not more:
                return
            seen_tokens.add(token)
            query = {**(params or {}), "continuation": token}
        raise UpstreamError(
            self.channel,
            f"Eventbrite had more than {max_pages:,} pages of {path}; stopped reading so "
            "that a part is not taken for the whole.",
            method="GET",
            path=path,
        )

    def _error_from_response(
        self, response: requests.Response, method: str, path: str
    ) -> IntegrationError:
        """Act on Eventbrite's JSON ``error`` code; fall back on the HTTP status."""
        body = self._error_body(response)
        code = body.get("error") if isinstance(body.get("error"), str) else None
        detail = body.get("error_description")
        detail = detail if isinstance(detail, str) else ""
        common = dict(status=response.status_code, code=code, method=method, path=path)
        if code in AUTH_ERRORS or (code is None and response.status_code == 401):
            if code == "NOT_AUTHORIZED":
                message = (
                    f"Eventbrite rejected the token for {path}: it is not allowed there "
                    "(is BRCC_EB_ORGANIZATION_ID the token owner's organization?)."
                )
            else:
                message = "Eventbrite rejected the token. Check BRCC_EB_TOKEN."
            return AuthError(self.channel, message, **common)
        if code == "HIT_RATE_LIMIT" or (code is None and response.status_code == 429):
            retry_after = self._retry_after(response)
            self._limited_for(retry_after)
            when = f" Try again {wait_words(retry_after)}." if retry_after else ""
            return RateLimited(
                self.channel,
                f"Eventbrite's hourly call limit is reached ({self.calls_this_hour()} calls "
                f"in the last hour from this app).{when}",
                retry_after=retry_after,
                **common,
            )
        if code == "NOT_FOUND":
            suffix = f": {detail}" if detail else ""
            return NotFound(self.channel, f"Eventbrite has nothing at {path}{suffix}", **common)
        return self._status_error(response, method, path, code=code, detail=detail)

    def _limited_for(self, retry_after: float | None) -> None:
        """Eventbrite refused a call for its rate limit: no calls are left until the reset
        it names (when it names none, the budget's own wait: ``UNSAID_WAIT``)."""
        until = None if retry_after is None else self.clock() + timedelta(seconds=retry_after)
        self.note_calls_left(0, until=until)

    def _unexpected(self, method: str, path: str) -> UpstreamError:
        return UpstreamError(
            self.channel,
            f"Eventbrite answered {method} {path} with JSON of an unexpected shape.",
            method=method,
            path=path,
        )


def _new_items(items: list, seen: set[str]) -> list:
    """``items`` less those whose ``id`` was seen (on this page or an earlier one); the
    ids are added to ``seen``. Items without an id are kept (the caller checks them)."""
    fresh = []
    for item in items:
        item_id = item.get("id") if isinstance(item, dict) else None
        if item_id is None:
            fresh.append(item)
            continue
        if str(item_id) in seen:
            continue
        seen.add(str(item_id))
        fresh.append(item)
    return fresh


def _event_start(event: dict) -> datetime | None:
    """The event's start as an aware UTC datetime, from ``start.utc``."""
    start = event.get("start") if isinstance(event, dict) else None
    return parse_utc(start.get("utc")) if isinstance(start, dict) else None


def _capacity(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("capacity must be a whole number of seats, 0 or more")
    return value


def _since_param(moment: datetime) -> str:
    """``changed_since`` as Eventbrite takes it: UTC, whole seconds, ``Z``."""
    return utc_text(moment)
