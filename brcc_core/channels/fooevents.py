"""FooEvents domain rules: what kind of product this is, and its bookings stock blob.

Pure functions, no I/O. The WooCommerce adapter hands in REST v3 product dicts and FBOS strings;
the listings and write paths rely on the answers here, so every rule copies FooEvents' own PHP
(FooEvents for WooCommerce and FooEvents Bookings 1.7.x) rather than guessing, and anything that
does not fit is reported as a problem instead of being smoothed over (docs/domain.md sections 1-2).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from brcc_core.common.club import seat_number

__all__ = [
    "FBOS_META_KEY",
    "BookingOptionsError",
    "Kind",
    "ProductKind",
    "SlotDate",
    "classify_product",
    "fooevents_formatted_time",
    "meta_value",
    "parse_booking_options",
    "parse_event_date",
    "set_date_stock",
    "slot_time_label",
]

FBOS_META_KEY = "fooevents_bookings_options_serialized"
# FBOS texts whose parse is kept (one per product and version; a club has tens).
FBOS_PARSE_CACHE = 1024

Kind = Literal["bookings", "single", "not_event", "uncertain"]

# FooEvents' event types besides "bookings"; all sell through WooCommerce stock
# (docs/domain.md section 1).
_NON_BOOKING_TYPES = frozenset({"single", "sequential", "select", "seating"})
# Before 2020-11 the multi-day plugin kept its type in its own meta key (FooEvents' "LEGACY:
# 20201110" block in add_product_options_tab_options reads it when WooCommerceEventsType is empty).
_LEGACY_MULTI_DAY_TYPES = frozenset({"sequential", "select"})


class BookingOptionsError(ValueError):
    """The FBOS blob cannot be read or changed safely; `reason` says why, for the manager."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SlotDate:
    """One bookable slot/date of a bookings product, with its remaining stock.

    `stock` is remaining seats (None = unlimited). When `problem` is set the date could not be
    read cleanly (bad date text, non-numeric stock...): show it, never write from it.
    """

    slot_id: str
    slot_label: str
    slot_time: str | None
    date_id: str
    date_label: str | None
    date: date | None
    stock: int | None
    problem: str | None = None

    @property
    def unlimited(self) -> bool:
        """True when the date has no stock limit (FooEvents' '', missing or null)."""
        return self.stock is None and self.problem is None

    @property
    def sold_out(self) -> bool:
        """True at 0 or below (oversold dates go negative)."""
        return self.stock is not None and self.stock <= 0


@dataclass(frozen=True)
class ProductKind:
    """How the app must treat a WooCommerce product, and why.

    Only `bookings` and `single` may be written to; `uncertain` products are shown with the
    reason and refused on every write path.
    """

    kind: Kind
    reason: str
    event_type: str | None = None
    hybrid: bool = False
    stale_fbos: bool = False
    fbos_error: str | None = None
    manage_stock: bool = False
    stock_quantity: int | None = None
    slot_dates: tuple[SlotDate, ...] = ()

    @property
    def writable(self) -> bool:
        """Whether any capacity write may be based on this classification."""
        return self.kind in ("bookings", "single")


# ---------------------------------------------------------------------------------------------
# Small helpers


def meta_value(product: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """Value of the first `meta_data` row with `key`, like WooCommerce's get_meta($key, true)."""
    rows = product.get("meta_data")
    if not isinstance(rows, list):
        return default
    for row in rows:
        if isinstance(row, Mapping) and row.get("key") == key:
            return row.get("value")
    return default


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+"
_MONTH_FIRST = re.compile(
    rf"^(?:{_WEEKDAY})?(?P<month>[a-z]+)\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})$"
)
_ISO_DATE = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$")


def parse_event_date(s: str) -> date | None:
    """Parse a FooEvents display date ("June 02, 2025", "June 2, 2025"); None if it is not one.

    The club's date_format is "F d, Y" ("%B %d, %Y"). English month names (full or short), an
    optional weekday, a missing comma, ordinal suffixes and ISO dates are accepted; anything
    else is None so the caller reports it instead of guessing a day.
    """
    if not isinstance(s, str):
        return None
    text = " ".join(s.split()).lower()
    if not text:
        return None
    match = _ISO_DATE.match(text)
    if match:
        month: int | None = int(match["month"])
    else:
        match = _MONTH_FIRST.match(text)
        if not match:
            return None
        month = _MONTHS.get(match["month"])
    if month is None:
        return None
    try:
        return date(int(match["year"]), month, int(match["day"]))
    except ValueError:
        return None


def _time_parts(slot: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """(hour, minute, period) as stored when the slot shows a time, else None."""
    if not isinstance(slot, Mapping) or slot.get("add_time") != "enabled":
        return None
    if not _isset(slot, "hour", "minute"):
        return None
    hour, minute = slot["hour"], slot["minute"]
    period = slot.get("period")
    return str(hour).strip(), str(minute).strip(), "" if period is None else str(period).strip()


def slot_time_label(slot: dict) -> str | None:
    """Human time of a slot, e.g. "8:00 p.m.", or None when the slot has no time enabled.

    FooEvents only shows a slot time when `add_time` is "enabled"; hour and minute are stored
    as zero-padded strings ("08", "00") and `period` is "", "a.m." or "p.m.".
    """
    parts = _time_parts(slot)
    if parts is None:
        return None
    hour, minute, period = parts
    if not hour or not minute:
        return None
    if hour.isdigit():
        hour = str(int(hour))
    if minute.isdigit() and len(minute) == 1:
        minute = "0" + minute
    return f"{hour}:{minute} {period}" if period else f"{hour}:{minute}"


def fooevents_formatted_time(slot: dict) -> str | None:
    """The slot time exactly as FooEvents formats it, e.g. "(08:00 p.m.)", or None.

    Same expression as FooEvents Bookings' process_booking_options(); ticket meta
    `WooCommerceEventsBookingSlot` embeds it, so legacy ticket matching needs the exact text.
    """
    if not isinstance(slot, Mapping) or slot.get("add_time") != "enabled":
        return None
    if not _isset(slot, "hour", "minute"):
        return None
    return _formatted_time(slot)


# ---------------------------------------------------------------------------------------------
# FBOS decoding and FooEvents' normalisation


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _decode(value: str) -> Any:
    """json.loads with PHP json_decode's strictness (no NaN/Infinity)."""
    try:
        return json.loads(value, parse_constant=_reject_constant)
    except ValueError as exc:  # JSONDecodeError is a ValueError
        raise BookingOptionsError(f"booking options are not valid JSON ({exc})") from None


def _slots_of(decoded: Any) -> dict[str, dict[str, Any]]:
    """Top level {slot_id: slot}; PHP's empty array ([] or null) means no slots."""
    if decoded is None or decoded == []:
        return {}
    if not isinstance(decoded, dict):
        raise BookingOptionsError(
            f"booking options must be a JSON object of slots, not {_json_type(decoded)}"
        )
    slots: dict[str, dict[str, Any]] = {}
    for slot_id, slot in decoded.items():
        if slot == []:  # an empty PHP array encodes as []
            slot = {}
        if not isinstance(slot, dict):
            raise BookingOptionsError(
                f"slot {slot_id!r} must be a JSON object, not {_json_type(slot)}"
            )
        slots[slot_id] = slot
    return slots


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _as_dates(value: Any, slot_id: str) -> dict[str, Any]:
    """A nested `add_date` value as a fresh dict (PHP null/[] are an empty array)."""
    if value is None or value == []:
        return {}
    if not isinstance(value, dict):
        raise BookingOptionsError(
            f"slot {slot_id!r}: add_date must be a JSON object, not {_json_type(value)}"
        )
    return {date_id: _as_entry(entry, slot_id, date_id) for date_id, entry in value.items()}


def _as_entry(value: Any, slot_id: str, date_id: str) -> dict[str, Any]:
    if value is None or value == []:
        return {}
    if not isinstance(value, dict):
        raise BookingOptionsError(
            f"slot {slot_id!r}, date {date_id!r} must be a JSON object, not {_json_type(value)}"
        )
    return dict(value)


def _set_date_field(out: dict[str, Any], date_id: str, field_name: str, value: Any) -> None:
    dates = out.get("add_date")
    if dates is None:
        dates = out["add_date"] = {}
    entry = dates.get(date_id)
    if entry is None:
        entry = dates[date_id] = {}
    entry[field_name] = value


def _process_slot(slot_id: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Normalise one slot exactly as FooEvents Bookings does before every read and write.

    Port of process_booking_options() from FooEvents Bookings (read in
    classes/class-fooevents-bookings-admin.php, FooEvents_Bookings_Admin; FooEvents_Bookings in
    class-fooevents-bookings.php calls its own copy after every json_decode of the meta, and its
    stock writes, e.g. admin_add_ticket_bookings_capture_booking(), re-encode the processed
    array with wp_json_encode(..., JSON_UNESCAPED_UNICODE)). It walks the slot's keys in
    stored order:
      - a key containing "_add_date" sets add_date[<key minus "_add_date">]["date"];
      - else one containing "_zoom_id" sets ...["zoom_id"]; else "_stock" sets ...["stock"];
        (PHP strpos/str_replace: the marker may sit anywhere in the key, all copies removed);
      - "add_time" == "enabled" with hour and minute already seen recomputes formatted_time as
        "(hour:minute[ period])" and keeps add_time;
      - any other key, the literal "add_date" included, is copied, so a nested add_date
        replaces whatever flat keys accumulated before it, and a flat "<id>_stock" after it
        overrides that date's stock (the "override stock").
    Python dicts keep insertion order and overwrite in place, like PHP arrays, so key order
    comes out as FooEvents writes it. Shapes PHP would crash on raise BookingOptionsError.
    """
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if "_add_date" in key:
            _set_date_field(out, key.replace("_add_date", ""), "date", value)
        elif "_zoom_id" in key:
            _set_date_field(out, key.replace("_zoom_id", ""), "zoom_id", value)
        elif "_stock" in key:
            _set_date_field(out, key.replace("_stock", ""), "stock", value)
        elif key == "add_time" and value == "enabled" and _isset(out, "hour", "minute"):
            out["formatted_time"] = _formatted_time(out)
            out["add_time"] = "enabled"
        elif key == "add_date":
            out["add_date"] = _as_dates(value, slot_id)
        else:
            out[key] = value
    return out


def _isset(slot: Mapping[str, Any], *keys: str) -> bool:
    """PHP isset(): present and not null."""
    return all(slot.get(k) is not None for k in keys)


def _php_empty(value: Any) -> bool:
    """PHP empty(): null, false, 0, 0.0, "", "0" and empty arrays."""
    return value in (None, False, 0, "", "0") or value == [] or value == {}


def _php_str(value: Any) -> str:
    """PHP string conversion of a scalar, for the formatted_time concatenation."""
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    return str(value)


def _formatted_time(slot: Mapping[str, Any]) -> str:
    """FooEvents' '(' . hour . ':' . minute . [' ' . period] . ')'."""
    period = slot.get("period")
    suffix = "" if _php_empty(period) else f" {_php_str(period)}"
    return f"({_php_str(slot['hour'])}:{_php_str(slot['minute'])}{suffix})"


def _is_flat_key(key: str) -> bool:
    return "_add_date" in key or "_zoom_id" in key or "_stock" in key


def _slot_shape(raw: dict[str, Any]) -> Literal["flat", "nested", "mixed", "empty"]:
    """How a stored slot keeps its dates (docs/domain.md section 2)."""
    flat = any(_is_flat_key(k) for k in raw)
    nested = "add_date" in raw
    if flat and nested:
        return "mixed"
    if flat:
        return "flat"
    return "nested" if nested else "empty"


# ---------------------------------------------------------------------------------------------
# Stock values


def _parse_stock(value: Any) -> tuple[int | None, str | None]:
    """(remaining stock or None for unlimited, problem) for one stored stock value.

    FooEvents treats "", missing and null as unlimited and compares numbers loosely, so "40",
    40 and 40.0 are the same stock (``club.seat_number``, by ``values.whole_number``); 0 and
    below mean sold out. A stock is held to the seats any room can have: 12.7, 1e30 or
    "9" * 40 is a problem, and so is anything that is not a number.
    """
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        return None, f"stock is {str(value).lower()}, not a number"
    if isinstance(value, str) and not value.strip():  # only "" itself is unlimited
        return None, f"stock {value!r} is not a number"
    if isinstance(value, int | float | str):  # seat_number says why, briefly
        return seat_number(value, "stock", negative_ok=True)
    return None, f"stock is {_json_type(value)}, not a number"


# ---------------------------------------------------------------------------------------------
# Public FBOS API


def _iter_slot_dates(slots: dict[str, dict[str, Any]]) -> Iterator[SlotDate]:
    for slot_id, raw in slots.items():
        slot = _process_slot(slot_id, raw)
        label = slot.get("label")
        slot_label = "" if label is None else str(label)
        slot_time = slot_time_label(slot)
        for date_id, entry in (slot.get("add_date") or {}).items():
            problems: list[str] = []
            raw_date = entry.get("date")
            date_label: str | None
            parsed: date | None = None
            if raw_date is None or raw_date == "":
                date_label = None if raw_date is None else raw_date
                problems.append("no date")
            elif not isinstance(raw_date, str):
                date_label = str(raw_date)
                problems.append(f"date {raw_date!r} is not text")
            else:
                date_label = raw_date
                parsed = parse_event_date(raw_date)
                if parsed is None:
                    problems.append(f"date {raw_date!r} is not a date")
            stock, stock_problem = _parse_stock(entry.get("stock"))
            if stock_problem:
                problems.append(stock_problem)
            yield SlotDate(
                slot_id=slot_id,
                slot_label=slot_label,
                slot_time=slot_time,
                date_id=date_id,
                date_label=date_label,
                date=parsed,
                stock=stock,
                problem="; ".join(problems) or None,
            )


def parse_booking_options(value: str | dict | None) -> list[SlotDate]:
    """Every slot/date of an FBOS blob, in stored order, as FooEvents itself reads them.

    `value` is the meta value (a JSON string) or an already-decoded dict. "" / null / [] mean
    no slots. Undecodable JSON, or a blob whose top level, slot, add_date or date entry is not
    an object, raises BookingOptionsError: such a product must be reported, never written.
    A bad single date (unparseable date, non-numeric stock) is kept with `problem` set.
    """
    if value is None:
        return []
    if isinstance(value, str):
        if not value.strip():
            return []
        return list(_parse_text(value))
    return list(_iter_slot_dates(_slots_of(value)))


# Every live read parses each product's FBOS twice (stock per date, and labels for legacy
# tickets): 0.2 s a read at large scale. The text changes only when that product sells or
# is changed, so a read parses only those. SlotDate is frozen; errors are not cached.
@functools.lru_cache(maxsize=FBOS_PARSE_CACHE)
def _parse_text(value: str) -> tuple[SlotDate, ...]:
    return tuple(_iter_slot_dates(_slots_of(_decode(value))))


def forget_parsed_booking_options() -> None:
    """Parse every FBOS text again (benchmarks timing the read as it was)."""
    _parse_text.cache_clear()


def set_date_stock(value: str, slot_id: str, date_id: str, stock: int | None) -> str:
    """New FBOS JSON string with one date's remaining stock set to `stock` (None = unlimited).

    Everything else keeps its value and order. The changed slot is written in FooEvents'
    nested form (flat date keys folded by the same walk as process_booking_options()), and any
    other mixed slot is folded the same way so no mixed slot is ever written; flat and nested
    slots are left as stored. Setting the stock a date already has changes nothing, so an
    untouched blob comes back byte for byte. Unknown slot or date ids (or a date entry with no
    date) raise BookingOptionsError, as does a blob that cannot be read (never overwrite a
    broken one).
    """
    if not isinstance(value, str):
        raise BookingOptionsError("booking options to change must be the stored JSON string")
    if stock is not None and (isinstance(stock, bool) or not isinstance(stock, int) or stock < 0):
        raise BookingOptionsError(f"stock must be a whole number >= 0 or None, not {stock!r}")
    decoded = _decode(value) if value.strip() else None
    slots = _slots_of(decoded)
    if slot_id not in slots:
        raise BookingOptionsError(f"unknown slot {slot_id!r}")
    target = _process_slot(slot_id, slots[slot_id])
    dates = target.get("add_date") or {}
    if date_id not in dates:
        raise BookingOptionsError(f"unknown date {date_id!r} in slot {slot_id!r}")
    entry = dates[date_id]
    if entry.get("date") in (None, ""):
        # Only an orphan "<id>_stock" key names it: not a date FooEvents can sell.
        raise BookingOptionsError(f"date {date_id!r} in slot {slot_id!r} has no date")
    current, problem = _parse_stock(entry.get("stock"))
    if problem or current != stock:
        entry["stock"] = "" if stock is None else stock

    out: dict[str, Any] = {}
    for sid, raw in decoded.items():
        if sid == slot_id:
            out[sid] = target
        elif _slot_shape(slots[sid]) == "mixed":
            out[sid] = _process_slot(sid, slots[sid])
        else:
            out[sid] = raw  # as decoded, so even an empty [] slot is written back unchanged
    unescaped_unicode, unescaped_slashes = _escape_style(value)
    return _php_json(out, unescaped_unicode, unescaped_slashes)


# ---------------------------------------------------------------------------------------------
# PHP-compatible JSON encoding


def _escape_style(text: str) -> tuple[bool, bool]:
    """(unescaped_unicode, unescaped_slashes) matching how the stored blob was encoded.

    FooEvents' admin save stores json_encode() with default flags (non-ASCII as \\uXXXX, "/"
    as "\\/"); its order/refund writes use JSON_UNESCAPED_UNICODE and pass through
    update_post_meta's stripslashes, which leaves raw UTF-8 and raw "/". Keeping the stored
    style makes an untouched blob round-trip byte for byte; with no evidence, PHP's defaults.
    """
    raw_unicode = escaped_unicode = raw_slash = escaped_slash = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if nxt == "/":
                escaped_slash = True
            elif nxt == "u" and i + 6 <= n:
                try:
                    if int(text[i + 2 : i + 6], 16) >= 0x80:
                        escaped_unicode = True
                except ValueError:
                    pass
            i += 2
            continue
        if ch == "/":
            raw_slash = True
        elif ord(ch) >= 0x80:
            raw_unicode = True
        i += 1
    return raw_unicode and not escaped_unicode, raw_slash and not escaped_slash


# Characters json.dumps(ensure_ascii=False) leaves raw but PHP's json_encode escapes: every
# non-ASCII one by default, and the JavaScript line terminators U+2028 / U+2029 even under
# JSON_UNESCAPED_UNICODE (PHP >= 7.1, without JSON_UNESCAPED_LINE_TERMINATORS). Escaping
# after the fact is safe: in ensure_ascii=False output such characters only occur raw.
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_LINE_TERMINATORS = re.compile("[\u2028\u2029]")


def _u_escape(match: re.Match[str]) -> str:
    """A character as PHP writes it: lowercase \\uXXXX, astral ones as a surrogate pair."""
    code = ord(match.group())
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _php_json(value: Any, unescaped_unicode: bool, unescaped_slashes: bool) -> str:
    """Compact JSON as PHP's json_encode writes it (lowercase \\u escapes, "\\/" by default).

    ensure_ascii=False because Python's ASCII mode also escapes DEL (0x7f), which PHP keeps.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if not unescaped_slashes:
        text = text.replace("/", "\\/")  # "/" never occurs inside an escape sequence
    return (_LINE_TERMINATORS if unescaped_unicode else _NON_ASCII).sub(_u_escape, text)


# ---------------------------------------------------------------------------------------------
# Product classification


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _stock_quantity(product: Mapping[str, Any]) -> int | None:
    quantity = product.get("stock_quantity")
    if isinstance(quantity, bool) or quantity is None:
        return None
    parsed, problem = _parse_stock(quantity)
    return None if problem else parsed


def _fbos_state(raw: Any) -> tuple[bool, tuple[SlotDate, ...], str | None]:
    """(present, slot dates, error) for a product's FBOS meta value."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return False, (), None
    if not isinstance(raw, str):
        # WooCommerce stored a PHP-serialized array: FooEvents' json_decode() fails on it.
        return True, (), "booking options are stored as an object, not as a JSON string"
    try:
        return True, tuple(parse_booking_options(raw)), None
    except BookingOptionsError as exc:
        return True, (), exc.reason


def classify_product(product: dict) -> ProductKind:
    """Decide whether a WooCommerce product is a bookings event, a single event, or neither.

    Rules (docs/domain.md section 1): WooCommerceEventsType is the discriminator;
    WooCommerceEventsEvent other than "Event" means not an event; bookings needs a readable
    FBOS with at least one date, otherwise uncertain; other types are single and ignore any
    (template) FBOS. Without a type, FooEvents itself falls back to the legacy
    WooCommerceEventsMultiDayType and then to "single" (add_product_options_tab_options); the
    app follows it unless the product also carries booking dates, which contradicts that and
    makes it uncertain.
    """
    event_flag = meta_value(product, "WooCommerceEventsEvent")
    raw_type = _text(meta_value(product, "WooCommerceEventsType"))
    fbos_present, slot_dates, fbos_error = _fbos_state(meta_value(product, FBOS_META_KEY))
    manage_stock = product.get("manage_stock") is True
    quantity = _stock_quantity(product) if manage_stock else None
    common: dict[str, Any] = {"manage_stock": manage_stock, "stock_quantity": quantity}
    n_dates = len(slot_dates)
    dates_text = f"{n_dates} booking date{'s' if n_dates != 1 else ''}"

    if event_flag != "Event":
        flag = "missing" if event_flag is None else repr(event_flag)
        # FooEvents creates no tickets and sells no booking slots for a product not flagged
        # as an event, whatever its type or booking options say (the club's "Free Drink"
        # carries bookings options copied from a show): it is not an event.
        leftover = f"; its {dates_text} are ignored, as FooEvents ignores them" if n_dates else ""
        return ProductKind(
            "not_event",
            f"Not a FooEvents event (WooCommerceEventsEvent is {flag}){leftover}.",
            event_type=raw_type or None,
            **common,
        )

    if raw_type == "bookings":
        if fbos_error:
            return ProductKind(
                "uncertain",
                f"Bookings product whose booking options cannot be read: {fbos_error}.",
                event_type="bookings",
                fbos_error=fbos_error,
                **common,
            )
        if not n_dates:
            what = "no booking dates" if fbos_present else "no booking options"
            return ProductKind(
                "uncertain",
                f"Bookings product with {what}; FooEvents cannot sell it as bookings.",
                event_type="bookings",
                **common,
            )
        reason = (
            f"FooEvents Bookings product with {dates_text}; stock lives in the booking options."
        )
        bad = sum(1 for sd in slot_dates if sd.problem)
        if bad:
            reason += f" {bad} of them cannot be read and are refused for writes."
        if manage_stock:
            reason += (
                " WooCommerce also manages stock "
                f"({'unset' if quantity is None else quantity}), which limits sales too."
            )
        return ProductKind(
            "bookings",
            reason,
            event_type="bookings",
            hybrid=manage_stock,
            slot_dates=slot_dates,
            **common,
        )

    if raw_type in _NON_BOOKING_TYPES:
        return _single(raw_type, f"FooEvents {raw_type} event", fbos_present, fbos_error, common)

    if raw_type and raw_type != "1":
        return ProductKind(
            "uncertain",
            f"Unknown FooEvents event type {raw_type!r}.",
            event_type=raw_type,
            fbos_error=fbos_error,
            **common,
        )

    # No type (FooEvents also treats "1" as empty): FooEvents' own fallbacks, unless they
    # conflict with booking data on the product.
    if fbos_error:
        return ProductKind(
            "uncertain",
            "No event type, and booking options that cannot be read: "
            f"{fbos_error}; bookings or single cannot be told apart.",
            fbos_error=fbos_error,
            **common,
        )
    if n_dates:
        return ProductKind(
            "uncertain",
            f"No event type: FooEvents would sell it as a single event, but it carries "
            f"{dates_text}.",
            **common,
        )
    legacy = _text(meta_value(product, "WooCommerceEventsMultiDayType"))
    if legacy in _LEGACY_MULTI_DAY_TYPES:
        return _single(
            legacy,
            f"Legacy multi-day ({legacy}) event without WooCommerceEventsType",
            fbos_present,
            None,
            common,
        )
    return _single(
        "single",
        "Event without WooCommerceEventsType, which FooEvents treats as a single event",
        fbos_present,
        None,
        common,
    )


def _single(
    event_type: str,
    what: str,
    fbos_present: bool,
    fbos_error: str | None,
    common: dict[str, Any],
) -> ProductKind:
    """A non-bookings event: WooCommerce stock limits it; any FBOS on it is a stale template."""
    if common["manage_stock"]:
        quantity = common["stock_quantity"]
        reason = f"{what}; WooCommerce stock {'unset' if quantity is None else quantity}."
    else:
        reason = f"{what}; WooCommerce does not manage its stock (unlimited)."
    if fbos_present:
        reason += " Its booking options are a stale template copy and are ignored."
    return ProductKind(
        "single",
        reason,
        event_type=event_type,
        stale_fbos=fbos_present,
        fbos_error=fbos_error,
        **common,
    )
