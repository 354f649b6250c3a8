"""The sandbox's database: the WordPress/WooCommerce tables as the real sites create them
(defined once, in ``brcc_core.channels.wp_tables``, where the app's reader takes them
from too), plus the sandbox's own Eventbrite tables, WordPress's session ``sql_mode``
and the engine setup.
"""

from __future__ import annotations

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
    create_engine,
    event,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateIndex, DropIndex

from brcc_core.channels.wp_tables import wordpress_metadata

__all__ = [
    "WORDPRESS_INCOMPATIBLE_SQL_MODES",
    "create_schema",
    "drop_schema",
    "eventbrite_metadata",
    "is_mysql",
    "make_engine",
    "set_wordpress_session_mode",
    "wordpress_metadata",
]

# WordPress's wpdb::set_sql_mode() removes these from the session's sql_mode; its DDL
# (zero-date defaults) and its queries rely on that.
WORDPRESS_INCOMPATIBLE_SQL_MODES = (
    "NO_ZERO_DATE",
    "ONLY_FULL_GROUP_BY",
    "STRICT_TRANS_TABLES",
    "STRICT_ALL_TABLES",
    "TRADITIONAL",
    "ANSI",
)


def _sqlite_index_name(index: Index, compiler) -> tuple[str, str]:
    quote = compiler.preparer.quote
    return quote(index.name), quote(f"{index.table.name}__{index.name}")


@compiles(CreateIndex, "sqlite")
def _sqlite_create_index(element, compiler, **kw):  # pragma: no cover - DDL plumbing
    # MySQL index names are per table (WordPress reuses "meta_key", "post_id"...); SQLite's
    # are per database, so there the table name goes in front.
    sql = compiler.visit_create_index(element, **kw)
    plain, prefixed = _sqlite_index_name(element.element, compiler)
    return sql.replace(f"INDEX {plain} ", f"INDEX {prefixed} ", 1)


@compiles(DropIndex, "sqlite")
def _sqlite_drop_index(element, compiler, **kw):  # pragma: no cover - DDL plumbing
    return f"DROP INDEX IF EXISTS {_sqlite_index_name(element.element, compiler)[1]}"


def eventbrite_metadata() -> MetaData:
    """The sandbox's Eventbrite organization: events (series parents, occurrences and
    one-off events) and their ticket classes. Ids are digit strings, as Eventbrite's."""
    md = MetaData()
    Table(
        "sandbox_eb_events",
        md,
        Column("id", String(32), primary_key=True),
        Column("organization_id", String(32), nullable=False, index=True),
        Column("series_id", String(32), nullable=True, index=True),
        Column("is_series_parent", Boolean, nullable=False, default=False),
        Column("name", String(500), nullable=False),
        Column("url", String(500), nullable=False, server_default=""),
        Column("start_utc", DateTime, nullable=False, index=True),
        Column("end_utc", DateTime, nullable=False),
        Column("timezone", String(64), nullable=False),
        # live, draft, started, ended, completed, canceled
        Column("status", String(20), nullable=False, server_default="live"),
        # Event-level capacity (the capacity tier's capacity_total); None = not set.
        Column("capacity", Integer, nullable=True),
        Column("capacity_is_custom", Boolean, nullable=False, default=False),
        # Seats held back on the capacity tier (its ``holds``), and carts in progress
        # Eventbrite reports as the tier's ``capacity_pending``.
        Column("held", Integer, nullable=False, default=0, server_default="0"),
        Column("capacity_pending", Integer, nullable=False, default=0, server_default="0"),
        Column("created", DateTime, nullable=False),
        Column("changed", DateTime, nullable=False),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
        mariadb_engine="InnoDB",
        mariadb_charset="utf8mb4",
    )
    Table(
        "sandbox_eb_ticket_classes",
        md,
        Column("id", String(32), primary_key=True),
        Column("event_id", String(32), nullable=False, index=True),
        Column("name", String(255), nullable=False),
        # admission (a seat) | add_on | donation (neither counts against event capacity)
        Column("category", String(20), nullable=False, server_default="admission"),
        Column("donation", Boolean, nullable=False, default=False, server_default="0"),
        Column("capacity", Integer, nullable=True),
        Column("quantity_sold", Integer, nullable=False, default=0),
        Column("free", Boolean, nullable=False, default=False),
        Column("cost_cents", Integer, nullable=True),
        Column("currency", String(3), nullable=False, server_default="CAD"),
        Column("hidden", Boolean, nullable=False, default=False),
        Column("sorting", Integer, nullable=False, default=1),
        Column("sales_start_utc", DateTime, nullable=True),
        Column("sales_end_utc", DateTime, nullable=True),
        Column("changed", DateTime, nullable=False),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
        mariadb_engine="InnoDB",
        mariadb_charset="utf8mb4",
    )
    _eventbrite_order_tables(md)
    return md


def _eventbrite_order_tables(md: MetaData) -> None:
    """Orders and attendees (one attendee per seat), what ``GET /organizations/{id}/orders/``
    and the attendees endpoints serve. Money in cents; ``changed`` moves on every change
    (refund, check-in), which is what ``changed_since`` filters on."""

    def money() -> list[Column]:
        names = ("base", "eventbrite_fee", "payment_fee", "tax", "gross")
        return [Column(f"{n}_cents", Integer, nullable=False, default=0) for n in names]

    Table(
        "sandbox_eb_orders",
        md,
        Column("id", String(32), primary_key=True),
        Column("event_id", String(32), nullable=False, index=True),
        Column("created", DateTime, nullable=False),
        Column("changed", DateTime, nullable=False, index=True),
        # placed, refunded (Eventbrite's order statuses for a finished checkout)
        Column("status", String(20), nullable=False),
        Column("first_name", String(100), nullable=False, server_default=""),
        Column("last_name", String(100), nullable=False, server_default=""),
        Column("email", String(200), nullable=False, server_default=""),
        Column("currency", String(3), nullable=False, server_default="CAD"),
        *money(),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
        mariadb_engine="InnoDB",
        mariadb_charset="utf8mb4",
    )
    Table(
        "sandbox_eb_attendees",
        md,
        Column("id", String(32), primary_key=True),
        Column("order_id", String(32), nullable=False, index=True),
        Column("event_id", String(32), nullable=False, index=True),
        Column("ticket_class_id", String(32), nullable=False),
        Column("ticket_class_name", String(255), nullable=False),
        Column("created", DateTime, nullable=False),
        Column("changed", DateTime, nullable=False, index=True),
        # Attending, Checked In, Not Attending
        Column("status", String(20), nullable=False),
        Column("checked_in", Boolean, nullable=False, default=False),
        Column("cancelled", Boolean, nullable=False, default=False),
        Column("refunded", Boolean, nullable=False, default=False),
        *money(),
        mysql_engine="InnoDB",
        mysql_charset="utf8mb4",
        mariadb_engine="InnoDB",
        mariadb_charset="utf8mb4",
    )


def is_mysql(engine: Engine) -> bool:
    return engine.dialect.name in ("mysql", "mariadb")


def set_wordpress_session_mode(engine: Engine) -> None:
    """Give every MySQL/MariaDB connection of ``engine`` WordPress's session sql_mode."""
    if not is_mysql(engine):
        return

    @event.listens_for(engine, "connect")
    def _wordpress_sql_mode(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
        cur = dbapi_conn.cursor()
        cur.execute("SELECT @@SESSION.sql_mode")
        modes = [m for m in (cur.fetchone()[0] or "").split(",") if m]
        kept = [m for m in modes if m.upper() not in WORDPRESS_INCOMPATIBLE_SQL_MODES]
        cur.execute("SET SESSION sql_mode = %s", (",".join(kept),))
        cur.close()


def make_engine(url: str) -> Engine:
    """An engine for a sandbox database URL, with WordPress's session mode on MySQL and
    the SQLite settings that let the app and the sandbox server share one file."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_recycle=3600)
    set_wordpress_session_mode(engine)
    return engine


def create_schema(engine: Engine, prefix: str = "wp_") -> None:
    """Create every sandbox table (WordPress + Eventbrite) that does not exist yet."""
    wordpress_metadata(prefix).create_all(engine)
    eventbrite_metadata().create_all(engine)


def drop_schema(engine: Engine, prefix: str = "wp_") -> None:
    wordpress_metadata(prefix).drop_all(engine)
    eventbrite_metadata().drop_all(engine)
