"""The dashboard's key figures and upcoming-shows table, from ``BoxOffice.shows()``
(pure: no Streamlit, no I/O; ``brcc_core.ui.dashboard`` renders them).

A number that could not be read stays unknown (``None``/``<NA>``) with its reason next to
it; it is never replaced by 0, because a wrong number on a projector is worse than a gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from brcc_core.values import known, nullable_ints
from brcc_core.windows import WEEKDAYS, upcoming_shows

KEY_FIGURE_DAYS = 7
UPCOMING_DAYS = 14


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
        exposure_unknown=int((window["exposure"].isna() & ~window["on_sale_unlimited"]).sum()),
    )


UPCOMING_COLUMNS = [
    "show_key",
    "date",
    "time",
    "show",
    "sold_woocommerce",
    "sold_eventbrite",
    "pending",
    "venue_capacity",
    "remaining",
    "on_sale_woocommerce",
    "on_sale_eventbrite",
    "exposure",
    "sell_through",
    "flag",
]
UNLIMITED = "unlimited"


def exposure_flag(row: Mapping) -> str:
    """The over-exposed warning in the manager's words, or "" when the show is not."""
    if not row["over_exposed"]:
        return ""
    if row["on_sale_unlimited"]:
        return "🔓 over-exposed: unlimited seats on sale on the site"
    return f"🔓 over-exposed: {int(row['exposure']):,} more seats on sale than the room has"


def show_flag(row: Mapping) -> str:
    """The words a manager scans for: oversold beats nearly full beats unknown, and an
    over-exposed show says so too (it can still sell seats the room does not have)."""
    if row["oversold"]:
        state = "⛔ oversold"
    elif row["nearly_full"]:
        state = "⚠️ nearly full"
    elif not row["sold_known"]:
        state = "❓ sold unknown"
    else:
        state = ""
    return " · ".join(part for part in (state, exposure_flag(row)) if part)


def _seats(value, unlimited: bool = False) -> str | None:
    """On sale / exposure as the table prints them: unlimited spelled out, unknown None."""
    if unlimited:
        return UNLIMITED
    return f"{int(value):,}" if known(value) else None


def upcoming_table(shows: pd.DataFrame) -> pd.DataFrame:
    """The dashboard's upcoming-shows rows: date and time in the club's timezone, sold per
    channel, pending, venue capacity, remaining, seats on sale per channel, the oversell
    exposure, sell-through in percent and a flag."""
    rows = []
    for show in shows.to_dict("records"):
        st_pct = show["sell_through"]
        rows.append(
            {
                "show_key": show["show_key"],
                "date": f"{WEEKDAYS[show['starts_at'].weekday()]} {show['starts_at']:%d %b}",
                "time": f"{show['starts_at']:%H:%M}",
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
                "sell_through": round(float(st_pct) * 100, 1) if known(st_pct) else None,
                "flag": show_flag(show),
            }
        )
    table = pd.DataFrame(rows, columns=UPCOMING_COLUMNS)
    for col in ("sold_woocommerce", "sold_eventbrite", "pending", "venue_capacity", "remaining"):
        table[col] = nullable_ints(table[col])
    table["sell_through"] = pd.array([v for v in table["sell_through"]], dtype="Float64")
    for col in ("on_sale_woocommerce", "on_sale_eventbrite", "exposure"):
        table[col] = table[col].astype("string")  # unknown stays <NA>, shown as "unknown"
    return table
