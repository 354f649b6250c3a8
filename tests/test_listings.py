"""build_listings: the numbers a manager sees per listing, from catalog + live numbers.

The catalog here is built from REST-shaped products (as WooCommerce returns them), so the
same classification and FBOS parsing as production run.
"""

import json
from datetime import UTC, datetime

import pandas as pd
import pytest

from brcc_core.catalog.build import build_catalog
from brcc_core.live.listings import build_listings

TZ = "America/Toronto"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def product(pid, name, meta, *, manage_stock=False, stock=None):
    return {
        "id": pid,
        "name": name,
        "manage_stock": manage_stock,
        "stock_quantity": stock,
        "meta_data": [{"id": i, "key": k, "value": v} for i, (k, v) in enumerate(meta.items())],
    }


FBOS = json.dumps(
    {
        "slotaaaaaaaaaaaaaaaa": {
            "label": "Friday 8pm Show",
            "hour": "08",
            "minute": "00",
            "period": "p.m.",
            "add_time": "enabled",
            "add_date": {
                "dateaaaaaaaaaaaaaaaa": {"date": "June 05, 2026", "stock": 10},
                "datebbbbbbbbbbbbbbbb": {"date": "June 12, 2026", "stock": ""},
                "datecccccccccccccccc": {"date": "May 29, 2026", "stock": 0},
            },
        }
    },
    separators=(",", ":"),
)
WEEKLY = product(
    4061,
    "Friday Night at Backroom Comedy Club",
    {
        "WooCommerceEventsEvent": "Event",
        "WooCommerceEventsType": "bookings",
        "fooevents_bookings_options_serialized": FBOS,
    },
)
SPECIAL = product(
    31907,
    "Robyn & Jason | One Night Only",
    {
        "WooCommerceEventsEvent": "Event",
        "WooCommerceEventsType": "single",
        "WooCommerceEventsDate": "June 06, 2026",
        "WooCommerceEventsHour": "08",
        "WooCommerceEventsMinutes": "00",
        "WooCommerceEventsPeriod": "p.m.",
    },
    manage_stock=True,
    stock=40,
)
OPEN_HOUSE = product(
    37850,
    "Comedy Open House",
    {
        "WooCommerceEventsEvent": "Event",
        "WooCommerceEventsType": "single",
        "WooCommerceEventsDate": "June 08, 2026",
        "WooCommerceEventsHour": "06",
        "WooCommerceEventsMinutes": "00",
        "WooCommerceEventsPeriod": "p.m.",
    },
)
FREE_DRINK = product(11192, "Free Drink", {"WooCommerceEventsEvent": "NotEvent"})
EVENT = {
    "id": "1341477809239",
    "name": {"text": "Friday 8PM Pro Stand-up"},
    "start": {"timezone": TZ, "utc": "2026-06-06T00:00:00Z", "local": "2026-06-05T20:00:00"},
    "status": "live",
    "series_id": "694505453507",
}
CLASSES = {
    "1341477809239": [
        {
            "id": "111",
            "name": "General Admission",
            "capacity": 50,
            "quantity_total": 50,
            "quantity_sold": 30,
        },
        {"id": "222", "name": "Front Row", "capacity": 10, "quantity_total": 5, "quantity_sold": 5},
    ]
}


# The event's capacity tier, as GET /events/{id}/capacity_tier/ answers (read for events
# still on sale): no holds, no carts.
TIERS = {
    "1341477809239": {
        "event_id": "1341477809239",
        "capacity_total": 55,
        "capacity_is_custom": False,
        "capacity_sold": 35,
        "capacity_pending": 0,
        "holds": [],
    }
}


def catalog(products=(WEEKLY, SPECIAL, OPEN_HOUSE, FREE_DRINK), classes=CLASSES, **kw):
    kw.setdefault("capacity_tiers", TIERS)
    return build_catalog(
        products=products,
        events=kw.pop("events", [EVENT]),
        ticket_classes=classes,
        timezone=TZ,
        fetched_at=NOW,
        **kw,
    )


COUNTS = pd.DataFrame(
    [
        (4061, "slotaaaaaaaaaaaaaaaa", "dateaaaaaaaaaaaaaaaa", 40, 3, 0, 2),
        (4061, "slotaaaaaaaaaaaaaaaa", "datebbbbbbbbbbbbbbbb", 12, 0, 0, 0),
        (31907, None, None, 15, 1, 0, 0),
        (37850, None, None, 7, 0, 0, 0),
    ],
    columns=[
        "product_id",
        "slot_id",
        "date_id",
        "sold",
        "pending",
        "checked_in",
        "matched_by_label",
    ],
)


def stock_frame(fbos=FBOS, special_stock=40):
    return pd.DataFrame(
        [
            (4061, "no", None, "instock", fbos),
            (31907, "yes", special_stock, "instock", None),
            (37850, "no", None, "instock", None),
        ],
        columns=["product_id", "manage_stock", "stock", "stock_status", "fbos"],
    )


def by_key(df):
    return df.set_index("listing_key")


def test_bookings_capacity_is_remaining_plus_sold_plus_pending():
    df = by_key(build_listings(catalog(), COUNTS, stock_frame(), now=NOW))
    row = df.loc["wc:4061:slotaaaaaaaaaaaaaaaa:dateaaaaaaaaaaaaaaaa"]
    assert (row.available, row.sold, row.pending, row.capacity) == (10, 40, 3, 53)
    assert row.matched_by_label == 2
    assert row.status == "on_sale"
    assert row.starts_at == pd.Timestamp("2026-06-05 20:00", tz=TZ)


def test_unlimited_stock_is_not_sold_out():
    df = by_key(build_listings(catalog(), COUNTS, stock_frame(), now=NOW))
    row = df.loc["wc:4061:slotaaaaaaaaaaaaaaaa:datebbbbbbbbbbbbbbbb"]
    assert row.unlimited and row.status == "unlimited"
    assert pd.isna(row.available) and pd.isna(row.capacity)
    assert row.sold == 12


def test_past_date_is_past_and_zero_stock_would_be_sold_out():
    df = by_key(build_listings(catalog(), COUNTS, stock_frame(), now=NOW))
    assert df.loc["wc:4061:slotaaaaaaaaaaaaaaaa:datecccccccccccccccc"].status == "past"
    early = datetime(2026, 5, 1, tzinfo=UTC)
    df = by_key(build_listings(catalog(), COUNTS, stock_frame(), now=early))
    assert df.loc["wc:4061:slotaaaaaaaaaaaaaaaa:datecccccccccccccccc"].status == "sold_out"


def test_single_events_show_their_sales_not_zero():
    df = by_key(build_listings(catalog(), COUNTS, stock_frame(special_stock=24), now=NOW))
    special = df.loc["wc:31907"]
    assert (special.sold, special.pending, special.available, special.capacity) == (15, 1, 24, 40)
    assert special.starts_at == pd.Timestamp("2026-06-06 20:00", tz=TZ)
    open_house = df.loc["wc:37850"]
    assert open_house.sold == 7 and open_house.unlimited and open_house.status == "unlimited"


def test_not_events_have_no_listing_and_every_ticket_class_has_one():
    df = by_key(build_listings(catalog(), COUNTS, stock_frame(), now=NOW))
    assert not any(k.startswith("wc:11192") for k in df.index)
    ga, front = df.loc["eb:1341477809239:111"], df.loc["eb:1341477809239:222"]
    assert (ga.capacity, ga.sold, ga.available) == (50, 30, 20)
    # quantity_total is the effective cap, not the class's own capacity
    assert (front.capacity, front.available, front.status) == (5, 0, "sold_out")


def test_unreadable_database_marks_sold_unknown_never_zero():
    df = by_key(build_listings(catalog(), None, None, live_error="database unreachable", now=NOW))
    wc = df[df.channel == "woocommerce"]
    assert wc["sold"].isna().all()
    assert wc["error"].str.contains("sold unknown: database unreachable").all()
    # remaining falls back to the catalog, labelled
    row = df.loc["wc:4061:slotaaaaaaaaaaaaaaaa:dateaaaaaaaaaaaaaaaa"]
    assert row.available == 10 and "catalog" in row.error
    # Eventbrite listings are untouched
    assert df.loc["eb:1341477809239:111"].sold == 30
    assert pd.isna(df.loc["eb:1341477809239:111"].error)


def test_live_fbos_that_breaks_marks_only_that_product():
    broken = FBOS.replace('"label":"Friday 8pm Show"', '"label":"The "Best" Show"')
    df = by_key(build_listings(catalog(), COUNTS, stock_frame(fbos=broken), now=NOW))
    weekly = df[df.product_id == 4061]
    assert weekly["error"].str.contains("booking options unreadable").all()
    assert weekly["available"].isna().all()
    assert weekly["sold"].notna().all()  # sold still comes from tickets
    assert pd.isna(df.loc["wc:31907"].error)


def test_live_stock_overrides_catalog_stock():
    fresher = FBOS.replace('"stock":10', '"stock":4')
    df = by_key(build_listings(catalog(), COUNTS, stock_frame(fbos=fresher), now=NOW))
    assert df.loc["wc:4061:slotaaaaaaaaaaaaaaaa:dateaaaaaaaaaaaaaaaa"].available == 4


def test_hybrid_bookings_smaller_limit_binds():
    hybrid = dict(WEEKLY, manage_stock=True, stock_quantity=6)
    stock = stock_frame()
    stock.loc[stock.product_id == 4061, ["manage_stock", "stock"]] = ["yes", 6]
    df = by_key(build_listings(catalog(products=(hybrid,)), COUNTS, stock, now=NOW))
    row = df.loc["wc:4061:slotaaaaaaaaaaaaaaaa:dateaaaaaaaaaaaaaaaa"]
    assert row.available == 6 and row.limit == "product stock"


def test_event_whose_ticket_classes_failed_stays_visible_as_unknown():
    cat = catalog(classes={}, ticket_class_errors={"1341477809239": "Eventbrite is rate limiting"})
    df = by_key(build_listings(cat, COUNTS, stock_frame(), now=NOW))
    row = df.loc["eb:1341477809239:unknown"]
    assert pd.isna(row.sold) and "rate limiting" in row.error
    assert df.loc["wc:31907"].sold == 15


@pytest.mark.parametrize("column", ["capacity", "sold", "pending", "available"])
def test_number_columns_are_nullable_integers(column):
    df = build_listings(catalog(), COUNTS, stock_frame(), now=NOW)
    assert str(df[column].dtype) == "Int64"


def test_a_channel_that_failed_with_nothing_earlier_is_recorded_as_unknown():
    why = "Eventbrite failed on its side (HTTP 503)"
    first_build = catalog(classes={}, errors={"eventbrite": why}, eventbrite_fetched_at=None)
    df = build_listings(first_build, COUNTS, stock_frame())
    assert df.attrs["unknown_channels"] == {"eventbrite": why}
    woo_down = build_catalog(
        products=[],
        events=[EVENT],
        ticket_classes=CLASSES,
        timezone=TZ,
        fetched_at=NOW,
        eventbrite_fetched_at=NOW,
        errors={"woocommerce": "Website unreachable"},
    )
    assert build_listings(woo_down, None, None).attrs["unknown_channels"] == {
        "woocommerce": "Website unreachable"
    }
    # a channel read fine (or kept from an earlier refresh) is not unknown
    kept = catalog(errors={"eventbrite": why}, eventbrite_fetched_at=NOW)
    assert build_listings(kept, COUNTS, stock_frame()).attrs["unknown_channels"] == {}
