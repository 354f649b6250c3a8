"""The website's sales history kept in the app-state database (brcc_core.sales.site_copy)
gives exactly the full read's rows, on SQLite and on MariaDB: after its first build (in
batches, with progress), and after what changes on a live site between two opens (new
sales in both order storages, a cancelled order, a refund, an order status change, a
check-in, a trashed ticket), both in the process that kept its rows in memory and in a
new one; a cut first build goes on where it stopped; an unusable app-state database
falls back to the full read and says so."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, event, func, select, update

from brcc_core.channels.wp_tables import wordpress_metadata
from brcc_core.common import clock
from brcc_core.sales.site_copy import SiteSalesCopy
from brcc_core.sales.site_history import WooCommerceHistory
from brcc_core.sandbox.constants import SANDBOX_TIMEZONE
from brcc_core.sandbox.fooevents_sim import sell_booking
from brcc_core.sandbox.schema import drop_schema, make_engine
from brcc_core.sandbox.twin import Sandbox
from brcc_core.store.schema import SITE_CURSOR, SITE_LINES, SITE_TICKETS
from brcc_core.store.state import State, StateUnavailable
from tests.club_time import SUITE_DAY

WP = wordpress_metadata("wp_").tables
POSTS, POSTMETA, ORDERS = WP["wp_posts"], WP["wp_postmeta"], WP["wp_wc_orders"]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def site(request, tmp_path_factory) -> Iterator[tuple[Engine, str]]:
    """A seeded club (two weeks of history besides the catalog's own) and where its
    app-state database goes: a SQLite file, or the same MariaDB database."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("copy")
        url = f"sqlite:///{folder / 'sandbox.db'}"
        state_url = f"sqlite:///{folder / 'state.db'}"
    else:
        url = state_url = request.getfixturevalue("mysql_url")
    engine = make_engine(url)
    drop_schema(engine)
    Sandbox(engine).seed(scale="club", seed_number=5, today=SUITE_DAY, history_weeks=2)
    yield engine, state_url
    engine.dispose()


@pytest.fixture
def state(site) -> Iterator[Engine]:
    """An app-state database without the copy (each test builds its own)."""
    _, url = site
    state = State.open(url)
    state.drop_all()
    yield state.engine
    state.drop_all()
    state.engine.dispose()


def _products(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [
            int(r[0])
            for r in conn.execute(select(POSTS.c.ID).where(POSTS.c.post_type == "product"))
        ]


def _full(engine: Engine, ids: list[int]) -> pd.DataFrame:
    return WooCommerceHistory(engine).sales(ids, timezone=SANDBOX_TIMEZONE)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    columns = list(frame.columns)
    return frame.sort_values(columns, na_position="first").reset_index(drop=True)


def assert_same(got: pd.DataFrame, full: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(_sorted(got), _sorted(full))


def _copy(engine: Engine, state: Engine, batch: int = 200) -> SiteSalesCopy:
    # Small batches: the club's few thousand tickets take several, as a year does.
    return SiteSalesCopy(WooCommerceHistory(engine), lambda: state, batch=batch)


def _now() -> object:
    return clock.now_naive_utc().replace(microsecond=0)


def _order_status(conn, order_id: int, status: str) -> None:
    """What WooCommerce writes when an order's status changes, in either storage: the
    status and the order's modified date."""
    now = _now()
    conn.execute(
        update(POSTS)
        .where(order_id == POSTS.c.ID, POSTS.c.post_type == "shop_order")
        .values(post_status=status, post_modified=now, post_modified_gmt=now)
    )
    conn.execute(
        update(ORDERS).where(ORDERS.c.id == order_id).values(status=status, date_updated_gmt=now)
    )


def _ticket_status(conn, ticket_ids: list[int], status: str) -> None:
    """FooEvents' update_post_meta: the status row rewritten, no date touched."""
    conn.execute(
        update(POSTMETA)
        .where(POSTMETA.c.post_id.in_(ticket_ids), POSTMETA.c.meta_key == "WooCommerceEventsStatus")
        .values(meta_value=status)
    )


def _copied(state: Engine, *where) -> list:
    t = SITE_TICKETS.c
    with state.connect() as conn:
        return conn.execute(
            select(t.ticket_id, t.order_id, t.status, t.product_id, t.slot_id, t.date_id)
            .where(*where)
            .order_by(t.ticket_id)
        ).all()


def _paid_orders(state: Engine, live: bool) -> list[str]:
    """Completed orders whose tickets are all sold, of shows still live or settled."""
    t, li = SITE_TICKETS.c, SITE_LINES.c
    with state.connect() as conn:
        return [
            r[0]
            for r in conn.execute(
                select(t.order_id)
                .join(SITE_LINES, li.order_ref == t.order_id)
                .where(t.live.is_(live), li.status == "wc-completed", t.order_id.is_not(None))
                .group_by(t.order_id)
                .having(
                    func.min(t.status) == "Not Checked In", func.max(t.status) == "Not Checked In"
                )
                .order_by(t.order_id)
            )
        ]


def test_the_copy_gives_the_full_read_after_every_kind_of_change(site, state):
    engine, _ = site
    ids = _products(engine)
    full = _full(engine, ids)
    assert len(full) > 100
    copy = _copy(engine, state)
    seen: list[tuple[int, int]] = []
    first = copy.sales(ids, timezone=SANDBOX_TIMEZONE, progress=lambda d, n: seen.append((d, n)))
    assert copy.last_read == "first build"
    assert_same(first, full)
    # It reported each batch, and got to the end.
    assert len(seen) > 5 and seen[-1][0] == seen[-1][1] == seen[0][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    again = copy.sales(ids, timezone=SANDBOX_TIMEZONE)
    assert copy.last_read == "incremental"
    assert_same(again, full)

    # What a live site does between two opens.
    live, settled = _paid_orders(state, True), _paid_orders(state, False)
    assert len(live) >= 4 and len(settled) >= 2
    ticket = _copied(state, SITE_TICKETS.c.order_id == live[2])[0]
    trashed = _copied(state, SITE_TICKETS.c.order_id == live[3])[0]
    upcoming = _copied(state, SITE_TICKETS.c.live.is_(True), SITE_TICKETS.c.slot_id.is_not(None))
    with engine.begin() as conn:
        # New sales, in the legacy and the HPOS order storage (of a date with seats left).
        for storage in ("legacy", "hpos"):
            for r in upcoming:
                try:
                    sell_booking(conn, int(r.product_id), r.slot_id, r.date_id, 2, storage=storage)
                    break
                except Exception:  # noqa: BLE001 - sold out or gone: the next date
                    continue
        # An order cancelled: its status, and FooEvents cancels its tickets (meta only).
        _order_status(conn, int(live[0]), "wc-cancelled")
        tickets = [r.ticket_id for r in _copied(state, SITE_TICKETS.c.order_id == live[0])]
        _ticket_status(conn, tickets, "Canceled")
        # A refund of an old show's order (its tickets stay valid in FooEvents).
        _order_status(conn, int(settled[0]), "wc-refunded")
        # An order put back on hold, another one (a show played) left pending.
        _order_status(conn, int(live[1]), "wc-on-hold")
        _order_status(conn, int(settled[1]), "wc-pending")
        # A check-in at the door: the status meta only, no date anywhere.
        _ticket_status(conn, [ticket.ticket_id], "Checked In")
        # A ticket trashed by an admin (the post is saved).
        conn.execute(
            update(POSTS)
            .where(trashed.ticket_id == POSTS.c.ID)
            .values(post_status="trash", post_modified_gmt=_now())
        )

    changed = _full(engine, ids)
    assert int(changed["seats"].sum()) == int(full["seats"].sum()) + 4 - 1
    assert changed["gross"].sum() != full["gross"].sum()
    assert changed["checked_in"].sum() == full["checked_in"].sum() + 1
    before = copy.statements
    after = copy.sales(ids, timezone=SANDBOX_TIMEZONE)
    assert copy.last_read == "incremental"
    assert_same(after, changed)
    assert copy.statements - before <= 10  # a handful, however many tickets there are
    # Only the changed orders' rows were worked out again (the rest kept in memory).
    assert copy.reworked is not None and 6 <= copy.reworked < 20
    # A new process (another server, a restart) has no rows in memory: the same.
    fresh = _copy(engine, state)
    assert_same(fresh.sales(ids, timezone=SANDBOX_TIMEZONE), changed)
    assert fresh.last_read == "incremental"
    assert fresh.reworked is None  # it had none in memory: every row from the copy
    # Nothing changed since: the same again.
    assert_same(copy.sales(ids, timezone=SANDBOX_TIMEZONE), changed)


def test_a_cut_first_build_goes_on_where_it_stopped(site, state):
    engine, _ = site
    ids = _products(engine)
    full = _full(engine, ids)
    cut = _copy(engine, state)

    def stop_after_three(done: int, total: int) -> None:
        if done and len(calls) == 3:
            raise RuntimeError("the page was closed")
        calls.append(done)

    calls: list[int] = []
    with pytest.raises(RuntimeError):
        cut.sales(ids, timezone=SANDBOX_TIMEZONE, progress=stop_after_three)
    with state.connect() as conn:
        cursor = conn.execute(select(SITE_CURSOR)).one()
        kept = conn.execute(select(func.count()).select_from(SITE_TICKETS)).scalar()
    with engine.connect() as conn:
        published = conn.execute(
            select(func.count()).where(
                POSTS.c.post_type == "event_magic_tickets", POSTS.c.post_status == "publish"
            )
        ).scalar()
    assert cursor.built_at is None and cursor.last_ticket > 0
    assert 0 < kept < published  # a part is kept

    resumed = _copy(engine, state)
    went_on: list[int] = []
    got = resumed.sales(ids, timezone=SANDBOX_TIMEZONE, progress=lambda d, n: went_on.append(d))
    assert resumed.last_read == "first build"
    assert_same(got, full)
    whole = _copy(engine, state)  # what a build from nothing reports, for comparison
    with state.begin() as conn:
        for table in (SITE_CURSOR, SITE_TICKETS, SITE_LINES):
            conn.execute(table.delete())
    steps: list[int] = []
    whole.sales(ids, timezone=SANDBOX_TIMEZONE, progress=lambda d, n: steps.append(n))
    assert len(went_on) < len(steps)  # fewer batches: the kept ones were not read again


def test_an_unusable_app_state_database_reads_in_full_and_says_so(site, tmp_path):
    engine, _ = site
    ids = _products(engine)
    full = _full(engine, ids)
    gone = create_engine(f"sqlite:///{tmp_path / 'no such folder' / 'state.db'}")
    copy = _copy(engine, gone)
    got = copy.sales(ids, timezone=SANDBOX_TIMEZONE)
    assert_same(got, full)
    assert copy.last_read.startswith("full: ")
    assert any("read in full from WordPress" in w for w in copy.warnings)

    def refused() -> Engine:
        raise StateUnavailable("The app-state database is not configured.")

    copy = SiteSalesCopy(WooCommerceHistory(engine), refused)
    assert_same(copy.sales(ids, timezone=SANDBOX_TIMEZONE), full)
    assert any("not configured" in w for w in copy.warnings)


def test_the_copy_never_writes_to_wordpress(site, state):
    engine, _ = site
    ids = _products(engine)
    written: list[str] = []

    def watch(_conn, _cursor, statement, *_a) -> None:
        if statement.lstrip().split()[0].upper() not in ("SELECT", "PRAGMA", "SHOW"):
            written.append(statement)

    event.listen(engine, "before_cursor_execute", watch)
    try:
        copy = _copy(engine, state)
        copy.sales(ids, timezone=SANDBOX_TIMEZONE)
        copy.sales(ids, timezone=SANDBOX_TIMEZONE)
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    assert written == []
