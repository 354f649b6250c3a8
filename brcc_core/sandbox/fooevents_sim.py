"""What WooCommerce, FooEvents (+ Bookings) and Eventbrite do to the database when someone
buys a ticket, written once and used by the seed (in bulk, with ids it chooses) and by tests
that need "a sale made between preview and apply" (one order, ids from the database).

Sources, so the rows are the ones the real plugins write, not guesses:
- FooEvents ``FooEvents_Checkout_Helper::woocommerce_events_process`` /
  ``create_order_ticket``: at checkout every ticket is stored in order meta
  ``WooCommerceEventsOrderTickets``, a PHP-serialized ``[$x][$y]`` array (events and tickets
  both counted from 1); ``WooCommerceEventsTicketsPurchased`` counts tickets per product.
- FooEvents Bookings ``capture_booking_options`` (called per ticket at checkout, so every
  order status holds booking stock): decodes the FBOS, normalises it with
  ``process_booking_options``, decrements the chosen date's stock by one when it is not
  ``empty()`` (``""``, ``"0"`` and ``0`` are left alone), and rewrites the *whole* blob with
  ``wp_json_encode(..., JSON_UNESCAPED_UNICODE)`` through ``update_post_meta``, which
  ``wp_unslash``-es it: every backslash is stripped (``\\/`` becomes ``/``, ``\\"`` becomes a
  bare quote and breaks the JSON).
- FooEvents ``FooEvents_Woo_Helper::create_tickets`` (on the "send tickets" status, default
  ``completed``): one ``event_magic_tickets`` post per ticket, titled ``#<post id><6 random
  digits>``, with the meta below; Bookings' ``process_capture_booking`` adds
  ``WooCommerceEventsBookingSlot`` (``"<label> <formatted_time>"``), ``...SlotID``,
  ``...BookingDate``, ``...BookingDateTimestamp`` and ``...BookingDateID``.
- WooCommerce: legacy orders are ``shop_order`` posts (``wc-<status>``) + postmeta; with HPOS
  the id comes from a ``shop_order_placehold`` draft post and the order lives in
  ``wc_orders`` + ``wc_orders_meta``. Line items are ``woocommerce_order_items`` +
  itemmeta (``_product_id``, ``_qty``...). ``_stock`` is reduced for managed-stock products
  when an order is paid or put on hold (never for ``pending``); ``total_sales`` likewise.
- Eventbrite: a sale adds to the ticket class's ``quantity_sold``.

The FBOS here is the *writer* side only (docs/domain.md section 2); the app's parser lives in
``brcc_core.channels.fooevents`` and is deliberately not imported, so the two check each other.
"""

from __future__ import annotations

import json
import random
import re
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, MetaData, Table, func, select, update

from brcc_core.common import clock as app_clock
from brcc_core.sandbox.constants import SANDBOX_TIMEZONE
from brcc_core.sandbox.php import php_serialize
from brcc_core.sandbox.schema import eventbrite_metadata, wordpress_metadata

TICKET_POST_TYPE = "event_magic_tickets"
FBOS_KEY = "fooevents_bookings_options_serialized"
ORDER_TICKETS_KEY = "WooCommerceEventsOrderTickets"
DATE_FORMAT = "%B %d, %Y"  # the club's WordPress date_format ("F d, Y")

OrderStatus = Literal[
    "completed", "pending", "on-hold", "processing", "cancelled", "refunded", "failed"
]
Storage = Literal["legacy", "hpos"]

# Orders whose tickets exist only in order meta; they already hold booking stock.
PENDING_ORDER_STATUSES: tuple[str, ...] = ("pending", "on-hold", "processing")
# FooEvents' default globalWooCommerceEventsSendOnStatus: tickets are created here.
SEND_TICKETS_STATUSES: tuple[str, ...] = ("completed",)
# wc_maybe_reduce_stock_levels / wc_update_total_sales_counts run on these.
PAID_OR_HELD_STATUSES: tuple[str, ...] = ("processing", "completed", "on-hold")

WC_VERSION = "9.8.3"
HST_RATE = Decimal("0.13")


class SaleError(Exception):
    """A sale the real site would not accept (unknown product/slot/date, no stock)."""


class InsufficientStock(SaleError):
    """Fewer seats remain than were asked for."""


class BrokenBookingOptions(SaleError):
    """The product's FBOS does not decode: its booking form shows no slots, nobody can buy."""


# ---------------------------------------------------------------------------------------
# PHP / WordPress encodings


def php_json_encode(value: Any) -> str:
    """``wp_json_encode($value, JSON_UNESCAPED_UNICODE)``: compact, raw UTF-8, ``/`` escaped
    (PHP's default), and an empty PHP array written as ``[]``."""

    def conv(v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): conv(x) for k, x in v.items()} if v else []
        if isinstance(v, (list, tuple)):
            return [conv(x) for x in v]
        return v

    # "/" only occurs inside JSON strings, so escaping it on the dump is exact.
    return json.dumps(conv(value), ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")


_SLASHED = re.compile(r"\\(.?)", re.DOTALL)


def wp_unslash(value: str) -> str:
    """PHP ``stripslashes``, which ``update_post_meta`` applies to every value it stores."""
    return _SLASHED.sub(lambda m: "\x00" if m.group(1) == "0" else m.group(1), value)


def fooevents_fbos_value(options: dict) -> str:
    """The FBOS string exactly as FooEvents leaves it in ``wp_postmeta`` after a write."""
    return wp_unslash(php_json_encode(options))


def wc_price(amount: Decimal | str) -> str:
    """``wc_price()`` HTML as FooEvents stores it in ``WooCommerceEventsPrice`` (CAD, $)."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return (
        '<span class="woocommerce-Price-amount amount"><bdi><span class="woocommerce-'
        f'Price-currencySymbol">&#36;</span>{value}</bdi></span>'
    )


def random_id(rng: random.Random, length: int = 20) -> str:
    """FooEvents Bookings slot/date ids: 20 random lowercase letters."""
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(length))


def local_and_gmt(when: datetime, timezone: str = SANDBOX_TIMEZONE) -> tuple[datetime, datetime]:
    """WordPress keeps both: ``post_date`` in the site timezone and ``post_date_gmt``."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(timezone))
    local = when.astimezone(ZoneInfo(timezone)).replace(tzinfo=None, microsecond=0)
    gmt = when.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    return local, gmt


# ---------------------------------------------------------------------------------------
# FBOS, writer side


def formatted_time(hour: str, minute: str, period: str) -> str:
    """``"(08:00 p.m.)"``, as ``process_booking_options`` rebuilds it."""
    return f"({hour}:{minute}{' ' + period if period else ''})"


def fbos_slot(
    label: str,
    hour: str,
    minute: str,
    period: str,
    dates: list[tuple[str, str, int | str]],
    *,
    form: Literal["flat", "nested"] = "nested",
) -> dict:
    """One slot as stored: ``flat`` is what the admin editor saves (``<id>_add_date`` /
    ``<id>_stock`` keys, strings), ``nested`` what FooEvents writes after an order
    (``add_date: {id: {date, stock}}``; stocks keep whatever type they had)."""
    slot: dict[str, Any] = {
        "label": label,
        "hour": hour,
        "minute": minute,
        "period": period,
        "formatted_time": formatted_time(hour, minute, period),
        "unformatted_time": f"{hour}:{minute} {period}".strip(),
        "add_time": "enabled",
    }
    if form == "flat":
        for date_id, date_label, stock in dates:
            slot[f"{date_id}_add_date"] = date_label
            slot[f"{date_id}_stock"] = str(stock)
    else:
        slot["add_date"] = {
            date_id: {"date": date_label, "stock": stock} for date_id, date_label, stock in dates
        }
    return slot


def process_booking_options(raw: dict | None) -> dict:
    """FooEvents Bookings' ``process_booking_options``, key for key: walk each slot's keys in
    stored order; ``*_add_date`` / ``*_zoom_id`` / ``*_stock`` (``strpos``, in that order of
    tests) fill ``add_date[id]``; a literal ``add_date`` key replaces what was gathered so
    far (a later flat ``<id>_stock`` overrides it); ``add_time: enabled`` after hour and
    minute rebuilds ``formatted_time``; any other key is copied. Every FooEvents write
    starts from this, so it is why a written FBOS is always nested."""
    processed: dict[str, dict] = {}
    if not raw:
        return processed
    for slot_id, options in raw.items():
        out: dict[str, Any] = {}
        processed[slot_id] = out
        for key, value in options.items():
            if "_add_date" in key:
                out.setdefault("add_date", {}).setdefault(key.replace("_add_date", ""), {})
                out["add_date"][key.replace("_add_date", "")]["date"] = value
            elif "_zoom_id" in key:
                out.setdefault("add_date", {}).setdefault(key.replace("_zoom_id", ""), {})
                out["add_date"][key.replace("_zoom_id", "")]["zoom_id"] = value
            elif "_stock" in key:
                out.setdefault("add_date", {}).setdefault(key.replace("_stock", ""), {})
                out["add_date"][key.replace("_stock", "")]["stock"] = value
            elif key == "add_time" and value == "enabled" and "hour" in out and "minute" in out:
                out["formatted_time"] = formatted_time(
                    out["hour"], out["minute"], out.get("period") or ""
                )
                out["add_time"] = "enabled"
            elif key == "add_date" and isinstance(value, dict):
                out["add_date"] = {d: dict(v) for d, v in value.items()}
            else:
                out[key] = value
    return processed


def php_empty(value: Any) -> bool:
    """PHP ``empty()`` for the stock values FooEvents meets."""
    return value in (None, "", "0", 0, False)


def decode_fbos(value: str | None) -> dict:
    """``json_decode($value, true)``; raises BrokenBookingOptions where PHP returns null."""
    try:
        raw = json.loads(value or "")
    except ValueError as exc:
        raise BrokenBookingOptions(f"booking options do not decode: {exc}") from None
    if raw == []:
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, dict) for v in raw.values()):
        raise BrokenBookingOptions("booking options are not an object of slots")
    return raw


def capture_booking(value: str, slot_id: str, date_id: str, quantity: int) -> tuple[str, dict]:
    """What checkout does to one product's FBOS for ``quantity`` tickets of one slot/date:
    the new stored string (whole blob, nested) and the processed slot. Raises SaleError for
    an unknown slot/date and InsufficientStock when a limited date has too few seats (the
    add-to-cart validation refuses those sales; unlimited ``""`` never runs out)."""
    if quantity < 1:
        raise SaleError("quantity must be at least 1")
    options = process_booking_options(decode_fbos(value))
    slot = options.get(slot_id)
    if slot is None or date_id not in slot.get("add_date", {}):
        raise SaleError(f"no slot {slot_id!r} / date {date_id!r} on this product")
    entry = slot["add_date"][date_id]
    stock = entry.get("stock")
    if stock not in (None, ""):
        if int(float(stock)) < quantity:
            raise InsufficientStock(f"only {int(float(stock))} left, {quantity} asked")
        for _ in range(quantity):  # one capture_booking_options call per ticket
            if not php_empty(entry["stock"]):
                entry["stock"] = int(float(entry["stock"])) - 1
    return fooevents_fbos_value(options), slot


# ---------------------------------------------------------------------------------------
# Row builders (pure): complete dicts, ready for executemany.


def post_row(
    *,
    post_id: int | None,
    post_type: str,
    title: str,
    when: datetime,
    status: str = "publish",
    name: str = "",
    content: str = "",
    excerpt: str = "",
    author: int = 1,
    password: str = "",
    comment_status: str = "closed",
    ping_status: str = "closed",
    parent: int = 0,
    guid: str = "",
    timezone: str = SANDBOX_TIMEZONE,
) -> dict:
    """A ``wp_posts`` row with every column WordPress fills (no column left to chance, so
    all rows of a bulk insert share one shape)."""
    local, gmt = local_and_gmt(when, timezone)
    row = {
        "post_author": author,
        "post_date": local,
        "post_date_gmt": gmt,
        "post_content": content,
        "post_title": title,
        "post_excerpt": excerpt,
        "post_status": status,
        "comment_status": comment_status,
        "ping_status": ping_status,
        "post_password": password,
        "post_name": name,
        "to_ping": "",
        "pinged": "",
        "post_modified": local,
        "post_modified_gmt": gmt,
        "post_content_filtered": "",
        "post_parent": parent,
        "guid": guid,
        "menu_order": 0,
        "post_type": post_type,
        "post_mime_type": "",
        "comment_count": 0,
    }
    if post_id is not None:
        row["ID"] = post_id
    return row


def meta_rows(post_id: int, items: list[tuple[str, Any]]) -> list[dict]:
    """``wp_postmeta`` rows in the given order (meta ids follow insertion order)."""
    return [
        {"post_id": post_id, "meta_key": k, "meta_value": None if v is None else str(v)}
        for k, v in items
    ]


def slugify(text: str) -> str:
    """WordPress-ish ``sanitize_title``: lowercase words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def wall_clock_timestamp(moment: datetime) -> int:
    """FooEvents' ``strtotime()`` of a local date/time under WordPress's UTC PHP timezone:
    the wall-clock time read as if it were UTC."""
    return int(moment.replace(tzinfo=UTC).timestamp())


def product_post_row(
    product_id: int,
    title: str,
    when: datetime,
    *,
    status: str = "publish",
    excerpt: str = "",
    timezone: str = SANDBOX_TIMEZONE,
) -> dict:
    """A ``product`` post as WooCommerce saves it."""
    return post_row(
        post_id=product_id,
        post_type="product",
        title=title,
        when=when,
        status=status,
        name=slugify(title),
        excerpt=excerpt,
        guid=f"https://example.invalid/?post_type=product&#038;p={product_id}",
        timezone=timezone,
    )


_TICKET_TEXT = (
    "Hi {CustomerFirstName},\r\n\r\nThank you for purchasing tickets to the {EventName} "
    "show!\r\n\r\nPlease arrive early to grab a great seat and settle in for an evening of "
    "laughter!"
)
_REMINDERS = [
    {"amount": "1", "unit": "weeks"},
    {"amount": "1", "unit": "days"},
    {"amount": "1", "unit": "hours"},
    {"amount": "15", "unit": "minutes"},
]
_VIDEO = {
    "type": "media",
    "url": "",
    "img": "",
    "img_id": "",
    "auto": "",
    "repeat": "",
    "hover": "",
    "single_position": "first",
}


def product_meta_items(
    *,
    price: Decimal | str,
    total_sales: int,
    manage_stock: bool,
    stock: int | None,
    event: str | None = "Event",
    event_type: str | None = "bookings",
    fbos: str | None = None,
    single_start: datetime | None = None,
    bookings_method: str = "slotdate",
    views: int = 0,
    counter: int = 0,
    thumbnail_id: int = 1077,
    timezone: str = SANDBOX_TIMEZONE,
    fooevents_keys: bool = True,
) -> list[tuple[str, Any]]:
    """The product's meta in the order the reference product stores it: WooCommerce's
    internal keys, theme/plugin extras (``__product_views_count``, a PHP-serialized
    ``__wopb_product_video``, ``_wds_*``), then FooEvents' keys. ``event=None`` or
    ``event_type=None`` leave that key out (older products); ``fooevents_keys=False``
    leaves out the newer FooEvents/Bookings settings an old product never saved."""
    price_s = str(price)
    stock_status = "instock" if not manage_stock or (stock or 0) > 0 else "outofstock"
    items: list[tuple[str, Any]] = [
        ("_regular_price", price_s),
        ("total_sales", str(total_sales)),
        ("_tax_status", "taxable"),
        ("_tax_class", ""),
        ("_manage_stock", "yes" if manage_stock else "no"),
        ("_backorders", "no"),
        ("_sold_individually", "no"),
        ("_virtual", "yes"),
        ("_downloadable", "no"),
        ("_download_limit", "-1"),
        ("_download_expiry", "-1"),
        ("_thumbnail_id", str(thumbnail_id)),
        ("_stock", None if stock is None else str(stock)),
        ("_stock_status", stock_status),
        ("_wc_average_rating", "0"),
        ("_wc_review_count", "0"),
        ("_product_version", WC_VERSION),
        ("_price", price_s),
        ("__wopb_product_video", php_serialize(_VIDEO)),
        ("site-sidebar-layout", "default"),
        ("ast-site-content-layout", "default"),
        ("__product_views_count", str(views)),
    ]
    if event is not None:
        items.append(("WooCommerceEventsEvent", event))
    if single_start is not None:
        local = single_start.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
        hour12 = f"{(local.hour % 12) or 12:02d}"
        period = "p.m." if local.hour >= 12 else "a.m."
        ts = str(wall_clock_timestamp(local))
        day_ts = str(wall_clock_timestamp(local.replace(hour=0, minute=0)))
        items += [
            ("WooCommerceEventsDate", local.strftime(DATE_FORMAT)),
            ("WooCommerceEventsDateMySQLFormat", local.strftime("%Y-%m-%d %H:%M:%S")),
            ("WooCommerceEventsDateTimestamp", day_ts),
            ("WooCommerceEventsDateTimeTimestamp", ts),
            ("WooCommerceEventsEndDate", ""),
            ("WooCommerceEventsEndDateMySQLFormat", "1970-01-01 00:00:00"),
        ]
    else:
        hour12, period = "00", ""
        items += [
            ("WooCommerceEventsDate", ""),
            ("WooCommerceEventsDateMySQLFormat", "1970-01-01 00:00:00"),
            ("WooCommerceEventsDateTimestamp", "0"),
            ("WooCommerceEventsDateTimeTimestamp", "0"),
            ("WooCommerceEventsEndDate", ""),
            ("WooCommerceEventsEndDateMySQLFormat", "1970-01-01 00:00:00"),
        ]
    if event_type is not None:
        items.append(("WooCommerceEventsType", event_type))
    if fooevents_keys:
        items += [
            ("WooCommerceEventsBookingsExpirePassedDate", "yes"),
            ("WooCommerceEventsBookingsExpireValue", "1"),
            ("WooCommerceEventsBookingsExpireUnit", "minute"),
        ]
    items += [
        ("WooCommerceEventsHour", hour12),
        ("WooCommerceEventsMinutes", "00"),
        ("WooCommerceEventsPeriod", period),
        ("WooCommerceEventsTimeZone", timezone),
        ("WooCommerceEventsLocation", "Backroom Comedy Club"),
        ("WooCommerceEventsTicketText", _TICKET_TEXT),
        ("WooCommerceEventsSupportContact", "416-555-0940"),
        ("WooCommerceEventsHourEnd", "00"),
        ("WooCommerceEventsMinutesEnd", "00"),
        ("WooCommerceEventsEndPeriod", ""),
        ("WooCommerceEventsDirections", "Inside the pub, through the back door."),
        ("WooCommerceEventsEmail", "support@example.invalid"),
        ("WooCommerceEventsTicketBackgroundColor", "#febd17"),
        ("WooCommerceEventsTicketPurchaserDetails", "on"),
        ("WooCommerceEventsTicketAddCalendar", "on"),
    ]
    if fooevents_keys:
        items += [
            ("WooCommerceEventsTicketAddCalendarReminders", php_serialize(_REMINDERS)),
            ("WooCommerceEventsTicketAttachICS", "off"),
            ("WooCommerceEventsTicketDisplayBookings", "on"),
            ("WooCommerceEventsCaptureAttendeeDetails", "on"),
            ("WooCommerceEventsSendEmailTickets", "on"),
            ("WooCommerceEventsViewBookingsOptions", "product"),
            ("WooCommerceEventsHideBookingsStockAvailability", "off"),
            ("WooCommerceEventsViewOutOfStockBookings", "on"),
            ("WooCommerceEventsZoomDurationHour", "1"),
            ("WooCommerceEventsZoomDurationMinute", "0"),
        ]
    if fbos is not None:
        items.append((FBOS_KEY, fbos))
    if fooevents_keys:
        items += [
            ("WooCommerceEventsBookingsDateOverride", ""),
            ("WooCommerceEventsBookingsSlotOverride", ""),
            ("WooCommerceEventsBookingsMethod", bookings_method),
        ]
    items += [
        ("_wds_readability", php_serialize({"score": 53, "raw_score": 53, "is_readable": False})),
        ("_WooCommerceEventsCounter", str(counter)),
        ("_wds_analysis_extra", "a:0:{}"),
    ]
    return items


def product_lookup_row(
    product_id: int,
    *,
    price: Decimal | str,
    manage_stock: bool,
    stock: int | None,
    total_sales: int,
) -> dict:
    """The ``wc_product_meta_lookup`` row WooCommerce keeps beside the meta."""
    price_d = Decimal(str(price))
    in_stock = not manage_stock or (stock or 0) > 0
    return {
        "product_id": product_id,
        "sku": "",
        "global_unique_id": "",
        "virtual": 1,
        "downloadable": 0,
        "min_price": price_d,
        "max_price": price_d,
        "onsale": 0,
        "stock_quantity": float(stock) if manage_stock and stock is not None else None,
        "stock_status": "instock" if in_stock else "outofstock",
        "rating_count": 0,
        "average_rating": Decimal("0.00"),
        "total_sales": total_sales,
        "tax_status": "taxable",
        "tax_class": "",
    }


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class Booking:
    """The slot/date a bookings ticket is for, as the ticket meta and order meta name it."""

    slot_id: str
    slot_label: str
    date_id: str
    date_label: str
    hour: str = ""
    minute: str = ""
    period: str = ""
    add_time: bool = True

    @property
    def slot_display(self) -> str:
        """``WooCommerceEventsBookingSlot``: ``"<label> (08:00 p.m.)"`` or just the label."""
        if self.add_time and self.hour:
            return f"{self.slot_label} {formatted_time(self.hour, self.minute, self.period)}"
        return self.slot_label

    def date_timestamp(self) -> int:
        """``strtotime("June 02 2025 08:00 pm")`` under WordPress's UTC PHP timezone (the
        local wall time read as UTC: FooEvents' own quirk, kept)."""
        day = datetime.strptime(self.date_label, DATE_FORMAT)
        if self.add_time and self.hour:
            h = int(self.hour) % 12 + (12 if self.period.startswith("p") else 0)
            day = day.replace(hour=h, minute=int(self.minute or 0))
        return int(day.replace(tzinfo=UTC).timestamp())


def booking_from_slot(slot_id: str, slot: dict, date_id: str) -> Booking:
    return Booking(
        slot_id=slot_id,
        slot_label=slot.get("label", ""),
        date_id=date_id,
        date_label=slot["add_date"][date_id]["date"],
        hour=slot.get("hour", ""),
        minute=slot.get("minute", ""),
        period=slot.get("period", ""),
        add_time=slot.get("add_time") == "enabled",
    )


def order_ticket_entry(
    *,
    product_id: int,
    order_id: int,
    customer_id: int,
    price: Decimal | str,
    purchaser: Person,
    attendee: Person,
    booking: Booking | None,
) -> dict:
    """One ticket of ``WooCommerceEventsOrderTickets`` (``create_order_ticket``'s keys)."""
    return {
        "WooCommerceEventsProductID": str(product_id),
        "WooCommerceEventsOrderID": str(order_id),
        "WooCommerceEventsTicketType": "",
        "WooCommerceEventsStatus": "Unpaid",
        "WooCommerceEventsCustomerID": str(customer_id),
        "WooCommerceEventsAttendeeName": attendee.first,
        "WooCommerceEventsAttendeeLastName": attendee.last,
        "WooCommerceEventsAttendeeEmail": attendee.email,
        "WooCommerceEventsAttendeeTelephone": "",
        "WooCommerceEventsAttendeeCompany": "",
        "WooCommerceEventsAttendeeDesignation": "",
        "WooCommerceEventsVariations": "",
        "WooCommerceEventsVariationID": "",
        "WooCommerceEventsPrice": wc_price(price),
        "WooCommerceEventsPurchaserFirstName": purchaser.first,
        "WooCommerceEventsPurchaserLastName": purchaser.last,
        "WooCommerceEventsPurchaserEmail": purchaser.email,
        "WooCommerceEventsPurchaserPhone": purchaser.phone,
        "WooCommerceEventsCustomAttendeeFields": "",
        "WooCommerceEventsSeatingFields": "",
        # capture_booking_options returns nothing for a non-bookings product: PHP null.
        "WooCommerceEventsBookingOptions": None
        if booking is None
        else {
            "slot": booking.slot_id,
            "slot_label": booking.slot_label,
            "date": booking.date_id,
            "date_label": booking.date_label,
        },
    }


def order_tickets_value(entries: list[dict]) -> str:
    """The serialized ``[$x][$y]`` array: events (products, in first-seen order) and their
    tickets both indexed from 1."""
    grouped: dict[str, dict[int, dict]] = {}
    for entry in entries:
        bucket = grouped.setdefault(entry["WooCommerceEventsProductID"], {})
        bucket[len(bucket) + 1] = entry
    return php_serialize({x: tickets for x, tickets in enumerate(grouped.values(), start=1)})


def tickets_purchased_value(entries: list[dict]) -> str:
    counts: dict[int, int] = {}
    for entry in entries:
        pid = int(entry["WooCommerceEventsProductID"])
        counts[pid] = counts.get(pid, 0) + 1
    return php_serialize(counts)


def ticket_rows(
    *,
    post_id: int,
    ticket_number: str,
    ticket_hash: str,
    entry: dict,
    product_title: str,
    booking: Booking | None,
    status: str = "Not Checked In",
    post_status: str = "publish",
    when: datetime,
    with_booking_ids: bool = True,
    timezone: str = SANDBOX_TIMEZONE,
) -> tuple[dict, list[dict]]:
    """The ``event_magic_tickets`` post and its meta as ``create_tickets`` +
    ``process_capture_booking`` write them. ``with_booking_ids=False`` gives the legacy
    tickets of old Bookings versions: slot/date labels but no slot/date id meta."""
    post = post_row(
        post_id=post_id,
        post_type=TICKET_POST_TYPE,
        title=f"#{ticket_number}",
        when=when,
        status=post_status,
        name=ticket_number,
        content="Ticket",
        author=int(entry["WooCommerceEventsCustomerID"] or 0),
        timezone=timezone,
    )
    items: list[tuple[str, Any]] = [
        ("WooCommerceEventsTicketID", ticket_number),
        ("WooCommerceEventsTicketHash", ticket_hash),
        ("WooCommerceEventsProductID", entry["WooCommerceEventsProductID"]),
        ("WooCommerceEventsOrderID", entry["WooCommerceEventsOrderID"]),
        ("WooCommerceEventsTicketType", ""),
        ("WooCommerceEventsCustomerID", entry["WooCommerceEventsCustomerID"]),
        ("WooCommerceEventsAttendeeName", entry["WooCommerceEventsAttendeeName"]),
        ("WooCommerceEventsAttendeeLastName", entry["WooCommerceEventsAttendeeLastName"]),
        ("WooCommerceEventsAttendeeEmail", entry["WooCommerceEventsAttendeeEmail"]),
        ("WooCommerceEventsAttendeeTelephone", ""),
        ("WooCommerceEventsAttendeeCompany", ""),
        ("WooCommerceEventsAttendeeDesignation", ""),
        ("WooCommerceEventsVariations", ""),
        ("WooCommerceEventsVariationID", ""),
        ("WooCommerceEventsPurchaserFirstName", entry["WooCommerceEventsPurchaserFirstName"]),
        ("WooCommerceEventsPurchaserLastName", entry["WooCommerceEventsPurchaserLastName"]),
        ("WooCommerceEventsPurchaserEmail", entry["WooCommerceEventsPurchaserEmail"]),
        ("WooCommerceEventsPurchaserPhone", entry["WooCommerceEventsPurchaserPhone"]),
        ("WooCommerceEventsPrice", entry["WooCommerceEventsPrice"]),
        ("WooCommerceEventsTicketExpireTimestamp", ""),
        ("WooCommerceEventsStatus", status),
    ]
    if booking is not None:
        items.append(("WooCommerceEventsBookingSlot", booking.slot_display))
        if with_booking_ids:
            items.append(("WooCommerceEventsBookingSlotID", booking.slot_id))
        items.append(("WooCommerceEventsBookingDate", booking.date_label))
        items.append(("WooCommerceEventsBookingDateTimestamp", booking.date_timestamp()))
        if with_booking_ids:
            items.append(("WooCommerceEventsBookingDateID", booking.date_id))
    items.append(("WooCommerceEventsProductName", product_title))
    return post, meta_rows(post_id, items)


@dataclass(frozen=True)
class OrderLine:
    product_id: int
    name: str
    quantity: int
    unit_price: Decimal

    @property
    def subtotal(self) -> Decimal:
        return (self.unit_price * self.quantity).quantize(Decimal("0.01"))

    @property
    def tax(self) -> Decimal:
        return (self.subtotal * HST_RATE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def order_item_rows(
    order_item_id: int | None, order_id: int, line: OrderLine, *, reduced_stock: bool = False
) -> tuple[dict, list[tuple[str, str]]]:
    """A ``line_item`` row and its itemmeta as (key, value) pairs (the item id may come from
    the database, so the caller attaches it)."""
    item = {"order_item_name": line.name, "order_item_type": "line_item", "order_id": order_id}
    if order_item_id is not None:
        item["order_item_id"] = order_item_id
    meta = [
        ("_product_id", str(line.product_id)),
        ("_variation_id", "0"),
        ("_qty", str(line.quantity)),
        ("_tax_class", ""),
        ("_line_subtotal", str(line.subtotal)),
        ("_line_subtotal_tax", str(line.tax)),
        ("_line_total", str(line.subtotal)),
        ("_line_tax", str(line.tax)),
        (
            "_line_tax_data",
            php_serialize({"total": {1: str(line.tax)}, "subtotal": {1: str(line.tax)}}),
        ),
    ]
    if reduced_stock:
        meta.append(("_reduced_stock", str(line.quantity)))
    return item, meta


@dataclass
class OrderRows:
    """Everything one order writes, per table; ``posts`` holds the order post (legacy) or
    the HPOS placeholder, followed by any ticket posts."""

    posts: list[dict] = field(default_factory=list)
    postmeta: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    itemmeta: list[dict] = field(default_factory=list)
    wc_orders: list[dict] = field(default_factory=list)
    wc_orders_meta: list[dict] = field(default_factory=list)

    def extend(self, other: OrderRows) -> None:
        for name in ("posts", "postmeta", "items", "itemmeta", "wc_orders", "wc_orders_meta"):
            getattr(self, name).extend(getattr(other, name))


def order_key(rng: random.Random) -> str:
    return "wc_order_" + "".join(
        rng.choice(string.ascii_letters + string.digits) for _ in range(13)
    )


def order_rows(
    *,
    order_id: int,
    storage: Storage,
    status: str,
    when: datetime,
    lines: list[OrderLine],
    customer_id: int,
    purchaser: Person,
    tickets_entries: list[dict],
    key: str,
    tickets_generated: bool,
    timezone: str = SANDBOX_TIMEZONE,
) -> OrderRows:
    """The order itself (without line items or tickets): a legacy ``shop_order`` post with
    its postmeta, or an HPOS placeholder post + ``wc_orders`` row + ``wc_orders_meta``."""
    local, gmt = local_and_gmt(when, timezone)
    subtotal = sum((line.subtotal for line in lines), Decimal("0"))
    tax = sum((line.tax for line in lines), Decimal("0"))
    total = subtotal + tax
    paid = status in ("processing", "completed", "refunded")
    fooevents_meta: list[tuple[str, Any]] = [
        (ORDER_TICKETS_KEY, order_tickets_value(tickets_entries)),
        ("WooCommerceEventsTicketsPurchased", tickets_purchased_value(tickets_entries)),
    ]
    if tickets_generated:
        fooevents_meta.append(("WooCommerceEventsTicketsGenerated", "yes"))
    rows = OrderRows()
    if storage == "legacy":
        rows.posts.append(
            post_row(
                post_id=order_id,
                post_type="shop_order",
                title=f"Order &ndash; {local:%B} {local.day}, {local:%Y @ %I:%M %p}",
                when=when,
                status=f"wc-{status}",
                name=f"order-{local:%b-%d-%Y-%I%M-%p}".lower(),
                password=key,
                timezone=timezone,
            )
        )
        items: list[tuple[str, Any]] = [
            ("_order_key", key),
            ("_customer_user", str(customer_id)),
            ("_payment_method", "stripe"),
            ("_payment_method_title", "Credit Card (Stripe)"),
            ("_created_via", "checkout"),
            ("_billing_first_name", purchaser.first),
            ("_billing_last_name", purchaser.last),
            ("_billing_email", purchaser.email),
            ("_billing_phone", purchaser.phone),
            ("_order_currency", "CAD"),
            ("_cart_discount", "0"),
            ("_order_tax", str(tax)),
            ("_order_total", str(total)),
            ("_order_version", WC_VERSION),
            ("_prices_include_tax", "no"),
        ]
        if paid:
            items.append(("_paid_date", f"{local:%Y-%m-%d %H:%M:%S}"))
            items.append(("_date_paid", str(int(when.timestamp()))))
        if status == "completed":
            items.append(("_completed_date", f"{local:%Y-%m-%d %H:%M:%S}"))
            items.append(("_date_completed", str(int(when.timestamp()))))
        if status in PAID_OR_HELD_STATUSES:
            items.append(("_recorded_sales", "yes"))
            items.append(("_order_stock_reduced", "yes"))
        rows.postmeta.extend(meta_rows(order_id, items + fooevents_meta))
    else:
        rows.posts.append(
            post_row(
                post_id=order_id,
                post_type="shop_order_placehold",
                title="",
                when=when,
                status="draft",
                timezone=timezone,
            )
        )
        rows.wc_orders.append(
            {
                "id": order_id,
                "status": f"wc-{status}",
                "currency": "CAD",
                "type": "shop_order",
                "tax_amount": tax,
                "total_amount": total,
                "customer_id": customer_id,
                "billing_email": purchaser.email,
                "date_created_gmt": gmt,
                "date_updated_gmt": gmt,
                "parent_order_id": 0,
                "payment_method": "stripe",
                "payment_method_title": "Credit Card (Stripe)",
                "transaction_id": "",
                "ip_address": "",
                "user_agent": "",
                "customer_note": "",
            }
        )
        rows.wc_orders_meta.extend(
            {"order_id": order_id, "meta_key": k, "meta_value": str(v)}
            for k, v in [("_billing_address_index", f"{purchaser.first} {purchaser.last}")]
            + fooevents_meta
        )
    return rows


# ---------------------------------------------------------------------------------------
# Sales against a live database (one order each, ids from the database)


@dataclass(frozen=True)
class _Tables:
    posts: Table
    postmeta: Table
    items: Table
    itemmeta: Table
    orders: Table
    orders_meta: Table
    lookup: Table


_TABLES: dict[str, _Tables] = {}
_EB_MD: MetaData | None = None


def _tables(prefix: str) -> _Tables:
    if prefix not in _TABLES:
        md = wordpress_metadata(prefix)
        t = md.tables
        _TABLES[prefix] = _Tables(
            posts=t[f"{prefix}posts"],
            postmeta=t[f"{prefix}postmeta"],
            items=t[f"{prefix}woocommerce_order_items"],
            itemmeta=t[f"{prefix}woocommerce_order_itemmeta"],
            orders=t[f"{prefix}wc_orders"],
            orders_meta=t[f"{prefix}wc_orders_meta"],
            lookup=t[f"{prefix}wc_product_meta_lookup"],
        )
    return _TABLES[prefix]


def _product_meta(conn: Connection, t: _Tables, product_id: int, keys: list[str]) -> dict:
    """First value of each key (``get_post_meta(..., true)``), read under a row lock where
    the database has them, as the site's own read-modify-write is racy but ours need not be."""
    rows = conn.execute(
        select(t.postmeta.c.meta_key, t.postmeta.c.meta_value)
        .where(t.postmeta.c.post_id == product_id, t.postmeta.c.meta_key.in_(keys))
        .order_by(t.postmeta.c.meta_id)
        .with_for_update()
    ).all()
    found: dict[str, str | None] = {}
    for key, value in rows:
        found.setdefault(key, value)
    return found


def _set_meta(conn: Connection, t: _Tables, post_id: int, key: str, value: str) -> None:
    """``update_post_meta``: every row with that key gets the value; added when missing."""
    result = conn.execute(
        update(t.postmeta)
        .where(t.postmeta.c.post_id == post_id, t.postmeta.c.meta_key == key)
        .values(meta_value=value)
    )
    if result.rowcount == 0:
        conn.execute(t.postmeta.insert(), meta_rows(post_id, [(key, value)]))


def _new_post(conn: Connection, t: _Tables, row: dict) -> int:
    """``wp_insert_post``: the database picks the id."""
    result = conn.execute(t.posts.insert().values(**row))
    return int(result.inserted_primary_key[0])


def _now(when: datetime | None, timezone: str) -> datetime:
    if when is None:
        return app_clock.local_now(timezone)
    return when if when.tzinfo else when.replace(tzinfo=ZoneInfo(timezone))


_FIRST = ["Alex", "Sam", "Jordan", "Taylor", "Priya", "Wei", "Maria", "Omar", "Chloe", "Noah"]
_LAST = ["Nguyen", "Singh", "Smith", "Tremblay", "Roy", "Chen", "Silva", "Haddad", "Brown", "Li"]


def random_person(rng: random.Random, first: list[str] = _FIRST, last: list[str] = _LAST) -> Person:
    f, ln = rng.choice(first), rng.choice(last)
    return Person(
        first=f,
        last=ln,
        email=f"{f}.{ln}{rng.randint(1, 999)}@example.invalid".lower(),
        phone=f"416-555-{rng.randint(0, 9999):04d}",
    )


def ticket_hash(rng: random.Random) -> str:
    """FooEvents' ``generate_random_string(8)``."""
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(8))


def _place_order(
    conn: Connection,
    t: _Tables,
    *,
    product_id: int,
    product_title: str,
    price: Decimal,
    quantity: int,
    booking: Booking | None,
    order_status: str,
    storage: Storage,
    when: datetime,
    timezone: str,
    rng: random.Random,
    reduced_stock: bool,
) -> int:
    purchaser = random_person(rng)
    key = order_key(rng)
    shell = order_rows(
        order_id=0,
        storage=storage,
        status=order_status,
        when=when,
        lines=[],
        customer_id=0,
        purchaser=purchaser,
        tickets_entries=[],
        key=key,
        tickets_generated=False,
        timezone=timezone,
    )
    post = dict(shell.posts[0])
    post.pop("ID")  # wp_insert_post: the database picks the id
    order_id = _new_post(conn, t, post)
    line = OrderLine(product_id, product_title, quantity, price)
    entries = [
        order_ticket_entry(
            product_id=product_id,
            order_id=order_id,
            customer_id=0,
            price=price,
            purchaser=purchaser,
            attendee=purchaser if i == 0 else random_person(rng),
            booking=booking,
        )
        for i in range(quantity)
    ]
    creates_tickets = order_status in SEND_TICKETS_STATUSES
    rows = order_rows(
        order_id=order_id,
        storage=storage,
        status=order_status,
        when=when,
        lines=[line],
        customer_id=0,
        purchaser=purchaser,
        tickets_entries=entries,
        key=key,
        tickets_generated=creates_tickets,
        timezone=timezone,
    )
    if rows.postmeta:
        conn.execute(t.postmeta.insert(), rows.postmeta)
    if rows.wc_orders:
        conn.execute(t.orders.insert(), rows.wc_orders)
        conn.execute(t.orders_meta.insert(), rows.wc_orders_meta)
    item, item_meta = order_item_rows(None, order_id, line, reduced_stock=reduced_stock)
    item_id = int(conn.execute(t.items.insert().values(**item)).inserted_primary_key[0])
    conn.execute(
        t.itemmeta.insert(),
        [{"order_item_id": item_id, "meta_key": k, "meta_value": v} for k, v in item_meta],
    )
    if creates_tickets:
        for entry in entries:
            ticket_post = post_row(
                post_id=None,
                post_type=TICKET_POST_TYPE,
                title="Assigned Ticket",
                when=when,
                content="Ticket",
                timezone=timezone,
            )
            ticket_post_id = _new_post(conn, t, ticket_post)
            number = f"{ticket_post_id}{rng.randint(111111, 999999)}"
            post, meta = ticket_rows(
                post_id=ticket_post_id,
                ticket_number=number,
                ticket_hash=ticket_hash(rng),
                entry=entry,
                product_title=product_title,
                booking=booking,
                when=when,
                timezone=timezone,
            )
            conn.execute(
                update(t.posts)
                .where(t.posts.c["ID"] == ticket_post_id)
                .values(post_title=post["post_title"], post_name=post["post_name"])
            )
            conn.execute(t.postmeta.insert(), meta)
    return order_id


def _product(conn: Connection, t: _Tables, product_id: int) -> tuple[str, dict]:
    row = conn.execute(
        select(t.posts.c.post_title).where(
            t.posts.c["ID"] == product_id, t.posts.c.post_type == "product"
        )
    ).first()
    if row is None:
        raise SaleError(f"no product {product_id}")
    meta = _product_meta(
        conn,
        t,
        product_id,
        [FBOS_KEY, "_price", "_manage_stock", "_stock", "total_sales", "_backorders"],
    )
    return row[0], meta


def _woocommerce_stock(
    conn: Connection, t: _Tables, product_id: int, meta: dict, quantity: int, order_status: str
) -> bool:
    """WooCommerce's side of a sale: ``total_sales`` and, for managed stock, ``_stock`` and
    ``_stock_status`` (meta and lookup table). Returns whether stock was reduced."""
    if order_status not in PAID_OR_HELD_STATUSES:
        return False
    sales = int(float(meta.get("total_sales") or 0)) + quantity
    _set_meta(conn, t, product_id, "total_sales", str(sales))
    values: dict[str, Any] = {"total_sales": sales}
    reduced = False
    if meta.get("_manage_stock") == "yes":
        stock = int(float(meta.get("_stock") or 0)) - quantity
        status = "instock" if stock > 0 else "outofstock"
        _set_meta(conn, t, product_id, "_stock", str(stock))
        _set_meta(conn, t, product_id, "_stock_status", status)
        values.update(stock_quantity=stock, stock_status=status)
        reduced = True
    conn.execute(update(t.lookup).where(t.lookup.c.product_id == product_id).values(**values))
    return reduced


def sell_booking(
    conn: Connection,
    product_id: int,
    slot_id: str,
    date_id: str,
    quantity: int,
    *,
    order_status: OrderStatus = "completed",
    storage: Storage = "legacy",
    prefix: str = "wp_",
    when: datetime | None = None,
    timezone: str = SANDBOX_TIMEZONE,
    rng: random.Random | None = None,
) -> int:
    """Sell ``quantity`` seats of one bookings slot/date the way the site does; returns the
    order id. Any status holds the date's FBOS stock (rewritten whole, nested, stock as
    int; unlimited stays ``""``); ``completed`` also creates the ticket posts, other
    statuses keep the tickets only in ``WooCommerceEventsOrderTickets``. Raises
    InsufficientStock, BrokenBookingOptions or SaleError and then writes nothing."""
    t = _tables(prefix)
    rng = rng or random.Random()
    when = _now(when, timezone)
    title, meta = _product(conn, t, product_id)
    if FBOS_KEY not in meta:
        raise SaleError(f"product {product_id} has no booking options")
    # WooCommerce's own managed stock also limits a bookings product ("hybrid").
    if meta.get("_manage_stock") == "yes" and int(float(meta.get("_stock") or 0)) < quantity:
        raise InsufficientStock(f"product {product_id} has fewer than {quantity} in stock")
    new_value, slot = capture_booking(meta[FBOS_KEY] or "", slot_id, date_id, quantity)
    _set_meta(conn, t, product_id, FBOS_KEY, new_value)
    reduced = _woocommerce_stock(conn, t, product_id, meta, quantity, order_status)
    return _place_order(
        conn,
        t,
        product_id=product_id,
        product_title=title,
        price=Decimal(meta.get("_price") or "0"),
        quantity=quantity,
        booking=booking_from_slot(slot_id, slot, date_id),
        order_status=order_status,
        storage=storage,
        when=when,
        timezone=timezone,
        rng=rng,
        reduced_stock=reduced,
    )


def sell_single(
    conn: Connection,
    product_id: int,
    quantity: int,
    *,
    order_status: OrderStatus = "completed",
    storage: Storage = "legacy",
    prefix: str = "wp_",
    when: datetime | None = None,
    timezone: str = SANDBOX_TIMEZONE,
    rng: random.Random | None = None,
) -> int:
    """Sell ``quantity`` tickets of a single-event product; returns the order id. Managed
    stock (``_manage_stock = yes``) is reduced in meta and lookup table once the order is
    paid or on hold, and refuses a sale beyond it; unmanaged stock is unlimited."""
    if quantity < 1:
        raise SaleError("quantity must be at least 1")
    t = _tables(prefix)
    rng = rng or random.Random()
    when = _now(when, timezone)
    title, meta = _product(conn, t, product_id)
    if meta.get("_manage_stock") == "yes" and int(float(meta.get("_stock") or 0)) < quantity:
        raise InsufficientStock(f"product {product_id} has fewer than {quantity} in stock")
    reduced = _woocommerce_stock(conn, t, product_id, meta, quantity, order_status)
    return _place_order(
        conn,
        t,
        product_id=product_id,
        product_title=title,
        price=Decimal(meta.get("_price") or "0"),
        quantity=quantity,
        booking=None,
        order_status=order_status,
        storage=storage,
        when=when,
        timezone=timezone,
        rng=rng,
        reduced_stock=reduced,
    )


def sell_eventbrite(
    conn: Connection, ticket_class_id: str, quantity: int, *, when: datetime | None = None
) -> int:
    """An Eventbrite sale: ``quantity_sold`` grows; refused beyond the class's own cap,
    and for an admission class beyond what the event has left (its capacity less holds,
    carts in progress and every admission class's sales). Add-ons and checkout donations
    do not use the event's seats. Returns the new ``quantity_sold``."""
    global _EB_MD
    if quantity < 1:
        raise SaleError("quantity must be at least 1")
    _EB_MD = _EB_MD or eventbrite_metadata()
    tc = _EB_MD.tables["sandbox_eb_ticket_classes"]
    ev = _EB_MD.tables["sandbox_eb_events"]
    row = conn.execute(
        select(
            tc.c.quantity_sold,
            tc.c.capacity,
            tc.c.category,
            tc.c.event_id,
            ev.c.capacity.label("event_capacity"),
            ev.c.held,
            ev.c.capacity_pending,
        )
        .select_from(tc.join(ev, ev.c.id == tc.c.event_id))
        .where(tc.c.id == str(ticket_class_id))
        .with_for_update()
    ).first()
    if row is None:
        raise SaleError(f"no ticket class {ticket_class_id}")
    seat = (row.category or "admission") not in ("add_on", "donation")
    caps = [c for c in (row.capacity, row.event_capacity if seat else None) if c is not None]
    if seat and row.event_capacity is not None:
        # The event cap, less holds and carts, is shared by all its admission classes.
        event_sold = conn.execute(
            select(func.coalesce(func.sum(tc.c.quantity_sold), 0)).where(
                tc.c.event_id == row.event_id, tc.c.category.notin_(("add_on", "donation"))
            )
        ).scalar_one()
        taken = int(event_sold) + int(row.held or 0) + int(row.capacity_pending or 0)
        if taken + quantity > row.event_capacity:
            raise InsufficientStock("the event is sold out on Eventbrite")
    if caps and row.quantity_sold + quantity > min(caps):
        raise InsufficientStock("the ticket class is sold out on Eventbrite")
    changed = (when or app_clock.now()).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    conn.execute(
        update(tc)
        .where(tc.c.id == str(ticket_class_id))
        .values(quantity_sold=tc.c.quantity_sold + quantity, changed=changed)
    )
    return int(row.quantity_sold) + quantity


__all__ = [
    "Booking",
    "BrokenBookingOptions",
    "DATE_FORMAT",
    "FBOS_KEY",
    "InsufficientStock",
    "ORDER_TICKETS_KEY",
    "OrderLine",
    "OrderRows",
    "PENDING_ORDER_STATUSES",
    "Person",
    "SaleError",
    "TICKET_POST_TYPE",
    "booking_from_slot",
    "capture_booking",
    "decode_fbos",
    "fbos_slot",
    "fooevents_fbos_value",
    "local_and_gmt",
    "meta_rows",
    "order_item_rows",
    "order_rows",
    "order_ticket_entry",
    "order_tickets_value",
    "php_json_encode",
    "php_serialize",
    "post_row",
    "product_lookup_row",
    "product_meta_items",
    "product_post_row",
    "process_booking_options",
    "random_id",
    "sell_booking",
    "sell_eventbrite",
    "sell_single",
    "ticket_rows",
    "wp_unslash",
]
