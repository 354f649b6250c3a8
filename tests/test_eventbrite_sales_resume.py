"""The Eventbrite order sync stops before the hour's calls reach the reserve kept for
capacity changes, and a sync that stopped or failed part-way is resumed from the walk's
continuation token: together the parts read every order exactly once, a sale made between
them is counted once, and a part never passes for the whole (``last_sync()`` stays the
last complete sync). Against the seeded sandbox; the app-state store on SQLite and
MariaDB."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, delete, func, select, update

from brcc_core.channels import http
from brcc_core.channels.eventbrite import EventbriteClient
from brcc_core.channels.http import UpstreamError
from brcc_core.common import clock
from brcc_core.sales.eventbrite_orders import EventbriteSales
from brcc_core.sandbox.constants import SANDBOX_TIMEZONE
from brcc_core.sandbox.eventbrite_orders import ATTENDEES, ORDERS, place_order
from brcc_core.sandbox.schema import drop_schema, make_engine
from brcc_core.sandbox.twin import Sandbox
from brcc_core.store import migrate
from brcc_core.store.schema import CURSORS, PARTIAL
from brcc_core.store.schema import ORDERS as STORED_ORDERS
from tests.club_time import SUITE_DAY
from tests.eventbrite_pages import incremental_sync_calls

TZ = ZoneInfo(SANDBOX_TIMEZONE)
RESERVE = 300
PAGE = 50  # orders a page


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('resume') / 'sandbox.db'}")
    drop_schema(engine)
    sandbox = Sandbox(engine)
    summary = sandbox.seed(scale="club", seed_number=3, today=SUITE_DAY)
    yield sandbox, summary
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def store(request, tmp_path, seeded):
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'state.db'}")
    else:
        engine = create_engine(request.getfixturevalue("mysql_url"))
    migrate.drop_all(engine)
    yield EventbriteSales(engine)
    migrate.drop_all(engine)
    engine.dispose()
    seeded[0].faults.clear()


class Clock:
    def __init__(self) -> None:
        self.now = clock.now()

    def __call__(self) -> datetime:
        return self.now


def _client(sandbox: Sandbox, clock: Clock) -> EventbriteClient:
    return EventbriteClient(
        sandbox.eb_token,
        sandbox.eb_organization_id,
        base_url=sandbox.eb_api_url,
        session=sandbox.session(),
        clock=clock,
    )


def _leave(client: EventbriteClient, calls: int) -> None:
    """Spend the hour (as a catalog build would) until ``calls`` are left."""
    client._call_times.extend([client.clock()] * (client.calls_left_this_hour() - calls))


def _sandbox_orders(sandbox: Sandbox) -> set[str]:
    with sandbox.engine.connect() as conn:
        return {r[0] for r in conn.execute(select(ORDERS.c.id))}


def _stored_orders(store: EventbriteSales) -> tuple[int, set[str]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(STORED_ORDERS)).scalar_one()
        return rows, {r[0] for r in conn.execute(select(STORED_ORDERS.c.order_id))}


def _assert_exactly_the_sandboxs(store: EventbriteSales, sandbox: Sandbox) -> None:
    rows, ids = _stored_orders(store)
    expected = _sandbox_orders(sandbox)
    assert ids == expected  # none lost, none made up
    assert rows == len(expected)  # no duplicates


def test_a_sync_stops_at_the_reserve_and_the_next_one_continues(seeded, store):
    sandbox, summary = seeded
    pages = -(-summary.history.eb_orders // PAGE)
    assert pages >= 6, "the seed must give a walk of several pages"
    eb_clock = Clock()
    client = _client(sandbox, eb_clock)
    _leave(client, RESERVE + 3)  # three pages' worth above the reserve

    stopped = store.sync(client, reserve=RESERVE)
    assert not stopped.complete and stopped.first
    assert stopped.calls == 3 and stopped.orders == 3 * PAGE
    assert client.calls_left_this_hour() == RESERVE  # the reserve untouched
    assert store.last_sync() is None  # a part is not a complete sync
    partial = store.partial()
    assert partial is not None and partial.first and partial.items == 3 * PAGE
    text = stopped.summary(SANDBOX_TIMEZONE)
    assert text.startswith(f"Stopped after {3 * PAGE} orders: the Eventbrite calls left")
    assert f"the {RESERVE} kept for capacity changes" in text
    assert "the next sync continues from" in text and "stays unknown" in text

    # Still within the hour: nothing more is read.
    again = store.sync(client, reserve=RESERVE)
    assert not again.complete and again.calls == 0
    assert store.partial().items == 3 * PAGE

    eb_clock.now += timedelta(hours=1, seconds=1)  # a fresh hour
    rest = store.sync(client, reserve=RESERVE)
    assert rest.complete and rest.resumed and rest.first
    # Together the parts cost exactly one walk: fewer calls than starting again.
    assert stopped.calls + rest.calls == pages
    assert rest.calls < pages
    assert rest.orders == summary.history.eb_orders - 3 * PAGE
    _assert_exactly_the_sandboxs(store, sandbox)
    assert store.last_sync() is not None and store.partial() is None
    assert "continuing the sync that stopped part-way" in rest.summary(SANDBOX_TIMEZONE)

    # Complete now: the next sync is the usual incremental one.
    expected = incremental_sync_calls(sandbox, store)  # orders + attendees since the cursors
    later = store.sync(client, reserve=RESERVE)
    assert later.complete and not later.first and not later.resumed
    assert later.calls == expected
    _assert_exactly_the_sandboxs(store, sandbox)


def test_a_sync_that_fails_part_way_resumes(seeded, store, monkeypatch):
    sandbox, summary = seeded
    monkeypatch.setattr(http, "_sleep", lambda seconds: None)
    pages = -(-summary.history.eb_orders // PAGE)
    client = _client(sandbox, Clock())

    def fail_from_now_on() -> None:  # the third page, however often it is tried
        sandbox.faults.inject("eventbrite", "5xx", times=10, path_contains="/orders/")

    sandbox.faults.on_call("eventbrite", fail_from_now_on, nth=3, path_contains="/orders/")
    with pytest.raises(UpstreamError):
        store.sync(client, reserve=RESERVE)
    sandbox.faults.clear()  # Eventbrite is back
    assert store.last_sync() is None
    assert store.partial().items == 2 * PAGE  # the two pages read are kept

    before = client.calls
    resumed = store.sync(client, reserve=RESERVE)
    assert resumed.complete and resumed.resumed and resumed.first
    assert client.calls - before == pages - 2  # from the third page on, not from scratch
    _assert_exactly_the_sandboxs(store, sandbox)


def test_a_refused_continuation_starts_the_walk_again(seeded, store):
    sandbox, summary = seeded
    pages = -(-summary.history.eb_orders // PAGE)
    eb_clock = Clock()
    client = _client(sandbox, eb_clock)
    _leave(client, RESERVE + 2)
    store.sync(client, reserve=RESERVE)
    with store.engine.begin() as conn:  # e.g. a token Eventbrite no longer takes
        conn.execute(update(PARTIAL).values(continuation="bm90LWEtdG9rZW4"))
    eb_clock.now += timedelta(hours=1, seconds=1)
    before = client.calls
    again = store.sync(client, reserve=RESERVE)
    assert again.complete and again.first
    assert client.calls - before == 1 + pages  # the refused call, then the whole walk
    _assert_exactly_the_sandboxs(store, sandbox)
    assert store.partial() is None


def test_a_sale_between_the_parts_is_counted_once(seeded, store):
    sandbox, summary = seeded
    eb_clock = Clock()
    client = _client(sandbox, eb_clock)
    _leave(client, RESERVE + 2)
    store.sync(client, reserve=RESERVE)
    assert store.partial() is not None

    event_id = next(iter(summary.history.shows)).split(":")[1]
    now = clock.now_naive_utc().replace(microsecond=0)
    with sandbox.engine.begin() as conn:
        place_order(
            conn, order_id="99000000002", attendee_id="990000000021", event_id=event_id, when=now
        )
    try:
        eb_clock.now += timedelta(hours=1, seconds=1)
        assert store.sync(client, reserve=RESERVE).complete
        assert store.sync(client, reserve=RESERVE).complete  # reads the new sale again
        _assert_exactly_the_sandboxs(store, sandbox)
        frame = store.sales(timezone=SANDBOX_TIMEZONE)
        mine = frame[(frame["occurrence_key"] == f"eb:{event_id}") & (frame["state"] == "sold")]
        show = summary.history.shows[f"eb:{event_id}"]
        assert int(mine["seats"].sum()) == show.sold + 1
    finally:  # the sandbox is shared by this module's tests
        with sandbox.engine.begin() as conn:
            conn.execute(delete(ATTENDEES).where(ATTENDEES.c.id == "990000000021"))
            conn.execute(delete(ORDERS).where(ORDERS.c.id == "99000000002"))


def test_an_incremental_sync_stopped_at_the_reserve_keeps_the_last_complete_one(seeded, store):
    sandbox, _ = seeded
    eb_clock = Clock()
    client = _client(sandbox, eb_clock)
    assert store.sync(client, reserve=RESERVE).complete
    completed = store.last_sync() - timedelta(days=1)
    with store.engine.begin() as conn:  # a day ago, so that a move shows
        conn.execute(update(CURSORS).values(synced_at=completed.replace(tzinfo=None)))
    _leave(client, RESERVE + 1)  # the orders page, not the check-ins
    stopped = store.sync(client, reserve=RESERVE)
    assert not stopped.complete and not stopped.first and stopped.calls == 1
    assert store.last_sync() == completed
    eb_clock.now += timedelta(hours=1, seconds=1)
    done = store.sync(client, reserve=RESERVE)
    assert done.complete and store.last_sync() > completed
    _assert_exactly_the_sandboxs(store, sandbox)
