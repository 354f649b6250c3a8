"""Issue 22, item 4: empty or malformed answers do not become zeros with a green status. A
refresh whose answer would drop most of a channel is kept aside and reported, the earlier
numbers staying (marked); a product whose booking options cannot be read any more keeps
its dates, with their remaining unknown and their sales still counted, never 0.
The sandbox on SQLite and MariaDB (its database is where the site's products live)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import text

from brcc_core.boxoffice import BoxOffice
from brcc_core.catalog.cache import CatalogCache
from brcc_core.channels import http
from brcc_core.channels.fooevents import FBOS_META_KEY
from brcc_core.common.formats import describe_changes
from brcc_core.sandbox.php import php_serialize
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from tests.club_time import SUITE_DAY


@pytest.fixture
def club(engine, tmp_path, monkeypatch) -> BoxOffice:
    monkeypatch.setattr(http, "_sleep", lambda seconds: None)
    sandbox = Sandbox(engine)
    sandbox.seed(scale="club", seed_number=9, today=SUITE_DAY)
    settings = load_settings({"BRCC_DATA_DIR": str(tmp_path)}, dotenv_path=None)
    box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path))
    assert not box.refresh_catalog().errors
    return box


def sold_by_channel(box: BoxOffice) -> dict[str, object]:
    box.live.shared_live.clear()
    listings = box.listings()
    return {
        channel: listings.loc[listings.channel == channel, "sold"].sum(min_count=1)
        for channel in ("woocommerce", "eventbrite")
    }


def test_an_empty_events_answer_is_kept_aside_not_applied_as_zeros(club):
    earlier = club.catalog()
    before = sold_by_channel(club)
    assert before["eventbrite"] > 0
    club.sandbox.faults.inject(
        "eventbrite", "empty_list", path_contains="/organizations/", times=1000
    )
    result = club.refresh_catalog()
    assert result.kept_aside == ("eventbrite",)
    reason = result.errors["eventbrite"]  # not a green refresh
    assert "left out" in reason and "kept aside" in reason, reason
    assert "-" not in describe_changes(result.changes).split("events")[-1][:3]  # no "events -224"
    assert result.catalog.events == earlier.events
    assert result.catalog.eventbrite_fetched_at == earlier.eventbrite_fetched_at  # its age shows
    assert sold_by_channel(club)["eventbrite"] == before["eventbrite"]  # not 0

    # If they really are gone, the manager can take the answer as it is.
    applied = club.refresh_catalog(accept_drops=True)
    assert applied.kept_aside == () and not applied.catalog.events


def test_products_without_their_meta_data_are_kept_aside(club):
    earlier = club.catalog()
    before = sold_by_channel(club)
    listings_before = int((club.listings().channel == "woocommerce").sum())
    club.sandbox.faults.inject(
        "woocommerce", "drop_field", field="meta_data", path_contains="/products", times=1000
    )
    result = club.refresh_catalog()
    assert result.kept_aside == ("woocommerce",)
    assert "event products the last catalog had" in result.errors["woocommerce"]
    assert result.catalog.products == earlier.products
    assert int((club.listings().channel == "woocommerce").sum()) == listings_before
    assert sold_by_channel(club)["woocommerce"] == before["woocommerce"]


def booking_product_with_sales(box: BoxOffice) -> tuple[int, pd.DataFrame]:
    listings = box.listings()
    rows = listings[(listings.kind == "bookings") & (listings.sold > 0)]
    assert not rows.empty, "the seed has no bookings product with sales"
    product_id = int(rows.iloc[0].product_id)
    return product_id, listings[listings.product_id == product_id]


@pytest.mark.parametrize("damage", ["not JSON", "PHP-serialized"])
def test_unreadable_booking_options_make_remaining_unknown_never_zero_sold(club, damage):
    product_id, dates = booking_product_with_sales(club)
    shows = club.shows(club.listings())
    keys = set(dates.listing_key)
    their_shows = shows[shows.listing_keys.apply(lambda ks: bool(keys & set(ks)))]
    assert not their_shows.empty
    with club.sandbox.engine.begin() as conn:
        raw = conn.execute(
            text("SELECT meta_value FROM wp_postmeta WHERE post_id = :p AND meta_key = :k"),
            {"p": product_id, "k": FBOS_META_KEY},
        ).scalar_one()
        broken = raw[: len(raw) // 2] if damage == "not JSON" else php_serialize(json.loads(raw))
        conn.execute(
            text("UPDATE wp_postmeta SET meta_value = :v WHERE post_id = :p AND meta_key = :k"),
            {"v": broken, "p": product_id, "k": FBOS_META_KEY},
        )
    club.refresh_catalog()

    after = club.listings().set_index("listing_key")
    kept = after.loc[sorted(keys)]
    assert len(kept) == len(keys)  # the dates stay listed
    earlier = dates.set_index("listing_key").loc[sorted(keys), "sold"]
    known = kept["sold"].notna()
    # Sales counted by date id stay counted; those matched through the unreadable
    # options (tickets naming their date by label only) make that date's sold unknown.
    assert (kept.loc[known, "sold"] == earlier[known]).all()
    assert (earlier[~known] >= 0).all()
    assert kept["available"].isna().all()  # remaining unknown, never a number
    assert kept["error"].str.contains("uncertain product").all()
    shows_after = club.shows(club.listings()).set_index("show_key")
    for show in their_shows.itertuples():
        now = shows_after.loc[show.show_key]
        assert pd.isna(now.sold_woocommerce) or now.sold_woocommerce == show.sold_woocommerce
        assert pd.isna(now.remaining)  # rests on an unknown stock
