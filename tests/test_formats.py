"""brcc_core.common.formats: the one way each thing is written for a manager (a date on
the club's calendar, how old something is, a listing, a seat count), table-tested.

The copies this replaced disagreed: ages read "under a minute" in one place and "0 min" in
another, "180 min" in one and "3 h" in another; a meeting link was titled with the UTC
date (Sunday for a Saturday-night meeting) and a page's clock was formatted by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from brcc_core.common.formats import (
    FIRST_STRONG_ISOLATE,
    NO_DATE,
    age_label,
    day_label,
    listing_label,
    listing_name,
    listing_names,
    moment_label,
    seats_text,
    time_label,
    when_label,
)

CLUB = "America/Toronto"
# Saturday 5 December 2026, 20:00 at the club, is 01:00 UTC on Sunday.
SHOW_UTC = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
SHOW_LOCAL = SHOW_UTC.astimezone(ZoneInfo(CLUB))


@pytest.mark.parametrize(
    ("value", "timezone", "year", "label"),
    [
        (SHOW_LOCAL, None, False, "Sat 5 Dec"),  # already in the club's zone
        (SHOW_UTC, CLUB, False, "Sat 5 Dec"),  # converted to the club's calendar
        (SHOW_UTC, None, False, "Sun 6 Dec"),  # what the UTC copy wrote
        (pd.Timestamp(SHOW_UTC), CLUB, False, "Sat 5 Dec"),
        (date(2026, 12, 5), CLUB, False, "Sat 5 Dec"),  # a date has no zone to convert
        (SHOW_UTC, CLUB, True, "Sat 5 Dec 2026"),  # pace's past shows, a year apart
        (datetime(2025, 1, 3, 20, 0), CLUB, True, "Fri 3 Jan 2025"),  # naive: as it is
        (None, CLUB, False, NO_DATE),
        (pd.NaT, None, False, NO_DATE),
    ],
)
def test_a_day_is_named_on_the_clubs_calendar(value, timezone, year, label) -> None:
    assert day_label(value, timezone, year=year) == label


@pytest.mark.parametrize(
    ("value", "timezone", "seconds", "label"),
    [
        (SHOW_LOCAL, None, False, "20:00"),
        (SHOW_UTC, CLUB, False, "20:00"),
        (SHOW_UTC + timedelta(minutes=20, seconds=5), CLUB, True, "20:20:05"),  # read at
        (datetime(2026, 7, 4, 23, 20, 5, tzinfo=UTC), CLUB, True, "19:20:05"),  # summer
        (None, CLUB, True, ""),
    ],
)
def test_a_time_is_the_clubs_24_hour_clock(value, timezone, seconds, label) -> None:
    assert time_label(value, timezone, seconds=seconds) == label


def test_when_and_moment_labels_agree_with_the_day_and_time_they_are_made_of() -> None:
    assert when_label(SHOW_LOCAL) == when_label(SHOW_UTC, CLUB) == "Sat 5 Dec 20:00"
    assert moment_label(SHOW_UTC, CLUB) == "Sat 5 Dec 2026 20:00:00"
    assert moment_label(pd.Timestamp("2026-11-30 22:08:41", tz=UTC), CLUB) == (
        "Mon 30 Nov 2026 17:08:41"
    )
    assert when_label(None) == moment_label(None) == NO_DATE


@pytest.mark.parametrize(
    ("age", "label", "live"),
    [
        (timedelta(seconds=0), "0 min", "0 s"),
        (timedelta(seconds=42), "0 min", "42 s"),  # was "under a minute" in one copy
        (timedelta(seconds=119), "1 min", "119 s"),
        (timedelta(minutes=2), "2 min", "2 min"),
        (timedelta(minutes=119, seconds=59), "119 min", "119 min"),
        (timedelta(hours=3), "3 h", "3 h"),  # the catalog caption said "180 min"
        (timedelta(hours=47, minutes=59), "47 h", "47 h"),
        (timedelta(days=2), "2 days", "2 days"),
        (timedelta(days=15, hours=5), "15 days", "15 days"),
        (timedelta(seconds=-30), "0 min", "0 s"),  # a clock stepped back: never negative
    ],
)
def test_how_old_something_is_reads_the_same_everywhere(age, label, live) -> None:
    assert age_label(age) == label
    assert age_label(age, seconds=True) == live


FRI = datetime(2026, 12, 4, 20, 0, tzinfo=ZoneInfo("America/Toronto"))
NIGHT = "Friday Night"


def _row(channel: str, title: str = NIGHT, slot: object = None) -> dict:
    return {"channel": channel, "title": title, "slot_label": slot, "starts_at": FRI}


def _plain(text: str) -> str:
    """Without the direction isolates names are wrapped in (tests/test_small_faults.py)."""
    return text.replace(FIRST_STRONG_ISOLATE, "").replace("\u2069", "")


@pytest.mark.parametrize(
    ("row", "label"),
    [
        # a website date: its slot is its start time, already in the date
        (_row("woocommerce", slot="8pm"), "Friday Night · Website · Fri 4 Dec 20:00"),
        # an Eventbrite ticket class is named beside its event
        (
            _row("eventbrite", slot="Front Row"),
            "Friday Night (Front Row) · Eventbrite · Fri 4 Dec 20:00",
        ),
        # a class named like its event, or none, adds nothing
        (_row("eventbrite", slot=NIGHT), "Friday Night · Eventbrite · Fri 4 Dec 20:00"),
        (_row("eventbrite", slot=pd.NA), "Friday Night · Eventbrite · Fri 4 Dec 20:00"),
        ({**_row("woocommerce", "Gift"), "starts_at": None}, "Gift · Website · date unknown"),
    ],
)
def test_a_listing_has_one_label_everywhere(row, label):
    assert _plain(listing_label(row)) == label
    # the audit log and the sync dry run name a listing of the catalog the same way
    frame = pd.DataFrame([{**row, "listing_key": "wc:1"}])
    assert listing_name("wc:1", frame) == listing_label(row)


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("wc:7", "Website listing no longer in the catalog (wc:7)"),
        ("eb:9:2", "Eventbrite listing no longer in the catalog (eb:9:2)"),
        # An audit row about a show, a meeting link or a rule, in words (issue 26).
        ("show:2026-12-04T20:00", "show Fri 4 Dec 20:00"),
        ("link:rJWjl1rrfwqh", "a meeting link"),
        ("rule:3", "recurring rule no. 3"),
        ("mgr@club.example", "mgr@club.example"),  # a person's role: their address
    ],
)
def test_a_listing_gone_from_the_catalog_is_named_by_its_channel(key, name):
    assert listing_name(key, pd.DataFrame()) == name


def test_a_meeting_links_audit_rows_name_it_by_its_title():
    names = listing_names(["link:abc"], None, {"link:abc": "Monday programming"})
    assert names["link:abc"] == "meeting link «\u2068Monday programming\u2069»"


@pytest.mark.parametrize(
    ("value", "unlimited", "text"),
    [
        (55, False, "55"),
        (1234, False, "1,234"),  # the comparison and dashboard wrote 1,234, Inventory 1234
        (-3, False, "-3"),  # oversold stock
        (0, True, "0"),  # a number is a number, whatever the stock setting
        (None, False, "unknown"),
        (pd.NA, False, "unknown"),  # never 0, never a dash
        (float("nan"), False, "unknown"),
        (None, True, "unlimited"),  # website stock not managed
        (pd.NA, True, "unlimited"),
    ],
)
def test_a_seat_count_is_written_one_way(value, unlimited, text):
    assert seats_text(value, unlimited) == text
