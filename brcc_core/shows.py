"""Shows: one performance in the room, grouping the listings of both channels that sell it.

The club has one room, so listings that start at the same local time (within a
tolerance) are the same performance. This is a suggestion; saved mappings confirmed by
a manager take precedence once they exist.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

SHOW_COLUMNS = [
    "show_key",
    "starts_at",
    "title",
    "listing_keys",
    "channels",
    "venue_capacity",
    "sold_woocommerce",
    "sold_eventbrite",
    "sold",
    "pending",
    "remaining",
    "sell_through",
    "oversold",
    "nearly_full",
    "sold_known",
    "errors",
]


def suggest_shows(
    listings: pd.DataFrame,
    venue_capacity: int = 55,
    tolerance: timedelta = timedelta(minutes=10),
    nearly_full: float = 0.9,
) -> pd.DataFrame:
    """Group listings into shows by local start time; flag oversold and nearly full.

    ``remaining`` = venue capacity - sold - pending (negative when oversold). Sold is
    ``<NA>`` when any listing's sold is unknown: a partial total would look like a real
    one.
    """
    timed = listings[listings["starts_at"].notna()].sort_values("starts_at")
    groups: list[list[int]] = []
    group_start = None
    for idx, starts_at in timed["starts_at"].items():
        if group_start is None or starts_at - group_start > tolerance:
            groups.append([])
            group_start = starts_at
        groups[-1].append(idx)

    rows = []
    for members in groups:
        part = timed.loc[members]
        starts_at = part["starts_at"].iloc[0]
        sold_by_channel = {
            ch: part.loc[part["channel"] == ch, "sold"] for ch in ("woocommerce", "eventbrite")
        }
        known = bool(part["sold"].notna().all())
        sold = int(part["sold"].sum()) if known else pd.NA
        pending = int(part["pending"].fillna(0).sum())
        remaining = venue_capacity - sold - pending if known else pd.NA
        errors = [e for e in part["error"].dropna().unique()]
        wc_titles = part.loc[part["channel"] == "woocommerce", "slot_label"].dropna()
        title = wc_titles.iloc[0] if len(wc_titles) else part["title"].iloc[0]
        rows.append(
            {
                "show_key": f"show:{starts_at.strftime('%Y-%m-%dT%H:%M')}",
                "starts_at": starts_at,
                "title": title,
                "listing_keys": tuple(part["listing_key"]),
                "channels": tuple(sorted(part["channel"].unique())),
                "venue_capacity": venue_capacity,
                "sold_woocommerce": _channel_sum(sold_by_channel["woocommerce"]),
                "sold_eventbrite": _channel_sum(sold_by_channel["eventbrite"]),
                "sold": sold,
                "pending": pending,
                "remaining": remaining,
                "sell_through": (sold + pending) / venue_capacity if known else pd.NA,
                "oversold": bool(known and sold + pending > venue_capacity),
                "nearly_full": bool(
                    known and venue_capacity * nearly_full <= sold + pending <= venue_capacity
                ),
                "sold_known": known,
                "errors": tuple(errors),
            }
        )
    df = pd.DataFrame(rows, columns=SHOW_COLUMNS)
    for col in ("sold_woocommerce", "sold_eventbrite", "sold", "remaining"):
        df[col] = pd.array([None if pd.isna(v) else int(v) for v in df[col]], dtype="Int64")
    df["sell_through"] = pd.array(
        [None if pd.isna(v) else float(v) for v in df["sell_through"]], dtype="Float64"
    )
    return df


def _channel_sum(values: pd.Series):
    if values.empty:
        return 0
    return int(values.sum()) if values.notna().all() else pd.NA
