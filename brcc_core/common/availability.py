"""What a buyer can do with a listing right now: the listing ``status`` both channels share.

One named set, so a module compares ``Availability.PAST`` rather than a string it spelled
itself (the values are the strings the listing frames, audit rows and tests carry).
"""

from __future__ import annotations

from enum import StrEnum


class Availability(StrEnum):
    ON_SALE = "on_sale"
    SOLD_OUT = "sold_out"
    OVERSOLD = "oversold"  # more sold and pending than the listing's capacity
    UNLIMITED = "unlimited"  # WooCommerce without stock management: no limit to sell
    UNKNOWN = "unknown"  # its numbers could not be read
    PAST = "past"  # the show has started
    # Eventbrite only: the class exists but cannot be bought now.
    NOT_ON_SALE_YET = "not_on_sale_yet"
    SALES_ENDED = "sales_ended"
    HIDDEN = "hidden"
    UNAVAILABLE = "unavailable"


NOT_BUYABLE_NOW = frozenset(
    {
        Availability.NOT_ON_SALE_YET,
        Availability.SALES_ENDED,
        Availability.HIDDEN,
        Availability.UNAVAILABLE,
    }
)
