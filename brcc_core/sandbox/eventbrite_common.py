"""What the sandbox's two Eventbrite modules share (eventbrite_api.py serves events, ticket
classes and capacity tiers; eventbrite_orders.py orders and attendees): the event and
ticket class tables, Eventbrite's error shape, the read-lag view, keyset pagination keys,
request and money helpers, the Event object, and what the order routes read through the
service. Both import it; neither imports the other's internals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Column, ColumnElement, Connection

from brcc_core.sandbox.schema import eventbrite_metadata
from brcc_core.sandbox.web import Request

# Eventbrite's resource URIs always name the public API host; they are data, not links the
# sandbox follows.
RESOURCE_ROOT = "https://www.eventbriteapi.com/v3"

_MD = eventbrite_metadata()
EVENTS = _MD.tables["sandbox_eb_events"]
CLASSES = _MD.tables["sandbox_eb_ticket_classes"]

# Documented descriptions of Eventbrite's common errors (API reference, "Errors").
DESCRIPTIONS = {
    "NOT_FOUND": "The path you requested does not exist.",
    "INVALID_AUTH": "The OAuth token you provided was invalid.",
    "NO_AUTH": "An OAuth token is required for all requests.",
    "NOT_AUTHORIZED": "You do not have permission to access the resource you requested.",
    "METHOD_NOT_ALLOWED": "Method is not allowed for this endpoint.",
    "HIT_RATE_LIMIT": (
        "Hourly rate limit has been reached for this token. "
        "Default rate limits are 2,000 calls per hour."
    ),
    "INVALID_AUTH_HEADER": "Your Authentication header is malformed.",
    "BAD_CONTINUATION_TOKEN": "Invalid continuation token passed.",
    "BAD_PAGE": "The page number you gave does not exist or makes no sense.",
    "INTERNAL_ERROR": "An unhandled error occurred in Eventbrite.",
}


class ApiError(Exception):
    """An answer in Eventbrite's error shape, raised anywhere inside a handler."""

    def __init__(self, status: int, code: str, description: str | None = None):
        super().__init__(code)
        self.status = status
        self.code = code
        self.description = description or DESCRIPTIONS.get(code, code)


@dataclass
class _View:
    """What one read may see: every write older than the lag, plus the caller's own."""

    overlay: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def apply(self, table: str, row: Any) -> dict[str, Any]:
        data = dict(row._mapping) if hasattr(row, "_mapping") else dict(row)
        data.update(self.overlay.get((table, data["id"]), {}))
        return data


@dataclass(frozen=True)
class _Key:
    """One column of a keyset ordering, with how its value travels in a token."""

    column: Column
    kind: str  # "dt", "str" or "int"

    def dump(self, value: Any) -> Any:
        return value.isoformat() if self.kind == "dt" else value

    def load(self, value: Any) -> Any:
        if self.kind == "dt":
            return datetime.fromisoformat(value)
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError("not an int")
            return value
        if not isinstance(value, str):
            raise ValueError("not a string")
        return value


class EventbriteReads(Protocol):
    """What the order routes read through the service (``EventbriteService`` is one): the
    organization it answers for, what a read may see, events, their classes and pages."""

    organization_id: str

    def _view(self, request: Request) -> _View: ...

    def _event_row(self, conn: Connection, view: _View, event_id: str) -> dict[str, Any]: ...

    def _classes_by_event(
        self, conn: Connection, view: _View, event_ids: Sequence[str]
    ) -> dict[str, list[dict[str, Any]]]: ...

    def _page(
        self,
        conn: Connection,
        request: Request,
        table: Any,
        where: list[ColumnElement[bool]],
        keys: Sequence[_Key],
        descending: bool,
        fingerprint: dict[str, Any],
    ) -> tuple[list[Any], dict[str, Any]]: ...


# --- request parsing ------------------------------------------------------------------
def _choice(request: Request, name: str, allowed: Sequence[str], default: str) -> str:
    value = request.arg(name) or default
    if value not in allowed:
        raise ApiError(
            400, "ARGUMENTS_ERROR", f"{name}: '{value}' is not one of {', '.join(allowed)}."
        )
    return value


# --- objects --------------------------------------------------------------------------
def _naive(moment: datetime) -> datetime:
    """A UTC instant as the sandbox DB stores it (naive, whole seconds: MariaDB DATETIME)."""
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)


def _utc(moment: datetime | None) -> str | None:
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _datetime_tz(moment: datetime, timezone: str) -> dict[str, str | None]:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = moment.replace(tzinfo=UTC).astimezone(zone)
    return {"timezone": timezone, "local": local.strftime("%Y-%m-%dT%H:%M:%S"), "utc": _utc(moment)}


# Ticket class categories that do not count against the event capacity.
NOT_SEAT_CATEGORIES = ("add_on", "donation")


def _seat_classes(classes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in classes if (c.get("category") or "admission") not in NOT_SEAT_CATEGORIES]


def _event_capacity(event: dict[str, Any], classes: list[dict[str, Any]]) -> int | None:
    """The event's capacity: its own when set, else what its admission classes add up to
    (unlimited when any of them is)."""
    if event["capacity"] is not None:
        return event["capacity"]
    seats = _seat_classes(classes)
    if not seats or any(c["capacity"] is None for c in seats):
        return None
    return sum(c["capacity"] for c in seats)


def _event_object(event: dict[str, Any], classes: list[dict[str, Any]]) -> dict[str, Any]:
    event_id = event["id"]
    is_parent = bool(event["is_series_parent"])
    series_id = event["series_id"] or (event_id if is_parent else None)
    name = event["name"]
    currency = classes[0]["currency"] if classes else "CAD"
    data: dict[str, Any] = {
        "id": event_id,
        "name": {"text": name, "html": escape(name)},
        "description": {"text": name, "html": f"<p>{escape(name)}</p>"},
        "summary": name,
        "url": event["url"] or f"https://www.eventbrite.ca/e/tickets-{event_id}",
        "start": _datetime_tz(event["start_utc"], event["timezone"]),
        "end": _datetime_tz(event["end_utc"], event["timezone"]),
        "organization_id": event["organization_id"],
        "created": _utc(event["created"]),
        "changed": _utc(event["changed"]),
        "published": _utc(event["created"]) if event["status"] != "draft" else None,
        "capacity": _event_capacity(event, classes),
        "capacity_is_custom": bool(event["capacity_is_custom"]),
        "status": event["status"],
        "currency": currency,
        "listed": True,
        "shareable": True,
        "invite_only": False,
        "online_event": False,
        "show_remaining": False,
        "tx_time_limit": 480,
        "hide_start_date": False,
        "hide_end_date": False,
        "locale": "en_CA",
        "is_locked": False,
        "privacy_setting": "unlocked",
        "is_series": series_id is not None,
        "is_series_parent": is_parent,
        "inventory_type": "limited",
        "is_reserved_seating": False,
        "show_pick_a_seat": False,
        "show_seatmap_thumbnail": False,
        "show_colors_in_seatmap_thumbnail": False,
        "source": "coyote",
        "is_free": bool(classes) and all(c["free"] for c in classes),
        "version": None,
        "logo_id": None,
        "organizer_id": None,
        "venue_id": None,
        "category_id": "105",
        "subcategory_id": None,
        "format_id": None,
        "resource_uri": f"{RESOURCE_ROOT}/events/{event_id}/",
        "is_externally_ticketed": False,
        "logo": None,
    }
    if series_id is not None:
        data["series_id"] = series_id
    return data


def _money(cents: int, currency: str) -> dict[str, Any]:
    major = f"{cents / 100:.2f}"
    symbol = {"CAD": "CA$", "USD": "$"}.get(currency)
    return {
        "currency": currency,
        "value": cents,
        "major_value": major,
        "display": f"{symbol}{major}" if symbol else f"{major} {currency}",
    }
