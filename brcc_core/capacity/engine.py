"""The change engine behind every capacity write: the part of the app that can hurt the
club, so each step is deliberate (docs/domain.md sections 2, 4, 5, 6; the rules and the
arithmetic are in ``brcc_core.capacity.preview``, which does no I/O).

What a manager sets is a *target*: a capacity (or remaining seats, turned into a
capacity at the fresh read). ``InventoryEngine.apply``:

1. refuses what the preview refuses, a channel that does not answer, and an Eventbrite
   change without the calls to verify it;
2. takes the write lease (``brcc_core.capacity.locks``) on the WooCommerce product (its booking
   dates share one stored value) or the Eventbrite event, so one writer at a time works
   on it across sessions and servers;
3. reads fresh: the product through REST and its sold + pending from the WordPress DB
   (read before and after the product, and again if a sale landed in between), or the
   event's ticket classes and capacity tier; fixes the target from this read and refuses
   only what lost its meaning (``_meaning``): a capacity now below sold + pending, or a
   capacity that moved (another change, never a sale). A capacity stands whatever sold
   since the manager looked; a remaining-seats number was counted from the sales they
   saw, so seats sold since come off it; a sync on a series date whose classes share the
   event's capacity counts the event's seats left. Already at the target: nothing written;
4. computes the stored number from what is sold and pending *now* (FooEvents stock =
   capacity − sold − pending; Eventbrite class capacity, or the series date's capacity
   tier when Eventbrite refuses class edits, from the same fresh read) and writes it
   once, never retried;
5. verifies what the write changed: what buyers are offered (stock + sold + pending read
   live; Eventbrite's effective ``quantity_total``), or the event capacity read back
   after a tier write, not seats left: a sale after our write is not a failure;
6. reconciles: a date whose sales moved between the fresh read and the write had its
   stock update replaced by our write of the whole value; its stock is corrected under
   the same lease, audited as its own attempt ("reconciled");
7. when the change did not take, restores the *capacity* read before (stock computed
   from the sales of that moment), never an absolute stock read before a sale.

Every attempt, refusals included, is one audit row (``brcc_core.store.state.AuditEntry``),
written ahead: a write's row is recorded as ``started`` before the platform is touched
(no record, no write) and completed after. When the app-state database fails in between,
the result still says what the platform now holds, the completion waits in the process
until the database answers, and the lease given back then (``brcc_core.capacity.locks``).
What remains possible: FooEvents updates its stock without any lock of ours, so a sale
can land between our read and our write; it is detected by the reads that bracket the
write and corrected by the reconcile step.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

from brcc_core.capacity.locks import WAIT_SECONDS, LockError, Locks
from brcc_core.capacity.preview import (
    Change,
    DateNumbers,
    ListingState,
    Preview,
    corrections,
    preview_change,
    stock_for,
)
from brcc_core.channels.eventbrite import EventbriteClient
from brcc_core.channels.eventbrite_records import (
    CapacityTier,
    TicketClass,
    capacity_tier,
    ticket_class,
    ticket_classes,
)
from brcc_core.channels.eventbrite_seats import EventSeats, seats_from_tier, tier_seats_left
from brcc_core.channels.fooevents import (
    FBOS_META_KEY,
    BookingOptionsError,
    classify_product,
    meta_value,
    parse_booking_options,
    set_date_stock,
)
from brcc_core.channels.http import (
    AuthError,
    IntegrationError,
    RateLimited,
    Rejected,
    Unreachable,
    UpstreamError,
    wait_words,
)
from brcc_core.channels.woocommerce import WooCommerceClient
from brcc_core.channels.wordpress import WordPressReader, WordPressUnavailable
from brcc_core.common import clock
from brcc_core.common.club import Channel, channel_name
from brcc_core.common.formats import seats_text
from brcc_core.common.keys import event_id_of, listing_key, resource_key
from brcc_core.common.values import text_or_none, whole_number
from brcc_core.store.state import ANONYMOUS, STARTED, AuditEntry, StateUnavailable

log = logging.getLogger(__name__)

Status = Literal[
    "ok",
    "reconciled",
    "unchanged",
    "refused",
    "failed",
    "unverified",
    "rolled_back",
    "rollback_failed",
]
SERIES_REFUSALS = frozenset({"INVALID_TICKET", "INVALID_EVENT"})
# Errors that mean the channel itself is not answering (as opposed to refusing a change).
DOWN_ERRORS = (Unreachable, UpstreamError, RateLimited, AuthError)
# Eventbrite calls one change may need: fresh read, write (class, or tier read + write),
# verification reads, and a restore with its own reads. A change is not started without
# them: a write that cannot be verified for lack of budget is worse than no write.
EVENTBRITE_CALLS_PER_CHANGE = 9
# Reads of sold + pending around the product read; a sale landing inside each of them
# every time means the numbers cannot be pinned down right now.
READ_TRIES = 3
# Follow-up writes after the first one (a sale can land inside each of them too).
RECONCILE_ROUNDS = 2

DateKey = tuple[str | None, str | None]  # (slot_id, date_id); (None, None) = single event


class AuditTrail(Protocol):
    """Where the engine records attempts (``brcc_core.store.state.State``)."""

    def start_audit(self, entry: AuditEntry) -> int: ...

    def finish_audit(self, audit_id: int | None, entry: AuditEntry) -> bool: ...


# --- results -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Attempt:
    """One write (or refusal) as recorded in the audit log; ``listing_key`` set when the
    attempt wrote another listing of the product (a reconciled date)."""

    action: str  # change | sync | rollback | reconcile
    what: str
    before: str | None
    after: str | None
    result: str
    error: str | None = None
    listing_key: str | None = None


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
    ticket_class: TicketClass | None = None  # Eventbrite's class as last read (for the catalog)
    batch: str = ""
    # The figures besides the one the manager asked about (stored number, capacity, the
    # event's): ``message`` names that one, these go under it.
    details: str = ""
    # Eventbrite: the event's classes and capacity tier as last read, when they still
    # hold (a refused change's fresh read; a tier write read back), for the catalog.
    event_classes: tuple[TicketClass, ...] = ()
    tier: CapacityTier | None = None
    # Part of this change's record waits for the app-state database (written when it
    # answers again); the message says so.
    audit_pending: bool = False

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "reconciled", "unchanged")


class _Unsafe(Exception):
    """The fresh read shows something the engine must not write to."""


class _Unrecorded(Exception):
    """The attempt could not be put on record before its write: nothing is written."""


@dataclass
class _Read:
    """One listing as read now (and, for WooCommerce, every date of its product)."""

    remaining: int | None  # effective remaining (None = unlimited)
    capacity: int | None  # what buyers are offered: stock + sold + pending / quantity_total
    stored: int | None  # the number a write changes (None = unlimited / not set)
    sold: int = 0
    pending: int = 0
    raw: Any = None  # the FBOS string (bookings)
    dates: dict[DateKey, DateNumbers] = field(default_factory=dict)
    ticket_class: TicketClass | None = None
    own_capacity: int | None = None  # Eventbrite: the class's own capacity
    # Eventbrite: the event's classes and capacity tier this read saw (a fresh read), and
    # the event's figures computed from them (seats left, sold, carts, holds).
    classes: list[TicketClass] | None = None
    tier: CapacityTier | None = None
    event: EventSeats | None = None


@dataclass
class _Write:
    what: str
    before: int | None
    after: int
    mode: str = "class"  # eventbrite: class | tier
    token: str | None = None
    expect: int | None = None  # what buyers should be offered once it is in place
    warnings: list[str] = field(default_factory=list)

    def attempt(self, action: str, result: str, error: str | None = None) -> Attempt:
        """This write as one audit attempt: before → after, with its result."""
        return Attempt(action, self.what, seats_text(self.before), str(self.after), result, error)


@dataclass
class _Context:
    """One change on its way through the engine: what was asked, what was read, what was
    written, and every attempt so far (each recorded as it happens)."""

    change: Change
    listing: ListingState
    preview: Preview
    who: str
    action: str
    batch: str
    attempts: list[Attempt] = field(default_factory=list)
    fresh: _Read | None = None
    write: _Write | None = None
    target: int | None = None  # the capacity buyers should be offered
    # The seats left on sale the write sets, counted from the fresh read: the listing's,
    # or on a shared series date (``event_unit``) the event's.
    remaining: int | None = None
    event_unit: bool = False
    # Seats sold or put in carts since the manager looked (they count against the target).
    sold_since: int = 0
    tier_after: CapacityTier | None = None  # the capacity tier read back after a tier write
    # Writes recorded as started and not completed yet: (action, listing key) -> row id
    # (None when even the start could not be recorded, for a correcting write).
    open: dict[tuple[str, str | None], int | None] = field(default_factory=dict)
    unrecorded: str | None = None  # why part of the record waits for the database

    @property
    def label(self) -> str:
        return channel_name(self.listing.channel)

    def result(self, status: Status, message: str, **extra: Any) -> ChangeResult:
        fresh, written = self.fresh, self.write is not None
        if fresh is not None and not written:  # what the fresh read saw still holds
            extra.setdefault("event_classes", tuple(fresh.classes or ()))
            extra.setdefault("tier", fresh.tier)
        elif self.tier_after is not None:
            extra.setdefault("tier", self.tier_after)
        if self.unrecorded:
            message = (
                f"{message} Its record in the audit log could not be completed just now "
                f"(the app-state database: {self.unrecorded}); it is written as soon as "
                "the database answers again."
            )
        return ChangeResult(
            self.listing.listing_key,
            status,
            message,
            self.preview,
            tuple(self.attempts),
            batch=self.batch,
            audit_pending=self.unrecorded is not None,
            **extra,
        )


def _as_asked(ctx: _Context, attempt: Attempt) -> tuple[str, str | None, str | None, str | None]:
    """(what, before, after, note) of an audit row. A capacity the manager typed is written
    as another stored number on some listings (a booking date's stock, say: "booking date
    stock 42 → 44" for capacity 55 → 57); the row says what they asked for, in their terms,
    and keeps the platform's number in its note, so the log reads as the change was made.
    Correcting writes (reconcile, rollback) and refusals stay as they are: the first are
    the platform's own numbers, the second already record what was asked."""
    change = ctx.change
    asked = (
        attempt.listing_key is None
        and attempt.action in ("change", "sync")
        and attempt.result != "refused"
        and change.field == "capacity"
        and not change.event_level
        and attempt.what != "capacity"
    )
    if not asked:
        return attempt.what, attempt.before, attempt.after, change.note
    before = seats_text(ctx.preview.capacity_before, ctx.preview.unlimited_before)
    if (attempt.before, attempt.after) == (before, str(change.value)):
        # The stored number is the capacity (an Eventbrite class's): nothing to translate.
        return attempt.what, attempt.before, attempt.after, change.note
    stored = f"{attempt.what} {attempt.before} → {attempt.after}"
    note = "; ".join(n for n in (f"stored as {stored}", change.note) if n)
    return "capacity", before, str(change.value), note


# --- the engine --------------------------------------------------------------------------
class InventoryEngine:
    """Applies changes through the REST clients, one listing at a time, under a lease."""

    def __init__(
        self,
        woocommerce: WooCommerceClient,
        eventbrite: EventbriteClient,
        wordpress: WordPressReader,
        audit: AuditTrail,
        locks: Locks,
        *,
        lock_wait: float = WAIT_SECONDS,
        max_capacity: int | None = None,
    ):
        self.woocommerce = woocommerce
        self.eventbrite = eventbrite
        self.wordpress = wordpress
        self.audit = audit
        self.locks = locks
        self.lock_wait = lock_wait
        self.max_capacity = max_capacity

    # --- audit and outcomes ------------------------------------------------------------
    def _entry(self, ctx: _Context, attempt: Attempt) -> AuditEntry:
        what, before, after, note = _as_asked(ctx, attempt)
        return AuditEntry(
            who=ctx.who or ANONYMOUS,
            action=attempt.action,
            listing_key=attempt.listing_key or ctx.listing.listing_key,
            channel=ctx.listing.channel,
            what=what,
            before=before,
            after=after,
            result=attempt.result,
            error=attempt.error,
            note=note,
            batch=ctx.batch,
        )

    def _start(self, ctx: _Context, attempt: Attempt, *, first: bool = False) -> None:
        """Put a write on record as started before the platform is touched. The first
        write of a change is not made unless it is recorded (``_Unrecorded``); a correcting
        write (reconcile, restore) goes ahead, its row written once the database answers."""
        key = (attempt.action, attempt.listing_key)
        if key in ctx.open:
            return  # the same write, tried another way (an Eventbrite series date's tier)
        try:
            ctx.open[key] = self.audit.start_audit(self._entry(ctx, attempt))
        except StateUnavailable as exc:
            if first:
                raise _Unrecorded(str(exc)) from None
            ctx.open[key] = None
            ctx.unrecorded = ctx.unrecorded or _cause(exc)

    def _audit(self, ctx: _Context, attempt: Attempt) -> None:
        """Record an attempt's outcome: complete its started row, or add a row (a refusal
        that touched nothing). Never raises: what the database cannot take now waits."""
        ctx.attempts.append(attempt)
        key = (attempt.action, attempt.listing_key)
        audit_id = ctx.open.pop(key, None)
        try:
            written = self.audit.finish_audit(audit_id, self._entry(ctx, attempt))
        except StateUnavailable as exc:  # an AuditTrail that does not keep it for later
            written, reason = False, _cause(exc)
        else:
            reason = "it did not answer"
        if not written:
            ctx.unrecorded = ctx.unrecorded or reason

    def _refuse(
        self, ctx: _Context, message: str, *, before: str | None = None, **extra: Any
    ) -> ChangeResult:
        # Refusals record what the manager saw and asked for, in their own terms.
        change = ctx.change
        seen = f"remaining {seats_text(change.seen_remaining, ctx.listing.unlimited)}"
        asked = f"{change.field} {change.value}"
        self._audit(
            ctx,
            Attempt(ctx.action, ctx.listing.what, before or seen, asked, "refused", message),
        )
        return ctx.result("refused", message, **extra)

    # --- apply ------------------------------------------------------------------------
    def apply(
        self,
        change: Change,
        listing: ListingState,
        *,
        who: str = ANONYMOUS,
        venue_capacity: int | None = None,
        action: str = "change",
        batch: str | None = None,
        down: dict[str, str] | None = None,
    ) -> ChangeResult:
        """Lease → fresh read → compare → write once → verify → reconcile or restore.

        ``down``: channel -> why it is known not to answer (a sync stops calling it).
        """
        preview = preview_change(
            change, listing, venue_capacity=venue_capacity, max_capacity=self.max_capacity
        )
        ctx = _Context(
            change, listing, preview, who or ANONYMOUS, action, batch or uuid.uuid4().hex
        )
        if not preview.allowed:
            return self._refuse(ctx, preview.refusal or "refused")
        if down and listing.channel in down:
            return self._refuse(
                ctx,
                f"{ctx.label} is not answering ({down[listing.channel]}); nothing was written.",
                channel_down=True,
            )
        if listing.channel == Channel.EVENTBRITE:
            left = self.eventbrite.calls_left_this_hour()
            until = self.eventbrite.limited_until()
            if until is not None:
                wait = wait_words((until - clock.now()).total_seconds())
                return self._refuse(
                    ctx,
                    "Eventbrite refused the last call for its hourly limit and said to wait "
                    f"until it resets ({wait}). Nothing was written; try again then.",
                    channel_down=True,
                )
            if left < EVENTBRITE_CALLS_PER_CHANGE:
                return self._refuse(
                    ctx,
                    f"Eventbrite's hourly call budget is nearly spent ({left} left this hour); "
                    f"a change needs up to {EVENTBRITE_CALLS_PER_CHANGE} calls to be read, "
                    "written and verified. Nothing was written; try again later.",
                    channel_down=True,
                )
        if preview.remaining_after is None:  # an allowed preview always has one
            return self._refuse(ctx, "The new remaining seats could not be worked out.")
        try:
            lease = self.locks.acquire(
                lock_resource(listing),
                ctx.who,
                f"{action} {listing.listing_key}",
                wait_seconds=self.lock_wait,
            )
        except LockError as exc:
            return self._refuse(ctx, str(exc))
        try:
            return self._apply_locked(ctx, lease)
        finally:
            self.locks.release(lease)

    def _apply_locked(self, ctx: _Context, lease) -> ChangeResult:
        listing = ctx.listing
        try:
            fresh = self._read(listing)
        except _Unsafe as exc:
            return self._refuse(ctx, f"{exc} Nothing was written.")
        except WordPressUnavailable as exc:
            return self._refuse(
                ctx,
                f"{exc} Sold and pending must be known to work out the stock to write. "
                "Nothing was written.",
            )
        except IntegrationError as exc:
            return self._refuse(
                ctx,
                f"{ctx.label} did not answer the fresh read: {exc} Nothing was written.",
                channel_down=isinstance(exc, DOWN_ERRORS),
            )
        ctx.fresh = fresh
        tc = fresh.ticket_class
        refusal = self._meaning(ctx, fresh)
        if refusal:
            return self._refuse(
                ctx,
                refusal,
                before=f"remaining {seats_text(fresh.remaining, fresh.remaining is None)}",
                ticket_class=tc,
            )
        if self._already_there(ctx, fresh):
            self._audit(
                ctx,
                Attempt(
                    ctx.action,
                    listing.what,
                    seats_text(fresh.stored),
                    seats_text(fresh.stored),
                    "unchanged",
                ),
            )
            already = f"{ctx.remaining} remaining"
            if ctx.event_unit:
                already = f"{ctx.remaining} seat(s) left on the event"
            return ctx.result(
                "unchanged",
                f"Already {already}: nothing to write.",
                remaining=fresh.remaining,
                capacity=fresh.capacity,
                ticket_class=tc,
            )

        # One write, never retried.
        try:
            self.locks.renew(lease)
            ctx.write = self._write(ctx, fresh)
        except LockError as exc:
            return self._refuse(ctx, f"{exc} Nothing was written.", ticket_class=tc)
        except _Unrecorded as exc:
            return self._refuse(
                ctx,
                f"{exc} Nothing was written: every change is recorded before it is made.",
                ticket_class=tc,
            )
        except (_Unsafe, BookingOptionsError) as exc:
            return self._refuse(ctx, f"{exc} Nothing was written.", ticket_class=tc)
        except (Unreachable, UpstreamError) as exc:
            # The answer was lost: the write may or may not have happened. Find out by
            # reading (never by writing again).
            return self._lost_answer(ctx, lease, exc)
        except IntegrationError as exc:
            # Refused before anything changed (4xx, throttled, not found): not applied.
            what = ctx.write.what if ctx.write else listing.what
            self._audit(
                ctx,
                Attempt(
                    ctx.action,
                    what,
                    seats_text(fresh.stored),
                    str(ctx.write.after if ctx.write else ctx.target),
                    "failed",
                    str(exc),
                ),
            )
            return ctx.result(
                "failed",
                f"{ctx.label} refused the change: {exc} Nothing was changed.",
                channel_down=isinstance(exc, DOWN_ERRORS),
                ticket_class=tc,
            )
        return self._verify(ctx, lease)

    # --- what the change means now ------------------------------------------------------
    def _meaning(self, ctx: _Context, fresh: _Read) -> str | None:
        """Fix the target from the fresh read, or say why the change lost its meaning.

        A capacity is what the manager meant whatever sold since they looked: it goes
        through, and is refused only when it is now below sold + pending, or when the
        capacity itself moved (another manager's change, not a sale). A remaining-seats
        number was counted from the sales the manager saw: seats sold since come off it
        (the capacity it meant stays), so a sync never offers more than the room had.
        On a shared series date a sync's number is the event's seats left, counted the
        same way over all its classes."""
        change, listing = ctx.change, ctx.listing
        shared = (
            listing.channel == Channel.EVENTBRITE
            and change.event_level
            and change.field == "remaining"
            and bool(listing.other_classes)
            and fresh.event is not None
        )
        if shared:
            return self._event_meaning(ctx, fresh)
        seen_taken = (listing.sold or 0) + (listing.pending or 0)
        taken = fresh.sold + fresh.pending
        moved = _capacity_moved(change, listing, fresh)
        if moved:
            return _changed_since(moved, listing, seen_taken, taken)
        ctx.sold_since = taken - seen_taken
        if change.field == "capacity":
            if change.value < taken:
                return (
                    f"Capacity {change.value} is now below the {fresh.sold} sold"
                    f"{f' + {fresh.pending} pending' if fresh.pending else ''}"
                    f"{_since(listing, seen_taken, taken)}: the lowest possible capacity is "
                    f"{taken}. Nothing was written; review the new numbers and try again."
                )
            ctx.target = change.value
        else:
            ctx.target = max(change.value + seen_taken, taken)
        ctx.remaining = ctx.target - taken
        return None

    def _event_meaning(self, ctx: _Context, fresh: _Read) -> str | None:
        """A sync's seats left on a series date whose classes share the event's capacity:
        counted over the event (all its classes' sales, carts and holds)."""
        listing, event = ctx.listing, fresh.event
        assert event is not None
        ctx.event_unit = True
        left, taken = event.seats_left, event.taken
        seen_left, seen_taken = listing.event_seats_left, listing.event_sold_pending
        if left is None or taken is None:
            return (
                "The event's seats left cannot be worked out from Eventbrite's answer "
                f"({event.error or 'unlimited'}). Nothing was written."
            )
        if seen_left is None or seen_taken is None:
            # What the manager saw cannot be told apart into sales and capacity.
            if seen_left != left:
                return (
                    f"Changed since you looked: the event's seats left {seats_text(seen_left)} → "
                    f"{left}. Nothing was written; review the new numbers and try again."
                )
            seen_taken = taken
        if seen_left + seen_taken != left + taken:
            return (
                f"Changed since you looked: the event's capacity less holds "
                f"{seen_left + seen_taken} → {left + taken} (another change landed "
                "meanwhile). Nothing was written; review the new numbers and try again."
            )
        ctx.sold_since = taken - seen_taken
        ctx.remaining = max(0, ctx.change.value + seen_taken - taken)
        # Were Eventbrite to take a class write here, the class would offer this.
        ctx.target = ctx.remaining + fresh.sold + fresh.pending
        return None

    def _already_there(self, ctx: _Context, fresh: _Read) -> bool:
        """Whether what the write changes is already at the target: the event's seats
        left on a shared series date, else the listing's remaining and capacity."""
        if ctx.event_unit:
            assert fresh.event is not None
            return fresh.event.seats_left == ctx.remaining
        return fresh.remaining == ctx.remaining and fresh.capacity == ctx.target

    # --- reading ----------------------------------------------------------------------
    def _read(self, listing: ListingState) -> _Read:
        if listing.channel == Channel.EVENTBRITE:
            return self._read_eventbrite(listing)
        return self._read_product(listing)

    def _read_eventbrite(self, listing: ListingState) -> _Read:
        """The class as buyers see it now: its event's classes and capacity tier, so its
        remaining is bounded by the event's seats left as in its listing
        (``brcc_core.channels.eventbrite_seats``). Two calls: the event's classes, its tier."""
        event_id, tc_id = str(listing.event_id), str(listing.ticket_class_id)
        result = self.eventbrite.ticket_classes([event_id])
        if event_id in result.errors:
            raise result.errors[event_id]
        classes = ticket_classes(result.get(event_id, []), event_id)
        if not any(c.ticket_class_id == tc_id for c in classes):
            raise _Unsafe("Eventbrite no longer lists this ticket class: press Refresh data.")
        tier = capacity_tier(self.eventbrite.get_capacity_tier(event_id))
        return _class_read(tc_id, classes, tier)

    def _read_back(self, ctx: _Context, token: str | None, tier_total: int | None) -> _Read:
        """The listing after a write whose ``token`` it is read past. An Eventbrite class
        read that way holds only its own numbers; its remaining is then bounded by the
        event's seats (carts, holds, other classes) as the fresh read saw them, with the
        class as read back and, after a tier write, the event capacity written
        (``tier_total``): the result says what the listing will say, not seats in carts."""
        listing, fresh = ctx.listing, ctx.fresh
        if token is None or listing.channel != Channel.EVENTBRITE:
            return self._read(listing)
        if fresh is None or fresh.classes is None or fresh.tier is None:
            raise _Unsafe("The event's classes and capacity tier were not read before the write.")
        # Verifying our own write: the class as written, read past Eventbrite's lag.
        tc_id = str(listing.ticket_class_id)
        answer = self.eventbrite.get_ticket_class(listing.event_id, tc_id, waypoint=token)
        written = ticket_class(answer, str(listing.event_id))
        classes = [written if c.ticket_class_id == tc_id else c for c in fresh.classes]
        tier = fresh.tier if tier_total is None else replace(fresh.tier, capacity_total=tier_total)
        return _class_read(tc_id, classes, tier)

    def _read_product(self, listing: ListingState) -> _Read:
        """The product through REST, bracketed by two reads of its sold + pending: equal
        brackets mean no sale landed inside, so stock and sales belong together."""
        for _ in range(READ_TRIES):
            before = self._counts(listing.product_id)
            product = self.woocommerce.get_product(listing.product_id)
            after = self._counts(listing.product_id)
            if before == after:
                return _product_read(listing, product, after)
        raise _Unsafe(
            "Sales kept landing while the listing was read, so its numbers cannot be pinned "
            "down right now; try again in a moment."
        )

    def _counts(self, product_id: int | None) -> dict[DateKey, tuple[int, int]]:
        frame = self.wordpress.ticket_counts([int(product_id or 0)])
        out: dict[DateKey, tuple[int, int]] = {}
        for row in frame.itertuples():
            slot, date = text_or_none(row.slot_id), text_or_none(row.date_id)
            sold, pending = out.get((slot, date), (0, 0))
            out[(slot, date)] = (sold + int(row.sold or 0), pending + int(row.pending or 0))
        return out

    # --- writing ----------------------------------------------------------------------
    def _write(self, ctx: _Context, fresh: _Read) -> _Write:
        listing = ctx.listing
        assert ctx.target is not None
        if listing.channel == Channel.EVENTBRITE:
            return self._write_eventbrite(ctx, fresh)
        stock = stock_for(ctx.target, fresh.sold, fresh.pending)
        ctx.write = _Write(listing.what, fresh.stored, stock, expect=ctx.target)
        payload = _stock_payload(listing, fresh, stock)
        self._start(ctx, ctx.write.attempt(ctx.action, STARTED), first=True)
        self.woocommerce.update_product(listing.product_id, payload)
        return ctx.write

    def _write_eventbrite(self, ctx: _Context, fresh: _Read) -> _Write:
        listing = ctx.listing
        event_id, tc_id = listing.event_id, listing.ticket_class_id
        capacity = ctx.target
        assert capacity is not None
        ctx.write = _Write("ticket class capacity", fresh.stored, capacity, expect=capacity)
        self._start(ctx, ctx.write.attempt(ctx.action, STARTED), first=True)
        try:
            _, ctx.write.token = self.eventbrite.update_ticket_class_capacity(
                event_id, tc_id, capacity
            )
            return ctx.write
        except Rejected as exc:
            if exc.code not in SERIES_REFUSALS:
                raise
        # Series date: Eventbrite changes capacity per event. The event's remaining seats
        # become the target: capacity_total = everything sold on the event + target.
        event_level = ctx.change.event_level
        if listing.other_classes and not event_level:
            raise _Unsafe(
                "Eventbrite refuses per-class changes on this series date, and its capacity "
                f"is shared with {', '.join(listing.other_classes)}: changing it would change "
                "what they can sell too. Use Sync (it sets the event's remaining seats) or "
                "change it in Eventbrite."
            )
        # With no sibling classes, buyers see this class's effective capacity; with
        # siblings (a sync's event-level write), the event's seats left.
        shared = bool(listing.other_classes)
        own = fresh.own_capacity
        if own is not None and own < capacity and not shared:
            # The event's capacity would move but buyers would still be offered ``own``.
            raise _Unsafe(
                f"On this series date the ticket class's own capacity ({own}) caps what "
                f"buyers are offered, and Eventbrite does not let the app change it: "
                f"capacity {capacity} cannot be reached from here. Change it in Eventbrite."
            )
        # The event capacity comes from the read that fixed the target: a sale after it
        # then takes one of the seats set (kept), where a second read would have added a
        # seat for it and offered more than anyone set.
        remaining = ctx.remaining or 0
        classes, tier = fresh.classes, fresh.tier
        if classes is None or tier is None:
            raise _Unsafe("The event's capacity tier was not read with its classes.")
        if shared:
            _check_class_caps(classes, fresh.event, remaining)
        # What is sold, in carts and held keeps its seats: the rest is ``remaining``.
        total = None if fresh.event is None else fresh.event.capacity_for(remaining)
        if total is None:
            raise _Unsafe(
                "The event's sold, carts or holds could not be read from Eventbrite's answer "
                f"({fresh.event.error if fresh.event else 'not read'}), so its capacity "
                "cannot be set from here."
            )
        ctx.write = _Write(
            "event capacity (series date)",
            tier.capacity_total,
            total,
            mode="tier",
            expect=None if shared else capacity,
        )
        if listing.other_classes:
            ctx.write.warnings.append(
                f"The event's capacity is shared with {', '.join(listing.other_classes)}."
            )
        self._start(ctx, ctx.write.attempt(ctx.action, STARTED), first=True)
        _, ctx.write.token = self.eventbrite.update_capacity_tier(event_id, total)
        return ctx.write

    # --- verifying --------------------------------------------------------------------
    def _offered(self, ctx: _Context, now: _Read) -> int | None:
        """What the write changed, as read back: the event's capacity after a tier write
        (a sale after the write lowers the seats left, never the capacity), else the
        capacity buyers are offered (stock + sold + pending; the class's effective cap)."""
        write = ctx.write
        assert write is not None
        if write.mode == "tier":
            answer = self.eventbrite.get_capacity_tier(ctx.listing.event_id, waypoint=write.token)
            ctx.tier_after = capacity_tier(answer)
            return ctx.tier_after.capacity_total
        return now.capacity

    def _expected(self, ctx: _Context) -> int | None:
        write = ctx.write
        assert write is not None
        return write.after if write.mode == "tier" else ctx.target

    def _verify(self, ctx: _Context, lease) -> ChangeResult:
        write, fresh = ctx.write, ctx.fresh
        assert write is not None and fresh is not None
        try:
            now = self._read_back(ctx, write.token, _tier_total(write, write.after))
            offered = self._offered(ctx, now)
        except (IntegrationError, WordPressUnavailable, _Unsafe) as exc:
            message = (
                f"The change was sent but could not be checked ({exc}). Look at the listing "
                "on the platform before changing it again."
            )
            self._audit(ctx, write.attempt(ctx.action, "unverified", message))
            return ctx.result("unverified", message, ticket_class=fresh.ticket_class)
        if offered == self._expected(ctx):
            self._audit(ctx, write.attempt(ctx.action, "ok", " ".join(write.warnings) or None))
            return self._reconcile(ctx, lease, now, "ok")
        if ctx.listing.channel == Channel.WOOCOMMERCE and now.stored == write.after:
            # Our stock is in place, yet the capacity is off: a sale landed between the
            # fresh read and the write, and our write replaced its stock update.
            self._audit(
                ctx,
                write.attempt(
                    ctx.action,
                    "ok",
                    f"written; sales moved meanwhile (capacity {seats_text(offered)}), "
                    "corrected next",
                ),
            )
            return self._reconcile(ctx, lease, now, "ok")
        error = _mismatch(ctx, offered, now)
        self._audit(ctx, write.attempt(ctx.action, "verify_failed", error))
        return self._restore(ctx, lease, now, error)

    def _lost_answer(self, ctx: _Context, lease, exc: Exception) -> ChangeResult:
        """A write whose answer never came: read to learn whether it happened."""
        write, fresh = ctx.write, ctx.fresh
        assert fresh is not None
        if write is None:
            write = ctx.write = _Write(
                ctx.listing.what, fresh.stored, ctx.target or 0, expect=ctx.target
            )
        try:
            now = self._read_back(ctx, write.token, _tier_total(write, write.after))
            offered = self._offered(ctx, now)
        except (IntegrationError, WordPressUnavailable, _Unsafe):
            message = (
                f"The write's answer was lost ({exc}) and the listing cannot be read now: it "
                "may or may not have changed. Check it on the platform before trying again."
            )
            self._audit(ctx, write.attempt(ctx.action, "unverified", message))
            return ctx.result("unverified", message, channel_down=True)
        if offered == self._expected(ctx):
            self._audit(
                ctx,
                write.attempt(
                    ctx.action, "ok", f"answer lost ({type(exc).__name__}); verified by reading"
                ),
            )
            return self._reconcile(ctx, lease, now, "ok", note=" (the answer was lost)")
        if now.stored == fresh.stored and now.capacity == fresh.capacity:
            self._audit(ctx, write.attempt(ctx.action, "failed", str(exc)))
            return ctx.result(
                "failed",
                f"The write failed ({exc}); the listing is unchanged. Nothing was retried.",
                channel_down=True,
                ticket_class=now.ticket_class,
            )
        if ctx.listing.channel == Channel.WOOCOMMERCE and now.stored == write.after:
            self._audit(ctx, write.attempt(ctx.action, "ok", f"answer lost ({exc})"))
            return self._reconcile(ctx, lease, now, "ok")
        error = f"answer lost ({exc}); {_mismatch(ctx, offered, now)}"
        self._audit(ctx, write.attempt(ctx.action, "verify_failed", error))
        return self._restore(ctx, lease, now, error)

    # --- reconciling ------------------------------------------------------------------
    def _reconcile(
        self, ctx: _Context, lease, now: _Read, status: Status, note: str = ""
    ) -> ChangeResult:
        """Correct every date of the product whose sales moved while our write replaced
        its stored value, until what each offers is right (bounded rounds)."""
        listing, fresh, write = ctx.listing, ctx.fresh, ctx.write
        assert fresh is not None and write is not None and ctx.target is not None
        own: DateKey = (listing.slot_id, listing.date_id)
        if listing.channel == Channel.WOOCOMMERCE:
            for _ in range(RECONCILE_ROUNDS):
                fixes = corrections(fresh.dates, now.dates, {own: ctx.target})
                if not fixes:
                    break
                status = "reconciled"
                try:
                    self.locks.renew(lease)
                    for key, stock in fixes.items():
                        self._start(ctx, self._fix_attempt(ctx, key, now, stock, STARTED))
                    self.woocommerce.update_product(
                        listing.product_id, _fixes_payload(listing, now, fixes)
                    )
                    after = self._read_product(listing)
                except (IntegrationError, WordPressUnavailable, _Unsafe, LockError) as exc:
                    for key, stock in fixes.items():
                        self._audit(ctx, self._fix_attempt(ctx, key, now, stock, "unverified"))
                    return ctx.result(
                        "unverified",
                        f"Written, but a sale landed meanwhile and its correction could not be "
                        f"completed ({exc}). Check {listing.label} now.",
                    )
                for key, stock in fixes.items():
                    got = after.dates.get(key)
                    want = ctx.target if key == own else fresh.dates[key].capacity
                    result = "reconciled" if got and got.capacity == want else "reconcile_failed"
                    self._audit(ctx, self._fix_attempt(ctx, key, now, stock, result))
                now = after
            if corrections(fresh.dates, now.dates, {own: ctx.target}):
                return ctx.result(
                    "unverified",
                    f"Sales kept landing while the change was written; {listing.label} may "
                    f"not offer exactly {ctx.target} seats. Check it there.",
                    remaining=now.remaining,
                    capacity=now.capacity,
                )
        moved = ""
        if status == "reconciled":
            moved = (
                " A sale landed while writing; the stock was corrected so it counts "
                "(see the Audit tab)."
            )
        if ctx.sold_since > 0:
            status = "reconciled"
        asked, details = self._outcome(ctx, now)
        message = f"Verified on {ctx.label}{note}: {asked}.{_sold_since(ctx)}{moved}"
        return ctx.result(
            status,
            " ".join([message, *write.warnings]),
            remaining=now.remaining,
            capacity=now.capacity,
            ticket_class=now.ticket_class,
            details=details,
        )

    def _outcome(self, ctx: _Context, now: _Read) -> tuple[str, str]:
        """(the number the manager asked about, as it now reads; the other figures). On
        a shared series date a sync asked for the event's seats left; the class's own
        capacity and remaining, and the event capacity written, are details."""
        write, fresh = ctx.write, ctx.fresh
        assert write is not None and fresh is not None
        stored = f"{write.what} {seats_text(write.before, True)} → {write.after}"
        if ctx.event_unit:
            left = None if ctx.tier_after is None else tier_seats_left(ctx.tier_after)
            asked = f"{seats_text(left)} seat(s) left on the event, shared by its ticket types"
            name = ctx.listing.slot_label or "this ticket type"
            return asked, (
                f"{stored}; {name}: capacity {seats_text(now.capacity, True)}, "
                f"{seats_text(now.remaining, True)} remaining"
            )
        capacity = f"capacity {seats_text(fresh.capacity, True)} → {seats_text(ctx.target)}"
        remaining = f"{seats_text(now.remaining, True)} remaining"
        if ctx.change.field == "remaining":
            return remaining, f"{capacity} ({stored})"
        return capacity, f"{stored}; {remaining}"

    def _fix_attempt(
        self, ctx: _Context, key: DateKey, now: _Read, stock: int, result: str
    ) -> Attempt:
        listing = ctx.listing
        was = now.dates.get(key)
        other = None
        if key != (listing.slot_id, listing.date_id):
            other = listing_key(Channel.WOOCOMMERCE, listing.product_id, key[0], key[1])
        return Attempt(
            "reconcile",
            listing.what,
            seats_text(was.stock if was else None),
            str(stock),
            result,
            "a sale landed between our read and our write; its stock is put back",
            listing_key=other,
        )

    # --- restoring --------------------------------------------------------------------
    def _restore(self, ctx: _Context, lease, now: _Read, error: str) -> ChangeResult:
        """Put back the capacity read before the write (the stock worked out from what
        is sold *now*, so a sale since then is kept), and check it."""
        listing, fresh, write = ctx.listing, ctx.fresh, ctx.write
        assert fresh is not None and write is not None
        label = ctx.label
        try:
            self.locks.renew(lease)
            self._start(
                ctx,
                Attempt(
                    "rollback",
                    write.what,
                    str(write.after),
                    seats_text(write.before, True),
                    STARTED,
                ),
            )
            before, restored = self._write_back(ctx, now)
            back = (
                now
                if restored is None
                else self._read_back(ctx, restored, _tier_total(write, before))
            )
        except (IntegrationError, BookingOptionsError, _Unsafe, LockError) as exc:
            message = (
                f"Verification failed ({error}) and restoring capacity "
                f"{seats_text(fresh.capacity, True)} failed too ({exc}). Check this listing on "
                f"{label} now."
            )
            self._audit(
                ctx,
                Attempt(
                    "rollback",
                    write.what,
                    str(write.after),
                    seats_text(write.before, True),
                    "rollback_failed",
                    str(exc),
                ),
            )
            return ctx.result("rollback_failed", message, ticket_class=fresh.ticket_class)
        was = seats_text(now.stored) if listing.channel == Channel.WOOCOMMERCE else str(write.after)
        attempt = Attempt("rollback", write.what, was, seats_text(before, True), "")
        if back.capacity != fresh.capacity:
            self._audit(
                ctx, replace(attempt, result="rollback_failed", error=f"capacity {back.capacity}")
            )
            return ctx.result(
                "rollback_failed",
                f"Verification failed ({error}); the restore of capacity "
                f"{seats_text(fresh.capacity, True)} reads back "
                f"{seats_text(back.capacity, True)}. Check this listing on {label} now.",
                ticket_class=back.ticket_class,
            )
        self._audit(ctx, replace(attempt, result="rolled_back"))
        return ctx.result(
            "rolled_back",
            f"{label} did not keep the change ({error}); capacity "
            f"{seats_text(fresh.capacity, True)} is restored and verified. Nothing changed.",
            remaining=back.remaining,
            capacity=back.capacity,
            ticket_class=back.ticket_class,
        )

    def _write_back(self, ctx: _Context, now: _Read) -> tuple[int | None, str | None]:
        """(the stored number restored, the waypoint of the restoring write or None when
        nothing had to be written)."""
        listing, fresh, write = ctx.listing, ctx.fresh, ctx.write
        assert fresh is not None and write is not None
        if listing.channel == Channel.EVENTBRITE:
            # Eventbrite capacity does not move with sales: the number read before is it.
            before = write.before
            if before is None:
                raise _Unsafe("it had no capacity of its own to restore")
            if write.mode == "tier":
                _, token = self.eventbrite.update_capacity_tier(listing.event_id, before)
            else:
                _, token = self.eventbrite.update_ticket_class_capacity(
                    listing.event_id, listing.ticket_class_id, before
                )
            return before, token or ""
        # None: it was unlimited.
        stock = None if fresh.capacity is None else stock_for(fresh.capacity, now.sold, now.pending)
        if stock == now.stored:
            return stock, None  # the write did not stay: the capacity is as it was
        self.woocommerce.update_product(listing.product_id, _stock_payload(listing, now, stock))
        return stock, ""


# --- pure helpers over what was read ------------------------------------------------------
def lock_resource(listing: ListingState) -> str:
    """What one writer at a time must hold: the WooCommerce product (its dates share one
    stored value), or the Eventbrite event (its classes share the event's capacity)."""
    return resource_key(listing.channel, product_id=listing.product_id, event_id=listing.event_id)


def _capacity_moved(change: Change, listing: ListingState, fresh: _Read) -> str | None:
    """ "capacity A → B" when the capacity itself moved since the manager looked: another
    change landed. A sale moves sold and remaining, never the capacity (FooEvents takes
    the seat from the stock; Eventbrite counts it against the same capacity)."""
    seen = change.seen_capacity if change.seen_capacity is not None else listing.capacity
    if listing.channel == Channel.WOOCOMMERCE:
        # Capacity as the listing shows it (a hybrid product's own stock may bind).
        now = None if fresh.remaining is None else fresh.remaining + fresh.sold + fresh.pending
        if listing.unlimited:
            seen = None
    else:
        now = fresh.capacity
    if now == seen:
        return None
    return f"capacity {seats_text(seen, listing.unlimited)} → {seats_text(now, now is None)}"


def _since(listing: ListingState, seen_taken: int, taken: int) -> str:
    """What sold (or went into carts) since the manager looked, in their words."""
    if taken == seen_taken:
        return ""
    return f" (sold + pending {seen_taken} → {taken} since you looked)"


def _changed_since(moved: str, listing: ListingState, seen_taken: int, taken: int) -> str:
    return (
        f"Changed since you looked: {moved}{_since(listing, seen_taken, taken)}. Someone "
        "changed it meanwhile. Nothing was written; review the new numbers and try again."
    )


def _sold_since(ctx: _Context) -> str:
    """The seats sold since the manager looked, said after a change that went through."""
    if ctx.sold_since <= 0:
        return ""
    counted = "count against it"
    if ctx.change.field == "remaining":
        counted = f"came off the {ctx.change.value} asked"
    return f" {ctx.sold_since} seat(s) sold or put in carts since you looked {counted}."


def _cause(exc: StateUnavailable) -> str:
    return getattr(exc, "reason", None) or str(exc)


def _mismatch(ctx: _Context, offered: int | None, now: _Read) -> str:
    write = ctx.write
    assert write is not None
    if write.mode == "tier":
        got = seats_text(offered)
        return f"the event capacity reads back {got} instead of the {write.after} written"
    stored = f"; {write.what} reads back {seats_text(now.stored)}"
    return f"buyers are offered {seats_text(offered, True)} instead of {ctx.target}{stored}"


def _stock_payload(listing: ListingState, read: _Read, stock: int | None) -> dict:
    if listing.kind == "bookings":
        value = set_date_stock(read.raw, listing.slot_id, listing.date_id, stock)
        return {"meta_data": [{"key": FBOS_META_KEY, "value": value}]}
    if stock is None:
        return {"manage_stock": False}
    if read.stored is None:
        return {"manage_stock": True, "stock_quantity": stock}
    return {"stock_quantity": stock}


def _fixes_payload(listing: ListingState, read: _Read, fixes: dict[DateKey, int]) -> dict:
    if listing.kind != "bookings":
        return {"stock_quantity": fixes[(None, None)]}
    value = read.raw
    for (slot_id, date_id), stock in fixes.items():
        value = set_date_stock(value, slot_id, date_id, stock)
    return {"meta_data": [{"key": FBOS_META_KEY, "value": value}]}


def _check_class_caps(classes: list[TicketClass], event: EventSeats | None, remaining: int) -> None:
    """The event's seats left are sold through its classes: when their own capacities
    leave fewer than ``remaining`` seats, raising the event would show a number no buyer
    is offered. Refuse before writing (from the fresh read's classes)."""
    room: list[tuple[str, int]] = []
    for tc in classes:
        figures = None if event is None else event.of(tc.ticket_class_id)
        if figures is None or not figures.is_seat:
            continue
        if figures.own_capacity_left is None:
            return  # a class with no cap of its own can sell every seat left
        room.append((tc.name or tc.ticket_class_id, max(0, figures.own_capacity_left)))
    total = sum(left for _, left in room)
    if total < remaining:
        detail = ", ".join(f"{name} {left} left" for name, left in room)
        raise _Unsafe(
            f"On this series date the ticket classes' own capacities leave {total} seats "
            f"to sell ({detail}), fewer than the {remaining} asked: buyers would not be "
            "offered them. Raise the classes' capacity in Eventbrite first."
        )


def _tier_total(write: _Write, total: int | None) -> int | None:
    """The event capacity a tier write left (``total``), None after a class write."""
    return total if write.mode == "tier" else None


def _class_read(tc_id: str, classes: list[TicketClass], tier: CapacityTier) -> _Read:
    """One class as buyers see it: its remaining bounded by its event's shared seats,
    computed exactly as its listing is (``brcc_core.channels.eventbrite_seats``)."""
    event = seats_from_tier(classes, tier, now=clock.now())
    tc = next(c for c in classes if c.ticket_class_id == tc_id)
    figures = event.of(tc_id)
    if tc.quantity_sold is None or figures is None:
        raise _Unsafe("Eventbrite gave no readable number sold for this ticket class.")
    return _Read(
        remaining=figures.available if figures.is_seat else None,
        capacity=tc.quantity_total,
        stored=tc.capacity,
        sold=tc.quantity_sold,
        pending=figures.pending,
        ticket_class=tc,
        own_capacity=tc.capacity,
        classes=classes,
        tier=tier,
        event=event,
    )


def _product_read(
    listing: ListingState, product: dict, counts: dict[DateKey, tuple[int, int]]
) -> _Read:
    kind = classify_product(product)
    if kind.kind != listing.kind:
        raise _Unsafe(
            f"The product now reads as {kind.kind.replace('_', ' ')}, not {listing.kind}: "
            f"{kind.reason}"
        )
    manage = product.get("manage_stock") is True
    quantity = whole_number(product.get("stock_quantity")) if manage else None
    if listing.kind == "single":
        if manage and quantity is None:
            raise _Unsafe("Its WooCommerce stock is managed but not set.")
        sold, pending = counts.get((None, None), (0, 0))
        numbers = DateNumbers(quantity, sold, pending)
        return _Read(
            remaining=quantity,
            capacity=numbers.capacity,
            stored=quantity,
            sold=sold,
            pending=pending,
            dates={(None, None): numbers},
        )
    fbos = meta_value(product, FBOS_META_KEY)
    if not isinstance(fbos, str):
        raise _Unsafe("Its booking options are not stored as a JSON string.")
    try:
        parsed = parse_booking_options(fbos)
    except BookingOptionsError as exc:
        raise _Unsafe(f"Its booking options cannot be read ({exc.reason}).") from None
    dates: dict[DateKey, DateNumbers] = {}
    for sd in parsed:
        if sd.problem:
            continue
        sold, pending = counts.get((sd.slot_id, sd.date_id), (0, 0))
        dates[(sd.slot_id, sd.date_id)] = DateNumbers(sd.stock, sold, pending)
    sd = next(
        (d for d in parsed if d.slot_id == listing.slot_id and d.date_id == listing.date_id), None
    )
    if sd is None:
        raise _Unsafe("This date is no longer in the product's booking options.")
    if sd.problem:
        raise _Unsafe(f"This date cannot be read cleanly ({sd.problem}).")
    own = dates[(sd.slot_id, sd.date_id)]
    effective = sd.stock
    if manage and quantity is not None and (effective is None or quantity < effective):
        effective = quantity  # hybrid: WooCommerce stock binds
    return _Read(
        remaining=effective,
        capacity=own.capacity,
        stored=sd.stock,
        sold=own.sold,
        pending=own.pending,
        raw=fbos,
        dates=dates,
    )


# --- keeping the catalog's Eventbrite copy current ----------------------------------------
def catalog_reads(
    results: Iterable[ChangeResult],
) -> tuple[list[TicketClass | None], dict[str, CapacityTier]]:
    """The Eventbrite classes and tiers these results read, for ``patch_catalog`` (each
    result's own class last: it is the newest read of it)."""
    classes: list[TicketClass | None] = []
    tiers: dict[str, CapacityTier] = {}
    for result in results:
        classes.extend(result.event_classes)
        classes.append(result.ticket_class)
        event_id = event_id_of(result.listing_key)
        if result.tier is not None and event_id:
            tiers[event_id] = result.tier
    return classes, tiers
