"""What the manager's pages show, computed from ``BoxOffice`` frames (pure: no Streamlit, no I/O).

The dashboard's key figures and upcoming-shows table, the comparison's candidates, cards,
summary and CSV, and the selection's encoding in a shareable URL all live here so they can
be tested without a browser, and so a page is only widgets in and rendering out.

A number that could not be read stays unknown (``None``/``<NA>``) with its reason next to
it; it is never replaced by 0, because a wrong number on a projector is worse than a gap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from brcc_core.boxoffice import Health
from brcc_core.club import CHANNEL_NAMES, NEARLY_FULL_SHARE

KEY_FIGURE_DAYS = 7
UPCOMING_DAYS = 14
MAX_SELECTION = 8
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HEALTH_ICONS = {"ok": "✅", "degraded": "⚠️", "down": "⛔"}

_SHOW_KEY = re.compile(r"^show:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
_LISTING_KEY = re.compile(
    r"^(eb:[0-9A-Za-z_-]+:[0-9A-Za-z_-]+|wc:\d+|wc:\d+:[0-9A-Za-z_-]+:[0-9A-Za-z_-]+)$"
)


def _known(value) -> bool:
    return value is not None and not (not isinstance(value, str) and pd.isna(value))


def _int(value) -> int | None:
    return int(value) if _known(value) else None


def when_label(starts_at: datetime | None) -> str:
    """'Fri 27 Nov 20:00' in the club's timezone (``starts_at`` already carries it)."""
    if starts_at is None or pd.isna(starts_at):
        return "date unknown"
    return f"{WEEKDAYS[starts_at.weekday()]} {starts_at.day} {starts_at:%b %H:%M}"


# --- windows -----------------------------------------------------------------------------
def local_now(timezone: str) -> pd.Timestamp:
    """Now in the club's timezone: the start of every "upcoming" window."""
    return pd.Timestamp.now(tz=timezone)


def listings_between(listings: pd.DataFrame, start: datetime, end: datetime) -> pd.DataFrame:
    """Listings starting in ``[start, end)``: the pages group only their window into shows
    (grouping every listing of the planning window costs 0.5 s at 10x the club)."""
    starts = listings["starts_at"]
    return listings[starts.notna() & (starts >= start) & (starts < end)]


def listings_on_days(listings: pd.DataFrame, days: Iterable[date]) -> pd.DataFrame:
    """Every listing on these local dates: whole days, so a show is never cut in two."""
    wanted = set(days)
    if not wanted or listings.empty:
        return listings.iloc[0:0]
    local_days = listings["starts_at"].map(lambda t: t.date() if _known(t) else None)
    return listings[local_days.isin(wanted)]


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


def upcoming_shows(shows: pd.DataFrame, now: datetime, days: int) -> pd.DataFrame:
    """Shows starting from ``now`` to ``days`` days ahead, in start order."""
    starts = shows["starts_at"]
    window = shows[(starts >= now) & (starts < now + timedelta(days=days))]
    return window.sort_values("starts_at").reset_index(drop=True)


# --- dashboard ---------------------------------------------------------------------------
@dataclass(frozen=True)
class KeyFigures:
    """The dashboard's headline numbers for the next few days.

    Seats sold, pending and sell-through are None (unknown) as soon as one show in the
    window has an unknown input: a partial total on a projector reads as the real one.
    ``known_shows`` and ``known_sold`` say what the shows that could be read add up to,
    and ``unknown_reasons`` why the others could not.
    """

    days: int
    shows: int
    seats_sold: int | None
    pending: int | None
    venue_capacity: int
    sell_through: float | None
    oversold: int
    nearly_full: int
    unknown: int
    unknown_reasons: tuple[str, ...] = ()
    known_shows: int = 0
    known_sold: int = 0
    over_exposed: int = 0  # shows with more seats on sale across channels than the room has
    exposure_unknown: int = 0  # shows whose exposure could not be said (reason in errors)


def key_figures(shows: pd.DataFrame, now: datetime, days: int = KEY_FIGURE_DAYS) -> KeyFigures:
    """Shows, seats sold, sell-through (sold + pending over venue capacity), pending,
    oversold and over-exposed shows from ``now`` to ``days`` ahead (the dashboard passes
    its chosen horizon, so nothing oversold or over-exposed hides past the first week)."""
    window = upcoming_shows(shows, now, days)
    known = window[window["sold_known"].astype(bool)]
    complete = len(known) == len(window)
    capacity = int(window["venue_capacity"].sum())
    known_sold = int(known["sold"].sum())
    sold = known_sold if complete else None
    pending_values = list(window["pending"])
    pending = (
        int(sum(int(p) for p in pending_values)) if all(_known(p) for p in pending_values) else None
    )
    reasons = sorted({e for errs in window.loc[~window["sold_known"], "errors"] for e in errs})
    return KeyFigures(
        days=days,
        shows=len(window),
        seats_sold=sold,
        pending=pending,
        venue_capacity=capacity,
        sell_through=(sold + pending) / capacity
        if capacity and sold is not None and pending is not None
        else None,
        oversold=int(window["oversold"].sum()),
        nearly_full=int(window["nearly_full"].sum()),
        unknown=len(window) - len(known),
        unknown_reasons=tuple(reasons),
        known_shows=len(known),
        known_sold=known_sold,
        over_exposed=int(window["over_exposed"].sum()),
        exposure_unknown=int((window["exposure"].isna() & ~window["on_sale_unlimited"]).sum()),
    )


UPCOMING_COLUMNS = [
    "show_key",
    "date",
    "time",
    "show",
    "sold_woocommerce",
    "sold_eventbrite",
    "pending",
    "venue_capacity",
    "remaining",
    "on_sale_woocommerce",
    "on_sale_eventbrite",
    "exposure",
    "sell_through",
    "flag",
]
UNLIMITED = "unlimited"


def exposure_flag(row: Mapping) -> str:
    """The over-exposed warning in the manager's words, or "" when the show is not."""
    if not row["over_exposed"]:
        return ""
    if row["on_sale_unlimited"]:
        return "🔓 over-exposed: unlimited seats on sale on the site"
    return f"🔓 over-exposed: {int(row['exposure']):,} more seats on sale than the room has"


def show_flag(row: Mapping) -> str:
    """The words a manager scans for: oversold beats nearly full beats unknown, and an
    over-exposed show says so too (it can still sell seats the room does not have)."""
    if row["oversold"]:
        state = "⛔ oversold"
    elif row["nearly_full"]:
        state = "⚠️ nearly full"
    elif not row["sold_known"]:
        state = "❓ sold unknown"
    else:
        state = ""
    return " · ".join(part for part in (state, exposure_flag(row)) if part)


def _seats(value, unlimited: bool = False) -> str | None:
    """On sale / exposure as the table prints them: unlimited spelled out, unknown None."""
    if unlimited:
        return UNLIMITED
    return f"{int(value):,}" if _known(value) else None


def upcoming_table(shows: pd.DataFrame) -> pd.DataFrame:
    """The dashboard's upcoming-shows rows: date and time in the club's timezone, sold per
    channel, pending, venue capacity, remaining, seats on sale per channel, the oversell
    exposure, sell-through in percent and a flag."""
    rows = []
    for show in shows.to_dict("records"):
        st_pct = show["sell_through"]
        rows.append(
            {
                "show_key": show["show_key"],
                "date": f"{WEEKDAYS[show['starts_at'].weekday()]} {show['starts_at']:%d %b}",
                "time": f"{show['starts_at']:%H:%M}",
                "show": show["title"],
                "sold_woocommerce": show["sold_woocommerce"],
                "sold_eventbrite": show["sold_eventbrite"],
                "pending": show["pending"],
                "venue_capacity": show["venue_capacity"],
                "remaining": show["remaining"],
                "on_sale_woocommerce": _seats(
                    show["on_sale_woocommerce"], bool(show["on_sale_unlimited"])
                ),
                "on_sale_eventbrite": _seats(show["on_sale_eventbrite"]),
                "exposure": _seats(show["exposure"], bool(show["on_sale_unlimited"])),
                "sell_through": round(float(st_pct) * 100, 1) if _known(st_pct) else None,
                "flag": show_flag(show),
            }
        )
    table = pd.DataFrame(rows, columns=UPCOMING_COLUMNS)
    for col in ("sold_woocommerce", "sold_eventbrite", "pending", "venue_capacity", "remaining"):
        table[col] = pd.array([_int(v) for v in table[col]], dtype="Int64")
    table["sell_through"] = pd.array([v for v in table["sell_through"]], dtype="Float64")
    for col in ("on_sale_woocommerce", "on_sale_eventbrite", "exposure"):
        table[col] = table[col].astype("string")  # unknown stays <NA>, shown as "unknown"
    return table


@dataclass(frozen=True)
class HealthLine:
    name: str
    state: str
    icon: str
    reason: str
    latency: str
    detail: str  # the few words that fit on a badge: budget left, age, free space


_CALLS_LEFT = re.compile(r"(\d[\d,]*) of [\d,]+ calls left this hour")


def _health_detail(h: Health, latency: str) -> str:
    if h.name == "Eventbrite API":
        budget = _CALLS_LEFT.search(h.reason)
        calls = f"{int(budget.group(1).replace(',', '')):,} calls left this hour" if budget else ""
        return " · ".join(p for p in (calls, latency if h.state == "ok" else "") if p)
    if h.state != "ok":
        return h.state
    if h.latency_ms is not None:
        return latency
    return h.reason


def health_lines(health: Sequence[Health]) -> list[HealthLine]:
    """Health results as the dashboard prints them (icon, reason, measured latency)."""
    lines = []
    for h in health:
        latency = f"{h.latency_ms:.0f} ms" if h.latency_ms is not None else ""
        icon = HEALTH_ICONS.get(h.state, "❔")
        lines.append(
            HealthLine(h.name, h.state, icon, h.reason, latency, _health_detail(h, latency))
        )
    return lines


def overall_health(health: Sequence[Health]) -> str:
    """'down' when every integration that talks to a system is down, else the worst state."""
    systems = [h for h in health if h.name in ("WooCommerce API", "Eventbrite API", "WordPress DB")]
    if systems and all(h.state == "down" for h in systems):
        return "all down"
    states = {h.state for h in health}
    return "down" if "down" in states else "degraded" if "degraded" in states else "ok"


# --- selection <-> URL -------------------------------------------------------------------
def is_show_key(key: str) -> bool:
    """``show:YYYY-MM-DDTHH:MM`` naming a real minute (no 30 February, month 13, 24:00)."""
    if not _SHOW_KEY.match(key):
        return False
    try:
        datetime.strptime(key[5:], "%Y-%m-%dT%H:%M")
    except ValueError:
        return False
    return True


def is_listing_key(key: str) -> bool:
    return bool(_LISTING_KEY.match(key))


def clean_selection(keys: Iterable[str]) -> list[str]:
    """Valid keys, first occurrence kept, at most ``MAX_SELECTION``."""
    out: list[str] = []
    for key in keys:
        key = str(key).strip()
        if (is_show_key(key) or is_listing_key(key)) and key not in out:
            out.append(key)
    return out[:MAX_SELECTION]


def encode_selection(keys: Iterable[str]) -> dict[str, str]:
    """``{"shows": "show:…,show:…", "listings": "eb:…,wc:…"}`` for ``st.query_params``;
    empty parts are left out so a link stays short."""
    keys = clean_selection(keys)
    shows = [k for k in keys if is_show_key(k)]
    listings = [k for k in keys if is_listing_key(k)]
    params = {}
    if shows:
        params["shows"] = ",".join(shows)
    if listings:
        params["listings"] = ",".join(listings)
    return params


@dataclass(frozen=True)
class DecodedSelection:
    keys: tuple[str, ...]
    rejected: tuple[str, ...] = ()  # not a show or listing key
    dropped: int = 0  # valid but beyond MAX_SELECTION


def decode_selection(params: Mapping[str, str | Sequence[str]]) -> DecodedSelection:
    """The selection a pasted link carries (``shows`` first, then ``listings``); anything
    that is not a key is reported, never guessed at."""
    raw: list[str] = []
    for name in ("shows", "listings"):
        value = params.get(name) or ""
        parts = [value] if isinstance(value, str) else list(value)
        for part in parts:
            raw.extend(p.strip() for p in str(part).split(",") if p.strip())
    valid, rejected = [], []
    for key in raw:
        if not (is_show_key(key) or is_listing_key(key)):
            rejected.append(key)
        elif key not in valid:
            valid.append(key)
    return DecodedSelection(
        keys=tuple(valid[:MAX_SELECTION]),
        rejected=tuple(rejected),
        dropped=max(0, len(valid) - MAX_SELECTION),
    )


def merge_table_selection(
    selection: Sequence[str], visible: Sequence[str], chosen: Iterable[str]
) -> tuple[list[str], int]:
    """A table's ticked rows applied to the shared selection: keys not in the table stay,
    the table's own rows become exactly what is ticked. Returns (selection, left out)."""
    chosen_set = set(chosen)
    visible_set = set(visible)
    kept = [k for k in selection if k not in visible_set or k in chosen_set]
    added = [k for k in visible if k in chosen_set and k not in kept]
    merged = kept + added
    return merged[:MAX_SELECTION], max(0, len(merged) - MAX_SELECTION)


def selection_days(keys: Iterable[str], listings: pd.DataFrame) -> set[date]:
    """The local dates the selected shows and listings happen on."""
    days: set[date] = set()
    by_key = None
    for key in keys:
        if is_show_key(key):
            days.add(date.fromisoformat(key[5:15]))
            continue
        if by_key is None:
            by_key = listings.set_index("listing_key")["starts_at"]
        starts = by_key.get(key)
        if _known(starts):
            days.add(starts.date())
    return days


# --- comparison --------------------------------------------------------------------------
CANDIDATE_COLUMNS = ["key", "kind", "starts_at", "label", "channel", "title"]


def listing_label(row: Mapping) -> str:
    """'Fri 27 Nov 20:00 · Eventbrite · Friday Night · General Admission'."""
    parts = [when_label(row["starts_at"]), CHANNEL_NAMES.get(row["channel"], row["channel"])]
    parts.append(str(row["title"]))
    if _known(row.get("slot_label")) and row["slot_label"] != row["title"]:
        parts.append(str(row["slot_label"]))
    return " · ".join(parts)


def show_label(row: Mapping) -> str:
    """'Fri 27 Nov 20:00 · Friday 8pm Show (both channels)'."""
    channels = row["channels"]
    where = (
        "both channels"
        if len(channels) > 1
        else f"{CHANNEL_NAMES.get(channels[0], channels[0])} only"
        if channels
        else "no listing"
    )
    return f"{when_label(row['starts_at'])} · {row['title']} ({where})"


def comparison_candidates(
    shows: pd.DataFrame,
    listings: pd.DataFrame,
    *,
    kind: str = "show",
    query: str = "",
    weekdays: Iterable[str] = (),
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """What can be picked: shows (``kind="show"``) or listings of either channel, filtered
    by words in the name (all must match), weekday ('Mon'…'Sun') and local date range
    (both ends included)."""
    if kind == "show":
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
            r["listing_key"]: f"{r['title']} {r['slot_label'] if _known(r['slot_label']) else ''}"
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
            if _known(r["starts_at"])
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

    @property
    def when(self) -> str:
        return when_label(self.starts_at)


def _line(row: Mapping, room_left: int | None) -> ListingLine:
    available = _int(row["available"])
    drift = available - room_left if available is not None and room_left is not None else None
    label = CHANNEL_NAMES.get(row["channel"], row["channel"])
    if _known(row.get("slot_label")):
        label = f"{label} · {row['slot_label']}"
    return ListingLine(
        listing_key=row["listing_key"],
        channel=row["channel"],
        label=label,
        capacity=_int(row["capacity"]),
        sold=_int(row["sold"]),
        pending=_int(row["pending"]),
        available=available,
        unlimited=bool(row["unlimited"]),
        status=str(row["status"]),
        drift=drift,
        error=row["error"] if _known(row["error"]) else None,
    )


def _channel_total(rows: list[Mapping], channel: str, column: str) -> int | None:
    values = [r[column] for r in rows if r["channel"] == channel]
    if any(not _known(v) for v in values):
        return None
    return int(sum(values))


def _room_left(show: Mapping | None) -> int | None:
    if show is None or not show["sold_known"]:
        return None
    return int(show["venue_capacity"]) - int(show["sold"]) - int(show["pending"])


def _wc_drift(lines: Iterable[ListingLine]) -> int | None:
    drifts = [ln.drift for ln in lines if ln.channel == "woocommerce" and ln.drift is not None]
    return sum(drifts) if drifts else None


def _show_card(show: Mapping, members: list[Mapping]) -> ComparisonCard:
    room_left = _room_left(show)
    lines = tuple(_line(r, room_left) for r in members)
    known = bool(show["sold_known"])
    sell_through = show["sell_through"]
    return ComparisonCard(
        key=show["show_key"],
        kind="show",
        title=str(show["title"]),
        starts_at=show["starts_at"],
        capacity=int(show["venue_capacity"]),
        capacity_label="venue capacity",
        sold_woocommerce=_int(show["sold_woocommerce"]),
        sold_eventbrite=_int(show["sold_eventbrite"]),
        pending_woocommerce=_channel_total(members, "woocommerce", "pending"),
        pending_eventbrite=_channel_total(members, "eventbrite", "pending"),
        sold=_int(show["sold"]) if known else None,
        pending=_int(show["pending"]),
        remaining=_int(show["remaining"]) if known else None,
        sell_through=float(sell_through) if _known(sell_through) else None,
        oversold=bool(show["oversold"]),
        nearly_full=bool(show["nearly_full"]),
        drift=_wc_drift(lines),
        lines=lines,
        errors=tuple(show["errors"]),
    )


def _listing_card(row: Mapping, show: Mapping | None, nearly_full: float) -> ComparisonCard:
    line = _line(row, _room_left(show))
    sold, pending, capacity = line.sold, line.pending, line.capacity
    channel = row["channel"]
    sell_through = (sold + (pending or 0)) / capacity if sold is not None and capacity else None
    used = None if sold is None else sold + (pending or 0)
    title = str(row["title"])
    if _known(row.get("slot_label")) and row["slot_label"] != title:
        title = f"{title} · {row['slot_label']}"
    return ComparisonCard(
        key=row["listing_key"],
        kind="listing",
        title=title,
        starts_at=row["starts_at"] if _known(row["starts_at"]) else None,
        capacity=capacity,
        capacity_label=f"{CHANNEL_NAMES.get(channel, channel)} capacity",
        sold_woocommerce=sold if channel == "woocommerce" else 0,
        sold_eventbrite=sold if channel == "eventbrite" else 0,
        pending_woocommerce=pending if channel == "woocommerce" else 0,
        pending_eventbrite=pending if channel == "eventbrite" else 0,
        sold=sold,
        pending=pending,
        remaining=line.available,
        sell_through=sell_through,
        oversold=row["status"] == "oversold"
        or (capacity is not None and used is not None and used > capacity),
        nearly_full=bool(
            capacity and used is not None and capacity * nearly_full <= used <= capacity
        ),
        drift=line.drift if channel == "woocommerce" else None,
        lines=(line,),
        errors=(line.error,) if line.error else (),
    )


def comparison_cards(
    keys: Sequence[str],
    listings: pd.DataFrame,
    shows: pd.DataFrame,
    *,
    nearly_full: float = NEARLY_FULL_SHARE,
) -> list[ComparisonCard]:
    """One card per selected key, in the order picked. A key that is no longer in the
    catalog (past the planning window, removed) gets a card that says so."""
    shows_by_key = {s["show_key"]: s for s in shows.to_dict("records")}
    show_of_listing = {k: s for s in shows_by_key.values() for k in s["listing_keys"]}
    rows_by_key = {r["listing_key"]: r for r in listings.to_dict("records")}
    cards = []
    for key in keys:
        if key in shows_by_key:
            show = shows_by_key[key]
            members = [rows_by_key[k] for k in show["listing_keys"] if k in rows_by_key]
            cards.append(_show_card(show, members))
        elif key in rows_by_key:
            row = rows_by_key[key]
            cards.append(_listing_card(row, show_of_listing.get(key), nearly_full))
        else:
            cards.append(_missing_card(key))
    return cards


def _missing_card(key: str) -> ComparisonCard:
    starts_at = None
    if is_show_key(key):
        starts_at = datetime.fromisoformat(key[5:])
    return ComparisonCard(
        key=key,
        kind="missing",
        title=key,
        starts_at=starts_at,
        capacity=None,
        capacity_label="capacity",
        sold_woocommerce=None,
        sold_eventbrite=None,
        pending_woocommerce=None,
        pending_eventbrite=None,
        sold=None,
        pending=None,
        remaining=None,
        sell_through=None,
        oversold=False,
        nearly_full=False,
        drift=None,
        errors=(
            "not in the current catalog: no listing starts then"
            if starts_at
            else "not in the current catalog (removed, or outside the planning window)",
        ),
    )


COMPARISON_COLUMNS = [
    "key",
    "kind",
    "starts_at",
    "when",
    "title",
    "capacity",
    "sold_woocommerce",
    "sold_eventbrite",
    "sold",
    "pending",
    "remaining",
    "sell_through_pct",
    "oversold",
    "nearly_full",
    "fooevents_drift",
    "errors",
]


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
        }
        for c in cards
    ]
    frame = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    for col in (
        "capacity",
        "sold_woocommerce",
        "sold_eventbrite",
        "sold",
        "pending",
        "remaining",
        "fooevents_drift",
    ):
        frame[col] = pd.array([_int(v) for v in frame[col]], dtype="Int64")
    frame["sell_through_pct"] = pd.array(
        [v if _known(v) else None for v in frame["sell_through_pct"]], dtype="Float64"
    )
    return frame


def comparison_csv(cards: Sequence[ComparisonCard]) -> bytes:
    """The comparison as CSV (UTF-8 with BOM so a spreadsheet opens accents right);
    unknown numbers are empty cells, never 0."""
    return comparison_frame(cards).to_csv(index=False).encode("utf-8-sig")


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
    known = [c for c in cards if c.sold is not None and c.capacity is not None]
    rated = [c for c in known if c.sell_through is not None]
    best = max(rated, key=lambda c: c.sell_through, default=None)
    worst = min(rated, key=lambda c: c.sell_through, default=None)
    notes = []
    if len(known) < len(cards):
        partial = f"{sum(c.sold for c in known):,} sold" if known else "none readable"
        notes.append(
            f"{len(cards) - len(known)} of {len(cards)} with numbers unknown, so the totals "
            f"are unknown (the {len(known)} readable: {partial})"
        )
    show_listings = {ln.listing_key for c in cards if c.kind == "show" for ln in c.lines}
    if any(c.kind == "listing" and c.key in show_listings for c in cards):
        notes.append("a listing also inside a selected show is counted twice")
    unlimited = any(c.kind == "listing" and c.lines and c.lines[0].unlimited for c in cards)
    return ComparisonSummary(
        items=len(cards),
        known=len(known),
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


def describe_changes(changes: dict[str, tuple[int, int]]) -> str:
    """What a refresh changed, in a manager's words: "no changes", or e.g.
    "listings +12 / -3, events +4"."""
    parts = []
    for what, (added, removed) in changes.items():
        moves = [f"+{added}" if added else "", f"-{removed}" if removed else ""]
        if added or removed:
            parts.append(f"{what} " + " / ".join(m for m in moves if m))
    return ", ".join(parts) or "no changes"
