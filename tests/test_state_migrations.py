"""The app-state database is brought to this version's schema by its migrations, on
SQLite and on MariaDB: a new database, and one an older version made (no migrations then,
the club's audit history in it) whose every row is kept; upgrading twice changes nothing;
two servers starting at once migrate once; the schema module and the migrations agree."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    event,
    insert,
    inspect,
    select,
    text,
)

from brcc_core.people.access import Access
from brcc_core.sales.eventbrite_orders import EventbriteSales
from brcc_core.store import migrate, schema
from brcc_core.store.state import State, StateUnavailable


def legacy_tables() -> MetaData:
    """The app-state tables as the version before migrations created them (copied from
    store/state.py, people/access.py, capacity/locks.py, sales/eventbrite_orders.py and
    channels/eventbrite_budget.py of that version): what a club's database holds."""
    md = MetaData()

    def stamped(what: str, nullable: bool = False) -> tuple[Column, Column]:
        return (
            Column(f"{what}_at", DateTime, nullable=nullable),
            Column(f"{what}_by", String(200), nullable=nullable),
        )

    Table(
        "brcc_audit_log",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("at", DateTime, nullable=False),
        Column("who", String(200), nullable=False),
        Column("action", String(20), nullable=False),
        Column("batch", String(40), nullable=False),
        Column("listing_key", String(200), nullable=False),
        Column("channel", String(20), nullable=False),
        Column("what", String(80), nullable=False),
        Column("before", String(40), nullable=True),
        Column("after", String(40), nullable=True),
        Column("result", String(30), nullable=False),
        Column("error", Text, nullable=True),
        Column("note", Text, nullable=True),
        Index("ix_brcc_audit_at", "at"),
        Index("ix_brcc_audit_listing", "listing_key"),
    )
    Table(
        "brcc_shows",
        md,
        Column("show_key", String(60), primary_key=True),
        Column("title", String(300), nullable=True),
        Column("venue_capacity", Integer, nullable=True),
        *stamped("updated"),
    )
    Table(
        "brcc_show_listings",
        md,
        Column("listing_key", String(200), primary_key=True),
        Column("show_key", String(60), nullable=False),
        Index("ix_brcc_show_listings_show", "show_key"),
    )
    Table(
        "brcc_recurring_rules",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("name", String(200), nullable=False),
        Column("weekday", Integer, nullable=False),
        Column("start_time", String(5), nullable=False),
        Column("venue_capacity", Integer, nullable=True),
        Column("members", Text, nullable=False),
        *stamped("created"),
    )
    Table(
        "brcc_systems",
        md,
        Column("name", String(20), primary_key=True),
        Column("systems", String(80), nullable=False),
        Column("label", String(300), nullable=False),
        Column("stamped_at", DateTime, nullable=False),
    )
    Table(
        "brcc_people",
        md,
        Column("email", String(200), primary_key=True),
        Column("role", String(20), nullable=False),
        *stamped("updated"),
    )
    Table(
        "brcc_sign_ins",
        md,
        Column("email", String(200), primary_key=True),
        Column("issuer", String(300), nullable=False),
        Column("subject", String(255), nullable=False),
        Column("first_at", DateTime, nullable=False),
    )
    Table(
        "brcc_meeting_links",
        md,
        Column("link_id", String(40), primary_key=True),
        Column("title", String(200), nullable=False),
        Column("selection", Text, nullable=False),
        *stamped("created"),
        Column("expires_at", DateTime, nullable=False),
        *stamped("revoked", nullable=True),
    )
    Table(
        "brcc_access_keys",
        md,
        Column("name", String(40), primary_key=True),
        Column("value", String(200), nullable=False),
    )
    Table(
        "brcc_write_leases",
        md,
        Column("resource", String(190), primary_key=True),
        Column("holder", String(40), nullable=False),
        Column("who", String(200), nullable=False),
        Column("what", String(200), nullable=False),
        Column("acquired_at", DateTime, nullable=False),
        Column("expires_at", DateTime, nullable=False),
    )
    Table(
        "brcc_eventbrite_calls",
        md,
        Column("token", String(64), primary_key=True),
        Column("minute", DateTime, primary_key=True),
        Column("calls", Integer, nullable=False),
    )
    Table(
        "brcc_eventbrite_said",
        md,
        Column("token", String(64), primary_key=True),
        Column("said_at", DateTime, nullable=False),
        Column("calls_left", Integer, nullable=False),
        Column("until", DateTime, nullable=False),
    )
    Table(
        "eb_sales_orders",
        md,
        Column("order_id", String(32), primary_key=True),
        Column("event_id", String(32), nullable=False, index=True),
        Column("created", DateTime, nullable=False),
        Column("changed", DateTime, nullable=False),
        Column("status", String(20), nullable=False),
        Column("gross_cents", Integer, nullable=True),
        Column("fees_cents", Integer, nullable=True),
    )
    Table(
        "eb_sales_attendees",
        md,
        Column("attendee_id", String(32), primary_key=True),
        Column("order_id", String(32), nullable=False, index=True),
        Column("event_id", String(32), nullable=False, index=True),
        Column("ticket_class_id", String(32), nullable=True),
        Column("ticket_class_name", String(255), nullable=True),
        Column("created", DateTime, nullable=False),
        Column("changed", DateTime, nullable=False),
        Column("status", String(20), nullable=True),
        Column("checked_in", Boolean, nullable=False),
        Column("cancelled", Boolean, nullable=False),
        Column("refunded", Boolean, nullable=False),
        Column("gross_cents", Integer, nullable=True),
        Column("fees_cents", Integer, nullable=True),
    )
    Table(
        "eb_sales_events",
        md,
        Column("event_id", String(32), primary_key=True),
        Column("series_id", String(32), nullable=True),
        Column("name", String(500), nullable=True),
        Column("starts_at", DateTime, nullable=True),
    )
    Table(
        "eb_sales_cursors",
        md,
        Column("name", String(32), primary_key=True),
        Column("changed", DateTime, nullable=False),
        Column("synced_at", DateTime, nullable=False),
    )
    Table(
        "eb_sales_partial",
        md,
        Column("walk", String(16), primary_key=True),
        Column("since", DateTime, nullable=True),
        Column("continuation", Text, nullable=False),
        Column("newest", DateTime, nullable=True),
        Column("started_at", DateTime, nullable=False),
        Column("items", Integer, nullable=False),
        Column("pages", Integer, nullable=False),
        Column("updated_at", DateTime, nullable=False),
    )
    return md


LEGACY = legacy_tables()
# A table was created the first time its module used it: a club that never had two
# managers change one listing at once, nor a sync stopped part-way, lacks these.
NEVER_USED = ("brcc_write_leases", "eb_sales_partial")
MANAGER = "sam@club.example"
ADMIN = "lee@club.example"
T = datetime(2026, 11, 20, 23, 15, 0)  # naive UTC, as the app keeps times

# What an older version left: a week of a club's use (manager and admin, a change that was
# verified and one refused, a saved show, a rule, a meeting link, a synced order of two
# seats and the token's calls).
ROWS: dict[str, list[dict]] = {
    "brcc_audit_log": [
        dict(id=1, at=T, who=ADMIN, action="role", batch="b1", listing_key=MANAGER,
             channel="app", what="role", before=None, after="manager", result="ok",
             error=None, note=None),
        dict(id=2, at=T, who=MANAGER, action="change", batch="b2",
             listing_key="wc:812:2026-12-04 20:00", channel="woocommerce",
             what="booking date stock", before="55", after="58", result="verified",
             error=None, note="added the balcony"),
        dict(id=3, at=T, who=MANAGER, action="change", batch="b3",
             listing_key="eb:1029384756:1", channel="eventbrite", what="ticket class capacity",
             before="40", after="38", result="refused", error="Changed since you looked",
             note=None),
    ],
    "brcc_shows": [
        dict(show_key="s:friday-late", title="Friday Late Show", venue_capacity=58,
             updated_at=T, updated_by=MANAGER),
    ],
    "brcc_show_listings": [
        dict(listing_key="wc:812:2026-12-04 20:00", show_key="s:friday-late"),
        dict(listing_key="eb:1029384756:1", show_key="s:friday-late"),
    ],
    "brcc_recurring_rules": [
        dict(id=1, name="Tuesday open mic", weekday=1, start_time="20:00", venue_capacity=None,
             members='[{"channel": "woocommerce", "product_id": "901"}]',
             created_at=T, created_by=MANAGER),
    ],
    "brcc_systems": [
        dict(name="stamp", systems="live:3f9a1c", label="the club's systems",
             stamped_at=T),
    ],
    "brcc_people": [
        dict(email=MANAGER, role="manager", updated_at=T, updated_by=ADMIN),
        dict(email="door@club.example", role="viewer", updated_at=T, updated_by=ADMIN),
    ],
    "brcc_sign_ins": [
        dict(email=MANAGER, issuer="https://accounts.google.com", subject="1174", first_at=T),
    ],
    "brcc_meeting_links": [
        dict(link_id="k3J9", title="December for the producers",
             selection='["s:friday-late"]', created_at=T, created_by=MANAGER,
             expires_at=datetime(2026, 12, 20, 23, 15), revoked_at=None, revoked_by=None),
    ],
    "brcc_access_keys": [dict(name="meeting_links:live:3f9a1c", value="q" * 43)],
    "brcc_eventbrite_calls": [
        dict(token="a" * 64, minute=T.replace(second=0), calls=37),
        dict(token="a" * 64, minute=T.replace(minute=16, second=0), calls=5),
    ],
    "brcc_eventbrite_said": [
        dict(token="a" * 64, said_at=T, calls_left=1958, until=T.replace(hour=23, minute=59)),
    ],
    "eb_sales_orders": [
        dict(order_id="7001", event_id="1029384756", created=T, changed=T, status="placed",
             gross_cents=5650, fees_cents=612),
    ],
    "eb_sales_attendees": [
        dict(attendee_id=f"9001{i}", order_id="7001", event_id="1029384756",
             ticket_class_id="55", ticket_class_name="General admission", created=T,
             changed=T, status="Attending", checked_in=i == 0, cancelled=False,
             refunded=False, gross_cents=2825, fees_cents=306)
        for i in range(2)
    ],
    "eb_sales_events": [
        dict(event_id="1029384756", series_id="1029384700", name="Friday Late Show",
             starts_at=datetime(2026, 12, 5, 1, 0)),
    ],
    "eb_sales_cursors": [
        dict(name=walk, changed=T, synced_at=T) for walk in ("orders", "attendees")
    ],
}  # fmt: skip


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def url(request, tmp_path) -> str:
    """An app-state database with none of the app's tables (on MariaDB, a database the
    suite shares: the app's tables are dropped before and after)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
        return
    found = request.getfixturevalue("mysql_url")
    state = State.open(found)
    state.drop_all()
    yield found
    state.drop_all()
    state.engine.dispose()


@pytest.fixture
def state(url) -> State:
    state = State.open(url)
    yield state
    state.engine.dispose()


def written_by_the_version_before(engine: Engine) -> None:
    tables = [t for t in LEGACY.sorted_tables if t.name not in NEVER_USED]
    LEGACY.create_all(engine, tables=tables)
    with engine.begin() as conn:
        for name, rows in ROWS.items():
            conn.execute(insert(LEGACY.tables[name]), rows)


def every_row(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            name: [
                tuple(r)
                for r in conn.execute(
                    select(LEGACY.tables[name]).order_by(*LEGACY.tables[name].primary_key)
                )
            ]
            for name in ROWS
        }


def differences(engine: Engine, metadata: MetaData = schema.metadata) -> list:
    """What Alembic's autogenerate finds between ``metadata`` and the database (only the
    app's tables: on MariaDB the suite's other tables share the database)."""
    ours = set(metadata.tables)

    def include_name(name, type_, parent_names) -> bool:
        return type_ != "table" or name in ours

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        found = compare_metadata(context, metadata)

    # With the sandbox imported (the suite, the demo) every SQLite index is created as
    # "<table>__<name>" (brcc_core/sandbox/schema.py): the same index, not a difference.
    def key(d) -> tuple | None:
        if not isinstance(d, tuple) or d[0] not in ("add_index", "remove_index"):
            return None
        return (d[0], d[1].table.name, d[1].name, tuple(c.name for c in d[1].columns))

    keys = {key(d) for d in found}
    same = set()
    for kind, table, name, columns in filter(None, keys):
        prefixed = ("remove_index", table, f"{table}__{name}", columns)
        if kind == "add_index" and prefixed in keys:
            same |= {(kind, table, name, columns), prefixed}
    return [d for d in found if key(d) not in same]


def version_rows(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [
            r[0] for r in conn.execute(text(f"SELECT version_num FROM {migrate.VERSION_TABLE}"))
        ]


def test_a_new_database_gets_every_table_at_the_head_revision(state):
    assert migrate.upgrade(state.engine) is None  # it had no revision
    assert version_rows(state.engine) == [migrate.head()]
    assert set(schema.metadata.tables) <= set(inspect(state.engine).get_table_names())
    # The schema module and the migrations agree: a column added to schema.py without
    # a revision that adds it makes this list non-empty.
    assert differences(state.engine) == []
    assert state.saved_shows() == [] and state.audit_log().empty


def test_a_column_declared_without_its_migration_is_found(state):
    """The agreement above can fail: schema.py one column ahead of the migrations."""
    migrate.upgrade(state.engine)
    ahead = MetaData()
    for table in schema.metadata.sorted_tables:
        table.to_metadata(ahead)
    ahead.tables["brcc_shows"].append_column(Column("door_price_cents", Integer))
    found = differences(state.engine, ahead)
    assert [(d[0], d[2], d[3].name) for d in found] == [
        ("add_column", "brcc_shows", "door_price_cents")
    ]


def test_a_database_the_version_before_wrote_keeps_every_row(state):
    written_by_the_version_before(state.engine)
    before = every_row(state.engine)
    assert sum(map(len, before.values())) == sum(map(len, ROWS.values()))

    assert migrate.upgrade(state.engine) is None  # taken as it is: no revision recorded
    assert every_row(state.engine) == before
    assert version_rows(state.engine) == [migrate.head()]
    assert differences(state.engine) == []  # the tables it never used were created
    # The app reads them as the club left them.
    (show,) = state.saved_shows()
    assert show.venue_capacity == 58
    assert set(show.listing_keys) == {"wc:812:2026-12-04 20:00", "eb:1029384756:1"}
    assert list(state.audit_log()["result"]) == ["refused", "verified", "ok"]
    assert state.systems() == ("live:3f9a1c", "the club's systems")
    assert Access(state.engine).role_of(MANAGER) == "manager"
    store = EventbriteSales(state.engine)
    assert store.last_sync() is not None
    assert len(store.sales(timezone="America/Toronto")) == 2


def test_upgrading_twice_changes_nothing(state):
    written_by_the_version_before(state.engine)
    migrate.upgrade(state.engine)
    before = every_row(state.engine)
    statements: list[str] = []
    event.listen(state.engine, "before_cursor_execute", lambda *a: statements.append(a[2].lstrip()))
    assert migrate.upgrade(state.engine) == migrate.head()
    writes = [
        s
        for s in statements
        if s.split()[0].upper() not in ("SELECT", "PRAGMA", "SHOW", "DESCRIBE")
    ]
    assert writes == []
    assert every_row(state.engine) == before
    assert version_rows(state.engine) == [migrate.head()]


def test_the_app_upgrades_a_database_with_its_first_statement(url):
    """No step to run by hand: opening touches nothing, the first statement upgrades."""
    legacy = State.open(url)
    written_by_the_version_before(legacy.engine)
    legacy.engine.dispose()
    state = State.open(url)
    assert [r["listing_key"] for r in ROWS["brcc_audit_log"]][::-1] == list(
        state.audit_log()["listing_key"]
    )
    assert version_rows(state.engine) == [migrate.head()]
    state.engine.dispose()


def test_two_servers_starting_at_once_migrate_once(url):
    servers = [State.open(url) for _ in range(4)]
    written_by_the_version_before(servers[0].engine)
    before = every_row(servers[0].engine)
    start = threading.Barrier(len(servers))
    failures: list[BaseException] = []

    def start_server(state: State) -> None:
        start.wait()
        try:
            migrate.upgrade(state.engine)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=start_server, args=(s,)) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert version_rows(servers[0].engine) == [migrate.head()]
    assert every_row(servers[0].engine) == before
    for state in servers:
        state.engine.dispose()


def test_a_database_a_newer_version_upgraded_is_refused_in_words(url):
    state = State.open(url)
    migrate.upgrade(state.engine)
    with state.engine.begin() as conn:
        conn.execute(text(f"UPDATE {migrate.VERSION_TABLE} SET version_num = 'f00d'"))
    state.engine.dispose()

    state = State.open(url)  # this version, started again on it
    with pytest.raises(StateUnavailable) as refused:
        state.saved_shows()
    message = str(refused.value)
    assert "revision f00d by a newer version of the app" in message
    assert "Run the newer version" in message
    assert "pw" not in message and "root@" not in message  # never the URL
    assert version_rows(state.engine) == ["f00d"]  # left as it was
    state.engine.dispose()


def test_upgrading_from_the_previous_revision_keeps_every_row(state):
    """A database the last version brought to its head (0001) with the club's rows: the
    upgrade adds the website sales copy's tables, empty, and keeps every row."""
    with state.engine.connect() as conn:
        command.upgrade(migrate._config(conn), "0001")
        conn.commit()
    with state.engine.begin() as conn:
        for name, rows in ROWS.items():
            conn.execute(insert(LEGACY.tables[name]), rows)
    before = every_row(state.engine)
    assert version_rows(state.engine) == ["0001"]
    assert "wc_sales_tickets" not in inspect(state.engine).get_table_names()

    assert migrate.upgrade(state.engine) == "0001"
    assert version_rows(state.engine) == [migrate.head()]
    assert every_row(state.engine) == before
    assert differences(state.engine) == []
    with state.engine.connect() as conn:
        for table in (schema.SITE_TICKETS, schema.SITE_LINES, schema.SITE_CURSOR):
            assert conn.execute(select(table)).all() == []
