"""What a capacity change would do, and whether it may be done (pure: no I/O).

A ``Change`` names one listing, the numbers the manager saw and the target: a capacity,
or a number of remaining seats (docs/domain.md sections 2, 4, 5, 6). ``preview_change`` says
old → new for capacity, remaining and sold, with warnings, or why it is refused.
``parse_seats`` turns what a manager typed into a whole number of seats or a message.
``stock_for`` and ``corrections`` are the arithmetic of convergence the engine
(``brcc_core.capacity.engine``) runs on what it reads under its lock: the stored number is
computed from what is sold and pending at the moment of writing, and a date whose sales
moved while our write replaced the stored value gets its capacity back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from brcc_core.channels.eventbrite_seats import class_offers
from brcc_core.common.availability import Availability
from brcc_core.common.club import Channel, channel_name
from brcc_core.common.formats import listing_label
from brcc_core.common.keys import is_unknown_classes
from brcc_core.common.values import known, text_or_none, whole_number

ChangeField = Literal["capacity", "remaining"]


# --- requests and previews ---------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """Set one listing's capacity (or remaining) to ``value``.

    ``seen_remaining`` is what the manager saw (None = unlimited); the write is refused
    when the platform shows something else. ``seen_capacity`` adds a check where the
    platform stores capacity (Eventbrite).
    """

    listing_key: str
    seen_remaining: int | None
    value: int
    field: ChangeField = "capacity"
    seen_capacity: int | None = None
    note: str | None = None
    # Sync sets this: on an Eventbrite series date with several ticket classes the value is
    # the *event's* remaining seats (capacity tier), which all its classes share.
    event_level: bool = False


@dataclass(frozen=True)
class ListingState:
    """One listing as the manager saw it (a row of ``build_listings``)."""

    listing_key: str
    channel: str
    kind: str
    title: str = ""
    slot_label: str | None = None
    starts_at: datetime | None = None
    capacity: int | None = None
    sold: int | None = None
    pending: int | None = None
    available: int | None = None
    unlimited: bool = False
    status: str = ""
    error: str | None = None
    product_id: int | None = None
    slot_id: str | None = None
    date_id: str | None = None
    event_id: str | None = None
    ticket_class_id: str | None = None
    series_id: str | None = None
    limit: str | None = None
    other_classes: tuple[str, ...] = ()  # the other ticket classes of its Eventbrite event
    event_seats_left: int | None = None  # Eventbrite: its event's seats left (shared)
    # Eventbrite: the event's capacity when set on its own (custom), which bounds every
    # class and does not grow with one; None when it is the sum of its classes.
    event_capacity: int | None = None
    event_sold_pending: int | None = None  # Eventbrite: sold + pending over its event's classes

    @classmethod
    def from_row(cls, row: Mapping, other_classes: tuple[str, ...] = ()) -> ListingState:
        def num(name: str) -> int | None:
            return whole_number(row.get(name))

        def text(name: str) -> str | None:
            return text_or_none(row.get(name))

        starts_at = row.get("starts_at") if known(row.get("starts_at")) else None
        return cls(
            listing_key=str(row["listing_key"]),
            channel=str(row["channel"]),
            kind=text("kind") or "",
            title=text("title") or "",
            slot_label=text("slot_label"),
            starts_at=starts_at.to_pydatetime() if hasattr(starts_at, "to_pydatetime") else None,
            capacity=num("capacity"),
            sold=num("sold"),
            pending=num("pending"),
            available=num("available"),
            unlimited=bool(known(row.get("unlimited")) and row["unlimited"]),
            status=text("status") or "",
            error=text("error"),
            product_id=num("product_id"),
            slot_id=text("slot_id"),
            date_id=text("date_id"),
            event_id=text("event_id"),
            ticket_class_id=text("ticket_class_id"),
            series_id=text("series_id"),
            limit=text("limit"),
            other_classes=tuple(other_classes),
            event_seats_left=num("event_seats_left"),
        )

    @property
    def remaining_known(self) -> bool:
        return self.available is not None or self.unlimited

    @property
    def label(self) -> str:
        return listing_label(vars(self))

    @property
    def what(self) -> str:
        """The stored number a write changes, in a manager's words."""
        if self.channel == Channel.EVENTBRITE:
            return "ticket class capacity"
        return "booking date stock" if self.kind == "bookings" else "product stock"


@dataclass(frozen=True)
class Preview:
    """old → new for one listing; ``refusal`` set means nothing will be written."""

    listing_key: str
    channel: str
    label: str
    what: str
    capacity_before: int | None
    capacity_after: int | None
    remaining_before: int | None
    remaining_after: int | None
    sold: int | None
    pending: int | None
    unlimited_before: bool = False
    warnings: tuple[str, ...] = ()
    refusal: str | None = None
    # Which kind of change it is, and so what a sale landing before the write does to it.
    meaning: str = ""

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def preview_change(
    change: Change,
    listing: ListingState,
    *,
    venue_capacity: int | None = None,
    max_capacity: int | None = None,
) -> Preview:
    """What ``change`` would do to ``listing`` (pure), with warnings or a refusal.
    ``max_capacity``: the largest capacity the app writes (``BRCC_MAX_CAPACITY``)."""
    sold, pending = listing.sold, listing.pending or 0
    value = change.value
    remaining_after: int | None = None
    capacity_after: int | None = None
    refusal: str | None = None
    if isinstance(value, bool) or not isinstance(value, int):
        refusal = "The new value must be a whole number of seats."
    elif value < 0:
        refusal = f"{value} is negative: capacity and remaining seats are 0 or more."
    elif change.field == "capacity":
        capacity_after = value
        if sold is not None:
            remaining_after = value - sold - pending
    else:
        remaining_after = value
        if sold is not None:
            capacity_after = value + sold + pending

    common = dict(
        listing_key=listing.listing_key,
        channel=listing.channel,
        label=listing.label,
        what=listing.what,
        capacity_before=listing.capacity,
        capacity_after=capacity_after,
        remaining_before=listing.available,
        remaining_after=remaining_after,
        sold=sold,
        pending=listing.pending,
        unlimited_before=listing.unlimited,
    )
    refusal = refusal or _refusal(change, listing, remaining_after)
    refusal = refusal or event_bound_refusal(change, listing, capacity_after)
    if refusal is None and max_capacity is not None:
        refusal = bound_refusal(capacity_after, change.value, change.field, max_capacity)
    if refusal:
        return Preview(**common, refusal=refusal)

    warnings: list[str] = []
    channel = channel_name(listing.channel)
    if (
        venue_capacity is not None
        and capacity_after is not None
        and capacity_after > venue_capacity
    ):
        warnings.append(
            f"Capacity {capacity_after} is above the venue capacity of {venue_capacity}."
        )
    if remaining_after == 0:
        warnings.append(f"This closes sales of this listing on {channel} (0 remaining).")
    offered = class_offers(remaining_after, listing.event_seats_left)
    if (
        listing.channel == Channel.EVENTBRITE
        and not change.event_level
        and remaining_after is not None
        and offered is not None
        and max(0, offered) < remaining_after
    ):
        # A class's capacity cannot raise its event's: buyers get the smaller.
        warnings.append(
            f"Eventbrite will offer {max(0, offered)}, not {remaining_after}: the event "
            f"has {max(0, offered)} seat(s) left, shared by its ticket types "
            "(docs/eventbrite-seats.md). Raise the event's capacity on Eventbrite to offer more."
        )
    if listing.status == Availability.PAST:
        warnings.append("This show has already started.")
    if listing.unlimited:
        if listing.kind == "single":
            warnings.append("Unlimited today: this turns on WooCommerce stock management.")
        else:
            warnings.append("Unlimited today: this sets a limit.")
    if listing.limit == "product stock" and listing.kind == "bookings":
        warnings.append(
            "WooCommerce product stock also limits this product: only the date's stock "
            "changes, the product stock stays and may still be the smaller limit."
        )
    if listing.channel == Channel.EVENTBRITE and listing.series_id:
        if not listing.other_classes:
            warnings.append(
                "Series date: if Eventbrite refuses a per-class change, the event's capacity "
                "is set instead (same seats)."
            )
        elif change.event_level:
            warnings.append(
                "Series date: if Eventbrite refuses a per-class change, the event's remaining "
                f"seats are set instead, shared with {', '.join(listing.other_classes)}."
            )
        else:
            warnings.append(
                "Series date with several ticket classes: if Eventbrite refuses a per-class "
                "change, nothing is written (their capacity is shared; use Sync)."
            )
    return Preview(**common, warnings=tuple(warnings), meaning=change_meaning(change, listing))


def change_meaning(change: Change, listing: ListingState) -> str:
    """Which kind of change this is, in a manager's words: a capacity stands whatever sells
    before it is written; a number of remaining seats is counted from the sales seen, so
    seats sold meanwhile come off it. Either is refused when someone else changes the
    listing first (the change engine applies exactly this, ``brcc_core.capacity.engine``)."""
    taken = (listing.sold or 0) + (listing.pending or 0)
    if change.field == "capacity":
        return (
            f"Capacity change: buyers are offered {change.value} seats in all. Seats that "
            "sell before it is written count against it; it is refused only if it is then "
            "below what is sold and pending, or if someone else changes this listing first."
        )
    if change.event_level and listing.other_classes and listing.event_seats_left is not None:
        return (
            f"Remaining-seats change on the event: {change.value} seats left, shared by its "
            "ticket types, counted from the sales you see. Seats that sell before it is "
            "written come off them; it is refused if someone else changes the event first."
        )
    return (
        f"Remaining-seats change: {change.value} seats left, counted from the {taken} sold "
        "and pending you see. Seats that sell before it is written come off them (the "
        "capacity stays); it is refused if someone else changes this listing first."
    )


# --- may this listing be written --------------------------------------------------------
NotWritableReason = Literal[
    "classes_unread", "uncertain", "problem", "remaining_unknown", "sold_unknown"
]


@dataclass(frozen=True)
class NotWritable:
    """Why the app writes nothing to a listing, in the one wording a manager reads in the
    change preview and in the sync dry run alike."""

    reason: NotWritableReason
    text: str

    def __str__(self) -> str:
        return self.text


class Writable(Protocol):
    """What ``not_writable`` reads of a listing (``ListingState``, ``SyncListing``)."""

    listing_key: str
    kind: str
    error: str | None
    sold: int | None

    @property
    def remaining_known(self) -> bool: ...


def not_writable(listing: Writable) -> NotWritable | None:
    """Why nothing may be written to ``listing`` (None: it may be): a listing whose
    numbers the app cannot trust is never changed, by hand or by Sync."""
    if is_unknown_classes(listing.listing_key):
        return NotWritable(
            "classes_unread",
            "Eventbrite did not give this event's ticket classes: press Refresh data first.",
        )
    if listing.kind == "uncertain":
        return NotWritable(
            "uncertain",
            "This product cannot be classified safely, so the app refuses to write to it: "
            f"{listing.error or 'uncertain product'}",
        )
    if listing.error:
        return NotWritable(
            "problem", f"This listing has a problem, so nothing is written: {listing.error}"
        )
    if not listing.remaining_known:
        return NotWritable(
            "remaining_unknown", "Its remaining seats are unknown: refresh before changing it."
        )
    if listing.sold is None:
        return NotWritable(
            "sold_unknown", "Sold is unknown, so the new capacity cannot be checked against it."
        )
    return None


def _refusal(change: Change, listing: ListingState, remaining_after: int | None) -> str | None:
    """Why this change is refused: the listing may not be written, or the number does
    not fit what is already sold."""
    if listing.kind not in ("bookings", "single", "ticket_class", "uncertain"):
        return f"Listings of kind {listing.kind!r} cannot be changed here."
    refused = not_writable(listing)
    if refused is not None:
        return refused.text
    if remaining_after is not None and remaining_after < 0:
        pending = f" + {listing.pending} pending" if listing.pending else ""
        return (
            f"Capacity {change.value} is below the {listing.sold} seats already sold{pending}: "
            f"the lowest possible capacity is {(listing.sold or 0) + (listing.pending or 0)}."
        )
    return None


def event_bound_refusal(
    change: Change, listing: ListingState, capacity_after: int | None
) -> str | None:
    """A class raised past its event's own capacity: Eventbrite keeps the class's number
    but offers buyers no more than the event's, so the change would be written, found not
    kept, and put back. Say so before Confirm, and what to raise instead. A series date is
    left to the engine, which sets the event's capacity when Eventbrite refuses the class."""
    bound = listing.event_capacity
    if (
        listing.channel != Channel.EVENTBRITE
        or change.event_level
        or listing.series_id
        or bound is None
        or capacity_after is None
        or capacity_after <= bound
    ):
        return None
    return (
        f"The event's capacity ({bound}) bounds this ticket class: Eventbrite would still "
        f"offer buyers {bound} in all, not {capacity_after}, so nothing is written. Raise "
        f"the event's capacity to {capacity_after} on Eventbrite instead (the event's "
        "Tickets page, Event capacity), press Refresh data, then change the class."
    )


def bound_refusal(capacity: int | None, value: int, field: str, max_capacity: int) -> str | None:
    """Why a capacity above the app's bound is refused (None when within it)."""
    if capacity is None:
        capacity = value if field == "capacity" else None
    if capacity is None or capacity <= max_capacity:
        return None
    return (
        f"Capacity {capacity} is above the most this app writes ({max_capacity} seats, "
        "BRCC_MAX_CAPACITY). Check the number; nothing was written."
    )


# A number with a fraction ("12.5"), told apart only to say why it is refused.
_DECIMAL_TEXT = re.compile(r"[+-]?[0-9]*\.[0-9]+")


def parse_seats(text: Any) -> tuple[int | None, str | None]:
    """(seats, None) for a whole number of seats typed by a manager, else (None, why)."""
    raw = "" if text is None else str(text).strip().replace(",", "")  # "1,000" as typed
    if not raw:
        return None, "Enter a number of seats."
    number = whole_number(raw)
    if number is None and _DECIMAL_TEXT.fullmatch(raw):
        return None, f"{raw} is not a whole number of seats."
    if number is None:
        return None, f"“{text}” is not a number of seats: enter a whole number like 40."
    if number < 0:
        return None, f"{raw} is negative: capacity and remaining seats are 0 or more."
    return number, None


# --- convergence arithmetic ----------------------------------------------------------------
@dataclass(frozen=True)
class DateNumbers:
    """One stored stock (a booking date's, or a single event's) with the sales against it,
    read together. ``stock`` None = unlimited."""

    stock: int | None
    sold: int
    pending: int

    @property
    def capacity(self) -> int | None:
        """What buyers are offered in all: stock + sold + pending."""
        return None if self.stock is None else self.stock + self.sold + self.pending


def stock_for(capacity: int, sold: int, pending: int) -> int:
    """The stored stock that offers ``capacity`` given what is sold and pending now (never
    below 0: an oversold date is closed, not given negative stock)."""
    return max(0, capacity - sold - pending)


def corrections(
    before: Mapping[Any, DateNumbers],
    now: Mapping[Any, DateNumbers],
    targets: Mapping[Any, int],
) -> dict[Any, int]:
    """Stock to write so every date offers what it should: ``targets`` (key -> capacity)
    for the dates we changed, the capacity read ``before`` our write for the others.

    A date is corrected only when its sales moved between the two reads (so our write of
    the whole stored value could have undone a sale's stock update) and its capacity is
    now wrong. A date whose capacity moved with no sale was changed by someone else: not
    ours to undo. Unlimited dates are left alone."""
    out: dict[Any, int] = {}
    for key, after in now.items():
        old = before.get(key)
        if old is None or after.stock is None:
            continue
        want = targets.get(key, old.capacity)
        if want is None:
            continue
        moved = (after.sold, after.pending) != (old.sold, old.pending)
        if (moved or key in targets) and after.capacity != want:
            stock = stock_for(want, after.sold, after.pending)
            if stock != after.stock:
                out[key] = stock
    return out


def venue_capacity_refusal(
    value: int, sold_pending: int | None, max_capacity: int | None
) -> str | None:
    """Why a show's venue capacity is refused (None when it may be saved): the room must
    hold what is already sold and pending on its listings, and stay within the bound."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "The venue capacity must be a whole number of seats."
    if value < 1:
        return "The venue capacity must be at least 1 seat."
    if sold_pending is None:
        return (
            "Sold and pending of this show's listings are unknown right now, so the venue "
            "capacity cannot be checked against them; try again once they can be read."
        )
    if value < sold_pending:
        return (
            f"Venue capacity {value} is below the {sold_pending} seats already sold or "
            f"pending for this show: the lowest possible is {sold_pending}."
        )
    if max_capacity is not None and value > max_capacity:
        return (
            f"Venue capacity {value} is above the most this app accepts ({max_capacity} "
            "seats, BRCC_MAX_CAPACITY). Check the number."
        )
    return None
