"""The keys that name a show and a listing, built, read and recognised in one place
(docs/domain.md describes what each part is).

- a show: ``show:YYYY-MM-DDTHH:MM`` (its local start)
- a WooCommerce listing: ``wc:<product>`` (a single-event product) or
  ``wc:<product>:<slot>:<date>`` (one date of a FooEvents Bookings product)
- an Eventbrite listing: ``eb:<event>:<ticket class>``; ``eb:<event>:unknown`` stands for an
  event whose ticket classes could not be read (its numbers are unknown, nothing is written)
- what the sales history counts: an occurrence (a WooCommerce listing itself, or an
  Eventbrite event ``eb:<event>``, whose classes share its seats) and what recurs week after
  week (a product's slot ``wc:<product>:<slot>`` or single product ``wc:<product>``, an
  Eventbrite series ``eb-series:<series>`` or a lone event's ``eb:<event>``)

Audit rows, saved shows and shared links store these keys, so their format never changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from brcc_core.common.club import Channel

SHOW_PREFIX = "show:"
# What a meeting link's audit rows are about: ``link:<link id>``.
LINK_PREFIX = "link:"
SERIES_PREFIX = "eb-series:"
# Every Eventbrite listing, occurrence (``eb:<event>``) and resource key starts with it.
EVENTBRITE_PREFIX = "eb:"
# The ticket-class part of an event whose classes could not be read.
UNKNOWN_CLASSES = "unknown"

_SHOW_KEY = re.compile(r"^show:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
_LISTING_KEY = re.compile(
    r"^(eb:[0-9A-Za-z_-]+:[0-9A-Za-z_-]+|wc:\d+|wc:\d+:[0-9A-Za-z_-]+:[0-9A-Za-z_-]+)$"
)


def listing_key(
    channel: str,
    product_id: int | None = None,
    slot_id: str | None = None,
    date_id: str | None = None,
    event_id: str | None = None,
    ticket_class_id: str | None = None,
) -> str:
    """The key of a WooCommerce product (or one of its booking dates) or an Eventbrite
    ticket class."""
    if channel == Channel.EVENTBRITE:
        return f"eb:{event_id}:{ticket_class_id}"
    if slot_id is None:
        return f"wc:{product_id}"
    return f"wc:{product_id}:{slot_id}:{date_id}"


def unknown_classes_key(event_id: str) -> str:
    """The listing that keeps an event visible when its ticket classes could not be read."""
    return listing_key(Channel.EVENTBRITE, event_id=event_id, ticket_class_id=UNKNOWN_CLASSES)


def is_unknown_classes(key: str) -> bool:
    return is_eventbrite_key(key) and key.endswith(f":{UNKNOWN_CLASSES}")


def is_eventbrite_key(key: str) -> bool:
    """An Eventbrite listing (``eb:<event>:<class>``), occurrence or resource
    (``eb:<event>``) key; a series key (``eb-series:<series>``) is not one."""
    return key.startswith(EVENTBRITE_PREFIX)


def channel_of(key: str) -> str:
    """The channel of a listing or occurrence key: Eventbrite for an ``eb:`` key, else
    the website."""
    return Channel.EVENTBRITE if is_eventbrite_key(key) else Channel.WOOCOMMERCE


def event_id_of(key: str) -> str | None:
    """The Eventbrite event an ``eb:`` listing or occurrence key names, or None for
    another key."""
    if not is_eventbrite_key(key):
        return None
    return key[len(EVENTBRITE_PREFIX) :].split(":", 1)[0] or None


def resource_key(
    channel: str, *, product_id: int | None = None, event_id: str | None = None
) -> str:
    """What one writer at a time must hold: the WooCommerce product (its dates share one
    stored value) or the Eventbrite event (its classes share the event's capacity)."""
    if channel == Channel.EVENTBRITE:
        return event_key(str(event_id))
    return listing_key(Channel.WOOCOMMERCE, product_id)


def event_key(event_id: str) -> str:
    """``eb:<event>``: an Eventbrite event, all its ticket classes together."""
    return f"{EVENTBRITE_PREFIX}{event_id}"


def series_key(series_id: str) -> str:
    """``eb-series:<series>``: every event of an Eventbrite series."""
    return f"{SERIES_PREFIX}{series_id}"


def occurrence_of_listing(key: str) -> str:
    """The occurrence a listing sells: the listing itself on WooCommerce, the event (all
    its ticket classes share its seats) on Eventbrite."""
    event_id = event_id_of(key)
    return key if event_id is None else event_key(event_id)


def recurring_of_listing(key: str, series_id: str | None = None) -> str:
    """What recurs week after week: a product's slot (or a single product), an Eventbrite
    series (or the event itself when it is not part of one). A key that is not a listing's
    is returned as it is."""
    if is_eventbrite_key(key):
        return series_key(series_id) if series_id else occurrence_of_listing(key)
    parts = parse_listing_key(key)
    if parts is None:
        return key
    return recurring_key(parts.product_id, parts.slot_id)


def recurring_key(product_id: int | None, slot_id: str | None = None) -> str:
    """What recurs of a WooCommerce listing: the product's slot, or the product itself."""
    base = listing_key(Channel.WOOCOMMERCE, product_id)
    return base if slot_id is None else f"{base}:{slot_id}"


@dataclass(frozen=True)
class ListingKey:
    """A listing key taken apart; ids stay strings except the product's."""

    channel: str
    product_id: int | None = None
    slot_id: str | None = None
    date_id: str | None = None
    event_id: str | None = None
    ticket_class_id: str | None = None


def parse_listing_key(key: str) -> ListingKey | None:
    """The parts of a listing key, or None when ``key`` is not one."""
    if not is_listing_key(key):
        return None
    parts = key.split(":")
    if parts[0] == "eb":
        return ListingKey(Channel.EVENTBRITE, event_id=parts[1], ticket_class_id=parts[2])
    if len(parts) == 2:
        return ListingKey(Channel.WOOCOMMERCE, product_id=int(parts[1]))
    return ListingKey(Channel.WOOCOMMERCE, int(parts[1]), slot_id=parts[2], date_id=parts[3])


def is_listing_key(key: str) -> bool:
    return bool(_LISTING_KEY.match(key))


def show_key(starts_at: datetime) -> str:
    """A show's key from its local start (to the minute)."""
    return f"{SHOW_PREFIX}{starts_at.strftime('%Y-%m-%dT%H:%M')}"


def link_key(link_id: str) -> str:
    """The audit log's key of a meeting link."""
    return f"{LINK_PREFIX}{link_id}"


def is_show_key(key: str) -> bool:
    """``show:YYYY-MM-DDTHH:MM`` naming a real minute (no 30 February, month 13, 24:00)."""
    if not _SHOW_KEY.match(key):
        return False
    try:
        datetime.strptime(key[len(SHOW_PREFIX) :], "%Y-%m-%dT%H:%M")
    except ValueError:
        return False
    return True


def show_start(key: str) -> datetime | None:
    """The local start a show key names (naive: the club's time), or None for another key."""
    if not is_show_key(key):
        return None
    return datetime.strptime(key[len(SHOW_PREFIX) :], "%Y-%m-%dT%H:%M")
