"""The sandbox's database: WordPress/WooCommerce tables as the real sites create them, plus
the sandbox's own Eventbrite tables.

The WordPress tables copy the column definitions and indexes of WordPress's
``wp-admin/includes/schema.php`` and WooCommerce's ``class-wc-install.php`` (types,
zero-date defaults, prefix index lengths), so the app's SQL is proven against the same
layout it meets on the club's server. One definition serves SQLite and MariaDB/MySQL:
dialect variants give MySQL its unsigned BIGINTs and SQLite its rowid primary keys.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateIndex, DropIndex

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

ZERO_DATE = "0000-00-00 00:00:00"

# Id columns: BIGINT(20) UNSIGNED on MySQL; INTEGER on SQLite so it is the rowid and
# autoincrements.
_ID = BigInteger().with_variant(mysql.BIGINT(unsigned=True), "mysql", "mariadb")
_ID = _ID.with_variant(Integer(), "sqlite")
_UBIGINT = BigInteger().with_variant(mysql.BIGINT(unsigned=True), "mysql", "mariadb")
_LONGTEXT = Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
_TINYINT1 = Integer().with_variant(mysql.TINYINT(1), "mysql", "mariadb")
_DOUBLE = Numeric(asdecimal=False).with_variant(mysql.DOUBLE(asdecimal=False), "mysql", "mariadb")

_MYSQL_TABLE_ARGS = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_520_ci",
    "mariadb_engine": "InnoDB",
    "mariadb_charset": "utf8mb4",
    "mariadb_collate": "utf8mb4_unicode_520_ci",
}


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


def _zero_datetime(name: str) -> Column:
    return Column(name, DateTime, nullable=False, server_default=text(f"'{ZERO_DATE}'"))


def _prefix_index(name: str, *cols: Column, lengths: dict[str, int]) -> Index:
    return Index(name, *cols, mysql_length=lengths, mariadb_length=lengths)


def wordpress_metadata(prefix: str = "wp_") -> MetaData:
    """The WordPress + WooCommerce tables the app reads, named with ``prefix``."""
    md = MetaData()

    posts = Table(
        f"{prefix}posts",
        md,
        Column("ID", _ID, primary_key=True, autoincrement=True),
        Column("post_author", _UBIGINT, nullable=False, server_default=text("0")),
        _zero_datetime("post_date"),
        _zero_datetime("post_date_gmt"),
        Column("post_content", _LONGTEXT, nullable=False),
        Column("post_title", Text, nullable=False),
        Column("post_excerpt", Text, nullable=False),
        Column("post_status", String(20), nullable=False, server_default="publish"),
        Column("comment_status", String(20), nullable=False, server_default="open"),
        Column("ping_status", String(20), nullable=False, server_default="open"),
        Column("post_password", String(255), nullable=False, server_default=""),
        Column("post_name", String(200), nullable=False, server_default=""),
        Column("to_ping", Text, nullable=False),
        Column("pinged", Text, nullable=False),
        _zero_datetime("post_modified"),
        _zero_datetime("post_modified_gmt"),
        Column("post_content_filtered", _LONGTEXT, nullable=False),
        Column("post_parent", _UBIGINT, nullable=False, server_default=text("0")),
        Column("guid", String(255), nullable=False, server_default=""),
        Column("menu_order", Integer, nullable=False, server_default=text("0")),
        Column("post_type", String(20), nullable=False, server_default="post"),
        Column("post_mime_type", String(100), nullable=False, server_default=""),
        Column("comment_count", BigInteger, nullable=False, server_default=text("0")),
        **_MYSQL_TABLE_ARGS,
    )
    _prefix_index("post_name", posts.c.post_name, lengths={"post_name": 191})
    Index(
        "type_status_date",
        posts.c.post_type,
        posts.c.post_status,
        posts.c.post_date,
        posts.c.ID,
    )
    Index("post_parent", posts.c.post_parent)
    Index("post_author", posts.c.post_author)

    postmeta = Table(
        f"{prefix}postmeta",
        md,
        Column("meta_id", _ID, primary_key=True, autoincrement=True),
        Column("post_id", _UBIGINT, nullable=False, server_default=text("0")),
        Column("meta_key", String(255), nullable=True),
        Column("meta_value", _LONGTEXT, nullable=True),
        **_MYSQL_TABLE_ARGS,
    )
    Index("post_id", postmeta.c.post_id)
    _prefix_index("meta_key", postmeta.c.meta_key, lengths={"meta_key": 191})

    items = Table(
        f"{prefix}woocommerce_order_items",
        md,
        Column("order_item_id", _ID, primary_key=True, autoincrement=True),
        Column("order_item_name", Text, nullable=False),
        Column("order_item_type", String(200), nullable=False, server_default=""),
        Column("order_id", _UBIGINT, nullable=False),
        **_MYSQL_TABLE_ARGS,
    )
    Index("order_id", items.c.order_id)

    itemmeta = Table(
        f"{prefix}woocommerce_order_itemmeta",
        md,
        Column("meta_id", _ID, primary_key=True, autoincrement=True),
        Column("order_item_id", _UBIGINT, nullable=False),
        Column("meta_key", String(255), nullable=True),
        Column("meta_value", _LONGTEXT, nullable=True),
        **_MYSQL_TABLE_ARGS,
    )
    Index("order_item_id", itemmeta.c.order_item_id)
    _prefix_index("meta_key", itemmeta.c.meta_key, lengths={"meta_key": 32})

    orders = Table(
        f"{prefix}wc_orders",
        md,
        Column("id", _UBIGINT, primary_key=True, autoincrement=False),
        Column("status", String(20), nullable=True),
        Column("currency", String(10), nullable=True),
        Column("type", String(20), nullable=True),
        Column("tax_amount", Numeric(26, 8), nullable=True),
        Column("total_amount", Numeric(26, 8), nullable=True),
        Column("customer_id", _UBIGINT, nullable=True),
        Column("billing_email", String(320), nullable=True),
        Column("date_created_gmt", DateTime, nullable=True),
        Column("date_updated_gmt", DateTime, nullable=True),
        Column("parent_order_id", _UBIGINT, nullable=True),
        Column("payment_method", String(100), nullable=True),
        Column("payment_method_title", Text, nullable=True),
        Column("transaction_id", String(100), nullable=True),
        Column("ip_address", String(100), nullable=True),
        Column("user_agent", Text, nullable=True),
        Column("customer_note", Text, nullable=True),
        **_MYSQL_TABLE_ARGS,
    )
    Index("status", orders.c.status)
    Index("date_created", orders.c.date_created_gmt)
    _prefix_index(
        "customer_id_billing_email",
        orders.c.customer_id,
        orders.c.billing_email,
        lengths={"billing_email": 171},
    )
    _prefix_index("billing_email", orders.c.billing_email, lengths={"billing_email": 171})
    Index("type_status_date", orders.c.type, orders.c.status, orders.c.date_created_gmt)
    Index("parent_order_id", orders.c.parent_order_id)
    Index("date_updated", orders.c.date_updated_gmt)

    orders_meta = Table(
        f"{prefix}wc_orders_meta",
        md,
        Column("id", _ID, primary_key=True, autoincrement=True),
        Column("order_id", _UBIGINT, nullable=True),
        Column("meta_key", String(255), nullable=True),
        Column("meta_value", Text, nullable=True),
        **_MYSQL_TABLE_ARGS,
    )
    _prefix_index(
        "meta_key_value",
        orders_meta.c.meta_key,
        orders_meta.c.meta_value,
        lengths={"meta_key": 100, "meta_value": 82},
    )
    _prefix_index(
        "order_id_meta_key_meta_value",
        orders_meta.c.order_id,
        orders_meta.c.meta_key,
        orders_meta.c.meta_value,
        lengths={"meta_key": 100, "meta_value": 82},
    )

    lookup = Table(
        f"{prefix}wc_product_meta_lookup",
        md,
        Column("product_id", BigInteger, primary_key=True, autoincrement=False),
        Column("sku", String(100), nullable=True, server_default=""),
        Column("global_unique_id", String(100), nullable=True, server_default=""),
        Column("virtual", _TINYINT1, nullable=True, server_default=text("0")),
        Column("downloadable", _TINYINT1, nullable=True, server_default=text("0")),
        Column("min_price", Numeric(19, 4), nullable=True),
        Column("max_price", Numeric(19, 4), nullable=True),
        Column("onsale", _TINYINT1, nullable=True, server_default=text("0")),
        Column("stock_quantity", _DOUBLE, nullable=True),
        Column("stock_status", String(100), nullable=True, server_default="instock"),
        Column("rating_count", BigInteger, nullable=True, server_default=text("0")),
        Column("average_rating", Numeric(3, 2), nullable=True, server_default=text("0.00")),
        Column("total_sales", BigInteger, nullable=True, server_default=text("0")),
        Column("tax_status", String(100), nullable=True, server_default="taxable"),
        Column("tax_class", String(100), nullable=True, server_default=""),
        **_MYSQL_TABLE_ARGS,
    )
    Index("virtual", lookup.c.virtual)
    Index("downloadable", lookup.c.downloadable)
    Index("stock_status", lookup.c.stock_status)
    Index("stock_quantity", lookup.c.stock_quantity)
    Index("onsale", lookup.c.onsale)
    Index("min_max_price", lookup.c.min_price, lookup.c.max_price)
    _prefix_index("sku", lookup.c.sku, lengths={"sku": 50})
    return md


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
    return md


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
