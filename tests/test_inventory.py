"""The change engine on the seeded sandbox (SQLite and MariaDB): each write path changes
exactly the intended stored value and nothing else, a sale between preview and apply is
caught, a lost write is rolled back, refusals write nothing, and every attempt is in the
audit log. Sync plans applied through the engine leave each platform at its target."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from sqlalchemy import text

from brcc_core.boxoffice import BoxOffice
from brcc_core.capacity.locks import LEASE_SECONDS
from brcc_core.capacity.preview import Change
from brcc_core.capacity.sync import SyncPolicy
from brcc_core.catalog.cache import CatalogCache
from brcc_core.channels.fooevents import FBOS_META_KEY, parse_booking_options
from brcc_core.common.windows import local_now
from brcc_core.people.access import Actor
from brcc_core.sandbox.fooevents_sim import sell_booking, sell_eventbrite, sell_single
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from brcc_core.store.state import State
from tests.club_time import SUITE_DAY

MANAGER = Actor.demo("manager")  # the sandbox runs in demo mode: a demo manager writes


@pytest.fixture
def sandbox(engine) -> Sandbox:
    box = Sandbox(engine)
    box.seed(scale="club", seed_number=7, today=SUITE_DAY)
    return box


@pytest.fixture
def boxoffice(sandbox, db_url, tmp_path) -> BoxOffice:
    state = State.open(db_url)  # the app-state tables next to the sandbox's, as in demo
    state.drop_all()
    settings = load_settings({"BRCC_DATA_DIR": str(tmp_path)}, dotenv_path=None)
    box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path), state=state)
    box.refresh_catalog()
    yield box
    state.drop_all()
    state.engine.dispose()


# --- helpers -------------------------------------------------------------------------------
def snapshot(engine) -> dict[str, set]:
    """Everything a write could touch: product meta and Eventbrite's stored numbers."""
    with engine.connect() as conn:
        return {
            "postmeta": set(
                conn.execute(text("SELECT post_id, meta_key, meta_value FROM wp_postmeta")).all()
            ),
            "eb_events": set(
                conn.execute(text("SELECT id, capacity FROM sandbox_eb_events")).all()
            ),
            "eb_classes": set(
                conn.execute(
                    text("SELECT id, capacity, quantity_sold FROM sandbox_eb_ticket_classes")
                ).all()
            ),
        }


def diff(before: dict[str, set], after: dict[str, set]) -> dict[str, tuple[set, set]]:
    """table -> (rows gone, rows new), only for tables that changed."""
    return {
        name: (before[name] - after[name], after[name] - before[name])
        for name in before
        if before[name] != after[name]
    }


def fbos_of(engine, product_id: int) -> str:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT meta_value FROM wp_postmeta WHERE post_id = :p AND meta_key = :k"),
            {"p": int(product_id), "k": FBOS_META_KEY},
        ).scalar_one()


def upcoming(listings: pd.DataFrame) -> pd.DataFrame:
    return listings[(listings.status == "on_sale") & listings.error.isna()]


def nested_booking(engine, listings: pd.DataFrame) -> pd.Series:
    """An on-sale bookings listing whose slot is stored nested (FooEvents' own form)."""
    for row in upcoming(listings)[lambda d: d.kind == "bookings"].itertuples():
        slot = json.loads(fbos_of(engine, row.product_id))[row.slot_id]
        nested = isinstance(slot.get("add_date"), dict)
        if nested and not any(k.endswith("_stock") for k in slot) and row.sold > 0:
            return listings.loc[row.Index]
    raise AssertionError("the seed has no nested bookings slot on sale")


def change_for(row: pd.Series, value: int, field: str = "capacity") -> Change:
    seen = None if pd.isna(row.available) else int(row.available)
    return Change(row.listing_key, seen_remaining=seen, value=value, field=field)


def audit(boxoffice: BoxOffice) -> pd.DataFrame:
    return boxoffice.audit_log()


# --- write paths change exactly one value ------------------------------------------------------
def test_bookings_write_changes_only_that_dates_stock(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    before_fbos = fbos_of(sandbox.engine, row.product_id)
    before = snapshot(sandbox.engine)

    new_capacity = int(row.capacity) + 3
    result = boxoffice.apply_change(change_for(row, new_capacity), listings, who=MANAGER)

    assert result.status == "ok", result.message
    assert result.remaining == int(row.available) + 3
    after_fbos = fbos_of(sandbox.engine, row.product_id)
    assert isinstance(after_fbos, str)
    expected = json.loads(before_fbos)
    expected[row.slot_id]["add_date"][row.date_id]["stock"] = int(row.available) + 3
    assert json.loads(after_fbos) == expected  # every other key and value kept
    assert list(json.loads(after_fbos)) == list(expected)  # in the same order
    changes = diff(before, snapshot(sandbox.engine))
    assert set(changes) == {"postmeta"}
    gone, new = changes["postmeta"]
    assert {(r[0], r[1]) for r in gone} == {(row.product_id, FBOS_META_KEY)}
    assert {(r[0], r[1]) for r in new} == {(row.product_id, FBOS_META_KEY)}

    # The app's own numbers move for that listing only; sold is untouched.
    again = boxoffice.listings().set_index("listing_key")
    old = listings.set_index("listing_key")
    moved = (again["available"] != old["available"]).fillna(False)
    assert list(again.index[moved]) == [row.listing_key]
    assert again.loc[row.listing_key, "capacity"] == new_capacity
    assert again.loc[row.listing_key, "sold"] == row.sold

    log = audit(boxoffice)
    # The capacity as the manager asked for it; the date's stock written for it in the note.
    assert log.iloc[0][["listing_key", "result", "what", "before", "after", "who"]].tolist() == [
        row.listing_key,
        "ok",
        "capacity",
        str(int(row.capacity)),
        str(new_capacity),
        MANAGER.email,
    ]
    stored = f"booking date stock {int(row.available)} → {int(row.available) + 3}"
    assert log.iloc[0]["note"] == f"stored as {stored}"


def test_single_event_write_sets_stock_quantity_only(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = upcoming(listings)[lambda d: (d.kind == "single") & ~d.unlimited].iloc[0]
    before = snapshot(sandbox.engine)
    result = boxoffice.apply_change(change_for(row, 2, field="remaining"), listings, who=MANAGER)
    assert result.status == "ok", result.message
    product = boxoffice.woocommerce.get_product(int(row.product_id))
    assert product["stock_quantity"] == 2 and product["manage_stock"] is True
    gone, new = diff(before, snapshot(sandbox.engine))["postmeta"]
    assert {r[1] for r in gone} == {r[1] for r in new} <= {"_stock", "_stock_status"}
    assert {r[0] for r in gone | new} == {int(row.product_id)}


def test_unlimited_single_event_gets_managed_stock(boxoffice):
    listings = boxoffice.listings()
    row = listings[(listings.kind == "single") & listings.unlimited].iloc[0]
    preview = boxoffice.preview_change(change_for(row, 40), listings)
    assert any("turns on WooCommerce stock management" in w for w in preview.warnings)
    result = boxoffice.apply_change(change_for(row, 40), listings, who=MANAGER)
    assert result.status == "ok", result.message
    product = boxoffice.woocommerce.get_product(int(row.product_id))
    assert product["manage_stock"] is True
    assert product["stock_quantity"] == 40 - row.sold - row.pending


def test_eventbrite_one_off_class_capacity(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = upcoming(listings)[lambda d: (d.channel == "eventbrite") & d.series_id.isna()].iloc[0]
    before = snapshot(sandbox.engine)
    result = boxoffice.apply_change(change_for(row, int(row.capacity) - 5), listings, who=MANAGER)
    assert result.status == "ok", result.message
    assert result.capacity == int(row.capacity) - 5
    changes = diff(before, snapshot(sandbox.engine))
    assert set(changes) == {"eb_classes"}
    gone, new = changes["eb_classes"]
    assert {r[0] for r in gone} == {r[0] for r in new} == {row.ticket_class_id}
    # The catalog's Eventbrite copy follows the verified write.
    refreshed = boxoffice.listings().set_index("listing_key").loc[row.listing_key]
    assert refreshed["capacity"] == int(row.capacity) - 5


def test_eventbrite_series_date_falls_back_to_the_capacity_tier(sandbox, boxoffice):
    listings = boxoffice.listings()
    eb = upcoming(listings)[lambda d: (d.channel == "eventbrite") & d.series_id.notna()]
    single_class = eb.groupby("event_id").filter(lambda g: len(g) == 1)
    row = single_class.iloc[0]
    before = snapshot(sandbox.engine)
    result = boxoffice.apply_change(change_for(row, int(row.capacity) - 4), listings, who=MANAGER)
    assert result.status == "ok", result.message
    assert result.attempts[-1].what == "event capacity (series date)"
    changes = diff(before, snapshot(sandbox.engine))
    assert set(changes) == {"eb_events"}
    gone, new = changes["eb_events"]
    assert {r for r in new} == {(row.event_id, int(row.capacity) - 4)}
    tc = boxoffice.eventbrite.get_ticket_class(row.event_id, row.ticket_class_id)
    assert tc["quantity_total"] == int(row.capacity) - 4


def test_series_date_with_two_classes_refuses_a_class_change(sandbox, boxoffice):
    listings = boxoffice.listings()
    eb = upcoming(listings)[lambda d: (d.channel == "eventbrite") & d.series_id.notna()]
    row = eb.groupby("event_id").filter(lambda g: len(g) == 2).iloc[0]
    before = snapshot(sandbox.engine)
    preview = boxoffice.preview_change(change_for(row, int(row.capacity) - 1), listings)
    assert any("several ticket classes" in w for w in preview.warnings)
    result = boxoffice.apply_change(change_for(row, int(row.capacity) - 1), listings, who=MANAGER)
    assert result.status == "refused"
    assert "shared with" in result.message and "Use Sync" in result.message
    assert snapshot(sandbox.engine) == before


# --- safety ------------------------------------------------------------------------------------
def test_a_sale_between_preview_and_apply_keeps_the_capacity_set(sandbox, boxoffice):
    """A sale after the manager looked does not change what a capacity means: it goes
    through, the sale counts against it, and the result says so (issue 23)."""
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    change = change_for(row, int(row.capacity) + 5)
    assert boxoffice.preview_change(change, listings).allowed
    with sandbox.engine.begin() as conn:
        sell_booking(conn, int(row.product_id), row.slot_id, row.date_id, 2)

    result = boxoffice.apply_change(change, listings, who=MANAGER)

    assert result.status == "reconciled", result.message
    assert "2 seat(s) sold or put in carts since you looked count against it" in result.message
    now = live(boxoffice, row.listing_key)
    assert now["capacity"] == int(row.capacity) + 5  # exactly what the manager set
    assert now["sold"] == int(row.sold) + 2  # the sale kept
    assert now["available"] == int(row.available) + 5 - 2
    assert audit(boxoffice).iloc[0]["result"] == "ok"


def test_a_capacity_that_sales_since_have_passed_is_refused(sandbox, boxoffice):
    """Below sold + pending now, a capacity has lost its meaning: refused, nothing written."""
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    lowest = int(row.sold) + int(row.pending)
    assert int(row.available) >= 2  # two seats left to sell
    change = change_for(row, lowest + 1)  # allowed when the manager looked
    assert boxoffice.preview_change(change, listings).allowed
    with sandbox.engine.begin() as conn:
        sell_booking(conn, int(row.product_id), row.slot_id, row.date_id, 2)
    after_sale = snapshot(sandbox.engine)

    result = boxoffice.apply_change(change, listings, who=MANAGER)

    assert result.status == "refused"
    assert f"Capacity {lowest + 1} is now below the {int(row.sold) + 2} sold" in result.message
    assert f"sold + pending {lowest} → {lowest + 2} since you looked" in result.message
    assert snapshot(sandbox.engine) == after_sale
    assert audit(boxoffice).iloc[0]["result"] == "refused"


def test_an_eventbrite_sale_since_the_refresh_counts_against_the_capacity_set(sandbox, boxoffice):
    listings = boxoffice.listings()
    eb = upcoming(listings)[lambda d: (d.channel == "eventbrite") & d.series_id.isna()]
    row = eb[eb.available >= 3].iloc[0]  # a seat to sell and one to take off
    with sandbox.engine.begin() as conn:
        sell_eventbrite(conn, row.ticket_class_id, 1)
    # One seat less: one more is refused up front when the event's own capacity (the
    # demo's one-off events have 55) bounds the class (issue 21).
    result = boxoffice.apply_change(change_for(row, int(row.capacity) - 1), listings, who=MANAGER)
    assert result.status == "reconciled", result.message
    # The page now shows Eventbrite's fresh numbers: the capacity set, the sale kept.
    fresh = boxoffice.listings().set_index("listing_key").loc[row.listing_key]
    assert fresh["sold"] == row.sold + 1 and fresh["capacity"] == row.capacity - 1


def eventbrite_change_row(listings: pd.DataFrame, kind: str) -> pd.Series:
    """A one-off class (class write) or a one-class series date (capacity-tier write)."""
    eb = upcoming(listings)[lambda d: d.channel == "eventbrite"]
    if kind == "one_off":
        return eb[eb.series_id.isna()].iloc[0]
    return eb[eb.series_id.notna()].groupby("event_id").filter(lambda g: len(g) == 1).iloc[0]


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("kind", ["one_off", "series"])
def test_an_eventbrite_sale_at_the_write_is_kept_and_the_result_says_what_the_listing_does(
    sandbox, boxoffice, kind, when
):
    """A sale lands just before or just after the write (after the fresh read): it stays,
    capacity is exactly what was set, and the remaining seats the result reports are the
    listing's own (carts and the event's shared seats counted), not the class's alone."""
    listings = boxoffice.listings()
    row = eventbrite_change_row(listings, kind)
    target = int(row.capacity) - 3

    def sale() -> None:
        with sandbox.engine.begin() as conn:
            sell_eventbrite(conn, row.ticket_class_id, 1)

    path = "/ticket_classes/" if kind == "one_off" else "/capacity_tier/"
    sandbox.faults.on_call("eventbrite", sale, method="POST", path_contains=path, when=when)

    result = boxoffice.apply_change(change_for(row, target), listings, who=MANAGER)

    assert result.status == "ok", result.message
    boxoffice.refresh_catalog()  # Eventbrite numbers come from a refresh
    now = live(boxoffice, row.listing_key)
    assert now["sold"] == row.sold + 1  # the sale is kept
    assert now["capacity"] == target  # and on sale: exactly what the manager set
    assert result.remaining == now["available"]
    assert f"; {int(now['available'])} remaining" in result.details
    log = audit(boxoffice)
    assert log["result"].tolist() == ["ok"]
    assert log.iloc[0]["before"] == str(int(row.capacity))


def test_an_eventbrite_result_counts_seats_in_carts_as_its_listing_does(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = eventbrite_change_row(listings, "series")
    with sandbox.engine.begin() as conn:
        conn.execute(
            text("UPDATE sandbox_eb_events SET capacity_pending = 2 WHERE id = :e"),
            {"e": row.event_id},
        )
    boxoffice.refresh_catalog()
    listings = boxoffice.listings()
    row = listings.set_index("listing_key").loc[row.listing_key]
    assert row["pending"] == 2
    change = Change(row.name, seen_remaining=int(row.available), value=int(row.capacity) - 3)

    result = boxoffice.apply_change(change, listings, who=MANAGER)

    assert result.status == "ok", result.message
    boxoffice.refresh_catalog()
    now = live(boxoffice, row.name)
    assert now["available"] == int(row.capacity) - 3 - int(row.sold) - 2
    assert result.remaining == now["available"]  # the 2 in carts are not offered


def test_a_write_that_does_not_persist_is_rolled_back_and_both_are_audited(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    before_fbos = fbos_of(sandbox.engine, row.product_id)
    sandbox.faults.inject("woocommerce", "drop_write", method="PUT")

    result = boxoffice.apply_change(change_for(row, int(row.capacity) + 1), listings, who=MANAGER)

    assert result.status == "rolled_back", result.message
    assert "restored" in result.message
    assert [a.result for a in result.attempts] == ["verify_failed", "rolled_back"]
    assert fbos_of(sandbox.engine, row.product_id) == before_fbos
    log = audit(boxoffice)
    assert log["result"].tolist()[:2] == ["rolled_back", "verify_failed"]
    assert log["action"].tolist()[:2] == ["rollback", "change"]
    assert log.iloc[0]["batch"] == log.iloc[1]["batch"]
    assert "buyers are offered" in log.iloc[1]["error"]


def test_a_dropped_eventbrite_write_is_rolled_back(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = upcoming(listings)[lambda d: (d.channel == "eventbrite") & d.series_id.isna()].iloc[0]
    before = snapshot(sandbox.engine)
    sandbox.faults.inject("eventbrite", "drop_write", method="POST")
    result = boxoffice.apply_change(change_for(row, int(row.capacity) - 2), listings, who=MANAGER)
    assert result.status == "rolled_back", result.message
    assert snapshot(sandbox.engine) == before


def test_a_lost_write_answer_is_checked_by_reading_never_retried(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = upcoming(listings)[lambda d: (d.kind == "single") & ~d.unlimited].iloc[0]
    sandbox.faults.inject("woocommerce", "timeout", method="PUT")
    before = snapshot(sandbox.engine)
    calls = sandbox.app.calls.get("woocommerce", 0)
    result = boxoffice.apply_change(change_for(row, 3, field="remaining"), listings, who=MANAGER)
    assert result.status == "failed" and "unchanged" in result.message
    assert "Nothing was retried" in result.message
    assert snapshot(sandbox.engine) == before
    # fresh read, the one PUT, the read that found out: no second PUT
    assert sandbox.app.calls["woocommerce"] - calls == 3


@pytest.mark.parametrize(
    "pick, value, field, message",
    [
        ("bookings", 1, "capacity", "below the"),
        ("bookings", -3, "remaining", "negative"),
        ("uncertain", 40, "capacity", "cannot be classified safely"),
    ],
)
def test_refusals_say_why_and_write_nothing(sandbox, boxoffice, pick, value, field, message):
    listings = boxoffice.listings()
    if pick == "uncertain":
        row = listings[listings.kind == "uncertain"].iloc[0]
    else:
        row = nested_booking(sandbox.engine, listings)
    before = snapshot(sandbox.engine)
    calls = boxoffice.woocommerce.calls
    result = boxoffice.apply_change(change_for(row, value, field), listings, who=MANAGER)
    assert result.status == "refused" and message in result.message
    assert snapshot(sandbox.engine) == before
    assert boxoffice.woocommerce.calls == calls  # refused before any call
    entry = audit(boxoffice).iloc[0]
    assert entry["result"] == "refused" and message in entry["error"]


def test_broken_booking_options_found_at_the_fresh_read_are_refused(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    with sandbox.engine.begin() as conn:  # FooEvents' own write broke the blob meanwhile
        conn.execute(
            text("UPDATE wp_postmeta SET meta_value = :v WHERE post_id = :p AND meta_key = :k"),
            {"v": '{"broken": "la"bel"}', "p": int(row.product_id), "k": FBOS_META_KEY},
        )
    before = snapshot(sandbox.engine)
    result = boxoffice.apply_change(change_for(row, int(row.capacity) + 1), listings, who=MANAGER)
    assert result.status == "refused" and "cannot be read" in result.message
    assert snapshot(sandbox.engine) == before


def test_a_channel_that_is_down_is_refused(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    sandbox.faults.inject("woocommerce", "5xx", method="GET", times=10, status=503)
    before = snapshot(sandbox.engine)
    result = boxoffice.apply_change(change_for(row, int(row.capacity) + 1), listings, who=MANAGER)
    assert result.status == "refused" and result.channel_down
    assert "did not answer" in result.message and "Nothing was written" in result.message
    assert snapshot(sandbox.engine) == before


def test_eventbrite_change_is_not_started_without_the_calls_to_verify_it(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = upcoming(listings)[lambda d: d.channel == "eventbrite"].iloc[0]
    boxoffice.eventbrite.calls_left_this_hour = lambda: 5
    before = snapshot(sandbox.engine)
    calls = boxoffice.eventbrite.calls
    result = boxoffice.apply_change(change_for(row, int(row.capacity) - 1), listings, who=MANAGER)
    assert result.status == "refused" and "call budget" in result.message
    assert boxoffice.eventbrite.calls == calls and snapshot(sandbox.engine) == before


def test_unchanged_value_writes_nothing(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    before = snapshot(sandbox.engine)
    result = boxoffice.apply_change(change_for(row, int(row.capacity)), listings, who=MANAGER)
    assert result.status == "unchanged" and result.ok
    assert snapshot(sandbox.engine) == before


def test_without_an_audit_log_nothing_is_written(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    boxoffice._state = State.open("mysql+pymysql://app:pw-secret@127.0.0.1:1/state")
    before = snapshot(sandbox.engine)
    result = boxoffice.apply_change(change_for(row, int(row.capacity) + 1), listings, who=MANAGER)
    assert result.status == "refused" and "recorded" in result.message
    assert "pw-secret" not in result.message
    assert snapshot(sandbox.engine) == before


# --- sync --------------------------------------------------------------------------------------
def platform_remaining(boxoffice: BoxOffice, row: pd.Series) -> int:
    """What the platform itself says is left for this listing (the event's seats on a
    series date, which Eventbrite counts per event)."""
    if row.channel == "eventbrite":
        # Carts in progress and held seats are not for sale (docs/eventbrite-seats.md).
        tier = boxoffice.eventbrite.get_capacity_tier(row.event_id)
        tc = boxoffice.eventbrite.get_ticket_class(row.event_id, row.ticket_class_id)
        event_left = (
            tier["capacity_total"]
            - tier["capacity_sold"]
            - tier["capacity_pending"]
            - sum(h["quantity_total"] - h["quantity_sold"] for h in tier["holds"])
        )
        if row.series_id is not None and not pd.isna(row.series_id):
            return event_left
        return min(tc["quantity_total"] - tc["quantity_sold"] - int(row.pending), event_left)
    product = boxoffice.woocommerce.get_product(int(row.product_id))
    fbos = next(m["value"] for m in product["meta_data"] if m["key"] == FBOS_META_KEY)
    (sd,) = [
        d
        for d in parse_booking_options(fbos)
        if d.slot_id == row.slot_id and d.date_id == row.date_id
    ]
    return sd.stock


@pytest.mark.parametrize(
    "policy",
    [SyncPolicy("split", {"woocommerce": 1, "eventbrite": 1}), SyncPolicy("buffer", buffer=3)],
)
def test_applying_a_plan_leaves_each_platform_at_its_target(sandbox, boxoffice, policy):
    listings = boxoffice.listings()
    shows = boxoffice.saved_shows(listings)
    both = shows[
        (shows.channels.apply(len) == 2)
        & (shows.starts_at > local_now("America/Toronto"))
        & ~shows.oversold
        & (shows.errors.apply(len) == 0)
    ]
    weekday = both[both.listing_keys.apply(len) == 2].iloc[0]
    weekend = both[both.listing_keys.apply(len) == 3].iloc[0]  # two Eventbrite classes
    plans = boxoffice.plan_sync([weekday.show_key, weekend.show_key], policy, listings)
    assert [p.show_key for p in plans] == [weekday.show_key, weekend.show_key]
    assert all(p.changes for p in plans)

    outcomes = boxoffice.apply_sync(plans, listings=listings, who=MANAGER)

    assert [r.status for _, r in outcomes] == ["ok"] * len(outcomes), [
        r.message for _, r in outcomes
    ]
    by_key = listings.set_index("listing_key", drop=False)
    for plan in plans:
        for sync_row in plan.rows:
            if sync_row.action == "leave":
                continue
            got = platform_remaining(boxoffice, by_key.loc[sync_row.listing_key])
            assert got == sync_row.target_remaining, sync_row.listing_key
        if policy.kind == "split":
            assert plan.exposure == 0
    log = audit(boxoffice)
    assert (log["action"] == "sync").sum() == len(outcomes)
    assert log["note"].str.contains(weekday.show_key).any()


def test_sync_stops_calling_a_channel_that_is_down(sandbox, boxoffice):
    listings = boxoffice.listings()
    shows = boxoffice.saved_shows(listings)
    keys = shows[
        (shows.channels.apply(len) == 2)
        & (shows.starts_at > local_now("America/Toronto"))
        & (shows.errors.apply(len) == 0)
    ].show_key.tolist()[:3]
    plans = boxoffice.plan_sync(keys, SyncPolicy("split"), listings)
    sandbox.faults.inject("woocommerce", "timeout", method="GET", times=100)
    calls = boxoffice.woocommerce.calls
    outcomes = boxoffice.apply_sync(plans, listings=listings, who=MANAGER)
    wc = [r for row, r in outcomes if row.channel == "woocommerce"]
    assert len(wc) >= 2 and all(r.status == "refused" for r in wc)
    assert "not answering" in wc[-1].message
    assert boxoffice.woocommerce.calls - calls <= 3  # the first row's read and its retries
    eb = [r for row, r in outcomes if row.channel == "eventbrite"]
    assert eb and all(r.status == "ok" for r in eb)


# --- interleavings: a sale, or another manager, at an exact point between our calls ----------
def live(boxoffice: BoxOffice, key: str) -> pd.Series:
    """The listing as the app reads it now (stock and sales straight from the database)."""
    return boxoffice.listings().set_index("listing_key").loc[key]


def sell_at(sandbox: Sandbox, row: pd.Series, quantity: int):
    """A callback that sells ``quantity`` seats of ``row`` the way the site does."""

    def sale() -> None:
        with sandbox.engine.begin() as conn:
            if row.kind == "bookings":
                sell_booking(conn, int(row.product_id), row.slot_id, row.date_id, quantity)
            else:
                sell_single(conn, int(row.product_id), quantity)

    return sale


def single_event(listings: pd.DataFrame) -> pd.Series:
    return upcoming(listings)[lambda d: (d.kind == "single") & ~d.unlimited].iloc[0]


@pytest.mark.parametrize("kind", ["bookings", "single"])
def test_a_sale_between_the_fresh_read_and_the_write_is_counted(sandbox, boxoffice, kind):
    """Situation 1: the write is computed before the sale lands; the reconcile step puts
    the sale's seats back in, so capacity is what the manager set and the sale stays."""
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings) if kind == "bookings" else single_event(listings)
    target = int(row.capacity) + 2
    sandbox.faults.on_call("woocommerce", sell_at(sandbox, row, 2), method="PUT")

    result = boxoffice.apply_change(change_for(row, target), listings, who=MANAGER)

    assert result.status == "reconciled", result.message
    assert "A sale landed while writing" in result.message
    now = live(boxoffice, row.listing_key)
    assert now["sold"] == row.sold + 2  # the sale is kept
    assert now["capacity"] == target  # and on sale: exactly what the manager set
    log = audit(boxoffice)
    assert log["result"].tolist()[:2] == ["reconciled", "ok"]
    first = log.iloc[1]
    assert (first["before"], first["after"]) == (str(int(row.capacity)), str(target))
    # the stock read before the sale, and written for the target
    assert first["note"].endswith(f"stock {int(row.available)} → {int(row.available) + 2}")
    assert log.iloc[0]["after"] == str(int(row.available))  # + 2 − the 2 sold


def test_a_sale_during_verification_is_not_a_failed_change(sandbox, boxoffice):
    """Situation 2: the sale lands after our write; FooEvents takes it off our stock, so
    capacity is as set; nothing is restored and no sale is erased."""
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    target = int(row.capacity) + 3
    sandbox.faults.on_call("woocommerce", sell_at(sandbox, row, 2), method="PUT", when="after")

    result = boxoffice.apply_change(change_for(row, target), listings, who=MANAGER)

    assert result.status == "ok", result.message
    assert f"capacity {int(row.capacity)} → {target}" in result.message
    now = live(boxoffice, row.listing_key)
    assert now["sold"] == row.sold + 2 and now["capacity"] == target
    assert now["available"] == row.available + 3 - 2
    assert audit(boxoffice)["result"].tolist() == ["ok"]


# Two people at the box office (demo identities: the sandbox runs in demo mode).
A_MANAGER = Actor.demo("manager")
B_MANAGER = Actor.demo("admin")


def second_manager(sandbox: Sandbox, boxoffice: BoxOffice, tmp_path) -> BoxOffice:
    """Another session (or server) sharing the sandbox and the app-state database."""
    settings = load_settings({"BRCC_DATA_DIR": str(tmp_path / "b")}, dotenv_path=None)
    other = BoxOffice.on_sandbox(
        sandbox, settings, cache=CatalogCache(tmp_path / "b"), state=boxoffice.state
    )
    other.refresh_catalog()
    other.capacity.lock_wait = 0  # this test runs both managers in one thread: do not wait
    return other


def test_two_managers_at_once_one_wins_the_other_is_refused(sandbox, boxoffice, tmp_path):
    """Situation 3: B confirms while A is between its fresh read and its write. B cannot
    take the lease and is refused; A's change stands; a later B with A's old view is
    refused as changed since it looked; the audit has every attempt."""
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    b = second_manager(sandbox, boxoffice, tmp_path)
    b_listings = b.listings()
    outcomes: list = []

    def b_confirms() -> None:
        change = change_for(row, int(row.capacity) + 5)
        outcomes.append(b.apply_change(change, b_listings, who=B_MANAGER))

    sandbox.faults.on_call("woocommerce", b_confirms, method="PUT")
    a = boxoffice.apply_change(change_for(row, int(row.capacity) + 2), listings, who=A_MANAGER)

    assert a.status == "ok", a.message
    (b_first,) = outcomes
    assert b_first.status == "refused" and "in progress" in b_first.message
    assert A_MANAGER.email in b_first.message  # says who holds it
    # and when its lease runs out if A's change has stopped (issue 22: visibly)
    expires = re.search(r"its lock expires by itself in (\d+) s\.", b_first.message)
    assert expires and 0 < int(expires[1]) <= LEASE_SECONDS, b_first.message
    b_again = b.apply_change(change_for(row, int(row.capacity) + 5), b_listings, who=B_MANAGER)
    assert b_again.status == "refused" and "Changed since you looked" in b_again.message
    assert f"capacity {int(row.capacity)} → {int(row.capacity) + 2}" in b_again.message
    assert live(boxoffice, row.listing_key)["capacity"] == int(row.capacity) + 2
    log = audit(boxoffice)
    # A's write was on record (started) before B was refused, and completed after.
    assert log[["who", "result"]].values.tolist()[:3] == [
        [B_MANAGER.email, "refused"],
        [B_MANAGER.email, "refused"],
        [A_MANAGER.email, "ok"],
    ]
    assert log.iloc[2]["before"] == str(int(row.capacity))  # as A asked for it
    assert log.iloc[0]["before"] == f"remaining {int(row.available) + 2}"


def test_a_sale_on_another_date_is_not_undone_by_our_write(sandbox, boxoffice):
    """Situation 4: our write replaces the whole booking-options value; a date sold out
    meanwhile would come back on sale. The reconcile step closes it again."""
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    siblings = upcoming(listings)[
        lambda d: (
            (d.product_id == row.product_id)
            & (d.listing_key != row.listing_key)
            & (d.available > 0)
        )
    ]
    other = siblings.iloc[0]
    left = int(other.available)
    sandbox.faults.on_call("woocommerce", sell_at(sandbox, other, left), method="PUT")

    result = boxoffice.apply_change(change_for(row, int(row.capacity) + 1), listings, who=MANAGER)

    assert result.status == "reconciled", result.message
    sold_out = live(boxoffice, other.listing_key)
    assert sold_out["sold"] == other.sold + left  # the sale is kept
    assert sold_out["available"] == 0  # and nothing is back on sale
    assert sold_out["capacity"] == other.capacity
    assert live(boxoffice, row.listing_key)["capacity"] == int(row.capacity) + 1
    log = audit(boxoffice)
    fix = log.iloc[0]
    assert (fix["listing_key"], fix["action"], fix["result"]) == (
        other.listing_key,
        "reconcile",
        "reconciled",
    )
    assert (fix["before"], fix["after"]) == (str(left), "0")


def test_a_dropped_write_and_a_sale_before_the_check_keeps_the_sale(sandbox, boxoffice):
    """Situation 5: the write is acknowledged but not stored, and a sale lands before the
    verifying read. The restore puts back the capacity, so the sale is not erased."""
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    sandbox.faults.inject("woocommerce", "drop_write", method="PUT")
    sandbox.faults.on_call("woocommerce", sell_at(sandbox, row, 2), method="PUT", when="after")

    result = boxoffice.apply_change(change_for(row, int(row.capacity) + 4), listings, who=MANAGER)

    assert result.status == "rolled_back", result.message
    now = live(boxoffice, row.listing_key)
    assert now["sold"] == row.sold + 2
    assert now["capacity"] == row.capacity  # as before the change, sale included
    assert now["available"] == row.available - 2
    log = audit(boxoffice)
    assert log["result"].tolist()[:2] == ["rolled_back", "verify_failed"]
    assert log.iloc[1]["before"] == str(int(row.capacity))
    assert log.iloc[1]["note"].startswith(f"stored as booking date stock {int(row.available)} →")


def test_a_failed_restore_is_reported_as_rollback_failed(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = single_event(listings)

    def someone_else_and_an_outage() -> None:
        # Someone edits the stock in WordPress right after our write, then the site fails.
        with sandbox.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE wp_postmeta SET meta_value = '1' "
                    "WHERE post_id = :p AND meta_key = '_stock'"
                ),
                {"p": int(row.product_id)},
            )
        sandbox.faults.inject("woocommerce", "5xx", method="PUT", status=500)

    sandbox.faults.on_call("woocommerce", someone_else_and_an_outage, method="PUT", when="after")
    result = boxoffice.apply_change(change_for(row, int(row.capacity) + 1), listings, who=MANAGER)
    assert result.status == "rollback_failed", result.message
    assert "Check this listing" in result.message
    assert audit(boxoffice)["result"].tolist()[:2] == ["rollback_failed", "verify_failed"]


def test_a_write_that_cannot_be_checked_is_unverified(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    sandbox.faults.on_call(
        "woocommerce",
        lambda: sandbox.faults.inject("woocommerce", "5xx", method="GET", times=20),
        method="PUT",
        when="after",
    )
    result = boxoffice.apply_change(change_for(row, int(row.capacity) + 1), listings, who=MANAGER)
    assert result.status == "unverified", result.message
    assert "could not be checked" in result.message
    assert audit(boxoffice)["result"].tolist()[0] == "unverified"


def test_a_capacity_beyond_the_bound_is_refused_before_any_call(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    calls = boxoffice.woocommerce.calls
    bound = boxoffice.settings.max_capacity
    result = boxoffice.apply_change(change_for(row, 10**12), listings, who=MANAGER)
    assert result.status == "refused" and f"above the most this app writes ({bound}" in (
        result.message
    )
    assert boxoffice.woocommerce.calls == calls


def test_series_date_capped_by_its_class_is_refused_not_reported_verified(sandbox, boxoffice):
    """+1 on a series date whose class capacity caps it: the event's capacity would move
    while buyers still see the old number; refused and nothing written."""
    listings = boxoffice.listings()
    eb = upcoming(listings)[lambda d: (d.channel == "eventbrite") & d.series_id.notna()]
    row = eb.groupby("event_id").filter(lambda g: len(g) == 1).iloc[0]
    tc = boxoffice.eventbrite.get_ticket_class(row.event_id, row.ticket_class_id)
    if tc["capacity"] is None or tc["capacity"] > int(row.capacity):
        pytest.skip("this seed's series class does not cap its event")
    before = snapshot(sandbox.engine)
    result = boxoffice.apply_change(change_for(row, int(row.capacity) + 1), listings, who=MANAGER)
    assert result.status == "refused", result.message
    assert "caps what buyers are offered" in result.message
    assert snapshot(sandbox.engine) == before


def test_venue_capacity_follows_the_same_rules_and_is_audited(boxoffice):
    listings = boxoffice.listings()
    shows = boxoffice.saved_shows(listings)
    show = shows[(shows.sold > 5) & (shows.errors.apply(len) == 0)].iloc[0]
    held = int(show.sold + show.pending)
    for bad, why in [(held - 1, "below the"), (1_000_000, "above the most")]:
        with pytest.raises(ValueError, match=why):
            boxoffice.save_show_mapping(
                show.show_key, show.listing_keys, venue_capacity=bad, who=MANAGER
            )
    assert boxoffice.saved_shows(listings).set_index("show_key").loc[show.show_key].source != (
        "saved"
    )
    boxoffice.save_show_mapping(show.show_key, show.listing_keys, venue_capacity=held, who=MANAGER)
    log = audit(boxoffice)
    assert log[["action", "what", "before", "after", "result", "who"]].values.tolist()[:3] == [
        ["venue", "venue capacity", str(int(show.venue_capacity)), str(held), "ok", MANAGER.email],
        [
            "venue",
            "venue capacity",
            str(int(show.venue_capacity)),
            "1000000",
            "refused",
            MANAGER.email,
        ],
        [
            "venue",
            "venue capacity",
            str(int(show.venue_capacity)),
            str(held - 1),
            "refused",
            MANAGER.email,
        ],
    ]


def test_event_seats_beyond_what_its_classes_can_sell_are_refused(sandbox, boxoffice):
    """Sync sets a series date's remaining seats per event; when the classes' own
    capacities leave fewer seats than that, no buyer would be offered them: refused,
    nothing written (no "verified" for a number nobody sees)."""
    listings = boxoffice.listings()
    eb = upcoming(listings)[lambda d: (d.channel == "eventbrite") & d.series_id.notna()]
    row = eb.groupby("event_id").filter(lambda g: len(g) == 2).iloc[0]
    classes = boxoffice.eventbrite.ticket_classes([row.event_id])[row.event_id]
    if any(tc["capacity"] is None for tc in classes):
        pytest.skip("a class of this seed's event has no cap of its own")
    room = sum(tc["capacity"] - tc["quantity_sold"] for tc in classes)
    before = snapshot(sandbox.engine)
    change = Change(
        row.listing_key, int(row.available), room + 1, field="remaining", event_level=True
    )
    result = boxoffice.apply_change(change, listings, who=MANAGER)
    assert result.status == "refused", result.message
    assert f"leave {room} seats to sell" in result.message
    assert snapshot(sandbox.engine) == before
