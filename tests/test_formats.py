"""brcc_core.common.formats: the one way each thing is written for a manager, table-tested."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from brcc_core.common.formats import (
    FIRST_STRONG_ISOLATE,
    listing_label,
    listing_name,
    seats_text,
)

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
        ("show:2026-12-04T20:00", "show:2026-12-04T20:00"),  # a show's key names its date
    ],
)
def test_a_listing_gone_from_the_catalog_is_named_by_its_channel(key, name):
    assert listing_name(key, pd.DataFrame()) == name


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
