"""Pace compares a show with its played dates only (issue 25): a weekly Thursday show with 8
played dates (8 Oct to 26 Nov 2026) and next week's date, Thu 3 Dec, partly sold, seen on
the suite's pinned moment (Wed 2 Dec 2026 14:00, passed as ``now``: pace is pure).

Every played date sold its "early" website seats 300 hours before the show, 30 more on the
website and 8 on Eventbrite in the last 10 hours. Thu 3 Dec had its 4 early seats 300 hours
before and 6 + 2 more since: 12 so far, a number that is not its final one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from brcc_core.sales.pace import (
    BEHIND_LABEL,
    BEHIND_MARGIN,
    MIN_PAST,
    pace_curves,
    pace_table,
    too_few_reason,
)
from brcc_core.sales.site_history import sales_frame

TZ = ZoneInfo("America/Toronto")
NOW = datetime(2026, 12, 2, 14, 0, tzinfo=TZ)  # the suite's pinned moment, passed explicitly
NEXT = datetime(2026, 12, 3, 20, 0, tzinfo=TZ)  # Thu 3 Dec: not played yet, partly sold
AFTER = datetime(2026, 12, 10, 20, 0, tzinfo=TZ)  # Thu 10 Dec: 198 hours after NOW
WC = "wc:10:slotthu"
SERIES = "888"
# Early seats of the 8 played dates, newest first: Thu 26 Nov, 19 Nov, ..., 8 Oct.
EARLY = (6, 4, 7, 3, 8, 5, 6, 9)


def played_date(k: int) -> datetime:
    """The played date ``k`` weeks before Thu 3 Dec (k = 1: Thu 26 Nov)."""
    return NEXT - timedelta(weeks=k)


def sale(channel: str, key: str, start: datetime, hours_before: float, seats: int) -> dict:
    return {
        "channel": channel,
        "occurrence_key": key,
        "recurring_key": WC if channel == "woocommerce" else f"eb-series:{SERIES}",
        "title": "Thursday 8pm Show",
        "starts_at": start,
        "sold_at": start - timedelta(hours=hours_before),
        "seats": seats,
        "state": "sold",
        "checked_in": 0,
        "gross": 10.0 * seats,
        "fees": 0.0,
        "ticket_type": "General Admission",
    }


def date_sales(tag: str, start: datetime, early: int, late: int = 30, eb_late: int = 8) -> list:
    """One date of the show on both channels: ``early`` website seats 300 h before, ``late``
    website and ``eb_late`` Eventbrite seats 10 h before."""
    rows = [sale("woocommerce", f"{WC}:{tag}", start, 300, early)] if early else []
    if late:
        rows.append(sale("woocommerce", f"{WC}:{tag}", start, 10, late))
    if eb_late:
        rows.append(sale("eventbrite", f"eb:{tag}", start, 10, eb_late))
    return rows


def played_sales(early: tuple[int, ...] = EARLY) -> list:
    return [r for k, e in enumerate(early, 1) for r in date_sales(f"p{k}", played_date(k), e)]


# Thu 3 Dec so far: 4 seats 300 h before, 6 on the website 100 h before (Sun 29 Nov), 2 on
# Eventbrite 40 h before (Tue 1 Dec): all before NOW.
NEXT_SO_FAR = [
    sale("woocommerce", f"{WC}:next", NEXT, 300, 4),
    sale("woocommerce", f"{WC}:next", NEXT, 100, 6),
    sale("eventbrite", "eb:next", NEXT, 40, 2),
]


def shows(*starts: datetime, capacity: int = 55) -> pd.DataFrame:
    tags = {NEXT: "next", AFTER: "after"}
    return pd.DataFrame(
        [
            {
                "show_key": f"show:{s.isoformat()}",
                "starts_at": pd.Timestamp(s),
                "title": "Thursday 8pm Show",
                "listing_keys": (f"{WC}:{tags[s]}", f"eb:{tags[s]}:tc1"),
                "venue_capacity": capacity,
            }
            for s in starts
        ]
    )


LISTINGS = pd.DataFrame(
    {
        "listing_key": [f"{WC}:next", "eb:next:tc1", f"{WC}:after", "eb:after:tc1"],
        "series_id": [None, SERIES, None, SERIES],
    }
)


def pace_of(rows: list, frame: pd.DataFrame, *, now: datetime = NOW) -> pd.DataFrame:
    return pace_table(frame, LISTINGS, sales_frame(rows, TZ), now=now, n=8)


def together(table: pd.DataFrame, start: datetime) -> pd.Series:
    rows = table[(table["scope"] == "together") & (table["starts_at"] == pd.Timestamp(start))]
    assert len(rows) == 1
    return rows.iloc[0]


def test_quartiles_are_numpys_linear_interpolation():
    # The README states the method; this pins the numbers it gives on the 8 played dates.
    assert list(np.percentile(sorted(EARLY), [25, 50, 75])) == [4.75, 6.0, 7.25]


def test_next_weeks_date_is_not_a_past_date_of_the_week_after():
    # Thu 10 Dec, 198 h away: 5 seats sold 250 h before. Its played dates by 198 h before
    # had their early seats only: 3 4 5 6 6 7 8 9, so the usual is 6 (4.75 to 7.25, numpy's
    # linear quartiles: 4 + 0.75 x 1 and 7 + 0.25 x 1). Taking Thu 3 Dec (4 seats by then) in
    # place of the oldest played date (8 Oct, 9 seats) gave 5.5 (4 to 6.25), as reported.
    rows = played_sales() + NEXT_SO_FAR + [sale("woocommerce", f"{WC}:after", AFTER, 250, 5)]
    row = together(pace_of(rows, shows(NEXT, AFTER)), AFTER)
    assert row["past_shows"] == 8
    assert (row["usual_now"], row["usual_low"], row["usual_high"]) == (6.0, 4.75, 7.25)
    # Every played date sold 30 + 8 after that point: 5 + 38.
    assert row["projected_final"] == 43
    assert not row["behind"]


def test_the_pace_chart_draws_played_dates_only():
    rows = played_sales() + NEXT_SO_FAR
    show = shows(AFTER).iloc[0].to_dict()
    curves = pace_curves(show, LISTINGS, sales_frame(rows, TZ), now=NOW, n=8)
    past = set(curves["line"]) - {"this show", "usual (median)"}
    assert "Thu 3 Dec 2026" not in past
    assert past == {f"Thu {d.day} {d:%b} 2026" for d in map(played_date, range(1, 9))}
    # The usual final is the median of the played dates' finals (early + 38): 6 + 38. With
    # Thu 3 Dec's 12 so far in place of 8 Oct's 47, it was 43.5.
    final = curves[(curves["line"] == "usual (median)") & (curves["hours_before"] == 0)]
    assert final["sold"].iloc[0] == 44


def test_tonights_show_counts_once_it_has_started():
    # Thu 3 Dec 21:00: tonight's show started an hour ago, so it is played and the newest
    # of Thu 10 Dec's 8 past dates (8 Oct drops out): 4 3 4 5 6 6 7 8 by 167 h before, the
    # usual 5.5 (4 to 6.25); it is no longer paced itself.
    rows = played_sales() + NEXT_SO_FAR
    table = pace_of(rows, shows(NEXT, AFTER), now=NEXT + timedelta(hours=1))
    assert set(table["starts_at"]) == {pd.Timestamp(AFTER)}
    row = together(table, AFTER)
    assert (row["usual_now"], row["usual_low"], row["usual_high"]) == (5.5, 4.0, 6.25)


@pytest.mark.parametrize(
    ("early", "sold", "behind"),
    [
        # 6 8 9 10 11 12 13 14: lower quartile 8 + 0.75 x 1 = 8.75, median 10.5.
        ((6, 8, 9, 10, 11, 12, 13, 14), 7, False),  # 1.75 under the quartile
        ((6, 8, 9, 10, 11, 12, 13, 14), 6, False),  # 2.75 under
        ((6, 8, 9, 10, 11, 12, 13, 14), 5, True),  # 3.75 under
        # 5 8 8 10 11 12 13 14: lower quartile 8 exactly; 5 is 3 under, 6 only 2.
        ((5, 8, 8, 10, 11, 12, 13, 14), 5, True),
        ((5, 8, 8, 10, 11, 12, 13, 14), 6, False),
    ],
)
def test_behind_means_at_least_3_seats_below_the_lower_quartile(early, sold, behind):
    # Thu 3 Dec, 30 h away, has ``sold`` seats (300 h before); its played dates had their
    # early seats by then. The old rule (below the quartile and 3 under the median) also
    # flagged 7 and 6 sold.
    rows = played_sales(early) + [sale("woocommerce", f"{WC}:next", NEXT, 300, sold)]
    row = together(pace_of(rows, shows(NEXT)), NEXT)
    assert bool(row["behind"]) is behind
    assert row["flag"] == (BEHIND_LABEL if behind else None)


@pytest.mark.parametrize(
    ("played", "reason"),
    [
        (0, "a new show: no played dates to compare with yet"),
        (1, "only 1 played date to compare with (pace needs 2)"),
    ],
)
def test_a_show_with_too_few_played_dates_says_so(played, reason):
    # A new show with its first date(s): Thu 3 Dec partly sold does not count for Thu 10 Dec
    # (the old count took it for a past show and paced against 1 played date plus it).
    rows = played_sales(EARLY[:played]) + NEXT_SO_FAR
    row = together(pace_of(rows, shows(NEXT, AFTER)), AFTER)
    assert row["past_shows"] == played
    assert row["reason"] == reason
    assert pd.isna(row["usual_now"]) and pd.isna(row["flag"])


def test_behind_shows_come_first_then_by_date():
    # Thu 10 Dec has 1 seat against a lower quartile of 4.75 at 198 h (3.75 under): behind,
    # so it comes before Thu 3 Dec (12 sold at 30 h against the same 4.75: on pace).
    rows = played_sales() + NEXT_SO_FAR + [sale("woocommerce", f"{WC}:after", AFTER, 250, 1)]
    table = pace_of(rows, shows(NEXT, AFTER))
    mine = table[table["scope"] == "together"]
    assert list(mine["starts_at"]) == [pd.Timestamp(AFTER), pd.Timestamp(NEXT)]
    assert list(mine["behind"]) == [True, False]


def test_the_readme_states_the_rules_pace_applies():
    # One home for each wording: the README quotes the reasons and the margin pace.py uses.
    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split())
    assert too_few_reason(0) in readme and too_few_reason(1) in readme
    assert f"at least {BEHIND_MARGIN} seats below Low (25%)" in readme
    assert f"pace needs {MIN_PAST}" in readme
