"""plan_sync, table-tested: absolute targets per listing under each policy, the exposure
each leaves, an oversold show, and listings the plan must leave alone."""

from __future__ import annotations

import pandas as pd
import pytest

from brcc_core.capacity.preview import Change, ListingState, not_writable, preview_change
from brcc_core.capacity.sync import (
    SyncListing,
    SyncPolicy,
    SyncShow,
    allocate,
    plan_sync,
    plans_frame,
    sync_show,
)
from brcc_core.common.keys import unknown_classes_key

WC = "wc:1:slot:date"
EB = "eb:9:91"


def show(*listings: SyncListing, venue: int = 55) -> SyncShow:
    return SyncShow("show:2026-06-05T20:00", "Friday 8pm", venue, tuple(listings))


def wc(sold=20, pending=2, available=30, **kw) -> SyncListing:
    capacity = None if available is None or sold is None else available + sold + pending
    return SyncListing(
        WC,
        "woocommerce",
        sold=sold,
        pending=pending,
        capacity=capacity,
        available=available,
        kind="bookings",
        **kw,
    )


def eb(key=EB, sold=13, available=42, **kw) -> SyncListing:
    capacity = None if available is None else available + sold
    return SyncListing(
        key,
        "eventbrite",
        sold=sold,
        pending=0,
        capacity=capacity,
        available=available,
        kind="ticket_class",
        event_id=key.split(":")[1],
        **kw,
    )


def targets(plan) -> dict[str, tuple[str, int | None, int | None]]:
    return {r.listing_key: (r.action, r.target_remaining, r.target_capacity) for r in plan.rows}


# T=55, S=20+13=33, P=2: A=20 seats left in the room.
@pytest.mark.parametrize(
    "policy, wc_target, eb_target, exposure",
    [
        (SyncPolicy("mirror"), 20, 20, 20),  # (2 channels - 1) * A
        (SyncPolicy("split", {"woocommerce": 1, "eventbrite": 1}), 10, 10, 0),
        (SyncPolicy("split", {"woocommerce": 3, "eventbrite": 1}), 15, 5, 0),
        (SyncPolicy("split", {"woocommerce": 1, "eventbrite": 2}), 7, 13, 0),  # 6.67/13.33
        (SyncPolicy("split"), 10, 10, 0),  # no ratio: equal
        (SyncPolicy("split", {"woocommerce": 1, "eventbrite": 1}, buffer=4), 8, 8, 0),
        (SyncPolicy("buffer", buffer=4), 16, 16, 12),
        (SyncPolicy("buffer", buffer=10), 10, 10, 0),
        (SyncPolicy("buffer", buffer=30), 0, 0, 0),
    ],
)
def test_targets_and_exposure_per_policy(policy, wc_target, eb_target, exposure):
    plan = plan_sync(show(wc(), eb()), policy)
    assert plan.room_remaining == 20 and not plan.oversold
    assert targets(plan) == {
        WC: ("change", wc_target, 20 + 2 + wc_target),  # capacity = sold + pending + target
        EB: ("change", eb_target, 13 + eb_target),
    }
    assert plan.exposure == exposure


def test_targets_are_absolute_whatever_the_current_numbers():
    """Same facts, very different current stock: same targets (never deltas)."""
    a = plan_sync(show(wc(available=3), eb(available=50)), SyncPolicy("mirror"))
    b = plan_sync(show(wc(available=40), eb(available=1)), SyncPolicy("mirror"))
    assert [r.target_remaining for r in a.rows] == [r.target_remaining for r in b.rows] == [20, 20]


def test_listing_already_at_target_is_kept():
    plan = plan_sync(show(wc(available=20), eb(available=42)), SyncPolicy("mirror"))
    assert targets(plan)[WC][0] == "keep"
    assert [r.listing_key for r in plan.changes] == [EB]


def test_oversold_show_closes_every_channel_and_is_flagged():
    plan = plan_sync(show(wc(sold=40, pending=0, available=5), eb(sold=20, available=3)),
                     SyncPolicy("mirror"))  # fmt: skip
    assert plan.oversold and plan.room_remaining == -5
    assert {r.target_remaining for r in plan.rows} == {0}
    assert plan.exposure == 0
    assert any("Oversold by 5" in n for n in plan.notes)


def test_listing_with_an_error_is_left_alone_and_still_counts():
    broken = wc(error="booking options unreadable: bad JSON", available=4)
    plan = plan_sync(show(broken, eb()), SyncPolicy("split", {"woocommerce": 1, "eventbrite": 1}))
    rows = targets(plan)
    assert rows[WC] == ("leave", None, None)
    assert "booking options unreadable" in plan.rows[0].reason
    # Its sold counts toward the room; its 4 remaining come off WooCommerce's half.
    assert plan.room_remaining == 20
    assert rows[EB] == ("change", 10, 23)
    assert plan.exposure == 0


def test_uncertain_and_unknown_listings_are_left_alone():
    uncertain = SyncListing(
        "wc:5",
        "woocommerce",
        sold=3,
        available=None,
        kind="uncertain",
        error="uncertain product",
        numbers_known=False,
    )
    unknown = SyncListing("eb:7:unknown", "eventbrite", sold=0, numbers_known=False)
    plan = plan_sync(show(uncertain, unknown, eb()), SyncPolicy("mirror"))
    actions = {r.listing_key: r.action for r in plan.rows}
    assert actions == {"wc:5": "leave", "eb:7:unknown": "leave", EB: "change"}
    assert plan.exposure is None  # remaining unknown on a listing left alone


def test_unknown_sold_means_no_plan():
    plan = plan_sync(show(wc(sold=None), eb()), SyncPolicy("mirror"))
    assert plan.room_remaining is None and plan.exposure is None
    assert all(r.action == "leave" for r in plan.rows)
    assert "sold unknown" in plan.notes[0]


def test_unlimited_listing_left_alone_makes_exposure_unbounded():
    unlimited = wc(available=None, error="remaining taken from the catalog")
    plan = plan_sync(show(unlimited, eb()), SyncPolicy("split"))
    assert plan.exposure is None
    assert any("no bound" in n for n in plan.notes)


def test_unlimited_listing_gets_a_limit():
    plan = plan_sync(show(wc(available=None), eb()), SyncPolicy("mirror"))
    assert targets(plan)[WC] == ("change", 20, 42)


def test_two_classes_of_a_one_off_event_share_the_channel_by_capacity():
    ga = eb("eb:9:1", sold=10, available=35)  # capacity 45
    fr = eb("eb:9:2", sold=3, available=7)  # capacity 10
    plan = plan_sync(show(wc(), ga, fr), SyncPolicy("split", {"woocommerce": 1, "eventbrite": 1}))
    rows = targets(plan)
    assert rows["eb:9:1"][1] + rows["eb:9:2"][1] == 10
    assert rows["eb:9:1"][1] == 8 and rows["eb:9:2"][1] == 2
    assert plan.exposure == 0


def test_series_date_with_two_classes_is_synced_at_event_level():
    ga = eb("eb:9:1", sold=10, available=35, series_id="s1")
    fr = eb("eb:9:2", sold=3, available=7, series_id="s1")
    plan = plan_sync(show(wc(), ga, fr), SyncPolicy("mirror"))
    rows = {r.listing_key: r for r in plan.rows}
    assert rows["eb:9:1"].action == "change" and rows["eb:9:1"].target_remaining == 20
    # The write is to the event's shared capacity: its 13 sold + 35 seats left now, 13 sold
    # + 20 after (issue 26: not the class's own "capacity 45 → 30").
    carrier = rows["eb:9:1"]
    assert (carrier.event_capacity, carrier.event_target_capacity) == (13 + 35, 13 + 20)
    # The class it covers says so in words, never by the other's key.
    assert rows["eb:9:2"].action == "leave" and "eb:9:1" not in rows["eb:9:2"].reason
    assert "event's shared capacity" in rows["eb:9:2"].reason
    assert plan.exposure == 20  # FR is inside the event's seats, not counted twice


def test_started_show_is_left_alone():
    plan = plan_sync(show(wc(status="past"), eb(status="past")), SyncPolicy("mirror"))
    assert all(r.action == "leave" for r in plan.rows) and plan.exposure == 0


def test_single_channel_show_has_no_exposure_under_mirror():
    plan = plan_sync(show(eb(available=30)), SyncPolicy("mirror"))
    assert targets(plan)[EB] == ("change", 42, 55) and plan.exposure == 0


def test_plans_frame_lists_every_row():
    plans = [plan_sync(show(wc(), eb()), SyncPolicy("mirror"))]
    df = plans_frame(plans)
    assert list(df["listing_key"]) == [WC, EB]
    assert df["target_remaining"].tolist() == [20, 20]


@pytest.mark.parametrize(
    "total, weights, parts",
    [(10, [1, 1], [5, 5]), (7, [1, 1], [4, 3]), (20, [1, 2], [7, 13]), (5, [0, 0], [3, 2]),
     (0, [1, 3], [0, 0]), (3, [1, 1, 1, 1], [1, 1, 1, 0])],
)  # fmt: skip
def test_allocate_always_adds_up(total, weights, parts):
    assert allocate(total, weights) == parts
    assert sum(allocate(total, weights)) == max(total, 0)


def test_policy_rejects_nonsense():
    with pytest.raises(ValueError):
        SyncPolicy("share")
    with pytest.raises(ValueError):
        SyncPolicy("buffer", buffer=-1)


# --- Eventbrite's shared event capacity (docs/eventbrite-seats.md) --------------------------
# An event of 55 with General Admission (cap 55) and Front Row (cap 10), 38 sold: the event
# has 17 seats left; GA can sell 17 of them, Front Row its own last 2.
def shared(key, sold, available, capacity, event_left=17, **kw) -> SyncListing:
    return SyncListing(
        key,
        "eventbrite",
        sold=sold,
        pending=0,
        capacity=capacity,
        available=available,
        kind="ticket_class",
        event_id="9",
        event_seats_left=event_left,
        **kw,
    )


def test_sync_never_targets_more_than_the_events_seats_left():
    # The event's capacity on Eventbrite is 45: 7 seats left, though the room has 17.
    ga = shared("eb:9:1", 30, 7, 45, event_left=7)
    fr = shared("eb:9:2", 8, 2, 10, event_left=7)
    plan = plan_sync(show(ga, fr), SyncPolicy("mirror"))
    assert plan.room_remaining == 17
    rows = targets(plan)
    assert rows["eb:9:1"][1] + rows["eb:9:2"][1] == 7
    assert any("7 seat(s) left" in n for n in plan.notes)


def test_classes_left_alone_sell_the_events_seats_once_not_their_sum():
    ga = shared("eb:9:1", 30, 17, 55, error="checked by hand")
    fr = shared("eb:9:2", 8, 2, 10, error="checked by hand")
    plan = plan_sync(show(wc(sold=0, pending=0, available=30), ga, fr), SyncPolicy("mirror"))
    # Room: 55 - 38 = 17. WooCommerce gets 17; Eventbrite still sells 17 (not 17 + 2).
    assert targets(plan)[WC][1] == 17
    assert plan.exposure == 17


def test_class_not_on_sale_yet_is_left_alone_but_its_later_seats_count():
    ga = shared("eb:9:1", 30, 17, 55)
    fr = shared("eb:9:2", 8, 0, 10, status="not_on_sale_yet", available_later=2)
    plan = plan_sync(show(ga, fr), SyncPolicy("mirror"))
    rows = {r.listing_key: r for r in plan.rows}
    assert rows["eb:9:2"].action == "leave" and "not on sale yet" in rows["eb:9:2"].reason
    assert rows["eb:9:1"].target_remaining == 15  # 17 left less the 2 Front Row will sell


def test_series_carrier_compares_with_the_events_seats_left():
    ga = shared("eb:9:1", 30, 17, 55, series_id="s1")
    fr = shared("eb:9:2", 8, 2, 10, series_id="s1")
    plan = plan_sync(show(ga, fr), SyncPolicy("mirror"))
    rows = {r.listing_key: r for r in plan.rows}
    assert (rows["eb:9:1"].action, rows["eb:9:1"].target_remaining) == ("keep", 17)


# --- one rule decides what may be written, in one wording ---------------------------------
def listings_frame(broken: dict):
    """A WooCommerce date that is fine and an Eventbrite class of the same show (as
    ``build_listings`` rows), the class with ``broken`` fields."""
    starts = pd.Timestamp("2026-06-05T20:00", tz="America/Toronto")
    base = {"starts_at": starts, "unlimited": False, "status": "on_sale", "error": None}
    rows = [
        {
            **base,
            "listing_key": WC,
            "channel": "woocommerce",
            "kind": "bookings",
            "title": "Friday 8pm",
            "slot_label": "Friday 8pm",
            "capacity": 52,
            "sold": 20,
            "pending": 2,
            "available": 30,
        },
        {
            **base,
            "listing_key": EB,
            "channel": "eventbrite",
            "kind": "ticket_class",
            "title": "Friday 8pm",
            "slot_label": "General Admission",
            "capacity": 55,
            "sold": 13,
            "pending": 0,
            "available": 42,
            "event_id": "9",
            "ticket_class_id": "91",
            **broken,
        },
    ]
    return pd.DataFrame(rows)


NOT_WRITABLE = [
    (
        "classes_unread",
        {"listing_key": unknown_classes_key("9"), "error": "ticket classes unknown: 503"},
    ),
    ("uncertain", {"kind": "uncertain", "error": "booking options unreadable"}),
    ("problem", {"error": "Eventbrite holds and carts unknown: timed out"}),
    ("remaining_unknown", {"available": None}),
    ("sold_unknown", {"sold": None}),
]


@pytest.mark.parametrize("reason, broken", NOT_WRITABLE, ids=[c[0] for c in NOT_WRITABLE])
def test_inventory_refusal_and_sync_dry_run_say_the_same_words(reason, broken):
    listings = listings_frame(broken)
    row = listings.iloc[1].to_dict()
    listing = ListingState.from_row(row)
    preview = preview_change(Change(listing.listing_key, listing.available, 60), listing)
    show_row = {
        "show_key": "show:2026-06-05T20:00",
        "title": "Friday 8pm",
        "venue_capacity": 80,
        "listing_keys": tuple(listings["listing_key"]),
        "starts_at": row["starts_at"],
    }
    plan = plan_sync(sync_show(show_row, listings), SyncPolicy("mirror"))
    (dry_run,) = [r for r in plan.rows if r.listing_key == listing.listing_key]

    assert not_writable(listing).reason == reason
    assert dry_run.action == "leave"
    assert preview.refusal == dry_run.reason == not_writable(listing).text


def test_the_dry_run_says_a_series_date_writes_the_events_shared_capacity_in_words():
    """Issue 26: "the event's shared capacity 48 → 33 (GA can then sell 20)", never the
    class's own "capacity 45 → 30", and no key or jargon in the Why column."""
    from brcc_core.capacity.sync import SYNC_ROW_COLUMNS
    from brcc_core.views.inventory import DRY_RUN_COLUMNS, dry_run_frame, row_change_text

    ga = eb("eb:9:1", sold=10, available=35, series_id="s1", title="GA")
    fr = eb("eb:9:2", sold=3, available=7, series_id="s1", title="Front Row")
    plan = plan_sync(show(wc(), ga, fr), SyncPolicy("mirror"))
    carrier = next(r for r in plan.rows if r.listing_key == "eb:9:1")
    assert row_change_text(carrier) == "the event's shared capacity 48 → 33 (GA can then sell 20)"
    table = dry_run_frame([plan]).set_index("listing")
    assert table.loc["GA", "reason"] == row_change_text(carrier)
    assert (table.loc["GA", "capacity"], table.loc["GA", "target_capacity"]) == (48, 33)
    why = " ".join(table["reason"].dropna())
    assert "eb:" not in why and "series date" not in why and "set through" not in why
    assert "shared capacity, set on the GA (Eventbrite) row" in table.loc["Front Row", "reason"]
    # Every column of the plan is in the table once, under the manager's order.
    assert sorted(DRY_RUN_COLUMNS) == sorted(
        "listing" if c == "title" else c
        for c in SYNC_ROW_COLUMNS
        if c not in ("show_key", "listing_key")
    )
    # A row that is not a series date's still reads as its remaining seats.
    site = next(r for r in plan.rows if r.listing_key == WC)
    assert row_change_text(site) == f"remaining {site.remaining} → {site.target_remaining}"


@pytest.mark.parametrize(
    ("policy", "said"),
    [
        (SyncPolicy("mirror"), "mirror: every channel shows all remaining seats"),
        (
            SyncPolicy("split", {"woocommerce": 3, "eventbrite": 1}),
            "split (Eventbrite 1, Website 3)",
        ),
        (
            SyncPolicy("split", {"eventbrite": 1, "woocommerce": 1}, buffer=2),
            "split (Eventbrite 1, Website 1), 2 held back",
        ),
    ],
)
def test_a_policy_is_described_in_the_managers_channel_names(policy: SyncPolicy, said: str) -> None:
    """The guard panel, the Sync tab and the audit note show this text: the channels by the
    names every screen uses, never the stored code names."""
    assert policy.describe() == said
    assert "woocommerce" not in said and "eventbrite" not in said  # the stored code names
