"""Live numbers shared between sessions for a few seconds: one read serves reruns and
many viewers, a write or refresh in any session clears it at once, and every page can say
how old its numbers are."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from brcc_core.boxoffice import LIVE_READ_AT, BoxOffice
from brcc_core.capacity.engine import Change
from brcc_core.catalog.cache import CatalogCache
from brcc_core.common import clock
from brcc_core.live.health import Check
from brcc_core.live.shared_reads import SharedValues
from brcc_core.people.access import Actor
from brcc_core.sandbox import fooevents_sim as sim
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from brcc_core.ui.live_age import live_age_text
from tests.club_time import SUITE_DAY

MANAGER = Actor.demo("manager")  # the sandbox runs in demo mode: a demo manager writes


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_value_is_shared_until_it_is_older_than_the_setting():
    clock = Clock()
    shared: SharedValues[int] = SharedValues(5, clock=clock)
    reads = iter(range(1, 100))
    assert shared.get("k", lambda: next(reads)) == 1
    clock.now += 4.9
    assert shared.get("k", lambda: next(reads)) == 1
    assert shared.get("other", lambda: next(reads)) == 2  # keys are separate
    clock.now += 0.1
    assert shared.get("k", lambda: next(reads)) == 3
    assert shared.reads == 3 and shared.shared == 1


def test_zero_seconds_turns_sharing_off():
    shared: SharedValues[int] = SharedValues(0)
    reads = iter(range(1, 100))
    assert [shared.get("k", lambda: next(reads)) for _ in range(3)] == [1, 2, 3]


def test_twenty_viewers_at_once_cost_one_read():
    shared: SharedValues[int] = SharedValues(5)
    calls = []
    started = threading.Event()

    def slow_read() -> int:
        calls.append(1)
        started.set()
        time.sleep(0.2)
        return 42

    answers: list[int] = []
    threads = [
        threading.Thread(target=lambda: answers.append(shared.get("k", slow_read)))
        for _ in range(20)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [42] * 20
    assert len(calls) == 1


def test_clear_during_a_read_hands_it_out_but_does_not_keep_it():
    shared: SharedValues[str] = SharedValues(60)

    def read_while_someone_writes() -> str:
        shared.clear()  # a write lands while the read runs
        return "before the write"

    assert shared.get("k", read_while_someone_writes) == "before the write"
    assert shared.get("k", lambda: "after the write") == "after the write"


def test_a_failed_read_is_not_kept():
    shared: SharedValues[int] = SharedValues(60)

    def broken() -> int:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        shared.get("k", broken)
    assert shared.get("k", lambda: 7) == 7


def test_setting_is_read_and_checked():
    assert load_settings({}, dotenv_path=None).live_share_seconds == 5
    env = {"BRCC_LIVE_SHARE_SECONDS": "0"}
    assert load_settings(env, dotenv_path=None).live_share_seconds == 0
    with pytest.raises(ValueError, match="BRCC_LIVE_SHARE_SECONDS"):
        load_settings({"BRCC_LIVE_SHARE_SECONDS": "-1"}, dotenv_path=None)


def test_age_text_says_when_the_numbers_were_read():
    frame = pd.DataFrame()
    assert live_age_text(frame, "America/Toronto", 5) is None
    read = datetime(2026, 6, 1, 23, 20, 5, tzinfo=UTC)
    frame.attrs[LIVE_READ_AT] = read
    text = live_age_text(frame, "America/Toronto", 5, now=read + timedelta(seconds=3))
    assert text == (
        "WordPress numbers read at 19:20:05 (3 s ago); open pages share one read for up to 5 s"
    )
    assert "share" not in live_age_text(frame, "America/Toronto", 0, now=read)


# --- through BoxOffice, on the seeded sandbox (SQLite and MariaDB) ---------------------


@pytest.fixture
def sandbox(engine) -> Sandbox:
    box = Sandbox(engine)
    box.seed(scale="club", seed_number=5, today=SUITE_DAY)
    return box


@pytest.fixture
def boxoffice(sandbox, tmp_path) -> BoxOffice:
    settings = load_settings(
        {"BRCC_DATA_DIR": str(tmp_path), "BRCC_LIVE_SHARE_SECONDS": "600"}, dotenv_path=None
    )
    box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path))
    box.refresh_catalog()
    return box


def _sold(listings: pd.DataFrame, key: str) -> int:
    return int(listings.set_index("listing_key").loc[key, "sold"])


def _on_sale_booking(listings: pd.DataFrame) -> pd.Series:
    rows = listings[
        (listings.status == "on_sale") & listings.error.isna() & (listings.kind == "bookings")
    ]
    return rows[rows.available > 5].iloc[0]


def test_a_rerun_and_a_second_session_share_one_read_and_its_age(sandbox, boxoffice):
    first = boxoffice.listings()
    before = boxoffice.wordpress.statements
    second = boxoffice.listings()  # another session of the same process, or a rerun
    assert boxoffice.wordpress.statements == before
    assert second.attrs[LIVE_READ_AT] == first.attrs[LIVE_READ_AT]
    assert first.equals(second)

    # A sale on the site shows once the shared read is older than the setting.
    row = _on_sale_booking(first)
    with sandbox.engine.begin() as conn:
        sim.sell_booking(conn, int(row.product_id), row.slot_id, row.date_id, 2)
    assert _sold(boxoffice.listings(), row.listing_key) == int(row.sold)
    boxoffice.live.shared_live.ttl_seconds = 0.0
    assert _sold(boxoffice.listings(), row.listing_key) == int(row.sold) + 2


def test_a_write_in_any_session_clears_the_shared_numbers_at_once(sandbox, boxoffice):
    listings = boxoffice.listings()
    row = _on_sale_booking(listings)
    # A sale lands, then a manager changes capacity: it goes through with the sale counted
    # against it, and what every session sees next is read after the write.
    with sandbox.engine.begin() as conn:
        sim.sell_booking(conn, int(row.product_id), row.slot_id, row.date_id, 1)
    change = Change(row.listing_key, seen_remaining=int(row.available), value=int(row.capacity) + 2)
    done = boxoffice.apply_change(change, listings, who=MANAGER)
    assert done.status == "reconciled", done.message

    shown = boxoffice.listings()  # what every session sees next: read after the write
    assert shown.attrs[LIVE_READ_AT] > listings.attrs[LIVE_READ_AT]
    fresh = shown.set_index("listing_key").loc[row.listing_key]
    assert int(fresh.sold) == int(row.sold) + 1
    assert int(fresh.capacity) == int(row.capacity) + 2


def test_refresh_clears_the_shared_numbers(boxoffice):
    first = boxoffice.listings()
    boxoffice.refresh_catalog()
    again = boxoffice.listings()
    assert again.attrs[LIVE_READ_AT] > first.attrs[LIVE_READ_AT]


def test_sessions_sharing_a_read_get_their_own_listings_frame(boxoffice):
    first = boxoffice.listings()
    first.loc[:, "sold"] = -1  # one page changing its frame must not reach another page
    second = boxoffice.listings()
    assert (second["sold"].dropna() >= 0).all()
    assert second.attrs[LIVE_READ_AT] == first.attrs[LIVE_READ_AT]


def _counting(monkeypatch, owner, name: str) -> list[int]:
    """Count the calls of ``owner.name`` (still calling it)."""
    calls: list[int] = []
    real = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_twenty_dashboards_at_once_group_shows_and_build_the_chart_once(boxoffice, monkeypatch):
    import brcc_core.views.dashboard as dashboard

    shows = _counting(monkeypatch, boxoffice, "shows")
    charts = _counting(monkeypatch, dashboard, "capacity_chart")
    catalog = boxoffice.catalog()
    now = clock.now()
    views = [None] * 20
    start = threading.Barrier(20)

    def session(i: int) -> None:
        start.wait()
        views[i] = boxoffice.dashboard_view(catalog, now, 14)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(shows) == 1 and len(charts) == 1
    assert all(v is views[0] for v in views)
    assert not views[0].upcoming.empty, "the seeded club has shows in the next 14 days"
    assert list(views[0].table["show_key"]) == list(views[0].upcoming["show_key"])

    # Another horizon is its own view; the same horizon on a rerun is still shared.
    assert boxoffice.dashboard_view(catalog, now, 3).days == 3
    assert boxoffice.dashboard_view(catalog, now, 14) is views[0]
    assert len(shows) == 2


def test_a_write_rebuilds_the_shared_dashboard_with_its_result(boxoffice, monkeypatch):
    shows = _counting(monkeypatch, boxoffice, "shows")
    catalog = boxoffice.catalog()
    now = clock.now()
    before = boxoffice.dashboard_view(catalog, now, 14)
    row = _on_sale_booking(before.listings)
    change = Change(row.listing_key, seen_remaining=int(row.available), value=int(row.capacity) + 2)
    assert boxoffice.apply_change(change, before.listings, who=MANAGER).status == "ok"

    after = boxoffice.dashboard_view(boxoffice.catalog(), now, 14)
    assert after is not before and len(shows) == 2
    changed = after.listings.set_index("listing_key").loc[row.listing_key]
    assert int(changed.capacity) == int(row.capacity) + 2
    assert after.listings.attrs[LIVE_READ_AT] > before.listings.attrs[LIVE_READ_AT]


def test_refresh_rebuilds_the_shared_dashboard(boxoffice):
    now = clock.now()
    before = boxoffice.dashboard_view(boxoffice.catalog(), now, 14)
    boxoffice.refresh_catalog()
    assert boxoffice.dashboard_view(boxoffice.catalog(), now, 14) is not before


def test_health_is_measured_once_for_many_viewers_until_check_again(boxoffice, monkeypatch):
    measured = _counting(monkeypatch, boxoffice.live, "health")
    first, first_age = boxoffice.shared_health()
    time.sleep(0.05)
    second, second_age = boxoffice.shared_health()  # another session, moments later
    assert second is first and len(measured) == 1
    assert second_age >= first_age + 0.05, "the age says when it was measured, not served"
    assert {h.check for h in first} >= {Check.WOOCOMMERCE, Check.EVENTBRITE, Check.WORDPRESS}

    boxoffice.forget_health()  # "Check again"
    boxoffice.shared_health()
    assert len(measured) == 2
    boxoffice.refresh_catalog()  # a refresh (like a write) measures again too
    boxoffice.shared_health()
    assert len(measured) == 3
