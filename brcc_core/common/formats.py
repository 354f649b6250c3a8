"""How the app writes a date, a time and a column header for a manager: the one home.

Every page, table, chart, CSV and audit row takes its dates and headers from here, so the
club sees one format ("Tue 1 Dec 20:00", in the club's timezone) and one vocabulary
(the words of docs/domain.md, never a column's code name).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

import pandas as pd

from brcc_core.common.club import Channel, channel_name
from brcc_core.common.keys import (
    LINK_PREFIX,
    channel_of,
    is_eventbrite_key,
    is_listing_key,
    show_start,
)
from brcc_core.common.values import known as _known

__all__ = [
    "COLUMN_LABELS",
    "WEEKDAYS",
    "NO_DATE",
    "SYNC_ACTIONS",
    "age_label",
    "day_label",
    "describe_changes",
    "header",
    "isolate",
    "listing_label",
    "listing_name",
    "seats_text",
    "moment_label",
    "percent_label",
    "time_label",
    "when_label",
    "whole_percent",
]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
"""Weekdays in full, Monday first (recurring rules: "every Friday 20:00")."""
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
NO_DATE = "date unknown"
# The same format for Streamlit's date columns (moment.js tokens), for tables that keep
# real timestamps so they still sort by time.
MOMENT_JS_FORMAT = "ddd D MMM YYYY HH:mm:ss"


# Unicode's explicit direction controls: embeddings, overrides, isolates and marks.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"


def isolate(name: object) -> str:
    """A name from outside (product, event, class, slot) as one isolated run of text: its
    own direction controls removed and the whole wrapped in a first-strong isolate, so a
    right-to-left override in a name cannot reverse the date or numbers beside it."""
    text = _BIDI_CONTROLS.sub("", str(name))
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"


def _in_zone(value: date | datetime, timezone: str | None) -> date | datetime:
    """An aware moment in ``timezone`` (the club's); a date or a naive time as it is."""
    if timezone is not None and isinstance(value, datetime) and value.tzinfo is not None:
        return pd.Timestamp(value).tz_convert(timezone)
    return value


def day_label(
    value: date | datetime | None, timezone: str | None = None, *, year: bool = False
) -> str:
    """'Tue 1 Dec' (or 'Tue 1 Dec 2026' with ``year``, for past shows a year apart): a
    show's day (no leading zero, weekday first, English names whatever the server's
    locale), on the club's calendar when ``timezone`` is given: 01:00 UTC on Sunday is
    still Saturday night in Toronto."""
    if not _known(value):
        return NO_DATE
    value = _in_zone(value, timezone)
    label = f"{WEEKDAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]}"
    return f"{label} {value.year}" if year else label


def time_label(
    value: datetime | None, timezone: str | None = None, *, seconds: bool = False
) -> str:
    """'20:00' (or '19:20:05' with ``seconds``, when numbers were read): 24-hour club time,
    converted to ``timezone`` when given."""
    if not _known(value):
        return ""
    value = _in_zone(value, timezone)
    return f"{value:%H:%M:%S}" if seconds else f"{value:%H:%M}"


def when_label(value: datetime | None, timezone: str | None = None) -> str:
    """'Tue 1 Dec 20:00' in the club's timezone (``value`` carries it, or ``timezone``)."""
    if not _known(value):
        return NO_DATE
    value = _in_zone(value, timezone)
    return f"{day_label(value)} {time_label(value)}"


def show_name(starts_at: datetime | None, title: object, timezone: str | None = None) -> str:
    """'Fri 11 Dec 21:30 · Friday Late': a show (or an event's date) named beside its
    date, the one way on every picker, heading and table; the title ``isolate``-d, so a
    right-to-left override in it cannot reverse what follows."""
    return f"{when_label(starts_at, timezone)} · {isolate(title)}"


def moment_label(value: datetime | None, timezone: str | None = None) -> str:
    """'Mon 30 Nov 2026 17:08:41': when something happened (audit rows), with the year and
    seconds a log needs; converted to ``timezone`` when given."""
    if not _known(value):
        return NO_DATE
    stamp = _in_zone(pd.Timestamp(value), timezone)
    return f"{day_label(stamp, year=True)} {time_label(stamp, seconds=True)}"


def age_label(age: timedelta, *, seconds: bool = False) -> str:
    """How old something is, for "… from 12 min ago": '0 min' under a minute, minutes
    under two hours, then hours, then days ('3 days'). With ``seconds`` (live numbers,
    re-read every few seconds) under two minutes reads '42 s'. A clock that stepped
    back reads 0, never a negative age."""
    total = max(0, int(age.total_seconds()))
    if seconds and total < 120:
        return f"{total} s"
    minutes = total // 60
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"


# --- seat counts ---------------------------------------------------------------------------
# What a seat count reads as when there is no number: it could not be read, or the website
# does not manage the stock (no limit to sell).
UNKNOWN = "unknown"
UNLIMITED = "unlimited"


def seats_text(value: object, unlimited: bool = False) -> str:
    """A seat count (capacity, sold, pending, remaining, on sale) as every page, message and
    audit row writes it: '1,234'; without a number, 'unlimited' when ``unlimited`` (stock
    not managed) else 'unknown', never 0 or a dash."""
    if _known(value):
        return f"{int(value):,}"
    return UNLIMITED if unlimited else UNKNOWN


# --- column headers ----------------------------------------------------------------------
COLUMN_LABELS: Mapping[str, str] = {
    "at": "When",
    "who": "Who",
    "email": "E-mail",
    "role": "Role",
    "updated_by": "Changed by",
    "updated_at": "Changed",
    "created_by": "Made by",
    "created_at": "Made",
    "expires_at": "Works until",
    "revoked_by": "Revoked by",
    "status": "Status",
    "selection": "Shows",
    "action": "Action",
    "listing": "Listing",
    "listing_key": "Listing",
    "channel": "Channel",
    "what": "What changed",
    "before": "Before",
    "after": "After",
    "result": "Result",
    "error": "Error",
    "note": "Note",
    "starts_at": "When",
    "when": "When",
    "title": "Title",
    "show": "Show",
    "source": "Grouped by",
    "venue_capacity": "Venue capacity",
    "capacity": "Capacity",
    "listings": "Listings",
    "sold": "Sold",
    "pending": "Pending",
    "remaining": "Remaining",
    "oversold": "Oversold",
    "target_capacity": "New capacity",
    "target_remaining": "New remaining",
    "reason": "Why",
    "message": "What happened",
    "details": "Details",
    "key": "Key",
    "kind": "Kind",
    **{f"sold_{c}": f"Sold · {c.label}" for c in Channel},
    "sell_through_pct": "Sell-through %",
    "nearly_full": "Nearly full",
    "fooevents_drift": "Site stock drift",
    "errors": "Errors",
    "checked_in": "Checked in",
    "no_show_rate": "No-show rate",
    "weekday": "Weekday",
    "shows": "Shows",
    "cancelled": "Cancelled / refunded",
    "gross": "Gross",
    **{f"gross_{c}": f"Gross · {c.label}" for c in Channel},
    "scope": "Channel",
    "fees": "Eventbrite fees",
    "net": "Net",
    "average_price": "Average price",
    "ticket_type": "Ticket type",
    **{f"net_{c}": f"Net · {c.label}" for c in Channel},
    **{f"on_sale_{c}": f"On sale · {c.label}" for c in Channel},
}
# What a sync dry run will do to a listing (brcc_core.capacity.sync's row actions), as the manager
# reads it in the Sync table.
SYNC_ACTIONS: Mapping[str, str] = {
    "change": "Will change",
    "keep": "Already at target",
    "leave": "Left alone",
}
# A comparison column per ticket type of the compared shows: seats sold of that type.
TICKET_TYPE_PREFIX = "sold_type: "


def header(column: str) -> str:
    """The manager's word for a column; an unlisted column reads as plain words."""
    if column.startswith(TICKET_TYPE_PREFIX):
        return f"Sold · {column.removeprefix(TICKET_TYPE_PREFIX)}"
    return COLUMN_LABELS.get(column) or column.replace("_", " ").capitalize()


def listing_name(key: str | None, listings: pd.DataFrame | None = None) -> str:
    """A listing as a manager knows it: 'Friday Night Standup · WooCommerce · Fri 4 Dec
    20:00'. A key the listings do not hold is named by its channel and kept beside it, so
    it is never shown alone without saying what it is."""
    return listing_names([key], listings)[key]


def listing_names(
    keys: Iterable[str | None],
    listings: pd.DataFrame | None,
    link_titles: Mapping[str, str] | None = None,
) -> dict[str | None, str]:
    """``listing_name`` of several keys at once (the listings indexed once); a key that is
    not a listing's (an audit row about a show, a rule, a meeting link) is named in words,
    a meeting link by its title from ``link_titles`` (link key -> title) when known."""
    rows: dict[str, Mapping] = {}
    if listings is not None and not listings.empty:
        rows = {r["listing_key"]: r for r in listings.to_dict("records")}
    return {key: _listing_name(key, rows.get(key), link_titles) for key in dict.fromkeys(keys)}


def listing_label(row: Mapping) -> str:
    """The one way a listing is named on every page, picker, confirmation and audit row:
    'Friday Night Standup (Front Row) · Eventbrite · Fri 4 Dec 20:00'. The slot is an
    Eventbrite ticket class (a website slot is its start time, already in the date);
    ``row`` has a listing's ``title``, ``channel``, ``starts_at`` and ``slot_label``."""
    slot = row.get("slot_label")
    shown = _known(slot) and row.get("channel") == Channel.EVENTBRITE and slot != row["title"]
    slot = f" ({isolate(slot)})" if shown else ""
    return (
        f"{isolate(row['title'])}{slot} · {channel_name(row.get('channel'))} · "
        f"{when_label(row.get('starts_at'))}"
    )


def _listing_name(
    key: str | None, row: Mapping | None, link_titles: Mapping[str, str] | None = None
) -> str:
    if not isinstance(key, str) or not key:
        return ""
    if row is not None:
        return listing_label(row)
    if not (is_listing_key(key) or is_eventbrite_key(key)):
        return _subject_name(key, link_titles or {})
    return f"{channel_name(channel_of(key))} listing no longer in the catalog ({key})"


def _subject_name(key: str, link_titles: Mapping[str, str]) -> str:
    """What an audit row that is not about a listing is about, in words: a show by its
    date, a meeting link by its title, never a raw key such as ``link:rJWjl1rrfwqh``. A
    person (a role's row) and the app's own words ("catalog") read as they are."""
    start = show_start(key)
    if start is not None:
        return f"show {when_label(start)}"
    if key.startswith(LINK_PREFIX):
        title = link_titles.get(key)
        return f"meeting link «{isolate(title)}»" if title else "a meeting link"
    kind, _, number = key.partition(":")
    if kind == "rule" and number:
        return f"recurring rule no. {number}"
    return key


def whole_percent(share: float | None) -> int | None:
    """A share (0.6545) as the whole percent every page prints (65): rounded once, half
    up, here, so the Dashboard's table, its key figures and a comparison card never
    round the same show to 65% on one page and 66% on another."""
    return None if share is None or not _known(share) else math.floor(float(share) * 100 + 0.5)


def percent_label(share: float | None) -> str:
    """'65%', or 'unknown'."""
    percent = whole_percent(share)
    return "unknown" if percent is None else f"{percent}%"


def describe_changes(changes: dict[str, tuple[int, int]]) -> str:
    """What a refresh changed, in a manager's words: "no changes", or e.g.
    "listings +12 / -3, events +4"."""
    parts = []
    for what, (added, removed) in changes.items():
        moves = [f"+{added}" if added else "", f"-{removed}" if removed else ""]
        if added or removed:
            parts.append(f"{what} " + " / ".join(m for m in moves if m))
    return ", ".join(parts) or "no changes"
