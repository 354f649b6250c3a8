"""Eventbrite orders kept in the app-state database, synced incrementally.

Eventbrite can list every order of the organization (``GET /organizations/{id}/orders/``),
but a year of them is dozens of calls against a 2,000-an-hour budget. So the app keeps
what it has read (orders, their attendees: one per seat, and the event each belongs to)
in its own tables on ``State.engine``, and each sync asks only for what changed since
the last one: orders changed since (new, refunded) and attendees changed since
(check-ins). Rows are replaced by id, so reading a boundary row twice is harmless; the
cursor moves only after a walk finished, so a sync cut short by an error is simply
repeated from the same point next time.

``sales()`` turns the stored attendees into ``history.SALES_COLUMNS`` rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    insert,
    select,
)
from sqlalchemy.exc import SQLAlchemyError

from brcc_core.eventbrite import EventbriteClient
from brcc_core.history import sales_frame

metadata = MetaData()

ORDERS = Table(
    "eb_sales_orders",
    metadata,
    Column("order_id", String(32), primary_key=True),
    Column("event_id", String(32), nullable=False, index=True),
    Column("created", DateTime, nullable=False),
    Column("changed", DateTime, nullable=False),
    Column("status", String(20), nullable=False),
    Column("gross_cents", Integer, nullable=True),
    Column("fees_cents", Integer, nullable=True),
)
ATTENDEES = Table(
    "eb_sales_attendees",
    metadata,
    Column("attendee_id", String(32), primary_key=True),
    Column("order_id", String(32), nullable=False, index=True),
    Column("event_id", String(32), nullable=False, index=True),
    Column("ticket_class_id", String(32), nullable=True),
    Column("ticket_class_name", String(255), nullable=True),
    Column("created", DateTime, nullable=False),
    Column("changed", DateTime, nullable=False),
    Column("status", String(20), nullable=True),
    Column("checked_in", Boolean, nullable=False),
    Column("cancelled", Boolean, nullable=False),
    Column("refunded", Boolean, nullable=False),
    Column("gross_cents", Integer, nullable=True),
    Column("fees_cents", Integer, nullable=True),
)
EVENTS = Table(
    "eb_sales_events",
    metadata,
    Column("event_id", String(32), primary_key=True),
    Column("series_id", String(32), nullable=True),
    Column("name", String(500), nullable=True),
    Column("starts_at", DateTime, nullable=True),  # UTC
)
CURSORS = Table(
    "eb_sales_cursors",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("changed", DateTime, nullable=False),  # UTC, the last change read
    Column("synced_at", DateTime, nullable=False),
)


class SalesStoreUnavailable(RuntimeError):
    """The app-state database could not be used for the Eventbrite sales store."""


@dataclass(frozen=True)
class SyncResult:
    calls: int
    orders: int
    attendees: int
    first: bool


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


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
    created = _parse(a.get("created")) or (
        _parse(fallback_order.get("created")) if fallback_order else None
    )
    changed = _parse(a.get("changed")) or created
    if not a.get("id") or created is None or changed is None:
        return None
    costs = a.get("costs")
    return {
        "attendee_id": str(a["id"]),
        "order_id": str(a.get("order_id") or (fallback_order or {}).get("id") or ""),
        "event_id": str(a.get("event_id") or (fallback_order or {}).get("event_id") or ""),
        "ticket_class_id": a.get("ticket_class_id"),
        "ticket_class_name": a.get("ticket_class_name"),
        "created": _naive(created),
        "changed": _naive(changed),
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
        self._ready = False
        self._lock = threading.Lock()

    def _begin(self):
        if not self._ready:
            with self._lock:
                if not self._ready:
                    metadata.create_all(self.engine, checkfirst=True)
                    self._ready = True
        return self.engine.begin()

    def cursor(self, name: str) -> datetime | None:
        try:
            with self._begin() as conn:
                row = conn.execute(select(CURSORS.c.changed).where(CURSORS.c.name == name)).first()
        except SQLAlchemyError as exc:
            raise SalesStoreUnavailable(_db_message(exc)) from None
        return row[0].replace(tzinfo=UTC) if row else None

    def last_sync(self) -> datetime | None:
        """When the last complete sync finished (UTC), or None before the first."""
        try:
            with self._begin() as conn:
                row = conn.execute(
                    select(CURSORS.c.synced_at).where(CURSORS.c.name == "orders")
                ).first()
        except SQLAlchemyError as exc:
            raise SalesStoreUnavailable(_db_message(exc)) from None
        return row[0].replace(tzinfo=UTC) if row else None

    # -- sync -----------------------------------------------------------------------
    def sync(
        self,
        client: EventbriteClient,
        *,
        progress: Callable[[int], None] | None = None,
    ) -> SyncResult:
        """Fetch what changed since the last sync (everything the first time). Raises the
        client's IntegrationError when Eventbrite fails; what was stored stays."""
        before = client.calls
        orders_since = self.cursor("orders")
        first = orders_since is None
        pages = 0

        def page() -> None:
            nonlocal pages
            pages += 1
            if progress is not None:
                progress(pages)

        n_orders = n_attendees = 0
        newest_order = orders_since
        newest_attendee = self.cursor("attendees")
        since = None if first else orders_since - self.OVERLAP
        for batch in client.walk_orders(changed_since=since, on_page=page):
            o, a, latest, latest_a = self._store_orders(batch)
            n_orders += o
            n_attendees += a
            newest_order = max(filter(None, (newest_order, latest)), default=None)
            newest_attendee = max(filter(None, (newest_attendee, latest_a)), default=None)
        if not first:
            # Check-ins change attendees, not their orders.
            attendees_since = (self.cursor("attendees") or orders_since) - self.OVERLAP
            for batch in client.walk_attendees(changed_since=attendees_since, on_page=page):
                rows = [r for r in (_attendee_row(a) for a in batch) if r is not None]
                self._replace(ATTENDEES, "attendee_id", rows)
                n_attendees += len(rows)
                for r in rows:
                    moment = r["changed"].replace(tzinfo=UTC)
                    newest_attendee = max(filter(None, (newest_attendee, moment)))
        now = datetime.now(UTC)
        self._set_cursor("orders", newest_order or now, now)
        self._set_cursor("attendees", newest_attendee or newest_order or now, now)
        return SyncResult(client.calls - before, n_orders, n_attendees, first)

    def _store_orders(self, batch: Iterable[dict[str, Any]]):
        orders, attendees, events = [], [], {}
        latest = latest_a = None
        for o in batch:
            if not isinstance(o, dict) or not o.get("id"):
                continue
            created, changed = _parse(o.get("created")), _parse(o.get("changed"))
            if created is None or changed is None:
                continue
            latest = max(filter(None, (latest, changed)))
            costs = o.get("costs")
            orders.append(
                {
                    "order_id": str(o["id"]),
                    "event_id": str(o.get("event_id") or ""),
                    "created": _naive(created),
                    "changed": _naive(changed),
                    "status": str(o.get("status") or ""),
                    "gross_cents": _cents(costs, "gross"),
                    "fees_cents": _cents(costs, "eventbrite_fee", "payment_fee"),
                }
            )
            for a in o.get("attendees") or []:
                row = _attendee_row(a, o) if isinstance(a, dict) else None
                if row is not None:
                    attendees.append(row)
                    latest_a = max(filter(None, (latest_a, row["changed"].replace(tzinfo=UTC))))
            ev = o.get("event")
            if isinstance(ev, dict) and ev.get("id"):
                start = _parse((ev.get("start") or {}).get("utc"))
                name = ev.get("name")
                events[str(ev["id"])] = {
                    "event_id": str(ev["id"]),
                    "series_id": ev.get("series_id"),
                    "name": name.get("text") if isinstance(name, dict) else None,
                    "starts_at": _naive(start) if start else None,
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

    def _set_cursor(self, name: str, changed: datetime, synced_at: datetime) -> None:
        try:
            with self._begin() as conn:
                _upsert_cursor(conn, name, _naive(changed), _naive(synced_at))
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
            key = f"eb:{r.event_id}"
            rows.append(
                {
                    "channel": "eventbrite",
                    "occurrence_key": key,
                    "recurring_key": f"eb-series:{r.series_id}" if r.series_id else key,
                    "title": r.name,
                    "starts_at": r.starts_at.replace(tzinfo=UTC) if r.starts_at else None,
                    "sold_at": r.created.replace(tzinfo=UTC),
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
