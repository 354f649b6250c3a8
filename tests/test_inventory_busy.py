"""Changes on busy shows (issue 23), on the seeded sandbox (SQLite and MariaDB):

- on a series date whose classes share the event's capacity, a sync compares and
  verifies the event's seats left (what its write changes), not its first class's;
- the event capacity written on a series date comes from the same read as the target, so
  a sale between that read and the write is kept, never rolled back as Eventbrite's fault;
- a capacity set by a manager goes through when only sales landed since they looked, and
  is refused when it is now below sold + pending or another change landed in between;
- the result of a sync names the one number the manager asked about."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text

from brcc_core.boxoffice import BoxOffice
from brcc_core.capacity.preview import Change
from brcc_core.capacity.sync import SyncPolicy
from brcc_core.catalog.cache import CatalogCache
from brcc_core.common import clock
from brcc_core.people.access import Actor
from brcc_core.sandbox.fooevents_sim import InsufficientStock, sell_eventbrite
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from brcc_core.store.state import State
from tests.club_time import SUITE_DAY

MANAGER = Actor.demo("manager")  # the sandbox runs in demo mode: a demo manager writes
# Every seat of a show goes to the website: Eventbrite's share is 0 (it must close).
WEBSITE_ONLY = SyncPolicy("split", ratio={"woocommerce": 1, "eventbrite": 0})


@pytest.fixture
def sandbox(engine) -> Sandbox:
    box = Sandbox(engine)
    box.seed(scale="club", seed_number=7, today=SUITE_DAY)
    return box


@pytest.fixture
def boxoffice(sandbox, db_url, tmp_path) -> BoxOffice:
    state = State.open(db_url)
    state.drop_all()
    settings = load_settings({"BRCC_DATA_DIR": str(tmp_path)}, dotenv_path=None)
    box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path), state=state)
    box.refresh_catalog()
    yield box
    state.drop_all()
    state.engine.dispose()


def on_sale(listings: pd.DataFrame) -> pd.DataFrame:
    return listings[(listings.status == "on_sale") & listings.error.isna()]


def tier_seats_left(boxoffice: BoxOffice, event_id: str) -> int:
    tier = boxoffice.eventbrite.get_capacity_tier(event_id)
    held = sum(h["quantity_total"] - h["quantity_sold"] for h in tier["holds"])
    return tier["capacity_total"] - tier["capacity_sold"] - tier["capacity_pending"] - held


def shared_date_led_by_front_row(boxoffice: BoxOffice, listings: pd.DataFrame):
    """A series date with two classes whose sync carrier (the class the sync writes
    through, the first of the show) is Front Row, capped at 10 below the event's 55:
    (show key, carrier row, the other class's row). Within the next 7 days, which every
    refresh reads again, so the manager sees a sale made here after one refresh."""
    soon = pd.Timestamp(clock.now()) + pd.Timedelta(days=7)
    eb = on_sale(listings)[
        lambda d: (d.channel == "eventbrite") & d.series_id.notna() & (d.starts_at < soon)
    ]
    for _, group in eb.groupby("event_id"):
        if len(group) != 2 or set(group.slot_label) != {"Front Row", "General Admission"}:
            continue
        shows = boxoffice.shows(listings)
        show = next(
            s for s in shows.to_dict("records") if group.listing_key.iloc[0] in s["listing_keys"]
        )
        (plan,) = boxoffice.plan_sync([show["show_key"]], WEBSITE_ONLY, listings)
        carrier = next(r for r in plan.rows if r.channel == "eventbrite" and r.action != "leave")
        front = group[group.slot_label == "Front Row"].iloc[0]
        if carrier.listing_key == front.listing_key:
            other = group[group.slot_label == "General Admission"].iloc[0]
            return show["show_key"], front, other
    raise AssertionError("the seed has no series date whose sync goes through Front Row")


# --- 1. the shortcut and the verification compare the event's seats left ------------------
def test_a_sync_closing_eventbrite_closes_the_date_when_its_first_class_is_sold_out(
    sandbox, boxoffice
):
    listings = boxoffice.listings()
    show_key, front, general = shared_date_led_by_front_row(boxoffice, listings)
    with sandbox.engine.begin() as conn:  # Front Row sells out: its own 10 are gone
        sell_eventbrite(conn, front.ticket_class_id, int(front.capacity) - int(front.sold))
    boxoffice.refresh_catalog()
    listings = boxoffice.listings()
    assert tier_seats_left(boxoffice, front.event_id) > 0  # General Admission still sells

    (plan,) = boxoffice.plan_sync([show_key], WEBSITE_ONLY, listings)
    (row,) = [r for r in plan.changes if r.channel == "eventbrite"]
    assert row.listing_key == front.listing_key and row.target_remaining == 0
    ((_, result),) = [
        o
        for o in boxoffice.apply_sync([plan], listings=listings, who=MANAGER)
        if o[0].channel == "eventbrite"
    ]

    assert result.status == "ok", result.message
    assert tier_seats_left(boxoffice, front.event_id) == 0  # nothing left on the event
    with sandbox.engine.begin() as conn, pytest.raises(InsufficientStock):
        sell_eventbrite(conn, general.ticket_class_id, 1)  # General Admission is closed
    # The dry run now agrees: nothing more to do for Eventbrite.
    boxoffice.refresh_catalog()
    (again,) = boxoffice.plan_sync([show_key], WEBSITE_ONLY, boxoffice.listings())
    assert not [r for r in again.changes if r.channel == "eventbrite"]


def test_a_sync_on_a_shared_date_keeps_a_sale_landing_after_its_write(sandbox, boxoffice):
    """A sale after the event-capacity write is not a failure: the verification reads the
    capacity written, not the seats left (which the sale lowered)."""
    listings = boxoffice.listings()
    show_key, front, general = shared_date_led_by_front_row(boxoffice, listings)
    # A larger room than the seed's full 55, so the sync leaves Eventbrite seats to sell.
    keys = boxoffice.shows(listings).set_index("show_key").loc[show_key, "listing_keys"]
    boxoffice.save_show_mapping(show_key, list(keys), venue_capacity=75, who=MANAGER)
    (plan,) = boxoffice.plan_sync([show_key], SyncPolicy("buffer", buffer=4), listings)
    (row,) = [r for r in plan.changes if r.channel == "eventbrite"]
    assert row.target_remaining > 0

    def sale() -> None:
        with sandbox.engine.begin() as conn:
            sell_eventbrite(conn, general.ticket_class_id, 1)

    sandbox.faults.on_call(
        "eventbrite", sale, when="after", method="POST", path_contains="capacity_tier"
    )
    outcomes = boxoffice.apply_sync([plan], [row.row_key], listings=listings, who=MANAGER)
    ((_, result),) = outcomes

    assert result.status == "ok", result.message
    # The seats set, less the one sold since: the sale counts, nothing was rolled back.
    assert tier_seats_left(boxoffice, front.event_id) == row.target_remaining - 1
    assert "rollback" not in set(boxoffice.audit_log()["action"])


# --- 2. the capacity written comes from the read that fixed the target --------------------
def test_a_sale_between_the_fresh_read_and_the_tier_write_is_kept(sandbox, boxoffice):
    listings = boxoffice.listings()
    eb = on_sale(listings)[lambda d: (d.channel == "eventbrite") & d.series_id.notna()]
    # A one-class series date: Eventbrite refuses class edits, the event capacity is set.
    one_class = eb.groupby("event_id").filter(lambda g: len(g) == 1)
    row = one_class[one_class.available >= 6].iloc[0]
    target = int(row.capacity) - 3  # within the class's own cap; room for the sale

    def sale() -> None:  # two seats sell just after the engine's fresh read
        with sandbox.engine.begin() as conn:
            sell_eventbrite(conn, row.ticket_class_id, 2)

    sandbox.faults.on_call(
        "eventbrite", sale, method="POST", path_contains="ticket_classes"
    )  # the class write Eventbrite refuses on a series date, before the tier write
    change = Change(row.listing_key, seen_remaining=int(row.available), value=target)
    result = boxoffice.apply_change(change, listings, who=MANAGER)

    assert result.status in ("ok", "reconciled"), result.message
    tc = boxoffice.eventbrite.get_ticket_class(row.event_id, row.ticket_class_id)
    assert tc["quantity_total"] == target  # exactly the capacity asked, never 2 more
    assert tc["quantity_sold"] == int(row.sold) + 2  # the sale kept
    assert set(boxoffice.audit_log()["result"]) <= {"ok", "reconciled"}


# --- 3. refuse only what lost its meaning ------------------------------------------------
def bigger_room(boxoffice: BoxOffice, listings: pd.DataFrame, show_key: str) -> None:
    """A room larger than the seed's (often full) 55, so a sync leaves Eventbrite seats."""
    keys = boxoffice.shows(listings).set_index("show_key").loc[show_key, "listing_keys"]
    boxoffice.save_show_mapping(show_key, list(keys), venue_capacity=75, who=MANAGER)


def test_a_sync_on_a_shared_date_follows_sales_and_refuses_another_change(sandbox, boxoffice):
    """Sales on the event since the dry run come off the seats a sync sets (the room has
    fewer); a capacity change made on Eventbrite meanwhile makes the dry run meaningless."""
    listings = boxoffice.listings()
    show_key, front, general = shared_date_led_by_front_row(boxoffice, listings)
    bigger_room(boxoffice, listings, show_key)
    (plan,) = boxoffice.plan_sync([show_key], SyncPolicy("mirror"), listings)
    (row,) = [r for r in plan.changes if r.channel == "eventbrite"]

    with sandbox.engine.begin() as conn:  # someone raises the event's capacity on Eventbrite
        conn.execute(
            text("UPDATE sandbox_eb_events SET capacity = capacity + 2 WHERE id = :e"),
            {"e": front.event_id},
        )
    before = tier_seats_left(boxoffice, front.event_id)
    ((_, refused),) = boxoffice.apply_sync([plan], [row.row_key], listings=listings, who=MANAGER)
    assert refused.status == "refused", refused.message
    assert "Changed since you looked: the event's capacity less holds" in refused.message
    assert tier_seats_left(boxoffice, front.event_id) == before  # nothing written

    # The manager looks again: the refused change's read of the event is on the page
    # already (no refresh needed), so the new dry run counts from the new capacity.
    listings = boxoffice.listings()
    (plan,) = boxoffice.plan_sync([show_key], SyncPolicy("mirror"), listings)
    (row,) = [r for r in plan.changes if r.channel == "eventbrite"]
    with sandbox.engine.begin() as conn:  # two seats sell after the dry run
        sell_eventbrite(conn, general.ticket_class_id, 2)
    ((_, result),) = boxoffice.apply_sync([plan], [row.row_key], listings=listings, who=MANAGER)
    assert result.status == "reconciled", result.message
    assert tier_seats_left(boxoffice, front.event_id) == row.target_remaining - 2
    assert "2 seat(s) sold or put in carts since you looked" in result.message


def test_the_preview_says_which_kind_of_change_it_is(boxoffice):
    listings = boxoffice.listings()
    row = on_sale(listings)[lambda d: d.kind == "bookings"].iloc[0]
    seen = int(row.available)
    capacity = boxoffice.preview_change(Change(row.listing_key, seen, int(row.capacity) + 1))
    remaining = boxoffice.preview_change(Change(row.listing_key, seen, 3, field="remaining"))
    assert capacity.meaning.startswith("Capacity change:")
    assert "Seats that sell before it is written count against it" in capacity.meaning
    assert remaining.meaning.startswith("Remaining-seats change:")
    assert "come off them" in remaining.meaning


# --- 5. the result names the number asked about ------------------------------------------
def test_a_sync_on_a_shared_date_says_the_seats_left_and_puts_the_rest_in_details(
    sandbox, boxoffice
):
    listings = boxoffice.listings()
    show_key, front, _ = shared_date_led_by_front_row(boxoffice, listings)
    bigger_room(boxoffice, listings, show_key)
    (plan,) = boxoffice.plan_sync([show_key], SyncPolicy("mirror"), listings)
    (row,) = [r for r in plan.changes if r.channel == "eventbrite"]

    ((_, result),) = boxoffice.apply_sync([plan], [row.row_key], listings=listings, who=MANAGER)

    assert result.status == "ok", result.message
    first = result.message.split(". ")[0]
    assert first == (
        f"Verified on Eventbrite: {row.target_remaining} seat(s) left on the event, shared "
        "by its ticket types"
    )
    assert "capacity" not in first  # one number: the one asked about
    assert "event capacity (series date)" in result.details
    assert f"Front Row: capacity {int(front.capacity)}" in result.details
