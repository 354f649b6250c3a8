"""Every table of the app-state database, in one MetaData: the schema the migrations
(``brcc_core/store/migrations``) bring a database to, and the one place a table or a
column is declared. The modules that read and write them import their tables from here.

Table and column names are the ones databases already hold: renaming one needs a
migration that moves its rows. A column added here needs a migration too
(``tests/test_state_migrations.py`` fails until the two agree). Times are naive UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()


def stamped(what: str, *, nullable: bool = False) -> tuple[Column, Column]:
    """The ``<what>_at`` (naive UTC) and ``<what>_by`` (the e-mail) columns that say when
    and by whom an app-state row was created, updated or revoked."""
    return (
        Column(f"{what}_at", DateTime, nullable=nullable),
        Column(f"{what}_by", String(200), nullable=nullable),
    )


# --- store/state.py ------------------------------------------------------------------

# Every attempt to change a platform or the app's own records: append-only, a row's
# result completed once (``started`` before the platform is touched).
audit_log = Table(
    "brcc_audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("who", String(200), nullable=False),
    Column("action", String(20), nullable=False),  # change | sync | rollback
    Column("batch", String(40), nullable=False),  # links one change's rows (attempt, rollback)
    Column("listing_key", String(200), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("what", String(80), nullable=False),  # the stored number written, in words
    Column("before", String(40), nullable=True),
    Column("after", String(40), nullable=True),
    Column("result", String(30), nullable=False),
    Column("error", Text, nullable=True),
    Column("note", Text, nullable=True),
    Index("ix_brcc_audit_at", "at"),
    Index("ix_brcc_audit_listing", "listing_key"),
)

# Saved (confirmed) shows and their venue capacity (None: the default from settings).
shows = Table(
    "brcc_shows",
    metadata,
    Column("show_key", String(60), primary_key=True),
    Column("title", String(300), nullable=True),
    Column("venue_capacity", Integer, nullable=True),
    *stamped("updated"),
)

# The listings of each saved show.
show_listings = Table(
    "brcc_show_listings",
    metadata,
    # A listing sells one performance: it belongs to at most one saved show.
    Column("listing_key", String(200), primary_key=True),
    Column("show_key", String(60), nullable=False),
    Index("ix_brcc_show_listings_show", "show_key"),
)

# Recurring rules that map new dates of a weekly show by themselves.
recurring_rules = Table(
    "brcc_recurring_rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("weekday", Integer, nullable=False),  # Monday = 0
    Column("start_time", String(5), nullable=False),  # "20:00", club time
    Column("venue_capacity", Integer, nullable=True),
    Column("members", Text, nullable=False),  # JSON list of RuleMember fields
    *stamped("created"),
)

# Which systems this state belongs to: the demo sandbox or one club's (store/systems.py).
# One row, written once by the first start; a start for other systems refuses the database.
systems_stamp = Table(
    "brcc_systems",
    metadata,
    Column("name", String(20), primary_key=True),
    Column("systems", String(80), nullable=False),
    Column("label", String(300), nullable=False),
    Column("stamped_at", DateTime, nullable=False),
)

# --- people/access.py ----------------------------------------------------------------

# The role given to each person (BRCC_ADMINS are admins whatever a row says).
people = Table(
    "brcc_people",
    metadata,
    Column("email", String(200), primary_key=True),  # lower case
    Column("role", String(20), nullable=False),
    *stamped("updated"),
)

# The account (issuer and subject) that first signed in with an e-mail: a later sign-in
# with that e-mail from another account is refused (``Access.sign_in``).
sign_ins = Table(
    "brcc_sign_ins",
    metadata,
    Column("email", String(200), primary_key=True),  # lower case
    Column("issuer", String(300), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("first_at", DateTime, nullable=False),
)

# Meeting links: a read-only selection shared until it expires or is revoked.
meeting_links = Table(
    "brcc_meeting_links",
    metadata,
    Column("link_id", String(40), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("selection", Text, nullable=False),  # JSON list of show / listing keys
    *stamped("created"),
    Column("expires_at", DateTime, nullable=False),
    *stamped("revoked", nullable=True),
)

# Keys the app made for itself (the meeting links' signing key).
access_keys = Table(
    "brcc_access_keys",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
)

# --- store/guard_records.py: the unattended guard (brcc_core/guard) ------------------

# The sync policy a manager saved for a show: the guard plans that show with it. The
# policy's fields are kept as they are (SyncPolicy in capacity/sync.py reads them back).
guard_policies = Table(
    "brcc_guard_policies",
    metadata,
    Column("show_key", String(60), primary_key=True),
    Column("kind", String(10), nullable=False),  # mirror | split | buffer
    Column("ratio", Text, nullable=False),  # JSON {channel: weight}; {} = equal
    Column("buffer", Integer, nullable=False),
    # Raising seats stays a manager's decision unless the policy says the guard may.
    Column("allow_raise", Boolean, nullable=False),
    *stamped("updated"),
)

# The guard's one row: paused or not (a manager's say), and how its last round went
# (the guard's), so the Dashboard shows it whichever server it runs on.
guard_state = Table(
    "brcc_guard_state",
    metadata,
    Column("name", String(20), primary_key=True),
    Column("paused", Boolean, nullable=False),
    *stamped("paused", nullable=True),
    Column("rounds", Integer, nullable=False),
    Column("changes", Integer, nullable=False),  # every change the guard made, in total
    Column("last_round_at", DateTime, nullable=True),
    Column("last_changes", Integer, nullable=False),  # changes made by the last round
    Column("last_calls", Integer, nullable=False),  # Eventbrite calls of the last round
    Column("last_summary", Text, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("next_round_at", DateTime, nullable=True),
    Column("runner", String(200), nullable=True),  # which process ran the last round
)

# --- capacity/locks.py ---------------------------------------------------------------

# Write leases: one writer per resource (a product, an event) across servers.
write_leases = Table(
    "brcc_write_leases",
    metadata,
    Column("resource", String(190), primary_key=True),
    Column("holder", String(40), nullable=False),
    Column("who", String(200), nullable=False),
    Column("what", String(200), nullable=False),
    Column("acquired_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
)

# --- channels/eventbrite_budget.py ---------------------------------------------------

# The token's Eventbrite calls per minute, counted by every server.
eventbrite_calls = Table(
    "brcc_eventbrite_calls",
    metadata,
    Column("token", String(64), primary_key=True),  # SHA-256 of the token, hex
    Column("minute", DateTime, primary_key=True),  # start of the minute
    Column("calls", Integer, nullable=False),
)

# What Eventbrite itself last said of the token's calls left, and until when it holds.
eventbrite_said = Table(
    "brcc_eventbrite_said",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("said_at", DateTime, nullable=False),
    Column("calls_left", Integer, nullable=False),
    Column("until", DateTime, nullable=False),
)

# --- sales/eventbrite_orders.py: the synced copy of the Eventbrite orders ------------

# The organization's orders.
ORDERS = Table(
    "eb_sales_orders",
    metadata,
    Column("order_id", String(32), primary_key=True),
    Column("event_id", String(32), nullable=False, index=True),
    Column("created", DateTime, nullable=False),
    Column("changed", DateTime, nullable=False),
    Column("status", String(20), nullable=False),
    Column("gross_cents", Integer, nullable=True),
    Column("fees_cents", Integer, nullable=True),
)
# Their attendees: one per seat, with check-in, cancellation and refund.
ATTENDEES = Table(
    "eb_sales_attendees",
    metadata,
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
# The Eventbrite event each order belongs to.
EVENTS = Table(
    "eb_sales_events",
    metadata,
    Column("event_id", String(32), primary_key=True),
    Column("series_id", String(32), nullable=True),
    Column("name", String(500), nullable=True),
    Column("starts_at", DateTime, nullable=True),
)
# Where each complete walk (orders, attendees) got to: the next sync asks from there.
CURSORS = Table(
    "eb_sales_cursors",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("changed", DateTime, nullable=False),  # the last change read
    Column("synced_at", DateTime, nullable=False),
)
# A walk a sync left part-way, to be resumed by the next one.
PARTIAL = Table(
    "eb_sales_partial",
    metadata,
    Column("walk", String(16), primary_key=True),
    Column("since", DateTime, nullable=True),  # the walk's changed_since (None: all)
    Column("continuation", Text, nullable=False),  # the token of the next page
    Column("newest", DateTime, nullable=True),  # the newest change stored so far
    Column("started_at", DateTime, nullable=False),  # when the walk's first part began
    Column("items", Integer, nullable=False),  # orders / attendees stored so far
    Column("pages", Integer, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

# --- sales/site_copy.py: the copy of the website's tickets and order lines ------------

# Each published FooEvents ticket post, its meta as the sales history reads it (text, as
# WordPress keeps it, at most 255 characters: what the full read groups on).
SITE_TICKETS = Table(
    "wc_sales_tickets",
    metadata,
    Column("ticket_id", BigInteger, primary_key=True, autoincrement=False),
    Column("product_id", String(255), nullable=True, index=True),
    Column("order_id", String(255), nullable=True, index=True),
    Column("variation_id", String(255), nullable=True),
    Column("status", String(255), nullable=True),
    Column("slot_id", String(255), nullable=True),
    Column("date_id", String(255), nullable=True),
    Column("slot_label", String(255), nullable=True),
    Column("date_label", String(255), nullable=True),
    Column("created", DateTime, nullable=True),  # the post's post_date_gmt
    # The meta row holding the ticket's status: a check-in rewrites that row in place
    # (update_post_meta) and changes no date, so statuses are re-read by this id.
    Column("status_meta_id", BigInteger, nullable=True),
    # The ticket's order has a show not yet settled: its status is re-read on each open.
    Column("live", Boolean, nullable=False, default=False, index=True),
)
# Each order line item (all products: the catalog may add one later), with its order's
# status (HPOS row first, else the legacy order post), as the full read takes them.
SITE_LINES = Table(
    "wc_sales_lines",
    metadata,
    Column("item_id", BigInteger, primary_key=True, autoincrement=False),
    Column("order_ref", String(32), nullable=False, index=True),
    Column("product_id", String(255), nullable=True),
    Column("variation_id", String(255), nullable=True),
    Column("qty", String(255), nullable=True),
    Column("line_total", String(255), nullable=True),
    Column("status", String(20), nullable=True),
)
# How far the copy has got: one row per site.
SITE_CURSOR = Table(
    "wc_sales_cursor",
    metadata,
    Column("name", String(16), primary_key=True),
    Column("last_ticket", BigInteger, nullable=False),  # highest ticket post id copied
    Column("last_item", BigInteger, nullable=False),  # highest order item id copied
    # When the first build began (UTC): what changed since is read again once it is done.
    Column("started_at", DateTime, nullable=False),
    Column("built_at", DateTime, nullable=True),  # None: the first build is not complete
    # Tickets and orders modified after this (UTC) are read again on the next open.
    Column("since", DateTime, nullable=True),
    Column("updated_at", DateTime, nullable=False),
)
