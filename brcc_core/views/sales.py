"""The Sales page's view-model (pure: no Streamlit): how far the Eventbrite orders sync has
got and whether the page starts the first one, the pace rows with each show's flag or the
reason it has no pace beside its name, one show's pace curves, and the takings tables as
a manager reads them, every time in the club's timezone. The numbers are
``brcc_core.sales``'s; this module only chooses and labels what the page shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from brcc_core.common.club import Channel, channel_name
from brcc_core.common.downloads import csv_bytes
from brcc_core.common.formats import header, show_name, when_label
from brcc_core.common.values import known, known_cells
from brcc_core.sales import pace, takings
from brcc_core.sales.eventbrite_orders import PartialSync, sync_state
from brcc_core.sales.history import SalesHistory

# Shown as the show's name, channel and date; kept in the frames for the code.
HIDDEN = ("occurrence_key", "show_key", "starts_at")
SCOPE_LABELS = {takings.TOGETHER: "Both channels", **{c: c.label for c in Channel}}


def sync_caption(synced_at: datetime | None, partial: PartialSync | None, timezone: str) -> str:
    """The line beside Sync Eventbrite orders: the sync's state in its one wording, and
    what that means for the page (pace unknown until a first sync completes)."""
    text = sync_state(synced_at, partial, timezone)
    if synced_at is None:
        text += ": Eventbrite pace is unknown until a sync completes."
    else:
        text += "."
    if partial is not None:
        text += " Sync continues from there."
    return text


def show_pace_curves(
    show: Mapping,
    listings: pd.DataFrame,
    history: SalesHistory,
    *,
    now: datetime,
    n: int,
    scope: str,
) -> pd.DataFrame:
    """The pace chart's curves for one show: its sales so far against its played dates."""
    return pace.pace_curves(
        show, listings, history.frame, now=now, n=n, scope=scope, by_key=history.occurrences
    )


def first_sync_needed(synced_at: datetime | None, partial: PartialSync | None) -> bool:
    """Whether the page starts the Eventbrite orders sync itself: only when orders were
    never synced and no sync stopped part-way (the manager goes on with that one)."""
    return synced_at is None and partial is None


def first_sync_hold(calls_left: int, reserve: int) -> str | None:
    """Why the first sync waits, or None to start it: the hour's calls left are down to
    those kept for capacity changes, which the sync would not touch anyway."""
    if calls_left > reserve:
        return None
    return (
        f"Eventbrite orders have not been synced yet: {calls_left:,} Eventbrite calls are "
        f"left this hour and {reserve:,} are kept for capacity changes. Press Sync "
        "Eventbrite orders once more calls are free."
    )


# --- pace ---------------------------------------------------------------------------------
BEHIND_MARK = "⚠️"  # a show to act on, as the dashboard marks one
SELLING_MARK = "🔥"  # on course to sell out, or sold out
NO_PACE_MARK = "❓"


def pace_note(row: Mapping) -> str:
    """What a pace row says beside the show's name: its flag, or why it has no pace."""
    if known(row.get("flag")):
        behind = row.get("behind")
        mark = BEHIND_MARK if known(behind) and bool(behind) else SELLING_MARK
        return f"{mark} {row['flag']}"
    if known(row.get("reason")):
        return f"{NO_PACE_MARK} no pace: {row['reason']}"
    return ""


def pace_rows(
    table: pd.DataFrame, scope: str, timezone: str, *, flagged_only: bool = False
) -> pd.DataFrame:
    """One scope's pace rows in the pace table's order (flagged first: never re-sorted
    here), with ``show``: the show's name and, beside it, its flag or why it has no pace,
    so neither hides in a column off a phone's screen. ``flagged_only`` keeps the
    flagged rows (behind, on course to sell out, sold out)."""
    part = table[table["scope"] == scope]
    if flagged_only:
        part = part[known_cells(part["flag"])]
    notes = [pace_note(r) for r in part.to_dict("records")]
    names = [
        show_name(t, title, timezone)
        for t, title in zip(part["starts_at"], part["title"], strict=True)
    ]
    shown = [" · ".join(p for p in pair if p) for pair in zip(names, notes, strict=True)]
    return part.assign(show=pd.Series(shown, index=part.index, dtype=object))


@dataclass(frozen=True)
class TakingsTables:
    """The Revenue & no-shows tab between two moments."""

    no_shows_by_weekday: pd.DataFrame
    totals: pd.DataFrame  # one row per channel and both together, ``scope`` by name
    revenue: pd.DataFrame  # one row per show, HIDDEN columns kept for the code
    ticket_types: pd.DataFrame  # by name (``shown_by_name``), likewise


def takings_tables(
    sales: pd.DataFrame,
    *,
    now: datetime,
    start: datetime,
    end: datetime,
    timezone: str,
    unknown: Mapping[str, str] | None = None,
) -> TakingsTables:
    """No-shows by weekday, the period's totals, revenue per show (the channels as
    columns) and seats per ticket type, of the shows that start between ``start`` and
    ``end``; ``unknown``: the channels whose history could not be read, and why."""
    per_show = takings.no_shows(sales, now=now, start=start, end=end)
    per_channel = takings.revenue(sales, start=start, end=end)
    totals = takings.revenue_totals(per_channel, unknown)
    by_show = takings.revenue_by_show(per_channel, unknown)
    by_show.insert(0, "when", by_show["starts_at"].map(lambda t: when_label(t, timezone)))
    return TakingsTables(
        no_shows_by_weekday=takings.no_shows_by_weekday(per_show),
        totals=totals.assign(scope=totals["scope"].map(SCOPE_LABELS)),
        revenue=by_show,
        ticket_types=shown_by_name(takings.ticket_types(sales, start=start, end=end), timezone),
    )


def revenue_csv(revenue: pd.DataFrame) -> bytes:
    """Download revenue CSV: the per-show table as shown, under the page's headers."""
    shown = revenue.drop(columns=[c for c in HIDDEN if c in revenue.columns])
    return csv_bytes(shown.rename(columns=header))


def shown_by_name(frame: pd.DataFrame, timezone: str) -> pd.DataFrame:
    """A takings table as a manager reads it: the date in the club's one format and
    timezone first, the channel by name; the occurrence key and raw timestamp stay for
    the code only."""
    out = frame.assign(channel=frame["channel"].map(channel_name))
    out.insert(0, "when", frame["starts_at"].map(lambda t: when_label(t, timezone)))
    return out
