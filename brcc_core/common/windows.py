"""Time windows the pages look through, in the club's timezone (pure: no Streamlit, no I/O).

"Upcoming" starts at the club's local now; pages cut their window of listings before
grouping them into shows (grouping the whole planning window costs 0.5 s at 10x the club).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import pandas as pd

from brcc_core.common import clock
from brcc_core.common.values import known, known_cells

# The door's night runs past midnight: until 4am it is still the evening before's night.
NIGHT_ENDS = timedelta(hours=4)


def club_night(moment: datetime) -> date:
    """The night ``moment`` (in the club's timezone) belongs to: its day, or the day before
    until 4am. Tonight's shows and the page's heading both ask this."""
    return (pd.Timestamp(moment) - NIGHT_ENDS).date()


def club_nights(starts: pd.Series) -> pd.Series:
    """``club_night`` of each start (aware, in the club's timezone)."""
    return (starts - NIGHT_ENDS).dt.date


def local_now(timezone: str) -> pd.Timestamp:
    """Now in the club's timezone: the start of every "upcoming" window."""
    return pd.Timestamp(clock.now()).tz_convert(timezone)


def listings_between(listings: pd.DataFrame, start: datetime, end: datetime) -> pd.DataFrame:
    """Listings starting in ``[start, end)``: the pages group only their window into shows
    (grouping every listing of the planning window costs 0.5 s at 10x the club)."""
    starts = listings["starts_at"]
    return listings[known_cells(starts) & (starts >= start) & (starts < end)]


def listings_on_days(listings: pd.DataFrame, days: Iterable[date]) -> pd.DataFrame:
    """Every listing on these local dates: whole days, so a show is never cut in two."""
    wanted = set(days)
    if not wanted or listings.empty:
        return listings.iloc[0:0]
    local_days = listings["starts_at"].map(lambda t: t.date() if known(t) else None)
    return listings[local_days.isin(wanted)]


def upcoming_shows(shows: pd.DataFrame, now: datetime, days: int) -> pd.DataFrame:
    """Shows starting from ``now`` to ``days`` days ahead, in start order."""
    starts = shows["starts_at"]
    window = shows[(starts >= now) & (starts < now + timedelta(days=days))]
    return window.sort_values("starts_at").reset_index(drop=True)


def played(starts: pd.Series, now: datetime) -> pd.Series:
    """Which of these starts are played dates: started before ``now`` (tonight's show
    counts once it has started). Pace, its curves and chart, no-shows and Comparison's
    past shows all ask this, so a date sold only so far is never taken for a final one.
    An unknown start is not played."""
    return known_cells(starts) & (starts < pd.Timestamp(now))
