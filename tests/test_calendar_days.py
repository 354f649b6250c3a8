"""The days a calendar gets wrong: both DST changes in the club's timezone, New Year's Eve
after 19:00 (already the next day in UTC), 29 February, a Sunday and a Monday, the first and
last day of a month. At each moment the demo is seeded for that day and a manager opens the
dashboard, makes a change, reads the pace and opens Tonight. Each moment is pinned with the
``moment`` mark, so these pass whatever day the suite runs."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from brcc_core.boxoffice import BoxOffice
from brcc_core.capacity.preview import Change
from brcc_core.common import clock
from brcc_core.people.access import Actor
from brcc_core.settings import load_settings
from tests.app_env import clear_settings
from tests.club_time import CLUB_TZ

APP = str(Path(__file__).parents[1] / "streamlit_app.py")

# (why, moment in club time). Shows at the club start at 18:00, 20:00 and 22:00.
DAYS = [
    # 02:00 became 03:00: the night's clock skipped an hour a few minutes ago.
    ("spring DST change", "2027-03-14T03:30:00-04:00"),
    # 02:00 became 01:00 again: the second 01:30 of the night, after the change.
    ("autumn DST change", "2026-11-01T01:30:00-05:00"),
    # 19:30 on 31 December is 00:30 on 1 January in UTC: tonight is still the 31st.
    ("New Year's Eve evening", "2026-12-31T19:30:00-05:00"),
    ("29 February", "2028-02-29T14:00:00-05:00"),
    ("a Sunday", "2026-12-06T10:00:00-05:00"),
    ("a Monday", "2026-12-07T10:00:00-05:00"),
    ("the first of a month", "2027-04-01T12:00:00-04:00"),
    # 21:00 on the last day of a month: a show is on, another still to start.
    ("the last day of a month", "2027-04-30T21:00:00-04:00"),
]


def at_moment(days: list[tuple[str, str]]) -> list:
    return [
        pytest.param(m, id=why.replace(" ", "-"), marks=pytest.mark.moment(m)) for why, m in days
    ]


@pytest.fixture
def demo(monkeypatch, tmp_path) -> BoxOffice:
    """The demo as a manager would start it that day: seeded for the club's date now."""
    clear_settings(monkeypatch)
    monkeypatch.setenv("BRCC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BRCC_SANDBOX_HISTORY_WEEKS", "10")  # enough past dates for pace
    monkeypatch.chdir(tmp_path)
    box = BoxOffice.from_settings(load_settings())
    box.refresh_catalog()
    return box


def club_now() -> pd.Timestamp:
    return pd.Timestamp(clock.now()).tz_convert(CLUB_TZ)


@pytest.mark.parametrize("moment", at_moment(DAYS))
def test_dashboard_change_pace_and_tonight_at_this_moment(demo: BoxOffice, moment: str) -> None:
    now = club_now()
    assert abs(now - pd.Timestamp(datetime.fromisoformat(moment))) < pd.Timedelta(minutes=5)
    listings = demo.listings()
    tz = demo.settings.timezone

    # The seed was made for the club's date, not UTC's: on New Year's Eve after 19:00 its
    # "today" is still the 31st.
    assert demo.sandbox is not None
    assert clock.today(tz) == now.date()

    # Dashboard: the upcoming window starts at the club's now, on the club's date.
    upcoming = demo.dashboard_view(demo.catalog(), clock.now(), 14).upcoming
    assert not upcoming.empty
    assert (upcoming["starts_at"] >= now - pd.Timedelta(seconds=1)).all()
    assert (upcoming["starts_at"] < now + pd.Timedelta(days=14)).all()
    later_tonight = listings[
        (listings["starts_at"] > now)
        & (listings["starts_at"].dt.date == now.date())
        & (listings["channel"] == "woocommerce")
    ]
    for start in later_tonight["starts_at"]:
        assert (upcoming["starts_at"] == start).any(), f"tonight's {start} is upcoming"
    dashboard = AppTest.from_file(APP, default_timeout=180)
    dashboard.run()
    assert not dashboard.exception, dashboard.exception
    assert not [e.value for e in dashboard.error]

    # A change: one seat more on a limited booking date still to come, verified.
    fit = listings[
        (listings["channel"] == "woocommerce")
        & (listings["kind"] == "bookings")
        & (listings["starts_at"] > now)
        & listings["capacity"].notna()
        & (listings["available"].fillna(0) >= 1)
    ]
    row = fit.iloc[0]
    capacity = int(row["capacity"])
    change = Change(row["listing_key"], seen_remaining=int(row["available"]), value=capacity + 1)
    result = demo.apply_change(change, listings, who=Actor.demo("manager"))
    assert result.ok, result.message
    assert result.capacity == capacity + 1
    audited = demo.audit_log().iloc[0]
    assert audited["listing_key"] == row["listing_key"] and audited["result"] == "ok"
    assert abs(audited["at"] - pd.Timestamp(clock.now())) < pd.Timedelta(minutes=5)

    # Pace: only shows still to come, each weekly one against dates already played.
    pace = demo.pace(horizon_days=7)
    assert not pace.empty
    assert (pace["starts_at"] > now - pd.Timedelta(seconds=1)).all()
    # The website's history is read live (Eventbrite's waits for an order sync): its weekly
    # shows have the seed's ten past weeks to be paced against.
    site = pace[pace["scope"] == "woocommerce"]
    weekly = site[site["past_shows"].fillna(0) >= 2]
    assert len(weekly) >= len(site) * 3 // 4, "weekly shows have past dates to pace against"
    assert weekly["usual_now"].notna().all()

    # Tonight: the club's night (until 4am), never UTC's date.
    night = (now - pd.Timedelta(hours=4)).date()
    door = demo.tonight()
    assert not door.empty, "every night has shows at this club"
    assert {(t - timedelta(hours=4)).date() for t in door["starts_at"]} == {night}
    shows_tonight = demo.shows(listings)
    expected = shows_tonight[(shows_tonight["starts_at"] - pd.Timedelta(hours=4)).dt.date == night]
    assert set(door["show_key"]) == set(expected["show_key"])
    tonight_page = AppTest.from_file(APP, default_timeout=180)
    tonight_page.run()
    tonight_page.switch_page("pages/tonight.py")
    tonight_page.run()
    assert not tonight_page.exception, tonight_page.exception
