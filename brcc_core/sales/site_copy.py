"""The website's sales history kept in the app-state database, so opening it reads from
WordPress only what changed since the last open.

Reading every FooEvents ticket ever sold on each open (``site_history.WooCommerceHistory``)
grows with the club's past: a year at large scale is 155,000 tickets and 5 million meta
rows, half a minute. So the app copies, once, each published ticket's meta as the full
read groups it (product, slot, date, labels, order, variation, status, sale time) and each
order line item (product, variation, quantity, line total, the order's status) into its
own tables (``wc_sales_tickets``, ``wc_sales_lines``; ``store/schema.py``), and each open
reads from WordPress only:

- tickets with a post id above the highest copied, or whose post was modified since the
  cursor (an admin's edit or trashing of a ticket saves the post);
- the orders modified since the cursor (legacy ``wp_posts.post_modified_gmt``, HPOS
  ``wc_orders.date_updated_gmt``, and their refunds'), whose line items and tickets are
  read again: cancelling an order rewrites its tickets' status meta without touching the
  ticket posts, and refunding or completing an order changes only the order;
- the status of tickets of shows not yet settled (starting later than a week ago, or
  with no known start): a check-in (the check-in app's ``update_post_meta``) changes the
  status meta row in place and no date anywhere, so those rows are re-read by meta id;
- the count of published tickets, and their ids when it differs from the copy's (a ticket
  deleted outright leaves no date behind).

Then the copy is grouped as the full read's statement groups (one statement on the
app-state database) and turned into rows by the same code (``WooCommerceHistory.frame_from``):
the numbers are the full read's.

The first build copies tickets and line items in batches of ``BATCH`` ids, committing each
batch with how far it got, and reports progress; a build that fails or is cut goes on from
its last batch the next time. Changes made while it ran are read again once it is done,
in the same open (the cursor is where it began). When the app-state database cannot be
used, the history is read in full from WordPress, as before, and the warning says so.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from brcc_core.channels.wordpress import (
    DATE_ID_KEY,
    DATE_KEY,
    ORDER_ID_KEY,
    PRODUCT_KEY,
    SLOT_ID_KEY,
    SLOT_KEY,
    STATUS_KEY,
    TICKET_POST_TYPE,
    WordPressUnavailable,
    _unavailable,
    slot_dates_from_fbos,
)
from brcc_core.common import clock
from brcc_core.common.db_engines import DEADLINE_OPTION
from brcc_core.common.moments import aware_utc, naive_utc
from brcc_core.common.values import unknown_cells
from brcc_core.sales.site_history import (
    HISTORY_DEADLINE_SECONDS,
    VARIATION_KEY,
    WooCommerceHistory,
    lines_statement,
    sales_frame,
    unresolved_warning,
)
from brcc_core.store.schema import SITE_CURSOR, SITE_LINES, SITE_TICKETS
from brcc_core.store.state import StateUnavailable, schema_ready

log = logging.getLogger(__name__)

__all__ = ["BATCH", "SETTLE_DAYS", "SiteSalesCopy", "SiteCopyUnavailable"]

# Ticket posts (or order item ids) copied per statement and transaction by the first
# build: a few seconds each at large scale, so a cut build loses little and the page can
# say how far it got.
BATCH = 20_000
# A show that started more than this long ago is settled: its check-ins are done, so its
# tickets' statuses are no longer re-read on every open (an order change still re-reads
# them). Check-ins are scanned on the night; a week leaves room for late corrections.
SETTLE_DAYS = 7
# Changes are read again from a little before the last open: WordPress stamps its dates
# with its own server's clock, which may run behind the app's.
OVERLAP = timedelta(minutes=15)
SITE = "site"
# What each copied ticket column is pivoted from, in the ticket post's meta.
TICKET_META = (
    (PRODUCT_KEY, "product_id"),
    (STATUS_KEY, "status"),
    (SLOT_ID_KEY, "slot_id"),
    (DATE_ID_KEY, "date_id"),
    (SLOT_KEY, "slot_label"),
    (DATE_KEY, "date_label"),
    (ORDER_ID_KEY, "order_id"),
    (VARIATION_KEY, "variation_id"),
)
# IN lists are sent in parts of this many ids (a statement's parameters stay bounded).
ID_CHUNK = 5_000
Progress = Callable[[int, int], None]


class SiteCopyUnavailable(RuntimeError):
    """The app-state database could not be used for the copy of the website's sales."""


@dataclass(frozen=True)
class _Cursor:
    last_ticket: int
    last_item: int
    started_at: datetime
    built_at: datetime | None
    since: datetime | None


class SiteSalesCopy:
    """``sales()`` as ``WooCommerceHistory.sales`` (same rows), from the app-state copy
    brought up to date first. ``statements`` counts WordPress statements; ``warnings`` is
    the last call's; ``last_read`` says what the last call did ("full", "first build",
    "incremental", "full: <why>")."""

    def __init__(
        self,
        full: WooCommerceHistory,
        state_engine: Callable[[], Engine],
        *,
        batch: int = BATCH,
    ) -> None:
        self.full = full
        self._state_engine = state_engine
        self.batch = batch
        self.statements = 0
        self.warnings: list[str] = []
        self.last_read = ""
        # Orders whose rows the last call worked out again (None: every row).
        self.reworked: int | None = None
        # One open at a time in this process: two would read the same changes and
        # replace the same rows, and the rows in memory are one open's.
        self._lock = threading.Lock()
        # The rows last worked out, so an open after one sale works out that order's only.
        self._memo: _Memo | None = None
        tables = full._posts.metadata.tables
        prefix = full.table_prefix
        self._posts = full._posts
        self._postmeta = full._postmeta
        self._items = full._items
        self._orders = tables[f"{prefix}wc_orders"]
        self._itemmeta = tables[f"{prefix}woocommerce_order_itemmeta"]

    # -- the page's call -------------------------------------------------------------
    def sales(
        self,
        product_ids: Sequence[int],
        *,
        timezone: str,
        starts: Mapping[str, datetime] | None = None,
        titles: Mapping[str, str] | None = None,
        progress: Progress | None = None,
    ) -> pd.DataFrame:
        """``SALES_COLUMNS`` rows for every ticket of ``product_ids``: the copy brought up
        to date (built the first time, reporting ``progress(copied, total)`` per batch),
        then read. Falls back to the full read, with a warning saying so, when the
        app-state database cannot be used. Raises ``WordPressUnavailable``."""
        with self._lock:
            return self._sales(product_ids, timezone, starts, titles, progress)

    def _sales(self, product_ids, timezone, starts, titles, progress) -> pd.DataFrame:
        self.warnings = []
        try:
            engine = self._state_engine()
            schema_ready(engine, "keeping the website's sales")
            frame = self._from_copy(engine, product_ids, timezone, starts, titles, progress)
        except (SiteCopyUnavailable, StateUnavailable) as exc:
            log.warning("site sales copy unusable, full read: %s", exc)
            before = self.full.statements
            frame = self.full.sales(product_ids, timezone=timezone, starts=starts, titles=titles)
            self.statements += self.full.statements - before
            self.last_read = f"full: {exc}"
            self.warnings = [
                *self.full.warnings,
                f"{exc} The website's sales were read in full from WordPress instead "
                "(slower: every ticket ever sold).",
            ]
        return frame

    def _from_copy(self, engine, product_ids, timezone, starts, titles, progress) -> pd.DataFrame:
        ids = sorted({int(i) for i in product_ids})
        if not ids:  # nothing to read: the full read's empty frame, no statement
            return self.full.sales([], timezone=timezone)
        cursor = self._cursor(engine)
        memo = self._memo
        if memo is not None and (cursor is None or _mark(cursor) != memo.mark):
            memo = None  # another server moved the copy on: its rows are not in memory
        try:
            with self.full.engine.connect() as wp:
                wp = wp.execution_options(**{DEADLINE_OPTION: HISTORY_DEADLINE_SECONDS})
                if cursor is None or cursor.built_at is None:
                    self._build(engine, wp, cursor, progress)
                    # What changed while the build ran (a large one takes a minute or
                    # more), read now: this open's rows are those of a full read.
                    cursor, _ = self._catch_up(engine, wp, self._cursor(engine))
                    affected = None
                    self.last_read = "first build"
                else:
                    cursor, affected = self._catch_up(engine, wp, cursor)
                    self.last_read = "incremental"
                stock = self.full._stock_reader.current_stock(ids)
                self.statements += 1
        except WordPressUnavailable:
            raise
        except SQLAlchemyError as exc:
            raise _unavailable(exc, self.full.engine) from exc
        slot_dates = slot_dates_from_fbos(stock)
        keys = [str(i) for i in ids]
        fingerprint = _fingerprint(keys, timezone, slot_dates, starts, titles)
        self.reworked = len(affected) if affected is not None else None
        if memo is None or affected is None or memo.fingerprint != fingerprint:
            self.reworked = None
            tickets, lines = self._grouped(engine, keys)
            memo = _Memo.of(
                self.full._rows(
                    tickets,
                    lines,
                    stock,
                    ZoneInfo(timezone),
                    starts or {},
                    titles or {},
                    slot_dates,
                ),
                tickets,
                timezone,
                fingerprint,
            )
        elif affected:
            # Only the changed orders' rows are worked out again: a row depends on its
            # order's tickets and lines, and on the booking options, starts and titles,
            # which the fingerprint says are the same.
            tickets, lines = self._grouped(engine, keys, sorted(affected))
            rows = self.full._rows(
                tickets, lines, stock, ZoneInfo(timezone), starts or {}, titles or {}, slot_dates
            )
            memo = memo.replacing(affected, _Memo.of(rows, tickets, timezone, fingerprint))
        self._flag_live(engine, memo.live_orders(clock.now() - timedelta(days=SETTLE_DAYS)))
        self._memo = replace(memo, mark=_mark(cursor))
        unresolved = int(memo.unresolved.sum())
        self.warnings = [unresolved_warning(unresolved)] if unresolved else []
        return memo.frame.copy()

    # -- the first build ---------------------------------------------------------------
    def _build(self, engine: Engine, wp: Connection, cursor: _Cursor | None, progress):
        """Copy every published ticket and every line item, ``batch`` ids at a time, each
        batch committed with how far it got (a cut build goes on from there)."""
        now = clock.now()
        if cursor is None:
            cursor = _Cursor(0, 0, now, None, None)
            self._write(
                engine, lambda c: c.execute(insert(SITE_CURSOR).values(**_cursor_row(cursor)))
            )
        p, i = self._posts, self._items
        ticket_ids = self._wp(
            wp,
            select(p.c.ID)
            .where(
                p.c.post_type == TICKET_POST_TYPE,
                p.c.post_status == "publish",
                cursor.last_ticket < p.c.ID,
            )
            .order_by(p.c.ID),
        )
        ticket_ids = [int(r[0]) for r in ticket_ids]
        last_item_now = self._wp(wp, select(func.max(i.c.order_item_id)))[0][0] or 0
        item_spans = list(range(cursor.last_item, int(last_item_now), self.batch))
        total = len(ticket_ids) + int(last_item_now) - cursor.last_item
        done = 0
        if progress is not None:
            progress(done, total)
        for start in range(0, len(ticket_ids), self.batch):
            part = ticket_ids[start : start + self.batch]
            rows = self._ticket_rows(wp, p.c.ID.between(part[0], part[-1]))
            upto = part[-1]

            def store(conn: Connection, rows=rows, upto=upto, low=part[0]) -> None:
                t = SITE_TICKETS.c
                conn.execute(delete(SITE_TICKETS).where(t.ticket_id.between(low, upto)))
                _insert(conn, SITE_TICKETS, rows)
                conn.execute(_cursor_update(last_ticket=upto))

            self._write(engine, store)
            done += len(part)
            if progress is not None:
                progress(done, total)
        for low in item_spans:
            high = min(low + self.batch, int(last_item_now))
            rows = self._line_rows(wp, i.c.order_item_id > low, i.c.order_item_id <= high)

            def store_lines(conn: Connection, rows=rows, low=low, high=high) -> None:
                li = SITE_LINES.c
                conn.execute(delete(SITE_LINES).where(li.item_id > low, li.item_id <= high))
                _insert(conn, SITE_LINES, rows)
                conn.execute(_cursor_update(last_item=high))

            self._write(engine, store_lines)
            done += high - low
            if progress is not None:
                progress(done, total)
        # What changed while the build ran (since it began) is read again at the next open.
        since = cursor.started_at - OVERLAP
        built = _Cursor(
            max([cursor.last_ticket, *ticket_ids]),
            max(cursor.last_item, int(last_item_now)),
            cursor.started_at,
            clock.now(),
            since,
        )
        self._write(engine, lambda c: c.execute(_cursor_update(**_cursor_row(built))))
        return built

    # -- each later open -------------------------------------------------------------
    def _catch_up(
        self, engine: Engine, wp: Connection, cursor: _Cursor
    ) -> tuple[_Cursor, set[str] | None]:
        """Bring the copy up to date with what changed since ``cursor`` (see the module
        doc for what that is and why). Returns the new cursor and the orders whose rows
        may have changed (their ``order_id`` as copied; "" for tickets of no order), or
        None when any may have."""
        began = clock.now()
        p, i, h = self._posts, self._items, self._orders
        since = naive_utc(cursor.since or cursor.started_at)
        # 1. Tickets new or whose post changed (any status: a trashed one leaves).
        changed_posts = select(p.c.ID, p.c.post_status).where(
            p.c.post_type == TICKET_POST_TYPE,
            or_(cursor.last_ticket < p.c.ID, p.c.post_modified_gmt >= since),
        )
        changed = {int(r[0]) for r in self._wp(wp, changed_posts)}
        # 2. Orders changed (legacy posts, HPOS rows, and the orders their refunds are of).
        orders_sql = union_all(
            select(p.c.ID.label("id"), p.c.post_parent.label("parent")).where(
                p.c.post_type.in_(("shop_order", "shop_order_refund", "shop_order_placehold")),
                p.c.post_modified_gmt >= since,
            ),
            select(h.c.id, h.c.parent_order_id).where(h.c.date_updated_gmt >= since),
        )
        orders: set[int] = set()
        for r in self._wp(wp, orders_sql):
            orders.update(int(x) for x in r if x)
        order_refs = sorted(str(o) for o in orders)
        # Their tickets, as the copy knows them (new ones are above last_ticket).
        if order_refs:
            changed |= set(
                self._state_ids(
                    engine, SITE_TICKETS.c.ticket_id, SITE_TICKETS.c.order_id, order_refs
                )
            )
        # 3. Statuses of tickets of shows not yet settled, by their status meta row's id
        # (a check-in rewrites that row and no date): one primary-key lookup each.
        changed |= self._live_changed(engine, wp)
        # 4. Tickets deleted outright (or published without a new date): the count tells.
        published = select(func.count(), func.max(p.c.ID)).where(
            p.c.post_type == TICKET_POST_TYPE, p.c.post_status == "publish"
        )
        count, newest = self._wp(wp, published)[0]
        last_ticket = max(cursor.last_ticket, int(newest or 0), *changed, 0)
        ticket_rows = self._ticket_rows_of(wp, sorted(changed))
        affected = {r["order_id"] or "" for r in ticket_rows} | set(order_refs)
        affected |= self._orders_of(engine, sorted(changed))
        last_item = self._wp(wp, select(func.max(i.c.order_item_id)))[0][0] or 0
        found_lines: dict[int, dict] = {}  # by item id: each part also has the new items
        if order_refs or last_item > cursor.last_item:
            for part in _chunks([int(o) for o in order_refs] or [0]):
                for row in self._line_rows(
                    wp, or_(i.c.order_id.in_(part), i.c.order_item_id > cursor.last_item)
                ):
                    found_lines[row["item_id"]] = row
        line_rows = list(found_lines.values())
        affected |= {r["order_ref"] for r in line_rows}
        # The changed orders' copied lines all go (a line removed from an order with them).
        line_ids = set(found_lines)

        def store(conn: Connection) -> None:
            for part in _chunks(sorted(changed)):
                conn.execute(delete(SITE_TICKETS).where(SITE_TICKETS.c.ticket_id.in_(part)))
            _insert(conn, SITE_TICKETS, ticket_rows)
            for part in _chunks(order_refs):
                conn.execute(delete(SITE_LINES).where(SITE_LINES.c.order_ref.in_(part)))
            for part in _chunks(sorted(line_ids)):
                conn.execute(delete(SITE_LINES).where(SITE_LINES.c.item_id.in_(part)))
            _insert(conn, SITE_LINES, line_rows)
            conn.execute(
                _cursor_update(
                    last_ticket=last_ticket,
                    last_item=max(cursor.last_item, int(last_item)),
                    since=naive_utc(began - OVERLAP, whole_seconds=True),
                )
            )

        self._write(engine, store)
        copied = self._state_count(engine)
        if copied != count:
            self._reconcile(engine, wp)
            affected = None  # rare (a ticket deleted outright): every row again
        moved = self._cursor(engine)
        return (moved or cursor), affected

    def _reconcile(self, engine: Engine, wp: Connection) -> None:
        """The copy holds another number of tickets than WordPress publishes: compare ids
        (one index-only statement) and mend the difference."""
        p = self._posts
        theirs = {
            int(r[0])
            for r in self._wp(
                wp,
                select(p.c.ID).where(
                    p.c.post_type == TICKET_POST_TYPE, p.c.post_status == "publish"
                ),
            )
        }
        mine = set(self._state_all_ids(engine))
        gone, missing = sorted(mine - theirs), sorted(theirs - mine)
        rows = self._ticket_rows_of(wp, missing)

        def store(conn: Connection) -> None:
            for part in _chunks(gone + missing):
                conn.execute(delete(SITE_TICKETS).where(SITE_TICKETS.c.ticket_id.in_(part)))
            _insert(conn, SITE_TICKETS, rows)

        self._write(engine, store)

    def _live_changed(self, engine: Engine, wp: Connection) -> set[int]:
        """Tickets flagged live whose status meta row is gone or says another status
        than the copy's: they are read again whole."""
        t, m = SITE_TICKETS.c, self._postmeta
        try:
            with engine.connect() as conn:
                live = conn.execute(
                    select(t.ticket_id, t.status_meta_id, t.status).where(t.live.is_(True))
                ).all()
        except SQLAlchemyError as exc:
            raise SiteCopyUnavailable(_db_message(exc)) from None
        found: dict[int, tuple[int, str | None]] = {}
        for part in _chunks(sorted({int(r[1]) for r in live if r[1] is not None})):
            for meta_id, post_id, value in self._wp(
                wp, select(m.c.meta_id, m.c.post_id, m.c.meta_value).where(m.c.meta_id.in_(part))
            ):
                found[int(meta_id)] = (int(post_id), None if value is None else str(value)[:255])
        changed = set()
        for ticket_id, meta_id, status in live:
            if meta_id is None:
                continue
            got = found.get(int(meta_id))
            if got is None or got != (int(ticket_id), status):
                changed.add(int(ticket_id))
        return changed

    def _flag_live(self, engine: Engine, orders: set[str]) -> None:
        """Flag the tickets of ``orders`` live (their statuses are re-read on each open)
        and only those."""
        t = SITE_TICKETS.c
        try:
            with engine.begin() as conn:
                flagged = conn.execute(select(t.ticket_id, t.order_id).where(t.live.is_(True)))
                off = [int(r[0]) for r in flagged if (r[1] or "") not in orders]
                on: list[int] = []
                for part in _chunks(sorted(o for o in orders if o)):
                    on += [
                        int(r[0])
                        for r in conn.execute(
                            select(t.ticket_id).where(t.order_id.in_(part), t.live.is_(False))
                        )
                    ]
                if "" in orders:
                    on += [
                        int(r[0])
                        for r in conn.execute(
                            select(t.ticket_id).where(t.order_id.is_(None), t.live.is_(False))
                        )
                    ]
                for ids, value in ((off, False), (on, True)):
                    for part in _chunks(ids):
                        conn.execute(
                            update(SITE_TICKETS).where(t.ticket_id.in_(part)).values(live=value)
                        )
        except SQLAlchemyError as exc:
            raise SiteCopyUnavailable(_db_message(exc)) from None

    # -- WordPress statements --------------------------------------------------------
    def _wp(self, wp: Connection, statement) -> list:
        self.statements += 1
        return wp.execute(statement).all()

    def _ticket_rows(self, wp: Connection, *where: Any) -> list[dict]:
        """Published tickets matching ``where``, one row per ticket: the meta the full
        read pivots (cut at 255 characters, as it is), the sale time, the status row's id."""
        p, m = self._posts, self._postmeta

        def pivot(key: str, name: str):
            value = func.max(case((m.c.meta_key == key, m.c.meta_value)))
            return cast(value, String(255)).label(name)

        statement = (
            select(
                p.c.ID.label("ticket_id"),
                func.min(p.c.post_date_gmt).label("created"),
                *(pivot(k, n) for k, n in TICKET_META),
                func.max(case((m.c.meta_key == STATUS_KEY, m.c.meta_id))).label("status_meta_id"),
            )
            .select_from(
                p.join(
                    m,
                    and_(m.c.post_id == p.c.ID, m.c.meta_key.in_([k for k, _ in TICKET_META])),
                )
            )
            .where(p.c.post_type == TICKET_POST_TYPE, p.c.post_status == "publish", *where)
            .group_by(p.c.ID)
        )
        rows = []
        for r in self._wp(wp, statement):
            row = dict(r._mapping)
            row["created"] = _stored_moment(row["created"])
            rows.append(row)
        return rows

    def _ticket_rows_of(self, wp: Connection, ids: Sequence[int]) -> list[dict]:
        rows: list[dict] = []
        for part in _chunks(list(ids)):
            rows += self._ticket_rows(wp, self._posts.c.ID.in_(part))
        return rows

    def _line_rows(self, wp: Connection, *where: Any) -> list[dict]:
        statement = lines_statement(self._items, self._itemmeta, self._posts, self._orders, *where)
        rows = []
        for r in self._wp(wp, statement):
            row = dict(r._mapping)
            row["item_id"] = int(row["item_id"])
            for key in ("product_id", "variation_id", "qty", "line_total"):
                row[key] = None if row[key] is None else str(row[key])[:255]
            rows.append(row)
        return rows

    # -- app-state statements --------------------------------------------------------
    def _grouped(
        self, engine: Engine, keys: list[str], orders: list[str] | None = None
    ) -> tuple[list, list]:
        """The copy's tickets grouped exactly as ``WooCommerceHistory``'s statement groups
        them, and the line items of the same products (of ``orders`` only, when given)."""
        t, li = SITE_TICKETS.c, SITE_LINES.c
        group = [
            t.product_id,
            t.slot_id,
            t.date_id,
            t.slot_label,
            t.date_label,
            t.order_id,
            t.variation_id,
            t.status,
        ]
        if not keys:
            return [], []
        tickets_sql = (
            select(
                *group,
                func.min(t.created).label("created"),
                func.min(t.ticket_id).label("first_ticket"),
                func.count().label("tickets"),
            )
            .where(t.product_id.in_(bindparam("keys", expanding=True)))
            .group_by(*group)
        )
        lines_sql = select(
            li.item_id,
            li.order_ref,
            li.product_id,
            li.variation_id,
            li.qty,
            li.line_total,
            li.status,
        ).where(li.product_id.in_(bindparam("keys", expanding=True)))
        tickets: list = []
        lines: list = []
        try:
            with engine.connect() as conn:
                if orders is None:
                    tickets = conn.execute(tickets_sql, {"keys": keys}).all()
                    lines = conn.execute(lines_sql, {"keys": keys}).all()
                    return tickets, lines
                named = [o for o in orders if o]
                for part in _chunks(named):
                    tickets += conn.execute(
                        tickets_sql.where(t.order_id.in_(part)), {"keys": keys}
                    ).all()
                    lines += conn.execute(
                        lines_sql.where(li.order_ref.in_(part)), {"keys": keys}
                    ).all()
                if "" in orders:  # tickets that name no order
                    tickets += conn.execute(
                        tickets_sql.where(t.order_id.is_(None)), {"keys": keys}
                    ).all()
        except SQLAlchemyError as exc:
            raise SiteCopyUnavailable(_db_message(exc)) from None
        return tickets, lines

    def _cursor(self, engine: Engine) -> _Cursor | None:
        try:
            with engine.connect() as conn:
                r = conn.execute(select(SITE_CURSOR).where(SITE_CURSOR.c.name == SITE)).first()
        except SQLAlchemyError as exc:
            raise SiteCopyUnavailable(_db_message(exc)) from None
        if r is None:
            return None
        return _Cursor(
            int(r.last_ticket),
            int(r.last_item),
            aware_utc(r.started_at),
            aware_utc(r.built_at),
            aware_utc(r.since),
        )

    def progress_of_build(self) -> tuple[bool, int] | None:
        """(built, tickets copied) or None when nothing is copied yet (tests, benchmark)."""
        engine = self._state_engine()
        cursor = self._cursor(engine)
        if cursor is None:
            return None
        return cursor.built_at is not None, self._state_count(engine)

    def _state_ids(self, engine: Engine, column, key, values: list[str]) -> list[int]:
        out: list[int] = []
        try:
            with engine.connect() as conn:
                for part in _chunks(values):
                    out += [int(r[0]) for r in conn.execute(select(column).where(key.in_(part)))]
        except SQLAlchemyError as exc:
            raise SiteCopyUnavailable(_db_message(exc)) from None
        return out

    def _orders_of(self, engine: Engine, ticket_ids: list[int]) -> set[str]:
        """The orders the copy has these tickets under (before they are replaced)."""
        t = SITE_TICKETS.c
        out: set[str] = set()
        try:
            with engine.connect() as conn:
                for part in _chunks(ticket_ids):
                    out |= {
                        r[0] or ""
                        for r in conn.execute(select(t.order_id).where(t.ticket_id.in_(part)))
                    }
        except SQLAlchemyError as exc:
            raise SiteCopyUnavailable(_db_message(exc)) from None
        return out

    def _state_all_ids(self, engine: Engine) -> list[int]:
        try:
            with engine.connect() as conn:
                return [int(r[0]) for r in conn.execute(select(SITE_TICKETS.c.ticket_id))]
        except SQLAlchemyError as exc:
            raise SiteCopyUnavailable(_db_message(exc)) from None

    def _state_count(self, engine: Engine) -> int:
        try:
            with engine.connect() as conn:
                return int(conn.execute(select(func.count()).select_from(SITE_TICKETS)).scalar())
        except SQLAlchemyError as exc:
            raise SiteCopyUnavailable(_db_message(exc)) from None

    def _write(self, engine: Engine, work: Callable[[Connection], None]) -> None:
        try:
            with engine.begin() as conn:
                work(conn)
        except SQLAlchemyError as exc:
            raise SiteCopyUnavailable(_db_message(exc)) from None


@dataclass(frozen=True)
class _Memo:
    """The rows last worked out from the copy, with per row what replacing one order's
    rows and the live floor need."""

    frame: pd.DataFrame  # SALES_COLUMNS, one row per ticket group
    orders: np.ndarray  # each row's order_id as copied ("" for none)
    unresolved: np.ndarray  # each row's legacy seats counted under their product only
    fingerprint: int
    mark: tuple = ()

    @classmethod
    def of(cls, rows: list[dict], tickets: Sequence[Any], timezone: str, fingerprint: int):
        return cls(
            frame=sales_frame(rows, timezone),
            orders=np.array([t.order_id or "" for t in tickets], dtype=object),
            unresolved=np.array([r["_unresolved"] for r in rows], dtype=np.int64),
            fingerprint=fingerprint,
        )

    def replacing(self, orders: set[str], new: _Memo) -> _Memo:
        keep = ~pd.Series(self.orders, dtype=object).isin(orders).to_numpy()
        frame = pd.concat([self.frame[keep], new.frame], ignore_index=True)
        return replace(
            self,
            frame=frame,
            orders=np.concatenate([self.orders[keep], new.orders]),
            unresolved=np.concatenate([self.unresolved[keep], new.unresolved]),
        )

    def live_orders(self, settled: datetime) -> set[str]:
        """The orders with seats of shows not yet settled (starting after ``settled``, or
        with no known start)."""
        starts = self.frame["starts_at"]
        live = (unknown_cells(starts) | (starts >= pd.Timestamp(settled))).to_numpy()
        return set(self.orders[live].tolist())


def _fingerprint(keys, timezone, slot_dates, starts, titles) -> int:
    """What a row depends on besides its order's tickets and lines."""
    return hash(
        (
            tuple(keys),
            timezone,
            hashlib.sha256(
                pd.util.hash_pandas_object(slot_dates, index=False).to_numpy().tobytes()
            ).hexdigest(),
            frozenset((starts or {}).items()),
            frozenset((titles or {}).items()),
        )
    )


def _mark(cursor: _Cursor) -> tuple:
    """What changes whenever a server moves the copy on."""
    return (cursor.last_ticket, cursor.last_item, cursor.since)


def _cursor_row(c: _Cursor) -> dict[str, Any]:
    return {
        "name": SITE,
        "last_ticket": c.last_ticket,
        "last_item": c.last_item,
        "started_at": naive_utc(c.started_at, whole_seconds=True),
        "built_at": None if c.built_at is None else naive_utc(c.built_at, whole_seconds=True),
        "since": None if c.since is None else naive_utc(c.since, whole_seconds=True),
        "updated_at": naive_utc(clock.now()),
    }


def _cursor_update(**values: Any):
    values.pop("name", None)
    values.setdefault("updated_at", naive_utc(clock.now()))
    return update(SITE_CURSOR).where(SITE_CURSOR.c.name == SITE).values(**values)


def _insert(conn: Connection, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), ID_CHUNK):
        conn.execute(insert(table), rows[start : start + ID_CHUNK])


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), ID_CHUNK):
        yield values[start : start + ID_CHUNK]


def _stored_moment(value: Any) -> datetime | None:
    """A post's date as the copy keeps it: naive UTC, or None for WordPress's zero date
    (the full read makes both unknown: ``site_history._sold_at``)."""
    moment = aware_utc(value)
    return None if moment is None or moment.year < 1971 else naive_utc(moment)


def _db_message(exc: SQLAlchemyError) -> str:
    return (
        f"The app-state database failed while keeping the website's sales ({type(exc).__name__})."
    )
