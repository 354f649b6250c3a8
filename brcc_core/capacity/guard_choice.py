"""Which rows of a sync plan the guard may apply by itself: pure, table-tested.

A plan (``capacity.sync.plan_sync``) gives absolute targets. Unattended, the guard only
takes the rows that *lower* what a listing has on sale (target remaining below the
remaining now; an unlimited listing is lowered by any target): closing exposure cannot
sell a seat the room does not have. Raising seats is a manager's decision, unless the
show's saved policy allows the guard to (``allow_raise``). A plan made on numbers that
are not known (sold or pending unread) has no rows to take at all.

The same rule tells a manager, before they confirm a change by hand, whether the guard
would undo it (``guard_undo``): the show's saved policy, planned on the numbers the
change would leave, and the rows the guard would take of that plan.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from brcc_core.capacity.sync import SyncListing, SyncPlan, SyncPolicy, SyncRow, SyncShow, plan_sync
from brcc_core.common.club import Channel
from brcc_core.store.guard_records import GuardPolicy, GuardStatus


@dataclass(frozen=True)
class GuardChoice:
    """The rows to apply, and the ones held back with why (for the round's summary)."""

    apply: tuple[SyncRow, ...] = ()
    held: tuple[tuple[SyncRow, str], ...] = ()
    unknown: str | None = None  # why nothing of the show may be acted on

    @property
    def lowers(self) -> bool:
        return bool(self.apply)


def lowers(row: SyncRow) -> bool:
    """Whether applying ``row`` leaves its listing with fewer seats on sale."""
    if row.target_remaining is None:
        return False
    return row.remaining is None or row.target_remaining < row.remaining


def choose(plan: SyncPlan, *, allow_raise: bool = False) -> GuardChoice:
    """The rows of ``plan`` the guard applies: the lowering ones (all, with ``allow_raise``)."""
    if plan.room_remaining is None:
        note = next(iter(plan.notes), "the room's remaining seats are unknown")
        return GuardChoice(unknown=note)
    take: list[SyncRow] = []
    held: list[tuple[SyncRow, str]] = []
    for row in plan.changes:
        if lowers(row) or (allow_raise and row.target_remaining is not None):
            take.append(row)
        else:
            held.append((row, "raising what is on sale stays a manager's decision"))
    return GuardChoice(tuple(take), tuple(held))


def as_sync_policy(saved: GuardPolicy) -> SyncPolicy:
    """The policy the guard plans a show with, from what a manager saved for it."""
    return SyncPolicy(saved.kind, dict(saved.ratio), saved.buffer)  # type: ignore[arg-type]


@dataclass(frozen=True)
class GuardUndo:
    """The guard's write that would undo a manager's change: ``row`` (its targets, planned
    on the numbers the change leaves) under ``policy``, and when it would come: the next
    round at ``next_round_at`` (None: not known), ``ran`` False when the guard has never
    run, ``watched_from`` set when the show is still beyond the guard's days ahead."""

    policy: SyncPolicy
    row: SyncRow
    ran: bool
    next_round_at: datetime | None = None
    watched_from: datetime | None = None


def after_change(
    show: SyncShow,
    listing_key: str,
    *,
    remaining_after: int,
    capacity_after: int | None,
    event_capacity_fixed: bool = False,
) -> SyncShow:
    """``show`` as the platforms would hold it once this listing has ``remaining_after``
    seats left (``capacity_after`` in all). On Eventbrite its event's shared seats left
    move with it, unless the event's capacity is set on its own (custom), which a class's
    change does not move (seats left then bound the class as before)."""
    changed = next((x for x in show.listings if x.listing_key == listing_key), None)
    if changed is None:
        return show
    moved = 0 if changed.available is None else remaining_after - changed.available
    shared = changed.channel == Channel.EVENTBRITE and changed.event_id is not None

    def after(lst: SyncListing) -> SyncListing:
        if lst.listing_key == listing_key:
            lst = replace(lst, available=remaining_after, capacity=capacity_after)
            lst = replace(lst, numbers_known=True)
        if (
            shared
            and lst.event_id == changed.event_id
            and lst.event_seats_left is not None
            and not event_capacity_fixed
        ):
            lst = replace(lst, event_seats_left=max(0, lst.event_seats_left + moved))
        return lst

    return replace(show, listings=tuple(after(x) for x in show.listings))


def guard_undo(
    show: SyncShow,
    listing_key: str,
    *,
    remaining_after: int | None,
    capacity_after: int | None,
    saved: GuardPolicy | None,
    status: GuardStatus,
    now: datetime,
    guard_days: int,
    event_capacity_fixed: bool = False,
) -> GuardUndo | None:
    """Whether the guard would write this listing back after the change (pure).

    Only an active policy does: one saved for the show, with the guard not paused (a
    guard that has not run yet counts: it plans the show as soon as it runs). Its plan,
    made on the numbers the change leaves, must have a row the guard takes by itself
    (``choose``: lowering, or raising when the policy allows it) that writes this listing,
    or its Eventbrite event's shared capacity. None when the change leaves numbers that
    are not known, or when the show has started (the guard plans shows to come)."""
    if saved is None or status.paused or remaining_after is None:
        return None
    if show.starts_at is not None and show.starts_at < now:
        return None
    changed = next((x for x in show.listings if x.listing_key == listing_key), None)
    if changed is None:
        return None
    policy = as_sync_policy(saved)
    plan = plan_sync(
        after_change(
            show,
            listing_key,
            remaining_after=remaining_after,
            capacity_after=capacity_after,
            event_capacity_fixed=event_capacity_fixed,
        ),
        policy,
    )
    event = {
        x.listing_key for x in show.listings if changed.event_id and x.event_id == changed.event_id
    }
    row = next(
        (
            r
            for r in choose(plan, allow_raise=saved.allow_raise).apply
            if r.listing_key == listing_key
            or (r.event_target_capacity is not None and r.listing_key in event)
        ),
        None,
    )
    if row is None:
        return None
    horizon = timedelta(days=guard_days)
    later = show.starts_at is not None and show.starts_at > now + horizon
    return GuardUndo(
        policy,
        row,
        ran=status.last_round_at is not None,
        next_round_at=status.next_round_at,
        watched_from=show.starts_at - horizon if later and show.starts_at else None,
    )
