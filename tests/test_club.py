"""brcc_core.club: the club's shared facts, and the defaults that take them from there."""

from __future__ import annotations

from brcc_core.club import (
    CHANNEL_NAMES,
    CLUB_TIMEZONE,
    DEFAULT_VENUE_CAPACITY,
    channel_name,
)
from brcc_core.sandbox.constants import SANDBOX_TIMEZONE, SANDBOX_VENUE_CAPACITY
from brcc_core.settings import load_settings


def test_channels_are_named_as_managers_know_them():
    assert channel_name("woocommerce") == "WooCommerce"
    assert channel_name("eventbrite") == "Eventbrite"
    assert channel_name("box office") == "box office"  # unknown keys are shown, not hidden
    assert set(CHANNEL_NAMES) == {"woocommerce", "eventbrite"}


def test_settings_and_the_sandbox_club_default_to_the_real_room(tmp_path):
    # Toronto time and a 55-seat room (docs/domain.md sections 6-7), in production
    # defaults and in the sandbox's seeded club alike.
    settings = load_settings({}, tmp_path / "none.env")
    assert (settings.timezone, settings.venue_capacity) == ("America/Toronto", 55)
    assert (CLUB_TIMEZONE, DEFAULT_VENUE_CAPACITY) == ("America/Toronto", 55)
    assert (SANDBOX_TIMEZONE, SANDBOX_VENUE_CAPACITY) == ("America/Toronto", 55)
