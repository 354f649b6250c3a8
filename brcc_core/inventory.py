"""The change engine behind every capacity write: the part of the app that can hurt the
club, so each step is deliberate (docs/domain.md sections 2, 4, 5, 6).

A ``Change`` names one listing, the remaining seats the manager saw and the new capacity
(or remaining). ``preview_change`` (pure) says old → new for capacity, remaining and sold,
with warnings, or why it is refused. ``InventoryEngine.apply``:

1. refuses what the preview refuses (below sold, negative, uncertain product, broken
   booking options, a listing with an error) and a channel that does not answer;
2. reads that one listing fresh from its platform and refuses when it differs from what
   the manager saw (a sale or another change in between);
3. writes once, never retried: WooCommerce single ``stock_quantity``; bookings the
   ``fooevents_bookings_options_serialized`` JSON *string* from ``set_date_stock`` (only
   that date's stock changes); Eventbrite the ticket class capacity, or the series
   date's capacity tier when Eventbrite refuses class edits (``INVALID_TICKET`` /
   ``INVALID_EVENT``);
4. reads back (Eventbrite with the waypoint token) and verifies the written number;
5. on a failed verification restores the value read before the write, verifies that,
   and reports both attempts.

Every attempt, refusals included, is one audit row (``brcc_core.state.AuditEntry``).
For WooCommerce the stored number is remaining stock; capacity = remaining + sold +
pending. For Eventbrite capacity is ``quantity_total``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

import pandas as pd

from brcc_core.catalog import Catalog, TicketClass
from brcc_core.catalog import ticket_class as catalog_ticket_class
from brcc_core.eventbrite import EventbriteClient
from brcc_core.eventbrite_seats import held_seats, seats_from_api, tier_capacity_for
from brcc_core.fooevents import (
    FBOS_META_KEY,
    BookingOptionsError,
    classify_product,
    meta_value,
    parse_booking_options,
    set_date_stock,
)
from brcc_core.http import (
    AuthError,
    IntegrationError,
    RateLimited,
    Rejected,
    Unreachable,
    UpstreamError,
)
from brcc_core.state import ANONYMOUS, AuditEntry
from brcc_core.woocommerce import WooCommerceClient

log = logging.getLogger(__name__)

ChangeField = Literal["capacity", "remaining"]
Status = Literal[
    "ok", "unchanged", "refused", "failed", "unverified", "rolled_back", "rollback_failed"
]
SERIES_REFUSALS = frozenset({"INVALID_TICKET", "INVALID_EVENT"})
# Errors that mean the channel itself is not answering (as opposed to refusing a change).
DOWN_ERRORS = (Unreachable, UpstreamError, RateLimited, AuthError)
CHANNEL_LABELS = {"woocommerce": "WooCommerce", "eventbrite": "Eventbrite"}
# Eventbrite calls one change may need: fresh read, write (class, or tier read + write),
# verification reads, and a restore with its own reads. A change is not started without
# them: a write that cannot be verified for lack of budget is worse than no write.
EVENTBRITE_CALLS_PER_CHANGE = 9


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

    @classmethod
    def from_row(cls, row: Mapping, other_classes: tuple[str, ...] = ()) -> ListingState:
        def value(name: str) -> Any:
            v = row.get(name)
            if v is None or (not isinstance(v, (str, tuple)) and pd.isna(v)):
                return None
            return v

        def num(name: str) -> int | None:
            v = value(name)
            return None if v is None else int(v)

        def text(name: str) -> str | None:
            v = value(name)
            return None if v is None else str(v)

        starts_at = value("starts_at")
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
            unlimited=bool(value("unlimited") or False),
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
    def label(self) -> str:
        when = self.starts_at.strftime("%a %b %d %H:%M") if self.starts_at else "no date"
        slot = f" · {self.slot_label}" if self.slot_label else ""
        return f"{self.title}{slot} · {when}"

    @property
    def what(self) -> str:
        """The stored number a write changes, in a manager's words."""
        if self.channel == "eventbrite":
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

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def _fmt(value: int | None, unlimited: bool = False) -> str:
    if value is None:
        return "unlimited" if unlimited else "unknown"
    return str(value)


def preview_change(
    change: Change, listing: ListingState, *, venue_capacity: int | None = None
) -> Preview:
    """What ``change`` would do to ``listing`` (pure), with warnings or a refusal."""
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
    if refusal:
        return Preview(**common, refusal=refusal)

    warnings: list[str] = []
    channel = CHANNEL_LABELS.get(listing.channel, listing.channel)
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
    shared_left = listing.event_seats_left
    if (
        listing.channel == "eventbrite"
        and not change.event_level
        and shared_left is not None
        and remaining_after is not None
        and remaining_after > max(0, shared_left)
    ):
        # A class's capacity cannot raise its event's: buyers get the smaller.
        warnings.append(
            f"Eventbrite will offer {max(0, shared_left)}, not {remaining_after}: the event "
            f"has {max(0, shared_left)} seat(s) left, shared by its ticket types "
            "(docs/eventbrite-seats.md). Raise the event's capacity on Eventbrite to offer more."
        )
    if listing.status == "past":
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
    if listing.channel == "eventbrite" and listing.series_id:
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
    return Preview(**common, warnings=tuple(warnings))


def _refusal(change: Change, listing: ListingState, remaining_after: int | None) -> str | None:
    if listing.listing_key.endswith(":unknown"):
        return "Eventbrite did not give this event's ticket classes: press Refresh data first."
    if listing.kind == "uncertain":
        return (
            "This product cannot be classified safely, so the app refuses to write to it: "
            f"{listing.error or 'uncertain product'}"
        )
    if listing.kind not in ("bookings", "single", "ticket_class"):
        return f"Listings of kind {listing.kind!r} cannot be changed here."
    if listing.error:
        return f"This listing has a problem, so nothing is written: {listing.error}"
    if listing.available is None and not listing.unlimited:
        return "Its remaining seats are unknown: refresh before changing it."
    if listing.sold is None:
        return "Sold is unknown, so the new capacity cannot be checked against it."
    if remaining_after is not None and remaining_after < 0:
        pending = f" + {listing.pending} pending" if listing.pending else ""
        return (
            f"Capacity {change.value} is below the {listing.sold} seats already sold{pending}: "
            f"the lowest possible capacity is {listing.sold + (listing.pending or 0)}."
        )
    return None


# --- results -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Attempt:
    """One write (or refusal) as recorded in the audit log."""

    action: str  # change | sync | rollback
    what: str
    before: str | None
    after: str | None
    result: str
    error: str | None = None


@dataclass(frozen=True)
class ChangeResult:
    listing_key: str
    status: Status
    message: str
    preview: Preview
    attempts: tuple[Attempt, ...] = ()
    remaining: int | None = None  # as read back after the write
    capacity: int | None = None
    channel_down: bool = False
    ticket_class: dict | None = None  # Eventbrite's class as last read (refreshes the catalog)
    batch: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "unchanged")


class _Unsafe(Exception):
    """The fresh read shows something the engine must not write to."""


@dataclass
class _Fresh:
    remaining: int | None  # effective remaining (None = unlimited)
    capacity: int | None  # Eventbrite quantity_total
    stored: int | None  # the number the write changes (None = unlimited / not set)
    sold: int | None = None
    raw: Any = None
    tier: dict | None = None
    pending: int = 0  # Eventbrite: carts on this class (its event's, shown on its first)
    ticket_class: dict | None = None


@dataclass
class _Write:
    what: str
    before: int | None
    after: int
    mode: str = "class"  # eventbrite: class | tier
    token: str | None = None
    warnings: list[str] = field(default_factory=list)

    def attempt(self, action: str, result: str, error: str | None = None) -> Attempt:
        """This write as one audit attempt: before → after, with its result."""
        return Attempt(action, self.what, _fmt(self.before), str(self.after), result, error)


# --- the engine --------------------------------------------------------------------------
class InventoryEngine:
    """Applies changes through the REST clients, one listing at a time."""

    def __init__(
        self,
        woocommerce: WooCommerceClient,
        eventbrite: EventbriteClient,
        record: Callable[[AuditEntry], object],
    ):
        self.woocommerce = woocommerce
        self.eventbrite = eventbrite
        self.record = record

    def apply(
        self,
        change: Change,
        listing: ListingState,
        *,
        who: str = ANONYMOUS,
        venue_capacity: int | None = None,
        action: str = "change",
        batch: str | None = None,
        down: Mapping[str, str] | None = None,
    ) -> ChangeResult:
        """Fresh read → compare → write once → read back → restore on a mismatch.

        ``down``: channel -> why it is known not to answer (a sync stops calling it).
        """
        batch = batch or uuid.uuid4().hex
        preview = preview_change(change, listing, venue_capacity=venue_capacity)
        attempts: list[Attempt] = []

        def audit(attempt: Attempt) -> None:
            attempts.append(attempt)
            self.record(
                AuditEntry(
                    who=who or ANONYMOUS,
                    action=attempt.action,
                    listing_key=listing.listing_key,
                    channel=listing.channel,
                    what=attempt.what,
                    before=attempt.before,
                    after=attempt.after,
                    result=attempt.result,
                    error=attempt.error,
                    note=change.note,
                    batch=batch,
                )
            )

        def done(status: Status, message: str, **extra: Any) -> ChangeResult:
            return ChangeResult(
                listing.listing_key,
                status,
                message,
                preview,
                tuple(attempts),
                batch=batch,
                **extra,
            )

        def refuse(message: str, *, before: str | None = None, **extra: Any) -> ChangeResult:
            # Refusals record what the manager saw and asked for, in their own terms.
            seen = f"remaining {_fmt(change.seen_remaining, listing.unlimited)}"
            asked = f"{change.field} {change.value}"
            audit(Attempt(action, listing.what, before or seen, asked, "refused", message))
            return done("refused", message, **extra)

        label = CHANNEL_LABELS.get(listing.channel, listing.channel)
        if not preview.allowed:
            return refuse(preview.refusal or "refused")
        if down and listing.channel in down:
            return refuse(
                f"{label} is not answering ({down[listing.channel]}); nothing was written.",
                channel_down=True,
            )
        if listing.channel == "eventbrite":
            left = self.eventbrite.calls_left_this_hour()
            if left < EVENTBRITE_CALLS_PER_CHANGE:
                return refuse(
                    f"Eventbrite's hourly call budget is nearly spent ({left} left this hour); "
                    f"a change needs up to {EVENTBRITE_CALLS_PER_CHANGE} calls to be read, "
                    "written and verified. Nothing was written; try again later.",
                    channel_down=True,
                )
        target = preview.remaining_after
        if target is None:  # an allowed preview always has one; never write without it
            return refuse("The new remaining seats could not be worked out.")

        # 1. Fresh read of this one listing.
        try:
            fresh = self._read(listing)
        except _Unsafe as exc:
            return refuse(f"{exc} Nothing was written.")
        except IntegrationError as exc:
            return refuse(
                f"{label} did not answer the fresh read: {exc} Nothing was written.",
                channel_down=isinstance(exc, DOWN_ERRORS),
            )
        tc = fresh.ticket_class
        changed = fresh.remaining != change.seen_remaining or (
            change.seen_capacity is not None
            and fresh.capacity is not None
            and fresh.capacity != change.seen_capacity
        )
        if changed:
            now = _fmt(fresh.remaining, fresh.remaining is None)
            seen = _fmt(change.seen_remaining, listing.unlimited)
            return refuse(
                f"Changed since you looked: {label} now shows {now} remaining (you saw {seen}); "
                "someone sold or changed it meanwhile. Nothing was written; review the new "
                "numbers and try again.",
                before=f"remaining {now}",
                ticket_class=tc,
            )
        if fresh.remaining == target:
            audit(
                Attempt(action, listing.what, _fmt(fresh.stored), _fmt(fresh.stored), "unchanged")
            )
            return done(
                "unchanged",
                f"Already {target} remaining: nothing to write.",
                remaining=fresh.remaining,
                capacity=fresh.capacity,
                ticket_class=tc,
            )

        # 2. One write, never retried.
        try:
            write = self._write(listing, fresh, target, change.event_level)
        except (_Unsafe, BookingOptionsError) as exc:
            return refuse(f"{exc} Nothing was written.", ticket_class=tc)
        except (Unreachable, UpstreamError) as exc:
            # The answer was lost: the write may or may not have happened. Find out by
            # reading (never by writing again).
            write = getattr(exc, "write", None) or _Write(listing.what, fresh.stored, target)
            return self._lost_answer(listing, fresh, write, exc, action, audit, done)
        except IntegrationError as exc:
            # Refused before anything changed (4xx, throttled, not found): not applied.
            what = getattr(exc, "what", listing.what)
            audit(Attempt(action, what, _fmt(fresh.stored), str(target), "failed", str(exc)))
            return done(
                "failed",
                f"{label} refused the change: {exc} Nothing was changed.",
                channel_down=isinstance(exc, DOWN_ERRORS),
                ticket_class=tc,
            )

        # 3. Read back and verify.
        return self._verify(listing, fresh, write, action, audit, done)

    # --- per-channel steps ----------------------------------------------------------------
    def _read(self, listing: ListingState) -> _Fresh:
        if listing.channel == "eventbrite":
            return self._read_eventbrite(listing)
        product = self.woocommerce.get_product(listing.product_id)
        return _product_fresh(listing, product)

    def _read_eventbrite(self, listing: ListingState) -> _Fresh:
        """The class as buyers see it now: its event's classes and capacity tier, so its
        remaining is bounded by the event's seats left as in its listing
        (``brcc_core.eventbrite_seats``). Two calls: the event's classes, its tier."""
        event_id, tc_id = str(listing.event_id), str(listing.ticket_class_id)
        result = self.eventbrite.ticket_classes([event_id])
        if event_id in result.errors:
            raise result.errors[event_id]
        classes = result.get(event_id, [])
        tc = next((c for c in classes if str(c.get("id")) == tc_id), None)
        if tc is None:
            raise _Unsafe("Eventbrite no longer lists this ticket class: press Refresh data.")
        tier = self.eventbrite.get_capacity_tier(event_id)
        fresh = _class_fresh(tc)
        figures = seats_from_api(classes, tier, now=datetime.now(UTC)).of(tc_id)
        if figures is not None and figures.is_seat:
            fresh.remaining = figures.available
            fresh.pending = figures.pending
        fresh.tier = tier
        return fresh

    def _write(
        self, listing: ListingState, fresh: _Fresh, target: int, event_level: bool = False
    ) -> _Write:
        if listing.channel == "eventbrite":
            return self._write_eventbrite(listing, fresh, target, event_level)
        if listing.kind == "bookings":
            new_value = set_date_stock(fresh.raw, listing.slot_id, listing.date_id, target)
            payload = {"meta_data": [{"key": FBOS_META_KEY, "value": new_value}]}
        elif fresh.stored is None:
            payload = {"manage_stock": True, "stock_quantity": target}
        else:
            payload = {"stock_quantity": target}
        write = _Write(listing.what, fresh.stored, target)
        try:
            self.woocommerce.update_product(listing.product_id, payload)
        except (Unreachable, UpstreamError) as exc:
            exc.write = write  # type: ignore[attr-defined]
            raise
        return write

    def _write_eventbrite(
        self, listing: ListingState, fresh: _Fresh, target: int, event_level: bool
    ) -> _Write:
        event_id, tc_id = listing.event_id, listing.ticket_class_id
        capacity = (fresh.sold or 0) + fresh.pending + target
        write = _Write("ticket class capacity", fresh.stored, capacity)
        try:
            _, write.token = self.eventbrite.update_ticket_class_capacity(event_id, tc_id, capacity)
            return write
        except Rejected as exc:
            if exc.code not in SERIES_REFUSALS:
                raise
        except (Unreachable, UpstreamError) as exc:
            exc.write = write  # type: ignore[attr-defined]
            raise
        # Series date: Eventbrite changes capacity per event. The event's remaining seats
        # become ``target``: capacity_total = everything sold on the event + target.
        if listing.other_classes and not event_level:
            raise _Unsafe(
                "Eventbrite refuses per-class changes on this series date, and its capacity "
                f"is shared with {', '.join(listing.other_classes)}: changing it would change "
                "what they can sell too. Use Sync (it sets the event's remaining seats) or "
                "change it in Eventbrite."
            )
        tier = self.eventbrite.get_capacity_tier(event_id)
        # What is sold, in carts and held keeps its seats: the rest is ``target``.
        total = tier_capacity_for(
            target,
            sold=int(tier.get("capacity_sold") or 0),
            pending=int(tier.get("capacity_pending") or 0),
            held=held_seats(tier.get("holds")),
        )
        fresh.tier = tier
        write = _Write(
            "event capacity (series date)",
            _int(tier.get("capacity_total")),
            total,
            mode="tier",
        )
        own = fresh.stored
        if own is not None and own < capacity:
            write.warnings.append(
                f"The ticket class's own capacity ({own}) still caps it below {capacity}; "
                "Eventbrite does not let the app change it on a series date."
            )
        if listing.other_classes:
            write.warnings.append(
                f"The event's capacity is shared with {', '.join(listing.other_classes)}."
            )
        try:
            _, write.token = self.eventbrite.update_capacity_tier(event_id, total)
        except IntegrationError as exc:
            exc.what = write.what  # type: ignore[attr-defined]
            if isinstance(exc, (Unreachable, UpstreamError)):
                exc.write = write  # type: ignore[attr-defined]
            raise
        return write

    def _read_back(self, listing: ListingState, write: _Write) -> tuple[int | None, _Fresh]:
        """(the written number as stored now, the listing now)."""
        if listing.channel == "eventbrite":
            tc = self.eventbrite.get_ticket_class(
                listing.event_id, listing.ticket_class_id, waypoint=write.token
            )
            now = _class_fresh(tc)
            if write.mode == "tier":
                tier = self.eventbrite.get_capacity_tier(listing.event_id, waypoint=write.token)
                return _int(tier.get("capacity_total")), now
            return now.stored, now
        product = self.woocommerce.get_product(listing.product_id)
        try:
            now = _product_fresh(listing, product)
        except _Unsafe:
            # The product no longer reads cleanly after our write: report "not as written".
            return None, _Fresh(None, None, None, raw=meta_value(product, FBOS_META_KEY))
        return now.stored, now

    def _verify(self, listing, fresh, write, action, audit, done) -> ChangeResult:
        label = CHANNEL_LABELS.get(listing.channel, listing.channel)
        try:
            stored, now = self._read_back(listing, write)
        except IntegrationError as exc:
            message = (
                f"The change was sent but could not be checked ({exc}). Look at the listing "
                "on the platform before changing it again."
            )
            audit(write.attempt(action, "unverified", message))
            return done("unverified", message, ticket_class=fresh.ticket_class)
        if stored == write.after:
            extra = " ".join(write.warnings)
            if (
                listing.channel == "eventbrite"
                and write.mode == "class"
                and now.capacity is not None
                and now.capacity != write.after
            ):
                extra += f" The event's capacity caps this ticket class at {now.capacity}."
            audit(write.attempt(action, "ok", extra.strip() or None))
            message = (
                f"Verified on {label}: {write.what} {_fmt(write.before, True)} → {write.after}; "
                f"{_fmt(now.remaining, True)} remaining."
            )
            return done(
                "ok",
                f"{message} {extra}".strip(),
                remaining=now.remaining,
                capacity=now.capacity,
                ticket_class=now.ticket_class,
            )
        error = f"read back {_fmt(stored)} instead of {write.after}"
        audit(write.attempt(action, "verify_failed", error))
        return self._restore(listing, fresh, write, error, audit, done)

    def _lost_answer(self, listing, fresh, write, exc, action, audit, done) -> ChangeResult:
        """A write whose answer never came: read to learn whether it happened."""
        try:
            stored, now = self._read_back(listing, write)
        except IntegrationError:
            message = (
                f"The write's answer was lost ({exc}) and the listing cannot be read now: it "
                "may or may not have changed. Check it on the platform before trying again."
            )
            audit(write.attempt(action, "unverified", message))
            return done("unverified", message, channel_down=True)
        if stored == write.after:
            audit(
                write.attempt(
                    action, "ok", f"answer lost ({type(exc).__name__}); verified by reading"
                )
            )
            return done(
                "ok",
                f"Verified: {write.what} {_fmt(write.before, True)} → {write.after} (the answer "
                "was lost, the read shows it in place).",
                remaining=now.remaining,
                capacity=now.capacity,
                ticket_class=now.ticket_class,
            )
        if stored == write.before:
            audit(write.attempt(action, "failed", str(exc)))
            return done(
                "failed",
                f"The write failed ({exc}); the listing is unchanged. Nothing was retried.",
                channel_down=True,
                ticket_class=now.ticket_class,
            )
        error = f"answer lost ({exc}); read back {_fmt(stored)}"
        audit(write.attempt(action, "verify_failed", error))
        return self._restore(listing, fresh, write, error, audit, done)

    def _restore(self, listing, fresh, write, error, audit, done) -> ChangeResult:
        """Put back the value read before the write, and check it."""
        before = write.before
        label = CHANNEL_LABELS.get(listing.channel, listing.channel)
        try:
            token = self._write_back(listing, fresh, write)
            restored_write = replace(write, after=before, token=token)
            stored, now = self._read_back(listing, restored_write)
        except (IntegrationError, BookingOptionsError, _Unsafe) as exc:
            message = (
                f"Verification failed ({error}) and restoring {_fmt(before, True)} failed too "
                f"({exc}). Check this listing on {label} now."
            )
            audit(
                Attempt(
                    "rollback",
                    write.what,
                    str(write.after),
                    _fmt(before, True),
                    "rollback_failed",
                    str(exc),
                )
            )
            return done("rollback_failed", message, ticket_class=fresh.ticket_class)
        if stored != before:
            message = (
                f"Verification failed ({error}); the restore of {_fmt(before, True)} reads back "
                f"{_fmt(stored)}. Check this listing on {label} now."
            )
            audit(
                Attempt(
                    "rollback",
                    write.what,
                    str(write.after),
                    _fmt(before, True),
                    "rollback_failed",
                    f"read back {_fmt(stored)}",
                )
            )
            return done("rollback_failed", message, ticket_class=now.ticket_class)
        audit(Attempt("rollback", write.what, str(write.after), _fmt(before, True), "rolled_back"))
        return done(
            "rolled_back",
            f"{label} did not keep the change ({error}); {write.what} was restored to "
            f"{_fmt(before, True)} and verified. Nothing changed.",
            remaining=now.remaining,
            capacity=now.capacity,
            ticket_class=now.ticket_class,
        )

    def _write_back(self, listing: ListingState, fresh: _Fresh, write: _Write) -> str | None:
        before = write.before
        if listing.channel == "eventbrite":
            if before is None:
                raise _Unsafe("it had no capacity of its own to restore")
            if write.mode == "tier":
                _, token = self.eventbrite.update_capacity_tier(listing.event_id, before)
            else:
                _, token = self.eventbrite.update_ticket_class_capacity(
                    listing.event_id, listing.ticket_class_id, before
                )
            return token
        if listing.kind == "bookings":
            current = meta_value(self.woocommerce.get_product(listing.product_id), FBOS_META_KEY)
            try:
                # Only this date goes back: sales on other dates since then are kept.
                value = set_date_stock(current, listing.slot_id, listing.date_id, before)
            except BookingOptionsError:
                value = fresh.raw  # unreadable now: the whole blob as it was before
            payload = {"meta_data": [{"key": FBOS_META_KEY, "value": value}]}
        elif before is None:
            payload = {"manage_stock": False}
        else:
            payload = {"stock_quantity": before}
        self.woocommerce.update_product(listing.product_id, payload)
        return None


# --- reading platform answers -------------------------------------------------------------
def _int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _class_fresh(tc: dict) -> _Fresh:
    total = _int(tc.get("quantity_total"))
    sold = _int(tc.get("quantity_sold")) or 0
    return _Fresh(
        remaining=None if total is None else total - sold,
        capacity=total,
        stored=_int(tc.get("capacity")),
        sold=sold,
        ticket_class=tc,
    )


def _product_fresh(listing: ListingState, product: dict) -> _Fresh:
    kind = classify_product(product)
    if kind.kind != listing.kind:
        raise _Unsafe(
            f"The product now reads as {kind.kind.replace('_', ' ')}, not {listing.kind}: "
            f"{kind.reason}"
        )
    manage = product.get("manage_stock") is True
    quantity = _int(product.get("stock_quantity")) if manage else None
    if listing.kind == "single":
        if manage and quantity is None:
            raise _Unsafe("Its WooCommerce stock is managed but not set.")
        return _Fresh(remaining=quantity, capacity=None, stored=quantity, raw=product)
    fbos = meta_value(product, FBOS_META_KEY)
    if not isinstance(fbos, str):
        raise _Unsafe("Its booking options are not stored as a JSON string.")
    try:
        dates = parse_booking_options(fbos)
    except BookingOptionsError as exc:
        raise _Unsafe(f"Its booking options cannot be read ({exc.reason}).") from None
    sd = next(
        (d for d in dates if d.slot_id == listing.slot_id and d.date_id == listing.date_id), None
    )
    if sd is None:
        raise _Unsafe("This date is no longer in the product's booking options.")
    if sd.problem:
        raise _Unsafe(f"This date cannot be read cleanly ({sd.problem}).")
    effective = sd.stock
    if manage and quantity is not None and (effective is None or quantity < effective):
        effective = quantity  # hybrid: WooCommerce stock binds
    return _Fresh(remaining=effective, capacity=None, stored=sd.stock, raw=fbos)


# --- keeping the catalog's Eventbrite copy current ----------------------------------------
def patch_catalog(catalog: Catalog, ticket_classes: Iterable[dict | None]) -> Catalog:
    """``catalog`` with the Eventbrite numbers of these ticket classes (as just read from
    Eventbrite) in place of the last refresh's, so a page shows what the engine saw."""
    fresh: dict[tuple[str, str], TicketClass] = {}
    for tc in ticket_classes:
        if isinstance(tc, dict) and tc.get("id") is not None and tc.get("event_id") is not None:
            fresh[(str(tc["event_id"]), str(tc["id"]))] = catalog_ticket_class(tc["event_id"], tc)
    if not fresh:
        return catalog
    classes = tuple(
        fresh.get((tc.event_id, tc.ticket_class_id), tc) for tc in catalog.ticket_classes
    )
    return replace(catalog, ticket_classes=classes)
