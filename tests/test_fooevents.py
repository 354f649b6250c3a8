"""brcc_core.channels.fooevents: product kinds, every FBOS shape, and the one-date stock write."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from brcc_core.channels.fooevents import (
    FBOS_META_KEY,
    BookingOptionsError,
    classify_product,
    fooevents_formatted_time,
    meta_value,
    parse_booking_options,
    parse_event_date,
    set_date_stock,
    slot_time_label,
)

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE_FBOS = (FIXTURES / "fbos_4156_reference.json").read_text(encoding="utf-8").strip()
REFERENCE_PRODUCT = json.loads((FIXTURES / "product_4156_bookings.json").read_text("utf-8"))

SLOT = {"label": "8pm Show", "hour": "08", "minute": "00", "period": "p.m.", "add_time": "enabled"}


def blob(slots: dict[str, Any]) -> str:
    """An FBOS string as FooEvents' admin save stores it (PHP json_encode, compact)."""
    return json.dumps(slots, separators=(",", ":")).replace("/", "\\/")


def stocks(value: Any) -> list[tuple[str, str, int | None]]:
    return [(sd.slot_id, sd.date_id, sd.stock) for sd in parse_booking_options(value)]


def product(meta: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A WooCommerce REST v3 product dict with the given meta rows."""
    rows = [{"id": 100 + i, "key": k, "value": v} for i, (k, v) in enumerate(meta.items())]
    base: dict[str, Any] = {
        "id": 9001,
        "name": "Test show",
        "type": "simple",
        "manage_stock": False,
        "stock_quantity": None,
        "meta_data": rows,
    }
    base.update(fields)
    return base


# --------------------------------------------------------------------------------------------
# parse_booking_options: shapes


def test_reference_product_blob_reads_every_date_in_stored_order() -> None:
    dates = parse_booking_options(REFERENCE_FBOS)
    assert len(dates) == 26
    assert [sd.slot_label for sd in dates[:5]] == ["January Show"] * 4 + ["February Show"]
    first = dates[0]
    assert (first.slot_id, first.date_id) == ("wcolndrhzpeplpcnmqwi", "nudllvhrureoqebuodjn")
    assert first.date_label == "January 06, 2025"
    assert first.date == date(2025, 1, 6)
    assert first.slot_time == "10:00 p.m."
    assert first.stock == 55 and first.problem is None
    by_id = {sd.date_id: sd for sd in dates}
    assert by_id["snastjcctvxsargsxrod"].stock == 54  # stored as a number
    assert by_id["ngqmlbfdbiwzrjavctyw"].stock == 53  # stored as a string
    assert by_id["khpxagjvciwjxhpvusej"].stock is None  # "" = unlimited
    assert by_id["khpxagjvciwjxhpvusej"].unlimited
    assert [sd.date for sd in dates] == sorted(sd.date for sd in dates)
    assert all(sd.problem is None for sd in dates)


def test_decoded_dict_reads_like_the_string() -> None:
    assert parse_booking_options(json.loads(REFERENCE_FBOS)) == parse_booking_options(
        REFERENCE_FBOS
    )


FLAT = {
    "s1": {
        **SLOT,
        "aa_add_date": "June 02, 2025",
        "aa_stock": "55",
        "bb_add_date": "June 09, 2025",
        "bb_stock": "40",
    }
}
NESTED = {
    "s1": {
        **SLOT,
        "formatted_time": "(08:00 p.m.)",
        "add_date": {
            "aa": {"date": "June 02, 2025", "stock": 54},
            "bb": {"date": "June 09, 2025", "stock": "40"},
        },
    }
}
# Flat keys saved before a nested add_date are replaced by it (FooEvents copies "add_date").
MIXED_FLAT_FIRST = {
    "s1": {
        **SLOT,
        "old_add_date": "May 26, 2025",
        "old_stock": "55",
        "add_date": {"aa": {"date": "June 02, 2025", "stock": 54}},
    }
}
# A flat date after the nested add_date is added to it, in key order.
MIXED_FLAT_AFTER = {
    "s1": {
        **SLOT,
        "add_date": {"aa": {"date": "June 02, 2025", "stock": 54}},
        "cc_add_date": "June 16, 2025",
        "cc_stock": "55",
    }
}
# "Override stock": a flat <id>_stock after the nested add_date wins for that date.
OVERRIDE_STOCK = {
    "s1": {
        **SLOT,
        "add_date": {
            "aa": {"date": "June 02, 2025", "stock": 54},
            "bb": {"date": "June 09, 2025", "stock": 40},
        },
        "aa_stock": "12",
    }
}
ZOOM = {
    "s1": {
        **SLOT,
        "aa_add_date": "June 02, 2025",
        "aa_zoom_id": "98765",
        "aa_zoom_topic": "Show",
        "aa_stock": "5",
    }
}
TWO_SLOTS = {
    "s1": {**SLOT, "aa_add_date": "June 02, 2025", "aa_stock": "55"},
    "s2": {
        "label": "10pm Show",
        "hour": "10",
        "minute": "00",
        "period": "p.m.",
        "add_time": "enabled",
        "add_date": {"aa": {"date": "June 02, 2025", "stock": 30}},
    },
}


@pytest.mark.parametrize(
    ("slots", "expected"),
    [
        pytest.param(FLAT, [("s1", "aa", 55), ("s1", "bb", 40)], id="flat"),
        pytest.param(NESTED, [("s1", "aa", 54), ("s1", "bb", 40)], id="nested"),
        pytest.param(MIXED_FLAT_FIRST, [("s1", "aa", 54)], id="mixed-nested-replaces-flat"),
        pytest.param(MIXED_FLAT_AFTER, [("s1", "aa", 54), ("s1", "cc", 55)], id="mixed-flat-after"),
        pytest.param(OVERRIDE_STOCK, [("s1", "aa", 12), ("s1", "bb", 40)], id="override-stock"),
        pytest.param(ZOOM, [("s1", "aa", 5)], id="zoom-keys-are-not-stock"),
        pytest.param(
            TWO_SLOTS, [("s1", "aa", 55), ("s2", "aa", 30)], id="same-date-id-in-two-slots"
        ),
    ],
)
def test_fbos_shapes(slots: dict[str, Any], expected: list[tuple[str, str, int]]) -> None:
    assert stocks(blob(slots)) == expected
    assert all(sd.problem is None for sd in parse_booking_options(blob(slots)))


def test_flat_slot_reads_label_time_and_dates() -> None:
    dates = parse_booking_options(blob(FLAT))
    assert [(sd.slot_label, sd.slot_time, sd.date) for sd in dates] == [
        ("8pm Show", "8:00 p.m.", date(2025, 6, 2)),
        ("8pm Show", "8:00 p.m.", date(2025, 6, 9)),
    ]


@pytest.mark.parametrize(
    ("stock", "expected", "has_problem"),
    [
        ("40", 40, False),
        (40, 40, False),
        ("40.0", 40, False),
        (40.0, 40, False),
        (" 40 ", 40, False),
        ("", None, False),
        (None, None, False),
        ("0", 0, False),
        (0, 0, False),
        (-3, -3, False),
        ("-2", -2, False),
        ("abc", None, True),
        ("40.5", None, True),
        (" ", None, True),
        (True, None, True),
        ([], None, True),
    ],
)
def test_stock_values(stock: Any, expected: int | None, has_problem: bool) -> None:
    slots = {"s1": {**SLOT, "add_date": {"aa": {"date": "June 02, 2025", "stock": stock}}}}
    (sd,) = parse_booking_options(blob(slots))
    assert sd.stock == expected
    assert (sd.problem is not None) is has_problem
    assert sd.sold_out is (expected is not None and expected <= 0)
    assert sd.unlimited is (expected is None and not has_problem)


def test_missing_stock_is_unlimited() -> None:
    (sd,) = parse_booking_options(blob({"s1": {**SLOT, "aa_add_date": "June 02, 2025"}}))
    assert sd.stock is None and sd.unlimited and sd.problem is None


def test_bad_date_is_reported_without_losing_the_other_dates() -> None:
    slots = {
        "s1": {
            **SLOT,
            "add_date": {
                "aa": {"date": "Junuary 40, 2025", "stock": 10},
                "bb": {"date": "June 09, 2025", "stock": "abc"},
                "cc": {"date": "June 16, 2025", "stock": 7},
                "dd": {"stock": 3},
            },
        }
    }
    aa, bb, cc, dd = parse_booking_options(blob(slots))
    assert aa.date is None and aa.date_label == "Junuary 40, 2025" and aa.stock == 10
    assert "Junuary 40, 2025" in (aa.problem or "")
    assert bb.date == date(2025, 6, 9) and bb.stock is None and "abc" in (bb.problem or "")
    assert cc.problem is None and cc.stock == 7
    assert dd.date_label is None and dd.problem == "no date"


@pytest.mark.parametrize("value", [None, "", "  ", "[]", "null", "{}", {}])
def test_no_booking_options(value: Any) -> None:
    assert parse_booking_options(value) == []


@pytest.mark.parametrize(
    "value",
    [
        pytest.param('{"s1":{"label":"The "Best" Show","add_date":{}}}', id="unescaped-quote"),
        pytest.param('{"s1":{"label":"Show"', id="truncated"),
        pytest.param('{"s1":{"aa_stock":NaN}}', id="nan"),
        pytest.param('["s1"]', id="top-level-array"),
        pytest.param('"just text"', id="top-level-string"),
        pytest.param("42", id="top-level-number"),
        pytest.param('{"s1":"8pm Show"}', id="slot-not-object"),
        pytest.param('{"s1":null}', id="slot-null"),
        pytest.param('{"s1":{"add_date":"June 02, 2025"}}', id="add-date-not-object"),
        pytest.param('{"s1":{"add_date":{"aa":"June 02, 2025"}}}', id="date-entry-not-object"),
        pytest.param('{"s1":{"add_date":{"aa":55}}}', id="date-entry-number"),
    ],
)
def test_broken_blobs_raise(value: str) -> None:
    with pytest.raises(BookingOptionsError) as excinfo:
        parse_booking_options(value)
    assert excinfo.value.reason


def test_empty_slot_has_no_dates() -> None:
    assert parse_booking_options('{"s1":[],"s2":{"label":"x"}}') == []


# --------------------------------------------------------------------------------------------
# Helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("June 02, 2025", date(2025, 6, 2)),
        ("June 2, 2025", date(2025, 6, 2)),
        ("  june   2  2025 ", date(2025, 6, 2)),
        ("Jun 2, 2025", date(2025, 6, 2)),
        ("Sept 5, 2025", date(2025, 9, 5)),
        ("Monday, June 2, 2025", date(2025, 6, 2)),
        ("June 2nd, 2025", date(2025, 6, 2)),
        ("2025-06-02", date(2025, 6, 2)),
        ("February 29, 2024", date(2024, 2, 29)),
        ("February 29, 2025", None),
        ("Junuary 2, 2025", None),
        ("02/06/2025", None),
        ("TBD", None),
        ("", None),
    ],
)
def test_parse_event_date(text: str, expected: date | None) -> None:
    assert parse_event_date(text) == expected


@pytest.mark.parametrize(
    ("slot", "label", "formatted"),
    [
        (SLOT, "8:00 p.m.", "(08:00 p.m.)"),
        ({**SLOT, "hour": "10", "minute": "30"}, "10:30 p.m.", "(10:30 p.m.)"),
        ({**SLOT, "hour": "20", "period": ""}, "20:00", "(20:00)"),
        ({**SLOT, "add_time": "disabled"}, None, None),
        ({"label": "No time", "hour": "08", "minute": "00"}, None, None),
        ({"label": "x", "add_time": "enabled", "hour": "08"}, None, None),
    ],
)
def test_slot_times(slot: dict, label: str | None, formatted: str | None) -> None:
    assert slot_time_label(slot) == label
    assert fooevents_formatted_time(slot) == formatted


def test_meta_value_takes_the_first_row() -> None:
    p = {"meta_data": [{"key": "k", "value": "first"}, {"key": "k", "value": "second"}]}
    assert meta_value(p, "k") == "first"
    assert meta_value(p, "missing") is None
    assert meta_value(p, "missing", "") == ""
    assert meta_value({}, "k") is None
    assert meta_value(REFERENCE_PRODUCT, "WooCommerceEventsType") == "bookings"


# --------------------------------------------------------------------------------------------
# classify_product

ONE_DATE_FBOS = blob({"s1": {**SLOT, "aa_add_date": "June 02, 2025", "aa_stock": "55"}})


def test_reference_product_is_bookings() -> None:
    kind = classify_product(REFERENCE_PRODUCT)
    assert kind.kind == "bookings" and kind.writable
    assert not kind.hybrid and not kind.stale_fbos and kind.fbos_error is None
    assert len(kind.slot_dates) == 26
    assert "26 booking dates" in kind.reason


@pytest.mark.parametrize(
    ("meta", "fields", "kind", "attrs"),
    [
        pytest.param(
            {"WooCommerceEventsEvent": "Event", "WooCommerceEventsType": "bookings",
             FBOS_META_KEY: ONE_DATE_FBOS},
            {"manage_stock": True, "stock_quantity": 40},
            "bookings",
            {"hybrid": True, "stock_quantity": 40, "event_type": "bookings"},
            id="hybrid-bookings",
        ),
        pytest.param(
            {"WooCommerceEventsEvent": "Event", "WooCommerceEventsType": "single",
             "WooCommerceEventsDate": "June 14, 2025"},
            {"manage_stock": True, "stock_quantity": 55},
            "single",
            {"stale_fbos": False, "stock_quantity": 55, "manage_stock": True},
            id="single",
        ),
        pytest.param(
            {"WooCommerceEventsEvent": "Event", "WooCommerceEventsType": "single",
             FBOS_META_KEY: ONE_DATE_FBOS},
            {"manage_stock": True, "stock_quantity": 55},
            "single",
            {"stale_fbos": True, "slot_dates": ()},
            id="single-with-stale-template-fbos",
        ),
        pytest.param(
            {"WooCommerceEventsEvent": "Event", "WooCommerceEventsType": "single",
             FBOS_META_KEY: '{"s1":{"label":"The "Best" Show"}}'},
            {},
            "single",
            {"stale_fbos": True, "manage_stock": False, "stock_quantity": None},
            id="single-with-broken-stale-fbos",
        ),
        pytest.param(
            {"WooCommerceEventsEvent": "Event", "WooCommerceEventsType": "sequential"},
            {},
            "single",
            {"event_type": "sequential"},
            id="multi-day-sequential",
        ),
        pytest.param(
            {"WooCommerceEventsEvent": "NotEvent", "WooCommerceEventsType": "single",
             FBOS_META_KEY: ONE_DATE_FBOS},
            {},
            "not_event",
            {},
            id="free-drink",
        ),
        pytest.param({}, {}, "not_event", {}, id="plain-woocommerce-product"),
        pytest.param(
            {"WooCommerceEventsEvent": "NotEvent", "WooCommerceEventsType": "bookings",
             FBOS_META_KEY: ONE_DATE_FBOS},
            {},
            "not_event",
            {},
            id="not-event-flag-wins-over-bookings-dates",
        ),
        pytest.param(
            {"WooCommerceEventsEvent": "Event", "WooCommerceEventsType": "bookings",
             FBOS_META_KEY: '{"s1":{"label":"The "Best" Show","aa_stock":"5"}}'},
            {},
            "uncertain",
            {"fbos_error": "not valid JSON"},
            id="bookings-undecodable-fbos",
        ),
        pytest.param(
            {"WooCommerceEventsEvent": "Event", "WooCommerceEventsType": "bookings",
             FBOS_META_KEY: {"s1": {"aa_add_date": "June 02, 2025", "aa_stock": "5"}}},
            {},
            "uncertain",
            {"fbos_error": "stored as an object"},
            id="bookings-fbos-stored-as-object",
        ),
        pytest.param(
            {"WooCommerceEventsEvent": "Event", "WooCommerceEventsType": "bookings"},
            {},
            "uncertain",
            {},
            id="bookings-without-fbos",
        ),
        pytest.param(
            {"WooCommerceEventsEvent": "Event", "WooCommerceEventsType": "bookings",
             FBOS_META_KEY: blob({"s1": {**SLOT}})},
            {},
            "uncertain",
            {},
            id="bookings-with-slot-but-no-dates",
        ),
        pytest.param(
            {"WooCommerceEventsEvent": "Event", "WooCommerceEventsDate": "June 14, 2025"},
            {"manage_stock": True, "stock_quantity": 30},
            "single",
            {"event_type": "single", "stock_quantity": 30},
            id="no-type-defaults-to-single",
        ),
        pytest.param(
            {"WooCommerceEventsEvent": "Event", "WooCommerceEventsType": "1"},
            {},
            "single",
            {"event_type": "single"},
            id="type-1-means-no-type",
        ),
        pytest.param(
            {"WooCommerceEventsEvent": "Event", "WooCommerceEventsMultiDayType": "select"},
            {},
            "single",
            {"event_type": "select"},
            id="no-type-legacy-multi-day",
        ),
        pytest.param(
            {"WooCommerceEventsEvent": "Event", FBOS_META_KEY: blob({"s1": {**SLOT}})},
            {},
            "single",
            {"stale_fbos": True},
            id="no-type-with-empty-fbos",
        ),
        pytest.param(
            {"WooCommerceEventsEvent": "Event", FBOS_META_KEY: ONE_DATE_FBOS},
            {},
            "uncertain",
            {},
            id="no-type-but-booking-dates",
        ),
        pytest.param(
            {"WooCommerceEventsEvent": "Event", "WooCommerceEventsMultiDayType": "sequential",
             FBOS_META_KEY: ONE_DATE_FBOS},
            {},
            "uncertain",
            {},
            id="no-type-legacy-multi-day-and-booking-dates",
        ),
        pytest.param(
            {"WooCommerceEventsEvent": "Event", FBOS_META_KEY: "{not json"},
            {},
            "uncertain",
            {"fbos_error": "not valid JSON"},
            id="no-type-undecodable-fbos",
        ),
        pytest.param(
            {"WooCommerceEventsEvent": "Event", "WooCommerceEventsType": "webinar"},
            {},
            "uncertain",
            {"event_type": "webinar"},
            id="unknown-type",
        ),
    ],
)  # fmt: skip
def test_classify_product(
    meta: dict[str, Any], fields: dict[str, Any], kind: str, attrs: dict[str, Any]
) -> None:
    result = classify_product(product(meta, **fields))
    assert result.kind == kind
    assert result.reason
    assert result.writable is (kind in ("bookings", "single"))
    for name, expected in attrs.items():
        actual = getattr(result, name)
        if name == "fbos_error":
            assert expected in actual
        else:
            assert actual == expected, name
    if kind != "bookings":
        assert result.slot_dates == ()


def test_bookings_with_a_bad_date_stays_bookings_and_says_so() -> None:
    fbos = blob({"s1": {**SLOT, "add_date": {"aa": {"date": "June 02, 2025", "stock": "x"}}}})
    meta = {"WooCommerceEventsEvent": "Event", "WooCommerceEventsType": "bookings"}
    result = classify_product(product({**meta, FBOS_META_KEY: fbos}))
    assert result.kind == "bookings"
    assert "1 of them cannot be read" in result.reason
    assert result.slot_dates[0].problem


# --------------------------------------------------------------------------------------------
# set_date_stock


def test_reference_change_touches_exactly_one_value() -> None:
    new = set_date_stock(REFERENCE_FBOS, "xnjkoenposugvfbrlwwb", "rtopzvnnciosvphnpdvi", 48)
    old_piece = '"rtopzvnnciosvphnpdvi":{"date":"March 10, 2025","stock":"55"}'
    new_piece = '"rtopzvnnciosvphnpdvi":{"date":"March 10, 2025","stock":48}'
    assert REFERENCE_FBOS.count(old_piece) == 1
    assert new == REFERENCE_FBOS.replace(old_piece, new_piece)
    before, after = parse_booking_options(REFERENCE_FBOS), parse_booking_options(new)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1
    assert (changed[0][0].stock, changed[0][1].stock) == (55, 48)


def test_setting_the_current_stock_round_trips_byte_for_byte() -> None:
    for sd in parse_booking_options(REFERENCE_FBOS):
        assert set_date_stock(REFERENCE_FBOS, sd.slot_id, sd.date_id, sd.stock) == REFERENCE_FBOS


def test_unlimited_is_written_as_empty_string() -> None:
    new = set_date_stock(REFERENCE_FBOS, "wcolndrhzpeplpcnmqwi", "nudllvhrureoqebuodjn", None)
    assert '"nudllvhrureoqebuodjn":{"date":"January 06, 2025","stock":""}' in new
    assert parse_booking_options(new)[0].unlimited


def test_sold_out_zero_is_written() -> None:
    new = set_date_stock(REFERENCE_FBOS, "wcolndrhzpeplpcnmqwi", "nudllvhrureoqebuodjn", 0)
    assert parse_booking_options(new)[0].sold_out


def test_flat_slot_is_folded_to_nested_as_foevents_writes_it() -> None:
    value = blob(TWO_SLOTS | {"s3": {**SLOT, "zz_add_date": "June 30, 2025", "zz_stock": "9"}})
    new = set_date_stock(value, "s1", "aa", 50)
    expected_s1 = (
        '"s1":{"label":"8pm Show","hour":"08","minute":"00","period":"p.m.",'
        '"formatted_time":"(08:00 p.m.)","add_time":"enabled",'
        '"add_date":{"aa":{"date":"June 02, 2025","stock":50}}}'
    )
    assert expected_s1 in new
    # The other slots, one nested and one flat, are kept exactly as stored.
    decoded_new, decoded_old = json.loads(new), json.loads(value)
    assert decoded_new["s2"] == decoded_old["s2"]
    assert decoded_new["s3"] == decoded_old["s3"]
    assert list(decoded_new) == ["s1", "s2", "s3"]
    assert stocks(new) == [("s1", "aa", 50), ("s2", "aa", 30), ("s3", "zz", 9)]


def test_flat_slot_fold_keeps_date_key_order_and_zoom_keys() -> None:
    new = json.loads(set_date_stock(blob(ZOOM), "s1", "aa", 4))
    assert new["s1"]["add_date"] == {
        "aa": {"date": "June 02, 2025", "zoom_id": "98765", "stock": 4}
    }
    assert list(new["s1"]["add_date"]["aa"]) == ["date", "zoom_id", "stock"]
    assert new["s1"]["aa_zoom_topic"] == "Show"  # not a date key: FooEvents keeps it as is


def is_mixed(slot: dict[str, Any]) -> bool:
    flat = any(m in k for k in slot for m in ("_add_date", "_stock", "_zoom_id"))
    return flat and "add_date" in slot


@pytest.mark.parametrize(
    ("slots", "date_id", "expected"),
    [
        pytest.param(MIXED_FLAT_FIRST, "aa", [("s1", "aa", 20)], id="flat-first"),
        pytest.param(MIXED_FLAT_AFTER, "cc", [("s1", "aa", 54), ("s1", "cc", 20)], id="flat-after"),
        pytest.param(OVERRIDE_STOCK, "bb", [("s1", "aa", 12), ("s1", "bb", 20)], id="override"),
        pytest.param(OVERRIDE_STOCK, "aa", [("s1", "aa", 20), ("s1", "bb", 40)], id="overridden"),
    ],
)
def test_mixed_slot_is_folded_never_written_mixed(
    slots: dict[str, Any], date_id: str, expected: list[tuple[str, str, int]]
) -> None:
    value = blob(slots)
    new = set_date_stock(value, "s1", date_id, 20)
    assert stocks(new) == expected
    assert not any(is_mixed(slot) for slot in json.loads(new).values())


def test_other_mixed_slots_are_folded_too() -> None:
    slots = {"s0": {**SLOT, "aa_add_date": "June 02, 2025", "aa_stock": "3"}} | copy.deepcopy(
        OVERRIDE_STOCK
    )
    new = set_date_stock(blob(slots), "s0", "aa", 2)
    assert not any(is_mixed(slot) for slot in json.loads(new).values())
    assert stocks(new) == [("s0", "aa", 2), ("s1", "aa", 12), ("s1", "bb", 40)]


@pytest.mark.parametrize(
    ("value", "slot_id", "date_id", "stock"),
    [
        pytest.param(REFERENCE_FBOS, "nope", "nudllvhrureoqebuodjn", 5, id="unknown-slot"),
        pytest.param(REFERENCE_FBOS, "wcolndrhzpeplpcnmqwi", "nope", 5, id="unknown-date"),
        pytest.param(
            REFERENCE_FBOS, "wcolndrhzpeplpcnmqwi", "snastjcctvxsargsxrod", 5, id="other-slots-date"
        ),
        pytest.param('{"s1":{"label":"x","aa_stock":"5"}}', "s1", "aa", 5, id="dateless"),
        pytest.param('{"s1":{"label":"The "Best" Show"}}', "s1", "aa", 5, id="undecodable"),
        pytest.param('{"s1":"x"}', "s1", "aa", 5, id="broken-structure"),
        pytest.param("", "s1", "aa", 5, id="empty"),
        pytest.param(REFERENCE_FBOS, "wcolndrhzpeplpcnmqwi", "nudllvhrureoqebuodjn", -1, id="neg"),
        pytest.param(REFERENCE_FBOS, "wcolndrhzpeplpcnmqwi", "nudllvhrureoqebuodjn", 4.5, id="flt"),
        pytest.param(json.loads(REFERENCE_FBOS), "wcolndrhzpeplpcnmqwi", "x", 5, id="not-a-string"),
    ],
)  # fmt: skip
def test_set_date_stock_refuses(value: Any, slot_id: str, date_id: str, stock: Any) -> None:
    with pytest.raises(BookingOptionsError):
        set_date_stock(value, slot_id, date_id, stock)


def test_php_default_escaping_is_kept() -> None:
    # As FooEvents' admin save stores it: json_encode defaults escape "/" and non-ASCII.
    value = (
        '{"s1":{"label":"Comedy w\\/ Vanessa \\u2013 Caf\\u00e9 \\ud83c\\udf89 \\"Live\\"",'
        '"add_date":{"aa":{"date":"June 02, 2025","stock":"55"}}}}'
    )
    new = set_date_stock(value, "s1", "aa", 54)
    assert new == value.replace('"stock":"55"', '"stock":54')
    assert parse_booking_options(new)[0].slot_label == 'Comedy w/ Vanessa – Café 🎉 "Live"'


def test_raw_unicode_and_slashes_are_kept() -> None:
    # As FooEvents' order writes leave it: JSON_UNESCAPED_UNICODE, then stripslashes.
    value = (
        '{"s1":{"label":"Comedy w/ Vanessa – Café 🎉",'
        '"add_date":{"aa":{"date":"June 02, 2025","stock":54}}}}'
    )
    new = set_date_stock(value, "s1", "aa", 53)
    assert new == value.replace('"stock":54', '"stock":53')


def test_output_is_compact_php_json() -> None:
    pretty = json.dumps(NESTED, indent=2) + "\n"
    new = set_date_stock(pretty, "s1", "aa", 1)
    assert new == blob(json.loads(new))  # compact separators, as json_encode writes
    assert "\n" not in new and '": ' not in new and '", "' not in new
    assert stocks(new) == [("s1", "aa", 1), ("s1", "bb", 40)]


def test_set_then_parse_changes_only_the_target_for_every_shape() -> None:
    for slots in (FLAT, NESTED, MIXED_FLAT_FIRST, MIXED_FLAT_AFTER, OVERRIDE_STOCK, TWO_SLOTS):
        value = blob(slots)
        for sd in parse_booking_options(value):
            new = set_date_stock(value, sd.slot_id, sd.date_id, 7)
            after = {(d.slot_id, d.date_id): d for d in parse_booking_options(new)}
            before = {(d.slot_id, d.date_id): d for d in parse_booking_options(value)}
            assert list(after) == list(before)
            assert after.pop((sd.slot_id, sd.date_id)).stock == 7
            before.pop((sd.slot_id, sd.date_id))
            assert after == before
