"""The pure rules of a capacity change, table-tested with real listing shapes: what a
manager typed, previews and their refusals and warnings, the bound on capacity, venue
capacity, and the convergence arithmetic the engine runs under its lock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from brcc_core.capacity.preview import (
    Change,
    DateNumbers,
    ListingState,
    corrections,
    parse_seats,
    preview_change,
    stock_for,
    venue_capacity_refusal,
)

TZ = ZoneInfo("America/Toronto")
# A FooEvents Bookings date as build_listings gives it: 46 left, 9 sold, 0 pending.
BOOKING = ListingState(
    "wc:4021:slot:date",
    "woocommerce",
    "bookings",
    title="Friday Night Standup",
    slot_label="8pm",
    starts_at=datetime(2026, 12, 4, 20, tzinfo=TZ),
    capacity=55,
    sold=9,
    pending=0,
    available=46,
    status="on_sale",
    product_id=4021,
    slot_id="slot",
    date_id="date",
)
SERIES = ListingState(
    "eb:1:11",
    "eventbrite",
    "ticket_class",
    title="Tuesday Open Mic",
    capacity=55,
    sold=13,
    pending=0,
    available=42,
    status="on_sale",
    event_id="1",
    ticket_class_id="11",
    series_id="100",
    other_classes=("Front Row",),
)


@pytest.mark.parametrize(
    "typed, seats, problem",
    [
        ("40", 40, None),
        (" 40 ", 40, None),
        ("1,000", 1000, None),
        ("0", 0, None),
        ("12.0", 12, None),
        ("-5", None, "negative"),
        ("12.5", None, "not a whole number"),
        ("abc", None, "not a number of seats"),
        ("", None, "Enter a number"),
        (None, None, "Enter a number"),
        ("nan", None, "not a number of seats"),
        ("inf", None, "not a number of seats"),
    ],
)
def test_parse_seats(typed, seats, problem):
    got, why = parse_seats(typed)
    assert got == seats
    assert (why is None) if problem is None else (problem in why)


@pytest.mark.parametrize(
    "value, field, capacity_after, remaining_after, refusal",
    [
        (57, "capacity", 57, 48, None),
        (10, "remaining", 19, 10, None),
        (9, "capacity", 9, 0, None),
        (8, "capacity", 8, None, "below the 9 seats already sold"),
        (-3, "remaining", None, None, "negative"),
        (221, "capacity", 221, 212, "above the most this app writes (220"),
        (10**30, "capacity", 10**30, 10**30 - 9, "above the most this app writes"),
        (300, "remaining", 309, 300, "above the most this app writes"),
    ],
)
def test_previews_and_their_bounds(value, field, capacity_after, remaining_after, refusal):
    preview = preview_change(
        Change(BOOKING.listing_key, 46, value, field), BOOKING, venue_capacity=55, max_capacity=220
    )
    if refusal:
        assert preview.refusal and refusal in preview.refusal
        return
    assert preview.allowed
    assert (preview.capacity_after, preview.remaining_after) == (capacity_after, remaining_after)


@pytest.mark.parametrize(
    "listing, change, warning",
    [
        (BOOKING, Change(BOOKING.listing_key, 46, 60), "above the venue capacity of 55"),
        (BOOKING, Change(BOOKING.listing_key, 46, 9), "closes sales"),
        (SERIES, Change(SERIES.listing_key, 42, 50), "nothing is written"),
        (SERIES, Change(SERIES.listing_key, 42, 30, "remaining", event_level=True), "shared"),
    ],
)
def test_preview_warnings(listing, change, warning):
    preview = preview_change(change, listing, venue_capacity=55, max_capacity=220)
    assert preview.allowed
    assert any(warning in w for w in preview.warnings), preview.warnings


@pytest.mark.parametrize(
    "value, sold_pending, bound, refusal",
    [
        (55, 19, 220, None),
        (19, 19, 220, None),
        (5, 19, 220, "below the 19 seats already sold or pending"),
        (1_000_000, 19, 220, "above the most this app accepts (220"),
        (0, 0, 220, "at least 1"),
        (40, None, 220, "unknown"),
    ],
)
def test_venue_capacity_rules(value, sold_pending, bound, refusal):
    why = venue_capacity_refusal(value, sold_pending, bound)
    assert (why is None) if refusal is None else (refusal in why)


@pytest.mark.parametrize(
    "capacity, sold, pending, stock", [(55, 9, 0, 46), (55, 50, 3, 2), (55, 56, 0, 0)]
)
def test_stock_for(capacity, sold, pending, stock):
    assert stock_for(capacity, sold, pending) == stock


A, B = ("s", "a"), ("s", "b")


@pytest.mark.parametrize(
    "before, now, targets, fixes",
    [
        # Our write landed after a sale of 2 on A: stock 12 written for sold 9 → 11 sold.
        ({A: DateNumbers(10, 9, 0)}, {A: DateNumbers(12, 11, 0)}, {A: 21}, {A: 10}),
        # The sale landed after our write: FooEvents took it off our stock. Nothing to do.
        ({A: DateNumbers(10, 9, 0)}, {A: DateNumbers(10, 11, 0)}, {A: 21}, {}),
        # B sold out (41) between our read and our write; our blob gave its 41 back.
        (
            {A: DateNumbers(10, 9, 0), B: DateNumbers(41, 14, 0)},
            {A: DateNumbers(11, 9, 0), B: DateNumbers(41, 55, 0)},
            {A: 20},
            {B: 0},
        ),
        # B changed with no sale (someone edited it in WordPress): not ours to undo.
        (
            {A: DateNumbers(10, 9, 0), B: DateNumbers(41, 14, 0)},
            {A: DateNumbers(11, 9, 0), B: DateNumbers(30, 14, 0)},
            {A: 20},
            {},
        ),
        # A pending order on B: it holds stock like a sale.
        (
            {B: DateNumbers(5, 14, 0)},
            {B: DateNumbers(5, 14, 2)},
            {},
            {B: 3},
        ),
        # Unlimited dates are left alone.
        ({B: DateNumbers(None, 1, 0)}, {B: DateNumbers(None, 3, 0)}, {}, {}),
    ],
)
def test_corrections(before, now, targets, fixes):
    assert corrections(before, now, targets) == fixes
