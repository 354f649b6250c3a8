"""The change engine on the seeded sandbox (SQLite and MariaDB): each write path changes
exactly the intended stored value and nothing else, a sale between preview and apply is
caught, a lost write is rolled back, refusals write nothing, and every attempt is in the
audit log. Sync plans applied through the engine leave each platform at its target."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import text

from brcc_core.boxoffice import BoxOffice
from brcc_core.catalog_cache import CatalogCache
from brcc_core.fooevents import FBOS_META_KEY, parse_booking_options
from brcc_core.inventory import Change
from brcc_core.sandbox.fooevents_sim import sell_booking, sell_eventbrite
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from brcc_core.state import State
from brcc_core.sync import SyncPolicy


@pytest.fixture
def sandbox(engine) -> Sandbox:
    box = Sandbox(engine)
    box.seed(scale="club", seed_number=7, today=date.today())
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
    result = boxoffice.apply_change(change_for(row, new_capacity), listings)

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
    assert log.iloc[0][["listing_key", "result", "before", "after", "who"]].tolist() == [
        row.listing_key,
        "ok",
        str(int(row.available)),
        str(int(row.available) + 3),
        "anonymous",
    ]


def test_single_event_write_sets_stock_quantity_only(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = upcoming(listings)[lambda d: (d.kind == "single") & ~d.unlimited].iloc[0]
    before = snapshot(sandbox.engine)
    result = boxoffice.apply_change(change_for(row, 2, field="remaining"), listings)
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
    result = boxoffice.apply_change(change_for(row, 40), listings)
    assert result.status == "ok", result.message
    product = boxoffice.woocommerce.get_product(int(row.product_id))
    assert product["manage_stock"] is True
    assert product["stock_quantity"] == 40 - row.sold - row.pending


def test_eventbrite_one_off_class_capacity(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = upcoming(listings)[lambda d: (d.channel == "eventbrite") & d.series_id.isna()].iloc[0]
    before = snapshot(sandbox.engine)
    result = boxoffice.apply_change(change_for(row, int(row.capacity) - 5), listings)
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
    result = boxoffice.apply_change(change_for(row, int(row.capacity) - 4), listings)
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
    result = boxoffice.apply_change(change_for(row, int(row.capacity) - 1), listings)
    assert result.status == "refused"
    assert "shared with" in result.message and "Use Sync" in result.message
    assert snapshot(sandbox.engine) == before


# --- safety ------------------------------------------------------------------------------------
def test_a_sale_between_preview_and_apply_refuses_and_writes_nothing(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    change = change_for(row, int(row.capacity) + 5)
    assert boxoffice.preview_change(change, listings).allowed
    with sandbox.engine.begin() as conn:
        sell_booking(conn, int(row.product_id), row.slot_id, row.date_id, 2)
    after_sale = snapshot(sandbox.engine)

    result = boxoffice.apply_change(change, listings)

    assert result.status == "refused"
    assert "Changed since you looked" in result.message
    assert f"now shows {int(row.available) - 2} remaining" in result.message
    assert snapshot(sandbox.engine) == after_sale
    assert audit(boxoffice).iloc[0]["result"] == "refused"


def test_an_eventbrite_sale_since_the_refresh_refuses(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = upcoming(listings)[lambda d: (d.channel == "eventbrite") & d.series_id.isna()].iloc[0]
    with sandbox.engine.begin() as conn:
        sell_eventbrite(conn, row.ticket_class_id, 1)
    before = snapshot(sandbox.engine)
    result = boxoffice.apply_change(change_for(row, int(row.capacity) + 1), listings)
    assert result.status == "refused" and "Changed since you looked" in result.message
    assert snapshot(sandbox.engine) == before
    # The page now shows Eventbrite's fresh numbers, so the next try can succeed.
    fresh = boxoffice.listings().set_index("listing_key").loc[row.listing_key]
    assert fresh["sold"] == row.sold + 1


def test_a_write_that_does_not_persist_is_rolled_back_and_both_are_audited(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    before_fbos = fbos_of(sandbox.engine, row.product_id)
    sandbox.faults.inject("woocommerce", "drop_write", method="PUT")

    result = boxoffice.apply_change(change_for(row, int(row.capacity) + 1), listings)

    assert result.status == "rolled_back", result.message
    assert "restored" in result.message
    assert [a.result for a in result.attempts] == ["verify_failed", "rolled_back"]
    assert fbos_of(sandbox.engine, row.product_id) == before_fbos
    log = audit(boxoffice)
    assert log["result"].tolist()[:2] == ["rolled_back", "verify_failed"]
    assert log["action"].tolist()[:2] == ["rollback", "change"]
    assert log.iloc[0]["batch"] == log.iloc[1]["batch"]
    assert "read back" in log.iloc[1]["error"]


def test_a_dropped_eventbrite_write_is_rolled_back(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = upcoming(listings)[lambda d: (d.channel == "eventbrite") & d.series_id.isna()].iloc[0]
    before = snapshot(sandbox.engine)
    sandbox.faults.inject("eventbrite", "drop_write", method="POST")
    result = boxoffice.apply_change(change_for(row, int(row.capacity) - 2), listings)
    assert result.status == "rolled_back", result.message
    assert snapshot(sandbox.engine) == before


def test_a_lost_write_answer_is_checked_by_reading_never_retried(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = upcoming(listings)[lambda d: (d.kind == "single") & ~d.unlimited].iloc[0]
    sandbox.faults.inject("woocommerce", "timeout", method="PUT")
    before = snapshot(sandbox.engine)
    calls = sandbox.app.calls.get("woocommerce", 0)
    result = boxoffice.apply_change(change_for(row, 3, field="remaining"), listings)
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
    result = boxoffice.apply_change(change_for(row, value, field), listings)
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
    result = boxoffice.apply_change(change_for(row, int(row.capacity) + 1), listings)
    assert result.status == "refused" and "cannot be read" in result.message
    assert snapshot(sandbox.engine) == before


def test_a_channel_that_is_down_is_refused(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    sandbox.faults.inject("woocommerce", "5xx", method="GET", times=10, status=503)
    before = snapshot(sandbox.engine)
    result = boxoffice.apply_change(change_for(row, int(row.capacity) + 1), listings)
    assert result.status == "refused" and result.channel_down
    assert "did not answer" in result.message and "Nothing was written" in result.message
    assert snapshot(sandbox.engine) == before


def test_eventbrite_change_is_not_started_without_the_calls_to_verify_it(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = upcoming(listings)[lambda d: d.channel == "eventbrite"].iloc[0]
    boxoffice.eventbrite.calls_left_this_hour = lambda: 5
    before = snapshot(sandbox.engine)
    calls = boxoffice.eventbrite.calls
    result = boxoffice.apply_change(change_for(row, int(row.capacity) - 1), listings)
    assert result.status == "refused" and "call budget" in result.message
    assert boxoffice.eventbrite.calls == calls and snapshot(sandbox.engine) == before


def test_unchanged_value_writes_nothing(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    before = snapshot(sandbox.engine)
    result = boxoffice.apply_change(change_for(row, int(row.capacity)), listings)
    assert result.status == "unchanged" and result.ok
    assert snapshot(sandbox.engine) == before


def test_without_an_audit_log_nothing_is_written(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = nested_booking(sandbox.engine, listings)
    boxoffice._state = State.open("mysql+pymysql://app:pw-secret@127.0.0.1:1/state")
    before = snapshot(sandbox.engine)
    result = boxoffice.apply_change(change_for(row, int(row.capacity) + 1), listings)
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
        & (shows.starts_at > pd.Timestamp.now(tz="America/Toronto"))
        & ~shows.oversold
        & (shows.errors.apply(len) == 0)
    ]
    weekday = both[both.listing_keys.apply(len) == 2].iloc[0]
    weekend = both[both.listing_keys.apply(len) == 3].iloc[0]  # two Eventbrite classes
    plans = boxoffice.plan_sync([weekday.show_key, weekend.show_key], policy, listings)
    assert [p.show_key for p in plans] == [weekday.show_key, weekend.show_key]
    assert all(p.changes for p in plans)

    outcomes = boxoffice.apply_sync(plans, listings=listings)

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
        & (shows.starts_at > pd.Timestamp.now(tz="America/Toronto"))
        & (shows.errors.apply(len) == 0)
    ].show_key.tolist()[:3]
    plans = boxoffice.plan_sync(keys, SyncPolicy("split"), listings)
    sandbox.faults.inject("woocommerce", "timeout", method="GET", times=100)
    calls = boxoffice.woocommerce.calls
    outcomes = boxoffice.apply_sync(plans, listings=listings)
    wc = [r for row, r in outcomes if row.channel == "woocommerce"]
    assert len(wc) >= 2 and all(r.status == "refused" for r in wc)
    assert "not answering" in wc[-1].message
    assert boxoffice.woocommerce.calls - calls <= 3  # the first row's read and its retries
    eb = [r for row, r in outcomes if row.channel == "eventbrite"]
    assert eb and all(r.status == "ok" for r in eb)
