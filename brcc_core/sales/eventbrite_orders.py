"""Eventbrite orders kept in the app-state database, synced incrementally.

Eventbrite can list every order of the organization (``GET /organizations/{id}/orders/``),
but a year of them is dozens of calls against a 2,000-an-hour budget. So the app keeps
what it has read (orders, their attendees: one per seat, and the event each belongs to)
in its own tables on ``State.engine``, and each sync asks only for what changed since
the last one: orders changed since (new, refunded) and attendees changed since
(check-ins). Rows are replaced by id, so reading a boundary row twice is harmless.

A first sync of a large organization is more than an hour's calls, so a sync stops before
the hour's calls left reach the reserve kept for capacity changes
(``BRCC_EB_WRITE_RESERVE``), and a sync that fails or stops part-way is resumed: after
every stored page the walk's continuation token is kept (``eb_sales_partial``), and the
next sync goes on from it. Eventbrite documents no order for the organization's orders
(the sandbox serves oldest change first), so the token, not the newest change stored, is
where a walk resumes; a token Eventbrite refuses starts that walk again. The cursors
(``eb_sales_cursors``) move only when a walk is complete, so ``last_sync()`` is the last
complete sync, and a part is never taken for the whole. A walk's cursor is the older of
the newest change it read and the moment it began, so a change made while a walk was
under way (an hour or more for a resumed one) is read again by the next sync.

``sales()`` turns the stored attendees into ``history.SALES_COLUMNS`` rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from brcc_core.channels.eventbrite import EventbriteClient, Page
from brcc_core.channels.http import IntegrationError
from brcc_core.common import clock
from brcc_core.common.club import Channel
from brcc_core.common.formats import moment_label
from brcc_core.common.keys import event_key, series_key
from brcc_core.common.moments import aware_utc, naive_utc, parse_utc
from brcc_core.sales.site_history import sales_frame
from brcc_core.store.schema import ATTENDEES, CURSORS, EVENTS, ORDERS, PARTIAL
from brcc_core.store.state import StateUnavailable, schema_ready

log = logging.getLogger(__name__)

WALKS = ("orders", "attendees")
# What a walk's stored items are called in a manager's sentence: plural, and one of them.
WALK_NOUNS = {"orders": ("orders", "order"), "attendees": ("attendee changes", "attendee")}
# Eventbrite's answer to a continuation token it no longer takes (or never issued).
TOKEN_REFUSED = frozenset({"BAD_CONTINUATION_TOKEN", "INVALID_CONTINUATION_TOKEN"})


class SalesStoreUnavailable(RuntimeError):
    """The app-state database could not be used for the Eventbrite sales store."""


@dataclass(frozen=True)
class PartialSync:
    """What a sync that failed or stopped part-way left for the next one to resume."""

    walk: str  # "orders" or "attendees"
    items: int  # orders (or attendees) the unfinished walk stored so far
    newest: datetime | None  # UTC, the newest change it stored
    started_at: datetime  # UTC, when its first part began
    updated_at: datetime  # UTC, when it last stored a page
    first: bool  # no sync has completed yet: the stored orders are only a part

    def describe(self, timezone: str) -> str:
        """'12,340 orders read so far, changed up to Mon 2 Jun 2025 14:03:11'."""
        text = f"{self.items:,} {WALK_NOUNS[self.walk][0]} read so far"
        if self.newest is not None:
            text += f", changed up to {moment_label(self.newest, timezone)}"
        return text


def sync_state(synced_at: datetime | None, partial: PartialSync | None, timezone: str) -> str:
    """How far the Eventbrite orders sync has got, in the one wording the Sales page and
    every reason Eventbrite sales are unknown use: never synced, partly synced (a first
    sync stopped part-way: its part must not pass for the whole), or when it last completed
    (and that a later one stopped part-way)."""
    if synced_at is None and partial is not None:
        return f"Eventbrite orders are only partly synced ({partial.describe(timezone)})"
    if synced_at is None:
        return "Eventbrite orders have not been synced yet"
    text = f"Eventbrite orders last synced {moment_label(synced_at, timezone)}"
    if partial is not None:
        text += f"; a later sync stopped part-way ({partial.describe(timezone)})"
    return text


@dataclass(frozen=True)
class SyncResult:
    calls: int
    orders: int
    attendees: int
    first: bool
    # Why the sync stopped before the end (None: it completed); it resumes next time.
    stopped: str | None = None
    resumed: bool = False  # it went on from a sync that failed or stopped part-way
    partial: PartialSync | None = None  # what is left to resume, when it stopped

    @property
    def complete(self) -> bool:
        return self.stopped is None

    def summary(self, timezone: str) -> str:
        """One sentence for the manager: what was read, or where it stopped and why."""
        read = (
            f"{self.orders:,} orders and {self.attendees:,} attendees read in "
            f"{self.calls:,} Eventbrite calls"
        )
        if self.complete:
            return read + (" (continuing the sync that stopped part-way)." if self.resumed else ".")
        partial = self.partial
        if partial is None:  # stopped before its first page
            where = "the next sync starts from the same point"
            so_far, what = 0, "orders"
        else:
            what, one = WALK_NOUNS[partial.walk]
            so_far = partial.items
            where = "the next sync continues from there"
            if partial.newest is not None:
                where = (
                    f"the next sync continues from {moment_label(partial.newest, timezone)} "
                    f"(the newest {one} change stored)"
                )
        unknown = " Eventbrite pace stays unknown until a sync completes." if self.first else ""
        return (
            f"Stopped after {so_far:,} {what}: {self.stopped}; {where}.{unknown} This sync: {read}."
        )


def _token_refused(exc: IntegrationError) -> bool:
    """Eventbrite would not take the continuation token a resumed walk sent."""
    return exc.code in TOKEN_REFUSED or exc.status == 400


@dataclass
class _Walked:
    """How far one walk got, across the syncs it took."""

    started_at: datetime  # UTC, when its first part began
    newest: datetime | None = None  # the newest change it stored
    items: int = 0
    pages: int = 0
    done: bool = False

    def cursor(self, before: datetime | None) -> datetime:
        """Where the next walk starts once this one is complete: the older of the newest
        change read and the walk's start (a change made while the walk was under way is
        read again), never before the cursor it started from."""
        moment = self.started_at if self.newest is None else min(self.newest, self.started_at)
        if before is None:
            return moment
        return before if self.newest is None else max(before, moment)


def _cents(costs: Any, *names: str) -> int | None:
    """Sum of the named money objects in ``costs``; None when any is missing."""
    if not isinstance(costs, dict):
        return None
    total = 0
    for name in names:
        money = costs.get(name)
        value = money.get("value") if isinstance(money, dict) else None
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        total += value
    return total


def _attendee_row(a: dict[str, Any], fallback_order: dict[str, Any] | None = None) -> dict | None:
    created = parse_utc(a.get("created")) or (
        parse_utc(fallback_order.get("created")) if fallback_order else None
    )
    changed = parse_utc(a.get("changed")) or created
    if not a.get("id") or created is None or changed is None:
        return None
    costs = a.get("costs")
    return {
        "attendee_id": str(a["id"]),
        "order_id": str(a.get("order_id") or (fallback_order or {}).get("id") or ""),
        "event_id": str(a.get("event_id") or (fallback_order or {}).get("event_id") or ""),
        "ticket_class_id": a.get("ticket_class_id"),
        "ticket_class_name": a.get("ticket_class_name"),
        "created": naive_utc(created),
        "changed": naive_utc(changed),
        "status": a.get("status"),
        "checked_in": bool(a.get("checked_in")),
        "cancelled": bool(a.get("cancelled")),
        "refunded": bool(a.get("refunded")),
        "gross_cents": _cents(costs, "gross"),
        "fees_cents": _cents(costs, "eventbrite_fee", "payment_fee"),
    }


class EventbriteSales:
    """The synced copy of the organization's Eventbrite orders (see the module doc)."""

    # Re-read a little before the cursor: Eventbrite's reads may lag its writes.
    OVERLAP = timedelta(minutes=5)

    def __init__(self, engine: Engine):
        self.engine = engine

    def _begin(self) -> AbstractContextManager[Connection]:
        try:
            schema_ready(self.engine, "keeping Eventbrite orders")
        except StateUnavailable as exc:
            raise SalesStoreUnavailable(str(exc)) from None
        return self.engine.begin()

    def cursor(self, name: str) -> datetime | None:
        try:
            with self._begin() as conn:
                row = conn.execute(select(CURSORS.c.changed).where(CURSORS.c.name == name)).first()
        except SQLAlchemyError as exc:
            raise SalesStoreUnavailable(_db_message(exc)) from None
        return aware_utc(row[0]) if row else None

    def last_sync(self) -> datetime | None:
        """When the last complete sync finished (UTC), or None before the first."""
        try:
            with self._begin() as conn:
                row = conn.execute(
                    select(CURSORS.c.synced_at).where(CURSORS.c.name == "orders")
                ).first()
        except SQLAlchemyError as exc:
            raise SalesStoreUnavailable(_db_message(exc)) from None
        return aware_utc(row[0]) if row else None

    def partial(self) -> PartialSync | None:
        """The walk a sync left part-way (failed, or stopped at the reserve), or None."""
        rows = self._partials()
        for walk in WALKS:
            r = rows.get(walk)
            if r is not None:
                return PartialSync(
                    walk=walk,
                    items=r.items,
                    newest=aware_utc(r.newest),
                    started_at=aware_utc(r.started_at),
                    updated_at=aware_utc(r.updated_at),
                    first=self.cursor("orders") is None,
                )
        return None

    # -- sync -----------------------------------------------------------------------
    def sync(
        self,
        client: EventbriteClient,
        *,
        progress: Callable[[int], None] | None = None,
        reserve: int = 0,
    ) -> SyncResult:
        """Fetch what changed since the last sync (everything the first time), going on
        from a sync that failed or stopped part-way. Before each page (one call) it stops
        if the client's calls left this hour would fall below ``reserve``, keeping what
        it stored (``SyncResult.stopped`` says why). Raises the client's IntegrationError
        when Eventbrite fails; what was stored stays, and the next sync resumes."""
        before = client.calls
        orders_cursor = self.cursor("orders")
        first = orders_cursor is None
        states = self._partials()
        resumed = bool(states)
        pages = n_orders = n_attendees = 0

        def page() -> None:
            nonlocal pages
            pages += 1
            if progress is not None:
                progress(pages)

        def spent() -> bool:
            return client.calls_left_this_hour() - 1 < reserve

        def store_orders(items: list) -> tuple[int, datetime | None]:
            nonlocal n_orders, n_attendees
            o, a, latest, _ = self._store_orders(items)
            n_orders += o
            n_attendees += a
            return o, latest

        def store_attendees(items: list) -> tuple[int, datetime | None]:
            nonlocal n_attendees
            rows = [r for r in (_attendee_row(a) for a in items if isinstance(a, dict)) if r]
            self._replace(ATTENDEES, "attendee_id", rows)
            n_attendees += len(rows)
            latest = max((r["changed"] for r in rows), default=None)
            return len(rows), aware_utc(latest)

        def result(stopped: str | None = None) -> SyncResult:
            partial = self.partial() if stopped else None
            calls = client.calls - before
            return SyncResult(calls, n_orders, n_attendees, first, stopped, resumed, partial)

        stopped = (
            f"the Eventbrite calls left this hour reached the {reserve:,} kept for capacity changes"
        )
        orders = self._walk(
            "orders",
            lambda since, token: client.order_pages(
                changed_since=since, continuation=token, on_page=page
            ),
            since=None if orders_cursor is None else orders_cursor - self.OVERLAP,
            state=states.get("orders"),
            store=store_orders,
            spent=spent,
        )
        if not orders.done:
            return result(stopped)
        if orders_cursor is None:
            # The attendees came with their orders: no attendee walk the first time.
            cursor = orders.cursor(None)
            now = clock.now()
            self._complete("orders", cursor, synced_at=now)
            self._complete("attendees", cursor, synced_at=now)
            return result()
        # The orders are read: their cursor moves now, last_sync() once the check-ins are.
        orders_cursor = orders.cursor(orders_cursor)
        self._complete("orders", orders_cursor, synced_at=None)
        # Check-ins change attendees, not their orders.
        attendees_cursor = self.cursor("attendees") or orders_cursor
        attendees = self._walk(
            "attendees",
            lambda since, token: client.attendee_pages(
                changed_since=since, continuation=token, on_page=page
            ),
            since=attendees_cursor - self.OVERLAP,
            state=states.get("attendees"),
            store=store_attendees,
            spent=spent,
        )
        if not attendees.done:
            return result(stopped)
        now = clock.now()
        self._complete("attendees", attendees.cursor(attendees_cursor), synced_at=now)
        self._complete("orders", orders_cursor, synced_at=now)
        return result()

    def _walk(
        self,
        name: str,
        pages_of: Callable[[datetime | None, str | None], Iterator[Page]],
        *,
        since: datetime | None,
        state: Any,
        store: Callable[[list], tuple[int, datetime | None]],
        spent: Callable[[], bool],
    ) -> _Walked:
        """One walk, from where ``state`` (its partial row) left it when there is one,
        keeping its continuation after every stored page; stops before a page when
        ``spent()``. A token Eventbrite refuses starts the walk again."""
        token: str | None = None
        walked = _Walked(started_at=clock.now())
        if state is not None:
            since, token = aware_utc(state.since), state.continuation
            walked = _Walked(
                started_at=aware_utc(state.started_at) or walked.started_at,
                newest=aware_utc(state.newest),
                items=state.items,
                pages=state.pages,
            )
        while True:
            resuming = token is not None
            pages = pages_of(since, token)
            try:
                while True:
                    if spent():
                        return walked
                    try:
                        page = next(pages)
                    except StopIteration:
                        walked.done = True
                        return walked
                    resuming = False
                    stored, latest = store(page.items)
                    walked.items += stored
                    walked.pages += 1
                    walked.newest = max(filter(None, (walked.newest, latest)), default=None)
                    if page.continuation is not None:
                        self._save_partial(name, since, page.continuation, walked)
            except IntegrationError as exc:
                if not (resuming and _token_refused(exc)):
                    raise
                log.warning(
                    "Eventbrite refused the %s walk's continuation; starting it again", name
                )
                self._drop_partial(name)
                token = None
                walked = _Walked(started_at=walked.started_at)
            finally:
                pages.close()

    def _partials(self) -> dict[str, Any]:
        try:
            with self._begin() as conn:
                return {r.walk: r for r in conn.execute(select(PARTIAL))}
        except SQLAlchemyError as exc:
            raise SalesStoreUnavailable(_db_message(exc)) from None

    def _save_partial(
        self, name: str, since: datetime | None, continuation: str, walked: _Walked
    ) -> None:
        row = {
            "walk": name,
            "since": None if since is None else naive_utc(since),
            "continuation": continuation,
            "newest": None if walked.newest is None else naive_utc(walked.newest),
            "started_at": naive_utc(walked.started_at),
            "items": walked.items,
            "pages": walked.pages,
            "updated_at": naive_utc(clock.now()),
        }
        try:
            with self._begin() as conn:
                conn.execute(delete(PARTIAL).where(PARTIAL.c.walk == name))
                conn.execute(insert(PARTIAL).values(**row))
        except SQLAlchemyError as exc:
            raise SalesStoreUnavailable(_db_message(exc)) from None

    def _drop_partial(self, name: str) -> None:
        try:
            with self._begin() as conn:
                conn.execute(delete(PARTIAL).where(PARTIAL.c.walk == name))
        except SQLAlchemyError as exc:
            raise SalesStoreUnavailable(_db_message(exc)) from None

    def _complete(self, name: str, changed: datetime, *, synced_at: datetime | None) -> None:
        """A walk is complete: its cursor moves to ``changed`` and its partial row goes,
        in one transaction. ``synced_at`` None keeps when the last complete sync was."""
        try:
            with self._begin() as conn:
                conn.execute(delete(PARTIAL).where(PARTIAL.c.walk == name))
                if synced_at is None:
                    conn.execute(
                        update(CURSORS)
                        .where(CURSORS.c.name == name)
                        .values(changed=naive_utc(changed))
                    )
                else:
                    _upsert_cursor(conn, name, naive_utc(changed), naive_utc(synced_at))
        except SQLAlchemyError as exc:
            raise SalesStoreUnavailable(_db_message(exc)) from None

    def _store_orders(self, batch: Iterable[dict[str, Any]]):
        orders, attendees, events = [], [], {}
        latest = latest_a = None
        for o in batch:
            if not isinstance(o, dict) or not o.get("id"):
                continue
            created, changed = parse_utc(o.get("created")), parse_utc(o.get("changed"))
            if created is None or changed is None:
                continue
            latest = max(filter(None, (latest, changed)))
            costs = o.get("costs")
            orders.append(
                {
                    "order_id": str(o["id"]),
                    "event_id": str(o.get("event_id") or ""),
                    "created": naive_utc(created),
                    "changed": naive_utc(changed),
                    "status": str(o.get("status") or ""),
                    "gross_cents": _cents(costs, "gross"),
                    "fees_cents": _cents(costs, "eventbrite_fee", "payment_fee"),
                }
            )
            for a in o.get("attendees") or []:
                row = _attendee_row(a, o) if isinstance(a, dict) else None
                if row is not None:
                    attendees.append(row)
                    latest_a = max(filter(None, (latest_a, aware_utc(row["changed"]))))
            ev = o.get("event")
            if isinstance(ev, dict) and ev.get("id"):
                start = parse_utc((ev.get("start") or {}).get("utc"))
                name = ev.get("name")
                events[str(ev["id"])] = {
                    "event_id": str(ev["id"]),
                    "series_id": ev.get("series_id"),
                    "name": name.get("text") if isinstance(name, dict) else None,
                    "starts_at": naive_utc(start) if start else None,
                }
        self._replace(ORDERS, "order_id", orders)
        self._replace(ATTENDEES, "attendee_id", attendees)
        self._replace(EVENTS, "event_id", list(events.values()))
        return len(orders), len(attendees), latest, latest_a

    def _replace(self, table: Table, key: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        ids = [r[key] for r in rows]
        try:
            with self._begin() as conn:
                for i in range(0, len(ids), 500):
                    conn.execute(delete(table).where(table.c[key].in_(ids[i : i + 500])))
                conn.execute(insert(table), rows)
        except SQLAlchemyError as exc:
            raise SalesStoreUnavailable(_db_message(exc)) from None

    # -- reading --------------------------------------------------------------------
    def sales(self, *, timezone: str) -> pd.DataFrame:
        """Every stored attendee as ``SALES_COLUMNS`` rows (one statement)."""
        a, e = ATTENDEES, EVENTS
        query = select(
            a.c.event_id,
            a.c.ticket_class_name,
            a.c.created,
            a.c.checked_in,
            a.c.cancelled,
            a.c.refunded,
            a.c.status,
            a.c.gross_cents,
            a.c.fees_cents,
            e.c.series_id,
            e.c.name,
            e.c.starts_at,
        ).select_from(a.outerjoin(e, e.c.event_id == a.c.event_id))
        try:
            with self._begin() as conn:
                found = conn.execute(query).all()
        except SQLAlchemyError as exc:
            raise SalesStoreUnavailable(_db_message(exc)) from None
        rows = []
        for r in found:
            sold = not (r.cancelled or r.refunded or r.status == "Not Attending")
            key = event_key(r.event_id)
            rows.append(
                {
                    "channel": Channel.EVENTBRITE,
                    "occurrence_key": key,
                    "recurring_key": series_key(r.series_id) if r.series_id else key,
                    "title": r.name,
                    "starts_at": aware_utc(r.starts_at),
                    "sold_at": aware_utc(r.created),
                    "seats": 1,
                    "state": "sold" if sold else "cancelled",
                    "checked_in": int(bool(r.checked_in) and sold),
                    "gross": None if r.gross_cents is None else r.gross_cents / 100 * sold,
                    "fees": None if r.fees_cents is None else r.fees_cents / 100 * sold,
                    "ticket_type": r.ticket_class_name,
                }
            )
        return sales_frame(rows, timezone)


def _upsert_cursor(conn: Connection, name: str, changed: datetime, synced_at: datetime) -> None:
    conn.execute(delete(CURSORS).where(CURSORS.c.name == name))
    conn.execute(insert(CURSORS).values(name=name, changed=changed, synced_at=synced_at))


def _db_message(exc: SQLAlchemyError) -> str:
    return (
        f"The app-state database failed while keeping Eventbrite orders "
        f"({type(exc).__name__}). Check BRCC_STATE_DB_URL."
    )
