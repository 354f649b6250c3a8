"""Eventbrite seats as Eventbrite sells them (docs/eventbrite-seats.md says it for managers).

An event's capacity (custom, or the sum of its admission classes when not custom) less
the seats held back is shared by its admission classes: Eventbrite never sells more than
that in total, whatever each class's own cap says. So a class can sell the smaller of
what its own cap leaves and what the event leaves. Classes that do not count against
the event capacity (category ``add_on``, and ``donation``: a gift at checkout) are not
seats. A pay-what-you-can ticket (``donation: true`` in category ``admission``) admits
its buyer, so it is a seat: with no own cap it is bounded by the event alone.

Carts in progress (the capacity tier's ``capacity_pending``, a class's
``quantity_pending``) hold their seats until they expire, so they count as taken.

Pure: ticket-class and capacity-tier facts in, per-class and per-event figures out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property

from brcc_core.common.availability import Availability
from brcc_core.common.moments import parse_utc
from brcc_core.common.values import whole_number

# Eventbrite's ticket class categories. Only admission counts against the event capacity
# (add-ons and checkout donations live in inventory tiers that do not).
ADMISSION = "admission"
NOT_SEAT_CATEGORIES = frozenset({"add_on", "donation"})

LIMIT_CLASS = "ticket class"
LIMIT_EVENT = "event capacity"
LIMIT_EVENT_HOLDS = "event capacity less holds"


@dataclass(frozen=True)
class ClassFacts:
    """One ticket class as Eventbrite reports it (``GET /events/{id}/ticket_classes/``)."""

    ticket_class_id: str
    name: str = ""
    category: str = ADMISSION
    donation: bool = False
    capacity: int | None = None  # the class's own cap; None: no own cap
    quantity_total: int | None = None  # Eventbrite's effective cap for the class, if given
    quantity_sold: int = 0
    quantity_pending: int | None = None  # None: Eventbrite did not report it
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
class TierFacts:
    """The event's capacity tier (``GET /events/{id}/capacity_tier/``)."""

    capacity_total: int | None
    capacity_pending: int = 0
    held: int = 0  # seats in holds not released to buyers


@dataclass(frozen=True)
class ClassSeats:
    """One class's figures. ``available`` is what buyers can buy on it now (None:
    unlimited; may be negative when oversold); ``later`` what it can still sell once its
    sales open (0 unless not on sale yet); ``left`` what it could sell if on sale now."""

    ticket_class_id: str
    is_seat: bool
    capacity: int | None
    sold: int
    pending: int
    left: int | None
    available: int | None
    later: int | None
    status: str
    limit: str


@dataclass(frozen=True)
class EventSeats:
    """One event's figures. ``seats_left`` = capacity - held - sold - pending (None when
    unlimited or unknown; ``error`` says which). Sold and pending count seats only."""

    capacity: int | None
    held: int | None
    sold: int
    pending: int | None
    seats_left: int | None
    unlimited: bool
    error: str | None
    classes: tuple[ClassSeats, ...]

    def of(self, ticket_class_id: str) -> ClassSeats | None:
        return self._by_id.get(ticket_class_id)

    @cached_property
    def _by_id(self) -> dict[str, ClassSeats]:
        # Looked up once per class: a scan each time made an event of 10,000 classes
        # take seconds on every view (n² lookups).
        found: dict[str, ClassSeats] = {}
        for figures in self.classes:
            found.setdefault(figures.ticket_class_id, figures)
        return found


def class_facts(tc: Mapping) -> ClassFacts:
    """A ticket class as the API answers it → ClassFacts."""
    return ClassFacts(
        ticket_class_id=str(tc.get("id")),
        name=str(tc.get("name") or ""),
        category=str(tc.get("category") or ADMISSION),
        donation=bool(tc.get("donation")),
        capacity=whole_number(tc.get("capacity")),
        quantity_total=whole_number(tc.get("quantity_total")),
        quantity_sold=whole_number(tc.get("quantity_sold")) or 0,
        quantity_pending=whole_number(tc.get("quantity_pending")),
        on_sale_status=str(tc.get("on_sale_status") or ""),
        hidden=bool(tc.get("hidden")),
        sales_start=parse_utc(tc.get("sales_start")),
        sales_end=parse_utc(tc.get("sales_end")),
    )


def seats_from_api(classes: Iterable[Mapping], tier: Mapping, *, now: datetime) -> EventSeats:
    """An event's figures straight from a fresh read of its ticket classes and capacity
    tier (what the change engine sees), computed exactly as its listings are."""
    return event_seats(
        [class_facts(c) for c in classes],
        event_capacity=whole_number(tier.get("capacity_total")),
        capacity_is_custom=bool(tier.get("capacity_is_custom")),
        tier=tier_facts(tier),
        now=now,
    )


def seats_note(event_seats_left, available_later) -> str:
    """What a manager is told next to an Eventbrite class: the event's seats left, shared
    by its classes, and what this class will sell once its sales open."""
    left, later = whole_number(event_seats_left), whole_number(available_later)
    parts = [
        f"Event seats left: {left}, shared by all its ticket types"
        if left is not None
        else "Event seats left: unknown"
    ]
    if later is not None and later > 0:
        parts.append(f"{later} more to sell once this ticket type's sales open")
    return " · ".join(parts)


def held_seats(holds: Iterable[Mapping] | None) -> int:
    """Seats held back by a capacity tier's ``holds`` (each hold's ``quantity_total``
    less what was already released from it, ``quantity_sold``)."""
    total = 0
    for hold in holds or ():
        if not isinstance(hold, Mapping):
            continue
        size = whole_number(hold.get("quantity_total")) or 0
        used = whole_number(hold.get("quantity_sold")) or 0
        total += max(0, size - used)
    return total


def tier_facts(tier: Mapping) -> TierFacts:
    """A capacity tier answer → TierFacts."""
    return TierFacts(
        capacity_total=whole_number(tier.get("capacity_total")),
        capacity_pending=whole_number(tier.get("capacity_pending")) or 0,
        held=held_seats(tier.get("holds")),
    )


def tier_capacity_for(seats_left: int, *, sold: int, pending: int, held: int) -> int:
    """The ``capacity_total`` that leaves ``seats_left`` for buyers: the seats already sold
    and in carts stay, and holds keep their seats."""
    return sold + pending + held + seats_left


def tier_seats_left(tier: Mapping) -> int | None:
    """The event's seats left as its capacity tier alone reports them (capacity less sold,
    carts and holds): what a capacity-tier write set, read back. None: no capacity."""
    total = whole_number(tier.get("capacity_total"))
    if total is None:
        return None
    sold = whole_number(tier.get("capacity_sold")) or 0
    pending = whole_number(tier.get("capacity_pending")) or 0
    return total - sold - pending - held_seats(tier.get("holds"))


def sale_status(facts: ClassFacts, now: datetime) -> str | None:
    """Why a buyer cannot buy this class now (a status), or None when its sales are open."""
    if facts.hidden:
        return Availability.HIDDEN
    if facts.sales_start is not None and now < facts.sales_start:
        return Availability.NOT_ON_SALE_YET
    if facts.sales_end is not None and now >= facts.sales_end:
        return Availability.SALES_ENDED
    code = (facts.on_sale_status or "").upper()
    if code == "NOT_YET_ON_SALE":
        return Availability.NOT_ON_SALE_YET
    if code in ("SALES_ENDED", "ENDED"):
        return Availability.SALES_ENDED
    if code == "UNAVAILABLE":
        return Availability.UNAVAILABLE
    return None


def event_seats(
    classes: Iterable[ClassFacts],
    *,
    event_capacity: int | None,
    capacity_is_custom: bool,
    tier: TierFacts | None = None,
    tier_error: str | None = None,
    now: datetime,
) -> EventSeats:
    """Per-event and per-class figures (see the module doc).

    ``tier`` None without ``tier_error``: the tier was not read because nothing can be
    sold any more (a past event), so no holds and carts from classes only. ``tier_error``:
    it could not be read, so holds and carts, hence seats left, are unknown.
    """
    classes = tuple(classes)
    seats = [c for c in classes if c.is_seat]
    # Carts Eventbrite reports for the event but not per class (the tier's
    # capacity_pending beyond the classes' quantity_pending) are put on the first seat
    # class, so that a sum over the classes (a show's pending) counts them.
    if tier is not None and not tier_error and seats:
        extra = tier.capacity_pending - sum(c.quantity_pending or 0 for c in seats)
        if extra > 0:
            first = seats[0]
            moved = replace(first, quantity_pending=(first.quantity_pending or 0) + extra)
            classes = tuple(moved if c is first else c for c in classes)
            seats = [moved, *seats[1:]]
    capacity = _event_capacity(seats, event_capacity, capacity_is_custom, tier)
    sold = sum(max(0, c.quantity_sold) for c in seats)
    class_pending = sum(c.quantity_pending or 0 for c in seats)
    error = None
    if tier_error:
        held = pending = None
        error = f"Eventbrite holds and carts unknown: {tier_error}"
    elif tier is not None:
        held, pending = tier.held, max(tier.capacity_pending, class_pending)
    else:
        held, pending = 0, class_pending
    unlimited = capacity is None and error is None
    if capacity is None or held is None or pending is None:
        seats_left = None
    else:
        seats_left = capacity - held - sold - pending
    out = tuple(
        _class_seats(c, capacity, held, seats_left, error, now) if c.is_seat else _not_seat(c)
        for c in classes
    )
    return EventSeats(capacity, held, sold, pending, seats_left, unlimited, error, out)


def _event_capacity(
    seats: list[ClassFacts],
    event_capacity: int | None,
    capacity_is_custom: bool,
    tier: TierFacts | None,
) -> int | None:
    if tier is not None and tier.capacity_total is not None:
        return tier.capacity_total
    if capacity_is_custom and event_capacity is not None:
        return event_capacity
    # Not custom: Eventbrite's event capacity is the sum of its classes; add it up over
    # the seats only, so an add-on's quantity never widens the room.
    if seats and all(c.capacity is not None for c in seats):
        return sum(c.capacity for c in seats)  # type: ignore[misc]
    if seats and all(c.cap is not None for c in seats) and event_capacity is None:
        return sum(c.cap for c in seats)  # type: ignore[misc]
    return event_capacity


def _class_seats(
    c: ClassFacts,
    event_capacity: int | None,
    held: int | None,
    seats_left: int | None,
    error: str | None,
    now: datetime,
) -> ClassSeats:
    sold = max(0, c.quantity_sold)
    pending = c.quantity_pending or 0
    own_left = None if c.cap is None else c.cap - sold - pending
    caps = [x for x in (c.cap, event_capacity) if x is not None]
    capacity = min(caps) if caps else None
    if error is not None:
        left: int | None = None
        limit = LIMIT_CLASS
    elif seats_left is not None and (own_left is None or seats_left < own_left):
        left, limit = seats_left, (LIMIT_EVENT_HOLDS if held else LIMIT_EVENT)
    else:
        left, limit = own_left, LIMIT_CLASS
    closed = sale_status(c, now)
    if closed is not None:
        status, available, later = closed, 0, 0
        if closed == Availability.NOT_ON_SALE_YET:
            later = None if left is None else max(0, left)
    else:
        available, later = left, 0
        if error is not None:
            status = Availability.UNKNOWN
        elif left is None:
            status = Availability.ON_SALE
        elif left < 0:
            status = Availability.OVERSOLD
        else:
            status = Availability.SOLD_OUT if left == 0 else Availability.ON_SALE
    return ClassSeats(
        c.ticket_class_id, True, capacity, sold, pending, left, available, later, status, limit
    )


def _not_seat(c: ClassFacts) -> ClassSeats:
    return ClassSeats(
        c.ticket_class_id,
        False,
        c.capacity,
        max(0, c.quantity_sold),
        c.quantity_pending or 0,
        None,
        None,
        None,
        c.category or ADMISSION,
        LIMIT_CLASS,
    )
