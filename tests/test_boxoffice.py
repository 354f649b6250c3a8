"""BoxOffice end to end on the seeded sandbox: the real HTTP clients, the real SQL, and
numbers that match the systems of record, checked against counts derived here from the
seed's raw rows (not through the code under test)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import phpserialize
import pytest
from sqlalchemy import create_engine, text

from brcc_core.boxoffice import BoxOffice
from brcc_core.catalog.cache import CatalogCache
from brcc_core.channels.wordpress import WordPressReader
from brcc_core.common.windows import local_now
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from tests.club_time import SUITE_DAY

NOT_SOLD = {"Canceled", "Cancelled", "Unpaid"}


@pytest.fixture
def sandbox(engine) -> Sandbox:
    box = Sandbox(engine)
    box.seed(scale="club", seed_number=7, today=SUITE_DAY)
    return box


@pytest.fixture
def boxoffice(sandbox, tmp_path) -> BoxOffice:
    settings = load_settings({"BRCC_DATA_DIR": str(tmp_path)}, dotenv_path=None)
    return BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path))


def _meta_by_post(conn, post_type: str) -> dict[int, dict]:
    rows = conn.execute(
        text(
            "SELECT p.ID, p.post_status, m.meta_key, m.meta_value FROM wp_posts p "
            "JOIN wp_postmeta m ON m.post_id = p.ID WHERE p.post_type = :t"
        ),
        {"t": post_type},
    )
    posts: dict[int, dict] = {}
    for pid, status, key, value in rows:
        posts.setdefault(pid, {"_post_status": status})[key] = value
    return posts


def independent_counts(engine) -> tuple[Counter, Counter, Counter, Counter]:
    """(sold per product, sold per id-matched slot/date, checked-in per product, pending per
    product) computed straight from the rows, by docs/domain.md section 3."""
    sold_product, sold_ids, checked_in, pending = Counter(), Counter(), Counter(), Counter()
    with engine.connect() as conn:
        for meta in _meta_by_post(conn, "event_magic_tickets").values():
            status = meta.get("WooCommerceEventsStatus")
            if meta["_post_status"] != "publish" or status in NOT_SOLD:
                continue
            pid = int(meta["WooCommerceEventsProductID"])
            sold_product[pid] += 1
            checked_in[pid] += status == "Checked In"
            if meta.get("WooCommerceEventsBookingSlotID"):
                key = (
                    pid,
                    meta["WooCommerceEventsBookingSlotID"],
                    meta["WooCommerceEventsBookingDateID"],
                )
                sold_ids[key] += 1
        orders: dict[int, bytes] = {}
        for oid, value in conn.execute(
            text(
                "SELECT p.ID, m.meta_value FROM wp_posts p JOIN wp_postmeta m ON m.post_id = p.ID "
                "WHERE p.post_type = 'shop_order' AND m.meta_key = 'WooCommerceEventsOrderTickets'"
                " AND p.post_status IN ('wc-pending', 'wc-on-hold', 'wc-processing')"
            )
        ):
            orders[oid] = value
        for oid, value in conn.execute(
            text(
                "SELECT o.id, m.meta_value FROM wp_wc_orders o JOIN wp_wc_orders_meta m "
                "ON m.order_id = o.id WHERE m.meta_key = 'WooCommerceEventsOrderTickets'"
                " AND o.status IN ('wc-pending', 'wc-on-hold', 'wc-processing')"
            )
        ):
            orders[oid] = value  # HPOS wins over a legacy copy of the same order
    for value in orders.values():
        data = phpserialize.loads(
            value.encode() if isinstance(value, str) else value, decode_strings=True
        )
        for product_tickets in data.values():
            for ticket in product_tickets.values():
                pending[int(ticket["WooCommerceEventsProductID"])] += 1
    return sold_product, sold_ids, checked_in, pending


def test_listings_match_the_systems_of_record(sandbox, boxoffice):
    result = boxoffice.refresh_catalog()
    assert result.errors == {}
    listings = boxoffice.listings()
    wc = listings[listings.channel == "woocommerce"]
    sold_product, sold_ids, checked_in, pending = independent_counts(sandbox.engine)

    per_product = wc.groupby("product_id")[["sold", "pending", "checked_in"]].sum()
    for pid, sold in sold_product.items():
        if pid in per_product.index:
            assert per_product.loc[pid, "sold"] == sold, pid
            assert per_product.loc[pid, "checked_in"] == checked_in[pid], pid
    for pid, count in pending.items():
        if pid in per_product.index:
            assert per_product.loc[pid, "pending"] == count, pid

    # Id-matched tickets land on their own slot/date; legacy ones are added once, by label.
    for row in wc[wc.slot_id.notna()].itertuples():
        id_sold = sold_ids[(row.product_id, row.slot_id, row.date_id)]
        assert row.sold == id_sold + row.matched_by_label, row.listing_key
    assert wc.matched_by_label.sum() > 0

    # Eventbrite: one listing per ticket class, numbers as Eventbrite holds them.
    with sandbox.engine.connect() as conn:
        classes = dict(
            conn.execute(text("SELECT id, quantity_sold FROM sandbox_eb_ticket_classes")).all()
        )
    eb = listings[listings.channel == "eventbrite"]
    assert len(eb) > 0
    for row in eb.itertuples():
        assert row.sold == classes[row.ticket_class_id]


def test_single_events_sell_and_unlimited_is_not_sold_out(boxoffice):
    boxoffice.refresh_catalog()
    listings = boxoffice.listings()
    singles = listings[listings.kind == "single"]
    assert len(singles) >= 3
    assert singles["sold"].sum() > 0  # the old tool showed 0 here
    unlimited = listings[listings.unlimited & (listings.channel == "woocommerce")]
    assert len(unlimited) > 0
    assert not (unlimited.status == "sold_out").any()


def test_shows_pair_channels_and_find_oversold(boxoffice):
    boxoffice.refresh_catalog()
    shows = boxoffice.shows()
    both = shows[shows.channels.apply(len) == 2]
    assert len(both) > 10
    assert shows.oversold.any()
    over = shows[shows.oversold].iloc[0]
    assert over.sold + over.pending > over.venue_capacity


def test_live_numbers_cost_three_statements_whatever_the_size(boxoffice):
    boxoffice.refresh_catalog()
    live = boxoffice.live_numbers(boxoffice.catalog())
    assert live.error is None
    assert live.statements <= 3


def test_catalog_survives_a_new_process_and_changes_only_by_refresh(sandbox, boxoffice, tmp_path):
    assert boxoffice.catalog() is None
    first = boxoffice.refresh_catalog().catalog
    again = BoxOffice.on_sandbox(sandbox, boxoffice.settings, cache=CatalogCache(tmp_path))
    loaded = again.catalog()
    assert loaded is not None and loaded.fetched_at == first.fetched_at
    # A sale changes live numbers without touching the catalog.
    before = again.listings()["sold"].sum()
    from brcc_core.sandbox.fooevents_sim import sell_single

    single = next(p for p in loaded.products if p.kind == "single" and p.manage_stock)
    with sandbox.engine.begin() as conn:
        sell_single(conn, single.product_id, 2)
    # Sessions share one read for BRCC_LIVE_SHARE_SECONDS; the sale shows once it expires.
    again.live.shared_live.clear()
    assert again.listings()["sold"].sum() == before + 2
    assert again.catalog().fetched_at == first.fetched_at


def test_refresh_reports_what_changed(boxoffice):
    first = boxoffice.refresh_catalog()
    assert first.changes["products"][0] > 0 and first.changes["listings"][0] > 0
    second = boxoffice.refresh_catalog()
    assert second.changes == {"products": (0, 0), "events": (0, 0), "listings": (0, 0)}
    assert second.catalog.fetched_at > first.catalog.fetched_at


def test_unreachable_database_marks_sold_unknown_and_keeps_eventbrite(sandbox, boxoffice):
    boxoffice.refresh_catalog()
    dead = create_engine(
        "mysql+pymysql://wp:hunter2-secret@127.0.0.1:1/wordpress",
        connect_args={"connect_timeout": 1},
    )
    boxoffice.wordpress = WordPressReader(dead)
    listings = boxoffice.listings()
    wc = listings[listings.channel == "woocommerce"]
    assert wc["sold"].isna().all()
    assert wc["error"].str.startswith("sold unknown").all()
    assert not wc["error"].str.contains("hunter2").any()
    eb = listings[listings.channel == "eventbrite"]
    assert eb["sold"].notna().all() and eb["error"].isna().all()
    health = {h.name: h for h in boxoffice.health()}
    assert health["WordPress DB"].state == "down"
    assert "hunter2" not in health["WordPress DB"].reason


def test_rejected_eventbrite_token_keeps_woocommerce_refresh(boxoffice):
    boxoffice.refresh_catalog()
    boxoffice.eventbrite._token = type(boxoffice.eventbrite._token)("wrong-token")
    result = boxoffice.refresh_catalog()
    assert "token" in result.errors["eventbrite"].lower()
    assert "wrong-token" not in result.errors["eventbrite"]
    # The previous Eventbrite part is kept, WooCommerce refreshed.
    assert len(result.catalog.ticket_classes) > 0
    assert len(result.catalog.products) > 0
    health = {h.name: h for h in boxoffice.health()}
    assert health["Eventbrite API"].state == "down"
    assert health["WooCommerce API"].state == "ok"


def test_failed_ticket_classes_mark_only_that_event(sandbox, boxoffice):
    sandbox.faults.inject("eventbrite", "5xx", path_contains="ticket_classes", times=1, status=502)
    result = boxoffice.refresh_catalog()
    assert "eventbrite" in result.errors
    assert len(result.catalog.ticket_class_errors) == 1
    listings = boxoffice.listings()
    unknown = listings[listings.listing_key.str.endswith(":unknown")]
    assert len(unknown) == 1 and unknown["sold"].isna().all()
    eb = listings[
        (listings.channel == "eventbrite") & ~listings.listing_key.str.endswith(":unknown")
    ]
    assert eb["sold"].notna().all() and len(eb) > 50


def test_rate_limit_keeps_every_event_visible_and_woocommerce_intact(sandbox, boxoffice):
    sandbox.faults.inject("eventbrite", "429", path_contains="ticket_classes", retry_after=30)
    result = boxoffice.refresh_catalog()
    assert "limit" in result.errors["eventbrite"]
    listings = boxoffice.listings()
    eb = listings[listings.channel == "eventbrite"]
    # The client stops spending the budget after a 429 (classes already in flight may
    # still arrive): every event stays listed, those it could not read as unknown.
    events = {e.event_id for e in result.catalog.events if not e.is_series_parent}
    assert set(eb.event_id) == events
    unknown = eb[eb.listing_key.str.endswith(":unknown")]
    assert len(unknown) == len(result.catalog.ticket_class_errors) > len(events) // 2
    assert unknown["sold"].isna().all()
    wc = listings[listings.channel == "woocommerce"]
    assert wc["sold"].notna().all()


def test_broken_product_is_shown_with_its_reason_and_others_intact(boxoffice):
    boxoffice.refresh_catalog()
    listings = boxoffice.listings()
    uncertain = listings[listings.kind == "uncertain"]
    assert len(uncertain) >= 1
    assert uncertain["error"].str.contains("cannot be read|uncertain", regex=True).all()
    bookings = listings[listings.kind == "bookings"]
    assert bookings["error"].isna().mean() > 0.95


def test_health_measures_every_integration(boxoffice):
    boxoffice.refresh_catalog()
    health = {h.name: h for h in boxoffice.health()}
    assert set(health) >= {
        "WooCommerce API",
        "Eventbrite API",
        "WordPress DB",
        "Catalog cache",
        "Disk",
        "Memory",
    }
    for name in ("WooCommerce API", "Eventbrite API", "WordPress DB"):
        assert health[name].state == "ok" and health[name].latency_ms is not None
    assert "calls left this hour" in health["Eventbrite API"].reason


def test_slow_integration_is_degraded(sandbox, boxoffice, monkeypatch):
    import brcc_core.live.service as live_service

    monkeypatch.setattr(live_service, "SLOW_SECONDS", 0.05)
    sandbox.faults.latency["woocommerce"] = 0.1
    health = {h.name: h for h in boxoffice.health()}
    assert health["WooCommerce API"].state == "degraded"
    assert "slow" in health["WooCommerce API"].reason


def test_upcoming_dates_are_in_the_club_timezone(boxoffice):
    boxoffice.refresh_catalog()
    listings = boxoffice.listings()
    assert str(listings["starts_at"].dt.tz) == "America/Toronto"
    upcoming = listings[listings.starts_at > local_now("America/Toronto")]
    soon = upcoming[upcoming.starts_at < local_now("America/Toronto") + timedelta(days=8)]
    assert set(soon.channel) == {"woocommerce", "eventbrite"}


def test_managed_single_event_shows_its_woocommerce_stock(sandbox, boxoffice):
    boxoffice.refresh_catalog()
    listings = boxoffice.listings().set_index("listing_key")
    with sandbox.engine.connect() as conn:
        managed = dict(
            conn.execute(
                text(
                    "SELECT s.post_id, s.meta_value FROM wp_postmeta s JOIN wp_postmeta m"
                    " ON m.post_id = s.post_id AND m.meta_key = '_manage_stock'"
                    " AND m.meta_value = 'yes' WHERE s.meta_key = '_stock'"
                )
            ).all()
        )
    singles = [f"wc:{pid}" for pid in managed if f"wc:{pid}" in listings.index]
    assert singles
    for key in singles:
        row = listings.loc[key]
        assert not row.unlimited and row.available == int(float(managed[int(key[3:])]))
        assert row.capacity == row.available + row.sold + row.pending


def test_shows_use_a_confirmed_venue_capacity(boxoffice, tmp_path):
    from brcc_core.people.access import Actor
    from brcc_core.store.state import State

    boxoffice._state = State.open(f"sqlite:///{tmp_path / 'state.db'}")
    boxoffice.refresh_catalog()
    listings = boxoffice.listings()
    suggested = boxoffice.shows(listings)
    show = suggested[suggested.channels.apply(len) == 2].iloc[0]
    boxoffice.save_show_mapping(
        show.show_key, show.listing_keys, venue_capacity=40, who=Actor.demo("manager")
    )
    confirmed = boxoffice.shows(listings).set_index("show_key").loc[show.show_key]
    assert confirmed.venue_capacity == 40
    assert confirmed.remaining == 40 - confirmed.sold - confirmed.pending


def test_shows_fall_back_to_suggestions_without_the_state_db(boxoffice):
    from brcc_core.store.state import State

    boxoffice._state = State.open("mysql+pymysql://nobody:pw@127.0.0.1:1/none")
    boxoffice.refresh_catalog()
    shows = boxoffice.shows()
    assert len(shows) > 10 and shows["venue_capacity"].eq(55).all()


def test_without_the_state_db_every_show_says_its_venue_capacity_is_the_default(boxoffice):
    from brcc_core.boxoffice import SAVED_SHOWS_ERROR
    from brcc_core.store.state import State

    boxoffice._state = State.open("mysql+pymysql://nobody:pw@127.0.0.1:1/none")
    boxoffice.refresh_catalog()
    shows = boxoffice.shows()
    assert "Saved shows could not be read" in shows.attrs[SAVED_SHOWS_ERROR]
    assert "default venue capacity of 55" in shows.attrs[SAVED_SHOWS_ERROR]
    assert all(any("is the default" in e for e in errors) for errors in shows["errors"])


def test_a_partial_eventbrite_failure_keeps_each_events_earlier_classes_with_their_age(
    sandbox, boxoffice
):
    first = boxoffice.refresh_catalog().catalog
    before = boxoffice.listings()
    sandbox.faults.inject("eventbrite", "5xx", path_contains="ticket_classes", times=3, status=502)
    result = boxoffice.refresh_catalog()
    assert "eventbrite" in result.errors
    catalog = result.catalog
    assert catalog.ticket_class_errors == {}  # every failed event had an earlier part
    assert 1 <= len(catalog.stale_events) <= 3  # retries may have saved some
    after = boxoffice.listings()
    assert set(after["listing_key"]) == set(before["listing_key"])  # nothing forgotten
    for event_id, read_at, reason in catalog.stale_events:
        assert read_at == first.eventbrite_fetched_at and "502" in reason
        kept = after[after["event_id"] == event_id]
        assert len(kept) >= 1 and kept["sold"].notna().all()
        assert kept["error"].str.contains("Eventbrite numbers from 0 min ago, kept").all()
    # the next good refresh reads them afresh
    fresh = boxoffice.refresh_catalog().catalog
    assert fresh.stale_events == () and "eventbrite" not in fresh.errors


def test_refresh_keeps_a_reserve_of_the_eventbrite_budget_for_writes(sandbox, boxoffice):
    first = boxoffice.refresh_catalog()
    cost = boxoffice.refresh_cost()
    # Planned, not guessed: the list pages and the reads a refresh within the hour makes
    # again, not the first build's one-off reads of past and later shows.
    assert cost == boxoffice.catalogs._last_refresh_eventbrite_calls
    assert 10 < cost < first.eventbrite_calls / 2
    reserve = boxoffice.settings.eb_write_reserve
    # spend the hour down to just above the reserve plus one refresh
    spent = 2000 - reserve - cost + 1
    now = boxoffice.eventbrite.clock()
    boxoffice.eventbrite._call_times.extend(
        [now] * (spent - boxoffice.eventbrite.calls_this_hour())
    )
    calls = boxoffice.eventbrite.calls
    eventbrite_before = boxoffice.catalog().eventbrite_fetched_at
    result = boxoffice.refresh_catalog()
    assert boxoffice.eventbrite.calls == calls  # not one Eventbrite call spent
    assert "kept for capacity changes" in result.errors["eventbrite"]
    assert result.catalog.eventbrite_fetched_at == eventbrite_before  # and says how old
    assert len(result.catalog.ticket_classes) > 50
    assert "woocommerce" not in result.errors
    assert boxoffice.eventbrite.calls_left_this_hour() >= reserve
