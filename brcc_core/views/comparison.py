"""The comparison page: what can be picked, one card per picked show or listing, the
summary and the CSV (pure: no Streamlit, no I/O; ``brcc_core.ui.comparison`` renders them).

A number that could not be read stays unknown (``None``/``<NA>``) with its reason on the
card; totals are unknown as soon as one card's input is, never a partial sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from brcc_core.common.availability import Availability
from brcc_core.common.club import Channel, channel_name, is_nearly_full
from brcc_core.common.downloads import csv_bytes
from brcc_core.common.formats import (
    TICKET_TYPE_PREFIX,
    WEEKDAYS,
    header,
    listing_label,
    show_name,
    when_label,
)
from brcc_core.common.keys import show_start
from brcc_core.common.values import DECIMAL, WHOLE, known, typed_frame, whole_number
from brcc_core.common.windows import listings_between, listings_on_days
from brcc_core.sales.history import SalesHistory
from brcc_core.sales.takings import Takings, past_shows, takings_of
from brcc_core.views.selection import selection_days

CANDIDATE_COLUMNS = ["key", "kind", "starts_at", "label", "channel", "title"]


def show_label(row: Mapping) -> str:
    """'Fri 27 Nov 20:00 · Friday 8pm Show (both channels)'."""
    channels = row["channels"]
    where = (
        "both channels"
        if len(channels) > 1
        else f"{channel_name(channels[0])} only"
        if channels
        else "no listing"
    )
    return f"{show_name(row['starts_at'], row['title'])} ({where})"


def comparison_listings(
    listings: pd.DataFrame, keys: Iterable[str], start: date, end: date, timezone: str
) -> pd.DataFrame:
    """The listings a comparison needs: every one from ``start`` to ``end`` (local dates,
    both included) plus whole days of whatever is selected outside that range."""
    tz = ZoneInfo(timezone)
    in_range = listings_between(
        listings,
        datetime.combine(start, time(0), tz),
        datetime.combine(end + timedelta(days=1), time(0), tz),
    )
    extra = listings_on_days(listings, selection_days(keys, listings))
    return pd.concat([in_range, extra]).drop_duplicates("listing_key").sort_values("starts_at")


def comparison_past(history: SalesHistory | None, *, before: datetime) -> pd.DataFrame | None:
    """The shows of the sales history that started before ``before``: what Comparison can
    still pick once the catalog no longer lists them (None while no history was read)."""
    return None if history is None else past_shows(history.frame, before=before)


def comparison_candidates(
    shows: pd.DataFrame,
    listings: pd.DataFrame,
    *,
    kind: str = "show",
    query: str = "",
    weekdays: Iterable[str] = (),
    start: date | None = None,
    end: date | None = None,
    past: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """What can be picked: shows (``kind="show"``) or listings of either channel, filtered
    by words in the name (all must match), weekday ('Mon'…'Sun') and local date range
    (both ends included). ``past`` (``takings.past_shows``): shows of the sales history,
    pickable as shows where the catalog no longer lists them."""
    if kind == "show":
        if past is not None and not past.empty:
            shows = pd.concat([shows, past[~past["show_key"].isin(shows["show_key"])]])
        rows = [
            {
                "key": s["show_key"],
                "kind": "show",
                "starts_at": s["starts_at"],
                "label": show_label(s),
                "channel": ",".join(s["channels"]),
                "title": s["title"],
            }
            for s in shows.to_dict("records")
        ]
        words_of = {
            r["listing_key"]: f"{r['title']} {r['slot_label'] if known(r['slot_label']) else ''}"
            for r in listings[["listing_key", "title", "slot_label"]].to_dict("records")
        }
        search_text = {
            s["show_key"]: " ".join([s["title"], *(words_of.get(k, "") for k in s["listing_keys"])])
            for s in shows.to_dict("records")
        }
    else:
        rows = [
            {
                "key": r["listing_key"],
                "kind": "listing",
                "starts_at": r["starts_at"],
                "label": listing_label(r),
                "channel": r["channel"],
                "title": r["title"],
            }
            for r in listings.to_dict("records")
            if known(r["starts_at"])
        ]
        search_text = {r["key"]: r["label"] for r in rows}
    frame = pd.DataFrame(rows, columns=CANDIDATE_COLUMNS)
    if frame.empty:
        return frame
    words = [w for w in query.lower().split() if w]
    keep = pd.Series(True, index=frame.index)
    if words:
        keep &= frame["key"].map(lambda k: all(w in search_text[k].lower() for w in words))
    wanted_days = {WEEKDAYS.index(d) for d in weekdays if d in WEEKDAYS}
    if wanted_days:
        keep &= frame["starts_at"].map(lambda t: t.weekday() in wanted_days)
    if start is not None:
        keep &= frame["starts_at"].map(lambda t: t.date() >= start)
    if end is not None:
        keep &= frame["starts_at"].map(lambda t: t.date() <= end)
    return frame[keep].sort_values(["starts_at", "label"]).reset_index(drop=True)


@dataclass(frozen=True)
class ListingLine:
    """One listing inside a comparison card.

    ``drift`` = the channel's remaining stock minus the seats really left in the room
    (venue capacity - sold - pending of the whole show): positive means the channel would
    sell seats the room does not have (docs/domain.md section 3). None when it cannot be said
    (unlimited stock, unknown numbers).
    """

    listing_key: str
    channel: str
    label: str
    capacity: int | None
    sold: int | None
    pending: int | None
    available: int | None
    unlimited: bool
    status: str
    drift: int | None
    error: str | None


@dataclass(frozen=True)
class ComparisonCard:
    """One selected show or listing, side by side with the others."""

    key: str
    kind: str  # show | listing | missing
    title: str
    starts_at: datetime | None
    capacity: int | None  # venue capacity for a show, the listing's own for a listing
    capacity_label: str
    sold_woocommerce: int | None
    sold_eventbrite: int | None
    pending_woocommerce: int | None
    pending_eventbrite: int | None
    sold: int | None
    pending: int | None
    remaining: int | None
    sell_through: float | None
    oversold: bool
    nearly_full: bool
    drift: int | None  # FooEvents (WooCommerce) drift, summed over its listings
    lines: tuple[ListingLine, ...] = ()
    errors: tuple[str, ...] = ()
    # Money and ticket types from the sales history (shows only; None: not asked for).
    takings: Takings | None = None

    @property
    def when(self) -> str:
        return when_label(self.starts_at)


def _line(row: Mapping, room_left: int | None) -> ListingLine:
    available = whole_number(row["available"])
    drift = available - room_left if available is not None and room_left is not None else None
    label = channel_name(row["channel"])
    if known(row.get("slot_label")):
        label = f"{label} · {row['slot_label']}"
    return ListingLine(
        listing_key=row["listing_key"],
        channel=row["channel"],
        label=label,
        capacity=whole_number(row["capacity"]),
        sold=whole_number(row["sold"]),
        pending=whole_number(row["pending"]),
        available=available,
        unlimited=bool(row["unlimited"]),
        status=str(row["status"]),
        drift=drift,
        error=row["error"] if known(row["error"]) else None,
    )


def _channel_total(rows: list[Mapping], channel: str, column: str) -> int | None:
    values = [r[column] for r in rows if r["channel"] == channel]
    if any(not known(v) for v in values):
        return None
    return int(sum(values))


def _room_left(show: Mapping | None) -> int | None:
    if show is None or not show["sold_known"]:
        return None
    return int(show["venue_capacity"]) - int(show["sold"]) - int(show["pending"])


def _wc_drift(lines: Iterable[ListingLine]) -> int | None:
    drifts = [
        ln.drift for ln in lines if ln.channel == Channel.WOOCOMMERCE and ln.drift is not None
    ]
    return sum(drifts) if drifts else None


def _show_card(show: Mapping, members: list[Mapping]) -> ComparisonCard:
    room_left = _room_left(show)
    lines = tuple(_line(r, room_left) for r in members)
    sold_known = bool(show["sold_known"])
    sell_through = show["sell_through"]
    return ComparisonCard(
        key=show["show_key"],
        kind="show",
        title=str(show["title"]),
        starts_at=show["starts_at"],
        capacity=int(show["venue_capacity"]),
        capacity_label="venue capacity",
        sold_woocommerce=whole_number(show["sold_woocommerce"]),
        sold_eventbrite=whole_number(show["sold_eventbrite"]),
        pending_woocommerce=_channel_total(members, Channel.WOOCOMMERCE, "pending"),
        pending_eventbrite=_channel_total(members, Channel.EVENTBRITE, "pending"),
        sold=whole_number(show["sold"]) if sold_known else None,
        pending=whole_number(show["pending"]),
        remaining=whole_number(show["remaining"]) if sold_known else None,
        sell_through=float(sell_through) if known(sell_through) else None,
        oversold=bool(show["oversold"]),
        nearly_full=bool(show["nearly_full"]),
        drift=_wc_drift(lines),
        lines=lines,
        errors=tuple(show["errors"]),
    )


def _listing_card(row: Mapping, show: Mapping | None) -> ComparisonCard:
    line = _line(row, _room_left(show))
    sold, pending, capacity = line.sold, line.pending, line.capacity
    channel = row["channel"]
    sell_through = (sold + (pending or 0)) / capacity if sold is not None and capacity else None
    used = None if sold is None else sold + (pending or 0)
    title = str(row["title"])
    if known(row.get("slot_label")) and row["slot_label"] != title:
        title = f"{title} · {row['slot_label']}"
    return ComparisonCard(
        key=row["listing_key"],
        kind="listing",
        title=title,
        starts_at=row["starts_at"] if known(row["starts_at"]) else None,
        capacity=capacity,
        capacity_label=f"{channel_name(channel)} capacity",
        sold_woocommerce=sold if channel == Channel.WOOCOMMERCE else 0,
        sold_eventbrite=sold if channel == Channel.EVENTBRITE else 0,
        pending_woocommerce=pending if channel == Channel.WOOCOMMERCE else 0,
        pending_eventbrite=pending if channel == Channel.EVENTBRITE else 0,
        sold=sold,
        pending=pending,
        remaining=line.available,
        sell_through=sell_through,
        oversold=row["status"] == Availability.OVERSOLD
        or (capacity is not None and used is not None and used > capacity),
        nearly_full=is_nearly_full(used, capacity),
        drift=line.drift if channel == Channel.WOOCOMMERCE else None,
        lines=(line,),
        errors=(line.error,) if line.error else (),
    )


def comparison_cards(
    keys: Sequence[str],
    listings: pd.DataFrame,
    shows: pd.DataFrame,
    *,
    sales: pd.DataFrame | None = None,
    sales_unknown: Mapping[str, str] | None = None,
    past: pd.DataFrame | None = None,
) -> list[ComparisonCard]:
    """One card per selected key, in the order picked. With the sales history (``sales``,
    ``history.SALES_COLUMNS``; ``sales_unknown``: channel -> why it could not be read) a
    show's card carries its takings, and a show the catalog no longer lists is made from
    the history (``past``: ``takings.past_shows``). Any other key no longer in the catalog
    gets a card that says so."""
    shows_by_key = {s["show_key"]: s for s in shows.to_dict("records")}
    show_of_listing = {k: s for s in shows_by_key.values() for k in s["listing_keys"]}
    rows_by_key = {r["listing_key"]: r for r in listings.to_dict("records")}
    past_by_key = {} if past is None else {s["show_key"]: s for s in past.to_dict("records")}

    def money(listing_keys) -> Takings | None:
        return None if sales is None else takings_of(sales, listing_keys, sales_unknown)

    cards = []
    for key in keys:
        if key in shows_by_key:
            show = shows_by_key[key]
            members = [rows_by_key[k] for k in show["listing_keys"] if k in rows_by_key]
            card = _show_card(show, members)
            takings = money(show["listing_keys"])
            if takings is not None:  # why any of its money is unknown, with the rest
                card = replace(card, takings=takings, errors=card.errors + takings.unknown)
            cards.append(card)
        elif key in rows_by_key:
            row = rows_by_key[key]
            cards.append(_listing_card(row, show_of_listing.get(key)))
        elif key in past_by_key and sales is not None:
            show = past_by_key[key]
            cards.append(_past_card(show, money(show["listing_keys"])))
        else:
            cards.append(_missing_card(key))
    return cards


def _past_card(show: Mapping, takings: Takings) -> ComparisonCard:
    """A played show the catalog no longer lists: sold per channel from the history; its
    capacity, pending and remaining are no longer known."""
    sold = list(takings.sold.values())
    return _card_without_listings(
        show["show_key"],
        "past",
        title=str(show["title"]),
        starts_at=show["starts_at"],
        capacity_label="venue capacity",
        errors=takings.unknown,
        sold_woocommerce=takings.sold.get(Channel.WOOCOMMERCE, 0),
        sold_eventbrite=takings.sold.get(Channel.EVENTBRITE, 0),
        sold=None if any(v is None for v in sold) else sum(sold),
        takings=takings,
    )


def _missing_card(key: str) -> ComparisonCard:
    starts_at = show_start(key)
    return _card_without_listings(
        key,
        "missing",
        title=key,
        starts_at=starts_at,
        capacity_label="capacity",
        errors=(
            "not in the current catalog: no listing starts then"
            if starts_at
            else "not in the current catalog (removed, or outside the planning window)",
        ),
    )


def _card_without_listings(
    key: str,
    kind: str,
    *,
    title: str,
    starts_at: datetime | None,
    capacity_label: str,
    errors: tuple[str, ...],
    sold_woocommerce: int | None = None,
    sold_eventbrite: int | None = None,
    sold: int | None = None,
    takings: Takings | None = None,
) -> ComparisonCard:
    """A card no catalog listing backs: capacity, pending and remaining unknown."""
    return ComparisonCard(
        key=key,
        kind=kind,
        title=title,
        starts_at=starts_at,
        capacity=None,
        capacity_label=capacity_label,
        sold_woocommerce=sold_woocommerce,
        sold_eventbrite=sold_eventbrite,
        pending_woocommerce=None,
        pending_eventbrite=None,
        sold=sold,
        pending=None,
        remaining=None,
        sell_through=None,
        oversold=False,
        nearly_full=False,
        drift=None,
        errors=errors,
        takings=takings,
    )


# Whole numbers of a card (unknown: an empty cell), and its money (from the history).
MONEY_COLUMNS = ("net_woocommerce", "net_eventbrite", "gross", "net", "average_price")
COMPARISON_COLUMN_KINDS = {
    "key": None,
    "kind": None,
    "starts_at": None,
    "when": None,
    "title": None,
    "capacity": WHOLE,
    "sold_woocommerce": WHOLE,
    "sold_eventbrite": WHOLE,
    "sold": WHOLE,
    "pending": WHOLE,
    "remaining": WHOLE,
    "sell_through_pct": DECIMAL,
    "oversold": None,
    "nearly_full": None,
    "fooevents_drift": WHOLE,
    "errors": None,
    **dict.fromkeys(MONEY_COLUMNS, DECIMAL),
}
COMPARISON_COLUMNS = list(COMPARISON_COLUMN_KINDS)


def comparison_frame(cards: Sequence[ComparisonCard]) -> pd.DataFrame:
    """One row per card: the chart's data and the CSV's rows."""
    rows = [
        {
            "key": c.key,
            "kind": c.kind,
            "starts_at": c.starts_at.isoformat() if c.starts_at else None,
            "when": c.when,
            "title": c.title,
            "capacity": c.capacity,
            "sold_woocommerce": c.sold_woocommerce,
            "sold_eventbrite": c.sold_eventbrite,
            "sold": c.sold,
            "pending": c.pending,
            "remaining": c.remaining,
            "sell_through_pct": round(c.sell_through * 100, 1)
            if c.sell_through is not None
            else None,
            "oversold": c.oversold,
            "nearly_full": c.nearly_full,
            "fooevents_drift": c.drift,
            "errors": "; ".join(c.errors),
            **_money_columns(c.takings),
        }
        for c in cards
    ]
    types = sorted({t for c in cards if c.takings for t in c.takings.ticket_types})
    type_columns = dict.fromkeys((TICKET_TYPE_PREFIX + t for t in types), WHOLE)
    return typed_frame(rows, {**COMPARISON_COLUMN_KINDS, **type_columns})


def _money_columns(takings: Takings | None) -> dict:
    """A card's money and ticket types (empty cells when not asked for or unknown)."""
    if takings is None:
        return {}

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return {
        "net_woocommerce": rounded(takings.net.get(Channel.WOOCOMMERCE)),
        "net_eventbrite": rounded(takings.net.get(Channel.EVENTBRITE)),
        "gross": rounded(takings.gross),
        "net": rounded(takings.total_net),
        "average_price": rounded(takings.average_price),
        **{TICKET_TYPE_PREFIX + t: n for t, n in takings.ticket_types.items()},
    }


def comparison_csv(cards: Sequence[ComparisonCard]) -> bytes:
    """The comparison as CSV (``downloads.csv_bytes``: no cell a spreadsheet would run);
    unknown numbers are empty cells, never 0. Headers and dates as on screen."""
    frame = comparison_frame(cards).drop(columns=["starts_at"]).rename(columns=header)
    return csv_bytes(frame)


@dataclass(frozen=True)
class ComparisonSummary:
    """Totals of the selection; each is None (unknown) when one card's input is unknown,
    never a partial sum shown as the whole. ``notes`` give the partial figures in words."""

    items: int
    known: int  # cards whose sold is known
    capacity: int | None
    sold: int | None
    pending: int | None
    remaining: int | None
    average_sell_through: float | None
    best: tuple[str, float] | None  # (label, sell-through)
    worst: tuple[str, float] | None
    oversold: int
    notes: tuple[str, ...] = ()


def _total(values: Iterable[int | None]) -> int | None:
    values = list(values)
    return None if any(v is None for v in values) else int(sum(values))


def comparison_summary(cards: Sequence[ComparisonCard]) -> ComparisonSummary:
    """Totals, average sell-through, best and worst of the selection."""
    readable = [c for c in cards if c.sold is not None and c.capacity is not None]
    rated = [c for c in readable if c.sell_through is not None]
    best = max(rated, key=lambda c: c.sell_through, default=None)
    worst = min(rated, key=lambda c: c.sell_through, default=None)
    notes = []
    if len(readable) < len(cards):
        partial = f"{sum(c.sold for c in readable):,} sold" if readable else "none readable"
        notes.append(
            f"{len(cards) - len(readable)} of {len(cards)} with numbers unknown, so the totals "
            f"are unknown (the {len(readable)} readable: {partial})"
        )
    show_listings = {ln.listing_key for c in cards if c.kind == "show" for ln in c.lines}
    if any(c.kind == "listing" and c.key in show_listings for c in cards):
        notes.append("a listing also inside a selected show is counted twice")
    unlimited = any(c.kind == "listing" and c.lines and c.lines[0].unlimited for c in cards)
    return ComparisonSummary(
        items=len(cards),
        known=len(readable),
        capacity=_total(c.capacity for c in cards),
        sold=_total(c.sold for c in cards),
        pending=_total(c.pending for c in cards),
        remaining=None if unlimited else _total(c.remaining for c in cards),
        average_sell_through=(
            sum(c.sell_through for c in rated) / len(rated)
            if rated and len(rated) == len(cards)
            else None
        ),
        best=(f"{best.when} · {best.title}", best.sell_through) if best else None,
        worst=(f"{worst.when} · {worst.title}", worst.sell_through) if worst else None,
        oversold=sum(c.oversold for c in cards),
        notes=tuple(notes),
    )
