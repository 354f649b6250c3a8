"""PHP values as WordPress stores them: ``serialize``/``unserialize``, ``maybe_serialize``
and friends, and PHP's loose casts. Shared by the sandbox's WooCommerce emulation (meta on
the way in and out) and its FooEvents simulation (order tickets, array meta).

PHP arrays are modelled as Python dicts (int or str keys, insertion ordered); JSON lists
become {0: ..., 1: ...} on the way in and come back as lists when their keys are 0..n-1.
"""

from __future__ import annotations

import math
import re
from typing import Any

import phpserialize

# become {0: ..., 1: ...} on the way in and come back as lists when their keys are 0..n-1.

_PHP_TRIM = " \t\n\r\0\x0b"
_PHP_NUMERIC = re.compile(r"[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*")
_PHP_LEADING_NUMBER = re.compile(r"[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_PHP_INT_KEY = re.compile(r"0|-?[1-9][0-9]*")


def is_serialized(data: Any, strict: bool = True) -> bool:
    """WordPress's ``is_serialized``: does this string look PHP-serialized?"""
    if not isinstance(data, str):
        return False
    data = data.strip(_PHP_TRIM)
    if data == "N;":
        return True
    if len(data) < 4 or data[1] != ":":
        return False
    if strict:
        if data[-1] not in ";}":
            return False
    else:
        semicolon, brace = data.find(";"), data.find("}")
        if semicolon == -1 and brace == -1:
            return False
        if semicolon != -1 and semicolon < 3:
            return False
        if brace != -1 and brace < 4:
            return False
    token = data[0]
    if token == "s":
        if strict and data[-2] != '"':
            return False
        if not strict and '"' not in data:
            return False
        return re.match(r"s:[0-9]+:", data) is not None
    if token in ("a", "O", "E"):
        return re.match(rf"{token}:[0-9]+:", data) is not None
    if token in ("b", "i", "d"):
        pattern = rf"{token}:[0-9.E+-]+;"
        return (re.fullmatch if strict else re.match)(pattern, data) is not None
    return False


def _php_text(raw: Any) -> Any:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw


def _php_array_hook(pairs: list[tuple[Any, Any]]) -> dict[Any, Any]:
    return {_php_text(key): _php_text(value) for key, value in pairs}


def _php_object_hook(_name: Any, members: dict[Any, Any]) -> dict[Any, Any]:
    # json_encode shows public properties only; protected/private names start with NUL.
    public = {}
    for key, value in members.items():
        name = _php_text(key)
        if isinstance(name, str) and name.startswith("\0"):
            continue
        public[name] = _php_text(value)
    return public


def php_unserialize(data: str) -> Any:
    """PHP's ``unserialize``; raises ``ValueError`` where PHP would return false."""
    raw = data.strip(_PHP_TRIM).encode("utf-8")
    try:
        value = phpserialize.loads(raw, array_hook=_php_array_hook, object_hook=_php_object_hook)
    except (ValueError, EOFError, IndexError, TypeError) as exc:
        raise ValueError("not a valid PHP serialization") from exc
    return _php_text(value)


def _php_float_text(value: float, *, serialize: bool) -> str:
    """A float the way PHP writes it: ``serialize`` (shortest round trip) or a string
    cast (14 significant digits)."""
    if math.isnan(value):
        return "NAN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    text = repr(value) if serialize else f"{value:.14G}"
    if "e" in text.lower():
        mantissa, exponent = re.split("[eE]", text)
        if "." not in mantissa:
            mantissa += ".0"
        power = int(exponent)
        return f"{mantissa}E{'+' if power > 0 else ''}{power}"
    if text.endswith(".0"):
        text = text[:-2]
    return text


def php_serialize(value: Any) -> str:
    """PHP's ``serialize`` for the values JSON can carry (arrays as dicts or lists). Built
    into one list of parts: the seed serializes tens of thousands of order tickets."""
    out: list[str] = []
    _serialize_into(value, out)
    return "".join(out)


def _serialize_into(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("N;")
    elif isinstance(value, bool):
        out.append(f"b:{int(value)};")
    elif isinstance(value, int):
        out.append(f"i:{value};")
    elif isinstance(value, float):
        out.append(f"d:{_php_float_text(value, serialize=True)};")
    elif isinstance(value, str):
        size = len(value) if value.isascii() else len(value.encode("utf-8"))
        out.append(f's:{size}:"{value}";')
    elif isinstance(value, (list, tuple, dict)):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        out.append(f"a:{len(value)}:{{")
        for key, item in items:
            _serialize_into(key, out)
            _serialize_into(item, out)
        out.append("}")
    else:
        raise TypeError(f"cannot serialize {type(value).__name__}")


def maybe_unserialize(raw: str | None) -> Any:
    """WordPress's ``maybe_unserialize``: a broken serialization reads as ``False``."""
    if is_serialized(raw):
        try:
            return php_unserialize(raw)  # type: ignore[arg-type]
        except ValueError:
            return False
    return raw


def maybe_serialize(value: Any) -> str | None:
    """WordPress's ``maybe_serialize`` plus ``$wpdb``'s string cast: the text stored."""
    if isinstance(value, dict | list):
        return php_serialize(value)
    if isinstance(value, str):
        # A string that already looks serialized is serialized again, as WordPress does.
        return php_serialize(value) if is_serialized(value, strict=False) else value
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _php_float_text(value, serialize=False)
    return str(value)


def _php_key(key: str) -> int | str:
    if _PHP_INT_KEY.fullmatch(key) and -(2**63) <= int(key) < 2**63:
        return int(key)
    return key


def json_to_php(value: Any) -> Any:
    """A decoded JSON value as PHP's ``json_decode($body, true)`` holds it."""
    if isinstance(value, list):
        return {index: json_to_php(item) for index, item in enumerate(value)}
    if isinstance(value, dict):
        return {_php_key(str(key)): json_to_php(item) for key, item in value.items()}
    return value


def php_to_json(value: Any) -> Any:
    """A PHP value as ``json_encode`` writes it (sequential arrays become lists)."""
    if isinstance(value, dict):
        if list(value.keys()) == list(range(len(value))):
            return [php_to_json(item) for item in value.values()]
        return {str(key): php_to_json(item) for key, item in value.items()}
    return value


def php_identical(a: Any, b: Any) -> bool:
    """PHP's ``===``: same type and value; arrays key by key in the same order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return len(a) == len(b) and all(
            ka == kb and type(ka) is type(kb) and php_identical(va, vb)
            for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True)
        )
    return a == b


def _stripslashes(text: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 1
            if index < len(text):
                out.append("\0" if text[index] == "0" else text[index])
        else:
            out.append(char)
        index += 1
    return "".join(out)


def _stripslashes_deep(value: Any) -> Any:
    if isinstance(value, str):
        return _stripslashes(value)
    if isinstance(value, dict):
        return {key: _stripslashes_deep(item) for key, item in value.items()}
    return value


def _is_numeric(value: Any) -> bool:
    """PHP's ``is_numeric``."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and _PHP_NUMERIC.fullmatch(value) is not None


def _php_floatval(value: Any) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        match = _PHP_LEADING_NUMBER.match(value)
        return float(match.group().strip()) if match else 0.0
    return 0.0


def php_intval(value: Any) -> int:
    """PHP's ``intval`` (``wc_stock_amount`` with WooCommerce's default filter)."""
    number = _php_floatval(value)
    if math.isnan(number) or math.isinf(number):
        return 0
    return int(number)


def _absint(value: Any) -> int:
    return abs(php_intval(value))


def _php_string(value: Any) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, float):
        return _php_float_text(value, serialize=False)
    if isinstance(value, dict):
        return "Array"
    return str(value)
