"""What a sale does to the WordPress/Eventbrite tables, as FooEvents and WooCommerce do it.

Pure checks of the encodings and the FBOS writer, then sales against a real database (SQLite
and MariaDB) on a small product built here with the same builders the seed uses.
"""

from __future__ import annotations

import json
import random
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import phpserialize
import pytest
from sqlalchemy import Engine, func, select

from brcc_core.sandbox import fooevents_sim as sim
from brcc_core.sandbox.schema import eventbrite_metadata, wordpress_metadata

TZ = ZoneInfo("America/Toronto")
WHEN = datetime(2025, 6, 1, 14, 0, tzinfo=TZ)
WP = wordpress_metadata("wp_").tables
POSTS, POSTMETA = WP["wp_posts"], WP["wp_postmeta"]
ORDERS, ORDERS_META = WP["wp_wc_orders"], WP["wp_wc_orders_meta"]
ITEMS, ITEMMETA = WP["wp_woocommerce_order_items"], WP["wp_woocommerce_order_itemmeta"]
LOOKUP = WP["wp_wc_product_meta_lookup"]
EB = eventbrite_metadata().tables


def unserialize(value: str):
    return phpserialize.loads(value.encode("utf-8"), decode_strings=True)


def slot(form: str, dates, label: str = "Saturday 8pm Show") -> dict:
    return sim.fbos_slot(label, "08", "00", "p.m.", dates, form=form)


# --- encodings ---------------------------------------------------------------------------


def test_php_json_encode_matches_wp_json_encode_defaults():
    value = {"a": "Overalls w/ Vanessa", "b": "Café", "c": 5, "d": {}}
    assert sim.php_json_encode(value) == ('{"a":"Overalls w\\/ Vanessa","b":"Café","c":5,"d":[]}')


def test_fooevents_write_strips_backslashes_and_breaks_quoted_labels():
    fine = sim.fooevents_fbos_value({"s": {"label": "Comedy w/ Vanessa"}})
    assert fine == '{"s":{"label":"Comedy w/ Vanessa"}}'
    broken = sim.fooevents_fbos_value({"s": {"label": 'The "Ask Us" Show'}})
    assert broken == '{"s":{"label":"The "Ask Us" Show"}}'
    with pytest.raises(ValueError):
        json.loads(broken)
    with pytest.raises(sim.BrokenBookingOptions):
        sim.decode_fbos(broken)


def test_php_serialize_is_byte_identical_to_phpserialize():
    value = {
        1: {1: {"WooCommerceEventsPrice": "<b>$22.50</b>", "n": None, "é": "Montréal"}},
        2: [{"amount": "1", "unit": "weeks"}, True, 7],
    }
    assert sim.php_serialize(value) == phpserialize.dumps(value).decode("utf-8")


# --- FBOS writer -------------------------------------------------------------------------


def test_process_booking_options_folds_flat_keys_in_stored_order():
    raw = {"s1": slot("flat", [("d1", "June 07, 2025", 55), ("d2", "June 14, 2025", 40)])}
    processed = sim.process_booking_options(raw)
    assert "d1_add_date" not in processed["s1"]
    assert processed["s1"]["add_date"] == {
        "d1": {"date": "June 07, 2025", "stock": "55"},
        "d2": {"date": "June 14, 2025", "stock": "40"},
    }
    assert processed["s1"]["formatted_time"] == "(08:00 p.m.)"


def test_flat_stock_after_nested_add_date_overrides_it():
    body = slot("nested", [("d1", "June 07, 2025", 50), ("d2", "June 14, 2025", 40)])
    body["d1_stock"] = "12"  # the override, stored after add_date
    body["d3_add_date"] = "June 21, 2025"
    body["d3_stock"] = "55"
    processed = sim.process_booking_options({"s1": body})["s1"]["add_date"]
    assert processed["d1"]["stock"] == "12"
    assert processed["d2"]["stock"] == 40
    assert list(processed) == ["d1", "d2", "d3"]


def test_literal_add_date_replaces_flat_dates_gathered_before_it():
    body = {"label": "x", "d9_add_date": "May 01, 2025", "d9_stock": "5"}
    body["add_date"] = {"d1": {"date": "June 07, 2025", "stock": 3}}
    processed = sim.process_booking_options({"s1": body})["s1"]["add_date"]
    assert processed == {"d1": {"date": "June 07, 2025", "stock": 3}}


def test_capture_changes_one_date_and_writes_the_whole_blob_nested():
    raw = {
        "s1": slot("flat", [("d1", "June 07, 2025", 55), ("d2", "June 14, 2025", 55)]),
        "s2": slot("nested", [("d3", "June 07, 2025", "")], label="Saturday 10pm Show"),
    }
    value, booked = sim.capture_booking(json.dumps(raw), "s1", "d2", 3)
    stored = json.loads(value)
    assert not any(k.endswith(("_add_date", "_stock")) for k in stored["s1"])
    assert stored["s1"]["add_date"]["d2"]["stock"] == 52  # int, as FooEvents writes it
    assert stored["s1"]["add_date"]["d1"]["stock"] == "55"  # untouched, still a string
    assert stored["s2"]["add_date"]["d3"]["stock"] == ""  # unlimited stays unlimited
    assert booked["label"] == "Saturday 8pm Show"


def test_capture_of_unlimited_date_keeps_it_unlimited():
    raw = {"s1": slot("nested", [("d1", "June 07, 2025", "")])}
    value, _ = sim.capture_booking(json.dumps(raw), "s1", "d1", 4)
    assert json.loads(value)["s1"]["add_date"]["d1"]["stock"] == ""


@pytest.mark.parametrize("stock", [2, "2", 0, "0", -1])
def test_capture_refuses_more_than_remaining(stock):
    raw = json.dumps({"s1": slot("nested", [("d1", "June 07, 2025", stock)])})
    with pytest.raises(sim.InsufficientStock):
        sim.capture_booking(raw, "s1", "d1", 3)


def test_capture_refuses_unknown_slot_or_date():
    raw = json.dumps({"s1": slot("nested", [("d1", "June 07, 2025", 5)])})
    with pytest.raises(sim.SaleError):
        sim.capture_booking(raw, "nope", "d1", 1)
    with pytest.raises(sim.SaleError):
        sim.capture_booking(raw, "s1", "nope", 1)


# --- order meta ---------------------------------------------------------------------------


def test_order_tickets_meta_is_fooevents_shape_indexed_from_one():
    booking = sim.Booking("s1", "Saturday 8pm Show", "d1", "June 07, 2025", "08", "00", "p.m.")
    person = sim.Person("Ann", "Lee", "ann@example.invalid")
    entries = [
        sim.order_ticket_entry(
            product_id=pid,
            order_id=77,
            customer_id=0,
            price=Decimal("24.35"),
            purchaser=person,
            attendee=person,
            booking=booking if pid == 10 else None,
        )
        for pid in (10, 10, 20)
    ]
    data = unserialize(sim.order_tickets_value(entries))
    assert list(data) == [1, 2] and list(data[1]) == [1, 2] and list(data[2]) == [1]
    first = data[1][1]
    assert first["WooCommerceEventsProductID"] == "10"
    assert first["WooCommerceEventsOrderID"] == "77"
    assert first["WooCommerceEventsBookingOptions"] == {
        "slot": "s1",
        "slot_label": "Saturday 8pm Show",
        "date": "d1",
        "date_label": "June 07, 2025",
    }
    assert data[2][1]["WooCommerceEventsBookingOptions"] is None
    assert booking.slot_display == "Saturday 8pm Show (08:00 p.m.)"


# --- sales against the database -----------------------------------------------------------


def make_product(
    conn,
    product_id: int,
    *,
    fbos: str | None,
    manage_stock: bool = False,
    stock: int | None = None,
    event_type: str = "bookings",
) -> None:
    conn.execute(POSTS.insert(), [sim.product_post_row(product_id, f"Show {product_id}", WHEN)])
    items = sim.product_meta_items(
        price="24.35",
        total_sales=0,
        manage_stock=manage_stock,
        stock=stock,
        event_type=event_type,
        fbos=fbos,
    )
    conn.execute(POSTMETA.insert(), sim.meta_rows(product_id, items))
    conn.execute(
        LOOKUP.insert(),
        [
            sim.product_lookup_row(
                product_id, price="24.35", manage_stock=manage_stock, stock=stock, total_sales=0
            )
        ],
    )


def meta(conn, post_id: int, key: str) -> str | None:
    return conn.execute(
        select(POSTMETA.c.meta_value).where(
            POSTMETA.c.post_id == post_id, POSTMETA.c.meta_key == key
        )
    ).scalar()


def ticket_ids(conn) -> list[int]:
    return list(
        conn.execute(
            select(POSTS.c["ID"]).where(POSTS.c.post_type == sim.TICKET_POST_TYPE)
        ).scalars()
    )


FLAT_FBOS = json.dumps(
    {
        "s1": slot("flat", [("d1", "June 07, 2025", 55), ("d2", "June 14, 2025", 10)]),
        "s2": slot("flat", [("d3", "June 07, 2025", 55)], label="Saturday 10pm Show"),
    },
    separators=(",", ":"),
)


def test_completed_booking_sale_creates_tickets_and_takes_one_dates_stock(engine: Engine):
    with engine.begin() as conn:
        make_product(conn, 500, fbos=FLAT_FBOS)
        order_id = sim.sell_booking(conn, 500, "s1", "d2", 3, when=WHEN, rng=random.Random(4))
    with engine.connect() as conn:
        after = sim.process_booking_options(json.loads(meta(conn, 500, sim.FBOS_KEY)))
        before = sim.process_booking_options(json.loads(FLAT_FBOS))
        changed = [
            (s, d)
            for s in before
            for d in before[s]["add_date"]
            if before[s]["add_date"][d]["stock"] != after[s]["add_date"][d]["stock"]
        ]
        assert changed == [("s1", "d2")]
        assert after["s1"]["add_date"]["d2"]["stock"] == 7
        raw = json.loads(meta(conn, 500, sim.FBOS_KEY))
        assert all("add_date" in s and not any("_stock" in k for k in s) for s in raw.values())

        order = conn.execute(select(POSTS).where(POSTS.c["ID"] == order_id)).one()
        assert (order.post_type, order.post_status) == ("shop_order", "wc-completed")
        item = conn.execute(select(ITEMS).where(ITEMS.c.order_id == order_id)).one()
        item_meta = dict(
            conn.execute(
                select(ITEMMETA.c.meta_key, ITEMMETA.c.meta_value).where(
                    ITEMMETA.c.order_item_id == item.order_item_id
                )
            ).all()
        )
        assert (item_meta["_product_id"], item_meta["_qty"]) == ("500", "3")

        tickets = ticket_ids(conn)
        assert len(tickets) == 3
        for tid in tickets:
            post = conn.execute(select(POSTS).where(POSTS.c["ID"] == tid)).one()
            number = meta(conn, tid, "WooCommerceEventsTicketID")
            assert post.post_title == f"#{number}" and number.startswith(str(tid))
            assert meta(conn, tid, "WooCommerceEventsProductID") == "500"
            assert meta(conn, tid, "WooCommerceEventsOrderID") == str(order_id)
            assert meta(conn, tid, "WooCommerceEventsStatus") == "Not Checked In"
            assert meta(conn, tid, "WooCommerceEventsBookingSlotID") == "s1"
            assert meta(conn, tid, "WooCommerceEventsBookingDateID") == "d2"
            assert meta(conn, tid, "WooCommerceEventsBookingSlot") == (
                "Saturday 8pm Show (08:00 p.m.)"
            )
            assert meta(conn, tid, "WooCommerceEventsBookingDate") == "June 14, 2025"
            assert len(meta(conn, tid, "WooCommerceEventsTicketHash")) == 8


def test_pending_hpos_order_holds_stock_with_tickets_only_in_order_meta(engine: Engine):
    with engine.begin() as conn:
        make_product(conn, 501, fbos=FLAT_FBOS)
        order_id = sim.sell_booking(
            conn, 501, "s2", "d3", 2, order_status="pending", storage="hpos", when=WHEN
        )
    with engine.connect() as conn:
        assert ticket_ids(conn) == []
        placeholder = conn.execute(select(POSTS).where(POSTS.c["ID"] == order_id)).one()
        assert placeholder.post_type == "shop_order_placehold"
        order = conn.execute(select(ORDERS).where(ORDERS.c.id == order_id)).one()
        assert (order.status, order.type) == ("wc-pending", "shop_order")
        value = conn.execute(
            select(ORDERS_META.c.meta_value).where(
                ORDERS_META.c.order_id == order_id,
                ORDERS_META.c.meta_key == sim.ORDER_TICKETS_KEY,
            )
        ).scalar_one()
        tickets = [t for event in unserialize(value).values() for t in event.values()]
        assert len(tickets) == 2
        assert {t["WooCommerceEventsBookingOptions"]["date"] for t in tickets} == {"d3"}
        fbos = sim.process_booking_options(json.loads(meta(conn, 501, sim.FBOS_KEY)))
        assert fbos["s2"]["add_date"]["d3"]["stock"] == 53


def test_refused_sale_writes_nothing(engine: Engine):
    with engine.begin() as conn:
        make_product(conn, 502, fbos=FLAT_FBOS)
    with engine.connect() as conn:
        rows_before = conn.execute(select(func.count()).select_from(POSTMETA)).scalar()
        with pytest.raises(sim.InsufficientStock):
            sim.sell_booking(conn, 502, "s1", "d2", 11, when=WHEN)
        assert conn.execute(select(func.count()).select_from(POSTMETA)).scalar() == rows_before
        assert meta(conn, 502, sim.FBOS_KEY) == FLAT_FBOS
        conn.rollback()


def test_broken_fbos_cannot_be_sold(engine: Engine):
    broken = sim.fooevents_fbos_value(
        {"s1": slot("nested", [("d1", "June 07, 2025", 5)], label='The "Big" Show')}
    )
    with engine.begin() as conn:
        make_product(conn, 503, fbos=broken)
    with engine.connect() as conn, pytest.raises(sim.BrokenBookingOptions):
        sim.sell_booking(conn, 503, "s1", "d1", 1, when=WHEN)


def test_single_event_sale_reduces_managed_stock_once_paid(engine: Engine):
    with engine.begin() as conn:
        make_product(conn, 504, fbos=None, manage_stock=True, stock=5, event_type="single")
        sim.sell_single(conn, 504, 2, when=WHEN)
        sim.sell_single(conn, 504, 1, order_status="pending", when=WHEN)  # not paid yet
    with engine.connect() as conn:
        assert meta(conn, 504, "_stock") == "3"
        assert meta(conn, 504, "total_sales") == "2"
        lookup = conn.execute(select(LOOKUP).where(LOOKUP.c.product_id == 504)).one()
        assert (lookup.stock_quantity, lookup.total_sales) == (3, 2)
        assert len(ticket_ids(conn)) == 2
        assert meta(conn, ticket_ids(conn)[0], "WooCommerceEventsBookingSlotID") is None
    with engine.begin() as conn, pytest.raises(sim.InsufficientStock):
        sim.sell_single(conn, 504, 4, when=WHEN)


def test_eventbrite_sale_adds_to_quantity_sold_within_the_cap(engine: Engine):
    events, classes = EB["sandbox_eb_events"], EB["sandbox_eb_ticket_classes"]
    stamp = datetime(2025, 6, 1, 12, 0)
    with engine.begin() as conn:
        conn.execute(
            events.insert(),
            [
                {
                    "id": "1219650229669",
                    "organization_id": "698566935713",
                    "name": "Show",
                    "start_utc": stamp,
                    "end_utc": stamp,
                    "timezone": "America/Toronto",
                    "capacity": 55,
                    "created": stamp,
                    "changed": stamp,
                }
            ],
        )
        conn.execute(
            classes.insert(),
            [
                {"id": "11", "event_id": "1219650229669", "name": "General Admission",
                 "capacity": 45, "quantity_sold": 40, "changed": stamp},
                {"id": "12", "event_id": "1219650229669", "name": "Front Row",
                 "capacity": 10, "quantity_sold": 9, "changed": stamp},
            ],
        )  # fmt: skip
        assert sim.sell_eventbrite(conn, "11", 5) == 45
        with pytest.raises(sim.InsufficientStock):
            sim.sell_eventbrite(conn, "12", 2)  # the class has 1 left
    with engine.connect() as conn:
        sold = conn.execute(select(classes.c.quantity_sold).order_by(classes.c.id)).scalars()
        assert list(sold) == [45, 9]
