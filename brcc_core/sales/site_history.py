"""Sales over time from the systems of record: when each seat was sold, at what price, and
whether it was cancelled or checked in, for both channels, as one frame (``SALES_COLUMNS``).

WooCommerce/FooEvents comes straight from the WordPress database, read-only, in three
statements whatever the number of shows (booking options of the products, the ticket
posts grouped per order, the orders' line totals and statuses), like live numbers
(``channels/wordpress.py``, whose table helpers and label matching this reuses). Eventbrite comes
from the orders the app keeps in its own database (``sales/eventbrite_orders.py``), synced
incrementally, since Eventbrite cannot be asked for a year of orders on every page view.

One row of the frame is a group of seats of one occurrence (one show on one channel)
sold in one order: ``seats`` sold, with ``state`` ``sold`` (counts, by the same rule as
live numbers) or ``cancelled`` (cancelled or refunded and no longer counted), the seats
``checked_in``, money (``gross``, ``fees``; unknown when no price could be read) and the
``ticket_type``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine, String, and_, bindparam, case, cast, func, select
from sqlalchemy.exc import SQLAlchemyError

from brcc_core.catalog.build import local_start, parse_clock
from brcc_core.channels.fooevents import parse_event_date
from brcc_core.channels.wordpress import (
    CHECKED_IN_STATUS,
    LISTING_PIVOT,
    NOT_SOLD_STATUSES,
    ORDER_ID_KEY,
    WordPressReader,
    WordPressUnavailable,
    _label_index,
    _norm,
    _text,
    _unavailable,
    listing_columns,
    slot_dates_from_fbos,
    ticket_pivot,
)
from brcc_core.channels.wp_tables import wordpress_metadata
from brcc_core.common.club import Channel
from brcc_core.common.db_engines import DEADLINE_OPTION
from brcc_core.common.keys import listing_key, recurring_key
from brcc_core.common.moments import aware_utc
from brcc_core.common.values import nullable_floats

__all__ = [
    "SALES_COLUMNS",
    "PAID_ORDER_STATUSES",
    "WooCommerceHistory",
    "empty_sales",
    "lines_statement",
]

SALES_COLUMNS = [
    "channel",
    "occurrence_key",
    "recurring_key",
    "title",
    "starts_at",
    "sold_at",
    "seats",
    "state",
    "checked_in",
    "gross",
    "fees",
    "ticket_type",
]
# Orders whose money the club keeps. Refunded orders keep their FooEvents tickets (the
# seats stay sold, as in live numbers) but bring no money.
PAID_ORDER_STATUSES = ("wc-completed", "wc-processing", "wc-on-hold")
# An order with this status was refunded: FooEvents keeps its tickets, but the seats are
# neither sold nor no-shows in the history (as a refunded Eventbrite seat is not).
REFUNDED_ORDER_STATUS = "wc-refunded"
WC_TICKET_TYPE = "General Admission"
# The ticket's variation (ticket type) of a variable product; "" or "0" when none, as the
# line item's ``_variation_id``.
VARIATION_KEY = "WooCommerceEventsVariationID"
# Each statement of the sales history read (a year at large scale: seconds each) may take
# this long before it is given up; a page's statements get the shorter database deadline.
HISTORY_DEADLINE_SECONDS = 120.0


def empty_sales() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "channel": pd.Series([], dtype=object),
            "occurrence_key": pd.Series([], dtype=object),
            "recurring_key": pd.Series([], dtype=object),
            "title": pd.Series([], dtype=object),
            "starts_at": pd.Series([], dtype="datetime64[ns, UTC]"),
            "sold_at": pd.Series([], dtype="datetime64[ns, UTC]"),
            "seats": pd.Series([], dtype="Int64"),
            "state": pd.Series([], dtype=object),
            "checked_in": pd.Series([], dtype="Int64"),
            "gross": pd.Series([], dtype="Float64"),
            "fees": pd.Series([], dtype="Float64"),
            "ticket_type": pd.Series([], dtype=object),
        }
    )


def sales_frame(rows: list[dict[str, Any]], tz: ZoneInfo | str) -> pd.DataFrame:
    """``SALES_COLUMNS`` frame from row dicts (times aware; shown in the club's zone)."""
    if not rows:
        frame = empty_sales()
    else:
        frame = pd.DataFrame(rows, columns=SALES_COLUMNS)
        frame["starts_at"] = pd.to_datetime(frame["starts_at"], utc=True)
        frame["sold_at"] = pd.to_datetime(frame["sold_at"], utc=True)
        for col in ("seats", "checked_in"):
            frame[col] = frame[col].astype("Int64")
        for col in ("gross", "fees"):
            frame[col] = nullable_floats(frame[col])
    zone = str(tz)
    frame["starts_at"] = frame["starts_at"].dt.tz_convert(zone)
    frame["sold_at"] = frame["sold_at"].dt.tz_convert(zone)
    return frame


def _money(value: Any) -> Decimal | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _sold_at(value: Any) -> datetime | None:
    """An order's ``post_date_gmt`` (naive UTC) as aware UTC; WordPress's zero date
    ("0000-00-00", or 1970 once a driver has read it) is unknown, not 1970."""
    moment = aware_utc(value)
    return None if moment is None or moment.year < 1971 else moment


def lines_statement(items, itemmeta, posts, orders, *item_filters: Any):
    """Line items (all products; ``item_filters`` on the order items table narrow them)
    with their order's status (HPOS row first, else the legacy order post): item id,
    order, product, variation, quantity and line total (before tax), all as WordPress
    keeps them (text)."""
    i, im, o, h = items, itemmeta, posts, orders

    def pivot(key: str, name: str):
        return func.max(case((im.c.meta_key == key, im.c.meta_value))).label(name)

    per_item = (
        select(
            i.c.order_item_id.label("item_id"),
            func.max(i.c.order_id).label("order_id"),
            pivot("_product_id", "product_id"),
            pivot("_variation_id", "variation_id"),
            pivot("_qty", "qty"),
            pivot("_line_total", "line_total"),
        )
        .select_from(
            i.join(
                im,
                and_(
                    im.c.order_item_id == i.c.order_item_id,
                    im.c.meta_key.in_(["_product_id", "_variation_id", "_qty", "_line_total"]),
                ),
            )
        )
        .where(i.c.order_item_type == "line_item", *item_filters)
        .group_by(i.c.order_item_id)
        .subquery("li")
    )
    li = per_item.c
    return select(
        li.item_id,
        cast(li.order_id, String).label("order_ref"),
        li.product_id,
        li.variation_id,
        li.qty,
        li.line_total,
        func.coalesce(h.c.status, o.c.post_status).label("status"),
    ).select_from(
        per_item.outerjoin(h, h.c.id == li.order_id).outerjoin(
            o, and_(li.order_id == o.c.ID, o.c.post_type == "shop_order")
        )
    )


class WooCommerceHistory:
    """Every FooEvents ticket of the given products, with its sale time, price and state,
    in exactly three statements (``statements`` counts them)."""

    def __init__(self, engine: Engine, table_prefix: str = "wp_") -> None:
        self.engine = engine
        self.table_prefix = table_prefix
        self.statements = 0
        self.warnings: list[str] = []
        tables = wordpress_metadata(table_prefix).tables
        self._posts = tables[f"{table_prefix}posts"]
        self._postmeta = tables[f"{table_prefix}postmeta"]
        self._items = tables[f"{table_prefix}woocommerce_order_items"]
        self._itemmeta = tables[f"{table_prefix}woocommerce_order_itemmeta"]
        self._orders = tables[f"{table_prefix}wc_orders"]
        self._stock_reader = WordPressReader(engine, table_prefix)
        self._tickets_sql = self._build_tickets_statement()
        self._lines_sql = self._build_lines_statement()

    def _build_tickets_statement(self):
        """Published tickets of the wanted products, one row per product / slot / date /
        labels / order / status, with the earliest ticket time (tickets of one order are
        created together, when the order reached "send tickets")."""
        created = func.min(self._posts.c.post_date_gmt).label("created")
        per_ticket = ticket_pivot(
            self._posts,
            self._postmeta,
            (*LISTING_PIVOT, (ORDER_ID_KEY, "order_id"), (VARIATION_KEY, "variation_id")),
            extra=(created,),
            bounded=True,
        )
        t = per_ticket.c
        keys = [*listing_columns(per_ticket), t.order_id, t.variation_id, t.status]
        # The first ticket id orders an order's tickets as FooEvents created them: line
        # item after line item, which is how tickets are matched to their line's price.
        return select(
            *keys,
            func.min(t.created).label("created"),
            func.min(t.ticket_id).label("first_ticket"),
            func.count().label("tickets"),
        ).group_by(*keys)

    def _build_lines_statement(self):
        """Line items of the wanted products with their order's status (HPOS row first,
        else the legacy order post): item id, variation, quantity and line total (before
        tax)."""
        lines = lines_statement(self._items, self._itemmeta, self._posts, self._orders)
        return lines.where(
            lines.selected_columns.product_id.in_(bindparam("product_keys", expanding=True))
        )

    def sales(
        self,
        product_ids: Sequence[int],
        *,
        timezone: str,
        starts: Mapping[str, datetime] | None = None,
        titles: Mapping[str, str] | None = None,
    ) -> pd.DataFrame:
        """``SALES_COLUMNS`` rows for every ticket of ``product_ids``.

        ``starts`` gives the start of listings the catalog knows (single events, current
        dates); a date the booking options still hold takes its date from there (a date the
        admin moved keeps its id), and a date pruned from them from its tickets' labels.
        Raises ``WordPressUnavailable`` when the database cannot be read."""
        self.warnings = []
        tz = ZoneInfo(timezone)
        ids = sorted({int(i) for i in product_ids})
        if not ids:
            return sales_frame([], tz)
        keys = [str(i) for i in ids]
        try:
            stock = self._stock_reader.current_stock(ids)
            self.statements += 1
            with self.engine.connect() as conn:
                # A year of sales at a large club takes tens of seconds: more than a page's
                # statement deadline, still bounded.
                conn = conn.execution_options(**{DEADLINE_OPTION: HISTORY_DEADLINE_SECONDS})
                self.statements += 1
                tickets = conn.execute(self._tickets_sql, {"product_keys": keys}).all()
                self.statements += 1
                lines = conn.execute(self._lines_sql, {"product_keys": keys}).all()
        except WordPressUnavailable:
            raise
        except SQLAlchemyError as exc:
            raise _unavailable(exc, self.engine) from exc
        return self.frame_from(
            tickets, lines, stock, timezone=timezone, starts=starts, titles=titles
        )

    def frame_from(
        self,
        tickets: Sequence[Any],
        lines: Sequence[Any],
        stock: pd.DataFrame,
        *,
        timezone: str,
        starts: Mapping[str, datetime] | None = None,
        titles: Mapping[str, str] | None = None,
        slot_dates: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """``SALES_COLUMNS`` rows from ticket groups and line items shaped as the two
        statements return them (``sales``, or the app-state copy of them: one rule for
        both); ``warnings`` is this call's."""
        self.warnings = []
        tz = ZoneInfo(timezone)
        rows = self._rows(tickets, lines, stock, tz, starts or {}, titles or {}, slot_dates)
        return sales_frame(rows, tz)

    def _rows(
        self, tickets, lines, stock, tz, starts, titles, slot_dates=None
    ) -> list[dict[str, Any]]:
        """One row per ticket group, in the groups' order. Besides ``SALES_COLUMNS`` each
        row has ``_unresolved``, its legacy seats counted under their product only (the
        app-state copy recomputes one order's rows and keeps the warning's count)."""
        if slot_dates is None:
            slot_dates = slot_dates_from_fbos(stock)
        index = _label_index(slot_dates)
        fbos_dates: dict[tuple[int, str, str], tuple[str | None, str | None]] = {}
        # A slot's time from its booking options, for its dates pruned from them whose
        # tickets' slot text has no time ("Friday 8pm" without "(09:30 p.m.)"): without
        # it such a show would start at midnight.
        slot_times: dict[tuple[int, str], str] = {}
        for r in slot_dates.itertuples(index=False):
            times = r.formatted_time if isinstance(r.formatted_time, str) else ""
            first_time = times.split("|")[0] if times else None
            fbos_dates[(int(r.product_id), str(r.slot_id), str(r.date_id))] = (
                r.date_label,
                first_time,
            )
            if first_time:
                slot_times.setdefault((int(r.product_id), str(r.slot_id)), first_time)
        prices = _line_prices(tickets, lines)

        rows: list[dict[str, Any]] = []
        unresolved = 0
        for t in tickets:
            product_id = int(t.product_id)
            slot_id, date_id = _text(t.slot_id), _text(t.date_id)
            slot_label, date_label = _text(t.slot_label), _text(t.date_label)
            lost = 0
            if not (slot_id and date_id) and (slot_label or date_label):
                found = index.get((product_id, _norm(slot_label), _norm(date_label)), set())
                if len(found) == 1:
                    slot_id, date_id = next(iter(found))
                else:
                    lost = int(t.tickets)
                    unresolved += lost
                    slot_id = date_id = None
            if slot_id and date_id:
                key = listing_key(Channel.WOOCOMMERCE, product_id, slot_id, date_id)
                recurring = recurring_key(product_id, slot_id)
            else:
                key = recurring = listing_key(Channel.WOOCOMMERCE, product_id)
            starts_at = starts.get(key)
            if starts_at is None and slot_id and date_id:
                label, ftime = fbos_dates.get((product_id, slot_id, date_id), (None, None))
                day = parse_event_date(label or "") or parse_event_date(date_label or "")
                at = (
                    parse_clock(ftime)
                    or parse_clock(slot_label)
                    or parse_clock(slot_times.get((product_id, slot_id)))
                )
                starts_at = local_start(day, at, tz)
            price, order_status = prices.get(_ticket_group(t), (None, None))
            # A refunded order's tickets stay valid in FooEvents, but the buyer has the
            # money back: not sold, so neither takings nor a no-show.
            sold = (_text(t.status) or "") not in NOT_SOLD_STATUSES and (
                order_status != REFUNDED_ORDER_STATUS
            )
            seats = int(t.tickets)
            gross: float | None = None
            if sold and price is not None and order_status is not None:
                gross = float(price * seats) if order_status in PAID_ORDER_STATUSES else 0.0
            rows.append(
                {
                    "channel": Channel.WOOCOMMERCE,
                    "occurrence_key": key,
                    "recurring_key": recurring,
                    "title": titles.get(key)
                    or (slot_label or titles.get(listing_key(Channel.WOOCOMMERCE, product_id))),
                    "starts_at": starts_at,
                    "sold_at": _sold_at(t.created),
                    "seats": seats,
                    "state": "sold" if sold else "cancelled",
                    "checked_in": seats if sold and t.status == CHECKED_IN_STATUS else 0,
                    "gross": gross if sold else 0.0,
                    "fees": 0.0 if gross is not None or not sold else None,
                    "ticket_type": WC_TICKET_TYPE,
                    "_unresolved": lost,
                }
            )
        if unresolved:
            self.warnings.append(unresolved_warning(unresolved))
        return rows


def unresolved_warning(seats: int) -> str:
    """The warning for legacy tickets whose slot or date the booking options lost."""
    return (
        f"{seats} legacy tickets name a slot or date that the booking options no "
        "longer hold; they are counted under their product only."
    )


def _variation(value: Any) -> str:
    """A ticket's or line item's variation id; "" and "0" both mean none."""
    text = _text(value)
    return "0" if text in (None, "", "0") else text


def _ticket_group(t: Any) -> tuple:
    """The seats of one order bought as one listing (product, variation, slot and date):
    one line item's worth, whatever the tickets' statuses."""
    return (
        str(_text(t.order_id)),
        str(_text(t.product_id)),
        _variation(t.variation_id),
        _text(t.slot_id),
        _text(t.date_id),
        _text(t.slot_label),
        _text(t.date_label),
    )


def _line_prices(tickets: Sequence[Any], lines: Sequence[Any]) -> dict[tuple, tuple]:
    """Unit price (line total / quantity, before tax) and order status per ticket group.

    WooCommerce keeps one line item per product, variation and booking date in an order,
    so one order can hold several lines of one product at different prices (two dates,
    one of them free). Tickets do not name their line item, so an order's tickets of one
    product and variation are matched to its lines in the order FooEvents created them:
    line item after line item (line item ids ascending, ticket ids ascending). A group
    of tickets that would straddle two lines of different prices has no known price
    (unknown money, never a guessed one). Tickets without a variation id (older
    FooEvents) are matched against all the product's lines of the order."""
    by_line: dict[tuple[str, str, str], list[tuple[int, Decimal | None, int, str | None]]] = {}
    for line in lines:
        qty = _money(line.qty)
        total = _money(line.line_total)
        price = total / qty if total is not None and qty else None
        seats = int(qty) if qty is not None and qty > 0 else 0
        order, product = str(line.order_ref), str(line.product_id)
        entry = (int(line.item_id), price, seats, _text(line.status))
        by_line.setdefault((order, product, _variation(line.variation_id)), []).append(entry)
        by_line.setdefault((order, product, "*"), []).append(entry)
    groups: dict[tuple, list[int]] = {}  # group -> [first ticket id, seats]
    for t in tickets:
        found = groups.setdefault(_ticket_group(t), [int(t.first_ticket), 0])
        found[0] = min(found[0], int(t.first_ticket))
        found[1] += int(t.tickets)
    per_lines: dict[tuple[str, str, str], list[tuple]] = {}
    for group in groups:
        order, product, variation = group[:3]
        key = (order, product, variation)
        if key not in by_line and variation == "0":
            key = (order, product, "*")
        per_lines.setdefault(key, []).append(group)
    out: dict[tuple, tuple] = {}
    for key, members in per_lines.items():
        found_lines = sorted(by_line.get(key, []))
        if not found_lines:
            continue
        status = found_lines[0][3]
        unit_prices = {price for _, price, _, _ in found_lines}
        if len(unit_prices) == 1:  # one line, or lines at one price: nothing to match
            for group in members:
                out[group] = (found_lines[0][1], status)
            continue
        seat_prices = [price for _, price, qty, _ in found_lines for _ in range(qty)]
        taken = 0
        for group in sorted(members, key=lambda g: groups[g][0]):
            seats = groups[group][1]
            mine = set(seat_prices[taken : taken + seats])
            taken += seats
            fits = len(mine) == 1 and taken <= len(seat_prices)
            out[group] = (next(iter(mine)) if fits else None, status)
    return out
