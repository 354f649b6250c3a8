"""What shows took and who came: revenue, ticket types and no-shows from the sales
history (``history.SALES_COLUMNS``; pure: frames in, frames out).

Gross is what buyers paid for seats still sold (WooCommerce order line totals before tax,
nothing for refunded orders; Eventbrite's gross); net takes off Eventbrite's fees. A show
with any seat whose price could not be read has unknown money, never a smaller total.
The no-show rate is ``1 - checked in / sold`` for shows that have been played.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

REVENUE_COLUMNS = [
    "occurrence_key",
    "channel",
    "title",
    "starts_at",
    "sold",
    "cancelled",
    "gross",
    "fees",
    "net",
    "average_price",
]
NO_SHOW_COLUMNS = [
    "occurrence_key",
    "channel",
    "title",
    "starts_at",
    "sold",
    "checked_in",
    "no_show_rate",
]
WEEKDAY_COLUMNS = ["weekday", "shows", "sold", "checked_in", "no_show_rate"]
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _window(sales: pd.DataFrame, start: datetime | None, end: datetime | None) -> pd.DataFrame:
    out = sales[sales["starts_at"].notna()]
    if start is not None:
        out = out[out["starts_at"] >= pd.Timestamp(start)]
    if end is not None:
        out = out[out["starts_at"] < pd.Timestamp(end)]
    return out


def _sum_or_na(values: pd.Series):
    return pd.NA if values.isna().any() else float(values.sum())


def revenue(
    sales: pd.DataFrame, *, start: datetime | None = None, end: datetime | None = None
) -> pd.DataFrame:
    """``REVENUE_COLUMNS``: one row per show per channel starting in ``[start, end)``."""
    part = _window(sales, start, end)
    rows = []
    for key, group in part.groupby("occurrence_key", sort=False):
        sold = group[group["state"] == "sold"]
        seats = int(sold["seats"].sum())
        gross = _sum_or_na(sold["gross"])
        fees = _sum_or_na(sold["fees"])
        net = pd.NA if pd.isna(gross) or pd.isna(fees) else gross - fees
        rows.append(
            {
                "occurrence_key": key,
                "channel": group["channel"].iloc[0],
                "title": group["title"].iloc[0],
                "starts_at": group["starts_at"].iloc[0],
                "sold": seats,
                "cancelled": int(group.loc[group["state"] == "cancelled", "seats"].sum()),
                "gross": gross,
                "fees": fees,
                "net": net,
                "average_price": pd.NA if pd.isna(gross) or not seats else gross / seats,
            }
        )
    frame = pd.DataFrame(rows, columns=REVENUE_COLUMNS)
    return frame.sort_values(["starts_at", "channel"], ignore_index=True)


def ticket_types(
    sales: pd.DataFrame, *, start: datetime | None = None, end: datetime | None = None
) -> pd.DataFrame:
    """Seats sold per show, channel and ticket type (e.g. Front Row, General Admission)."""
    part = _window(sales, start, end)
    part = part[part["state"] == "sold"]
    grouped = part.groupby(
        ["occurrence_key", "channel", "title", "starts_at", "ticket_type"], dropna=False
    )["seats"].sum()
    return grouped.reset_index().rename(columns={"seats": "sold"})


def no_shows(
    sales: pd.DataFrame,
    *,
    now: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
) -> pd.DataFrame:
    """``NO_SHOW_COLUMNS`` for shows played before ``now``, in ``[start, end)``."""
    part = _window(sales, start, end)
    part = part[(part["starts_at"] < pd.Timestamp(now)) & (part["state"] == "sold")]
    rows = []
    for key, group in part.groupby("occurrence_key", sort=False):
        sold = int(group["seats"].sum())
        came = int(group["checked_in"].sum())
        rows.append(
            {
                "occurrence_key": key,
                "channel": group["channel"].iloc[0],
                "title": group["title"].iloc[0],
                "starts_at": group["starts_at"].iloc[0],
                "sold": sold,
                "checked_in": came,
                "no_show_rate": (1 - came / sold) if sold else pd.NA,
            }
        )
    frame = pd.DataFrame(rows, columns=NO_SHOW_COLUMNS)
    return frame.sort_values(["starts_at", "channel"], ignore_index=True)


def no_shows_by_weekday(per_show: pd.DataFrame) -> pd.DataFrame:
    """``WEEKDAY_COLUMNS`` from a ``no_shows`` frame: seats-weighted rate per weekday."""
    rows = []
    if not per_show.empty:
        days = per_show["starts_at"].dt.day_of_week
        for number, name in enumerate(WEEKDAYS):
            part = per_show[days == number]
            if part.empty:
                continue
            sold, came = int(part["sold"].sum()), int(part["checked_in"].sum())
            rows.append(
                {
                    "weekday": name,
                    "shows": len(part),
                    "sold": sold,
                    "checked_in": came,
                    "no_show_rate": (1 - came / sold) if sold else pd.NA,
                }
            )
    return pd.DataFrame(rows, columns=WEEKDAY_COLUMNS)
