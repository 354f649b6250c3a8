"""Pace: is this show selling like the same show usually does? (pure: frames in, frames out)

For an upcoming show, seats sold so far (per channel and together) are set against the
same recurring show's last N played dates (same product slot on the site, same Eventbrite
series) at the same time before the show: their median and quartiles (numpy's default,
linear interpolation), and a projected final count (seats sold now plus the median of what
played dates still sold from this point, capped at the venue capacity). A played date is
one that started before ``now`` (``windows.played``, the one rule): next week's date has
sold only part of its seats, and its "final" is no final. Two flags a manager can act on:
**behind its usual pace** (at least ``BEHIND_MARGIN`` seats below the played dates' lower
quartile) and **on course to sell out by <day>** (the projected path reaches the venue
capacity before the show). The README's "Sales over time" says each rule in a manager's
words.

Time before the show is measured in hours; the curves use whole days and, on the last
day, hours (``GRID_HOURS``). Past occurrences of the two channels that start together
(``same_show_groups``, the catalog's rule) are one past show, so a show moved to another
date still pairs up.
Numbers whose inputs are unknown stay unknown, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property

import numpy as np
import pandas as pd

from brcc_core.common import values
from brcc_core.common.club import Channel, same_show_groups
from brcc_core.common.formats import day_label
from brcc_core.common.keys import (
    channel_of,
    is_eventbrite_key,
    occurrence_of_listing,
    recurring_of_listing,
)
from brcc_core.common.windows import played

BEHIND_MARGIN = 3  # seats below the lower quartile before "behind" is said
MIN_PAST = 2  # played dates needed for a pace
MAX_DAYS = 60
# Hours before the show: every day from MAX_DAYS to 2, then every hour of the last day.
GRID_HOURS: tuple[float, ...] = tuple(
    [float(d * 24) for d in range(MAX_DAYS, 1, -1)] + [float(h) for h in range(24, -1, -1)]
)
SCOPES = ("together", *Channel)
_GRID = np.array(GRID_HOURS)

PACE_COLUMNS = [
    "show_key",
    "title",
    "starts_at",
    "scope",
    "hours_before",
    "sold_now",
    "usual_now",
    "usual_low",
    "usual_high",
    "projected_final",
    "capacity",
    "past_shows",
    "behind",
    "sell_out_by",
    "flag",
    "reason",
]

BEHIND_LABEL = "behind its usual pace"
# The pace curves' own lines; every other line is a played date (the chart draws them so).
THIS_SHOW = "this show"
USUAL = "usual (median)"


@dataclass(frozen=True)
class Occurrence:
    """One show on one channel: when it starts and, per sale, hours before start and seats."""

    key: str
    channel: str
    recurring: str
    starts_at: pd.Timestamp
    hours: np.ndarray  # hours before the start of each sale, ascending
    cumulative: np.ndarray  # seats sold at least hours[i] hours before the start

    def sold_by(self, hours_before: float) -> int:
        """Seats sold at least ``hours_before`` hours before the start."""
        i = int(np.searchsorted(self.hours, hours_before, side="left"))
        return int(self.cumulative[i]) if i < len(self.cumulative) else 0

    @property
    def final(self) -> int:
        return int(self.cumulative[0]) if len(self.cumulative) else 0

    @cached_property
    def on_grid(self) -> np.ndarray:
        """``sold_by`` at every ``GRID_HOURS`` point."""
        i = np.searchsorted(self.hours, _GRID, side="left")
        padded = np.r_[self.cumulative, 0.0]
        return padded[i]


class Occurrences(dict[str, Occurrence]):
    """Occurrences by key, also indexed by recurring key."""

    @cached_property
    def by_recurring(self) -> dict[str, list[Occurrence]]:
        index: dict[str, list[Occurrence]] = {}
        for occ in self.values():
            index.setdefault(occ.recurring, []).append(occ)
        return index

    @cached_property
    def _starts(self) -> pd.Series:
        starts = pd.Series([occ.starts_at for occ in self.values()], index=list(self), dtype=object)
        return pd.to_datetime(starts, utc=True)

    def played_keys(self, now: datetime) -> frozenset[str]:
        """Keys of the occurrences played by ``now`` (``windows.played``). Kept for the
        last ``now`` asked: a pace table asks once per show and scope at one moment, and
        one comparison over every occurrence costs less than one per show."""
        stamp = pd.Timestamp(now)
        cached = self.__dict__.get("_played")  # (moment, keys): one read, shared safely
        if cached is not None and cached[0] == stamp:
            return cached[1]
        starts = self._starts
        keys = frozenset(starts.index[played(starts, stamp).to_numpy(dtype=bool)])
        self.__dict__["_played"] = (stamp, keys)
        return keys


def occurrences(sales: pd.DataFrame) -> Occurrences:
    """Sold seats of ``history.SALES_COLUMNS`` grouped per occurrence (unknown starts
    dropped: they cannot be placed before a show)."""
    sold = sales[(sales["state"] == "sold") & values.known_cells(sales["starts_at"])]
    out = Occurrences()
    if sold.empty:
        return out
    hours = (sold["starts_at"] - sold["sold_at"]).dt.total_seconds().to_numpy() / 3600.0
    seats = sold["seats"].to_numpy(dtype=float)
    keys = sold["occurrence_key"].to_numpy()
    order = np.argsort(keys, kind="stable")
    keys, hours, seats = keys[order], hours[order], seats[order]
    first = sold.iloc[order].drop_duplicates("occurrence_key").set_index("occurrence_key")
    bounds = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1], True])
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        key = keys[a]
        row = first.loc[key]
        h, s = hours[a:b], seats[a:b]
        idx = np.argsort(h, kind="stable")
        h, s = h[idx], s[idx]
        # cumulative[i]: seats sold at hours[i] or earlier (that many hours or more before)
        cumulative = np.cumsum(s[::-1])[::-1]
        out[key] = Occurrence(
            key, row["channel"], row["recurring_key"], row["starts_at"], h, cumulative
        )
    return out


def past_shows(
    by_key: Mapping[str, Occurrence],
    recurring: set[str],
    *,
    before: datetime,
    now: datetime,
    exclude: set[str],
    channel: str | None,
    n: int,
) -> list[list[Occurrence]]:
    """The last ``n`` played dates of the recurring keys earlier than ``before`` (each a
    list of its occurrences on the wanted channel, or both), newest first. Played: started
    before ``now`` (``windows.played``); a date still to come has no final count yet."""
    if isinstance(by_key, Occurrences):
        candidates = [o for r in sorted(recurring) for o in by_key.by_recurring.get(r, [])]
    else:
        candidates = list(by_key.values())
    picked: list[Occurrence] = []
    for occ in candidates:
        if occ.recurring not in recurring or occ.key in exclude:
            continue
        if channel is not None and occ.channel != channel:
            continue
        if occ.starts_at >= before:
            continue
        picked.append(occ)
    if isinstance(by_key, Occurrences):
        done = by_key.played_keys(now)
        picked = [occ for occ in picked if occ.key in done]
    elif picked:
        mask = played(pd.Series([occ.starts_at for occ in picked]), now).to_numpy(dtype=bool)
        picked = [occ for occ, ok in zip(picked, mask, strict=True) if ok]
    return same_show_groups((occ, occ.starts_at) for occ in picked)[::-1][:n]


def too_few_reason(count: int) -> str:
    """Why a show with fewer than ``MIN_PAST`` played dates has no pace."""
    if count == 0:
        return "a new show: no played dates to compare with yet"
    return f"only {count} played date to compare with (pace needs {MIN_PAST})"


def _sold_by(show: list[Occurrence], hours_before: float) -> int:
    return sum(o.sold_by(hours_before) for o in show)


def curve(show: Iterable[Occurrence]) -> np.ndarray:
    """Cumulative seats sold at each ``GRID_HOURS`` point."""
    total = np.zeros(len(_GRID))
    for occ in show:
        total = total + occ.on_grid
    return total


def _sell_out_by(
    past: list[list[Occurrence]],
    sold_now: int,
    hours_now: float,
    capacity: int | None,
    starts_at: pd.Timestamp,
) -> pd.Timestamp | None:
    """When the projected path (sold now + the median of what past shows sold from the
    same point) first reaches ``capacity``; None if it does not before the show."""
    if capacity is None:
        return None
    if sold_now >= capacity:
        return None
    base = np.array([_sold_by(s, hours_now) for s in past], dtype=float)
    curves = np.array([curve(s) for s in past])
    gained = np.median(curves - base[:, None], axis=0)
    ahead = (hours_now > _GRID) & (sold_now + gained >= capacity)
    if not ahead.any():
        return None
    return starts_at - timedelta(hours=float(_GRID[int(np.argmax(ahead))]))


def show_pace(
    *,
    show_key: str,
    title: str,
    starts_at: pd.Timestamp,
    listing_keys: Iterable[str],
    series: Mapping[str, str | None],
    by_key: Mapping[str, Occurrence],
    now: datetime,
    n: int,
    scope: str = "together",
    capacity: int | None = None,
    unknown: Mapping[str, str] | None = None,
) -> dict:
    """One ``PACE_COLUMNS`` row. ``series`` maps an Eventbrite listing key to its series
    id; ``unknown`` maps a channel whose history could not be read to the reason."""
    keys = [k for k in listing_keys if scope == "together" or channel_of(k) == scope]
    row = {
        "show_key": show_key,
        "title": title,
        "starts_at": starts_at,
        "scope": scope,
        "hours_before": (starts_at - pd.Timestamp(now)).total_seconds() / 3600.0,
        "sold_now": pd.NA,
        "usual_now": pd.NA,
        "usual_low": pd.NA,
        "usual_high": pd.NA,
        "projected_final": pd.NA,
        "capacity": capacity if capacity is not None else pd.NA,
        "past_shows": 0,
        "behind": pd.NA,
        "sell_out_by": pd.NaT,
        "flag": None,
        "reason": None,
    }
    channels = {channel_of(k) for k in keys}
    missing = [unknown[c] for c in sorted(channels) if unknown and c in unknown]
    if not keys:
        row["reason"] = f"this show is not sold on {scope}"
        return row
    if missing:
        row["reason"] = "; ".join(missing)
        return row
    own = {occurrence_of_listing(k) for k in keys}
    recurring = {recurring_of_listing(k, series.get(k)) for k in keys}
    hours_now = max(0.0, row["hours_before"])
    sold_now = sum(by_key[k].final for k in own if k in by_key)
    row["sold_now"] = sold_now
    channel = None if scope == "together" else scope
    past = past_shows(
        by_key, recurring, before=starts_at, now=now, exclude=own, channel=channel, n=n
    )
    row["past_shows"] = len(past)
    if len(past) < MIN_PAST:
        row["reason"] = too_few_reason(len(past))
        return row
    at_now = np.array([_sold_by(s, hours_now) for s in past], dtype=float)
    finals = np.array([sum(o.final for o in s) for s in past], dtype=float)
    low, median, high = np.percentile(at_now, [25, 50, 75])
    row["usual_now"] = float(median)
    row["usual_low"] = float(low)
    row["usual_high"] = float(high)
    projected = sold_now + float(np.median(finals - at_now))
    if capacity is not None:
        projected = min(projected, float(capacity))
    row["projected_final"] = round(projected)
    # The documented rule, on the quartile alone: 7 sold against a quartile of 8.75 is
    # within the usual spread, however far below the median.
    behind = bool(low - sold_now >= BEHIND_MARGIN)
    row["behind"] = behind
    sell_out = _sell_out_by(past, sold_now, hours_now, capacity, starts_at)
    if capacity is not None and sold_now >= capacity:
        row["flag"] = "sold out"
    elif sell_out is not None:
        row["sell_out_by"] = sell_out
        row["flag"] = f"on course to sell out by {day_label(sell_out)}"
    elif behind:
        row["flag"] = BEHIND_LABEL
    return row


def pace_table(
    shows: pd.DataFrame,
    listings: pd.DataFrame,
    sales: pd.DataFrame,
    *,
    now: datetime,
    n: int,
    scopes: Iterable[str] = SCOPES,
    unknown: Mapping[str, str] | None = None,
    horizon_days: int | None = None,
    by_key: Occurrences | None = None,
) -> pd.DataFrame:
    """``PACE_COLUMNS`` for every show in ``shows`` (``SHOW_COLUMNS`` frame) not played
    yet (within ``horizon_days`` when given), once per scope the show is sold on; shows
    behind their usual pace first, then the other flagged ones, then the rest, each by
    start. ``by_key``: ``occurrences(sales)`` when already built."""
    by_key = occurrences(sales) if by_key is None else by_key
    series = _series(listings)
    rows = []
    start, end = pd.Timestamp(now), None
    if horizon_days is not None:
        end = start + timedelta(days=horizon_days)
    # A show that has started is played: it is a past date now, not one to pace.
    started = played(shows["starts_at"], now).to_numpy()
    for show, done in zip(shows.itertuples(index=False), started, strict=True):
        if values.unknown(show.starts_at) or done:
            continue
        if end is not None and show.starts_at > end:
            continue
        channels = {channel_of(k) for k in show.listing_keys}
        for scope in scopes:
            if scope != "together" and scope not in channels:
                continue
            rows.append(
                show_pace(
                    show_key=show.show_key,
                    title=show.title,
                    starts_at=show.starts_at,
                    listing_keys=show.listing_keys,
                    series=series,
                    by_key=by_key,
                    now=now,
                    n=n,
                    scope=scope,
                    capacity=values.whole_number(show.venue_capacity),
                    unknown=unknown,
                )
            )
    frame = pd.DataFrame(rows, columns=PACE_COLUMNS)
    for col in ("sold_now", "projected_final", "capacity", "past_shows"):
        frame[col] = frame[col].astype("Int64")
    for col in ("usual_now", "usual_low", "usual_high", "hours_before"):
        frame[col] = frame[col].astype("Float64")
    frame["behind"] = frame["behind"].astype("boolean")
    return _flagged_first(frame)


def _flagged_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Behind their usual pace first (the shows to act on), then the other flags (on
    course to sell out, sold out), then the rest; each by start, scopes in their order."""
    behind = frame["behind"].fillna(False).to_numpy(dtype=bool)
    flagged = values.known_cells(frame["flag"]).to_numpy(dtype=bool)
    tier = np.where(behind, 0, np.where(flagged, 1, 2))
    ordered = frame.assign(_tier=tier).sort_values(["_tier", "starts_at"], kind="stable")
    return ordered.drop(columns="_tier").reset_index(drop=True)


def _series(listings: pd.DataFrame) -> dict[str, str | None]:
    if listings.empty or "series_id" not in listings.columns:
        return {}
    return {
        k: values.text_or_none(s)
        for k, s in zip(listings["listing_key"], listings["series_id"], strict=True)
        if is_eventbrite_key(str(k))
    }


def pace_curves(
    show: Mapping,
    listings: pd.DataFrame,
    sales: pd.DataFrame,
    *,
    now: datetime,
    n: int,
    scope: str = "together",
    by_key: Occurrences | None = None,
) -> pd.DataFrame:
    """Long frame for the pace chart: ``hours_before``, ``line`` (``THIS_SHOW``, each
    played date as ``past_shows`` picks them, ``USUAL``: their median), ``sold``. This
    show's line stops at now. ``by_key``: ``occurrences(sales)`` when already built."""
    by_key = occurrences(sales) if by_key is None else by_key
    keys = [k for k in show["listing_keys"] if scope == "together" or channel_of(k) == scope]
    series = _series(listings)
    own = {occurrence_of_listing(k) for k in keys}
    recurring = {recurring_of_listing(k, series.get(k)) for k in keys}
    channel = None if scope == "together" else scope
    starts_at = show["starts_at"]
    past = past_shows(
        by_key, recurring, before=starts_at, now=now, exclude=own, channel=channel, n=n
    )
    hours_now = (starts_at - pd.Timestamp(now)).total_seconds() / 3600.0
    rows = []
    mine = [by_key[k] for k in own if k in by_key]
    for h in GRID_HOURS:
        if h >= hours_now:
            rows.append({"hours_before": h, "line": THIS_SHOW, "sold": _sold_by(mine, h)})
    if hours_now > 0:
        rows.append(
            {"hours_before": hours_now, "line": THIS_SHOW, "sold": _sold_by(mine, hours_now)}
        )
    curves = []
    for s in past:
        label = day_label(s[0].starts_at, year=True)
        values = curve(s)
        curves.append(values)
        rows.extend(
            {"hours_before": h, "line": label, "sold": v}
            for h, v in zip(GRID_HOURS, values, strict=True)
        )
    if curves:
        median = np.median(np.array(curves, dtype=float), axis=0)
        rows.extend(
            {"hours_before": h, "line": USUAL, "sold": float(v)}
            for h, v in zip(GRID_HOURS, median, strict=True)
        )
    return pd.DataFrame(rows, columns=["hours_before", "line", "sold"])
