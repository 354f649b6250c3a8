"""Issue 22, item 3 (the answer checking) and the 429 of item 6: Eventbrite's pages are not
taken at face value. A page served twice does not double a show's sold, a walk that never
ends stops without spending the hour, and a 429 sets the calls left to 0 until the reset
it names, so a change is refused at once with the time to wait."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
import responses

import brcc_core.channels.http as http
from brcc_core.boxoffice import BoxOffice
from brcc_core.capacity.preview import Change
from brcc_core.catalog.cache import CatalogCache
from brcc_core.channels.eventbrite import EventbriteClient, WalkStopped
from brcc_core.channels.eventbrite_budget import UNSAID_WAIT
from brcc_core.common import clock
from brcc_core.common.secret import Secret
from brcc_core.people.access import Actor
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from tests.club_time import SUITE_DAY

MANAGER = Actor.demo("manager")
API = "https://www.eventbriteapi.com/v3"
ORG = "698566935713"
NOW = datetime(2026, 12, 2, 19, 0, tzinfo=UTC)


@pytest.fixture
def slept(monkeypatch) -> list[float]:
    waits: list[float] = []
    monkeypatch.setattr(http, "_sleep", waits.append)
    return waits


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> str:
    """One seeded sandbox file for the module; each test works on a copy."""
    from brcc_core.sandbox.schema import create_schema, make_engine

    path = tmp_path_factory.mktemp("eb-answers") / "sandbox.db"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    Sandbox(engine).seed(scale="club", seed_number=11, today=SUITE_DAY)
    engine.dispose()
    return str(path)


@pytest.fixture
def club(seeded, tmp_path, slept) -> BoxOffice:
    import shutil

    from brcc_core.sandbox.schema import make_engine

    shutil.copy(seeded, tmp_path / "sandbox.db")
    sandbox = Sandbox(make_engine(f"sqlite:///{tmp_path / 'sandbox.db'}"))
    settings = load_settings({"BRCC_DATA_DIR": str(tmp_path)}, dotenv_path=None)
    box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path))
    assert not box.refresh_catalog().errors
    return box


def eventbrite_selling(listings: pd.DataFrame) -> pd.Series:
    """An Eventbrite listing on sale that has sold seats (so doubling would show)."""
    rows = listings[
        (listings.channel == "eventbrite")
        & (listings.status == "on_sale")
        & listings.error.isna()
        & (listings.sold > 0)
    ]
    assert not rows.empty, "the seed has no Eventbrite listing on sale with sales"
    return rows.iloc[0]


def test_a_ticket_class_page_served_twice_does_not_double_a_shows_sold(club):
    row = eventbrite_selling(club.listings())
    path = f"/events/{row.event_id}/ticket_classes/"
    club.sandbox.faults.inject("eventbrite", "repeat_items", path_contains=path, times=50)
    result = club.refresh_catalog()
    again = club.listings().set_index("listing_key")
    assert int(again.loc[row.listing_key, "sold"]) == int(row.sold)  # not twice
    keys = [k for k in again.index if k.startswith(f"eb:{row.event_id}:")]
    assert len(keys) == len(set(keys))
    assert "eventbrite" not in result.errors


def test_an_events_walk_that_never_ends_stops_and_leaves_the_hour(club):
    earlier = club.catalog()
    left_before = club.eventbrite.calls_left_this_hour()
    club.sandbox.faults.inject(
        "eventbrite", "endless_pages", path_contains="/organizations/", times=100_000
    )
    result = club.refresh_catalog()
    spent = left_before - club.eventbrite.calls_left_this_hour()
    assert spent <= 6, spent  # two walks, each stopped at its first page repeated
    reason = result.errors["eventbrite"]
    assert "only items it had sent already" in reason
    # Nothing of the endless answer was applied: the earlier events stay, dated.
    assert result.catalog.events == earlier.events
    assert result.catalog.eventbrite_fetched_at == earlier.eventbrite_fetched_at


def test_other_sessions_calls_during_a_refresh_do_not_raise_the_next_ones_cost(club):
    """After 30 refreshes at once the next was costed at 90-960 calls, not about 35, and
    skipped Eventbrite: every session's calls made while one walked the events list were
    taken for that walk's pages. Here another session spends 100 calls mid-walk."""
    club.refresh_catalog()
    alone = club.refresh_cost()  # a refresh within the hour, nobody else calling

    def another_session() -> None:
        for _ in range(100):
            club.eventbrite.ping()

    club.sandbox.faults.on_call(
        "eventbrite", another_session, when="after", path_contains="/organizations/"
    )
    calls = club.eventbrite.calls
    result = club.refresh_catalog()
    assert club.eventbrite.calls - calls > 100  # the other session's calls were made
    assert "eventbrite" not in result.errors
    assert club.refresh_cost() == alone  # what this refresh reads again, not theirs
    assert club.catalogs.eventbrite_refresh_refusal() is None


@responses.activate
def test_a_walk_of_new_pages_stops_before_the_calls_kept_for_changes():
    """Every page new, every page offering one more: the walk stops at the reserve."""
    client = EventbriteClient(Secret("t" * 20), ORG, clock=lambda: NOW)
    client._call_times.extend([NOW] * (2000 - 310))  # 310 left, 300 kept
    counter = iter(range(10**6))

    def answer(request):
        n = next(counter)
        start = (NOW + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        item = {"id": str(n), "start": {"utc": start}, "status": "live"}
        body = {"events": [item], "pagination": {"has_more_items": True, "continuation": f"c{n}"}}
        return 200, {}, json.dumps(body)

    responses.add_callback(responses.GET, f"{API}/organizations/{ORG}/events/", callback=answer)
    with pytest.raises(WalkStopped) as caught:
        client.list_events(keep=300)
    assert "reached the 300 kept for capacity changes" in str(caught.value)
    assert client.calls_left_this_hour() >= 300 - 2  # two walks side by side


def test_a_429_sets_the_calls_left_to_zero_until_the_reset_it_names(club, slept):
    eb = club.eventbrite
    assert eb.calls_left_this_hour() > 1000
    club.sandbox.faults.inject("eventbrite", "429", retry_after=3600, times=10)
    with pytest.raises(http.RateLimited):
        eb.ping()
    assert slept == []  # Retry-After 3600: not waited for, three times over
    assert eb.calls_left_this_hour() == 0  # Eventbrite's word, not our own count
    club.sandbox.faults.clear()
    eb.clock = lambda: clock.now() + timedelta(hours=2)  # the reset has passed
    assert eb.calls_left_this_hour() > 1000


@responses.activate
def test_a_429_naming_no_reset_holds_the_calls_for_the_budgets_one_wait(slept):
    """One rule for a limit answer without Retry-After (the shared budget's): the client
    held the calls for a minute, the budget's own word for it is 5 minutes."""
    moment = [NOW]
    client = EventbriteClient(Secret("t" * 20), ORG, clock=lambda: moment[0])
    body = {"error": "HIT_RATE_LIMIT", "error_description": "Hourly rate limit reached"}
    responses.add(responses.GET, f"{API}/organizations/{ORG}/events/", status=429, json=body)
    with pytest.raises(http.RateLimited):
        client.ping()
    assert client.calls_left_this_hour() == 0
    moment[0] = NOW + UNSAID_WAIT - timedelta(seconds=1)
    assert client.calls_left_this_hour() == 0  # was over after a minute
    moment[0] = NOW + UNSAID_WAIT + timedelta(seconds=1)
    assert client.calls_left_this_hour() > 1000


def test_a_429_during_a_change_refuses_at_once_with_the_time_to_wait(club, slept):
    listings = club.listings()
    row = eventbrite_selling(listings)
    change = Change(row.listing_key, seen_remaining=int(row.available), value=int(row.capacity) + 1)
    club.sandbox.faults.inject("eventbrite", "429", retry_after=3600, times=100, method="GET")
    result = club.apply_change(change, listings, who=MANAGER)
    assert result.status == "refused"
    assert "in 60 min" in result.message, result.message
    assert sum(slept) < 5  # was three waits of 30 s: 91 s for the same refusal
    # The next change is refused before any call, naming the wait.
    calls = club.eventbrite.calls
    later = club.apply_change(change, listings, who=MANAGER)
    assert later.status == "refused" and "in 60 min" in later.message
    assert club.eventbrite.calls == calls


@responses.activate
def test_classes_listed_twice_across_pages_count_once():
    client = EventbriteClient(Secret("t" * 20), ORG, clock=lambda: NOW)
    tc = {"id": "7", "name": "GA", "capacity": 55, "quantity_total": 55, "quantity_sold": 19}
    pages = {
        None: {"ticket_classes": [tc], "pagination": {"has_more_items": True, "continuation": "2"}},
        "2": {"ticket_classes": [tc, {**tc, "id": "8", "quantity_sold": 3}], "pagination": {}},
    }

    def answer(request):
        token = parse_qs(urlsplit(request.url).query).get("continuation", [None])[0]
        return 200, {}, json.dumps(pages[token])

    responses.add_callback(responses.GET, f"{API}/events/1/ticket_classes/", callback=answer)
    result = client.ticket_classes(["1"])
    assert [(c["id"], c["quantity_sold"]) for c in result["1"]] == [("7", 19), ("8", 3)]
