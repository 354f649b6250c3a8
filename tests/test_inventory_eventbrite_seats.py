"""Capacity changes respect Eventbrite's shared event capacity: the preview shows what
buyers will really be offered, and a series date's capacity-tier write keeps what is
held and in carts (docs/eventbrite-seats.md)."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from brcc_core.boxoffice import BoxOffice
from brcc_core.capacity.engine import Change, ListingState, preview_change
from brcc_core.capacity.sync import SyncPolicy
from brcc_core.catalog.cache import CatalogCache
from brcc_core.people.access import Actor
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from brcc_core.store.state import State
from tests.club_time import SUITE_DAY

MANAGER = Actor.demo("manager")  # the sandbox runs in demo mode: a demo manager writes

GA = ListingState(
    listing_key="eb:1300000000005:5000000001",
    channel="eventbrite",
    kind="ticket_class",
    title="Friday 8PM Pro Stand-up",
    slot_label="General Admission",
    capacity=55,
    sold=30,
    pending=0,
    available=17,
    event_id="1300000000005",
    ticket_class_id="5000000001",
    limit="event capacity",
    event_seats_left=17,
)


@pytest.mark.parametrize(
    "value, warned",
    [(25, "Eventbrite will offer 17, not 25"), (10, None)],
)
def test_preview_of_a_class_inside_a_shared_capacity_shows_what_buyers_get(value, warned):
    preview = preview_change(Change(GA.listing_key, 17, value, field="remaining"), GA)
    assert preview.allowed
    found = [w for w in preview.warnings if "Eventbrite will offer" in w]
    assert found[0].startswith(warned) if warned else not found, preview.warnings


@pytest.fixture
def boxoffice(engine, db_url, tmp_path):
    sandbox = Sandbox(engine)
    sandbox.seed(scale="club", seed_number=5, today=SUITE_DAY)
    state = State.open(db_url)
    state.drop_all()
    settings = load_settings({"BRCC_DATA_DIR": str(tmp_path)}, dotenv_path=None)
    box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path), state=state)
    box.refresh_catalog()
    yield box
    state.drop_all()
    state.engine.dispose()


def test_sync_on_a_series_date_with_a_hold_keeps_the_hold_and_carts(engine, boxoffice):
    with engine.begin() as conn:
        # A series date with Front Row, held seats and carts in progress.
        event_id = conn.execute(
            text(
                "SELECT e.id FROM sandbox_eb_events e WHERE e.held > 0 AND e.series_id IS NOT"
                " NULL AND e.is_series_parent = :f ORDER BY e.start_utc"
            ),
            {"f": False},
        ).first()[0]
        conn.execute(
            text("UPDATE sandbox_eb_events SET capacity_pending = 2 WHERE id = :e"),
            {"e": event_id},
        )
    boxoffice.refresh_catalog()
    listings = boxoffice.listings()
    shows = boxoffice.shows(listings)
    key = next(
        s["show_key"]
        for s in shows.to_dict("records")
        if any(k.startswith(f"eb:{event_id}:") for k in s["listing_keys"])
    )
    (plan,) = boxoffice.plan_sync([key], SyncPolicy("buffer", buffer=3), listings)
    carrier = next(r for r in plan.rows if r.channel == "eventbrite" and r.action != "leave")
    outcomes = boxoffice.apply_sync([plan], listings=listings, who=MANAGER)
    assert all(r.status in ("ok", "unchanged") for _, r in outcomes), [
        r.message for _, r in outcomes
    ]
    tier = boxoffice.eventbrite.get_capacity_tier(event_id)
    held = sum(h["quantity_total"] - h["quantity_sold"] for h in tier["holds"])
    assert held == 6 and tier["capacity_pending"] == 2
    left = tier["capacity_total"] - tier["capacity_sold"] - tier["capacity_pending"] - held
    assert left == carrier.target_remaining
    boxoffice.refresh_catalog()  # Eventbrite numbers come from a refresh
    after = boxoffice.listings()
    rows = after[after.event_id == event_id]
    assert set(rows["event_seats_left"]) == {carrier.target_remaining}
    assert not pd.isna(rows["event_seats_left"]).any()
