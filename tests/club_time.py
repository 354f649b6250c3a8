"""The moments the suite runs at. Every test runs on the app's clock (brcc_core.common.clock)
set to SUITE_MOMENT through BRCC_NOW (conftest.py), so a seed's "today", the upcoming
window, pace and the door view are the same on any day the suite is run; a test that needs
another moment says so with ``@pytest.mark.moment("<ISO 8601 with offset>")``."""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

CLUB_TZ = ZoneInfo("America/Toronto")

# Wednesday 2 December 2026, 14:00 in Toronto: a weekday afternoon, hours before the
# evening's shows (every weekday has some), so "tonight", "upcoming" and the seed's sales
# (made up to 09:00 of the seed day) are all well defined whatever the suite's run time.
PINNED_MOMENT = "2026-12-02T14:00:00-05:00"
# BRCC_TEST_MOMENT runs the suite at another moment, to find tests that still depend on
# the day (README "Tests at another date"); CI runs it at the pinned moment.
SUITE_MOMENT = os.environ.get("BRCC_TEST_MOMENT") or PINNED_MOMENT
SUITE_DAY = datetime.fromisoformat(SUITE_MOMENT).astimezone(CLUB_TZ).date()


def club_moment(text: str) -> datetime:
    """An ISO moment in the club's timezone (for expectations written in club time)."""
    return datetime.fromisoformat(text).astimezone(CLUB_TZ)
