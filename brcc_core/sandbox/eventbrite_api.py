"""The sandbox's Eventbrite API v3: the part of it the box office uses, over the sandbox DB.

It answers the way Eventbrite does where the app's correctness depends on it:

- organization events with continuation pagination, status / time filters, and series
  listed as Eventbrite lists them (occurrences by default, parents on request);
- ticket classes whose ``quantity_total`` is the effective cap (the smallest of the event
  and class capacities that are set) and whose ``on_sale_status`` follows from what the
  event has left: its capacity, less holds, sold and carts in progress, is shared by its
  admission classes; add-ons and checkout donations (categories ``add_on``, ``donation``)
  do not count against it; hidden classes and sales windows are reported as Eventbrite
  does (``hidden``, ``sales_start`` / ``sales_end``);
- a capacity tier with its ``holds`` and carts in progress (``capacity_pending``); a
  ``capacity_total`` write keeps the holds;
- capacity writes: a class on a one-off event can be changed; a class on a series event is
  refused (``INVALID_TICKET``), and event capacity goes through ``capacity_tier`` instead,
  where a change on a series parent reaches every occurrence;
- a per-token hourly call budget (``HIT_RATE_LIMIT``), and reads that lag writes unless
  the caller sends back the ``Eventbrite-API-Waypoint-Token`` its write returned.

Errors always have Eventbrite's shape: ``{"error", "error_description", "status_code"}``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import secrets
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select, update

from brcc_core.common import clock as app_clock
from brcc_core.sandbox.eventbrite_common import (
    CLASSES,
    DESCRIPTIONS,
    EVENTS,
    NOT_SEAT_CATEGORIES,
    RESOURCE_ROOT,
    ApiError,
    _choice,
    _event_capacity,
    _event_object,
    _Key,
    _money,
    _naive,
    _seat_classes,
    _utc,
    _View,
)
from brcc_core.sandbox.eventbrite_orders import routes as order_routes
from brcc_core.sandbox.web import Request, Response

WAYPOINT_HEADER = "Eventbrite-API-Waypoint-Token"
DEFAULT_PAGE_SIZE = 50

EVENT_STATUSES = ("draft", "live", "started", "ended", "completed", "canceled")
TIME_FILTERS = ("current_future", "past", "all")
SERIES_FILTERS = ("allevents", "children", "parents", "nonseries", "allseries")
ORDERINGS = ("start_asc", "start_desc", "created_asc", "created_desc")

# Generic codes the sandbox app passes to ``error()`` for injected faults, mapped to the
# constants Eventbrite itself sends (clients act on ``error``, so these must be real).
_APP_CODES = {
    "rate_limited": "HIT_RATE_LIMIT",
    "upstream_error": "INTERNAL_ERROR",
    "internal_error": "INTERNAL_ERROR",
    "timeout": "INTERNAL_ERROR",
}

# The error a class update on a series event gets. Eventbrite's reference does not list the
# error strings for this case (docs/domain.md section 5 names INVALID_TICKET and
# INVALID_EVENT as seen); the refused object is the ticket class, while the event itself
# stays writable through capacity_tier, so the class-level constant is the one the sandbox
# sends. Clients must treat both the same way: fall back to capacity_tier.
SERIES_CLASS_REFUSAL = "INVALID_TICKET"


@dataclass
class _Change:
    """One committed write, kept while it is inside the read lag window."""

    seq: int
    at: datetime
    table: str  # "event" or "class"
    row_id: str
    old: dict[str, Any]


class EventbriteService:
    """Eventbrite API v3 emulation (implements ``brcc_core.sandbox.web.Service``)."""

    name = "eventbrite"
    prefix = "/v3/"

    def __init__(
        self,
        *,
        token: str,
        organization_id: str,
        hourly_limit: int = 2000,
        read_lag_seconds: float = 0.0,
        clock: Callable[[], datetime] | None = None,
    ):
        self._token = token
        self.organization_id = str(organization_id)
        self.hourly_limit = hourly_limit
        self.read_lag = timedelta(seconds=read_lag_seconds)
        self._clock = clock or app_clock.now
        self._lock = threading.Lock()
        self._calls: deque[datetime] = deque()
        self._changes: list[_Change] = []
        self._waypoints: OrderedDict[str, int] = OrderedDict()
        self._seq = 0
        self._routes: list[tuple[re.Pattern[str], dict[str, Callable[..., Response]]]] = [
            (
                re.compile(r"organizations/(?P<org_id>[^/]+)/events/?"),
                {"GET": self._list_org_events},
            ),
            (re.compile(r"events/(?P<event_id>[^/]+)/?"), {"GET": self._get_event}),
            (
                re.compile(r"events/(?P<event_id>[^/]+)/ticket_classes/?"),
                {"GET": self._list_ticket_classes},
            ),
            (
                re.compile(r"events/(?P<event_id>[^/]+)/ticket_classes/(?P<class_id>[^/]+)/?"),
                {"GET": self._get_ticket_class, "POST": self._update_ticket_class},
            ),
            (
                re.compile(r"events/(?P<event_id>[^/]+)/capacity_tier/?"),
                {"GET": self._get_capacity_tier, "POST": self._update_capacity_tier},
            ),
            (re.compile(r"series/(?P<series_id>[^/]+)/?"), {"GET": self._get_series}),
            (
                re.compile(r"series/(?P<series_id>[^/]+)/events/?"),
                {"GET": self._list_series_events},
            ),
        ]
        # Orders and attendees live in their own module (sandbox history, issue 11).
        self._routes += order_routes(self)

    # --- Service protocol ---------------------------------------------------------
    def error(self, status: int, code: str, message: str) -> Response:
        """An error in Eventbrite's shape; the app's generic fault codes become the
        constants Eventbrite sends, with their documented descriptions."""
        mapped = _APP_CODES.get(code)
        if mapped is not None:
            code, message = mapped, DESCRIPTIONS[mapped]
        body = {"error": code, "error_description": message, "status_code": status}
        return Response.json(body, status=status)

    def handle(self, request: Request, conn: Connection) -> Response:
        try:
            self._authenticate(request)
            self._spend_budget()
            return self._route(request, conn)
        except ApiError as exc:
            response = self.error(exc.status, exc.code, exc.description)
            if exc.status == 429:
                response.headers["Retry-After"] = str(self._seconds_until_budget())
            return response

    # --- budget -------------------------------------------------------------------
    def calls_in_last_hour(self) -> int:
        """Calls counted against this token's hourly budget right now."""
        with self._lock:
            self._prune_calls(self._clock())
            return len(self._calls)

    def _prune_calls(self, now: datetime) -> None:
        cutoff = now - timedelta(hours=1)
        while self._calls and self._calls[0] <= cutoff:
            self._calls.popleft()

    def _spend_budget(self) -> None:
        # Only authenticated calls within the budget count: a refused call consumed nothing.
        now = self._clock()
        with self._lock:
            self._prune_calls(now)
            if len(self._calls) >= self.hourly_limit:
                raise ApiError(429, "HIT_RATE_LIMIT")
            self._calls.append(now)

    def _seconds_until_budget(self) -> int:
        now = self._clock()
        with self._lock:
            self._prune_calls(now)
            if not self._calls:
                return 1
            wait = (self._calls[0] + timedelta(hours=1) - now).total_seconds()
        return max(1, math.ceil(wait))

    # --- auth and routing ---------------------------------------------------------
    def _authenticate(self, request: Request) -> None:
        header = request.header("authorization")
        token: str | None = None
        if header:
            scheme, _, value = header.strip().partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                raise ApiError(400, "INVALID_AUTH_HEADER")
            token = value.strip()
        else:
            token = request.arg("token")
        if not token:
            raise ApiError(401, "NO_AUTH")
        if not secrets.compare_digest(token.encode(), self._token.encode()):
            raise ApiError(401, "INVALID_AUTH")

    def _route(self, request: Request, conn: Connection) -> Response:
        rest = request.path[len(self.prefix) :] if request.path.startswith(self.prefix) else ""
        for pattern, methods in self._routes:
            match = pattern.fullmatch(rest)
            if match is None:
                continue
            handler = methods.get(request.method)
            if handler is None:
                raise ApiError(405, "METHOD_NOT_ALLOWED")
            return handler(request, conn, **match.groupdict())
        raise ApiError(404, "NOT_FOUND")

    # --- read lag -----------------------------------------------------------------
    def _view(self, request: Request) -> _View:
        """The writes this read may not see yet: those inside the lag window that are
        newer than the waypoint the caller sent back (none if it sent none)."""
        if self.read_lag <= timedelta(0):
            return _View()
        now = self._clock()
        with self._lock:
            self._changes = [c for c in self._changes if c.at > now - self.read_lag]
            token = request.header(WAYPOINT_HEADER)
            seen = self._waypoints.get(token, 0) if token else 0
            hidden = sorted(
                (c for c in self._changes if c.seq > seen), key=lambda c: c.seq, reverse=True
            )
        overlay: dict[tuple[str, str], dict[str, Any]] = {}
        for change in hidden:  # newest first, so the earliest hidden write's "old" wins
            overlay.setdefault((change.table, change.row_id), {}).update(change.old)
        return _View(overlay)

    def _record_write(self, changes: Sequence[tuple[str, str, dict[str, Any]]]) -> str:
        """Journal one write (for lagging reads) and return its waypoint token."""
        now = self._clock()
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._seq += 1
            if self.read_lag > timedelta(0):
                for table, row_id, old in changes:
                    self._changes.append(_Change(self._seq, now, table, row_id, old))
            self._waypoints[token] = self._seq
            while len(self._waypoints) > 10_000:
                self._waypoints.popitem(last=False)
        return token

    # --- loading ------------------------------------------------------------------
    def _event_row(self, conn: Connection, view: _View, event_id: str) -> dict[str, Any]:
        row = conn.execute(select(EVENTS).where(EVENTS.c.id == event_id)).first()
        if row is None:
            raise ApiError(404, "NOT_FOUND", "The event you requested does not exist.")
        event = view.apply("event", row)
        if event["organization_id"] != self.organization_id:
            raise ApiError(403, "NOT_AUTHORIZED")
        return event

    def _classes_by_event(
        self, conn: Connection, view: _View, event_ids: Sequence[str]
    ) -> dict[str, list[dict[str, Any]]]:
        """All ticket classes of ``event_ids`` in one query, in listing order."""
        found: dict[str, list[dict[str, Any]]] = {event_id: [] for event_id in event_ids}
        if not event_ids:
            return found
        rows = conn.execute(
            select(CLASSES)
            .where(CLASSES.c.event_id.in_(list(event_ids)))
            .order_by(CLASSES.c.sorting, CLASSES.c.id)
        )
        for row in rows:
            found[row.event_id].append(view.apply("class", row))
        return found

    # --- pagination ---------------------------------------------------------------
    def _page(
        self,
        conn: Connection,
        request: Request,
        table: Any,
        where: list[ColumnElement[bool]],
        keys: Sequence[_Key],
        descending: bool,
        fingerprint: dict[str, Any],
    ) -> tuple[list[Any], dict[str, Any]]:
        """One page of ``table`` rows under ``where``, with Eventbrite's pagination object.

        The continuation token carries the sort key of the last row served (keyset
        pagination), so a walk sees every row once even if rows change between calls; it
        is bound to the query it came from and refused on any other."""
        page_size = _int_arg(request, "page_size", DEFAULT_PAGE_SIZE, minimum=1)
        digest = hashlib.sha256(
            json.dumps({"path": request.path.rstrip("/"), **fingerprint}, sort_keys=True).encode()
        ).hexdigest()[:16]
        total = conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
        page_count = max(1, math.ceil(total / page_size))

        query = select(table).where(*where)
        order = [k.column.desc() if descending else k.column.asc() for k in keys]
        continuation = request.arg("continuation")
        page_number = 1
        if continuation:
            after, page_number = _decode_continuation(continuation, digest, keys)
            query = query.where(_after(keys, after, descending))
        elif request.arg("page"):
            page_number = _int_arg(request, "page", 1, minimum=1, code="BAD_PAGE")
            if page_number > page_count:
                raise ApiError(400, "BAD_PAGE")
            query = query.offset((page_number - 1) * page_size)
        rows = list(conn.execute(query.order_by(*order).limit(page_size + 1)))
        has_more = len(rows) > page_size
        rows = rows[:page_size]
        pagination: dict[str, Any] = {
            "object_count": total,
            "page_number": page_number,
            "page_size": page_size,
            "page_count": page_count,
            "has_more_items": has_more,
        }
        if has_more:
            last = rows[-1]
            pagination["continuation"] = _encode_continuation(
                [k.dump(getattr(last, k.column.name)) for k in keys], page_number + 1, digest
            )
        return rows, pagination

    # --- events -------------------------------------------------------------------
    def _list_org_events(self, request: Request, conn: Connection, org_id: str) -> Response:
        if org_id != self.organization_id:
            raise ApiError(403, "NOT_AUTHORIZED")
        statuses = _statuses(request)
        time_filter = _choice(request, "time_filter", TIME_FILTERS, "all")
        order_by = _choice(request, "order_by", ORDERINGS, "start_asc")
        kinds = _series_kinds(request)
        where = [EVENTS.c.organization_id == self.organization_id]
        where += self._event_filters(statuses, time_filter)
        where.append(_series_clause(kinds))
        fingerprint = {
            "status": sorted(statuses or []),
            "time_filter": time_filter,
            "order_by": order_by,
            "kinds": sorted(kinds),
        }
        return self._event_page(conn, request, where, order_by, fingerprint)

    def _list_series_events(self, request: Request, conn: Connection, series_id: str) -> Response:
        self._series_parent(conn, self._view(request), series_id)
        statuses = _statuses(request)
        time_filter = _choice(request, "time_filter", TIME_FILTERS, "all")
        order_by = _choice(request, "order_by", ORDERINGS, "start_asc")
        where = [
            EVENTS.c.series_id == series_id,
            EVENTS.c.is_series_parent.is_(False),
            EVENTS.c.organization_id == self.organization_id,
        ]
        where += self._event_filters(statuses, time_filter)
        fingerprint = {
            "status": sorted(statuses or []),
            "time_filter": time_filter,
            "order_by": order_by,
        }
        return self._event_page(conn, request, where, order_by, fingerprint)

    def _event_filters(
        self, statuses: list[str] | None, time_filter: str
    ) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if statuses is not None:
            clauses.append(EVENTS.c.status.in_(statuses))
        now = _naive(self._clock())
        if time_filter == "current_future":
            clauses.append(EVENTS.c.end_utc >= now)
        elif time_filter == "past":
            clauses.append(EVENTS.c.end_utc < now)
        return clauses

    def _event_page(
        self,
        conn: Connection,
        request: Request,
        where: list[ColumnElement[bool]],
        order_by: str,
        fingerprint: dict[str, Any],
    ) -> Response:
        view = self._view(request)
        sort_column = EVENTS.c.created if order_by.startswith("created") else EVENTS.c.start_utc
        keys = (_Key(sort_column, "dt"), _Key(EVENTS.c.id, "str"))
        rows, pagination = self._page(
            conn, request, EVENTS, where, keys, order_by.endswith("_desc"), fingerprint
        )
        events = [view.apply("event", row) for row in rows]
        classes = self._classes_by_event(conn, view, [e["id"] for e in events])
        body = {
            "pagination": pagination,
            "events": [_event_object(e, classes[e["id"]]) for e in events],
        }
        return Response.json(body)

    def _get_event(self, request: Request, conn: Connection, event_id: str) -> Response:
        view = self._view(request)
        event = self._event_row(conn, view, event_id)
        classes = self._classes_by_event(conn, view, [event_id])[event_id]
        return Response.json(_event_object(event, classes))

    def _series_parent(self, conn: Connection, view: _View, series_id: str) -> dict[str, Any]:
        try:
            event = self._event_row(conn, view, series_id)
        except ApiError as exc:
            if exc.status == 404:
                raise ApiError(
                    404, "NOT_FOUND", "The series you requested does not exist."
                ) from None
            raise
        if not event["is_series_parent"]:
            raise ApiError(404, "NOT_FOUND", "The series you requested does not exist.")
        return event

    def _get_series(self, request: Request, conn: Connection, series_id: str) -> Response:
        view = self._view(request)
        event = self._series_parent(conn, view, series_id)
        classes = self._classes_by_event(conn, view, [series_id])[series_id]
        return Response.json(_event_object(event, classes))

    # --- ticket classes -----------------------------------------------------------
    def _list_ticket_classes(self, request: Request, conn: Connection, event_id: str) -> Response:
        view = self._view(request)
        event = self._event_row(conn, view, event_id)
        keys = (_Key(CLASSES.c.sorting, "int"), _Key(CLASSES.c.id, "str"))
        rows, pagination = self._page(
            conn, request, CLASSES, [CLASSES.c.event_id == event_id], keys, False, {}
        )
        left = _seats_left(event, self._classes_by_event(conn, view, [event_id])[event_id])
        classes = [_class_object(view.apply("class", row), event, left) for row in rows]
        return Response.json({"pagination": pagination, "ticket_classes": classes})

    def _class_row(
        self, conn: Connection, view: _View, event_id: str, class_id: str
    ) -> dict[str, Any]:
        row = conn.execute(
            select(CLASSES).where(CLASSES.c.id == class_id, CLASSES.c.event_id == event_id)
        ).first()
        if row is None:
            raise ApiError(404, "NOT_FOUND", "The ticket class you requested does not exist.")
        return view.apply("class", row)

    def _get_ticket_class(
        self, request: Request, conn: Connection, event_id: str, class_id: str
    ) -> Response:
        view = self._view(request)
        event = self._event_row(conn, view, event_id)
        left = _seats_left(event, self._classes_by_event(conn, view, [event_id])[event_id])
        tc = self._class_row(conn, view, event_id, class_id)
        return Response.json(_class_object(tc, event, left))

    def _update_ticket_class(
        self, request: Request, conn: Connection, event_id: str, class_id: str
    ) -> Response:
        fields = _json_object(request, "ticket_class")
        unsupported = sorted(set(fields) - {"capacity", "quantity_total"})
        if unsupported:
            raise ApiError(
                400,
                "ARGUMENTS_ERROR",
                f"The sandbox can only change a ticket class's capacity, not {unsupported}.",
            )
        key = "capacity" if "capacity" in fields else "quantity_total"
        if key not in fields:
            raise ApiError(400, "ARGUMENTS_ERROR", "ticket_class.capacity: This field is required.")
        capacity = _count(fields[key], f"ticket_class.{key}")

        now_view = _View()  # writes check and change the stored truth, never a lagged copy
        event = self._event_row(conn, now_view, event_id)
        current = self._class_row(conn, now_view, event_id, class_id)
        if event["series_id"] or event["is_series_parent"]:
            raise ApiError(
                400,
                SERIES_CLASS_REFUSAL,
                "The ticket classes of a series event cannot be changed one by one; "
                "change the event capacity through capacity_tier.",
            )
        if capacity < current["quantity_sold"]:
            raise ApiError(
                400,
                "ARGUMENTS_ERROR",
                f"capacity: {capacity} is less than the {current['quantity_sold']} tickets "
                "already sold.",
            )
        changed = _naive(self._clock())
        conn.execute(
            update(CLASSES)
            .where(CLASSES.c.id == class_id)
            .values(capacity=capacity, changed=changed)
        )
        token = self._record_write(
            [("class", class_id, {"capacity": current["capacity"], "changed": current["changed"]})]
        )
        updated = {**current, "capacity": capacity, "changed": changed}
        left = _seats_left(event, self._classes_by_event(conn, now_view, [event_id])[event_id])
        return Response.json(_class_object(updated, event, left), headers={WAYPOINT_HEADER: token})

    # --- capacity tier ------------------------------------------------------------
    def _get_capacity_tier(self, request: Request, conn: Connection, event_id: str) -> Response:
        view = self._view(request)
        event = self._event_row(conn, view, event_id)
        classes = self._classes_by_event(conn, view, [event_id])[event_id]
        return Response.json(_capacity_tier_object(event, classes))

    def _update_capacity_tier(self, request: Request, conn: Connection, event_id: str) -> Response:
        body = _json_object(request, None)
        if isinstance(body.get("capacity_tier"), dict):
            body = body["capacity_tier"]
        if "capacity_total" not in body:
            raise ApiError(400, "ARGUMENTS_ERROR", "capacity_total: This field is required.")
        capacity = _count(body["capacity_total"], "capacity_total")

        now_view = _View()
        event = self._event_row(conn, now_view, event_id)
        targets = [event]
        if event["is_series_parent"]:
            # A parent's capacity is every date's capacity: Eventbrite applies it to all.
            rows = conn.execute(
                select(EVENTS).where(
                    EVENTS.c.series_id == event_id, EVENTS.c.is_series_parent.is_(False)
                )
            )
            targets += [now_view.apply("event", row) for row in rows]
        classes = self._classes_by_event(conn, now_view, [t["id"] for t in targets])
        for target in targets:
            sold = sum(c["quantity_sold"] for c in _seat_classes(classes[target["id"]]))
            if capacity < sold:
                raise ApiError(
                    400,
                    "CAPACITY_TOTAL_TOO_SMALL",
                    f"capacity_total {capacity} is less than the {sold} tickets already sold "
                    f"for event {target['id']}.",
                )
            # The write changes capacity_total only: holds stay, so they must still fit.
            if capacity < sold + (target["held"] or 0):
                raise ApiError(
                    400,
                    "HOLD_QUANTITIES_EXCEEDS_REMAINING_CAPACITY",
                    f"capacity_total {capacity} leaves no room for the {target['held']} "
                    f"seat(s) held on event {target['id']} besides the {sold} sold.",
                )
        changed = _naive(self._clock())
        ids = [t["id"] for t in targets]
        conn.execute(
            update(EVENTS)
            .where(EVENTS.c.id.in_(ids))
            .values(capacity=capacity, capacity_is_custom=True, changed=changed)
        )
        token = self._record_write(
            [
                (
                    "event",
                    t["id"],
                    {
                        "capacity": t["capacity"],
                        "capacity_is_custom": t["capacity_is_custom"],
                        "changed": t["changed"],
                    },
                )
                for t in targets
            ]
        )
        updated = {**event, "capacity": capacity, "capacity_is_custom": True, "changed": changed}
        return Response.json(
            _capacity_tier_object(updated, classes[event_id]), headers={WAYPOINT_HEADER: token}
        )


# --- request parsing ------------------------------------------------------------------
def _int_arg(
    request: Request, name: str, default: int, *, minimum: int, code: str = "ARGUMENTS_ERROR"
) -> int:
    raw = request.arg(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, code, f"{name}: '{raw}' is not a whole number.") from None
    if value < minimum:
        raise ApiError(400, code, f"{name}: must be at least {minimum}.")
    return value


def _statuses(request: Request) -> list[str] | None:
    """The ``status`` filter as a list, or None for every status (``all`` / absent)."""
    raw = request.arg("status")
    if not raw:
        return None
    values = [v.strip() for v in raw.split(",") if v.strip()]
    bad = [v for v in values if v not in (*EVENT_STATUSES, "all")]
    if bad or not values:
        raise ApiError(
            400,
            "ARGUMENTS_ERROR",
            f"status: {bad or raw!r} not in {', '.join((*EVENT_STATUSES, 'all'))}.",
        )
    return None if "all" in values else values


def _series_kinds(request: Request) -> set[str]:
    """Which of children / parents / nonseries to list. ``series_filter`` wins over
    ``show_series_parent``; by default Eventbrite lists a series' dates, not its parent."""
    raw = request.arg("series_filter")
    if raw:
        kinds: set[str] = set()
        for value in (v.strip() for v in raw.split(",") if v.strip()):
            if value not in SERIES_FILTERS:
                raise ApiError(
                    400,
                    "ARGUMENTS_ERROR",
                    f"series_filter: '{value}' is not one of {', '.join(SERIES_FILTERS)}.",
                )
            if value == "allevents":
                kinds |= {"children", "parents", "nonseries"}
            elif value == "allseries":
                kinds |= {"children", "parents"}
            else:
                kinds.add(value)
        return kinds
    show_parent = (request.arg("show_series_parent") or "false").lower() in ("true", "1")
    return {"parents" if show_parent else "children", "nonseries"}


def _series_clause(kinds: set[str]) -> ColumnElement[bool]:
    parts: list[ColumnElement[bool]] = []
    if "parents" in kinds:
        parts.append(EVENTS.c.is_series_parent.is_(True))
    if "children" in kinds:
        parts.append(and_(EVENTS.c.is_series_parent.is_(False), EVENTS.c.series_id.is_not(None)))
    if "nonseries" in kinds:
        parts.append(and_(EVENTS.c.is_series_parent.is_(False), EVENTS.c.series_id.is_(None)))
    return or_(*parts)


def _json_object(request: Request, wrapper: str | None) -> dict[str, Any]:
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            400, "INVALID_BODY", "A request body that was not JSON was passed."
        ) from None
    if not isinstance(body, dict):
        raise ApiError(400, "INVALID_BODY", "The request body must be a JSON object.")
    if wrapper is None:
        return body
    inner = body.get(wrapper)
    if not isinstance(inner, dict):
        raise ApiError(400, "ARGUMENTS_ERROR", f"{wrapper}: This field is required.")
    return inner


def _count(value: Any, name: str) -> int:
    """A capacity from a JSON body: a whole number >= 0 (digit strings accepted, as the
    form-encoded API accepts them)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApiError(400, "ARGUMENTS_ERROR", f"{name}: must be a whole number of 0 or more.")
    return value


def _encode_continuation(key: list[Any], page_number: int, digest: str) -> str:
    raw = json.dumps({"k": key, "p": page_number, "q": digest}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_continuation(token: str, digest: str, keys: Sequence[_Key]) -> tuple[list[Any], int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw.decode())
        if not isinstance(data, dict) or data.get("q") != digest:
            raise ValueError("token from another query")
        values = data["k"]
        page_number = data["p"]
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError("wrong key")
        if isinstance(page_number, bool) or not isinstance(page_number, int) or page_number < 2:
            raise ValueError("wrong page")
        return [k.load(v) for k, v in zip(keys, values, strict=True)], page_number
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "BAD_CONTINUATION_TOKEN") from None


def _after(keys: Sequence[_Key], values: list[Any], descending: bool) -> ColumnElement[bool]:
    """Rows strictly after ``values`` in the (lexicographic) keyset order."""
    clauses: list[ColumnElement[bool]] = []
    for i, key in enumerate(keys):
        equal = [keys[j].column == values[j] for j in range(i)]
        beyond = key.column < values[i] if descending else key.column > values[i]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


# --- objects --------------------------------------------------------------------------


def _seats_left(event: dict[str, Any], classes: list[dict[str, Any]]) -> int | None:
    """What the event can still sell: capacity less holds, sold and carts in progress
    (None: unlimited)."""
    total = _event_capacity(event, classes)
    if total is None:
        return None
    sold = sum(c["quantity_sold"] for c in _seat_classes(classes))
    return total - (event.get("held") or 0) - sold - (event.get("capacity_pending") or 0)


def _quantity_total(event_capacity: int | None, class_capacity: int | None) -> int | None:
    """The effective cap: the smallest of the event and class capacities that are set."""
    caps = [c for c in (event_capacity, class_capacity) if c is not None]
    return min(caps) if caps else None


def _class_object(
    tc: dict[str, Any], event: dict[str, Any], event_left: int | None = None
) -> dict[str, Any]:
    category = tc.get("category") or "admission"
    seat = category not in NOT_SEAT_CATEGORIES
    quantity_total = _quantity_total(event["capacity"] if seat else None, tc["capacity"])
    sold = tc["quantity_sold"]
    sold_out = quantity_total is not None and sold >= quantity_total
    if seat and event_left is not None and event_left <= 0:
        sold_out = True  # the event's shared seats are gone, whatever the class's own cap
    free = bool(tc["free"])
    cost = None if free or tc["cost_cents"] is None else _money(tc["cost_cents"], tc["currency"])
    return {
        "resource_uri": f"{RESOURCE_ROOT}/events/{tc['event_id']}/ticket_classes/{tc['id']}/",
        "id": tc["id"],
        "event_id": tc["event_id"],
        "name": tc["name"],
        "display_name": tc["name"],
        "short_name": tc["name"],
        "description": None,
        "sorting": tc["sorting"],
        "donation": bool(tc.get("donation")),
        "free": free,
        "cost": cost,
        "minimum_quantity": 1,
        "maximum_quantity": None,
        "maximum_quantity_per_order": 10,
        "maximum_quantity_per_order_without_pending": None,
        "capacity": tc["capacity"],
        "quantity_total": quantity_total,
        "quantity_sold": sold,
        "on_sale_status": "SOLD_OUT" if sold_out else "AVAILABLE",
        "sales_start": _utc(tc["sales_start_utc"]),
        "sales_end": _utc(tc["sales_end_utc"]),
        "hidden": bool(tc["hidden"]),
        "include_fee": False,
        "split_fee": False,
        "hide_description": True,
        "hide_sale_dates": False,
        "auto_hide": False,
        "variants": [],
        "has_pdf_ticket": True,
        "sales_channels": ["online", "atd"],
        "delivery_methods": ["electronic"],
        "category": category,
        "inventory_tier_id": None,
        "secondary_assignment_enabled": False,
        "variant_id": f"T{tc['id']}",
    }


def _capacity_tier_object(event: dict[str, Any], classes: list[dict[str, Any]]) -> dict[str, Any]:
    total = _event_capacity(event, classes)
    sold = sum(c["quantity_sold"] for c in _seat_classes(classes))
    held = event.get("held") or 0
    pending = event.get("capacity_pending") or 0
    left = _seats_left(event, classes)
    holds = []
    if held:
        holds.append(
            {
                "id": f"{event['id']}01",
                "name": "Held back",
                "quantity_total": held,
                "quantity_sold": 0,
                "sort_order": 1,
            }
        )
    return {
        "resource_uri": f"{RESOURCE_ROOT}/events/{event['id']}/capacity_tier/",
        "event_id": event["id"],
        "capacity_total": total,
        "capacity_is_custom": bool(event["capacity_is_custom"]),
        "capacity_sold": sold,
        "capacity_pending": pending,
        "capacity_remaining": None if left is None else max(left, 0),
        "holds": holds,
    }
