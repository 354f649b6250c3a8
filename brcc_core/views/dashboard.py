"""The dashboard's key figures, upcoming-shows table and chart, from ``BoxOffice.shows()``
(pure: no Streamlit, no I/O; ``brcc_core.ui.dashboard`` renders them).

A number that could not be read stays unknown (``None``/``<NA>``) with its reason next to
it; it is never replaced by 0, because a wrong number on a projector is worse than a gap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
import plotly.graph_objects as go

from brcc_core.common.formats import (
    age_label,
    day_label,
    seats_text,
    show_name,
    time_label,
    when_label,
    whole_percent,
)
from brcc_core.common.keys import show_start
from brcc_core.common.values import TEXT, WHOLE, known, typed_frame, unknown_cells
from brcc_core.common.windows import listings_between, upcoming_shows
from brcc_core.live.health import SYSTEMS, Check, Health
from brcc_core.views.charts import capacity_chart
from brcc_core.views.urgency import flag_detail, show_flag, urgency

KEY_FIGURE_DAYS = 7
UPCOMING_DAYS = 14
MAX_DAYS = 90  # the farthest the dashboard and a meeting link look ahead


def window_days(asked: object, default: int = UPCOMING_DAYS) -> int:
    """Days ahead from an address (``?days=30``): 1 to ``MAX_DAYS``, else ``default``."""
    try:
        days = int(str(asked))
    except ValueError:
        return default
    return days if 1 <= days <= MAX_DAYS else default


@dataclass(frozen=True)
class KeyFigures:
    """The dashboard's headline numbers for the next few days.

    Seats sold, pending and sell-through are None (unknown) as soon as one show in the
    window has an unknown input: a partial total on a projector reads as the real one.
    ``known_shows`` and ``known_sold`` say what the shows that could be read add up to,
    and ``unknown_reasons`` why the others could not.
    """

    days: int
    shows: int
    seats_sold: int | None
    pending: int | None
    venue_capacity: int
    sell_through: float | None
    oversold: int
    nearly_full: int
    unknown: int
    unknown_reasons: tuple[str, ...] = ()
    known_shows: int = 0
    known_sold: int = 0
    over_exposed: int = 0  # shows with more seats on sale across channels than the room has
    exposure_unknown: int = 0  # shows whose exposure could not be said (reason in errors)


def key_figures(shows: pd.DataFrame, now: datetime, days: int = KEY_FIGURE_DAYS) -> KeyFigures:
    """Shows, seats sold, sell-through (sold + pending over venue capacity), pending,
    oversold and over-exposed shows from ``now`` to ``days`` ahead (the dashboard passes
    its chosen horizon, so nothing oversold or over-exposed hides past the first week)."""
    window = upcoming_shows(shows, now, days)
    readable = window[window["sold_known"].astype(bool)]
    complete = len(readable) == len(window)
    capacity = int(window["venue_capacity"].sum())
    known_sold = int(readable["sold"].sum())
    sold = known_sold if complete else None
    pending_values = list(window["pending"])
    pending = (
        int(sum(int(p) for p in pending_values)) if all(known(p) for p in pending_values) else None
    )
    reasons = sorted({e for errs in window.loc[~window["sold_known"], "errors"] for e in errs})
    return KeyFigures(
        days=days,
        shows=len(window),
        seats_sold=sold,
        pending=pending,
        venue_capacity=capacity,
        sell_through=(sold + pending) / capacity
        if capacity and sold is not None and pending is not None
        else None,
        oversold=int(window["oversold"].sum()),
        nearly_full=int(window["nearly_full"].sum()),
        unknown=len(window) - len(readable),
        unknown_reasons=tuple(reasons),
        known_shows=len(readable),
        known_sold=known_sold,
        over_exposed=int(window["over_exposed"].sum()),
        exposure_unknown=int(
            (unknown_cells(window["exposure"]) & ~window["on_sale_unlimited"]).sum()
        ),
    )


UPCOMING_COLUMN_KINDS = {
    "show_key": None,
    "date": None,
    "time": None,
    "show": None,
    "sold_woocommerce": WHOLE,
    "sold_eventbrite": WHOLE,
    "pending": WHOLE,
    "venue_capacity": WHOLE,
    "remaining": WHOLE,
    "on_sale_woocommerce": TEXT,
    "on_sale_eventbrite": TEXT,
    "exposure": TEXT,
    "sell_through": WHOLE,  # whole percent, rounded as every page rounds it
    "flag": None,
    "flag_detail": None,
}
UPCOMING_COLUMNS = list(UPCOMING_COLUMN_KINDS)


def _seats(value, unlimited: bool = False) -> str | None:
    """On sale / exposure as the table prints them: unlimited spelled out, unknown None."""
    return seats_text(value, unlimited) if unlimited or known(value) else None


def upcoming_table(shows: pd.DataFrame) -> pd.DataFrame:
    """The dashboard's upcoming-shows rows: date and time in the club's timezone, sold per
    channel, pending, venue capacity, remaining, seats on sale per channel, the oversell
    exposure, sell-through in whole percent and a flag."""
    rows = []
    for show in shows.to_dict("records"):
        rows.append(
            {
                "show_key": show["show_key"],
                "date": day_label(show["starts_at"]),
                "time": time_label(show["starts_at"]),
                "show": show["title"],
                "sold_woocommerce": show["sold_woocommerce"],
                "sold_eventbrite": show["sold_eventbrite"],
                "pending": show["pending"],
                "venue_capacity": show["venue_capacity"],
                "remaining": show["remaining"],
                "on_sale_woocommerce": _seats(
                    show["on_sale_woocommerce"], bool(show["on_sale_unlimited"])
                ),
                "on_sale_eventbrite": _seats(show["on_sale_eventbrite"]),
                "exposure": _seats(show["exposure"], bool(show["on_sale_unlimited"])),
                "sell_through": whole_percent(show["sell_through"]),
                "flag": show_flag(show),
                "flag_detail": flag_detail(show),
            }
        )
    # unknown seats on sale stay <NA> (TEXT), shown as "unknown"
    return typed_frame(rows, UPCOMING_COLUMN_KINDS)


def act_choices(shows: pd.DataFrame, ticked: Sequence[str] = ()) -> dict[str, str]:
    """*Act on a show*'s choices, show key -> label, most urgent first (``urgency``): the
    oversold, over-exposed and nearly full shows, then the ticked rows, then the rest in
    date order. The first is the default."""
    chosen = set(ticked)
    rows = shows.to_dict("records")

    def rank(row: Mapping) -> tuple:
        key = urgency(row)
        if key[0] < 3:
            return key
        return (3 if row["show_key"] in chosen else 4, 0, row["starts_at"])

    return {
        r["show_key"]: " · ".join(
            part for part in (show_name(r["starts_at"], r["title"]), show_flag(r)) if part
        )
        for r in sorted(rows, key=rank)
    }


GONE_SHOW = "a show no longer in the catalog"


def guarded_show_lines(
    policies: Mapping[str, str], shows: pd.DataFrame, timezone: str
) -> list[str]:
    """The guard panel's shows, 'Fri 11 Dec 21:30 · Friday Late: <policy>', from
    ``policies`` (show key -> the policy in words). A show in ``shows`` (the dashboard's
    window) by its date, time in club time and title; one outside the window by the day
    and time its key holds; one whose key holds neither as ``GONE_SHOW``: never the key."""
    rows = {r["show_key"]: r for r in shows.to_dict("records")} if len(shows) else {}
    lines = []
    for key, policy in policies.items():
        row = rows.get(key)
        start = show_start(key) if isinstance(key, str) else None
        if row is not None:
            name = show_name(row["starts_at"], row["title"], timezone)
        elif start is not None:
            name = f"the show on {when_label(start)} (outside the days shown)"
        else:
            name = GONE_SHOW
        lines.append(f"{name}: {policy}")
    return lines


@dataclass(frozen=True)
class DashboardView:
    """Everything the dashboard draws from one live read, for one horizon: built once and
    handed to every session that shares the read (``BoxOffice.dashboard_view``), so it is
    read-only: a page copies before it changes anything (the chart: projector mode).

    ``now`` is when it was built: the window, key figures and table are as of then, at
    most the live-share seconds before a session shows them (the page says how old the
    numbers are from ``listings``)."""

    now: datetime
    days: int
    listings: pd.DataFrame  # every listing, with the live read's time in its attrs
    window: pd.DataFrame  # the listings from ``now`` to ``days`` ahead
    shows: pd.DataFrame  # ``window`` grouped into shows
    figures: KeyFigures
    upcoming: pd.DataFrame  # the shows from ``now`` to ``days`` ahead, in date order
    table: pd.DataFrame  # ``upcoming_table(upcoming)``
    chart: go.Figure  # capacity vs sold of ``upcoming``


def build_dashboard_view(
    listings: pd.DataFrame,
    group_shows: Callable[[pd.DataFrame], pd.DataFrame],
    now: datetime,
    days: int,
    timezone: str,
) -> DashboardView:
    """The dashboard's frames, figures and chart for ``days`` ahead of ``now``;
    ``group_shows`` is ``BoxOffice.shows`` (saved mappings, else suggestions)."""
    window = listings_between(listings, now, now + timedelta(days=days))
    shows = group_shows(window)
    upcoming = upcoming_shows(shows, now, days)
    return DashboardView(
        now=now,
        days=days,
        listings=listings,
        window=window,
        shows=shows,
        figures=key_figures(shows, now, days),
        upcoming=upcoming,
        table=upcoming_table(upcoming),
        chart=capacity_chart(upcoming, timezone, title=f"Capacity vs sold, next {days} days"),
    )


# --- health, as the dashboard prints it ----------------------------------------------------
HEALTH_ICONS = {"ok": "✅", "degraded": "⚠️", "down": "⛔"}


@dataclass(frozen=True)
class HealthLine:
    name: str
    state: str
    icon: str
    reason: str
    latency: str
    detail: str  # the few words that fit on a badge: budget left, age, free space


def _health_detail(h: Health, latency: str) -> str:
    if h.check is Check.EVENTBRITE:
        calls = f"{h.calls_left:,} calls left this hour" if h.calls_left is not None else ""
        return " · ".join(p for p in (calls, latency if h.state == "ok" else "") if p)
    if h.state != "ok":
        return h.state
    if h.latency_ms is not None:
        return latency
    return h.reason


def health_lines(health: Sequence[Health]) -> list[HealthLine]:
    """Health results as the dashboard prints them (icon, reason, measured latency)."""
    lines = []
    for h in health:
        latency = f"{h.latency_ms:.0f} ms" if h.latency_ms is not None else ""
        icon = HEALTH_ICONS.get(h.state, "❔")
        lines.append(
            HealthLine(h.name, h.state, icon, h.reason, latency, _health_detail(h, latency))
        )
    return lines


def health_summary(health: Sequence[Health], age_seconds: float) -> str:
    """The one line health takes when all is well: the state, what is not ok, and when it
    was measured."""
    lines = health_lines(health)
    measured = age_label(timedelta(seconds=age_seconds), seconds=True)
    troubled = [line for line in lines if line.state != "ok"]
    if not troubled:
        return f"✅ All {len(lines)} systems ok · measured {measured} ago"
    names = ", ".join(f"{line.name} {line.state}" for line in troubled)
    return f"{troubled[0].icon} {names} · measured {measured} ago"


def overall_health(health: Sequence[Health]) -> str:
    """'all down' when every check that talks to a system is down, else the worst state."""
    systems = [h for h in health if h.check in SYSTEMS]
    if systems and all(h.state == "down" for h in systems):
        return "all down"
    states = {h.state for h in health}
    return "down" if "down" in states else "degraded" if "degraded" in states else "ok"
