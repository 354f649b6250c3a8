"""brcc_core.common.values: an unknown number stays unknown (never 0) however it arrives."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from brcc_core.common.values import (
    DECIMAL,
    TEXT,
    WHOLE,
    api_int,
    int_or_none,
    known,
    known_cells,
    text_or_none,
    typed_frame,
    unknown,
    unknown_cells,
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
    assert int_or_none(0) == 0
    assert int_or_none(np.int64(12)) == 12
    assert int_or_none(pd.NA) is None
    assert text_or_none(np.nan) is None
    assert text_or_none(4012) == "4012"


@pytest.mark.parametrize(
    ("sent", "read"),
    [(12, 12), ("12", 12), ("", None), (None, None), (True, None), ("twelve", None), ([], None)],
)
def test_api_numbers_that_are_not_whole_numbers_read_as_unknown(sent, read) -> None:
    assert api_int(sent) == read


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
