"""Baseline: the app-state tables as the app created them before it had migrations.

A database those versions made already holds some or all of them (a table was created
the first time its module used it), with the club's rows: this revision creates only the
tables that are missing and touches no existing one, so such a database is taken as it is.

The tables are copied here, not imported from ``schema.py``: a revision is what the
database looked like at that step, and ``schema.py`` moves on with later revisions.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _stamped(what: str, *, nullable: bool = False) -> tuple[sa.Column, sa.Column]:
    return (
        sa.Column(f"{what}_at", sa.DateTime, nullable=nullable),
        sa.Column(f"{what}_by", sa.String(200), nullable=nullable),
    )


def _tables() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "brcc_audit_log",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("batch", sa.String(40), nullable=False),
        sa.Column("listing_key", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("what", sa.String(80), nullable=False),
        sa.Column("before", sa.String(40), nullable=True),
        sa.Column("after", sa.String(40), nullable=True),
        sa.Column("result", sa.String(30), nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Index("ix_brcc_audit_at", "at"),
        sa.Index("ix_brcc_audit_listing", "listing_key"),
    )
    sa.Table(
        "brcc_shows",
        md,
        sa.Column("show_key", sa.String(60), primary_key=True),
        sa.Column("title", sa.String(300), nullable=True),
        sa.Column("venue_capacity", sa.Integer, nullable=True),
        *_stamped("updated"),
    )
    sa.Table(
        "brcc_show_listings",
        md,
        sa.Column("listing_key", sa.String(200), primary_key=True),
        sa.Column("show_key", sa.String(60), nullable=False),
        sa.Index("ix_brcc_show_listings_show", "show_key"),
    )
    sa.Table(
        "brcc_recurring_rules",
        md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("weekday", sa.Integer, nullable=False),
        sa.Column("start_time", sa.String(5), nullable=False),
        sa.Column("venue_capacity", sa.Integer, nullable=True),
        sa.Column("members", sa.Text, nullable=False),
        *_stamped("created"),
    )
    sa.Table(
        "brcc_systems",
        md,
        sa.Column("name", sa.String(20), primary_key=True),
        sa.Column("systems", sa.String(80), nullable=False),
        sa.Column("label", sa.String(300), nullable=False),
        sa.Column("stamped_at", sa.DateTime, nullable=False),
    )
    sa.Table(
        "brcc_people",
        md,
        sa.Column("email", sa.String(200), primary_key=True),
        sa.Column("role", sa.String(20), nullable=False),
        *_stamped("updated"),
    )
    sa.Table(
        "brcc_sign_ins",
        md,
        sa.Column("email", sa.String(200), primary_key=True),
        sa.Column("issuer", sa.String(300), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("first_at", sa.DateTime, nullable=False),
    )
    sa.Table(
        "brcc_meeting_links",
        md,
        sa.Column("link_id", sa.String(40), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("selection", sa.Text, nullable=False),
        *_stamped("created"),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        *_stamped("revoked", nullable=True),
    )
    sa.Table(
        "brcc_access_keys",
        md,
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    sa.Table(
        "brcc_write_leases",
        md,
        sa.Column("resource", sa.String(190), primary_key=True),
        sa.Column("holder", sa.String(40), nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("what", sa.String(200), nullable=False),
        sa.Column("acquired_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    sa.Table(
        "brcc_eventbrite_calls",
        md,
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column("minute", sa.DateTime, primary_key=True),
        sa.Column("calls", sa.Integer, nullable=False),
    )
    sa.Table(
        "brcc_eventbrite_said",
        md,
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column("said_at", sa.DateTime, nullable=False),
        sa.Column("calls_left", sa.Integer, nullable=False),
        sa.Column("until", sa.DateTime, nullable=False),
    )
    sa.Table(
        "eb_sales_orders",
        md,
        sa.Column("order_id", sa.String(32), primary_key=True),
        sa.Column("event_id", sa.String(32), nullable=False, index=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("changed", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("gross_cents", sa.Integer, nullable=True),
        sa.Column("fees_cents", sa.Integer, nullable=True),
    )
    sa.Table(
        "eb_sales_attendees",
        md,
        sa.Column("attendee_id", sa.String(32), primary_key=True),
        sa.Column("order_id", sa.String(32), nullable=False, index=True),
        sa.Column("event_id", sa.String(32), nullable=False, index=True),
        sa.Column("ticket_class_id", sa.String(32), nullable=True),
        sa.Column("ticket_class_name", sa.String(255), nullable=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("changed", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(20), nullable=True),
        sa.Column("checked_in", sa.Boolean, nullable=False),
        sa.Column("cancelled", sa.Boolean, nullable=False),
        sa.Column("refunded", sa.Boolean, nullable=False),
        sa.Column("gross_cents", sa.Integer, nullable=True),
        sa.Column("fees_cents", sa.Integer, nullable=True),
    )
    sa.Table(
        "eb_sales_events",
        md,
        sa.Column("event_id", sa.String(32), primary_key=True),
        sa.Column("series_id", sa.String(32), nullable=True),
        sa.Column("name", sa.String(500), nullable=True),
        sa.Column("starts_at", sa.DateTime, nullable=True),
    )
    sa.Table(
        "eb_sales_cursors",
        md,
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("changed", sa.DateTime, nullable=False),
        sa.Column("synced_at", sa.DateTime, nullable=False),
    )
    sa.Table(
        "eb_sales_partial",
        md,
        sa.Column("walk", sa.String(16), primary_key=True),
        sa.Column("since", sa.DateTime, nullable=True),
        sa.Column("continuation", sa.Text, nullable=False),
        sa.Column("newest", sa.DateTime, nullable=True),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("items", sa.Integer, nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    return md


def upgrade() -> None:
    # checkfirst: a table an older version already created keeps its rows.
    _tables().create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    raise NotImplementedError("The app-state history is never dropped by a migration.")
