"""The Inventory page's view-model (pure: no Streamlit, no I/O; ``brcc_core.ui.inventory``
and its tabs render it): the note beside an Eventbrite listing, the Sync dry run as a
table, and the session's catalog once a change has read Eventbrite's numbers afresh."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import pandas as pd

from brcc_core.capacity.engine import ChangeResult, catalog_reads
from brcc_core.capacity.guard_choice import GuardUndo
from brcc_core.capacity.sync import SyncPlan, SyncPolicy, SyncRow, plans_frame
from brcc_core.catalog.build import Catalog
from brcc_core.catalog.merge import patch_catalog
from brcc_core.channels.eventbrite_seats import seats_note
from brcc_core.common.club import Channel, channel_name
from brcc_core.common.formats import SYNC_ACTIONS, seats_text, when_label

# The dry run's columns in the order a manager reads a row at a desk's width: which
# listing, what the sync does to it (from → to), and why; the show, channel and the sales
# behind the numbers last. The listing by name instead of by key (a manager never reads a
# key alone).
DRY_RUN_COLUMNS = [
    "listing",
    "action",
    "remaining",
    "target_remaining",
    "capacity",
    "target_capacity",
    "reason",
    "show",
    "channel",
    "sold",
    "pending",
]


def row_change_text(row: SyncRow) -> str:
    """What applying a dry-run row writes, in the manager's terms. A series date's class
    that carries its event's seats writes the event's shared capacity, so that is what it
    says ("the event's shared capacity 55 → 75 (Front Row can then sell 30)"), never the
    class's own capacity, which the write does not set."""
    if row.event_target_capacity is not None:
        before = seats_text(row.event_capacity)
        return (
            f"the event's shared capacity {before} → {row.event_target_capacity} "
            f"({row.title} can then sell {seats_text(row.target_remaining)})"
        )
    return f"remaining {seats_text(row.remaining, unlimited=True)} → {row.target_remaining}"


def guard_undo_warning(undo: GuardUndo, *, now: datetime, timezone: str) -> str:
    """The confirmation panel's warning that the unattended guard would write a change back
    (``capacity.guard_choice.guard_undo`` decides it), in the manager's terms: the show's
    sync rule, when the guard would come, what it would set, and what to do first."""
    row = undo.row
    if undo.watched_from is not None:
        when = (
            f"from {when_label(undo.watched_from, timezone)}, when the show comes within the "
            "days it watches, a round"
        )
    elif not undo.ran:
        when = "its first round, once it is started,"
    elif undo.next_round_at is not None and undo.next_round_at > now:
        minutes = math.ceil((undo.next_round_at - now).total_seconds() / 60)
        when = f"its next round (within {'a minute' if minutes <= 1 else f'{minutes} min'})"
    else:
        when = "its next round"
    if row.event_target_capacity is not None:
        what = (
            f"set the event's shared capacity on {channel_name(row.channel)} back to "
            f"{row.event_target_capacity} ({row.title} selling {row.target_remaining})"
        )
    else:
        what = (
            f"set this listing back to {row.target_remaining} seats on sale on "
            f"{channel_name(row.channel)} (capacity {seats_text(row.target_capacity)})"
        )
    return (
        f"The guard keeps this show on a {undo.policy.kind} sync: {when} would {what}. "
        "Pause the guard or change the show's sync rule first (Dashboard, Unattended guard)."
    )


def guard_policy_line(policy: SyncPolicy | None, *, allow_raise: bool, paused: bool) -> str:
    """One line of the Sync tab: the policy the guard keeps a show on, if a manager saved one."""
    if policy is None:
        return "Unattended guard: no saved policy for this show; the guard leaves it alone."
    does = "lowers and raises" if allow_raise else "only lowers"
    state = " (the guard is paused)" if paused else ""
    return (
        f"Unattended guard: keeps this show on {policy.describe()}; it {does} what is on "
        f"sale{state}."
    )


def change_order(rows: pd.DataFrame) -> pd.DataFrame:
    """A show's listings in the order the Change tab offers them, the first opened by
    default: the website's first (the manager's own listing, the one they come to change),
    then Eventbrite's; on each channel a limited listing before an unlimited one (whose
    capacity has no number to step from), then by start."""
    channel_rank = (rows["channel"] != Channel.WOOCOMMERCE).astype(int)
    unlimited = rows["unlimited"].astype("boolean").fillna(False).astype(int)
    return (
        rows.assign(_channel=channel_rank, _unlimited=unlimited)
        .sort_values(["_channel", "_unlimited", "starts_at"], kind="stable")
        .drop(columns=["_channel", "_unlimited"])
    )


def seats_caption(row: Mapping | pd.Series) -> str | None:
    """What an Eventbrite listing adds under its numbers: the event's seats left, shared by
    its ticket types, and what this class sells once its sales open. None for a listing
    that has no such note (WooCommerce, or an event whose seats were not read)."""
    if row["channel"] != Channel.EVENTBRITE or "event_seats_left" not in row:
        return None
    return seats_note(row["event_seats_left"], row.get("available_later"))


def dry_run_frame(plans: Sequence[SyncPlan]) -> pd.DataFrame:
    """One row per listing of these plans: the show, the channel and the listing by name,
    what it has now, what the sync would make it (the action in words), and why."""
    table = plans_frame(plans)
    rows = [row for plan in plans for row in plan.rows]
    # A class carrying its event's seats: the event's shared capacity is what changes, so
    # the capacity columns and the Why say that, not the class's own capacity.
    event = [row.event_target_capacity is not None for row in rows]
    why = [row_change_text(row) if e else row.reason for row, e in zip(rows, event, strict=True)]
    capacity = [
        row.event_capacity if e else row.capacity for row, e in zip(rows, event, strict=True)
    ]
    target = [
        row.event_target_capacity if e else row.target_capacity
        for row, e in zip(rows, event, strict=True)
    ]
    return table.assign(
        channel=table["channel"].map(channel_name),
        listing=table["title"],
        action=table["action"].map(SYNC_ACTIONS),
        reason=pd.Series(why, index=table.index, dtype="object"),
        capacity=pd.array(capacity, dtype="Int64"),
        target_capacity=pd.array(target, dtype="Int64"),
    )


def catalog_after(catalog: Catalog, results: Iterable[ChangeResult]) -> Catalog:
    """``catalog`` with Eventbrite's numbers as these changes just read them, so the page
    shows what the engine saw, not the last refresh's numbers."""
    return patch_catalog(catalog, *catalog_reads(results))
