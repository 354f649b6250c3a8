"""Missing values and whole numbers, read the same way everywhere.

A value that could not be read arrives as ``None``, ``NaN`` or pandas' ``<NA>`` depending on
where it came from (a dict, a float column, a nullable column); each must stay "unknown" and
never turn into 0, so every module asks these helpers rather than testing one of the three.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

__all__ = ["api_int", "int_or_none", "known", "nullable_floats", "nullable_ints"]


def known(value: Any) -> bool:
    """False for ``None``, ``NaN`` and ``<NA>``; a string (even "") is known."""
    return value is not None and not (not isinstance(value, str) and pd.isna(value))


def int_or_none(value: Any) -> int | None:
    """A known number as ``int``; an unknown one stays ``None``."""
    return int(value) if known(value) else None


def nullable_ints(values: Iterable[Any]) -> pd.api.extensions.ExtensionArray:
    """A nullable ``Int64`` column: unknown cells stay ``<NA>`` instead of becoming floats."""
    return pd.array([int_or_none(v) for v in values], dtype="Int64")


def api_int(value: Any) -> int | None:
    """A whole number as an API sent it (``12``, ``"12"``); missing, empty, ``true`` or not a
    number is None, so a malformed field reads as unknown rather than as 0 or 1."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def nullable_floats(values: Iterable[Any]) -> pd.api.extensions.ExtensionArray:
    """A nullable ``Float64`` column: unknown cells stay ``<NA>``, never NaN-as-a-number."""
    return pd.array([float(v) if known(v) else None for v in values], dtype="Float64")
