"""brcc_core.common.keys: show and listing keys built, taken apart and recognised in one place."""

from __future__ import annotations

from datetime import datetime

import pytest

from brcc_core.common.keys import (
    ListingKey,
    channel_of,
    event_id_of,
    is_eventbrite_key,
    is_listing_key,
    is_show_key,
    is_unknown_classes,
    listing_key,
    occurrence_of_listing,
    parse_listing_key,
    recurring_of_listing,
    resource_key,
    show_key,
    show_start,
    unknown_classes_key,
)


@pytest.mark.parametrize(
    ("parts", "key"),
    [
        (ListingKey("woocommerce", product_id=4009), "wc:4009"),
        (
            ListingKey("woocommerce", 4012, slot_id="1a2b3c", date_id="d_20261127"),
            "wc:4012:1a2b3c:d_20261127",
        ),
        (
            ListingKey("eventbrite", event_id="1234567890", ticket_class_id="2222"),
            "eb:1234567890:2222",
        ),
    ],
)
def test_a_listing_key_round_trips(parts: ListingKey, key: str) -> None:
    built = listing_key(
        parts.channel,
        parts.product_id,
        parts.slot_id,
        parts.date_id,
        parts.event_id,
        parts.ticket_class_id,
    )
    assert built == key
    assert parse_listing_key(key) == parts


@pytest.mark.parametrize(
    "key", ["", "wc:", "wc:abc", "eb:123", "show:2026-11-27T20:00", "wc:1:2", "eb:1:2:3"]
)
def test_what_is_not_a_listing_key_is_not_taken_apart(key: str) -> None:
    assert not is_listing_key(key)
    assert parse_listing_key(key) is None


def test_an_event_without_readable_classes_has_its_own_recognisable_key() -> None:
    key = unknown_classes_key("998877")
    assert key == "eb:998877:unknown"
    assert is_unknown_classes(key)
    assert not is_unknown_classes("eb:998877:2222")
    # a WooCommerce booking date could carry a date id of that name; it is not the marker
    assert not is_unknown_classes("wc:4012:slot:unknown")


def test_writers_hold_the_product_or_the_event() -> None:
    assert resource_key("woocommerce", product_id=4012) == "wc:4012"
    assert resource_key("eventbrite", event_id="998877") == "eb:998877"


def test_a_show_key_names_a_real_local_minute() -> None:
    start = datetime(2026, 11, 27, 20, 0)
    assert show_key(start) == "show:2026-11-27T20:00"
    assert show_start("show:2026-11-27T20:00") == start
    for bad in ("show:2026-02-30T20:00", "show:2026-13-01T20:00", "show:2026-11-27T24:00"):
        assert not is_show_key(bad)
        assert show_start(bad) is None
    assert show_start("wc:4009") is None


@pytest.mark.parametrize(
    ("key", "channel", "event_id"),
    [
        ("eb:801:1501", "eventbrite", "801"),  # a listing
        ("eb:801:unknown", "eventbrite", "801"),  # an event whose classes are unknown
        ("eb:801", "eventbrite", "801"),  # an occurrence (all its classes)
        ("wc:4009", "woocommerce", None),
        ("wc:4012:1a2b3c:d_20261127", "woocommerce", None),
    ],
)
def test_channel_and_event_of_a_listing_or_occurrence(key, channel, event_id):
    assert is_eventbrite_key(key) is (channel == "eventbrite")
    assert channel_of(key) == channel
    assert event_id_of(key) == event_id
    parsed = parse_listing_key(key)
    if parsed is not None:  # the listing keys agree with their parsed parts
        assert parsed.channel == channel
        assert parsed.event_id == event_id


@pytest.mark.parametrize("key", ["eb-series:77", "show:2026-11-27T20:00", "", "eb:"])
def test_other_keys_name_no_eventbrite_event(key):
    assert event_id_of(key) is None
    assert is_eventbrite_key(key) is key.startswith("eb:")


@pytest.mark.parametrize(
    ("key", "series", "occurrence", "recurring"),
    [
        # a single-event product is its own occurrence and recurs as itself
        ("wc:4009", None, "wc:4009", "wc:4009"),
        # a booking date: the date is the occurrence, the product's slot recurs
        ("wc:4012:1a2b3c:d_20261127", None, "wc:4012:1a2b3c:d_20261127", "wc:4012:1a2b3c"),
        # a ticket class: its event is the occurrence (classes share the event's seats)
        ("eb:1234567890:2222", None, "eb:1234567890", "eb:1234567890"),
        ("eb:1234567890:2222", "77", "eb:1234567890", "eb-series:77"),
        ("eb:1234567890", "77", "eb:1234567890", "eb-series:77"),
    ],
)
def test_what_the_sales_history_counts_of_a_listing(key, series, occurrence, recurring):
    assert occurrence_of_listing(key) == occurrence
    assert recurring_of_listing(key, series) == recurring
