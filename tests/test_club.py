"""brcc_core.common.club: the club's shared facts, and the defaults that take them from there."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from brcc_core.catalog.refresh_plan import UNREAD_LATER
from brcc_core.channels.eventbrite_budget import CallBudget
from brcc_core.common.club import (
    CLUB_TIMEZONE,
    DEFAULT_VENUE_CAPACITY,
    HOURLY_LIMIT,
    NEARLY_FULL_SHARE,
    SAME_SHOW_WITHIN,
    Channel,
    channel_name,
    is_nearly_full,
    same_show_groups,
)
from brcc_core.live.shows import suggest_shows
from brcc_core.sales import pace, takings
from brcc_core.sales.site_history import sales_frame
from brcc_core.sandbox.constants import SANDBOX_TIMEZONE, SANDBOX_VENUE_CAPACITY
from brcc_core.settings import load_settings
from brcc_core.ui.catalog import REFRESH_COST_HELP


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (Channel.WOOCOMMERCE, "Website"),
        ("woocommerce", "Website"),  # as frames, audit rows and links store it
        (Channel.EVENTBRITE, "Eventbrite"),
        ("eventbrite", "Eventbrite"),
        ("box office", "box office"),  # a value the app does not know is shown, not hidden
        (None, "None"),
    ],
)
def test_each_channel_has_one_name_a_manager_reads(value, name):
    assert channel_name(value) == name


def test_channel_values_stay_the_stored_words():
    # Frames, keys, the state database and links hold these words: they never change.
    assert [c.value for c in Channel] == ["woocommerce", "eventbrite"]
    assert Channel("woocommerce") is Channel.WOOCOMMERCE
    assert f"{Channel.EVENTBRITE}" == "eventbrite" and Channel.EVENTBRITE == "eventbrite"


def test_settings_and_the_sandbox_club_default_to_the_real_room(tmp_path):
    # Toronto time and a 55-seat room (docs/domain.md sections 6-7), in production
    # defaults and in the sandbox's seeded club alike.
    settings = load_settings({}, tmp_path / "none.env")
    assert (settings.timezone, settings.venue_capacity) == ("America/Toronto", 55)
    assert (CLUB_TIMEZONE, DEFAULT_VENUE_CAPACITY) == ("America/Toronto", 55)
    assert (SANDBOX_TIMEZONE, SANDBOX_VENUE_CAPACITY) == ("America/Toronto", 55)


def test_shows_default_to_the_club_room_and_nearly_full_share():
    # 55 seats, nearly full from 90% (49.5): 49 sold is not, 50 is, 56 is oversold instead.
    columns = ["listing_key", "channel", "title", "slot_label", "starts_at", "sold", "pending"]
    for sold, nearly_full, oversold in ((49, False, False), (50, True, False), (56, False, True)):
        listings = pd.DataFrame(
            [("wc:1:s8:d1", "woocommerce", "Fri", "Fri 8pm", "2026-06-05 20:00", sold, 0)],
            columns=columns,
        ).assign(error=None)
        listings["starts_at"] = pd.to_datetime(listings["starts_at"]).dt.tz_localize(CLUB_TIMEZONE)
        listings[["sold", "pending"]] = listings[["sold", "pending"]].astype("Int64")
        show = suggest_shows(listings).iloc[0]
        assert show.remaining == DEFAULT_VENUE_CAPACITY - sold
        assert (show.nearly_full, show.oversold) == (nearly_full, oversold)
    assert NEARLY_FULL_SHARE == 0.9


TZ = ZoneInfo(CLUB_TIMEZONE)


def _starts(*clock: str) -> list[datetime]:
    return [datetime.fromisoformat(f"2026-11-27T{c}:00").replace(tzinfo=TZ) for c in clock]


# Listing starts (website first, then Eventbrite, then more) and the shows they make. The
# three old copies disagreed: the catalog grouped within 10 minutes, pace by half-hour
# bucket, past shows by the exact minute; each row says which copy used to differ.
SAME_SHOW_CASES = [
    (("20:00", "20:00"), 1),  # all agreed
    (("20:00", "20:05"), 1),  # past shows (exact minute) made two
    (("20:00", "20:10"), 1),  # at most SAME_SHOW_WITHIN apart: one; past shows made two
    (("20:25", "20:31"), 1),  # pace (20:00 and 20:30 buckets) and past shows made two
    (("20:00", "20:20"), 2),  # pace (one half-hour bucket) made one: an early and late show
    (("20:00", "20:11"), 2),  # pace made one
    (("19:00", "21:30"), 2),  # all agreed
    (("20:00", "20:08", "20:16"), 2),  # a group never stretches past its first start
]


@pytest.mark.parametrize(("clock", "shows"), SAME_SHOW_CASES)
def test_one_same_show_rule_for_catalog_pace_and_past_shows(clock, shows):
    starts = _starts(*clock)
    keys = [f"wc:1:s:d{i}" if i % 2 == 0 else f"eb:{i}:1" for i in range(len(starts))]
    channels = [Channel.WOOCOMMERCE if k.startswith("wc:") else Channel.EVENTBRITE for k in keys]
    assert len(same_show_groups(zip(keys, starts, strict=True))) == shows

    # the catalog's shows
    listings = pd.DataFrame(
        {
            "listing_key": keys,
            "channel": channels,
            "title": "Late Show",
            "slot_label": None,
            "starts_at": starts,
            "sold": pd.array([3] * len(keys), dtype="Int64"),
            "pending": pd.array([0] * len(keys), dtype="Int64"),
            "error": None,
        }
    )
    listings["starts_at"] = pd.to_datetime(listings["starts_at"], utc=True).dt.tz_convert(TZ)
    assert len(suggest_shows(listings)) == shows

    # the sales history's past shows (Comparison of played shows)
    sales = sales_frame(
        [
            {
                "channel": channel,
                "occurrence_key": key,
                "recurring_key": "weekly",
                "title": "Late Show",
                "starts_at": start,
                "sold_at": start - timedelta(days=2),
                "seats": 1,
                "state": "sold",
                "checked_in": 0,
                "gross": 20.0,
                "fees": 0.0,
                "ticket_type": "GA",
            }
            for key, channel, start in zip(keys, channels, starts, strict=True)
        ],
        TZ,
    )
    later = starts[-1] + timedelta(days=1)
    assert len(takings.past_shows(sales, before=later)) == shows

    # pace's past weeks of a recurring show
    occurrences = pace.occurrences(sales)
    past = pace.past_shows(
        occurrences, {"weekly"}, before=later, now=later, exclude=set(), channel=None, n=8
    )
    assert len(past) == shows


def test_same_show_groups_keep_start_order_and_their_items():
    a, b, c = _starts("21:00", "20:00", "20:00")
    groups = same_show_groups([("late", a), ("web", b), ("eb", c)])
    assert groups == [["web", "eb"], ["late"]]
    assert timedelta(minutes=10) == SAME_SHOW_WITHIN


@pytest.mark.parametrize(
    ("used", "capacity", "nearly"),
    [
        (49, 55, False),  # 49 < 49.5
        (50, 55, True),
        (55, 55, True),  # full is still nearly full, not oversold
        (56, 55, False),  # oversold is flagged as that instead
        (0, 0, False),  # no seats to fill: the shows table used to flag it, the cards did not
        (None, 55, False),  # unknown sold is never nearly full
        (5, None, False),  # nor is an unknown capacity
    ],
)
def test_nearly_full_is_one_rule_for_shows_and_listing_cards(used, capacity, nearly):
    assert is_nearly_full(used, capacity) is nearly


@pytest.mark.parametrize("text", [UNREAD_LATER, REFRESH_COST_HELP])
def test_the_hourly_eventbrite_limit_is_said_as_the_budget_counts_it(text):
    # Eventbrite's 2,000 calls an hour: the budget spends that and every text says it.
    assert HOURLY_LIMIT == 2000 and "2,000" in text
    assert CallBudget(lambda: datetime(2026, 12, 2, 14, tzinfo=TZ)).limit == HOURLY_LIMIT
