"""The WordPress and WooCommerce tables the app reads, as the real sites create them.

Column definitions and indexes copy WordPress's ``wp-admin/includes/schema.php`` and
WooCommerce's ``class-wc-install.php`` (types, zero-date defaults, prefix index lengths), so
the live-numbers SQL in ``brcc_core.channels.wordpress`` is written against the same layout it meets
on the club's server (docs/domain.md section 3). One definition serves SQLite and
MariaDB/MySQL: dialect variants give MySQL its unsigned BIGINTs and SQLite its rowid
primary keys. The app only reads these tables; the sandbox creates them from here too.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.dialects import mysql

__all__ = ["ZERO_DATE", "wordpress_metadata"]

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


def _zero_datetime(name: str) -> Column:
    return Column(name, DateTime, nullable=False, server_default=text(f"'{ZERO_DATE}'"))


def _prefix_index(name: str, *cols: Column, lengths: dict[str, int]) -> Index:
    return Index(name, *cols, mysql_length=lengths, mariadb_length=lengths)


def _meta_table(md: MetaData, name: str, owner: Column, *, key_index_length: int) -> Table:
    """A WordPress key/value meta table (``postmeta``, ``woocommerce_order_itemmeta``): rows
    of ``meta_key`` / ``meta_value`` for the post or order item ``owner`` names."""
    table = Table(
        name,
        md,
        Column("meta_id", _ID, primary_key=True, autoincrement=True),
        owner,
        Column("meta_key", String(255), nullable=True),
        Column("meta_value", _LONGTEXT, nullable=True),
        **_MYSQL_TABLE_ARGS,
    )
    Index(owner.name, table.c[owner.name])
    _prefix_index("meta_key", table.c.meta_key, lengths={"meta_key": key_index_length})
    return table


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

    _meta_table(
        md,
        f"{prefix}postmeta",
        Column("post_id", _UBIGINT, nullable=False, server_default=text("0")),
        key_index_length=191,
    )

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

    _meta_table(
        md,
        f"{prefix}woocommerce_order_itemmeta",
        Column("order_item_id", _UBIGINT, nullable=False),
        key_index_length=32,
    )

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
