"""brcc_core.common.moments: Eventbrite's UTC text and the databases' naive UTC, read one way.

The copies this replaced disagreed: the catalog raised on a malformed ``start.utc`` (and
stopped the refresh), the refresh plan kept an offset-less time naive (then compared it
with an aware one), and the sales copy read a naive database time in the server's zone.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from brcc_core.common.moments import aware_utc, naive_utc, parse_utc, utc_text

TORONTO = ZoneInfo("America/Toronto")
# Saturday 20:00 in Toronto is 01:00 UTC on Sunday: the date changes across the conversion.
SHOW_UTC = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("2026-12-06T01:00:00Z", SHOW_UTC),  # Eventbrite's start.utc, created, sales_end
        ("2026-12-06T01:00:00", SHOW_UTC),  # no offset: Eventbrite's utc fields are UTC
        ("2026-12-05T20:00:00-05:00", SHOW_UTC),  # an offset is honoured, read as UTC
        (" 2026-12-06T01:00:00Z ", SHOW_UTC),
        ("2026-12-06T01:00:00.250Z", SHOW_UTC + timedelta(milliseconds=250)),
        ("2026-13-01T00:00:00Z", None),  # the catalog's copy raised ValueError here
        ("soon", None),
        ("", None),
        (None, None),
        (1764982800, None),  # a number is not Eventbrite's text
        ({"utc": "2026-12-06T01:00:00Z"}, None),  # the block, not its field
    ],
)
def test_eventbrite_utc_text_is_read_as_an_aware_utc_moment(text, read) -> None:
    moment = parse_utc(text)
    assert moment == read
    if moment is not None:
        assert moment.tzinfo is UTC  # never left naive, never in another zone


@pytest.mark.parametrize(
    ("moment", "stored"),
    [
        (SHOW_UTC, datetime(2026, 12, 6, 1, 0)),
        (datetime(2026, 12, 5, 20, 0, tzinfo=TORONTO), datetime(2026, 12, 6, 1, 0)),
        (datetime(2026, 7, 4, 20, 0, tzinfo=TORONTO), datetime(2026, 7, 5, 0, 0)),  # EDT
        (datetime(2026, 12, 6, 1, 0), datetime(2026, 12, 6, 1, 0)),  # naive: UTC already
    ],
)
def test_a_moment_is_stored_as_naive_utc(moment, stored) -> None:
    assert naive_utc(moment) == stored
    assert naive_utc(moment).tzinfo is None


def test_a_naive_moment_is_never_read_in_the_servers_timezone(monkeypatch) -> None:
    # The sales copy called astimezone() on naive times: on a server set to Toronto a
    # stored 01:00 UTC moved five hours.
    monkeypatch.setenv("TZ", "America/Toronto")
    time.tzset()
    try:
        assert naive_utc(datetime(2026, 12, 6, 1, 0)) == datetime(2026, 12, 6, 1, 0)
        assert aware_utc(datetime(2026, 12, 6, 1, 0)) == SHOW_UTC
    finally:
        monkeypatch.undo()
        time.tzset()


def test_whole_seconds_are_what_a_column_without_fractions_reads_back() -> None:
    moment = datetime(2026, 12, 6, 1, 0, 7, 654_321, tzinfo=UTC)
    assert naive_utc(moment, whole_seconds=True) == datetime(2026, 12, 6, 1, 0, 7)
    assert naive_utc(moment) == datetime(2026, 12, 6, 1, 0, 7, 654_321)


@pytest.mark.parametrize(
    ("cell", "read"),
    [
        (datetime(2026, 12, 6, 1, 0), SHOW_UTC),  # MariaDB / SQLite DATETIME
        ("2026-12-06 01:00:00", SHOW_UTC),  # SQLite's text
        (datetime(2026, 12, 5, 20, 0, tzinfo=TORONTO), SHOW_UTC),
        (datetime(2026, 12, 6, 6, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))), SHOW_UTC),
        (None, None),
        ("not a time", None),
        (20261206, None),
    ],
)
def test_a_database_time_is_read_back_as_aware_utc(cell, read) -> None:
    moment = aware_utc(cell)
    assert moment == read
    if moment is not None:
        assert moment.tzinfo is UTC


def test_stored_and_read_back_is_the_same_moment_and_the_same_text() -> None:
    moment = datetime(2026, 12, 5, 20, 0, 59, tzinfo=TORONTO)
    assert aware_utc(naive_utc(moment)) == moment
    assert utc_text(moment) == "2026-12-06T01:00:59Z"  # Eventbrite's changed_since
    assert parse_utc(utc_text(moment)) == moment
