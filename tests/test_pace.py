"""Pace (brcc_core.sales.pace): table-tested on hand-made sales of a weekly show."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from brcc_core.sales.pace import BEHIND_LABEL, pace_curves, pace_table
from brcc_core.sales.site_history import sales_frame

TZ = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
FRIDAY = datetime(2026, 12, 4, 20, 0, tzinfo=TZ)  # the upcoming show
WC = "wc:10:slotfri"
SERIES = "777"


def sale(channel, key, start, hours_before, seats=1, state="sold", recurring=None):
    return {
        "channel": channel,
        "occurrence_key": key,
        "recurring_key": recurring or (WC if channel == "woocommerce" else f"eb-series:{SERIES}"),
        "title": "Friday 8pm Show",
        "starts_at": start,
        "sold_at": start - timedelta(hours=hours_before),
        "seats": seats,
        "state": state,
        "checked_in": 0,
        "gross": 10.0 * seats,
        "fees": 0.0,
        "ticket_type": "General Admission",
    }


def past_week(k: int, early: int, late: int, eb_late: int = 0) -> list[dict]:
    """Week ``k`` before FRIDAY: ``early`` seats 200 h before, ``late`` 10 h before (site),
    ``eb_late`` on Eventbrite 10 h before."""
    start = FRIDAY - timedelta(weeks=k)
    rows = [sale("woocommerce", f"{WC}:d{k}", start, 200, early)] if early else []
    if late:
        rows.append(sale("woocommerce", f"{WC}:d{k}", start, 10, late))
    if eb_late:
        rows.append(sale("eventbrite", f"eb:e{k}", start, 10, eb_late))
    return rows


def shows_frame(listing_keys=(f"{WC}:dnow", "eb:enow:tc1"), capacity=55) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "show_key": "show:2026-12-04T20:00",
                "starts_at": pd.Timestamp(FRIDAY),
                "title": "Friday 8pm Show",
                "listing_keys": tuple(listing_keys),
                "venue_capacity": capacity,
            }
        ]
    )


LISTINGS = pd.DataFrame({"listing_key": [f"{WC}:dnow", "eb:enow:tc1"], "series_id": [None, SERIES]})


def run(rows, *, shows=None, unknown=None, n=8, now=NOW) -> pd.DataFrame:
    sales = sales_frame(rows, TZ)
    table = pace_table(
        shows if shows is not None else shows_frame(),
        LISTINGS,
        sales,
        now=now,
        n=n,
        unknown=unknown,
    )
    return table.set_index("scope")


def test_usual_pace_is_the_median_of_past_weeks_at_the_same_time_before():
    # Now is 107 hours before the show: past weeks had their 200 h sales only.
    rows = past_week(1, 10, 20) + past_week(2, 20, 20) + past_week(3, 30, 20)
    rows += [sale("woocommerce", f"{WC}:dnow", FRIDAY, 150, 22)]
    together = run(rows).loc["together"]
    assert together["sold_now"] == 22
    assert together["usual_now"] == 20
    assert together["usual_low"] == 15 and together["usual_high"] == 25
    assert together["past_shows"] == 3
    # Past weeks all sold 20 more from here on: 22 + 20.
    assert together["projected_final"] == 42
    assert pd.isna(together["flag"]) and not together["behind"]


def test_behind_when_below_lower_quartile_by_a_margin():
    rows = past_week(1, 20, 5) + past_week(2, 22, 5) + past_week(3, 24, 5)
    rows += [sale("woocommerce", f"{WC}:dnow", FRIDAY, 150, 10)]
    together = run(rows).loc["together"]
    assert together["behind"]
    assert together["flag"] == BEHIND_LABEL
    assert together["projected_final"] == 15


def test_on_course_to_sell_out_names_the_day():
    # Past weeks sold 20 early and 30 in the last 10 hours; this week is at 30 already.
    rows = past_week(1, 20, 30) + past_week(2, 20, 30) + past_week(3, 20, 30)
    rows += [sale("woocommerce", f"{WC}:dnow", FRIDAY, 150, 30)]
    together = run(rows).loc["together"]
    assert together["projected_final"] == 55  # capped at the venue capacity
    assert together["sell_out_by"] == pd.Timestamp(FRIDAY - timedelta(hours=10))
    assert together["flag"] == "on course to sell out by Fri 4 Dec"


def test_channels_are_paced_apart_and_together_pairs_a_moved_show():
    # Week 2's Eventbrite date was moved a day later with its site date: both channels
    # still belong to the same past show (paired by their common start).
    moved = FRIDAY - timedelta(weeks=2) + timedelta(days=1)
    rows = past_week(1, 10, 10, eb_late=10) + past_week(3, 10, 10, eb_late=10)
    rows += [sale("woocommerce", f"{WC}:d2", moved, 200, 10)]
    rows += [sale("eventbrite", "eb:e2", moved, 100, 6)]
    rows += [sale("eventbrite", "eb:enow", FRIDAY, 120, 4)]
    table = run(rows)
    assert table.loc["together", "past_shows"] == 3
    assert table.loc["eventbrite", "past_shows"] == 3
    assert table.loc["eventbrite", "sold_now"] == 4
    # Eventbrite before 107 h: weeks 1 and 3 nothing, week 2 six seats → median 0.
    assert table.loc["eventbrite", "usual_now"] == 0
    assert table.loc["woocommerce", "usual_now"] == 10
    assert table.loc["together", "usual_now"] == 10


def test_cancelled_seats_do_not_count_and_only_the_last_n_weeks_are_used():
    rows = past_week(1, 10, 0) + past_week(2, 10, 0) + past_week(3, 40, 0)
    rows += [sale("woocommerce", f"{WC}:d1", FRIDAY - timedelta(weeks=1), 300, 9, "cancelled")]
    rows += [sale("woocommerce", f"{WC}:dnow", FRIDAY, 150, 10)]
    together = run(rows, n=2).loc["together"]
    assert together["past_shows"] == 2
    assert together["usual_now"] == 10


@pytest.mark.parametrize(
    ("rows", "unknown", "reason"),
    [
        (past_week(1, 10, 10), None, "only 1 played date to compare with (pace needs 2)"),
        (
            past_week(1, 10, 10) + past_week(2, 10, 10),
            {"eventbrite": "Eventbrite orders have not been synced yet"},
            "Eventbrite orders have not been synced yet",
        ),
    ],
)
def test_unknown_pace_says_why(rows, unknown, reason):
    together = run(rows, unknown=unknown).loc["together"]
    assert together["reason"] == reason
    assert pd.isna(together["usual_now"]) and pd.isna(together["projected_final"])
    assert pd.isna(together["flag"])


def test_shows_already_started_are_not_paced():
    rows = past_week(1, 10, 10) + past_week(2, 10, 10)
    assert run(rows, now=FRIDAY + timedelta(minutes=1)).empty


def test_curves_hold_this_show_until_now_and_each_past_week():
    rows = past_week(1, 10, 20) + past_week(2, 20, 20)
    rows += [sale("woocommerce", f"{WC}:dnow", FRIDAY, 150, 22)]
    show = shows_frame().iloc[0].to_dict()
    curves = pace_curves(show, LISTINGS, sales_frame(rows, TZ), now=NOW, n=8)
    mine = curves[curves["line"] == "this show"]
    assert mine["hours_before"].min() == pytest.approx(107.0)
    assert mine["sold"].max() == 22
    lines = set(curves["line"])
    assert {"Fri 27 Nov 2026", "Fri 20 Nov 2026", "usual (median)"} <= lines
    final = curves[(curves["line"] == "usual (median)") & (curves["hours_before"] == 0)]
    assert final["sold"].iloc[0] == 35
