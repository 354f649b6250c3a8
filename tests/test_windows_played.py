"""One rule says which dates are played (issue 25): started before now."""

from __future__ import annotations

import pandas as pd

from brcc_core.common.windows import played

# Thu 3 Dec 2026, 20:00 in Toronto: the 19:30 show has started, the 21:30 one has not.
NOW = pd.Timestamp("2026-12-03 20:00", tz="America/Toronto")


def test_a_date_is_played_once_it_has_started_and_not_before() -> None:
    starts = pd.Series(
        [
            pd.Timestamp("2026-11-26 19:30", tz="America/Toronto"),  # last week
            pd.Timestamp("2026-12-03 19:30", tz="America/Toronto"),  # tonight, started
            pd.Timestamp("2026-12-03 21:30", tz="America/Toronto"),  # tonight, to come
            pd.Timestamp("2026-12-10 19:30", tz="America/Toronto"),  # next week
            pd.NaT,  # a start nobody could read
        ]
    )
    assert played(starts, NOW).tolist() == [True, True, False, False, False]


def test_the_rule_reads_moments_not_clock_faces() -> None:
    # 20:00 Toronto is 01:00 UTC the next day: a UTC start of 00:30 has been played.
    starts = pd.Series([pd.Timestamp("2026-12-04 00:30", tz="UTC")])
    assert played(starts, NOW).tolist() == [True]
