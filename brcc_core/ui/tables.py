"""Tables as a manager reads them: headers in the app's words (``brcc_core.common.formats``), an
empty cell as a dash instead of "None", and the long text columns wide enough to read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from brcc_core.common.formats import header
from brcc_core.ui.layout import is_phone

EMPTY_CELL = "—"
# Free text a manager must read in full (why a row was refused, what happened): these
# columns take the room the numbers leave.
LONG_TEXT = frozenset({"reason", "message", "details", "error", "note", "listing", "show", "what"})


def manager_table(
    frame: pd.DataFrame,
    *,
    key: str,
    columns: Sequence[str] | None = None,
    config: Mapping[str, Any] | None = None,
    phone_columns: Sequence[str] | None = None,
    **kwargs: Any,
) -> Any:
    """``st.dataframe`` of ``frame`` with only ``columns`` (all by default) under the
    manager's headers; ``config`` overrides a column's configuration. In the Phone layout
    only ``phone_columns`` (when given) are shown: a 390 px screen reads three or four
    columns without scrolling sideways."""
    shown = list(columns) if columns is not None else list(frame.columns)
    if phone_columns is not None and is_phone():
        shown = [c for c in phone_columns if c in frame.columns]
        st.caption("Phone layout: the main columns. Desk (sidebar) shows them all.")
    column_config: dict[str, Any] = {
        c: st.column_config.Column(header(c), width="large" if c in LONG_TEXT else None)
        for c in shown
    }
    column_config.update(config or {})
    return st.dataframe(
        frame[shown],
        key=key,
        hide_index=True,
        column_order=shown,
        column_config=column_config,
        placeholder=EMPTY_CELL,
        **kwargs,
    )
