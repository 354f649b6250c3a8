"""Missing values and whole numbers, read the same way everywhere.

A value that could not be read arrives as ``None``, ``NaN`` or pandas' ``<NA>`` depending on
where it came from (a dict, a float column, a nullable column); each must stay "unknown" and
never turn into 0, so every module asks these helpers rather than testing one of the three.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

__all__ = ["known", "int_or_none", "nullable_ints"]


def known(value: Any) -> bool:
    """False for ``None``, ``NaN`` and ``<NA>``; a string (even "") is known."""
    return value is not None and not (not isinstance(value, str) and pd.isna(value))


def int_or_none(value: Any) -> int | None:
    """A known number as ``int``; an unknown one stays ``None``."""
    return int(value) if known(value) else None


def nullable_ints(values: Iterable[Any]) -> pd.api.extensions.ExtensionArray:
    """A nullable ``Int64`` column: unknown cells stay ``<NA>`` instead of becoming floats."""
    return pd.array([int_or_none(v) for v in values], dtype="Int64")
