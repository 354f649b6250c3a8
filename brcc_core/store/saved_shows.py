"""Shows a manager saved, and recurring rules that map new dates the same way: the records
the app-state database keeps (``state.py``) and ``live/shows.py`` groups listings by."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime

from brcc_core.common import values
from brcc_core.common.club import Channel
from brcc_core.common.formats import WEEKDAY_NAMES

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class SavedShow:
    """A show a manager confirmed: exactly these listings, this venue capacity."""

    show_key: str
    listing_keys: tuple[str, ...]
    venue_capacity: int | None = None  # None: the default from settings
    title: str | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class RuleMember:
    """Which listings a recurring rule takes: a WooCommerce product (and slot), or an
    Eventbrite series."""

    channel: str
    product_id: int | None = None
    slot_id: str | None = None
    series_id: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)

    def matches(self, listing: Mapping) -> bool:
        if listing.get("channel") != self.channel:
            return False
        if self.channel == Channel.WOOCOMMERCE:
            product = listing.get("product_id")
            if not values.known(product) or int(product) != self.product_id:
                return False
            return self.slot_id is None or listing.get("slot_id") == self.slot_id
        return self.series_id is not None and listing.get("series_id") == self.series_id

    def describe(self) -> str:
        if self.channel == Channel.WOOCOMMERCE:
            slot = f" slot {self.slot_id}" if self.slot_id else ""
            return f"WooCommerce product {self.product_id}{slot}"
        return f"Eventbrite series {self.series_id}"


@dataclass(frozen=True)
class RecurringRule:
    """Every ``weekday`` at ``start_time`` (club time) these members sell one show."""

    name: str
    weekday: int  # Monday = 0
    start_time: str  # "HH:MM"
    members: tuple[RuleMember, ...]
    venue_capacity: int | None = None
    rule_id: int | None = None

    def validate(self) -> None:
        """Raise ValueError naming what is wrong (a bad rule would map the wrong dates)."""
        if not 0 <= int(self.weekday) <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        if not _HHMM.match(self.start_time or ""):
            raise ValueError("start time must be HH:MM, 24-hour club time (e.g. 20:00)")
        if not self.members:
            raise ValueError("a rule needs at least one listing source")
        for member in self.members:
            if member.channel == Channel.WOOCOMMERCE and member.product_id is None:
                raise ValueError("a WooCommerce member needs a product id")
            if member.channel == Channel.EVENTBRITE and not member.series_id:
                raise ValueError("an Eventbrite member needs a series id")
            if member.channel not in (Channel.WOOCOMMERCE, Channel.EVENTBRITE):
                raise ValueError(f"unknown channel {member.channel!r}")
        if self.venue_capacity is not None and self.venue_capacity < 1:
            raise ValueError("venue capacity must be at least 1")

    def describe(self) -> str:
        members = " + ".join(m.describe() for m in self.members)
        return f"every {WEEKDAY_NAMES[self.weekday]} {self.start_time}: {members}"

    def matches(self, listing: Mapping) -> bool:
        starts_at = listing.get("starts_at")
        if not values.known(starts_at):
            return False
        if starts_at.weekday() != self.weekday or starts_at.strftime("%H:%M") != self.start_time:
            return False
        return any(member.matches(listing) for member in self.members)
