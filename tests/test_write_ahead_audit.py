"""Issue 22, item 1: a change is on record before its platform is touched, and the app-state
database going away between the write and its record neither loses the record nor locks
the manager out (SQLite: the file locked by another program; MariaDB: the connection cut
by a loopback proxy)."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from brcc_core.boxoffice import BoxOffice
from brcc_core.capacity.locks import WAIT_SECONDS
from brcc_core.capacity.preview import Change
from brcc_core.catalog.cache import CatalogCache
from brcc_core.people.access import Actor
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from brcc_core.store.state import State
from tests.club_time import SUITE_DAY
from tests.db_outage import database_with_outage

MANAGER = Actor.demo("manager")


@pytest.fixture
def sandbox(engine) -> Sandbox:
    box = Sandbox(engine)
    box.seed(scale="club", seed_number=7, today=SUITE_DAY)
    return box


@pytest.fixture
def club(sandbox, db_url, tmp_path):
    """A BoxOffice whose app-state database can be taken away (1 s statement deadline)."""
    with database_with_outage(db_url, tmp_path, "state") as (state_url, outage):
        state = State.open(state_url, deadline_seconds=1)
        state.drop_all()
        settings = load_settings(
            {"BRCC_DATA_DIR": str(tmp_path), "BRCC_DB_DEADLINE_SECONDS": "1"}, dotenv_path=None
        )
        box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path), state=state)
        box.refresh_catalog()
        state.ping()  # the tables exist, as on a club that has run before
        yield box, outage
        outage.end()
        state.drop_all()
        state.engine.dispose()


def single_event_on_sale(listings: pd.DataFrame) -> pd.Series:
    """A single-event listing on sale with its stock managed (a change writes its stock)."""
    rows = listings[
        (listings.kind == "single")
        & (listings.status == "on_sale")
        & listings.error.isna()
        & listings.available.notna()
    ]
    assert not rows.empty, "the seed has no single event on sale with managed stock"
    return rows.iloc[0]


def capacity_now(box: BoxOffice, key: str) -> int:
    box.live.shared_live.clear()
    return int(box.listings().set_index("listing_key").loc[key, "capacity"])


def test_a_change_made_while_the_app_state_database_goes_away_is_reported_and_recorded(club):
    box, outage = club
    listings = box.listings()
    row = single_event_on_sale(listings)
    capacity = int(row.capacity)
    change = Change(row.listing_key, seen_remaining=int(row.available), value=capacity + 1)
    # The database goes away right after WooCommerce stored the new stock.
    box.sandbox.faults.on_call("woocommerce", outage.begin, when="after", method="PUT")

    result = box.apply_change(change, listings, who=MANAGER)

    # What the manager reads is what the platform holds: the change was made.
    assert result.status == "ok", result.message
    assert f"capacity {capacity} → {capacity + 1}" in result.message
    assert "could not be completed just now" in result.message and result.audit_pending
    assert capacity_now(box, row.listing_key) == capacity + 1
    assert box.state.audit_waiting == 1  # the completion waits in the process

    outage.end()
    box.live.shared_mappings.clear()
    box.shows(listings)  # any view that reads the database completes the record
    assert box.state.audit_waiting == 0
    # Their own retry, with the view they had, is answered at once: no wait behind the
    # lease their first attempt could not give back, no "in progress" refusal.
    started = time.monotonic()
    again = box.apply_change(change, listings, who=MANAGER)
    waited = time.monotonic() - started
    assert "in progress" not in again.message
    assert waited < WAIT_SECONDS  # a lease of its own would have held it 15 s
    assert again.status == "refused" and f"capacity {capacity} → {capacity + 1}" in again.message

    log = box.audit_log(listing_contains=row.listing_key)
    made = log[log.action == "change"].iloc[-1]  # the first attempt (oldest)
    assert made["result"] == "ok"  # completed once the database answered
    # In the manager's terms (capacity as asked), the stock stored for it in the note.
    assert (made["what"], made["before"], made["after"]) == (
        "capacity",
        str(capacity),
        str(capacity + 1),
    )
    assert made["note"] == (
        f"stored as product stock {int(row.available)} → {int(row.available) + 1}"
    )
    assert "started" not in set(log["result"])
    assert box.state.audit_waiting == 0 and box.locks.unreleased == []


def test_no_record_no_write(club):
    """The database is gone before the write: nothing is written, the manager is told."""
    box, outage = club
    listings = box.listings()
    row = single_event_on_sale(listings)
    capacity = int(row.capacity)
    change = Change(row.listing_key, seen_remaining=int(row.available), value=capacity + 1)
    # Gone between the fresh read (a GET) and the write.
    box.sandbox.faults.on_call("woocommerce", outage.begin, when="after", method="GET")
    result = box.apply_change(change, listings, who=MANAGER)
    assert result.status == "refused"
    assert "Nothing was written" in result.message
    outage.end()
    assert capacity_now(box, row.listing_key) == capacity
    assert "started" not in set(box.audit_log()["result"])
