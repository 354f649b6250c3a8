"""Eventbrite listings as Eventbrite sells them: REST-shaped events, ticket classes and
capacity tiers through ``build_catalog`` and ``build_listings``, then shows."""

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from brcc_core.catalog.build import build_catalog
from brcc_core.live.listings import build_listings
from brcc_core.live.shows import suggest_shows

TZ = "America/Toronto"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
EVENT_ID = "1219650229669"


def event(capacity=55, custom=True, status="live", start="2026-06-06T00:00:00Z"):
    return {
        "id": EVENT_ID,
        "name": {"text": "Feedback | An Open Mic Comedy Show @ Backroom Comedy Club"},
        "start": {"timezone": TZ, "utc": start, "local": "2026-06-05T20:00:00"},
        "status": status,
        "series_id": "969715062857",
        "capacity": capacity,
        "capacity_is_custom": custom,
    }


def tc(tc_id, name, capacity, sold, *, category="admission", donation=False, **extra):
    quantity_total = extra.pop("quantity_total", capacity)
    return {
        "id": tc_id,
        "event_id": EVENT_ID,
        "name": name,
        "category": category,
        "donation": donation,
        "free": False,
        "capacity": capacity,
        "quantity_total": quantity_total,
        "quantity_sold": sold,
        "on_sale_status": "AVAILABLE",
        "hidden": False,
        "sales_start": "2026-01-10T15:00:00Z",
        "sales_end": "2026-06-06T00:00:00Z",
        **extra,
    }


def tier(total=55, pending=0, holds=()):
    return {
        "event_id": EVENT_ID,
        "capacity_total": total,
        "capacity_is_custom": True,
        "capacity_pending": pending,
        "holds": list(holds),
    }


def listings(classes, *, ev=None, tiers=None, tier_errors=None):
    cat = build_catalog(
        products=[],
        events=[ev or event()],
        ticket_classes={EVENT_ID: classes},
        timezone=TZ,
        fetched_at=NOW,
        capacity_tiers={EVENT_ID: tier()} if tiers is None else tiers,
        capacity_tier_errors=tier_errors,
    )
    df = build_listings(cat, pd.DataFrame(), pd.DataFrame(), now=NOW)
    return df.set_index("listing_key", drop=False)


def row(df, tc_id):
    return df.loc[f"eb:{EVENT_ID}:{tc_id}"]


def test_shared_capacity_bounds_every_class_by_the_events_seats_left():
    df = listings([tc("1", "General Admission", 55, 30), tc("2", "Front Row", 10, 8)])
    ga, fr = row(df, "1"), row(df, "2")
    assert (ga.available, ga.limit, fr.available) == (17, "event capacity", 2)
    assert set(df["event_seats_left"]) == {17}
    show = suggest_shows(df, venue_capacity=55).iloc[0]
    assert show.sold_eventbrite == 38 and show.remaining == 17
    assert show.eventbrite_left == 17  # not 25 + 2


def test_add_on_is_no_listing_and_adds_nothing_to_the_show():
    df = listings(
        [
            tc("1", "General Admission", 55, 20),
            tc("3", "Drink voucher", 100, 12, category="add_on"),
        ]
    )
    assert list(df["slot_label"]) == ["General Admission"]
    show = suggest_shows(df, venue_capacity=55).iloc[0]
    assert show.sold == 20 and show.remaining == 35


def test_pay_what_you_can_admission_is_a_seat_bounded_by_the_room():
    df = listings(
        [
            tc("4", "Pay what you can", None, 21, donation=True, quantity_total=100),
            tc("1", "General Admission", 50, 10),
        ],
        ev=event(capacity=50),
        tiers={EVENT_ID: tier(total=50)},
    )
    pwyc = row(df, "4")
    assert (pwyc.sold, pwyc.available, pwyc.capacity) == (21, 19, 50)
    assert not pwyc.unlimited


def test_checkout_donation_is_not_a_seat():
    df = listings(
        [
            tc("1", "General Admission", 50, 10),
            tc("5", "Support the club", None, 21, category="donation", donation=True),
        ],
        ev=event(capacity=50),
        tiers={EVENT_ID: tier(total=50)},
    )
    assert list(df["slot_label"]) == ["General Admission"]
    assert row(df, "1").available == 40


def test_held_seats_are_not_remaining():
    df = listings(
        [tc("1", "General Admission", 55, 30)],
        tiers={EVENT_ID: tier(holds=[{"id": "77", "name": "Comps", "quantity_total": 6}])},
    )
    ga = row(df, "1")
    assert (ga.available, ga.limit, ga.event_seats_left) == (19, "event capacity less holds", 19)


def test_carts_in_progress_are_pending_on_the_event():
    df = listings(
        [tc("1", "General Admission", 55, 30), tc("2", "Front Row", 10, 8)],
        tiers={EVENT_ID: tier(pending=3)},
    )
    assert df["pending"].sum() == 3
    assert row(df, "1").available == 14
    show = suggest_shows(df, venue_capacity=55).iloc[0]
    assert show.pending == 3 and show.remaining == 14


@pytest.mark.parametrize(
    "extra, status, available, later",
    [
        ({"sales_start": "2026-06-03T15:00:00Z"}, "not_on_sale_yet", 0, 2),
        ({"sales_end": "2026-05-31T00:00:00Z"}, "sales_ended", 0, 0),
        ({"hidden": True}, "hidden", 0, 0),
        ({}, "on_sale", 2, 0),
    ],
)
def test_a_class_buyers_cannot_buy_now_says_why(extra, status, available, later):
    df = listings([tc("1", "General Admission", 55, 30), tc("2", "Front Row", 10, 8, **extra)])
    fr = row(df, "2")
    assert (fr.status, fr.available, fr.available_later) == (status, available, later)


def test_unreadable_tier_makes_the_events_seats_unknown_with_the_reason():
    df = listings(
        [tc("1", "General Admission", 55, 30)],
        tiers={},
        tier_errors={EVENT_ID: "Eventbrite answered 503"},
    )
    ga = row(df, "1")
    assert pd.isna(ga.available) and pd.isna(ga.event_seats_left) and not ga.unlimited
    assert pd.isna(ga.pending)  # its carts could not be read
    assert "503" in ga.error and ga.sold == 30


def test_catalog_from_before_holds_were_read_says_so():
    df = listings([tc("1", "General Admission", 55, 30)], tiers={})
    assert pd.isna(row(df, "1").available)
    assert "Refresh data" in row(df, "1").error


def test_played_event_needs_no_tier():
    df = listings(
        [tc("1", "General Admission", 55, 50)],
        ev=event(status="completed", start="2026-05-20T00:00:00Z"),
        tiers={},
    )
    ga = row(df, "1")
    assert ga.status == "past" and ga.available == 5 and pd.isna(ga.error)


def test_eventbrite_is_read_past_the_dashboards_90_days_and_says_where_it_stops():
    cat = build_catalog(
        products=[],
        events=[],
        ticket_classes={},
        timezone=TZ,
        fetched_at=NOW,
        eventbrite_fetched_at=NOW,
    )
    assert cat.eventbrite_until - NOW >= timedelta(days=90)
    never = build_catalog(products=[], events=[], ticket_classes={}, timezone=TZ, fetched_at=NOW)
    assert never.eventbrite_until is None
