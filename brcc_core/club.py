"""Facts about the Backroom Comedy Club that several modules share, each kept once here.

Production defaults (settings), the pure domain modules and the sandbox's seeded club all
take them from this module, so changing one is a one-line change.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "CHANNEL_NAMES",
    "CLUB_TIMEZONE",
    "DEFAULT_VENUE_CAPACITY",
    "NEARLY_FULL_SHARE",
    "channel_name",
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
