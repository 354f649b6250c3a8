"""The sandbox schema matches WordPress's own DDL where the app's SQL depends on it."""

from sqlalchemy import inspect, text

from brcc_core.sandbox.schema import is_mysql


def test_all_wordpress_and_eventbrite_tables_exist(engine):
    names = set(inspect(engine).get_table_names())
    assert {
        "wp_posts",
        "wp_postmeta",
        "wp_woocommerce_order_items",
        "wp_woocommerce_order_itemmeta",
        "wp_wc_orders",
        "wp_wc_orders_meta",
        "wp_wc_product_meta_lookup",
        "sandbox_eb_events",
        "sandbox_eb_ticket_classes",
    } <= names


def test_postmeta_has_wordpress_indexes(engine):
    indexes = {tuple(ix["column_names"]) for ix in inspect(engine).get_indexes("wp_postmeta")}
    assert ("post_id",) in indexes
    assert ("meta_key",) in indexes


def test_zero_dates_accepted_as_wordpress_does(engine):
    # WordPress inserts posts relying on the zero-date defaults; the session sql_mode
    # must allow that on MariaDB just as WordPress's own connection does.
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO wp_posts (post_content, post_title, post_excerpt, to_ping, pinged,"
                " post_content_filtered, post_type) VALUES ('', 't', '', '', '', '', 'product')"
            )
        )
        row = conn.execute(text("SELECT post_date, post_status FROM wp_posts")).one()
    assert row.post_status == "publish"
    if is_mysql(engine):
        with engine.connect() as conn:
            mode = conn.execute(text("SELECT @@SESSION.sql_mode")).scalar()
        assert "NO_ZERO_DATE" not in mode and "STRICT_TRANS_TABLES" not in mode


def test_two_table_prefixes_coexist_in_one_database(engine):
    # Sites sharing a database use different prefixes; index names must not collide.
    from brcc_core.sandbox.schema import create_schema, drop_schema

    create_schema(engine, prefix="club2_")
    try:
        assert "club2_wc_product_meta_lookup" in inspect(engine).get_table_names()
    finally:
        drop_schema(engine, prefix="club2_")
