"""Facts about the Backroom Comedy Club that several modules share, each kept once here.

Production defaults (settings), the pure domain modules and the sandbox's seeded club all
take them from this module, so changing one is a one-line change.
"""

from __future__ import annotations

__all__ = ["CLUB_TIMEZONE", "DEFAULT_VENUE_CAPACITY"]

# Every date and time the app shows is in the club's local time (BRCC_TIMEZONE overrides).
CLUB_TIMEZONE = "America/Toronto"
# Seats in the room: the capacity a show is held to unless a manager sets another
# (BRCC_VENUE_CAPACITY overrides; docs/domain.md section 6).
DEFAULT_VENUE_CAPACITY = 55
