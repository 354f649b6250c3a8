"""brcc_core.common.values: an unknown number stays unknown (never 0) however it arrives."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from brcc_core.common.values import (
    DECIMAL,
    TEXT,
    WHOLE,
    known,
    known_cells,
    nullable_ints,
    text_or_none,
    typed_frame,
    unknown,
    unknown_cells,
    whole_number,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        (math.nan, False),
        (np.nan, False),
        (pd.NA, False),
        (pd.NaT, False),
        (0, True),
        ("", True),  # an empty name was read: it is empty, not unknown
        (("eb:1:2",), True),
        (pd.Timestamp("2026-11-27 20:00"), True),
    ],
)
def test_what_counts_as_unknown(value, expected) -> None:
    assert known(value) is expected
    assert unknown(value) is not expected


def test_a_column_is_tested_cell_by_cell_as_a_single_value_is() -> None:
    cells = [None, math.nan, pd.NA, pd.NaT, 0, "", ("eb:1:2",), pd.Timestamp("2026-11-27")]
    column = pd.Series(cells, dtype=object)
    assert known_cells(column).tolist() == [known(c) for c in cells]
    assert unknown_cells(column).tolist() == [unknown(c) for c in cells]
    sold = pd.array([41, None, 0], dtype="Int64")
    assert known_cells(pd.Series(sold)).tolist() == [True, False, True]


def test_a_known_zero_stays_zero_and_an_unknown_stays_none() -> None:
    assert whole_number(0) == 0
    assert whole_number(np.int64(12)) == 12
    assert whole_number(pd.NA) is None
    assert text_or_none(np.nan) is None
    assert text_or_none(4012) == "4012"


# Each row is a shape a reader really meets; "was" notes where the old copies disagreed
# (api_int, wordpress._int_or_none rounding, live/listings._as_int truncating, int()).
@pytest.mark.parametrize(
    ("sent", "read"),
    [
        (12, 12),  # Eventbrite's quantity_sold, FBOS {"stock": 54}
        ("55", 55),  # FBOS "<date>_stock": "55", WordPress meta text
        (b"40", 40),  # a MySQL driver's bytes
        (" 40 ", 40),
        ("+3", 3),
        ("-3", -3),  # oversold stock
        ("12.0", 12),  # was None by api_int and int()
        ("12.", 12),
        (12.0, 12),  # FooEvents' loose JSON number
        (np.float64(12.0), 12),
        (Decimal("12.00"), 12),  # a DECIMAL column
        ("12.7", None),  # was 13 (rounded) in wordpress, 12 (truncated) in listings
        (12.7, None),  # was 12 by int() and api_int
        (Decimal("12.5"), None),
        ("1e3", None),  # was 1000 by float()
        ("", None),
        ("   ", None),
        (None, None),
        (math.nan, None),
        (pd.NA, None),
        (math.inf, None),
        ("NaN", None),
        ("abc", None),
        ("１２", None),  # int() reads full-width digits
        ("1_000", None),  # int() reads the underscore
        ("9" * 41, None),
        (True, None),  # JSON true is not one seat; was 1 by whole_number
        (False, None),
        (np.bool_(True), None),
        ([], None),
        ({"stock": 3}, None),
    ],
)
def test_one_reading_of_a_whole_number(sent, read) -> None:
    assert whole_number(sent) == read


@pytest.mark.parametrize(
    ("sent", "read"),
    [("1000000", 1_000_000), ("1000001", None), (-1, None), (0, 0), ("1e30", None)],
)
def test_a_callers_bound_makes_a_number_beyond_it_unknown(sent, read) -> None:
    assert whole_number(sent, low=0, high=1_000_000) == read


def test_a_column_of_numbers_reads_each_cell_as_whole_number_does() -> None:
    cells = [12, None, 12.0, 12.7, True, "12.0", "１２", math.nan, 1e30]
    assert nullable_ints(cells).tolist() == [12, pd.NA, 12, pd.NA, pd.NA, 12, pd.NA, pd.NA, pd.NA]
    assert nullable_ints([41, None, 0]).tolist() == [41, pd.NA, 0]


def test_a_typed_frame_keeps_unknown_cells_unknown_in_each_kind() -> None:
    rows = [
        {"show": "Fri 20:00", "sold": 41, "share": 0.75, "on_sale": "12"},
        {"show": "Sat 20:00", "sold": None, "share": math.nan, "on_sale": None},
    ]
    frame = typed_frame(
        rows, {"show": None, "sold": WHOLE, "share": DECIMAL, "on_sale": TEXT, "flag": None}
    )
    assert list(frame.columns) == ["show", "sold", "share", "on_sale", "flag"]
    assert [str(frame[c].dtype) for c in ("sold", "share", "on_sale")] == [
        "Int64",
        "Float64",
        "string",
    ]
    assert frame["sold"].tolist() == [41, pd.NA]
    assert frame["share"].isna().tolist() == [False, True]
    assert frame["on_sale"].isna().tolist() == [False, True]
    assert typed_frame([], {"sold": WHOLE}).empty
