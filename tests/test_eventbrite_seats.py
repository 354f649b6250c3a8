"""The Eventbrite seat model over real shapes: shared event capacity, holds, add-ons,
donations, carts in progress and sales windows (field names from Eventbrite's
ticket_class and capacity_tier objects)."""

from datetime import UTC, datetime, timedelta

import pytest

from brcc_core.channels import eventbrite_seats as seats
from brcc_core.channels.eventbrite_records import (
    CapacityTier,
    TicketClass,
    capacity_tier,
    held_seats,
    ticket_class,
    ticket_classes,
)
from brcc_core.channels.eventbrite_seats import event_seats

NOW = datetime(2025, 5, 30, 18, 0, tzinfo=UTC)


def ga(cap=55, sold=0, **kw):
    return TicketClass("2110001", "General Admission", capacity=cap, quantity_sold=sold, **kw)


def front_row(cap=10, sold=0, **kw):
    return TicketClass("2110002", "Front Row", capacity=cap, quantity_sold=sold, **kw)


CASES = [
    # (label, classes, event kwargs, expected event (capacity, held, sold, pending, left),
    #  expected per class {id: (available, status, limit)})
    (
        "shared capacity 55: GA cap 55 + Front Row cap 10, 38 sold",
        [ga(55, 30), front_row(10, 8)],
        dict(event_capacity=55, capacity_is_custom=True),
        (55, 0, 38, 0, 17),
        {"2110001": (17, "on_sale", "event capacity"), "2110002": (2, "on_sale", "ticket class")},
    ),
    (
        "capacity not custom: the sum of the classes",
        [ga(45, 40), front_row(10, 2)],
        dict(event_capacity=55, capacity_is_custom=False),
        (55, 0, 42, 0, 13),
        {"2110001": (5, "on_sale", "ticket class"), "2110002": (8, "on_sale", "ticket class")},
    ),
    (
        "hold of 6 seats",
        [ga(55, 30)],
        dict(
            event_capacity=55,
            capacity_is_custom=True,
            tier=CapacityTier(capacity_total=55, held=6),
        ),
        (55, 6, 30, 0, 19),
        {"2110001": (19, "on_sale", "event capacity less holds")},
    ),
    (
        "drink-voucher add-on is not a seat",
        [
            ga(55, 20),
            TicketClass(
                "2110003", "Drink voucher", category="add_on", capacity=100, quantity_sold=7
            ),
        ],
        dict(event_capacity=None, capacity_is_custom=False),
        (55, 0, 20, 0, 35),
        {"2110001": (35, "on_sale", "ticket class"), "2110003": (None, "add_on", "ticket class")},
    ),
    (
        "pay-what-you-can admission (donation, capacity null) is a seat bounded by the event",
        [
            TicketClass(
                "2110004", "Pay what you can", donation=True, capacity=None, quantity_sold=21
            ),
            ga(50, 10),
        ],
        dict(event_capacity=50, capacity_is_custom=True),
        (50, 0, 31, 0, 19),
        {
            "2110004": (19, "on_sale", "event capacity"),
            "2110001": (19, "on_sale", "event capacity"),
        },
    ),
    (
        "checkout donation (category donation) is no seat",
        [
            ga(50, 10),
            TicketClass(
                "2110005", "Support the club", category="donation", donation=True, quantity_sold=21
            ),
        ],
        dict(event_capacity=50, capacity_is_custom=True),
        (50, 0, 10, 0, 40),
        {"2110001": (40, "on_sale", "ticket class"), "2110005": (None, "donation", "ticket class")},
    ),
    (
        "carts in progress take seats (tier capacity_pending)",
        [ga(55, 50)],
        dict(
            event_capacity=55,
            capacity_is_custom=True,
            tier=CapacityTier(capacity_total=55, capacity_pending=3),
        ),
        (55, 0, 50, 3, 2),
        {"2110001": (2, "on_sale", "ticket class")},
    ),
    (
        "class quantity_pending counts on the class too",
        [ga(55, 20), front_row(10, 8, quantity_pending=2)],
        dict(event_capacity=55, capacity_is_custom=True),
        (55, 0, 28, 2, 25),
        {"2110001": (25, "on_sale", "event capacity"), "2110002": (0, "sold_out", "ticket class")},
    ),
    (
        "front row not on sale yet: GA sells now, front row later",
        [ga(55, 30), front_row(10, 0, sales_start=NOW + timedelta(days=3))],
        dict(event_capacity=55, capacity_is_custom=True),
        (55, 0, 30, 0, 25),
        {
            "2110001": (25, "on_sale", "ticket class"),
            "2110002": (0, "not_on_sale_yet", "ticket class"),
        },
    ),
    (
        "sales ended and hidden classes sell nothing now",
        [
            ga(55, 30, sales_end=NOW - timedelta(hours=1)),
            front_row(10, 0, hidden=True),
        ],
        dict(event_capacity=55, capacity_is_custom=True),
        (55, 0, 30, 0, 25),
        {"2110001": (0, "sales_ended", "ticket class"), "2110002": (0, "hidden", "ticket class")},
    ),
    (
        "oversold event: every class shows the overshoot",
        [ga(55, 50), front_row(10, 8)],
        dict(event_capacity=55, capacity_is_custom=True),
        (55, 0, 58, 0, -3),
        {
            "2110001": (-3, "oversold", "event capacity"),
            "2110002": (-3, "oversold", "event capacity"),
        },
    ),
    (
        "no capacity anywhere: unlimited",
        [ga(None, 5)],
        dict(event_capacity=None, capacity_is_custom=False),
        (None, 0, 5, 0, None),
        {"2110001": (None, "on_sale", "ticket class")},
    ),
]


@pytest.mark.parametrize(
    "classes, kwargs, event, per_class", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_event_and_class_figures(classes, kwargs, event, per_class):
    result = event_seats(classes, now=NOW, **kwargs)
    assert (result.capacity, result.held, result.sold, result.pending, result.seats_left) == event
    for tc_id, (available, status, limit) in per_class.items():
        got = result.of(tc_id)
        assert (got.available, got.status, got.limit) == (available, status, limit), tc_id


def test_class_never_sells_more_than_the_event_has_left():
    for sold_ga in range(0, 56, 5):
        for sold_fr in range(0, 11, 3):
            result = event_seats(
                [ga(55, sold_ga), front_row(10, sold_fr)],
                event_capacity=55,
                capacity_is_custom=True,
                now=NOW,
            )
            for c in result.classes:
                assert c.available <= result.seats_left


def test_not_yet_on_sale_class_says_what_it_can_sell_later():
    result = event_seats(
        [ga(55, 40), front_row(10, 0, sales_start=NOW + timedelta(days=1))],
        event_capacity=55,
        capacity_is_custom=True,
        now=NOW,
    )
    fr = result.of("2110002")
    assert (fr.available, fr.later) == (0, 10)  # bounded by its own cap (event has 15)


def test_unread_tier_makes_seats_left_unknown_not_zero():
    result = event_seats(
        [ga(55, 30)],
        event_capacity=55,
        capacity_is_custom=True,
        tier_error="Eventbrite timed out",
        now=NOW,
    )
    assert result.seats_left is None and not result.unlimited
    assert "timed out" in result.error
    assert result.of("2110001").status == "unknown"


def test_capacity_tier_answer_parses_holds_and_carts():
    tier = {
        "event_id": "1219650229669",
        "capacity_total": 55,
        "capacity_is_custom": True,
        "capacity_sold": 30,
        "capacity_pending": 2,
        "capacity_remaining": 17,
        "holds": [
            {"id": "9001", "name": "Comps", "quantity_total": 4, "quantity_sold": 0},
            {"id": "9002", "name": "Press", "quantity_total": 3, "quantity_sold": 1},
        ],
    }
    assert capacity_tier(tier) == CapacityTier(55, True, 30, 2, 6)
    assert held_seats(None) == held_seats([]) == 0


def test_tier_capacity_keeps_sold_carts_and_holds():
    result = event_seats(
        [ga(55, 30)],
        event_capacity=55,
        capacity_is_custom=True,
        tier=CapacityTier(capacity_total=55, capacity_pending=2, held=6),
        now=NOW,
    )
    assert result.capacity_for(10) == 48


def test_event_carts_not_reported_per_class_land_on_the_first_seat_class():
    result = event_seats(
        [
            TicketClass("2110003", "Drink voucher", category="add_on", capacity=100),
            ga(55, 20),
            front_row(10, 5),
        ],
        event_capacity=55,
        capacity_is_custom=True,
        tier=CapacityTier(capacity_total=55, capacity_pending=4),
        now=NOW,
    )
    assert result.pending == 4
    assert sum(c.pending for c in result.classes if c.is_seat) == 4
    assert result.of("2110001").pending == 4
    assert result.seats_left == 55 - 25 - 4


def test_a_fresh_api_read_gives_the_listings_figures():
    classes = [
        {
            "id": "2110001",
            "name": "General Admission",
            "category": "admission",
            "capacity": 55,
            "quantity_total": 55,
            "quantity_sold": 30,
            "hidden": False,
            "sales_start": "2025-05-01T15:00:00Z",
            "sales_end": "2025-06-07T00:00:00Z",
        },
        {
            "id": "2110002",
            "name": "Front Row",
            "category": "admission",
            "capacity": 10,
            "quantity_total": 10,
            "quantity_sold": 8,
            "sales_start": "2025-06-02T15:00:00",  # no offset: UTC
        },
        {"id": "2110003", "name": "Drink voucher", "category": "add_on", "capacity": 100},
    ]
    tier = {
        "capacity_total": 55,
        "capacity_sold": 38,
        "capacity_pending": 1,
        "holds": [{"quantity_total": 6, "quantity_sold": 0}],
    }
    result = seats.seats_from_tier(ticket_classes(classes), capacity_tier(tier), now=NOW)
    assert result.seats_left == 55 - 6 - 38 - 1
    assert result.of("2110001").available == 10
    assert (result.of("2110002").status, result.of("2110002").later) == ("not_on_sale_yet", 2)
    assert not result.of("2110003").is_seat


def test_seats_note_tells_shared_seats_and_later_sales():
    import pandas as pd

    assert seats.seats_note(17, 0) == "Event seats left: 17, shared by all its ticket types"
    assert "2 more to sell once" in seats.seats_note(17, 2)
    assert seats.seats_note(pd.NA, pd.NA) == "Event seats left: unknown"


# --- from Eventbrite's JSON, read once, to the figures ---------------------------------------
# Shapes as GET /events/{id}/ticket_classes/ and /capacity_tier/ answer them, for a date of
# the club's Monday open mic (series 969715062857, 55 seats in the events export).
EVENT_ID = "1219650229669"


def tc_json(tc_id, name, capacity, sold, **extra):
    answer = {
        "id": tc_id,
        "event_id": EVENT_ID,
        "name": name,
        "category": "admission",
        "donation": False,
        "free": False,
        "cost": {"currency": "CAD", "value": 1500, "display": "CA$15.00"},
        "capacity": capacity,
        "quantity_total": capacity,
        "quantity_sold": sold,
        "on_sale_status": "AVAILABLE",
        "hidden": False,
        "sales_start": "2025-05-01T15:00:00Z",
        "sales_end": "2025-06-03T02:00:00Z",
    }
    answer.update(extra)
    return {k: v for k, v in answer.items() if v is not ...}


def tier_json(total, sold, pending=0, holds=(), custom=True):
    return {
        "event_id": EVENT_ID,
        "capacity_total": total,
        "capacity_is_custom": custom,
        "capacity_sold": sold,
        "capacity_pending": pending,
        "holds": list(holds),
    }


JSON_CASES = [
    # (label, classes, tier, event (capacity, held, sold, pending, seats left, unlimited),
    #  per class {id: (sold, available, status, limit)})
    (
        "event capacity 55 below the classes' sum (55 + 10)",
        [tc_json("1", "General Admission", 55, 30), tc_json("2", "Front Row", 10, 8)],
        tier_json(55, 38),
        (55, 0, 38, 0, 17, False),
        {"1": (30, 17, "on_sale", "event capacity"), "2": (8, 2, "on_sale", "ticket class")},
    ),
    (
        "holds: comps 4, press 3 of which 1 released",
        [tc_json("1", "General Admission", 55, 30)],
        tier_json(
            55,
            30,
            holds=[
                {"id": "9001", "name": "Comps", "quantity_total": 4, "quantity_sold": 0},
                {"id": "9002", "name": "Press", "quantity_total": 3, "quantity_sold": 1},
            ],
        ),
        (55, 6, 30, 0, 19, False),
        {"1": (30, 19, "on_sale", "event capacity less holds")},
    ),
    (
        "a sold-out class beside one still selling",
        [
            tc_json("1", "General Admission", 45, 20),
            tc_json("2", "Front Row", 10, 10, on_sale_status="SOLD_OUT"),
        ],
        tier_json(55, 30, custom=False),
        (55, 0, 30, 0, 25, False),
        {"1": (20, 25, "on_sale", "ticket class"), "2": (10, 0, "sold_out", "ticket class")},
    ),
    (
        "a free class is a seat like any other",
        [tc_json("1", "Free preview", 55, 12, free=True, cost=None)],
        tier_json(55, 12, pending=3),
        (55, 0, 12, 3, 40, False),
        {"1": (12, 40, "on_sale", "ticket class")},
    ),
    (
        "no capacity anywhere: unlimited, never 0",
        [tc_json("1", "General Admission", None, 5)],
        tier_json(None, 5, custom=False),
        (None, 0, 5, 0, None, True),
        {"1": (5, None, "on_sale", "ticket class")},
    ),
    (
        "missing quantity_total: the class's capacity bounds it",
        [tc_json("1", "General Admission", 40, 35, quantity_total=...)],
        tier_json(55, 35),
        (55, 0, 35, 0, 20, False),
        {"1": (35, 5, "on_sale", "ticket class")},
    ),
    (
        "missing quantity_sold: sold and seats left unknown, never 0",
        [tc_json("1", "General Admission", 55, ...), tc_json("2", "Front Row", 10, 4)],
        tier_json(55, 30),
        (55, 0, None, 0, None, False),
        {"1": (None, None, "unknown", "ticket class"), "2": (4, None, "unknown", "ticket class")},
    ),
    (
        "carts that cannot be read: seats left unknown, not free",
        [tc_json("1", "General Admission", 55, 30)],
        tier_json(55, 30, pending="NaN"),
        (55, None, 30, None, None, False),
        {"1": (30, None, "unknown", "ticket class")},
    ),
]


@pytest.mark.parametrize(
    "classes, tier, event, per_class", [c[1:] for c in JSON_CASES], ids=[c[0] for c in JSON_CASES]
)
def test_figures_from_eventbrite_answers(classes, tier, event, per_class):
    result = seats.seats_from_tier(ticket_classes(classes), capacity_tier(tier), now=NOW)
    got = (
        result.capacity,
        result.held,
        result.sold,
        result.pending,
        result.seats_left,
        result.unlimited,
    )
    assert got == event
    assert (result.error is None) == (result.seats_left is not None or result.unlimited)
    for tc_id, expected in per_class.items():
        figures = result.of(tc_id)
        assert (figures.sold, figures.available, figures.status, figures.limit) == expected


@pytest.mark.parametrize(
    "value, read",
    [(12, 12), ("12", 12), (0, 0), (None, None), ("", None), ("NaN", None), (True, None),
     (-3, None), (1e30, None), ("9" * 40, None), ([], None)],
)  # fmt: skip
def test_a_seat_count_that_cannot_be_read_is_unknown(value, read):
    tc = ticket_class({"id": "1", "capacity": value, "quantity_sold": value}, EVENT_ID)
    assert (tc.capacity, tc.quantity_sold) == (read, read)


def test_a_hold_whose_size_cannot_be_read_makes_holds_unknown():
    assert held_seats([{"id": "9001", "quantity_total": None}]) is None
    assert capacity_tier(tier_json(55, 0, holds=[{"quantity_total": "x"}])).held is None


@pytest.mark.parametrize(
    "each, event_left, together",
    [([17, 2], 17, 17), ([5, 8], 55, 13), ([3, -2], 10, 3), ([4, 4], -3, 0), ([6, 9], None, 15)],
)
def test_classes_together_never_sell_more_than_their_event_has_left(each, event_left, together):
    assert seats.sellable_together(each, event_left) == together


def test_an_event_figure_shown_on_each_class_is_counted_once():
    rows = [("e1", 17), ("e1", 17), ("e2", 4)]
    assert sum(seats.once_per_event(rows)) == 21
