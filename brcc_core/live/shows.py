"""Shows: one performance in the room, grouping the listings of both channels that sell it.

The club has one room, so listings that start at the same local time (within
``SAME_SHOW_WITHIN``, brcc_core.common.club) are the same performance. ``suggest_shows``
is that suggestion; ``map_shows`` puts first what a manager confirmed (saved shows, then
recurring rules such as "every Wednesday 8pm: WooCommerce product X slot Y + Eventbrite
series Z") and suggests the rest.
Pure: no I/O; the app-state DB (``brcc_core.store.state``) stores the mappings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, time

import pandas as pd

from brcc_core.channels.eventbrite_seats import once_per_event
from brcc_core.common import keys, values
from brcc_core.common.club import (
    DEFAULT_VENUE_CAPACITY,
    Channel,
    channel_name,
    is_nearly_full,
    same_show_groups,
)
from brcc_core.store.saved_shows import RecurringRule, SavedShow

SHOW_COLUMN_KINDS = {
    "show_key": None,
    "starts_at": None,
    "title": None,
    "listing_keys": None,
    "channels": None,
    "venue_capacity": None,
    "sold_woocommerce": values.WHOLE,
    "sold_eventbrite": values.WHOLE,
    # Seats Eventbrite can still sell for the show: each event's seats left (shared by its
    # ticket classes, docs/eventbrite-seats.md), never a sum of class remainders.
    "eventbrite_left": values.WHOLE,
    "sold": values.WHOLE,
    "pending": values.WHOLE,
    "remaining": values.WHOLE,
    "sell_through": values.DECIMAL,
    "oversold": None,
    "nearly_full": None,
    "sold_known": None,
    "errors": None,
    # Seats on sale on each channel now (never below 0) and the oversell exposure: seats on
    # sale across channels minus seats the room has left (docs/domain.md section 6, the same
    # measure as a sync plan's). WooCommerce unlimited stock: on sale and exposure <NA>,
    # ``on_sale_unlimited`` True and the show over-exposed, since no room bounds it.
    "on_sale_woocommerce": values.WHOLE,
    "on_sale_eventbrite": values.WHOLE,
    "on_sale_unlimited": None,
    "exposure": values.WHOLE,
    "over_exposed": None,
}
SHOW_COLUMNS = list(SHOW_COLUMN_KINDS)


def unknown_channels_of(listings: pd.DataFrame) -> dict[str, str]:
    """Channels that could not be read at all (channel -> reason), as ``build_listings``
    records them on its frame: every show's figure on such a channel is unknown."""
    return dict(listings.attrs.get(UNKNOWN_CHANNELS_ATTR) or {})


UNKNOWN_CHANNELS_ATTR = "unknown_channels"


def suggest_shows(
    listings: pd.DataFrame,
    venue_capacity: int = DEFAULT_VENUE_CAPACITY,
    unknown_channels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Group listings into shows by local start time; flag oversold and nearly full.

    ``remaining`` = venue capacity - sold - pending (negative when oversold). Sold is
    ``<NA>`` when any listing's sold is unknown, or a channel could not be read at all
    (``unknown_channels``, default: the frame's own record): a partial total would look
    like a real one.
    """
    if unknown_channels is None:
        unknown_channels = unknown_channels_of(listings)
    timed = listings[values.known_cells(listings["starts_at"])].sort_values(
        "starts_at", kind="stable"
    )
    groups = same_show_groups(timed["starts_at"].items())

    records = dict(zip(timed.index, timed.to_dict("records"), strict=True))
    rows = [
        _show_row(
            [records[i] for i in members],
            venue_capacity=venue_capacity,
            unknown_channels=unknown_channels,
        )
        for members in groups
    ]
    return values.typed_frame(rows, SHOW_COLUMN_KINDS)


def _show_row(
    part: list[dict],
    *,
    venue_capacity: int,
    show_key: str | None = None,
    title: str | None = None,
    unknown_channels: Mapping[str, str] | None = None,
) -> dict:
    """One show's figures from its listings (``part``: listing records, in order).

    Plain Python over records: a pandas slice per show cost ~4 ms, seconds per page at the
    club's size."""
    times = [r["starts_at"] for r in part if values.known(r["starts_at"])]
    starts_at = min(times) if times else pd.NaT
    unknown = dict(unknown_channels or {})
    # A channel that could not be read may have sold seats for this show that no listing
    # here shows: its part, and every total that includes it, is unknown.
    pending_known = all(values.known(r.get("pending")) for r in part)
    known = all(values.known(r["sold"]) for r in part) and pending_known and not unknown
    sold = sum(int(r["sold"]) for r in part) if known else pd.NA
    pending = sum(int(r["pending"]) for r in part) if pending_known else pd.NA
    remaining = venue_capacity - sold - pending if known else pd.NA
    errors = [
        f"{channel_name(channel)} sold unknown: {reason}" for channel, reason in unknown.items()
    ]
    errors = list(
        dict.fromkeys(errors + [r["error"] for r in part if values.known(r.get("error"))])
    )
    if title is None:
        wc_titles = [
            r["slot_label"]
            for r in part
            if r["channel"] == Channel.WOOCOMMERCE and values.known(r.get("slot_label"))
        ]
        title = wc_titles[0] if wc_titles else part[0]["title"]
    if show_key is None:
        show_key = keys.show_key(starts_at)
    return {
        "show_key": show_key,
        "starts_at": starts_at,
        "title": title,
        "listing_keys": tuple(r["listing_key"] for r in part),
        "channels": tuple(sorted({r["channel"] for r in part})),
        "venue_capacity": venue_capacity,
        "sold_woocommerce": _channel_sum(
            [r["sold"] for r in part if r["channel"] == Channel.WOOCOMMERCE],
            Channel.WOOCOMMERCE in unknown,
        ),
        "sold_eventbrite": _channel_sum(
            [r["sold"] for r in part if r["channel"] == Channel.EVENTBRITE],
            Channel.EVENTBRITE in unknown,
        ),
        "eventbrite_left": _eventbrite_left(part, Channel.EVENTBRITE in unknown),
        "sold": sold,
        "pending": pending,
        "remaining": remaining,
        "sell_through": (sold + pending) / venue_capacity if known else pd.NA,
        "oversold": bool(known and sold + pending > venue_capacity),
        "nearly_full": bool(known) and is_nearly_full(sold + pending, venue_capacity),
        "sold_known": known,
        "errors": tuple(errors),
        **_exposure(part, remaining, unknown),
    }


def _exposure(part: list[dict], remaining, unknown: Mapping[str, str]) -> dict:
    """Seats on sale per channel and the oversell exposure of one show (``SHOW_COLUMNS``)."""
    wc = [r for r in part if r["channel"] == Channel.WOOCOMMERCE]
    unlimited = any(values.known(r.get("unlimited")) and bool(r["unlimited"]) for r in wc)
    if Channel.WOOCOMMERCE in unknown or unlimited:
        on_sale_wc = pd.NA
    else:
        on_sale_wc = _channel_sum([_on_sale(r.get("available")) for r in wc])
    on_sale_eb = _on_sale(_eventbrite_left(part, Channel.EVENTBRITE in unknown))
    exposure = oversell_exposure([on_sale_wc, on_sale_eb], remaining, unlimited)
    return {
        "on_sale_woocommerce": on_sale_wc,
        "on_sale_eventbrite": on_sale_eb,
        "on_sale_unlimited": unlimited,
        "exposure": exposure,
        "over_exposed": unlimited or (values.known(exposure) and exposure > 0),
    }


def _on_sale(available):
    """A listing's stock below 0 (oversold) puts nothing on sale."""
    return available if not values.known(available) else max(0, int(available))


def oversell_exposure(on_sale: Iterable, remaining, unlimited: bool = False):
    """Seats on sale across channels minus seats the room has left (an oversold room has
    none left), never below 0; <NA> when unbounded (unlimited stock) or an input is unknown."""
    seats = list(on_sale)
    if unlimited or not values.known(remaining) or any(not values.known(v) for v in seats):
        return pd.NA
    return max(0, sum(int(v) for v in seats) - max(0, int(remaining)))


def _eventbrite_left(part: list[dict], channel_unknown: bool = False):
    """The show's Eventbrite events' seats left, each event once (its classes share them);
    unknown when Eventbrite could not be read."""
    seats_left = once_per_event(
        (r.get("event_id"), r.get("event_seats_left"))
        for r in part
        if r["channel"] == Channel.EVENTBRITE
    )
    return _channel_sum(seats_left, channel_unknown)


def _channel_sum(sold: list, channel_unknown: bool = False):
    """A channel's sold for one show: 0 when the channel was read and sells none of it,
    unknown when the channel could not be read or one of its listings is unknown."""
    if channel_unknown:
        return pd.NA
    if not sold:
        return 0
    return pd.NA if any(not values.known(v) for v in sold) else sum(int(v) for v in sold)


# --- saved mappings ---------------------------------------------------------------------
MAPPED_SHOW_COLUMN_KINDS = {**SHOW_COLUMN_KINDS, "source": None, "rule_id": values.WHOLE}
MAPPED_SHOW_COLUMNS = list(MAPPED_SHOW_COLUMN_KINDS)
"""``map_shows`` columns: ``source`` is "saved" (confirmed by a manager), "rule" (mapped
by a recurring rule) or "suggested"; ``rule_id`` names the rule (else <NA>)."""


def map_shows(
    listings: pd.DataFrame,
    saved: Iterable[SavedShow] = (),
    rules: Iterable[RecurringRule] = (),
    venue_capacity: int = DEFAULT_VENUE_CAPACITY,
    unknown_channels: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Shows with saved mappings first, then recurring rules, then suggestions.

    A listing belongs to one show: a saved show takes it before a rule, a rule before a
    suggestion. A saved show keeps its own venue capacity (else the rule's, else the
    default); a saved show whose listings are all gone is not shown. When a leftover
    suggestion starts at the same minute as a confirmed show it is kept apart (key
    suffixed ``+new``) for a manager to merge, never added silently.
    """
    if unknown_channels is None:
        unknown_channels = unknown_channels_of(listings)
    by_key = {key: idx for idx, key in zip(listings.index, listings["listing_key"], strict=True)}
    records = dict(zip(listings.index, listings.to_dict("records"), strict=True))
    position = {idx: n for n, idx in enumerate(listings.index)}
    taken: set = set()
    rows: list[dict] = []
    used_keys: set[str] = set()

    def add(
        members: list,
        cap: int,
        source: str,
        key: str | None,
        title: str | None = None,
        rule_id: int | None = None,
    ) -> None:
        part = [records[i] for i in members]
        row = _show_row(
            part,
            venue_capacity=cap,
            show_key=key,
            title=title,
            unknown_channels=unknown_channels,
        )
        while row["show_key"] in used_keys:
            row["show_key"] += "+new"
        used_keys.add(row["show_key"])
        rows.append({**row, "source": source, "rule_id": rule_id})

    for show in saved:
        members = [by_key[k] for k in show.listing_keys if k in by_key and by_key[k] not in taken]
        members.sort(key=position.__getitem__)  # the listings' own order, not the stored one
        if not members:
            continue
        taken.update(members)
        cap = show.venue_capacity or venue_capacity
        add(members, cap, "saved", show.show_key, title=show.title or None)

    for rule in rules:
        by_day: dict = {}
        for idx, row in records.items():
            if idx not in taken and rule.matches(row):
                by_day.setdefault(row["starts_at"].date(), []).append(idx)
        for day, members in sorted(by_day.items()):
            taken.update(members)
            key = keys.show_key(datetime.combine(day, time.fromisoformat(rule.start_time)))
            cap = rule.venue_capacity or venue_capacity
            add(members, cap, "rule", key, rule_id=rule.rule_id)

    rest = listings.loc[[i for i in listings.index if i not in taken]]
    if len(rest):
        for suggestion in suggest_shows(
            rest,
            venue_capacity=venue_capacity,
            unknown_channels=unknown_channels,
        ).to_dict("records"):
            members = [by_key[k] for k in suggestion["listing_keys"]]
            add(members, venue_capacity, "suggested", suggestion["show_key"])

    df = values.typed_frame(rows, MAPPED_SHOW_COLUMN_KINDS)
    if len(df):
        df = df.sort_values(["starts_at", "show_key"], na_position="last").reset_index(drop=True)
    return df
