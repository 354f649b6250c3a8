"""The FBOS writer's PHP-style JSON encoding, checked against the hand-written encoder it
replaced (kept here as a test-only oracle) on many generated values, plus fixed strings."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from brcc_core.channels.fooevents import _php_json, parse_booking_options, set_date_stock

# Characters that stress every escaping rule: JSON's own escapes, other control characters,
# DEL, "/", Latin-1, the JavaScript line terminators, BMP, astral and lone surrogates.
ALPHABET = (
    [chr(c) for c in range(0x20)]
    + list('"\\/ azAZ09.,:;{}[]\x7f')
    + ["\x80", "\xa0", "é", "–", "\u2028", "\u2029", "\ufeff", "\uffff", "🎉", "\U0010ffff"]
    + ["\ud800", "\udfff"]
)


_SIMPLE_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def _oracle_string(s: str, unescaped_unicode: bool, unescaped_slashes: bool) -> str:
    parts = ['"']
    for ch in s:
        code = ord(ch)
        if ch in _SIMPLE_ESCAPES:
            parts.append(_SIMPLE_ESCAPES[ch])
        elif ch == "/":
            parts.append("/" if unescaped_slashes else "\\/")
        elif code < 0x20:
            parts.append(f"\\u{code:04x}")
        elif code < 0x80:
            parts.append(ch)
        elif unescaped_unicode and code not in (0x2028, 0x2029):
            # PHP >= 7.1 still escapes the JS line terminators without
            # JSON_UNESCAPED_LINE_TERMINATORS.
            parts.append(ch)
        elif code > 0xFFFF:
            code -= 0x10000
            parts.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            parts.append(f"\\u{code:04x}")
    parts.append('"')
    return "".join(parts)


def oracle_php_json(value: Any, unescaped_unicode: bool, unescaped_slashes: bool) -> str:
    """The hand-written encoder fooevents used before json.dumps, kept as the oracle."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value)}.0"
        return repr(value)
    if isinstance(value, str):
        return _oracle_string(value, unescaped_unicode, unescaped_slashes)
    if isinstance(value, list):
        inner = ",".join(oracle_php_json(v, unescaped_unicode, unescaped_slashes) for v in value)
        return f"[{inner}]"
    if isinstance(value, dict):
        inner = ",".join(
            _oracle_string(str(k), unescaped_unicode, unescaped_slashes)
            + ":"
            + oracle_php_json(v, unescaped_unicode, unescaped_slashes)
            for k, v in value.items()
        )
        return f"{{{inner}}}"
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(12)))


def _scalar(rng: random.Random) -> Any:
    kind = rng.randrange(7)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.randint(-(2**63), 2**63)
    if kind == 3:
        return rng.randint(-100, 100)
    if kind == 4:
        # Finite floats of every magnitude; -0.0 is checked separately (the one difference).
        value = rng.choice([rng.uniform(-1e3, 1e3), float(rng.randint(-99, 99)), rng.random()])
        value *= 10.0 ** rng.randint(-20, 20)
        return 0.0 if value == 0 else value
    return _text(rng)


def _value(rng: random.Random, depth: int = 0) -> Any:
    if depth >= 3 or rng.random() < 0.35:
        return _scalar(rng)
    if rng.random() < 0.3:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {_text(rng): _value(rng, depth + 1) for _ in range(rng.randrange(5))}


@pytest.mark.parametrize("unescaped_unicode", [False, True])
@pytest.mark.parametrize("unescaped_slashes", [False, True])
def test_json_dumps_encoder_matches_the_hand_written_one(
    unescaped_unicode: bool, unescaped_slashes: bool
) -> None:
    rng = random.Random(f"fbos-{unescaped_unicode}-{unescaped_slashes}")
    for _ in range(5000):
        value = _value(rng)
        expected = oracle_php_json(value, unescaped_unicode, unescaped_slashes)
        assert _php_json(value, unescaped_unicode, unescaped_slashes) == expected, value


@pytest.mark.parametrize(
    ("value", "flags", "expected"),
    [
        pytest.param("a/b", (False, False), '"a\\/b"', id="slash-escaped"),
        pytest.param("a/b", (False, True), '"a/b"', id="slash-raw"),
        pytest.param("Café – 🎉", (False, False), '"Caf\\u00e9 \\u2013 \\ud83c\\udf89"', id="u"),
        pytest.param("Café – 🎉", (True, False), '"Café – 🎉"', id="unicode-raw"),
        pytest.param("a\u2028b\u2029", (True, True), '"a\\u2028b\\u2029"', id="terminators"),
        pytest.param("\x7f\x01\n", (False, False), '"\x7f\\u0001\\n"', id="del-kept"),
        pytest.param(
            {"a": [1, 2.0, None, True]}, (False, False), '{"a":[1,2.0,null,true]}', id="compact"
        ),
    ],
)  # fmt: skip
def test_php_json_fixed_strings(value: Any, flags: tuple[bool, bool], expected: str) -> None:
    assert _php_json(value, *flags) == expected


def test_negative_zero_round_trips_byte_for_byte() -> None:
    # The one value where the old encoder differed: it wrote -0.0 as 0.0, so an untouched
    # blob holding -0.0 (json_encode writes it so) did not come back unchanged.
    value = '{"s1":{"label":"x","w":-0.0,"add_date":{"aa":{"date":"June 02, 2025","stock":5}}}}'
    assert set_date_stock(value, "s1", "aa", 5) == value
    assert set_date_stock(value, "s1", "aa", 4) == value.replace('"stock":5', '"stock":4')
    assert parse_booking_options(value)[0].stock == 5


def test_non_finite_numbers_are_refused() -> None:
    with pytest.raises(ValueError):
        _php_json({"stock": float("nan")}, False, False)
    assert json.loads(_php_json({"stock": 1e300}, False, False)) == {"stock": 1e300}
