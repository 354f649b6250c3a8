"""Facts about the Backroom Comedy Club that several modules share, each kept once here.

Production defaults (settings), the pure domain modules and the sandbox's seeded club all
take them from this module, so changing one is a one-line change.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from brcc_core.common.values import whole_number

__all__ = [
    "CHANNEL_NAMES",
    "CLUB_TIMEZONE",
    "DEFAULT_VENUE_CAPACITY",
    "MAX_SEATS",
    "NEARLY_FULL_SHARE",
    "channel_name",
    "seat_number",
]

# Every date and time the app shows is in the club's local time (BRCC_TIMEZONE overrides).
CLUB_TIMEZONE = "America/Toronto"
# Seats in the room: the capacity a show is held to unless a manager sets another
# (BRCC_VENUE_CAPACITY overrides; docs/domain.md section 6).
DEFAULT_VENUE_CAPACITY = 55
# Share of the capacity sold or pending at which a show (or a listing) is flagged nearly full:
# the dashboard, the shows table and the comparison cards all flag at the same point.
NEARLY_FULL_SHARE = 0.9

# The two channels a show is sold on, by the key listings, audit rows and links use, with the
# name a manager reads on screen and in messages.
CHANNEL_NAMES: Mapping[str, str] = MappingProxyType(
    {"woocommerce": "WooCommerce", "eventbrite": "Eventbrite"}
)


def channel_name(channel: str) -> str:
    """The display name of a channel key; a key the app does not know is shown as it is."""
    return CHANNEL_NAMES.get(channel, channel)


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
