"""The Tonight page's view-model (pure: no Streamlit): each of tonight's shows as the door
reads it, both channels together and apart, in club time and the manager's words.

The numbers are ``brcc_core.sales.door``'s rows (one per show and channel); this module
adds the show's totals, its room capacity and the seats still to sell at the door, and
says why a figure is unknown instead of printing "None"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from brcc_core.common.club import channel_name
from brcc_core.common.formats import day_label, header, isolate, time_label
from brcc_core.common.values import known, whole_number
from brcc_core.common.windows import club_night

UNKNOWN = "—"
BOTH_CHANNELS = "Both channels"
# The per-channel table's columns, in the order the door reads them: who is still to come
# first, then how the show got there.
DOOR_TABLE = ("channel", "to_arrive", "checked_in", "sold", "pending")
REASON = "Unknown because"


def night_day(now: datetime, timezone: str) -> str:
    """'Wed 2 Dec': the night the page lists, by the rule that picks its shows
    (``club_night``), so at 00:30 on Thursday it is still Wednesday's night, not 'Thu 3 Dec'."""
    return day_label(club_night(pd.Timestamp(now).tz_convert(timezone)))


def night_heading(now: datetime, timezone: str) -> str:
    """'Wed 2 Dec (tonight)': what the page is headed with."""
    return f"{night_day(now, timezone)} (tonight)"


@dataclass(frozen=True)
class DoorFigure:
    """One of a show's figures: a whole number, or unknown with the reason."""

    value: int | None
    reason: str | None = None

    @property
    def text(self) -> str:
        return UNKNOWN if self.value is None else f"{self.value:,}"


@dataclass(frozen=True)
class DoorShow:
    """One of tonight's shows at the door: both channels together (the figures) and apart
    (``channels``, one row per channel with its reason when a figure is unknown)."""

    show_key: str
    heading: str
    sold: DoorFigure
    checked_in: DoorFigure
    to_arrive: DoorFigure
    pending: DoorFigure
    room: DoorFigure
    left_at_door: DoorFigure
    channels: pd.DataFrame


def _total(part: pd.DataFrame, column: str) -> DoorFigure:
    """The channels' sum, unknown (with each channel's reason) when one of them is: a
    partial total would tell the door more people are in than are."""
    values = [whole_number(v) for v in part[column]]
    if all(v is not None for v in values):
        return DoorFigure(sum(values))  # type: ignore[arg-type]
    reasons = [
        f"{channel_name(row.channel)}: {row.error if known(row.error) else 'not read'}"
        for row, value in zip(part.itertuples(index=False), values, strict=True)
        if value is None
    ]
    return DoorFigure(None, "; ".join(reasons))


def _left_at_door(room: DoorFigure, sold: DoorFigure, pending: DoorFigure) -> DoorFigure:
    """Seats the door may still sell: the room less what is sold and pending on both
    channels, never below 0 (an oversold room has none to sell, not a negative number)."""
    if room.value is None:
        return DoorFigure(None, "the show's room capacity is unknown")
    for figure in (sold, pending):
        if figure.value is None:
            return DoorFigure(None, figure.reason)
    return DoorFigure(max(0, room.value - sold.value - pending.value))  # type: ignore[operator]


def _channels_table(part: pd.DataFrame) -> pd.DataFrame:
    """One row per channel under the manager's headers, each figure written out ("—"
    when unknown) and the reason in its own column only when a figure is unknown."""
    rows = []
    for row in part.itertuples(index=False):
        cells = {header("channel"): channel_name(row.channel)}
        for column in DOOR_TABLE[1:]:
            cells[header(column)] = DoorFigure(whole_number(getattr(row, column))).text
        cells[REASON] = str(row.error) if known(row.error) else ""
        rows.append(cells)
    table = pd.DataFrame(rows)
    if not (table[REASON] != "").any():
        table = table.drop(columns=REASON)
    return table


def door_shows(frame: pd.DataFrame, timezone: str) -> list[DoorShow]:
    """Tonight's shows from the door rows (``sales.door.DOOR_COLUMNS``), in start order."""
    shows = []
    for show_key, part in frame.groupby("show_key", sort=False):
        first = part.iloc[0]
        sold = _total(part, "sold")
        pending = _total(part, "pending")
        capacity = whole_number(first["venue_capacity"])
        room = DoorFigure(capacity, None if capacity is not None else "not set")
        shows.append(
            DoorShow(
                show_key=str(show_key),
                heading=f"{time_label(first['starts_at'], timezone)} · {isolate(first['title'])}",
                sold=sold,
                checked_in=_total(part, "checked_in"),
                to_arrive=_total(part, "to_arrive"),
                pending=pending,
                room=room,
                left_at_door=_left_at_door(room, sold, pending),
                channels=_channels_table(part),
            )
        )
    return shows
