"""Listings: one row per sellable unit on one channel for one performance.

Pure: the catalog plus the live numbers in, a DataFrame out. Availability is computed
from facts (remaining stock, sold, pending), never kept as a counter. When a number
could not be read it is missing (``<NA>``) with the reason in ``error``, never 0.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd

from brcc_core.catalog.build import (
    Catalog,
    CatalogProduct,
    EventbriteEvent,
    local_start,
    parse_clock,
)
from brcc_core.channels.eventbrite import SELLING_STATUSES
from brcc_core.channels.eventbrite_records import TicketClass
from brcc_core.channels.eventbrite_seats import EventSeats, event_seats
from brcc_core.channels.fooevents import BookingOptionsError, SlotDate, parse_booking_options
from brcc_core.common import clock
from brcc_core.common.availability import Availability
from brcc_core.common.club import Channel
from brcc_core.common.formats import age_label
from brcc_core.common.keys import listing_key, unknown_classes_key
from brcc_core.common.values import known, nullable_ints, text_or_none, unknown, whole_number
from brcc_core.live.shows import UNKNOWN_CHANNELS_ATTR

LISTING_COLUMNS = [
    "listing_key",
    "channel",
    "kind",
    "title",
    "slot_label",
    "starts_at",
    "capacity",
    "sold",
    "pending",
    "checked_in",
    "available",
    "unlimited",
    "status",
    "error",
    "product_id",
    "slot_id",
    "date_id",
    "event_id",
    "ticket_class_id",
    "series_id",
    "matched_by_label",
    "limit",
    # Eventbrite (docs/eventbrite-seats.md): what the class can sell once its sales open
    # (``available`` is what buyers can buy now), and its event's seats left, shared by
    # all of the event's classes (capacity less holds, sold and carts in progress).
    "available_later",
    "event_seats_left",
]
_INT_COLUMNS = [
    "capacity",
    "sold",
    "pending",
    "checked_in",
    "available",
    "matched_by_label",
    "available_later",
    "event_seats_left",
]


def _status(available, starts_at: datetime | None, now: datetime) -> str:
    if starts_at is not None and starts_at < now:
        return Availability.PAST
    if available is None:
        return Availability.UNLIMITED
    if unknown(available):  # None, unlimited, was answered above
        return Availability.UNKNOWN
    if available < 0:
        return Availability.OVERSOLD
    return Availability.SOLD_OUT if available == 0 else Availability.ON_SALE


def _capacity(available, sold, pending):
    if available is None:  # unlimited
        return None
    if unknown(available) or unknown(sold):
        return pd.NA
    return available + sold + (pending if known(pending) else 0)


_COUNT_COLUMNS = ("sold", "pending", "checked_in", "matched_by_label")


def _counts_index(ticket_counts: pd.DataFrame | None) -> dict[tuple, tuple[int, ...]]:
    """(product, slot id, date id) -> (sold, pending, checked in, matched by label)."""
    if ticket_counts is None or ticket_counts.empty:
        return {}
    keys = zip(
        ticket_counts["product_id"].tolist(),
        ticket_counts["slot_id"].tolist(),
        ticket_counts["date_id"].tolist(),
        strict=True,
    )
    numbers = zip(
        *(
            [int(v) if known(v) else 0 for v in ticket_counts[c].tolist()]
            if c in ticket_counts.columns
            else [0] * len(ticket_counts)
            for c in _COUNT_COLUMNS
        ),
        strict=True,
    )
    return {
        (int(product), text_or_none(slot), text_or_none(date_id)): values
        for (product, slot, date_id), values in zip(keys, numbers, strict=True)
    }


def _live_stock(stock: pd.DataFrame | None) -> dict[int, Mapping]:
    if stock is None or stock.empty:
        return {}
    return {int(r["product_id"]): r for r in stock.to_dict("records")}


def _live_fbos(product: CatalogProduct, live: Mapping | None) -> tuple[dict, str | None]:
    """(slot_id, date_id) -> stock from the live FBOS, or the catalog's copy with a note."""
    if live is not None and live.get("fbos") not in (None, ""):
        try:
            parsed = parse_booking_options(live["fbos"])
        except BookingOptionsError as exc:
            return {}, f"booking options unreadable: {exc}"
        return {(sd.slot_id, sd.date_id): sd.stock for sd in parsed}, None
    fallback = {(sd.slot_id, sd.date_id): sd.stock for sd in product.slot_dates}
    return fallback, "remaining taken from the catalog (live stock unavailable)"


def build_listings(
    catalog: Catalog,
    ticket_counts: pd.DataFrame | None,
    stock: pd.DataFrame | None,
    *,
    live_error: str | None = None,
    now: datetime | None = None,
) -> pd.DataFrame:
    """One row per listing (both channels).

    ``ticket_counts``/``stock`` are ``WordPressReader`` frames; pass None with
    ``live_error`` when the WordPress DB could not be read: FooEvents sold and pending
    are then unknown (``<NA>``) and say why, and remaining falls back to the catalog.
    """
    tz = ZoneInfo(catalog.timezone)
    now = now or clock.now().astimezone(tz)
    counts = _counts_index(ticket_counts)
    live = _live_stock(stock)
    sold_unknown = ticket_counts is None
    rows: list[dict] = []

    def numbers(key: tuple) -> tuple:
        if sold_unknown:
            return pd.NA, pd.NA, pd.NA, 0
        return counts.get(key, (0, 0, 0, 0))

    def product_numbers(product_id: int) -> tuple:
        if sold_unknown:
            return pd.NA, pd.NA, pd.NA, 0
        rows_of = [values for key, values in counts.items() if key[0] == product_id]
        return tuple(sum(column) for column in zip(*rows_of, strict=True)) if rows_of else (0,) * 4

    sold_note = f"sold unknown: {live_error or 'database unreachable'}" if sold_unknown else None

    for product in catalog.products:
        if product.kind in ("not_event",):
            continue
        base = {
            "channel": Channel.WOOCOMMERCE,
            "kind": product.kind,
            "title": product.name,
            "product_id": product.product_id,
        }
        if product.kind == "bookings" or (product.kind == "uncertain" and product.slot_dates):
            fbos_stock, stock_note = _live_fbos(product, live.get(product.product_id))
            if product.kind == "uncertain":
                # Dates kept from the last catalog (catalog.keep_unreadable_booking_dates):
                # their sales still count, their stock cannot be trusted.
                fbos_stock = {}
                stock_note = (
                    f"uncertain product: {product.kind_reason} Its dates are the last "
                    "catalog's; remaining unknown"
                )
            live_row = live.get(product.product_id) or {}
            product_stock = whole_number(live_row.get("stock"))
            if live_row.get("stock_error") and product.hybrid:
                # an impossible _stock limits nothing we can name: remaining is unknown
                product_stock = pd.NA
                stock_note = "; ".join(n for n in (stock_note, live_row["stock_error"]) if n)
            elif product_stock is None:
                product_stock = product.stock_quantity
            date_sold_note = sold_note
            unmatched = 0 if sold_unknown else numbers((product.product_id, None, None))[0]
            if unmatched and (product.kind == "uncertain" or not fbos_stock):
                # Legacy tickets name their date by label only, matched through the booking
                # options: unreadable, so which dates they sold is unknown, not none.
                date_sold_note = (
                    f"sold unknown: {unmatched} ticket(s) name their date by label only, and "
                    "the booking options that match them cannot be read"
                )
            for sd in product.slot_dates:
                date_numbers = numbers((product.product_id, sd.slot_id, sd.date_id))
                if date_sold_note is not sold_note:
                    date_numbers = (pd.NA, pd.NA, pd.NA, 0)
                rows.append(
                    _booking_row(
                        base,
                        product,
                        sd,
                        fbos_stock,
                        stock_note,
                        product_stock,
                        date_numbers,
                        date_sold_note,
                        tz,
                        now,
                    )
                )
            continue
        # single or uncertain: one listing for the product
        live_row = live.get(product.product_id)
        if live_row is not None:
            # WordPressReader gives a bool; "yes" is the raw meta value.
            manage = live_row.get("manage_stock") in (True, "yes")
            available = whole_number(live_row.get("stock")) if manage else None
            note = None
        else:
            manage = product.manage_stock
            available = product.stock_quantity if manage else None
            note = "remaining taken from the catalog (live stock unavailable)"
        if manage and available is None:
            available = pd.NA
            note = (live_row or {}).get("stock_error") or "stock managed but not set"
        if product.kind == "uncertain":
            # Its booking options cannot be trusted: remaining is unknown, not unlimited,
            # while its tickets still count (summed over every slot/date they name).
            if not manage:
                available = pd.NA
            sold, pending, checked_in, by_label = product_numbers(product.product_id)
        else:
            sold, pending, checked_in, by_label = numbers((product.product_id, None, None))
        errors = [e for e in (sold_note, product.error, note) if e]
        if product.kind == "uncertain":
            errors.append(f"uncertain product: {product.kind_reason}")
        error = "; ".join(errors) or None
        rows.append(
            {
                **base,
                "listing_key": listing_key(Channel.WOOCOMMERCE, product.product_id),
                "slot_label": None,
                "starts_at": product.starts_at,
                "capacity": _capacity(available, sold, pending),
                "sold": sold,
                "pending": pending,
                "checked_in": checked_in,
                "available": available,
                "status": _status(available, product.starts_at, now),
                "unlimited": available is None,
                "error": error,
                "matched_by_label": by_label,
                "limit": "product stock" if manage else None,
            }
        )

    events = {e.event_id: e for e in catalog.events}
    stale = {
        event_id: f"Eventbrite numbers from {age_label(now - read_at)} ago, kept: this refresh "
        f"could not read them ({reason})"
        for event_id, read_at, reason in catalog.stale_events
    }
    classes_of: dict[str, list[TicketClass]] = {}
    for tc in catalog.ticket_classes:
        classes_of.setdefault(tc.event_id, []).append(tc)
    for event_id, tcs in classes_of.items():
        event = events.get(event_id)
        if event is None or event.is_series_parent:
            continue
        for row in _eventbrite_rows(event, tcs, now):
            if event_id in stale:
                # Kept from an earlier refresh: say how old, beside any seat problem.
                row["error"] = "; ".join(e for e in (row["error"], stale[event_id]) if e)
            rows.append(row)
    for event_id, reason in catalog.ticket_class_errors.items():
        event = events.get(event_id)
        if event is None:
            continue
        # Keep the performance visible with its numbers unknown rather than dropping it.
        rows.append(
            {
                "listing_key": unknown_classes_key(event_id),
                "channel": Channel.EVENTBRITE,
                "kind": "ticket_class",
                "title": event.name,
                "slot_label": None,
                "starts_at": event.starts_at,
                "capacity": pd.NA,
                "sold": pd.NA,
                "pending": pd.NA,
                "checked_in": pd.NA,
                "available": pd.NA,
                "unlimited": False,
                "status": _status(pd.NA, event.starts_at, now),
                "error": f"ticket classes unknown: {reason}",
                "event_id": event_id,
                "series_id": event.series_id,
                "matched_by_label": 0,
                "limit": None,
            }
        )
    frame = _frame(rows, tz)
    # Shows need to know a channel that sells nothing from one that could not be read.
    frame.attrs[UNKNOWN_CHANNELS_ATTR] = catalog.unknown_channels()
    return frame


def eventbrite_event_seats(
    event: EventbriteEvent, classes: list[TicketClass], now: datetime
) -> EventSeats:
    """The event's seats as Eventbrite sells them (``brcc_core.channels.eventbrite_seats``)."""
    tier_error = event.tier_error
    if event.tier is None and tier_error is None and event.status in SELLING_STATUSES:
        # A catalog saved before holds were read: say so rather than assume none.
        tier_error = "not read yet (press Refresh data)"
    return event_seats(
        classes,
        event_capacity=event.capacity,
        capacity_is_custom=event.capacity_is_custom,
        tier=event.tier,
        tier_error=tier_error,
        now=now,
    )


def _eventbrite_rows(
    event: EventbriteEvent, classes: list[TicketClass], now: datetime
) -> list[dict]:
    """One row per ticket class that sells seats; add-ons and checkout donations are not
    seats, so they are not listings (they would add to the room's sold and capacity)."""
    seats = eventbrite_event_seats(event, classes, now)
    unknown = seats.error is not None
    event_left = pd.NA if unknown else seats.seats_left
    rows = []
    for tc in classes:
        figures = seats.of(tc.ticket_class_id)
        if figures is None or not figures.is_seat:
            continue
        # With the event's holds and carts unknown, a class still on sale has unknown
        # seats (None from the model), never unlimited.
        available = pd.NA if unknown and figures.available is None else figures.available
        later = pd.NA if unknown and figures.later is None else figures.later
        status = figures.status
        if event.starts_at is not None and event.starts_at < now:
            status = Availability.PAST
        unlimited = available is None and not unknown
        # Unread carts make the class's pending unknown too (its event's carts may be on it).
        pending = pd.NA if unknown else figures.pending
        rows.append(
            {
                "listing_key": listing_key(
                    Channel.EVENTBRITE, event_id=tc.event_id, ticket_class_id=tc.ticket_class_id
                ),
                "channel": Channel.EVENTBRITE,
                "kind": "ticket_class",
                "title": event.name,
                "slot_label": tc.name,
                "starts_at": event.starts_at,
                "capacity": figures.capacity,
                "sold": figures.sold,
                "pending": pending,
                "checked_in": pd.NA,
                "available": available,
                "status": status,
                "unlimited": unlimited,
                "error": seats.error,
                "event_id": tc.event_id,
                "ticket_class_id": tc.ticket_class_id,
                "series_id": event.series_id,
                "matched_by_label": 0,
                "limit": figures.limit,
                "available_later": later,
                "event_seats_left": None if seats.unlimited else event_left,
            }
        )
    return rows


@functools.lru_cache(maxsize=65536)
def _slot_start(day, slot_time: str | None, tz: ZoneInfo) -> datetime | None:
    """A date's start; the same few thousand dates are built on every live read."""
    return local_start(day, parse_clock(slot_time), tz)


def _booking_row(
    base: dict,
    product: CatalogProduct,
    sd: SlotDate,
    fbos_stock: dict,
    stock_note: str | None,
    product_stock: int | None,
    numbers: tuple,
    sold_note: str | None,
    tz: ZoneInfo,
    now: datetime,
) -> dict:
    sold, pending, checked_in, by_label = numbers
    errors = [e for e in (sold_note, product.error, stock_note, sd.problem) if e]
    key = (sd.slot_id, sd.date_id)
    if key in fbos_stock:
        available = fbos_stock[key]
    else:
        available = pd.NA
        if product.kind == "bookings":
            errors.append("date no longer in the booking options")
    limit = "booking date"
    # Hybrid: WooCommerce stock limits sales too, and the smaller limit binds.
    # None is unlimited, not unknown: it limits nothing.
    if product.hybrid and product_stock is not None and unknown(product_stock):
        available, limit = pd.NA, "product stock"
    elif (
        product.hybrid
        and product_stock is not None
        and (available is None or (known(available) and product_stock < available))
    ):
        available, limit = product_stock, "product stock"
    starts_at = _slot_start(sd.date, sd.slot_time, tz)
    error = "; ".join(errors) or None
    return {
        **base,
        "listing_key": listing_key(Channel.WOOCOMMERCE, product.product_id, sd.slot_id, sd.date_id),
        "slot_label": sd.slot_label,
        "starts_at": starts_at,
        "capacity": _capacity(available, sold, pending),
        "sold": sold,
        "pending": pending,
        "checked_in": checked_in,
        "available": available,
        "status": _status(available, starts_at, now),
        "unlimited": available is None,
        "error": error,
        "slot_id": sd.slot_id,
        "date_id": sd.date_id,
        "matched_by_label": by_label,
        "limit": limit,
    }


def _frame(rows: list[dict], tz: ZoneInfo) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=LISTING_COLUMNS)
    for col in (*_INT_COLUMNS, "product_id"):
        df[col] = nullable_ints(df[col])
    df["starts_at"] = pd.to_datetime(df["starts_at"], utc=True).dt.tz_convert(tz)
    return df.sort_values(["starts_at", "channel", "listing_key"], na_position="last").reset_index(
        drop=True
    )
