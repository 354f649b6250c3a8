"""What shows took and who came: revenue, ticket types and no-shows from the sales
history (``history.SALES_COLUMNS``; pure: frames in, frames out).

Gross is what buyers paid for seats still sold (WooCommerce order line totals before tax;
Eventbrite's gross, which includes its fees and any tax); net takes off Eventbrite's
fees. Refunded and cancelled seats are not sold on either channel: no money and never a
no-show. A show with any seat whose price could not be read has unknown money, never a
smaller total. Money is rounded to cents. The no-show rate is ``1 - checked in / sold``
for shows that have been played (``windows.played``); by weekday, and in the revenue per
show, a show is both channels' listings of one performance (``same_show_groups``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from brcc_core.common import values
from brcc_core.common.club import Channel, channel_name, same_show_groups
from brcc_core.common.keys import channel_of, occurrence_of_listing, show_key
from brcc_core.common.windows import played

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
# One row per show (both channels' occurrences of one performance), the channels as columns.
SHOW_REVENUE_COLUMNS = [
    "show_key",
    "starts_at",
    "title",
    *(f"sold_{c}" for c in Channel),
    "sold",
    "cancelled",
    *(f"gross_{c}" for c in Channel),
    "gross",
    "fees",
    "net",
    "average_price",
]
# The period's totals: one row per channel, then both together (``TOGETHER``).
TOTAL_COLUMNS = ["scope", "shows", "sold", "cancelled", "gross", "fees", "net", "average_price"]
TOGETHER = "together"
WEEKDAY_COLUMNS = ["weekday", "shows", "sold", "checked_in", "no_show_rate"]
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _window(sales: pd.DataFrame, start: datetime | None, end: datetime | None) -> pd.DataFrame:
    out = sales[values.known_cells(sales["starts_at"])]
    if start is not None:
        out = out[out["starts_at"] >= pd.Timestamp(start)]
    if end is not None:
        out = out[out["starts_at"] < pd.Timestamp(end)]
    return out


def _cents(amount: float) -> float:
    """Money to the cent: float sums of prices carry binary noise (63.989999999999995)."""
    return round(float(amount), 2)


def _sum_or_na(column: pd.Series):
    return pd.NA if values.unknown_cells(column).any() else _cents(column.sum())


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
        net = pd.NA if values.unknown(gross) or values.unknown(fees) else _cents(gross - fees)
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
                "average_price": pd.NA
                if values.unknown(gross) or not seats
                else _cents(gross / seats),
            }
        )
    frame = pd.DataFrame(rows, columns=REVENUE_COLUMNS)
    return frame.sort_values(["starts_at", "channel"], ignore_index=True)


def _known_sum(amounts: Iterable) -> object:
    """The sum to the cent, or unknown when any part is."""
    amounts = list(amounts)
    return pd.NA if any(values.unknown(a) for a in amounts) else _cents(sum(amounts))


def _net(gross: object, fees: object) -> object:
    return pd.NA if values.unknown(gross) or values.unknown(fees) else _cents(gross - fees)


def _average(gross: object, seats: object) -> object:
    if values.unknown(gross) or values.unknown(seats) or not seats:
        return pd.NA
    return _cents(gross / seats)


def show_title(occurrences: pd.DataFrame) -> str:
    """One title for a show sold on both channels: the website's (the club's own name for
    it) when the website sells it, else Eventbrite's."""
    return str(occurrences.sort_values("channel", ascending=False)["title"].iloc[0])


def revenue_by_show(
    per_channel: pd.DataFrame, unknown: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """``SHOW_REVENUE_COLUMNS`` from a ``revenue`` frame: both channels' rows of one
    performance (``same_show_groups``) as one row, seats and gross per channel and
    together. A channel that did not sell the show sold 0 for $0; a channel in
    ``unknown`` (its history could not be read) is unknown, and so are the totals."""
    rows = []
    for members in same_show_groups(zip(per_channel.index, per_channel["starts_at"], strict=True)):
        group = per_channel.loc[members]
        row: dict = {
            "show_key": show_key(group["starts_at"].iloc[0]),
            "starts_at": group["starts_at"].iloc[0],
            "title": show_title(group),
        }
        cancelled = []
        for channel in Channel:
            part = group[group["channel"] == channel]
            if unknown and channel in unknown:
                row[f"sold_{channel}"] = row[f"gross_{channel}"] = pd.NA
                cancelled.append(pd.NA)
                continue
            row[f"sold_{channel}"] = int(part["sold"].sum())
            row[f"gross_{channel}"] = _known_sum(part["gross"])
            cancelled.append(int(part["cancelled"].sum()))
        sold = [row[f"sold_{c}"] for c in Channel]
        row["sold"] = pd.NA if any(values.unknown(s) for s in sold) else sum(sold)
        row["cancelled"] = pd.NA if any(values.unknown(c) for c in cancelled) else sum(cancelled)
        row["gross"] = _known_sum(row[f"gross_{c}"] for c in Channel)
        # Only Eventbrite charges fees here; unread, its fees are unknown, not none.
        eventbrite_unread = bool(unknown) and Channel.EVENTBRITE in unknown
        row["fees"] = pd.NA if eventbrite_unread else _known_sum(group["fees"])
        row["net"] = _net(row["gross"], row["fees"])
        row["average_price"] = _average(row["gross"], row["sold"])
        rows.append(row)
    return pd.DataFrame(rows, columns=SHOW_REVENUE_COLUMNS)


def revenue_totals(
    per_channel: pd.DataFrame, unknown: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """``TOTAL_COLUMNS`` of a ``revenue`` frame: each channel's shows, seats and money,
    then both together (``shows`` counting a performance sold on both channels once).
    Unknown when a price, or the channel's history, could not be read."""
    rows = []
    for channel in Channel:
        part = per_channel[per_channel["channel"] == channel]
        if unknown and channel in unknown:
            rows.append({"scope": channel, **dict.fromkeys(TOTAL_COLUMNS[1:], pd.NA)})
            continue
        gross, fees = _known_sum(part["gross"]), _known_sum(part["fees"])
        sold = int(part["sold"].sum())
        rows.append(
            {
                "scope": channel,
                "shows": len(part),
                "sold": sold,
                "cancelled": int(part["cancelled"].sum()),
                "gross": gross,
                "fees": fees,
                "net": _net(gross, fees),
                "average_price": _average(gross, sold),
            }
        )
    shows = len(same_show_groups(zip(per_channel.index, per_channel["starts_at"], strict=True)))
    together: dict = {"scope": TOGETHER, "shows": shows}
    for column in TOTAL_COLUMNS[2:-1]:
        parts = [r[column] for r in rows]
        if column in ("sold", "cancelled"):
            together[column] = pd.NA if any(values.unknown(p) for p in parts) else sum(parts)
        else:
            together[column] = _known_sum(parts)
    together["average_price"] = _average(together["gross"], together["sold"])
    return pd.DataFrame([*rows, together], columns=TOTAL_COLUMNS)


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
    part = part[played(part["starts_at"], now) & (part["state"] == "sold")]
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
    """``WEEKDAY_COLUMNS`` from a ``no_shows`` frame: seats-weighted rate per weekday.
    ``shows`` counts performances: a show sold on both channels is one row per channel in
    ``per_show`` but one show (``same_show_groups``, the catalog's rule), on the weekday
    of its first start."""
    rows = []
    if not per_show.empty:
        starts = per_show["starts_at"]
        days = pd.Series(0, index=per_show.index)
        firsts = []  # one row per show
        for members in same_show_groups(zip(per_show.index, starts, strict=True)):
            days.loc[members] = starts.loc[members[0]].day_of_week
            firsts.append(members[0])
        for number, name in enumerate(WEEKDAYS):
            part = per_show[days == number]
            if part.empty:
                continue
            sold, came = int(part["sold"].sum()), int(part["checked_in"].sum())
            rows.append(
                {
                    "weekday": name,
                    "shows": int((days.loc[firsts] == number).sum()),
                    "sold": sold,
                    "checked_in": came,
                    "no_show_rate": (1 - came / sold) if sold else pd.NA,
                }
            )
    return pd.DataFrame(rows, columns=WEEKDAY_COLUMNS)


@dataclass(frozen=True)
class Takings:
    """What one show took, per channel: seats ``sold``, ``net`` money (buyers' gross less
    Eventbrite's fees), the ``average_price`` a seat was sold at (gross / seats) and seats
    per ticket type. A channel whose history or a price could not be read is None, and so
    are the totals; ``unknown`` says why."""

    sold: Mapping[str, int | None]
    net: Mapping[str, float | None]
    gross: float | None
    total_net: float | None
    average_price: float | None
    ticket_types: Mapping[str, int] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()


def takings_of(
    sales: pd.DataFrame,
    listing_keys: Iterable[str],
    unknown: Mapping[str, str] | None = None,
) -> Takings:
    """``Takings`` of the show sold by ``listing_keys``; ``unknown`` maps a channel whose
    history could not be read to the reason (its numbers stay unknown)."""
    by_channel: dict[str, set[str]] = {}
    for key in listing_keys:
        channel = channel_of(key)
        by_channel.setdefault(channel, set()).add(occurrence_of_listing(key))
    sold: dict[str, int | None] = {}
    net: dict[str, float | None] = {}
    gross: list[float | None] = []
    reasons = []
    types: dict[str, int] = {}
    for channel in Channel:
        if channel not in by_channel:
            continue
        if unknown and channel in unknown:
            sold[channel] = net[channel] = None
            gross.append(None)
            reasons.append(unknown[channel])
            continue
        part = sales[sales["occurrence_key"].isin(by_channel[channel])]
        part = part[part["state"] == "sold"]
        sold[channel] = int(part["seats"].sum())
        channel_gross, fees = _sum_or_na(part["gross"]), _sum_or_na(part["fees"])
        known = not (values.unknown(channel_gross) or values.unknown(fees))
        net[channel] = _cents(channel_gross - fees) if known else None
        gross.append(None if values.unknown(channel_gross) else _cents(channel_gross))
        if not known:
            reasons.append(f"a {channel_name(channel)} price could not be read")
        for kind, seats in part.groupby("ticket_type", dropna=False)["seats"].sum().items():
            name = kind if isinstance(kind, str) else "unknown type"
            types[name] = types.get(name, 0) + int(seats)
    total_gross = None if any(g is None for g in gross) else _cents(sum(gross))
    seats = None if any(v is None for v in sold.values()) else sum(sold.values())
    return Takings(
        sold=sold,
        net=net,
        gross=total_gross,
        total_net=None if any(v is None for v in net.values()) else _cents(sum(net.values())),
        average_price=_cents(total_gross / seats) if total_gross is not None and seats else None,
        ticket_types=dict(sorted(types.items())),
        unknown=tuple(reasons),
    )


PAST_SHOW_COLUMNS = ["show_key", "starts_at", "title", "listing_keys", "channels"]


def past_shows(sales: pd.DataFrame, *, before: datetime) -> pd.DataFrame:
    """Shows of the history that started before ``before``, keyed like the catalog's
    (``show:YYYY-MM-DDTHH:MM``, local time, of its first start), both channels' occurrences
    of one show together (``same_show_groups``, the catalog's rule): what Comparison can
    still pick once the catalog no longer lists them."""
    part = sales[played(sales["starts_at"], before)]
    rows = []
    for members in same_show_groups(enumerate(part["starts_at"])):
        group = part.iloc[members]
        firsts = group.drop_duplicates("occurrence_key")
        rows.append(
            {
                "show_key": show_key(group["starts_at"].iloc[0]),
                "starts_at": group["starts_at"].iloc[0],
                "title": show_title(firsts),
                "listing_keys": tuple(sorted(firsts["occurrence_key"])),
                "channels": tuple(sorted(set(firsts["channel"]))),
            }
        )
    return pd.DataFrame(rows, columns=PAST_SHOW_COLUMNS)
