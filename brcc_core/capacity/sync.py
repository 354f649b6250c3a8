"""Sync: absolute targets for every listing of a show, so the two channels together
cannot oversell the room, or can only by an amount the plan states (docs/domain.md section 6).

With venue capacity ``T``, total sold ``S`` and pending ``P``, the room has
``A = T - S - P`` seats left. Neither platform can be locked from outside, so a policy
decides how many of those seats each channel may still sell:

- ``mirror``: every channel shows all ``A`` (the old tool's sync); exposure
  ``(channels - 1) * A`` seats could be oversold before the next sync;
- ``split``: ``A`` divided between the channels by a ratio; exposure 0;
- ``buffer``: ``N`` seats held back, every channel shows ``A - N``.

Exposure is the Dashboard's measure (``brcc_core.live.shows.oversell_exposure``: seats on
sale across the channels minus ``A``): a plan states it now, as the Dashboard shows it, and
after the plan. Pending unknown (an Eventbrite event's carts not read) makes ``A`` unknown,
as it does on every page: the plan is not made on a guess of 0.

Targets are absolute per listing (remaining seats, hence capacity), computed from the
facts, never deltas relayed from one channel to the other. Pure: ``plan_sync`` takes a
``SyncShow`` and a ``SyncPolicy`` and returns a ``SyncPlan``; applying a plan goes
through the change engine (``brcc_core.capacity.engine``) one row at a time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Literal

import pandas as pd

from brcc_core.capacity.preview import ListingState, not_writable
from brcc_core.channels.eventbrite_seats import sellable_together
from brcc_core.common.availability import NOT_BUYABLE_NOW, Availability
from brcc_core.common.club import Channel, channel_name
from brcc_core.common.values import WHOLE, known, typed_frame, whole_number
from brcc_core.live.shows import oversell_exposure

SyncKind = Literal["mirror", "split", "buffer"]
RowAction = Literal["change", "keep", "leave"]

SYNC_ROW_COLUMN_KINDS = {
    "show_key": None,
    "show": None,
    "listing_key": None,
    "channel": None,
    "title": None,
    "sold": WHOLE,
    "pending": WHOLE,
    "capacity": WHOLE,
    "remaining": WHOLE,
    "target_capacity": WHOLE,
    "target_remaining": WHOLE,
    "action": None,
    "reason": None,
}
SYNC_ROW_COLUMNS = list(SYNC_ROW_COLUMN_KINDS)


@dataclass(frozen=True)
class SyncPolicy:
    """How the room's remaining seats are offered on the channels.

    ``ratio`` (split): channel -> weight, e.g. ``{Channel.WOOCOMMERCE: 1, Channel.EVENTBRITE: 1}``;
    a channel of the show with no weight gets none of the seats. ``buffer``: seats held
    back from every channel (the ``buffer`` policy; also honoured by ``split``).
    """

    kind: SyncKind = "mirror"
    ratio: Mapping[str, float] = field(default_factory=dict)
    buffer: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("mirror", "split", "buffer"):
            raise ValueError(f"unknown sync policy {self.kind!r}")
        if self.buffer < 0:
            raise ValueError("the buffer cannot be negative")
        if any(w < 0 for w in self.ratio.values()):
            raise ValueError("split weights cannot be negative")

    def describe(self) -> str:
        if self.kind == "mirror":
            return "mirror: every channel shows all remaining seats"
        if self.kind == "buffer":
            return f"buffer: {self.buffer} seat(s) held back, every channel shows the rest"
        # Channel names as the manager reads them ("Website 1, Eventbrite 1"), never the
        # stored code names.
        weights = ", ".join(
            f"{channel_name(ch)} {w:g}"
            for ch, w in sorted(self.ratio.items(), key=lambda item: channel_name(item[0]))
        )
        held = f", {self.buffer} held back" if self.buffer else ""
        return f"split ({weights or 'equal'}){held}"


@dataclass(frozen=True)
class SyncListing:
    """What the plan needs of one listing. ``available`` None = unlimited."""

    listing_key: str
    channel: str
    title: str = ""
    sold: int | None = 0
    pending: int | None = 0
    capacity: int | None = None
    available: int | None = None
    error: str | None = None
    kind: str = ""
    status: str = Availability.ON_SALE
    event_id: str | None = None
    series_id: str | None = None
    numbers_known: bool = True  # False: remaining unknown (<NA>), not unlimited
    # Eventbrite: the event's seats left, shared by its classes (None: unlimited or
    # unknown), and what a class not on sale yet will sell once it opens.
    event_seats_left: int | None = None
    available_later: int = 0

    @property
    def remaining_known(self) -> bool:
        return self.numbers_known

    @classmethod
    def from_row(cls, row: Mapping) -> SyncListing:
        """From a ``build_listings`` row, read as the change engine reads it."""
        seen = ListingState.from_row(row)
        # Every field the two share is read once, there; the title is the slot's if any.
        shared = {f.name for f in fields(cls)} & {f.name for f in fields(ListingState)}
        return cls(
            **{name: getattr(seen, name) for name in shared - {"title"}},
            title=seen.slot_label or seen.title,
            numbers_known=seen.available is not None or seen.unlimited,
            available_later=whole_number(row.get("available_later")) or 0,
        )


@dataclass(frozen=True)
class SyncShow:
    show_key: str
    title: str
    venue_capacity: int
    listings: tuple[SyncListing, ...]
    starts_at: datetime | None = None
    # The show's exposure now, as the Dashboard shows it (the shows frame's ``exposure``;
    # None: unknown, or no bound when ``unbounded_now``: unlimited stock on the site).
    exposure_now: int | None = None
    unbounded_now: bool = False


def sync_show(show: Mapping, listings: pd.DataFrame) -> SyncShow:
    """A row of the shows frame plus the listings frame → what ``plan_sync`` needs."""
    keys = list(show["listing_keys"])
    rows = listings[listings["listing_key"].isin(keys)].to_dict("records")
    order = {k: i for i, k in enumerate(keys)}
    rows.sort(key=lambda r: order[r["listing_key"]])
    starts_at = show.get("starts_at")
    unbounded = show.get("on_sale_unlimited")
    return SyncShow(
        show_key=str(show["show_key"]),
        title=str(show.get("title") or show["show_key"]),
        venue_capacity=int(show["venue_capacity"]),
        listings=tuple(SyncListing.from_row(r) for r in rows),
        starts_at=starts_at if known(starts_at) else None,
        exposure_now=whole_number(show.get("exposure")),
        unbounded_now=bool(known(unbounded) and unbounded),
    )


@dataclass(frozen=True)
class SyncRow:
    """One listing's line of the dry run. ``remaining`` None = unlimited.

    ``action``: "change" (write the target), "keep" (already at target) or "leave" (the
    plan will not touch it; ``reason`` says why).
    """

    show_key: str
    listing_key: str
    channel: str
    title: str
    sold: int | None
    pending: int | None
    capacity: int | None
    remaining: int | None
    target_capacity: int | None
    target_remaining: int | None
    action: RowAction
    reason: str | None = None
    # A series date's class that carries its event's seats: the write is to the event's
    # shared capacity (sold and pending of all its classes plus the seats left), from
    # ``event_capacity`` to ``event_target_capacity``; None on every other row.
    event_capacity: int | None = None
    event_target_capacity: int | None = None

    @property
    def row_key(self) -> str:
        return f"{self.show_key}|{self.listing_key}"


@dataclass(frozen=True)
class SyncPlan:
    show_key: str
    title: str
    starts_at: datetime | None
    policy: SyncPolicy
    venue_capacity: int
    sold: int | None
    pending: int | None
    room_remaining: int | None  # A = T - S - P; None when sold is unknown
    offered: int | None  # seats each channel's share comes from (A minus the buffer)
    oversold: bool
    exposure: int | None  # seats that could be oversold after this plan, before the next
    # sync; None: no bound (an unlimited listing left alone) or unknown (one whose remaining
    # is unknown)
    rows: tuple[SyncRow, ...]
    notes: tuple[str, ...] = ()
    exposure_now: int | None = None  # the Dashboard's exposure of the show (SyncShow's)
    unbounded_now: bool = False

    @property
    def changes(self) -> tuple[SyncRow, ...]:
        return tuple(r for r in self.rows if r.action == "change")

    def frame(self) -> pd.DataFrame:
        return plans_frame([self])


def plans_frame(plans: Sequence[SyncPlan]) -> pd.DataFrame:
    """The dry-run table of several plans, one row per listing."""
    records = [
        {
            "show_key": plan.show_key,
            "show": plan.title,
            "listing_key": row.listing_key,
            "channel": row.channel,
            "title": row.title,
            "sold": row.sold,
            "pending": row.pending,
            "capacity": row.capacity,
            "remaining": row.remaining,
            "target_capacity": row.target_capacity,
            "target_remaining": row.target_remaining,
            "action": row.action,
            "reason": row.reason,
        }
        for plan in plans
        for row in plan.rows
    ]
    return typed_frame(records, SYNC_ROW_COLUMN_KINDS)


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` seats split by ``weights`` (largest remainder; ties to the first), so the
    parts always add up to ``total``. All-zero weights: equal parts."""
    if not weights:
        return []
    if total <= 0:
        return [0] * len(weights)
    if sum(weights) <= 0:
        weights = [1.0] * len(weights)
    scale = sum(weights)
    exact = [total * w / scale for w in weights]
    parts = [int(x) for x in exact]
    left = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def _leave_reason(listing: SyncListing) -> str | None:
    """Why the plan leaves a listing alone: what refuses a change by hand (the same
    words), then what only a plan leaves (a started show, a class not on sale now)."""
    refused = not_writable(listing)
    if refused is not None:
        return refused.text
    if listing.status == Availability.PAST:
        return "the show has started"
    if listing.status in NOT_BUYABLE_NOW:
        return f"{listing.status.replace('_', ' ')}: buyers cannot buy it now"
    return None


def _left_selling(listings: Sequence[SyncListing], leave: Mapping[str, str], covered: set[str]):
    """Seats the listings left alone can still sell, per channel, and whether any is
    unbounded (unlimited) or unknown. An Eventbrite event's classes share its seats left,
    so what they sell together is never more than that (not a sum of class remainders)."""
    per_channel: dict[str, int] = {}
    unbounded = unknown = False
    per_event: dict[str, list[SyncListing]] = {}
    for lst in listings:
        if (
            lst.listing_key not in leave
            or lst.listing_key in covered
            or lst.status == Availability.PAST
        ):
            continue
        if lst.available is None and lst.status not in NOT_BUYABLE_NOW:
            unbounded = unbounded or lst.numbers_known
            unknown = unknown or not lst.numbers_known
            continue
        if lst.channel == Channel.EVENTBRITE and lst.event_id:
            per_event.setdefault(lst.event_id, []).append(lst)
            continue
        per_channel[lst.channel] = per_channel.get(lst.channel, 0) + max(0, lst.available or 0)
    for members in per_event.values():
        each = [x for m in members for x in (m.available or 0, m.available_later)]
        selling = sellable_together(each, members[0].event_seats_left)
        per_channel[Channel.EVENTBRITE] = per_channel.get(Channel.EVENTBRITE, 0) + selling
    return per_channel, unbounded, unknown


def plan_sync(show: SyncShow, policy: SyncPolicy) -> SyncPlan:
    """Absolute targets for every listing of ``show`` under ``policy`` (see module doc)."""
    listings = show.listings
    unknown = [lst.listing_key for lst in listings if lst.sold is None]
    no_pending = [lst.listing_key for lst in listings if lst.pending is None]
    sold = None if unknown else sum(lst.sold or 0 for lst in listings)
    pending = None if no_pending else sum(lst.pending or 0 for lst in listings)
    if sold is None or pending is None:
        what, keys = ("sold", unknown) if sold is None else ("pending", no_pending)
        names = ", ".join(_name(lst) for lst in listings if lst.listing_key in keys)
        reason = f"{what} unknown on {names}: the room's remaining seats are unknown"
        # The listing whose sold is unknown says why in the words a change by hand would.
        rows = tuple(
            _row(show, lst, "leave", None, str(not_writable(lst) or reason)) for lst in listings
        )
        return SyncPlan(
            show.show_key,
            show.title,
            show.starts_at,
            policy,
            show.venue_capacity,
            None,
            pending,
            None,
            None,
            False,
            None,
            rows,
            (f"Cannot plan: {reason}.",),
            show.exposure_now,
            show.unbounded_now,
        )

    room = show.venue_capacity - sold - pending
    oversold = room < 0
    buffer = policy.buffer if policy.kind in ("buffer", "split") else 0
    offered = max(0, room - buffer)
    notes: list[str] = []
    if oversold:
        notes.append(
            f"Oversold by {-room}: {sold + pending} sold or pending for "
            f"{show.venue_capacity} seats. Every channel closes (0 remaining)."
        )

    # Who the plan may change. A multi-class Eventbrite series date changes capacity per
    # event (capacity tier), so one of its classes carries the event's share.
    leave: dict[str, str] = {}
    covered: set[str] = set()  # left alone because an event-level sibling carries their seats
    carrier: dict[str, str] = {}
    for lst in listings:
        reason = _leave_reason(lst)
        if reason:
            leave[lst.listing_key] = reason
            continue
        if lst.channel == Channel.EVENTBRITE and lst.series_id and lst.event_id:
            first = carrier.setdefault(lst.event_id, lst.listing_key)
            if first != lst.listing_key:
                covered.add(lst.listing_key)
                through = next(x for x in listings if x.listing_key == first)
                leave[lst.listing_key] = (
                    f"sells from its event's shared capacity, set on the {_name(through)} row"
                )
    units = [lst for lst in listings if lst.listing_key not in leave]
    shared = {
        key for event, key in carrier.items() if sum(1 for x in listings if x.event_id == event) > 1
    }

    channels = sorted({lst.channel for lst in listings})
    if policy.kind == "split":
        weights = [float(policy.ratio.get(ch, 0.0)) if policy.ratio else 1.0 for ch in channels]
        if policy.ratio and sum(weights) <= 0:
            notes.append("No split weight for this show's channels: every channel gets 0.")
            shares = [0] * len(channels)
        else:
            shares = allocate(offered, weights)
        share = dict(zip(channels, shares, strict=True))
    else:
        share = dict.fromkeys(channels, offered)

    # Listings left alone still sell what they show: that comes off their channel's share.
    selling_by_channel, unbounded, unknown_left = _left_selling(listings, leave, covered)
    left_selling = sum(selling_by_channel.values())
    for ch, selling in selling_by_channel.items():
        share[ch] = max(0, share.get(ch, 0) - selling)

    targets: dict[str, int] = {}
    for ch in channels:
        members = [u for u in units if u.channel == ch]
        weights = [float(u.capacity) if u.capacity else 0.0 for u in members]
        for unit, part in zip(members, allocate(share[ch], weights), strict=True):
            targets[unit.listing_key] = part
    notes.extend(_cap_by_event_seats(units, targets, set(carrier.values())))

    rows = []
    for lst in listings:
        if lst.listing_key in leave:
            rows.append(_row(show, lst, "leave", None, leave[lst.listing_key]))
            continue
        target = targets[lst.listing_key]
        current = lst.available
        row = None
        if lst.listing_key in shared:
            # It carries the event's seats left: that is what the write sets, through the
            # event's shared capacity (the views say so in the manager's words).
            current = lst.event_seats_left if lst.event_seats_left is not None else current
            action: RowAction = "keep" if current == target else "change"
            row = _event_row(show, lst, listings, action, current, target)
        else:
            action = "keep" if current == target else "change"
            row = _row(show, lst, action, target, None)
        rows.append(row)

    sellable = sum(targets.values()) + left_selling
    # The Dashboard's measure, of what the channels would have on sale after this plan.
    exposure = whole_number(oversell_exposure([sellable], room, unbounded or unknown_left))
    if unbounded:
        notes.append("A listing left alone is unlimited: the exposure has no bound.")
    elif unknown_left:
        notes.append("A listing left alone has unknown remaining seats: exposure unknown.")
    elif exposure:
        notes.append(
            f"Exposure: up to {exposure} seat(s) could be oversold before the next sync "
            f"({sellable} offered for {max(room, 0)} left)."
        )
    return SyncPlan(
        show_key=show.show_key,
        title=show.title,
        starts_at=show.starts_at,
        policy=policy,
        venue_capacity=show.venue_capacity,
        sold=sold,
        pending=pending,
        room_remaining=room,
        offered=offered,
        oversold=oversold,
        exposure=exposure,
        rows=tuple(rows),
        notes=tuple(notes),
        exposure_now=show.exposure_now,
        unbounded_now=show.unbounded_now,
    )


def _cap_by_event_seats(
    units: Sequence[SyncListing], targets: dict[str, int], carriers: set[str]
) -> list[str]:
    """Keep the targets of each Eventbrite event's classes within its seats left: a class
    write cannot raise the event's capacity, so more would be targets Eventbrite never
    sells (and a later capacity raise would then open them all at once). A carrier sets
    the event's seats left itself (capacity tier), so it is not capped."""
    notes = []
    per_event: dict[str, list[SyncListing]] = {}
    for unit in units:
        if (
            unit.channel == Channel.EVENTBRITE
            and unit.event_id
            and unit.listing_key not in carriers
        ):
            per_event.setdefault(unit.event_id, []).append(unit)
    for members in per_event.values():
        wanted = sum(targets[m.listing_key] for m in members)
        room = sellable_together(
            [targets[m.listing_key] for m in members], members[0].event_seats_left
        )
        if wanted <= room:
            continue
        weights = [float(targets[m.listing_key]) for m in members]
        for member, part in zip(members, allocate(room, weights), strict=True):
            targets[member.listing_key] = part
        notes.append(
            f"The Eventbrite event of {_name(members[0])} has {room} seat(s) left under its own "
            f"capacity: its classes get {room}, not {wanted} (raise the event capacity on "
            "Eventbrite to offer more there)."
        )
    return notes


def _name(lst: SyncListing) -> str:
    """A listing in a plan's words: its ticket class or title and channel, never its key."""
    return f"{lst.title or 'untitled listing'} ({channel_name(lst.channel)})"


def _event_row(
    show: SyncShow,
    lst: SyncListing,
    listings: Sequence[SyncListing],
    action: RowAction,
    current: int | None,
    target: int,
) -> SyncRow:
    """The row of a class that carries its series date's seats: the event's shared capacity
    now and after (what the write changes), beside the class's own numbers."""
    row = _row(show, lst, action, target, None)
    members = [x for x in listings if x.event_id == lst.event_id]
    held = sum((x.sold or 0) + (x.pending or 0) for x in members)
    before = None if current is None else held + current
    return replace(row, event_capacity=before, event_target_capacity=held + target)


def _row(
    show: SyncShow,
    lst: SyncListing,
    action: RowAction,
    target: int | None,
    reason: str | None,
) -> SyncRow:
    target_capacity = None
    if target is not None:
        target_capacity = (lst.sold or 0) + (lst.pending or 0) + target
    return SyncRow(
        show_key=show.show_key,
        listing_key=lst.listing_key,
        channel=lst.channel,
        title=lst.title,
        sold=lst.sold,
        pending=lst.pending,
        capacity=lst.capacity,
        remaining=lst.available,
        target_capacity=target_capacity,
        target_remaining=target,
        action=action,
        reason=reason,
    )
