"""Facts about the Backroom Comedy Club that several modules share, each kept once here.

Production defaults (settings), the pure domain modules and the sandbox's seeded club all
take them from this module, so changing one is a one-line change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from brcc_core.common.values import whole_number

__all__ = [
    "CLUB_TIMEZONE",
    "Channel",
    "DEFAULT_VENUE_CAPACITY",
    "HOURLY_LIMIT",
    "MAX_SEATS",
    "NEARLY_FULL_SHARE",
    "SAME_SHOW_WITHIN",
    "channel_name",
    "is_nearly_full",
    "same_show_groups",
    "seat_number",
]

# Every date and time the app shows is in the club's local time (BRCC_TIMEZONE overrides).
CLUB_TIMEZONE = "America/Toronto"
# Seats in the room: the capacity a show is held to unless a manager sets another
# (BRCC_VENUE_CAPACITY overrides; docs/domain.md section 6).
DEFAULT_VENUE_CAPACITY = 55
# Eventbrite's calls an hour per token, whoever makes them (channels/eventbrite_budget
# counts against it); every text that names the limit formats this number.
HOURLY_LIMIT = 2000
# Share of the capacity sold or pending at which a show (or a listing) is flagged nearly full:
# the dashboard, the shows table and the comparison cards all flag at the same point.
NEARLY_FULL_SHARE = 0.9


def is_nearly_full(used: int | None, capacity: int | None) -> bool:
    """Sold and pending (``used``) at ``NEARLY_FULL_SHARE`` of the capacity or more, but not
    beyond it (that is oversold, flagged instead). Unknown numbers, or a capacity of 0 (no
    seats to fill), are never nearly full."""
    if used is None or not capacity or capacity < 0:
        return False
    return capacity * NEARLY_FULL_SHARE <= used <= capacity


class Channel(StrEnum):
    """The two channels a show is sold on. The values are the words listings, frames, keys,
    audit rows, the state database and links already store, so they never change; each
    channel has one display name, the manager's word for it (``label``)."""

    WOOCOMMERCE = "woocommerce"
    EVENTBRITE = "eventbrite"

    @property
    def label(self) -> str:
        """What a manager reads on every screen, header, chart, CSV and message: the club's
        own WordPress/WooCommerce shop is "the website" to them, whatever runs it."""
        return "Website" if self is Channel.WOOCOMMERCE else "Eventbrite"


# The club has one room, so listings starting within this of each other are one performance.
# Ten minutes, not the exact minute: the two channels' listings of one show are typed in by
# hand and may start a few minutes apart (a 20:00 Eventbrite event for a website slot at
# 20:05); not half an hour either, so an early and a late show never merge.
SAME_SHOW_WITHIN = timedelta(minutes=10)
_Item = TypeVar("_Item")


def same_show_groups(starts: Iterable[tuple[_Item, datetime]]) -> list[list[_Item]]:
    """The one "same show" rule, for the catalog's shows, pace's past weeks and the sales
    history's past shows alike: ``(item, start)`` pairs grouped in start order, a group
    taking every start at most ``SAME_SHOW_WITHIN`` after its first (so a group never
    stretches beyond it, however many listings chain in). Equal starts keep their order."""
    groups: list[list[_Item]] = []
    first: datetime | None = None
    for item, start in sorted(starts, key=lambda pair: pair[1]):
        if first is None or start - first > SAME_SHOW_WITHIN:
            groups.append([])
            first = start
        groups[-1].append(item)
    return groups


def channel_name(channel: object) -> str:
    """The display name of a channel (a ``Channel`` or its stored value, as frames and audit
    rows hold it); anything else is shown as it is, never hidden."""
    try:
        return Channel(channel).label
    except ValueError:
        return str(channel)


# No room has more seats than this, and no stock or capacity can exceed it. A larger
# number from WooCommerce, WordPress or Eventbrite is a mistake (or an attack): it is shown
# as unknown with the reason, never summed into a total or drawn on a chart.
MAX_SEATS = 1_000_000


def seat_number(
    value: object, name: str, *, negative_ok: bool = False
) -> tuple[int | None, str | None]:
    """A seat count (capacity, stock, sold) from an outside system, by the one rule every
    reader applies: ``(number, None)``; ``(None, None)`` when absent (None or blank);
    ``(None, why)`` when it is not a whole number (``values.whole_number``) from 0 (or
    ``-MAX_SEATS`` where stock may go below zero, oversold) to ``MAX_SEATS``, e.g. 12.7,
    1e30, "9" * 40, "NaN", "inf".
    """
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    number = whole_number(value, low=-MAX_SEATS if negative_ok else 0, high=MAX_SEATS)
    if number is None:
        # str() of an int of thousands of digits raises; such a number is just "beyond".
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**24:
            shown = f"more than {MAX_SEATS:,}"
        else:
            shown = repr(value)[:24].strip("'")
        return None, f"impossible {name} ({shown})"
    return number, None
