"""The catalog: the slow-changing structure of what the club sells (WooCommerce event
products with their slots and dates, Eventbrite events and ticket classes).

It is built from API answers by the pure ``build_catalog`` and cached (see
``catalog_cache``); it changes only when a manager presses Refresh data. Live numbers
(sold, pending, remaining stock) are never taken from it, except as a labelled fallback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from brcc_core.channels.eventbrite import WEEKS_AHEAD as EVENTBRITE_WEEKS_AHEAD
from brcc_core.channels.eventbrite import WEEKS_BACK as EVENTBRITE_WEEKS_BACK
from brcc_core.channels.eventbrite_records import (
    CapacityTier,
    TicketClass,
    capacity_tier,
)
from brcc_core.channels.eventbrite_records import ticket_classes as read_classes
from brcc_core.channels.fooevents import (
    SlotDate,
    classify_product,
    meta_value,
    parse_event_date,
)
from brcc_core.common.club import Channel, seat_number
from brcc_core.common.moments import parse_utc


@dataclass(frozen=True)
class CatalogProduct:
    """A WooCommerce product as the app understands it."""

    product_id: int
    name: str
    kind: str  # bookings | single | not_event | uncertain
    kind_reason: str
    manage_stock: bool
    stock_quantity: int | None  # at catalog time; live numbers come from the DB
    slot_dates: tuple[SlotDate, ...] = ()
    starts_at: datetime | None = None  # single events
    permalink: str = ""
    error: str | None = None

    @property
    def hybrid(self) -> bool:
        """Bookings whose WooCommerce stock also limits sales (docs/domain.md section 1)."""
        return self.kind == "bookings" and self.manage_stock


@dataclass(frozen=True)
class EventbriteEvent:
    event_id: str
    name: str
    starts_at: datetime | None
    status: str
    series_id: str | None = None
    is_series_parent: bool = False
    capacity: int | None = None
    url: str = ""
    capacity_is_custom: bool = False
    # The capacity tier (holds, carts in progress), read for events still selling; None
    # when not read. ``tier_error``: why it could not be read.
    tier: CapacityTier | None = None
    tier_error: str | None = None


@dataclass(frozen=True)
class Catalog:
    fetched_at: datetime
    timezone: str
    products: tuple[CatalogProduct, ...] = ()
    events: tuple[EventbriteEvent, ...] = ()
    ticket_classes: tuple[TicketClass, ...] = ()
    eventbrite_fetched_at: datetime | None = None
    # channel -> why that part of the refresh failed (the rest of the catalog is intact)
    errors: Mapping[str, str] = field(default_factory=dict)
    # event_id -> why its ticket classes could not be read (its listings are unknown)
    ticket_class_errors: Mapping[str, str] = field(default_factory=dict)
    # event_id -> when its classes were read, for events whose classes this refresh kept
    # from an earlier read instead of reading them again (brcc_core.catalog.refresh_plan)
    ticket_classes_read_at: Mapping[str, datetime] = field(default_factory=dict)
    # (event_id, read_at, why not read since): ticket classes kept from an earlier refresh
    # because this one could not read them. A tuple, so catalogs pickled before it existed
    # still load (the class attribute stands in).
    stale_events: tuple[tuple[str, datetime, str], ...] = ()
    # When the products were read, if not by this refresh (WooCommerce failed or did not
    # answer in time, and the earlier products were kept). None: at ``fetched_at``.
    woocommerce_fetched_at: datetime | None = None

    @property
    def products_read_at(self) -> datetime:
        return self.woocommerce_fetched_at or self.fetched_at

    @property
    def eventbrite_until(self) -> datetime | None:
        """Where the last Eventbrite refresh stopped reading ahead: later shows may sell
        on Eventbrite without the catalog knowing (None: Eventbrite never read)."""
        if self.eventbrite_fetched_at is None:
            return None
        return self.eventbrite_fetched_at + timedelta(weeks=EVENTBRITE_WEEKS_AHEAD)

    def product(self, product_id: int) -> CatalogProduct | None:
        return next((p for p in self.products if p.product_id == product_id), None)

    @property
    def event_products(self) -> tuple[CatalogProduct, ...]:
        return tuple(p for p in self.products if p.kind != "not_event")

    def unknown_channels(self) -> dict[str, str]:
        """Channels that failed with nothing earlier to keep (channel -> why): what they
        sell is unknown, which is not the same as selling nothing."""
        unknown = {}
        for channel, reason in self.errors.items():
            missing = (
                self.eventbrite_fetched_at is None
                if channel == Channel.EVENTBRITE
                else channel == Channel.WOOCOMMERCE and not self.products
            )
            if missing:
                unknown[channel] = reason
        return unknown

    def counts(self) -> dict[str, int]:
        """Sizes a manager recognises, for "what changed" after a refresh."""
        return {
            "products": len(self.event_products),
            "slot dates": sum(len(p.slot_dates) for p in self.products),
            "events": sum(1 for e in self.events if not e.is_series_parent),
            "ticket classes": len(self.ticket_classes),
        }


_TIME = re.compile(r"(\d{1,2})\s*:\s*(\d{2})\s*([ap])\.?\s*m\.?", re.IGNORECASE)


def parse_clock(label: str | None) -> time | None:
    """'8:00 p.m.', '08:00 p.m.', '10:30 PM' → time; None when there is no time."""
    if not label:
        return None
    m = _TIME.search(label)
    if not m:
        return None
    hour, minute = int(m.group(1)) % 12, int(m.group(2))
    if m.group(3).lower() == "p":
        hour += 12
    return time(hour, minute)


def local_start(day: date | None, clock: time | None, tz: ZoneInfo) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, clock or time(0, 0), tzinfo=tz)


def _single_event_start(product: dict, tz: ZoneInfo) -> datetime | None:
    day = parse_event_date(meta_value(product, "WooCommerceEventsDate") or "")
    if day is None:
        mysql_date = str(meta_value(product, "WooCommerceEventsDateMySQLFormat") or "")
        try:
            parsed = datetime.strptime(mysql_date[:10], "%Y-%m-%d").date()
            day = parsed if parsed.year > 1970 else None
        except ValueError:
            day = None
    hour = str(meta_value(product, "WooCommerceEventsHour") or "")
    minutes = str(meta_value(product, "WooCommerceEventsMinutes") or "00")
    period = str(meta_value(product, "WooCommerceEventsPeriod") or "")
    clock = parse_clock(f"{hour}:{minutes} {period}") if period else None
    if clock is None and hour.isdigit() and minutes.isdigit():
        clock = time(int(hour) % 24, int(minutes) % 60)
    return local_start(day, clock, tz)


def _int_or_none(value) -> int | None:
    """A seat number, or None when absent or impossible (``club.seat_number``)."""
    return seat_number(value, "number", negative_ok=True)[0]


def catalog_product(product: dict, tz: ZoneInfo) -> CatalogProduct:
    """One WooCommerce REST product → CatalogProduct (never raises on bad data)."""
    kind = classify_product(product)
    # classify_product parsed the booking options already; an uncertain product's reason
    # carries any parse error, so it is not repeated here.
    error = None
    if kind.fbos_error and kind.kind != "uncertain":
        error = f"booking options unreadable: {kind.fbos_error}"
    stock, stock_problem = seat_number(
        product.get("stock_quantity"), "stock_quantity", negative_ok=True
    )
    if stock_problem:
        stock_problem = f"WooCommerce gave an {stock_problem}; not used"
        error = f"{error}; {stock_problem}" if error else stock_problem
    starts_at = _single_event_start(product, tz) if kind.kind == "single" else None
    return CatalogProduct(
        product_id=int(product["id"]),
        name=str(product.get("name") or f"Product {product['id']}"),
        kind=kind.kind,
        kind_reason=kind.reason,
        manage_stock=bool(product.get("manage_stock")),
        stock_quantity=stock,
        slot_dates=kind.slot_dates if kind.kind == "bookings" else (),
        starts_at=starts_at,
        permalink=str(product.get("permalink") or ""),
        error=error,
    )


def _parse_eb_time(block: Mapping | None, tz: ZoneInfo) -> datetime | None:
    utc = parse_utc(block.get("utc")) if isinstance(block, Mapping) else None
    return None if utc is None else utc.astimezone(tz)


def eventbrite_event(
    event: Mapping,
    tz: ZoneInfo,
    tier: Mapping | None = None,
    tier_error: str | None = None,
) -> EventbriteEvent:
    name = event.get("name")
    return EventbriteEvent(
        event_id=str(event["id"]),
        name=str(name.get("text") if isinstance(name, Mapping) else name or ""),
        starts_at=_parse_eb_time(event.get("start"), tz),
        status=str(event.get("status") or ""),
        series_id=str(event["series_id"]) if event.get("series_id") else None,
        is_series_parent=bool(event.get("is_series_parent")),
        capacity=_int_or_none(event.get("capacity")),
        url=str(event.get("url") or ""),
        capacity_is_custom=bool(event.get("capacity_is_custom")),
        tier=capacity_tier(tier) if isinstance(tier, Mapping) else None,
        tier_error=tier_error,
    )


def build_catalog(
    *,
    products: Iterable[dict],
    events: Iterable[Mapping],
    ticket_classes: Mapping[str, Iterable[Mapping]],
    timezone: str,
    fetched_at: datetime,
    eventbrite_fetched_at: datetime | None = None,
    errors: Mapping[str, str] | None = None,
    ticket_class_errors: Mapping[str, str] | None = None,
    capacity_tiers: Mapping[str, Mapping] | None = None,
    capacity_tier_errors: Mapping[str, str] | None = None,
) -> Catalog:
    """Pure: API answers in, Catalog out."""
    tz = ZoneInfo(timezone)
    tiers = capacity_tiers or {}
    tier_errors = capacity_tier_errors or {}
    return Catalog(
        fetched_at=fetched_at,
        timezone=timezone,
        products=tuple(catalog_product(p, tz) for p in products),
        events=tuple(
            eventbrite_event(e, tz, tiers.get(str(e.get("id"))), tier_errors.get(str(e.get("id"))))
            for e in events
        ),
        ticket_classes=tuple(
            tc
            for event_id, answer in ticket_classes.items()
            for tc in read_classes(answer, event_id)
        ),
        eventbrite_fetched_at=eventbrite_fetched_at,
        errors=dict(errors or {}),
        ticket_class_errors=dict(ticket_class_errors or {}),
    )


# --- a refresh that would drop a channel ----------------------------------------------------
# An answer that removes more than this share of what the last catalog had of a channel
# (and at least MIN_DROPPED of them) is suspect: a 200 with an empty events list, or
# products without their meta data, looked like a club that sells nothing.
DROP_SHARE = 0.5
MIN_DROPPED = 3


def _dropped_most(before: set, after: set) -> tuple[int, int] | None:
    """(gone, of) when most of ``before`` is missing from ``after``."""
    gone = len(before - after)
    if gone >= MIN_DROPPED and gone > DROP_SHARE * len(before):
        return gone, len(before)
    return None


def eventbrite_drop(
    previous: Catalog | None, events: Iterable[Mapping], now: datetime
) -> str | None:
    """Why an events answer is suspect, or None: it leaves out most of the last catalog's
    events that are still within the window read (events that moved out of the window
    leave it as they should)."""
    if previous is None or previous.eventbrite_fetched_at is None:
        return None
    start = now - timedelta(weeks=EVENTBRITE_WEEKS_BACK)
    end = now + timedelta(weeks=EVENTBRITE_WEEKS_AHEAD)
    expected = {
        e.event_id
        for e in previous.events
        if not e.is_series_parent and e.starts_at is not None and start <= e.starts_at <= end
    }
    found = {str(e.get("id")) for e in events}
    dropped = _dropped_most(expected, found)
    if dropped is None:
        return None
    gone, of = dropped
    return (
        f"Eventbrite's answer left out {gone:,} of the {of:,} events the last catalog had in "
        "this window; it was kept aside, not applied"
    )


def woocommerce_drop(previous: Catalog | None, fresh: Catalog) -> str | None:
    """Why a products answer is suspect, or None: most of the last catalog's event products,
    or of its site listings, are gone (missing, or no longer read as events)."""
    if previous is None or not previous.products:
        return None

    def listings(catalog: Catalog) -> set:
        keys = {
            (p.product_id, sd.slot_id, sd.date_id) for p in catalog.products for sd in p.slot_dates
        }
        return keys | {(p.product_id,) for p in catalog.products if p.kind == "single"}

    before = {p.product_id for p in previous.event_products}
    after = {p.product_id for p in fresh.event_products}
    dropped = _dropped_most(before, after)
    what = "event products"
    if dropped is None:
        dropped, what = _dropped_most(listings(previous), listings(fresh)), "website listings"
    if dropped is None:
        return None
    gone, of = dropped
    return (
        f"WooCommerce's answer left out {gone:,} of the {of:,} {what} the last catalog had; "
        "it was kept aside, not applied"
    )


def keep_unreadable_booking_dates(fresh: Catalog, previous: Catalog | None) -> Catalog:
    """A bookings product whose booking options cannot be read any more keeps the dates
    the last catalog had (its listings stay, their remaining unknown with why), instead of
    its dates vanishing and their shows reading 0 sold on the site."""
    if previous is None:
        return fresh
    earlier = {p.product_id: p for p in previous.products if p.kind == "bookings"}
    products = []
    for product in fresh.products:
        before = earlier.get(product.product_id)
        if product.kind == "uncertain" and not product.slot_dates and before is not None:
            product = replace(product, slot_dates=before.slot_dates)
        products.append(product)
    return replace(fresh, products=tuple(products))
