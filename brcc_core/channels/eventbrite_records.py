"""Eventbrite's ticket classes and capacity tiers, read once from its JSON into records.

Every reader (the catalog, the change engine's fresh reads, the listings) goes through
``ticket_class`` and ``capacity_tier``: what a field means in seats is then
``brcc_core.channels.eventbrite_seats``'s business alone. A field that is missing or not a
possible seat count (``"12"`` reads as 12; ``"NaN"``, ``true``, ``1e30`` do not) is None,
unknown, never 0: a class whose ``quantity_sold`` cannot be read has an unknown sold, and
its event unknown seats left. A class whose ``capacity`` is null has no cap of its own
(Eventbrite's unlimited, or a pay-what-you-can ticket bounded by its event).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from brcc_core.common.club import seat_number
from brcc_core.common.moments import parse_utc

# Eventbrite's ticket class categories. Only admission counts against the event capacity
# (add-ons and checkout donations live in inventory tiers that do not).
ADMISSION = "admission"
NOT_SEAT_CATEGORIES = frozenset({"add_on", "donation"})


@dataclass(frozen=True)
class TicketClass:
    """One ticket class as Eventbrite reports it (``GET /events/{id}/ticket_classes/``)."""

    ticket_class_id: str
    name: str = ""
    event_id: str = ""
    category: str = ADMISSION  # admission | add_on | donation (only admission is a seat)
    donation: bool = False
    capacity: int | None = None  # the class's own cap; None: no own cap
    quantity_total: int | None = None  # Eventbrite's effective cap for the class, if given
    quantity_sold: int | None = 0  # None: Eventbrite's answer had no readable number
    quantity_pending: int | None = None  # None: Eventbrite did not report it per class
    on_sale_status: str = ""
    hidden: bool = False
    sales_start: datetime | None = None
    sales_end: datetime | None = None

    @property
    def is_seat(self) -> bool:
        return (self.category or ADMISSION) not in NOT_SEAT_CATEGORIES

    @property
    def cap(self) -> int | None:
        """The class's own bound: the smaller of ``capacity`` and ``quantity_total``."""
        caps = [x for x in (self.capacity, self.quantity_total) if x is not None]
        return min(caps) if caps else None


@dataclass(frozen=True)
class CapacityTier:
    """An event's capacity tier (``GET /events/{id}/capacity_tier/``): its capacity, and
    the seats in carts and held back, which exist only here. None: not readable."""

    capacity_total: int | None = None
    capacity_is_custom: bool = False
    capacity_sold: int | None = None
    capacity_pending: int | None = 0
    held: int | None = 0  # seats in holds not released to buyers


def _count(value: object) -> int | None:
    """A seat count from Eventbrite, or None when absent or impossible (``seat_number``)."""
    return seat_number(value, "count")[0]


def ticket_class(tc: Mapping, event_id: str | None = None) -> TicketClass:
    """A ticket class as the API answers it; ``event_id`` when the answer leaves it out."""
    return TicketClass(
        ticket_class_id=str(tc.get("id")),
        name=str(tc.get("name") or ""),
        event_id=str(event_id if event_id is not None else tc.get("event_id") or ""),
        category=str(tc.get("category") or ADMISSION),
        donation=bool(tc.get("donation")),
        capacity=_count(tc.get("capacity")),
        quantity_total=_count(tc.get("quantity_total")),
        quantity_sold=_count(tc.get("quantity_sold")),
        quantity_pending=_count(tc.get("quantity_pending")),
        on_sale_status=str(tc.get("on_sale_status") or ""),
        hidden=bool(tc.get("hidden")),
        sales_start=parse_utc(tc.get("sales_start")),
        sales_end=parse_utc(tc.get("sales_end")),
    )


def ticket_classes(answer: Iterable[Mapping], event_id: str | None = None) -> list[TicketClass]:
    """An event's ticket classes answer; entries that are not objects are skipped."""
    return [ticket_class(tc, event_id) for tc in answer if isinstance(tc, Mapping)]


def held_seats(holds: object) -> int | None:
    """Seats held back by a capacity tier's ``holds`` (each hold's ``quantity_total`` less
    what was already released from it, ``quantity_sold``). No holds (absent, null or an
    empty list): 0. A hold whose size cannot be read: unknown."""
    if holds is None:
        return 0
    if not isinstance(holds, list):
        return None
    total = 0
    for hold in holds:
        size = _count(hold.get("quantity_total")) if isinstance(hold, Mapping) else None
        if size is None:
            return None
        used = _count(hold.get("quantity_sold")) or 0
        total += max(0, size - used)
    return total


def capacity_tier(tier: Mapping) -> CapacityTier:
    """A capacity tier answer."""
    return CapacityTier(
        capacity_total=_count(tier.get("capacity_total")),
        capacity_is_custom=bool(tier.get("capacity_is_custom")),
        capacity_sold=_count(tier.get("capacity_sold")),
        capacity_pending=_count(tier.get("capacity_pending")),
        held=held_seats(tier.get("holds")),
    )
