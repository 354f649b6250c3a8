"""Missing values and whole numbers, read the same way everywhere.

A value that could not be read arrives as ``None``, ``NaN`` or pandas' ``<NA>`` depending on
where it came from (a dict, a float column, a nullable column); each must stay "unknown" and
never turn into 0, so every module asks these helpers rather than testing one of the three.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

__all__ = [
    "DECIMAL",
    "TEXT",
    "WHOLE",
    "api_int",
    "int_or_none",
    "known",
    "known_cells",
    "nullable_floats",
    "nullable_ints",
    "text_or_none",
    "typed_frame",
    "unknown",
    "unknown_cells",
]


def known(value: Any) -> bool:
    """False for ``None``, ``NaN`` and ``<NA>``; a string (even "") or a tuple is known."""
    if value is None:
        return False
    return isinstance(value, str | tuple | list) or not pd.isna(value)


def unknown(value: Any) -> bool:
    """True for ``None``, ``NaN`` and ``<NA>``: the opposite of ``known``."""
    return not known(value)


def known_cells(column: pd.Series) -> pd.Series:
    """``known`` of every cell of a column at once (True where read), as a boolean mask:
    pandas' own test, kept here so the rule has one home; a column of thousands of
    listings or sales is not walked a cell at a time."""
    return column.notna()


def unknown_cells(column: pd.Series) -> pd.Series:
    """``unknown`` of every cell of a column at once (True where not read)."""
    return column.isna()


def int_or_none(value: Any) -> int | None:
    """A known number as ``int``; an unknown one stays ``None``."""
    return int(value) if known(value) else None


def text_or_none(value: Any) -> str | None:
    """A known value as text; an unknown one stays ``None``."""
    return str(value) if known(value) else None


def nullable_ints(values: Iterable[Any]) -> pd.api.extensions.ExtensionArray:
    """A nullable ``Int64`` column: unknown cells stay ``<NA>`` instead of becoming floats."""
    values = list(values)
    try:
        # pandas reads None, NaN and <NA> as unknown and whole numbers as they are, 20x
        # faster than a cell at a time (a large club's listings: 0.15 s a read)
        return pd.array(values, dtype="Int64")
    except (TypeError, ValueError, OverflowError):  # 3.7 truncates, as int() does
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
    values = list(values)
    try:
        return pd.array(values, dtype="Float64")  # None, NaN and <NA> read as unknown
    except (TypeError, ValueError):
        return pd.array([float(v) if known(v) else None for v in values], dtype="Float64")


# The kinds a frame's column can be declared with, next to its name (see ``typed_frame``).
WHOLE = "whole"  # nullable Int64: unknown stays <NA>
DECIMAL = "decimal"  # nullable Float64
TEXT = "text"  # pandas string: unknown stays <NA>, shown as "unknown"


def typed_frame(
    rows: Iterable[Mapping[str, Any]], columns: Mapping[str, str | None]
) -> pd.DataFrame:
    """``rows`` as a frame with ``columns`` in their order, each of the kind it is declared
    with (``WHOLE``, ``DECIMAL``, ``TEXT``; None: as it comes), so a column's name and its
    kind are written once."""
    frame = pd.DataFrame(list(rows), columns=list(columns))
    for column, kind in columns.items():
        if kind == WHOLE:
            frame[column] = nullable_ints(frame[column])
        elif kind == DECIMAL:
            frame[column] = nullable_floats(frame[column])
        elif kind == TEXT:
            frame[column] = frame[column].astype("string")
    return frame
