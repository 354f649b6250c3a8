"""Eventbrite seats as Eventbrite sells them (docs/eventbrite-seats.md says it for managers).

The one calculator of Eventbrite seats: every figure the app shows or writes for an
Eventbrite event (capacity, sold, held, carts, seats left, what a class can sell) comes
from here, over the records ``brcc_core.channels.eventbrite_records`` read.

An event's capacity (custom, or the sum of its admission classes when not custom) less
the seats held back is shared by its admission classes: Eventbrite never sells more than
that in total, whatever each class's own cap says. So a class can sell the smaller of
what its own cap leaves and what the event leaves. Classes that do not count against
the event capacity (category ``add_on``, and ``donation``: a gift at checkout) are not
seats. A pay-what-you-can ticket (``donation: true`` in category ``admission``) admits
its buyer, so it is a seat: with no own cap it is bounded by the event alone.

Carts in progress (the capacity tier's ``capacity_pending``, a class's
``quantity_pending``) hold their seats until they expire, so they count as taken. A
number Eventbrite did not give readably (a class's sold, the tier's carts or holds)
makes what depends on it unknown, with the reason, never 0.

Pure: records in, per-class and per-event figures out.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import TypeVar

from brcc_core.channels.eventbrite_records import ADMISSION, CapacityTier, TicketClass
from brcc_core.common.availability import Availability
from brcc_core.common.values import whole_number

LIMIT_CLASS = "ticket class"
LIMIT_EVENT = "event capacity"
LIMIT_EVENT_HOLDS = "event capacity less holds"


@dataclass(frozen=True)
class ClassSeats:
    """One class's figures. ``available`` is what buyers can buy on it now (None:
    unlimited; may be negative when oversold); ``later`` what it can still sell once its
    sales open (0 unless not on sale yet); ``left`` what it could sell if on sale now;
    ``own_capacity_left`` what its own ``capacity`` leaves, whatever the event has (None:
    no capacity of its own). ``sold`` None: Eventbrite gave no readable number."""

    ticket_class_id: str
    is_seat: bool
    capacity: int | None
    sold: int | None
    pending: int
    left: int | None
    available: int | None
    later: int | None
    status: str
    limit: str
    own_capacity_left: int | None = None


@dataclass(frozen=True)
class EventSeats:
    """One event's figures. ``seats_left`` = capacity - held - sold - pending (None when
    unlimited or unknown; ``error`` says which). Sold and pending count seats only."""

    capacity: int | None
    held: int | None
    sold: int | None
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

    @property
    def taken(self) -> int | None:
        """Seats sold or in carts over the event's classes (None: unknown)."""
        if self.sold is None or self.pending is None:
            return None
        return self.sold + self.pending

    def capacity_for(self, seats_left: int) -> int | None:
        """The event capacity (``capacity_total``) that leaves ``seats_left`` for buyers:
        what is sold, in carts and held keeps its seats. None: one of them is unknown."""
        if self.taken is None or self.held is None:
            return None
        return self.taken + self.held + seats_left


def seats_from_tier(
    classes: Iterable[TicketClass], tier: CapacityTier, *, now: datetime
) -> EventSeats:
    """An event's figures from a fresh read of its ticket classes and capacity tier (what
    the change engine sees), computed exactly as its listings are."""
    return event_seats(
        classes,
        event_capacity=tier.capacity_total,
        capacity_is_custom=tier.capacity_is_custom,
        tier=tier,
        now=now,
    )


def tier_seats_left(tier: CapacityTier) -> int | None:
    """The event's seats left as its capacity tier alone reports them (what a capacity
    tier write set, read back, sales since included). None: no capacity, or unknown."""
    parts = (tier.capacity_sold, tier.capacity_pending, tier.held)
    if tier.capacity_total is None or any(x is None for x in parts):
        return None
    return _seats_left(tier.capacity_total, tier.held, tier.capacity_sold, tier.capacity_pending)


def class_offers(own_left: int | None, event_left: int | None) -> int | None:
    """What a class can sell: the smaller of what its own cap leaves and its event's seats
    left, which its classes share (None: neither bounds it, unlimited)."""
    bounds = [x for x in (own_left, event_left) if x is not None]
    return min(bounds) if bounds else None


def sellable_together(each: Iterable[int], event_left: int | None) -> int:
    """What an event's classes can sell together: what each can sell (never below 0),
    never more than the event's seats left, which they share (None: not bounded)."""
    total = sum(max(0, x) for x in each)
    return total if event_left is None else min(total, max(0, event_left))


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def once_per_event(pairs: Iterable[tuple[K, V]]) -> list[V]:
    """An event figure given on each of its classes' rows ((event id, figure) pairs),
    counted once per event: its classes share it, so a sum over rows would count it as
    many times as the event has classes."""
    return list(dict(pairs).values())


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


def sale_status(tc: TicketClass, now: datetime) -> str | None:
    """Why a buyer cannot buy this class now (a status), or None when its sales are open."""
    if tc.hidden:
        return Availability.HIDDEN
    if tc.sales_start is not None and now < tc.sales_start:
        return Availability.NOT_ON_SALE_YET
    if tc.sales_end is not None and now >= tc.sales_end:
        return Availability.SALES_ENDED
    code = (tc.on_sale_status or "").upper()
    if code == "NOT_YET_ON_SALE":
        return Availability.NOT_ON_SALE_YET
    if code in ("SALES_ENDED", "ENDED"):
        return Availability.SALES_ENDED
    if code == "UNAVAILABLE":
        return Availability.UNAVAILABLE
    return None


def event_seats(
    classes: Iterable[TicketClass],
    *,
    event_capacity: int | None,
    capacity_is_custom: bool,
    tier: CapacityTier | None = None,
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
    if tier is not None and not tier_error:
        unread = [
            name
            for name, value in (("capacity_pending", tier.capacity_pending), ("holds", tier.held))
            if value is None
        ]
        if unread:
            tier_error = f"the capacity tier's {' and '.join(unread)} could not be read"
    # Carts Eventbrite reports for the event but not per class (the tier's
    # capacity_pending beyond the classes' quantity_pending) are put on the first seat
    # class, so that a sum over the classes (a show's pending) counts them.
    if tier is not None and not tier_error and seats:
        extra = (tier.capacity_pending or 0) - sum(c.quantity_pending or 0 for c in seats)
        if extra > 0:
            first = seats[0]
            moved = replace(first, quantity_pending=(first.quantity_pending or 0) + extra)
            classes = tuple(moved if c is first else c for c in classes)
            seats = [moved, *seats[1:]]
    capacity = _event_capacity(seats, event_capacity, capacity_is_custom, tier)
    unsold = [c.name or c.ticket_class_id for c in seats if c.quantity_sold is None]
    sold = None if unsold else sum(max(0, c.quantity_sold or 0) for c in seats)
    class_pending = sum(c.quantity_pending or 0 for c in seats)
    errors = []
    if tier_error:
        held = pending = None
        errors.append(f"Eventbrite holds and carts unknown: {tier_error}")
    elif tier is not None:
        held, pending = tier.held, max(tier.capacity_pending or 0, class_pending)
    else:
        held, pending = 0, class_pending
    if unsold:
        errors.append(f"Eventbrite gave no readable number sold for {', '.join(unsold)}")
    error = "; ".join(errors) or None
    unlimited = capacity is None and error is None
    seats_left = None
    if capacity is not None and None not in (held, sold, pending):
        seats_left = _seats_left(capacity, held, sold, pending)
    out = tuple(
        _class_seats(c, capacity, held, seats_left, error, now) if c.is_seat else _not_seat(c)
        for c in classes
    )
    return EventSeats(capacity, held, sold, pending, seats_left, unlimited, error, out)


def _seats_left(capacity: int, held, sold, pending) -> int:
    """The one formula: what the event can still sell."""
    return capacity - held - sold - pending


def _event_capacity(
    seats: list[TicketClass],
    event_capacity: int | None,
    capacity_is_custom: bool,
    tier: CapacityTier | None,
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
    c: TicketClass,
    event_capacity: int | None,
    held: int | None,
    seats_left: int | None,
    error: str | None,
    now: datetime,
) -> ClassSeats:
    sold = None if c.quantity_sold is None else max(0, c.quantity_sold)
    pending = c.quantity_pending or 0
    taken = None if sold is None else sold + pending
    own_left = None if c.cap is None or taken is None else c.cap - taken
    own_capacity_left = None if c.capacity is None or taken is None else c.capacity - taken
    caps = [x for x in (c.cap, event_capacity) if x is not None]
    capacity = min(caps) if caps else None
    if error is not None:
        left: int | None = None
        limit = LIMIT_CLASS
    else:
        left = class_offers(own_left, seats_left)
        bound_by_class = left is None or left == own_left
        limit = LIMIT_CLASS if bound_by_class else (LIMIT_EVENT_HOLDS if held else LIMIT_EVENT)
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
        c.ticket_class_id,
        True,
        capacity,
        sold,
        pending,
        left,
        available,
        later,
        status,
        limit,
        own_capacity_left,
    )


def _not_seat(c: TicketClass) -> ClassSeats:
    return ClassSeats(
        c.ticket_class_id,
        False,
        c.capacity,
        None if c.quantity_sold is None else max(0, c.quantity_sold),
        c.quantity_pending or 0,
        None,
        None,
        None,
        c.category or ADMISSION,
        LIMIT_CLASS,
    )
