"""The Sales page's view-model (pure: no Streamlit): how far the Eventbrite orders sync has
got, one show's pace curves, and the takings tables as a manager reads them. The numbers
are ``brcc_core.sales``'s; this module only chooses and labels what the page shows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from brcc_core.common.club import channel_name
from brcc_core.common.formats import when_label
from brcc_core.sales import pace, takings
from brcc_core.sales.eventbrite_orders import PartialSync, sync_state
from brcc_core.sales.history import SalesHistory

HIDDEN = ("occurrence_key", "starts_at")  # shown as the show's name, channel and date


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


@dataclass(frozen=True)
class TakingsTables:
    """The Revenue & no-shows tab between two moments."""

    no_shows_by_weekday: pd.DataFrame
    revenue: pd.DataFrame  # by name (``shown_by_name``), HIDDEN columns kept for the code
    ticket_types: pd.DataFrame  # likewise


def takings_tables(
    sales: pd.DataFrame, *, now: datetime, start: datetime, end: datetime
) -> TakingsTables:
    """No-shows by weekday, revenue per show and channel, and seats per ticket type, of
    the shows that start between ``start`` and ``end``."""
    per_show = takings.no_shows(sales, now=now, start=start, end=end)
    return TakingsTables(
        no_shows_by_weekday=takings.no_shows_by_weekday(per_show),
        revenue=shown_by_name(takings.revenue(sales, start=start, end=end)),
        ticket_types=shown_by_name(takings.ticket_types(sales, start=start, end=end)),
    )


def shown_by_name(frame: pd.DataFrame) -> pd.DataFrame:
    """A takings table as a manager reads it: the date in the club's one format first,
    the channel by name; the occurrence key and raw timestamp stay for the code only."""
    out = frame.assign(channel=frame["channel"].map(channel_name))
    out.insert(0, "when", frame["starts_at"].map(when_label))
    return out
