"""Eventbrite orders and attendees for the sandbox's Eventbrite emulation.

``GET /organizations/{id}/orders/`` (``changed_since``, ``status``, ``expand=attendees,event``),
``GET /organizations/{id}/attendees/`` and ``GET /events/{id}/attendees/`` (``changed_since``,
``status``), with the same keyset continuation as the events list: rows come ordered by
``changed`` then id, so an incremental reader that remembers the last ``changed`` it saw
misses nothing and a walk never repeats a row. Shapes follow Eventbrite's Order and
Attendee objects (costs as money objects, one attendee per seat, ``checked_in`` /
``cancelled`` / ``refunded`` and ``status``).

Kept in its own module so the emulation grows these endpoints without touching the event
and ticket class code; ``EventbriteService`` adds ``routes(self)`` to its route table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from brcc_core.sandbox.eventbrite_common import (
    EVENTS,
    ApiError,
    EventbriteReads,
    _choice,
    _event_object,
    _Key,
    _money,
    _naive,
    _utc,
    _View,
)
from brcc_core.sandbox.schema import eventbrite_metadata
from brcc_core.sandbox.web import Request, Response

_MD = eventbrite_metadata()
ORDERS = _MD.tables["sandbox_eb_orders"]
ATTENDEES = _MD.tables["sandbox_eb_attendees"]

ORDER_STATUS_FILTERS = ("active", "inactive", "both", "all_not_deleted")
ATTENDEE_STATUS_FILTERS = ("attending", "not_attending", "all")
ACTIVE_ORDER_STATUSES = ("placed",)
EXPANSIONS = ("attendees", "event")


def routes(service: EventbriteReads) -> list[tuple[re.Pattern[str], dict[str, Callable]]]:
    """Route table entries for ``service`` (same shape as its own)."""

    def bind(handler: Callable) -> Callable:
        return lambda request, conn, **kw: handler(service, request, conn, **kw)

    return [
        (
            re.compile(r"organizations/(?P<org_id>[^/]+)/orders/?"),
            {"GET": bind(list_org_orders)},
        ),
        (
            re.compile(r"organizations/(?P<org_id>[^/]+)/attendees/?"),
            {"GET": bind(list_org_attendees)},
        ),
        (
            re.compile(r"events/(?P<event_id>[^/]+)/attendees/?"),
            {"GET": bind(list_event_attendees)},
        ),
    ]


def _changed_since(request: Request) -> datetime | None:
    raw = request.arg("changed_since")
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(
            400, "ARGUMENTS_ERROR", f"changed_since: '{raw}' is not a date-time."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _naive(moment)


def _expansions(request: Request) -> list[str]:
    raw = request.arg("expand") or ""
    values = [v.strip() for v in raw.split(",") if v.strip()]
    bad = [v for v in values if v not in EXPANSIONS]
    if bad:
        raise ApiError(400, "ARGUMENTS_ERROR", f"expand: {', '.join(bad)} not supported.")
    return sorted(set(values))


def _own_org(service: EventbriteReads, org_id: str) -> None:
    if org_id != service.organization_id:
        raise ApiError(403, "NOT_AUTHORIZED")


def _costs(row: Any, currency: str = "CAD") -> dict[str, Any]:
    return {
        "base_price": _money(row.base_cents, currency),
        "display_price": _money(row.base_cents, currency),
        "eventbrite_fee": _money(row.eventbrite_fee_cents, currency),
        "payment_fee": _money(row.payment_fee_cents, currency),
        "tax": _money(row.tax_cents, currency),
        "gross": _money(row.gross_cents, currency),
    }


def attendee_object(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "resource_uri": f"https://www.eventbriteapi.com/v3/events/{row.event_id}/attendees/{row.id}/",
        "created": _utc(row.created),
        "changed": _utc(row.changed),
        "event_id": row.event_id,
        "order_id": row.order_id,
        "ticket_class_id": row.ticket_class_id,
        "ticket_class_name": row.ticket_class_name,
        "quantity": 1,
        "costs": _costs(row),
        "barcodes": [
            {
                "barcode": f"{row.order_id}{row.id}001",
                "status": "used" if row.checked_in else "unused",
                "checkin_type": 0,
            }
        ],
        "checked_in": bool(row.checked_in),
        "cancelled": bool(row.cancelled),
        "refunded": bool(row.refunded),
        "status": row.status,
    }


def place_order(
    conn: Connection,
    *,
    order_id: str,
    attendee_id: str,
    event_id: str,
    when: datetime,
    ticket_class_id: str = "1",
    ticket_class_name: str = "General Admission",
    money: dict[str, int] | None = None,
) -> None:
    """One seat sold on Eventbrite at ``when`` (naive UTC): its order and its attendee, as
    a sale landing between two syncs leaves them. ``money``: the ``*_cents`` costs."""
    money = money or {
        "base_cents": 2435,
        "eventbrite_fee_cents": 269,
        "payment_fee_cents": 78,
        "tax_cents": 0,
        "gross_cents": 2782,
    }
    conn.execute(
        insert(ORDERS).values(
            id=order_id, event_id=event_id, created=when, changed=when, status="placed", **money
        )
    )
    conn.execute(
        insert(ATTENDEES).values(
            id=attendee_id,
            order_id=order_id,
            event_id=event_id,
            ticket_class_id=ticket_class_id,
            ticket_class_name=ticket_class_name,
            created=when,
            changed=when,
            status="Attending",
            checked_in=False,
            cancelled=False,
            refunded=False,
            **money,
        )
    )


def list_org_orders(
    service: EventbriteReads, request: Request, conn: Connection, org_id: str
) -> Response:
    _own_org(service, org_id)
    status = _choice(request, "status", ORDER_STATUS_FILTERS, "both")
    since = _changed_since(request)
    expand = _expansions(request)
    where = [ORDERS.c.event_id.in_(select(EVENTS.c.id).where(EVENTS.c.organization_id == org_id))]
    if status == "active":
        where.append(ORDERS.c.status.in_(ACTIVE_ORDER_STATUSES))
    elif status == "inactive":
        where.append(ORDERS.c.status.not_in(ACTIVE_ORDER_STATUSES))
    if since is not None:
        where.append(ORDERS.c.changed >= since)
    fingerprint = {"status": status, "since": str(since), "expand": expand}
    keys = (_Key(ORDERS.c.changed, "dt"), _Key(ORDERS.c.id, "str"))
    rows, pagination = service._page(conn, request, ORDERS, where, keys, False, fingerprint)
    by_order: dict[str, list[dict[str, Any]]] = {r.id: [] for r in rows}
    if "attendees" in expand and rows:
        found = conn.execute(
            select(ATTENDEES)
            .where(ATTENDEES.c.order_id.in_(list(by_order)))
            .order_by(ATTENDEES.c.id)
        )
        for a in found:
            by_order[a.order_id].append(attendee_object(a))
    events: dict[str, dict[str, Any]] = {}
    if "event" in expand and rows:
        view = _View()
        event_ids = sorted({r.event_id for r in rows})
        found = conn.execute(select(EVENTS).where(EVENTS.c.id.in_(event_ids)))
        event_rows = {e.id: view.apply("event", e) for e in found}
        classes = service._classes_by_event(conn, view, list(event_rows))
        events = {i: _event_object(e, classes[i]) for i, e in event_rows.items()}
    orders = []
    for r in rows:
        order = {
            "id": r.id,
            "resource_uri": f"https://www.eventbriteapi.com/v3/orders/{r.id}/",
            "created": _utc(r.created),
            "changed": _utc(r.changed),
            "name": f"{r.first_name} {r.last_name}".strip(),
            "first_name": r.first_name,
            "last_name": r.last_name,
            "email": r.email,
            "costs": _costs(r, r.currency),
            "event_id": r.event_id,
            "time_remaining": None,
            "status": r.status,
        }
        if "attendees" in expand:
            order["attendees"] = by_order[r.id]
        if "event" in expand:
            order["event"] = events.get(r.event_id)
        orders.append(order)
    return Response.json({"pagination": pagination, "orders": orders})


def _attendee_page(
    service: EventbriteReads,
    request: Request,
    conn: Connection,
    where: list,
    scope: dict[str, Any],
) -> Response:
    status = _choice(request, "status", ATTENDEE_STATUS_FILTERS, "all")
    since = _changed_since(request)
    if status == "attending":
        where.append(ATTENDEES.c.status.in_(("Attending", "Checked In")))
    elif status == "not_attending":
        where.append(ATTENDEES.c.status == "Not Attending")
    if since is not None:
        where.append(ATTENDEES.c.changed >= since)
    fingerprint = {**scope, "status": status, "since": str(since)}
    keys = (_Key(ATTENDEES.c.changed, "dt"), _Key(ATTENDEES.c.id, "str"))
    rows, pagination = service._page(conn, request, ATTENDEES, where, keys, False, fingerprint)
    return Response.json(
        {"pagination": pagination, "attendees": [attendee_object(r) for r in rows]}
    )


def list_org_attendees(
    service: EventbriteReads, request: Request, conn: Connection, org_id: str
) -> Response:
    _own_org(service, org_id)
    where = [
        ATTENDEES.c.event_id.in_(select(EVENTS.c.id).where(EVENTS.c.organization_id == org_id))
    ]
    return _attendee_page(service, request, conn, where, {"org": org_id})


def list_event_attendees(
    service: EventbriteReads, request: Request, conn: Connection, event_id: str
) -> Response:
    service._event_row(conn, service._view(request), event_id)
    return _attendee_page(
        service, request, conn, [ATTENDEES.c.event_id == event_id], {"event": event_id}
    )
