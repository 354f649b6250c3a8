"""brcc_core.common.club: the club's shared facts, and the defaults that take them from there."""

from __future__ import annotations

import pandas as pd
import pytest

from brcc_core.common.club import (
    CLUB_TIMEZONE,
    DEFAULT_VENUE_CAPACITY,
    NEARLY_FULL_SHARE,
    Channel,
    channel_name,
)
from brcc_core.live.shows import suggest_shows
from brcc_core.sandbox.constants import SANDBOX_TIMEZONE, SANDBOX_VENUE_CAPACITY
from brcc_core.settings import load_settings


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
