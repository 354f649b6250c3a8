"""Live numbers from the club's WordPress database: tickets sold, pending and checked in per
product / slot / date, and the current stock, read-only and in a fixed number of statements.

Why it is built this way (docs/domain.md section 3): the old tool ran one query per slot/date and
showed single events as 0 sold. Here every number for every product comes from one grouped
statement over the FooEvents ticket posts (meta pivoted with ``MAX(CASE ...)`` per post, so
the ``meta_key`` and ``post_id`` indexes are used and no per-key self-join multiplies rows),
plus at most one statement for the tickets still waiting in pending / on-hold / processing
orders (legacy ``shop_order`` posts and HPOS ``wc_orders`` in one ``UNION ALL``). Legacy
tickets that carry only labels are resolved to slot/date ids in Python after the SQL, never
with extra queries. Every database failure becomes ``WordPressUnavailable`` with a message a
manager can act on and that never contains the database URL or password.
"""

from __future__ import annotations

import functools
import html
import json
import re
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from types import SimpleNamespace
from typing import Any, Literal

import pandas as pd
import phpserialize
from sqlalchemy import (
    Engine,
    Select,
    String,
    Subquery,
    Table,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.exc import SQLAlchemyError

from brcc_core.channels.fooevents import (
    FBOS_META_KEY,
    FBOS_PARSE_CACHE,
    forget_parsed_booking_options,
    parse_booking_options,
)
from brcc_core.channels.wp_tables import wordpress_metadata
from brcc_core.common.club import seat_number
from brcc_core.common.db_engines import DEFAULT_DEADLINE_SECONDS, database_engine, failure_reason
from brcc_core.common.values import known, unknown, whole_number

__all__ = [
    "SLOT_DATE_COLUMNS",
    "STOCK_COLUMNS",
    "TICKET_COLUMNS",
    "WordPressReader",
    "WordPressUnavailable",
    "slot_dates_from_fbos",
    "wordpress_engine",
]

TICKET_POST_TYPE = "event_magic_tickets"
ORDER_TICKETS_KEY = "WooCommerceEventsOrderTickets"

PRODUCT_KEY = "WooCommerceEventsProductID"
STATUS_KEY = "WooCommerceEventsStatus"
SLOT_ID_KEY = "WooCommerceEventsBookingSlotID"
DATE_ID_KEY = "WooCommerceEventsBookingDateID"
SLOT_KEY = "WooCommerceEventsBookingSlot"
DATE_KEY = "WooCommerceEventsBookingDate"
ORDER_ID_KEY = "WooCommerceEventsOrderID"
# Set on the order by FooEvents' create_tickets once the ticket posts exist.
TICKETS_GENERATED_KEY = "WooCommerceEventsTicketsGenerated"
BOOKING_OPTIONS_KEY = "WooCommerceEventsBookingOptions"

# A published ticket is sold unless FooEvents marks it with one of these (both spellings
# occur). "Checked In" is sold and attended.
NOT_SOLD_STATUSES: tuple[str, ...] = ("Canceled", "Cancelled", "Unpaid")
CHECKED_IN_STATUS = "Checked In"
# Orders that already hold booking stock but whose tickets live only in order meta. Both
# storages keep the "wc-" prefix (OrdersTableDataStore::get_db_row_from_order stores
# get_post_status(), the same value the legacy shop_order post gets).
PENDING_ORDER_STATUSES: tuple[str, ...] = ("wc-pending", "wc-on-hold", "wc-processing")

TICKET_COLUMNS = [
    "product_id",
    "slot_id",
    "date_id",
    "sold",
    "pending",
    "checked_in",
    "matched_by_label",
]
STOCK_COLUMNS = ["product_id", "manage_stock", "stock", "stock_status", "fbos"]
SLOT_DATE_COLUMNS = [
    "product_id",
    "slot_id",
    "slot_label",
    "formatted_time",
    "date_id",
    "date_label",
]

TICKET_META_KEYS: tuple[str, ...] = (
    PRODUCT_KEY,
    STATUS_KEY,
    SLOT_ID_KEY,
    DATE_ID_KEY,
    SLOT_KEY,
    DATE_KEY,
)

# WordPress core's index on wp_postmeta.meta_key (meta_key(191)).
META_KEY_INDEX = "meta_key"

OrderStorage = Literal["both", "legacy", "hpos"]
TicketQuery = Literal["auto", "per_ticket", "single_pass"]

# Which ticket statement pays depends on the share of ticket meta the per-ticket walk
# keeps: it reads each wanted ticket's whole meta set through the post_id index (FooEvents
# stores ~27 rows a ticket: attendee fields, ticket number...) and keeps the six ticket
# keys; the single pass reads only those six keys' rows through the meta_key index, at
# about 3x the cost a row (random primary-key lookups, then a sort by post). At 22% kept
# (the seeded large club: 114k of 516k rows) the single pass was 1.4-1.6x faster on
# MariaDB; break-even is near a third, so the single pass is used up to a quarter.
SINGLE_PASS_MAX_SHARE = 0.25
SHARE_SAMPLE_TICKETS = 100
# The share changes slowly (ticket meta has the same shape from sale to sale), so it is
# re-measured at most once an hour, riding on the ticket statement: the statement count
# of a load never changes.
TICKET_SHARE_TTL_SECONDS = 3600.0


class WordPressUnavailable(Exception):
    """The WordPress database could not be read. ``message`` is written for a manager and
    never holds the database URL or password."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------------------
# Empty frames with the right dtypes


def _empty_ticket_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_id": pd.Series([], dtype="Int64"),
            "slot_id": pd.Series([], dtype=object),
            "date_id": pd.Series([], dtype=object),
            "sold": pd.Series([], dtype="Int64"),
            "pending": pd.Series([], dtype="Int64"),
            "checked_in": pd.Series([], dtype="Int64"),
            "matched_by_label": pd.Series([], dtype="Int64"),
        }
    )


def _empty_stock_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_id": pd.Series([], dtype="Int64"),
            "manage_stock": pd.Series([], dtype=bool),
            "stock": pd.Series([], dtype="Int64"),
            "stock_status": pd.Series([], dtype=object),
            "fbos": pd.Series([], dtype=object),
            "stock_error": pd.Series([], dtype=object),
        }
    )


def _empty_slot_date_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_id": pd.Series([], dtype="Int64"),
            **{c: pd.Series([], dtype=object) for c in SLOT_DATE_COLUMNS[1:]},
        }
    )


# ---------------------------------------------------------------------------------------
# Small value helpers


def _text(value: Any) -> str | None:
    """A stripped non-empty string, or None (meta values may be NULL, '' or non-strings)."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    s = str(value).strip()
    return s or None


def _norm(label: str | None) -> str:
    """Label text as compared for legacy matching: entities decoded, spaces collapsed,
    case folded (ticket meta and FBOS may differ in exactly these)."""
    if not label:
        return ""
    return " ".join(html.unescape(label).split()).casefold()


_TIME = re.compile(r"^\(?\s*(\d{1,2}):(\d{2})\s*(.*?)\s*\)?$")


def _formatted_times(slot: Mapping[str, Any]) -> list[str]:
    """The time texts FooEvents may have put after the label in a ticket's
    ``WooCommerceEventsBookingSlot``: the stored ``formatted_time`` and the one
    ``process_booking_options`` rebuilds from hour/minute/period."""
    out: list[str] = []
    stored = _text(slot.get("formatted_time"))
    if stored:
        out.append(stored)
    hour, minute = _text(slot.get("hour")), _text(slot.get("minute"))
    if slot.get("add_time") == "enabled" and hour and minute:
        period = _text(slot.get("period"))
        rebuilt = f"({hour}:{minute}{' ' + period if period else ''})"
        if rebuilt not in out:
            out.append(rebuilt)
    return out


def _fbos_slot_dates(product_id: int, value: str | None) -> Iterator[dict[str, Any]]:
    """Slot/date rows of one FBOS string, read by ``fooevents.parse_booking_options`` (the
    one reader of FooEvents' slot walk), with each slot's time texts taken from the stored
    slot. Raises ValueError (BookingOptionsError) when the blob cannot be read."""
    if value is None or not str(value).strip():
        return
    decoded = json.loads(value)
    # The stored slot, not the processed one: its own formatted_time may be the stale text a
    # legacy ticket still carries.
    raw_slots = decoded if isinstance(decoded, dict) else {}
    for slot_date in parse_booking_options(decoded):
        raw = raw_slots.get(slot_date.slot_id)
        times = _formatted_times(raw) if isinstance(raw, Mapping) else []
        yield {
            "product_id": product_id,
            "slot_id": slot_date.slot_id,
            "slot_label": _text(slot_date.slot_label),
            "formatted_time": "|".join(times) or None,
            "date_id": slot_date.date_id,
            "date_label": _text(slot_date.date_label),
        }


def slot_dates_from_fbos(stock: pd.DataFrame) -> pd.DataFrame:
    """Slot/date table (``SLOT_DATE_COLUMNS``) from the frame ``current_stock`` returns, for
    resolving legacy tickets by label. A product whose FBOS cannot be read contributes no
    rows (its legacy tickets then stay unresolved, counted under null ids)."""
    rows: list[dict[str, Any]] = []
    for product_id, fbos in zip(stock["product_id"], stock["fbos"], strict=True):
        if unknown(product_id):
            continue
        try:
            rows.extend(_fbos_slot_dates(int(product_id), fbos if isinstance(fbos, str) else None))
        except ValueError:
            continue
    if not rows:
        return _empty_slot_date_frame()
    frame = pd.DataFrame(rows, columns=SLOT_DATE_COLUMNS)
    frame["product_id"] = frame["product_id"].astype("Int64")
    return frame


def _slot_time_to_formatted(slot_time: str | None) -> str | None:
    """``"8:00 p.m."`` (brcc_core.channels.fooevents.SlotDate.slot_time) → ``"(08:00 p.m.)"``."""
    m = _TIME.match(slot_time or "")
    if not m:
        return None
    hour, minute, period = m.groups()
    return f"({int(hour):02d}:{minute}{' ' + period if period else ''})"


def _slot_dates_frame(
    slot_dates: pd.DataFrame | Mapping[int, Iterable[Any]],
) -> pd.DataFrame:
    """Normalise the caller's ``slot_dates`` to ``SLOT_DATE_COLUMNS``."""
    if isinstance(slot_dates, pd.DataFrame):
        if "fbos" in slot_dates.columns:
            return slot_dates_from_fbos(slot_dates)
        frame = slot_dates.copy()
        if "formatted_time" not in frame.columns:
            frame["formatted_time"] = None
        return frame[SLOT_DATE_COLUMNS]
    rows = []
    for product_id, items in slot_dates.items():
        for sd in items:
            ft = getattr(sd, "formatted_time", None) or _slot_time_to_formatted(
                getattr(sd, "slot_time", None)
            )
            rows.append(
                {
                    "product_id": int(product_id),
                    "slot_id": sd.slot_id,
                    "slot_label": sd.slot_label,
                    "formatted_time": ft,
                    "date_id": sd.date_id,
                    "date_label": sd.date_label,
                }
            )
    return pd.DataFrame(rows, columns=SLOT_DATE_COLUMNS) if rows else _empty_slot_date_frame()


def _label_entries(rows: Iterable[Any]) -> Iterator[tuple[int, str, str, tuple[str, str]]]:
    """(product, slot text, date text, (slot id, date id)) for each text a slot/date row
    may be named by: the label alone or ``"<label> <formatted time>"``, the two forms
    FooEvents writes."""
    for row in rows:
        if unknown(row.product_id) or not row.slot_id or not row.date_id:
            continue
        label = _text(row.slot_label) or ""
        date_label = _norm(_text(row.date_label))
        if not date_label:
            continue
        texts = {_norm(label)} if label else set()
        times = row.formatted_time if isinstance(row.formatted_time, str) else ""
        for ft in filter(None, times.split("|")):
            texts.add(_norm(f"{label} {ft}"))
            texts.add(_norm(f"{label} ({ft.strip('()')})"))
        for t in texts:
            if t:
                yield int(row.product_id), t, date_label, (str(row.slot_id), str(row.date_id))


def _label_index(slot_dates: pd.DataFrame) -> dict[tuple[int, str, str], set[tuple[str, str]]]:
    """(product, slot text, date text) → the slot/date ids it may name."""
    index: dict[tuple[int, str, str], set[tuple[str, str]]] = {}
    for product_id, slot_text, date_text, ids in _label_entries(slot_dates.itertuples(index=False)):
        index.setdefault((product_id, slot_text, date_text), set()).add(ids)
    return index


@functools.lru_cache(maxsize=FBOS_PARSE_CACHE)
def _fbos_labels(value: str) -> dict[tuple[str, str], frozenset[tuple[str, str]]]:
    """(slot text, date text) → slot/date ids of one FBOS text; kept per text, which
    changes only when its product sells or is changed. ValueError when unreadable."""
    rows = [SimpleNamespace(**row) for row in _fbos_slot_dates(0, value)]
    index: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for _product, slot_text, date_text, ids in _label_entries(rows):
        index.setdefault((slot_text, date_text), set()).add(ids)
    return {key: frozenset(found) for key, found in index.items()}


def forget_parsed_fbos() -> None:
    """Parse every FBOS text again: for benchmarks timing a read as it was before."""
    forget_parsed_booking_options()
    _fbos_labels.cache_clear()


class _LegacyLabels:
    """Finds the slot/date a legacy ticket (labels, no ids) names, building only what the
    tickets ask for: from ``current_stock``'s frame, one product's FBOS at a time."""

    def __init__(self, slot_dates: pd.DataFrame | Mapping[int, Iterable[Any]] | None) -> None:
        self._source = slot_dates
        self._fbos: dict[int, str | None] | None = None
        if isinstance(slot_dates, pd.DataFrame) and "fbos" in slot_dates.columns:
            self._fbos = {
                int(product): (fbos if isinstance(fbos, str) else None)
                for product, fbos in zip(slot_dates["product_id"], slot_dates["fbos"], strict=True)
                if known(product)
            }
        self._index: dict[tuple[int, str, str], set[tuple[str, str]]] | None = None

    def find(self, product_id: int, slot_text: str, date_text: str) -> Collection[tuple[str, str]]:
        if self._source is None:
            return ()
        if self._fbos is not None:
            fbos = self._fbos.get(product_id)
            if fbos is None or not fbos.strip():
                return ()
            try:
                return _fbos_labels(fbos).get((slot_text, date_text), ())
            except ValueError:  # unreadable FBOS: its legacy tickets stay unresolved
                return ()
        if self._index is None:
            self._index = _label_index(_slot_dates_frame(self._source))
        return self._index.get((product_id, slot_text, date_text), ())


def _unserialize(value: str) -> Any:
    """``maybe_unserialize`` of an order meta value (PHP-serialized, UTF-8 byte lengths);
    a value WordPress double-serialized is unwrapped once more."""
    data = phpserialize.loads(
        value.encode("utf-8"), decode_strings=True, object_hook=phpserialize.phpobject
    )
    if isinstance(data, str) and data[:2] in ("a:", "s:"):
        data = phpserialize.loads(
            data.encode("utf-8"), decode_strings=True, object_hook=phpserialize.phpobject
        )
    return data


def _order_tickets(node: Any) -> Iterator[Mapping[str, Any]]:
    """Every ticket in FooEvents' ``[$x][$y]`` order-tickets array (walked generically, so
    a flatter or deeper nesting still counts each ticket exactly once)."""
    if isinstance(node, Mapping):
        if PRODUCT_KEY in node:
            yield node
            return
        for child in node.values():
            yield from _order_tickets(child)
    elif isinstance(node, list):
        for child in node:
            yield from _order_tickets(child)


def _booking_ids(ticket: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """Slot/date ids of an order-meta ticket. FooEvents stores ``{slot, slot_label, date,
    date_label}`` with ids in ``slot``/``date``; rescheduling tools add ``slot_id``/``date_id``
    (and may put labels in ``slot``), so those win when present."""
    opts = ticket.get(BOOKING_OPTIONS_KEY)
    if not isinstance(opts, Mapping):
        return None, None
    slot_id = _text(opts.get("slot_id")) or _text(opts.get("slot"))
    date_id = _text(opts.get("date_id")) or _text(opts.get("date"))
    if not slot_id or not date_id:
        return None, None
    return slot_id, date_id


# ---------------------------------------------------------------------------------------
# Errors


_NO_SUCH_INDEX = 1176  # "Key 'meta_key' doesn't exist in table" (an index hint)


def _unavailable(exc: SQLAlchemyError, engine: Engine | None = None) -> WordPressUnavailable:
    """A manager-readable error from a database failure. Built from the error code and
    class only: the driver's text can quote SQL, host names or user names."""
    orig = getattr(exc, "orig", None)
    code = orig.args[0] if orig is not None and orig.args else None
    detail = str(orig).lower() if orig is not None and isinstance(code, str) else ""
    reason = failure_reason(exc, engine)
    if reason is None and (code == 1146 or "no such table" in detail):
        reason = "the WordPress tables were not found; check the table prefix setting"
    elif reason is None and (code == 1054 or "no such column" in detail):
        reason = "the WordPress tables do not have the expected columns"
    elif reason is None:
        reason = f"the database reported an error ({type(exc).__name__})"
    return WordPressUnavailable(f"Live WordPress numbers are unavailable: {reason}.")


# ---------------------------------------------------------------------------------------
# The reader


def wordpress_engine(url: str, *, deadline_seconds: float = DEFAULT_DEADLINE_SECONDS) -> Engine:
    """An engine for the club's WordPress database: a stopped server is reported within
    seconds, and a statement the server does not answer ends after ``deadline_seconds``
    (``brcc_core.common.db_engines``)."""
    return database_engine(url, deadline_seconds=deadline_seconds)


# The columns each order storage names differently: (order id, type, status, last change,
# the meta table's order column, the meta row id).
_ORDER_COLUMNS = {
    "posts": ("ID", "post_type", "post_status", "post_modified_gmt", "post_id", "meta_id"),
    "hpos": ("id", "type", "status", "date_updated_gmt", "order_id", "id"),
}


def _pending_orders(storage: str, orders: Any, tickets: Any, generated: Any) -> Select:
    """Order-ticket blobs of one storage's pending orders (legacy posts or HPOS tables), with
    FooEvents' "tickets generated" flag; ``tickets`` and ``generated`` alias its meta table."""
    id_, type_, status, modified, owner, meta_id = _ORDER_COLUMNS[storage]
    order_id = orders.c[id_]
    return (
        select(
            order_id.label("order_id"),
            tickets.c[meta_id].label("meta_id"),
            tickets.c.meta_value.label("tickets"),
            generated.c.meta_value.label("generated"),
            literal(storage).label("storage"),
            type_coerce(orders.c[modified], String).label("modified"),
        )
        .select_from(
            orders.join(
                tickets,
                and_(tickets.c[owner] == order_id, tickets.c.meta_key == ORDER_TICKETS_KEY),
            ).outerjoin(
                generated,
                and_(generated.c[owner] == order_id, generated.c.meta_key == TICKETS_GENERATED_KEY),
            )
        )
        .where(orders.c[type_] == "shop_order", orders.c[status].in_(PENDING_ORDER_STATUSES))
    )


# (meta key, column) of the ticket meta a listing's counts are made of.
LISTING_PIVOT: tuple[tuple[str, str], ...] = (
    (PRODUCT_KEY, "product_id"),
    (STATUS_KEY, "status"),
    (SLOT_ID_KEY, "slot_id"),
    (DATE_ID_KEY, "date_id"),
    (SLOT_KEY, "slot_label"),
    (DATE_KEY, "date_label"),
)

# What tells one listing from another in the pivoted ticket rows (LISTING_PIVOT less status).
TICKET_LISTING_COLUMNS = ("product_id", "slot_id", "date_id", "slot_label", "date_label")


def listing_columns(per_ticket: Any) -> list:
    """The ``TICKET_LISTING_COLUMNS`` of a pivoted ticket subquery, to select and group by."""
    return [per_ticket.c[name] for name in TICKET_LISTING_COLUMNS]


def ticket_pivot(
    posts: Table,
    postmeta: Table,
    columns: Sequence[tuple[str, str]],
    *,
    extra: Sequence[Any] = (),
    bounded: bool = False,
) -> Subquery:
    """One row per published ticket post of the products in the ``product_keys`` bind
    parameter (product ids as meta text): ``ticket_id``, the ``extra`` columns, then each
    ``(meta key, name)`` of ``columns`` pivoted from the ticket's meta. The per-ticket walk:
    each wanted ticket's meta through the ``post_id`` index. ``bounded`` casts the pivoted
    values to VARCHAR(255): grouping on LONGTEXT sends MariaDB to an on-disk temporary
    table (28 s instead of 0.3 s for a year of club tickets)."""
    p, m = posts, postmeta

    def pivot(key: str, name: str):
        value = func.max(case((m.c.meta_key == key, m.c.meta_value)))
        return (cast(value, String(255)) if bounded else value).label(name)

    wanted = select(m.c.post_id).where(
        m.c.meta_key == PRODUCT_KEY,
        m.c.meta_value.in_(bindparam("product_keys", expanding=True)),
    )
    keys = [key for key, _name in columns]
    return (
        select(p.c.ID.label("ticket_id"), *extra, *(pivot(k, n) for k, n in columns))
        .select_from(p.join(m, and_(m.c.post_id == p.c.ID, m.c.meta_key.in_(keys))))
        .where(
            p.c.post_type == TICKET_POST_TYPE,
            p.c.post_status == "publish",
            p.c.ID.in_(wanted),
        )
        .group_by(p.c.ID)
        .subquery("t")
    )


class WordPressReader:
    """Read-only access to the live WordPress numbers in a fixed number of statements per
    call whatever the catalog size: ``current_stock`` 1; ``ticket_counts`` 2 (1 without
    pending), plus 1 when tickets were already sent for a pending order, plus 1 when legacy
    tickets need the FBOS and no ``slot_dates`` was given (pass the ``current_stock`` frame:
    a render then costs 3 statements in all). ``statements`` counts the statements this
    reader has run, so tests and the benchmark can prove it; ``warnings`` lists, for the
    last call, data that could not be read (an undecodable order), in a manager's words.

    ``order_storage`` says where WooCommerce keeps orders: ``"both"`` (default; HPOS rows
    win over synced legacy posts), ``"legacy"`` (no HPOS tables on the site) or ``"hpos"``.
    """

    def __init__(
        self,
        engine: Engine,
        table_prefix: str = "wp_",
        *,
        order_storage: OrderStorage = "both",
        ticket_query: TicketQuery = "auto",
    ) -> None:
        if order_storage not in ("both", "legacy", "hpos"):
            raise ValueError(f"order_storage must be both, legacy or hpos, not {order_storage!r}")
        if ticket_query not in ("auto", "per_ticket", "single_pass"):
            raise ValueError(
                f"ticket_query must be auto, per_ticket or single_pass, not {ticket_query!r}"
            )
        self.engine = engine
        self.table_prefix = table_prefix
        self.order_storage = order_storage
        self.ticket_query = ticket_query
        self.statements = 0
        self.warnings: list[str] = []
        # (share of ticket meta in wp_postmeta, when measured); see ``_ticket_statement``.
        self._share: tuple[float, float] | None = None
        self._single_pass_possible = True
        # Decoded pending orders: (storage, order id) -> (version, [(product, slot, date)]
        # or None when unreadable). Only orders still pending are kept.
        self._decoded: dict[tuple[str, int], tuple[tuple, list | None]] = {}
        self._decode_lock = threading.Lock()
        self.orders_decoded = 0  # orders actually unserialized (the rest came from cache)
        tables = wordpress_metadata(table_prefix).tables
        self._posts = tables[f"{table_prefix}posts"]
        self._postmeta = tables[f"{table_prefix}postmeta"]
        self._orders = tables[f"{table_prefix}wc_orders"]
        self._orders_meta = tables[f"{table_prefix}wc_orders_meta"]
        self._tickets_sql = self._build_tickets_statement()
        self._tickets_single_pass_sql = self._build_tickets_single_pass_statement()
        self._share_columns = self._build_share_columns()
        self._pending_sql = self._build_pending_statement()
        self._sold_orders_sql = self._build_sold_orders_statement()
        self._stock_sql = self._build_stock_statement()

    # -- statements -------------------------------------------------------------------

    def _build_tickets_statement(self):
        """Published tickets of the wanted products, grouped by product, slot/date ids and
        labels (labels only matter for legacy tickets without ids)."""
        per_ticket = ticket_pivot(self._posts, self._postmeta, LISTING_PIVOT)
        return self._tickets_by_listing(per_ticket)

    def _build_tickets_single_pass_statement(self):
        """The same rows as ``_build_tickets_statement`` from one pass over the ticket keys'
        meta rows (``meta_key`` index), grouped by post before the posts are joined, so no
        ticket's other meta (attendee fields, ~18 rows a ticket) is read."""
        p, m = self._posts, self._postmeta

        def pivot(key: str, name: str):
            return func.max(case((m.c.meta_key == key, m.c.meta_value))).label(name)

        product = func.max(case((m.c.meta_key == PRODUCT_KEY, m.c.meta_value)))
        grouped = (
            select(
                m.c.post_id.label("ticket_id"),
                product.label("product_id"),
                pivot(STATUS_KEY, "status"),
                pivot(SLOT_ID_KEY, "slot_id"),
                pivot(DATE_ID_KEY, "date_id"),
                pivot(SLOT_KEY, "slot_label"),
                pivot(DATE_KEY, "date_label"),
            )
            .where(m.c.meta_key.in_(TICKET_META_KEYS))
            .group_by(m.c.post_id)
            .having(product.in_(bindparam("product_keys", expanding=True)))
            # MariaDB otherwise walks post_id in order (to skip the sort), reading every
            # row of the table; the range over the six keys is the point of this shape.
            .with_hint(m, f"FORCE INDEX ({META_KEY_INDEX})", "mysql")
            .with_hint(m, f"FORCE INDEX ({META_KEY_INDEX})", "mariadb")
            # Sort the 114k rows by post rather than grouping them in a temporary table:
            # the pivoted LONGTEXT values send that table to disk (0.78 s against 0.41 s
            # on the seeded large club, MariaDB 10.11, the statement alone).
            .prefix_with("SQL_BIG_RESULT", dialect="mysql")
            .prefix_with("SQL_BIG_RESULT", dialect="mariadb")
            .subquery("g")
        )
        g = grouped.c
        per_ticket = (
            select(g)
            # "+ 0": a join on the bare grouping column lets MariaDB split the derived
            # table per post ("LATERAL DERIVED"), i.e. back into the per-ticket walk.
            .select_from(grouped.join(p, g.ticket_id + 0 == p.c.ID))
            .where(p.c.post_type == TICKET_POST_TYPE, p.c.post_status == "publish")
            .subquery("t")
        )
        return self._tickets_by_listing(per_ticket)

    @staticmethod
    def _tickets_by_listing(per_ticket):
        t = per_ticket.c
        sold = func.sum(case((func.coalesce(t.status, "").in_(NOT_SOLD_STATUSES), 0), else_=1))
        checked_in = func.sum(case((t.status == CHECKED_IN_STATUS, 1), else_=0))
        listing = listing_columns(per_ticket)
        return select(*listing, sold.label("sold"), checked_in.label("checked_in")).group_by(
            *listing
        )

    def _build_share_columns(self):
        """Meta rows of the newest ``SHARE_SAMPLE_TICKETS`` ticket posts, and how many of
        them are the six ticket keys: what the per-ticket statement reads for a ticket
        against what it keeps. Two uncorrelated scalar subqueries over a handful of posts
        (``post_id`` index), cheap enough to ride on the ticket statement."""
        p, m = self._posts, self._postmeta
        newest = (
            select(p.c.ID)
            .where(p.c.post_type == TICKET_POST_TYPE)
            .order_by(p.c.ID.desc())
            .limit(SHARE_SAMPLE_TICKETS)
            .subquery("sample")
        )
        # The extra derived table: MySQL refuses LIMIT directly inside IN (...).
        sample_ids = select(newest.c.ID)
        kept = func.sum(case((m.c.meta_key.in_(TICKET_META_KEYS), 1), else_=0))
        sampled = m.c.post_id.in_(sample_ids)
        return (
            select(kept).where(sampled).scalar_subquery().label("sample_kept"),
            select(func.count()).where(sampled).scalar_subquery().label("sample_read"),
        )

    def _build_sold_orders_statement(self):
        """Which of the given orders (ids as meta text) already have sold ticket posts.
        Only run for pending orders FooEvents flagged ``WooCommerceEventsTicketsGenerated``
        (tickets sent on processing / on-hold): one pass over the ticket order-id meta,
        since ``meta_value`` has no index to look an order up by."""
        tk, tko, tks = self._posts, self._postmeta.alias("tko"), self._postmeta.alias("tks")
        return (
            select(tko.c.meta_value.label("order_ref"))
            .distinct()
            .select_from(
                tk.join(
                    tko,
                    and_(
                        tko.c.post_id == tk.c.ID,
                        tko.c.meta_key == ORDER_ID_KEY,
                        tko.c.meta_value.in_(bindparam("order_refs", expanding=True)),
                    ),
                ).outerjoin(tks, and_(tks.c.post_id == tk.c.ID, tks.c.meta_key == STATUS_KEY))
            )
            .where(
                tk.c.post_type == TICKET_POST_TYPE,
                tk.c.post_status == "publish",
                func.coalesce(tks.c.meta_value, "").not_in(NOT_SOLD_STATUSES),
            )
        )

    def _build_pending_statement(self):
        """Order-ticket blobs of pending / on-hold / processing orders from both storages,
        with FooEvents' "tickets generated" flag; a legacy order that HPOS also holds is
        left to the HPOS row (HPOS is authoritative when both storages are synced)."""
        o, om, og = self._posts.alias("o"), self._postmeta.alias("om"), self._postmeta.alias("og")
        h, hm, hg = self._orders, self._orders_meta, self._orders_meta.alias("hg")
        legacy = _pending_orders("posts", o, om, og)
        if self.order_storage == "both":
            legacy = legacy.where(~exists(select(h.c.id).where(h.c.id == o.c.ID)))
        hpos = _pending_orders("hpos", h, hm, hg)
        if self.order_storage == "legacy":
            return legacy
        if self.order_storage == "hpos":
            return hpos
        return union_all(legacy, hpos)

    def _build_stock_statement(self):
        p, m = self._posts, self._postmeta
        keys = ["_manage_stock", "_stock", "_stock_status", FBOS_META_KEY]

        def pivot(key: str, name: str):
            return func.max(case((m.c.meta_key == key, m.c.meta_value))).label(name)

        return (
            select(
                p.c.ID.label("product_id"),
                pivot("_manage_stock", "manage_stock"),
                pivot("_stock", "stock"),
                pivot("_stock_status", "stock_status"),
                pivot(FBOS_META_KEY, "fbos"),
            )
            .select_from(p.outerjoin(m, and_(m.c.post_id == p.c.ID, m.c.meta_key.in_(keys))))
            .where(p.c.ID.in_(bindparam("product_ids", expanding=True)))
            .group_by(p.c.ID)
        )

    def _run(self, conn, statement, **params) -> list[Any]:
        self.statements += 1
        return conn.execute(statement, params).all()

    # -- public API -------------------------------------------------------------------

    def current_stock(self, product_ids: Sequence[int]) -> pd.DataFrame:
        """Per product: ``manage_stock`` (bool), ``stock`` (WooCommerce ``_stock``, Int64,
        NA when unset), ``stock_status`` and ``fbos`` (the raw FBOS string), in ONE
        statement, so remaining stock is live without an API call. Ids with no post are
        absent from the frame."""
        self.warnings = []
        ids = sorted({int(i) for i in product_ids})
        if not ids:
            return _empty_stock_frame()
        try:
            with self.engine.connect() as conn:
                rows = self._run(conn, self._stock_sql, product_ids=ids)
        except SQLAlchemyError as exc:
            raise _unavailable(exc, self.engine) from exc
        return self._stock_frame(rows)

    @staticmethod
    def _stock_frame(rows: list[Any]) -> pd.DataFrame:
        if not rows:
            return _empty_stock_frame()
        stocks = [seat_number(_text(r.stock), "_stock", negative_ok=True) for r in rows]
        frame = pd.DataFrame(
            {
                "product_id": pd.array([int(r.product_id) for r in rows], dtype="Int64"),
                "manage_stock": [_text(r.manage_stock) == "yes" for r in rows],
                "stock": pd.array([number for number, _ in stocks], dtype="Int64"),
                "stock_status": pd.Series([_text(r.stock_status) for r in rows], dtype=object),
                "fbos": pd.Series(
                    [r.fbos if isinstance(r.fbos, str) else None for r in rows], dtype=object
                ),
                # why a _stock that is set is not used (1e30, "NaN"): remaining is unknown
                "stock_error": pd.Series([why for _, why in stocks], dtype=object),
            }
        )
        return frame.sort_values("product_id", ignore_index=True)

    def ticket_counts(
        self,
        product_ids: Sequence[int],
        slot_dates: pd.DataFrame | Mapping[int, Iterable[Any]] | None = None,
        *,
        include_pending: bool = True,
    ) -> pd.DataFrame:
        """Sold, pending and checked-in tickets per product / slot id / date id
        (``TICKET_COLUMNS``; single events and unresolvable legacy tickets under null ids).

        ``slot_dates`` maps legacy tickets (labels, no ids) to ids: the frame
        ``current_stock`` returned (its FBOS is parsed), a ``SLOT_DATE_COLUMNS`` frame, or
        ``{product_id: [SlotDate-like]}``. Left None, the FBOS is read with one more
        statement, and only when such legacy tickets exist. ``matched_by_label`` counts
        the row's sold tickets that were matched by label.

        Statements: 1 for the tickets, 1 for pending orders (skipped with
        ``include_pending=False``), plus 1 only when a pending order already has its tickets
        generated (FooEvents sending tickets on processing): an order whose ticket posts sell
        the seats is counted as sold, not also as pending; one whose posts are all Unpaid or
        cancelled stays pending.
        """
        self.warnings = []
        ids = sorted({int(i) for i in product_ids})
        if not ids:
            return _empty_ticket_frame()
        try:
            with self.engine.connect() as conn:
                ticket_rows = self._ticket_rows(conn, [str(i) for i in ids])
                pending = self._pending_orders(
                    self._run(conn, self._pending_sql) if include_pending else []
                )
                flagged = sorted(o for o, r in pending.items() if _text(r.generated) == "yes")
                if flagged:
                    # Tickets already sent for these orders: posts that sell the seats are
                    # counted above, so such an order is not pending too.
                    refs = self._run(
                        conn, self._sold_orders_sql, order_refs=[str(o) for o in flagged]
                    )
                    for r in refs:
                        pending.pop(whole_number(r.order_ref), None)
                needs_labels = slot_dates is None and any(
                    not (_text(r.slot_id) and _text(r.date_id))
                    and (_text(r.slot_label) or _text(r.date_label))
                    for r in ticket_rows
                )
                if needs_labels:
                    stock_rows = self._run(conn, self._stock_sql, product_ids=ids)
                    slot_dates = self._stock_frame(stock_rows)
        except SQLAlchemyError as exc:
            raise _unavailable(exc, self.engine) from exc

        counts: dict[tuple[int, str | None, str | None], list[int]] = {}

        def bucket(key: tuple[int, str | None, str | None]) -> list[int]:
            # sold, pending, checked_in, matched_by_label
            return counts.setdefault(key, [0, 0, 0, 0])

        labels = _LegacyLabels(slot_dates)
        for r in ticket_rows:
            product_id = whole_number(r.product_id)
            if product_id is None:
                continue
            slot_id, date_id = _text(r.slot_id), _text(r.date_id)
            by_label = False
            if not (slot_id and date_id):
                slot_id = date_id = None
                slot_text, date_text = _norm(_text(r.slot_label)), _norm(_text(r.date_label))
                if slot_text or date_text:
                    found = labels.find(product_id, slot_text, date_text)
                    if len(found) == 1:
                        (slot_id, date_id), by_label = next(iter(found)), True
            b = bucket((product_id, slot_id, date_id))
            b[0] += int(r.sold or 0)
            b[2] += int(r.checked_in or 0)
            if by_label:
                b[3] += int(r.sold or 0)

        wanted = set(ids)
        for product_id, slot_id, date_id in self._pending_tickets(pending):
            if product_id not in wanted:
                continue
            bucket((product_id, slot_id, date_id))[1] += 1

        if not counts:
            return _empty_ticket_frame()
        keys = sorted(counts, key=lambda k: (k[0], k[1] is None, k[1] or "", k[2] or ""))
        return pd.DataFrame(
            {
                "product_id": pd.array([k[0] for k in keys], dtype="Int64"),
                "slot_id": pd.Series([k[1] for k in keys], dtype=object),
                "date_id": pd.Series([k[2] for k in keys], dtype=object),
                "sold": pd.array([counts[k][0] for k in keys], dtype="Int64"),
                "pending": pd.array([counts[k][1] for k in keys], dtype="Int64"),
                "checked_in": pd.array([counts[k][2] for k in keys], dtype="Int64"),
                "matched_by_label": pd.array([counts[k][3] for k in keys], dtype="Int64"),
            }
        )

    @staticmethod
    def _pending_orders(rows: list[Any]) -> dict[int, Any]:
        """One row per pending order: the first ``WooCommerceEventsOrderTickets`` row
        (``get_meta($key, true)`` semantics), an HPOS row before a legacy one."""
        chosen: dict[int, Any] = {}
        for r in sorted(rows, key=lambda r: (r.storage != "hpos", r.meta_id)):
            chosen.setdefault(int(r.order_id), r)
        return chosen

    def _ticket_statement(self):
        """The ticket statement for this database: ``ticket_query`` when set, else the
        single pass when the sampled share of ticket meta the per-ticket walk keeps is at
        most ``SINGLE_PASS_MAX_SHARE``. The sample rides on the ticket statement itself
        (``_build_share_columns``) when it is due, so a load costs the same statements
        either way; until it is known the per-ticket statement is used."""
        if self.ticket_query == "single_pass" and self._single_pass_possible:
            return self._tickets_single_pass_sql
        if self.ticket_query == "per_ticket" or not self._single_pass_possible:
            return self._tickets_sql
        cached = self._share
        if cached is None or time.monotonic() - cached[1] >= TICKET_SHARE_TTL_SECONDS:
            base = self._tickets_single_pass_sql if self.uses_single_pass else self._tickets_sql
            return base.add_columns(*self._share_columns)
        return self._tickets_single_pass_sql if self.uses_single_pass else self._tickets_sql

    def _ticket_rows(self, conn, product_keys: list[str]) -> list[Any]:
        statement = self._ticket_statement()
        try:
            rows = self._run(conn, statement, product_keys=product_keys)
        except SQLAlchemyError as exc:
            orig = getattr(exc, "orig", None)
            if not (orig is not None and orig.args and orig.args[0] == _NO_SUCH_INDEX):
                raise
            # A site whose wp_postmeta lost WordPress's meta_key index (renamed by an
            # indexing plugin): the per-ticket statement needs only post_id.
            self._single_pass_possible = False
            conn.rollback()
            rows = self._run(conn, self._ticket_statement(), product_keys=product_keys)
        self._remember_share(rows)
        return rows

    def _remember_share(self, rows: list[Any]) -> None:
        if not rows or "sample_read" not in rows[0]._fields or not rows[0].sample_read:
            return
        share = int(rows[0].sample_kept or 0) / int(rows[0].sample_read)
        self._share = (share, time.monotonic())

    @property
    def ticket_meta_share(self) -> float | None:
        """Sampled share (0..1) of a ticket's meta rows that are the six ticket keys, None
        before the first measurement (or with ``ticket_query`` forced)."""
        return None if self._share is None else self._share[0]

    @property
    def uses_single_pass(self) -> bool:
        """Whether the next ticket statement is the single pass."""
        if self.ticket_query != "auto" or not self._single_pass_possible:
            return self.ticket_query == "single_pass" and self._single_pass_possible
        return self._share is not None and self._share[0] <= SINGLE_PASS_MAX_SHARE

    def _pending_tickets(
        self, orders: dict[int, Any]
    ) -> Iterator[tuple[int | None, str | None, str | None]]:
        """(product, slot id, date id) of every ticket in the pending orders' PHP-serialized
        ticket lists. Each order is decoded once per version (its modified time, meta row
        and length), so a rerun decodes only orders that changed; an order whose list cannot
        be read is reported in ``warnings`` instead of silently dropped."""
        with self._decode_lock:
            previous = self._decoded
            current: dict[tuple[str, int], tuple[tuple, list | None]] = {}
            for order_id, r in sorted(orders.items()):
                if not isinstance(r.tickets, str) or not r.tickets.strip():
                    continue
                key = (r.storage, order_id)
                version = (str(getattr(r, "modified", None)), r.meta_id, len(r.tickets))
                known = previous.get(key)
                if known is not None and known[0] == version:
                    current[key] = known
                else:
                    current[key] = (version, self._decode_order(r.tickets))
                    self.orders_decoded += 1
            self._decoded = current
        for (_storage, order_id), (_version, tickets) in sorted(
            current.items(), key=lambda kv: kv[0][1]
        ):
            if tickets is None:
                self.warnings.append(
                    f"Order {order_id}: its ticket list could not be read, so its pending "
                    "tickets are not counted."
                )
                continue
            yield from tickets

    @staticmethod
    def _decode_order(value: str) -> list[tuple[int | None, str | None, str | None]] | None:
        try:
            data = _unserialize(value)
        except (ValueError, TypeError, UnicodeError):
            return None
        return [(whole_number(t.get(PRODUCT_KEY)), *_booking_ids(t)) for t in _order_tickets(data)]
