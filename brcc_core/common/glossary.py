"""What each number on the pages means, in the manager's words, said once.

The README's "Glossary" repeats these sentences word for word (tests/test_consistency.py
checks it), and every help text on a page that explains one of these numbers is the entry
itself, so a page can never describe a number differently from another page or the README.
The rules behind the words live in ``brcc_core.live.shows`` (a show's sold, pending,
remaining and exposure) and ``brcc_core.live.listings`` (a listing's).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from brcc_core.common.club import DEFAULT_VENUE_CAPACITY

__all__ = ["GLOSSARY", "meaning"]

GLOSSARY: Mapping[str, str] = MappingProxyType(
    {
        "Capacity": (
            "the seats a listing can sell in all on its channel: its remaining stock plus "
            "sold plus pending (on Eventbrite the ticket type's, within its event's). A "
            "show's capacity is its venue capacity."
        ),
        "Venue capacity": (
            "the seats in the room for one show: the club's default (BRCC_VENUE_CAPACITY, "
            f"{DEFAULT_VENUE_CAPACITY} unless set) unless a manager saved another for the show "
            "or its recurring rule. A show's remaining, sell-through and exposure count "
            "against it."
        ),
        "Sold": (
            "seats of tickets sold, as each platform counts them (FooEvents keeps a "
            "refunded order's tickets): on the Website read live from WordPress, on "
            "Eventbrite as of the last Refresh data (Tonight counts Eventbrite's "
            "attendees, read when the page opens)."
        ),
        "Pending": (
            "seats held by orders not finished yet, on both channels: the Website's "
            "pending, on-hold and processing orders whose tickets are not issued yet, and "
            "Eventbrite's carts in progress (as of the last Refresh data). They count as "
            "taken until they complete or expire."
        ),
        "Remaining": (
            "venue capacity minus sold minus pending: the seats the room has left (below "
            "0: oversold). For a single listing, the seats its channel can still sell."
        ),
        "Sell-through": (
            "sold and pending over the capacity (a show's: its venue capacity), in whole percent."
        ),
        "Exposure": (
            "seats on sale on both channels together minus the seats the room has left, "
            "never below 0: how many seats the two channels could sell beyond the room. "
            "Unlimited stock on the Website has no bound. A sync's dry run gives it now "
            "(as the Dashboard does) and after the sync."
        ),
        "Website": (
            "the club's WordPress site, selling through WooCommerce and FooEvents (shown "
            "as WooCommerce or site)."
        ),
        "Eventbrite": (
            "the club's Eventbrite events; their numbers are as of the last Refresh data."
        ),
    }
)


def meaning(term: str) -> str:
    """A term's entry as a help text reads it: the sentence, capitalised."""
    text = GLOSSARY[term]
    return text[0].upper() + text[1:]
