"""The comparison's selection: the one place that keeps it in ``st.session_state`` (so it
follows the manager from page to page) and in the URL (so a pasted link restores it).

Rule: a link's selection wins when it is new to this session (pasted, or the browser's
back button); otherwise the session's selection is the truth, and the comparison page
writes it back into the URL.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from brcc_core.views.selection import (
    MAX_SELECTION,
    clean_selection,
    decode_selection,
    encode_selection,
    merge_table_selection,
)

SELECTION_KEY = "comparison_selection"
_URL_SEEN_KEY = "comparison_selection_url"
_NOTICE_KEY = "comparison_selection_notice"
_PARAMS = ("shows", "listings")


def _url_params() -> dict[str, list[str]]:
    return {name: st.query_params.get_all(name) for name in _PARAMS if name in st.query_params}


def current_selection() -> list[str]:
    """The selected show and listing keys (at most ``MAX_SELECTION``)."""
    params = _url_params()
    if params:
        decoded = decode_selection(params)
        signature = encode_selection(decoded.keys)
        if signature != st.session_state.get(_URL_SEEN_KEY):
            st.session_state[SELECTION_KEY] = list(decoded.keys)
            st.session_state[_URL_SEEN_KEY] = signature
            problems = []
            if decoded.rejected:
                problems.append(f"ignored {len(decoded.rejected)} unreadable key(s) in the link")
            if decoded.dropped:
                problems.append(f"kept the first {MAX_SELECTION}; {decoded.dropped} more left out")
            if problems:
                notify("The link's selection: " + "; ".join(problems) + ".")
    return list(st.session_state.get(SELECTION_KEY, []))


def set_selection(keys: Sequence[str], *, in_url: bool = False) -> list[str]:
    """Replace the selection (cleaned and capped); ``in_url`` also writes it to the URL."""
    keys = clean_selection(keys)
    st.session_state[SELECTION_KEY] = keys
    if in_url:
        write_url(keys)
    return keys


def write_url(keys: Sequence[str]) -> None:
    """Put the selection in the address bar (only our two parameters are touched)."""
    params = encode_selection(keys)
    for name in _PARAMS:
        if params.get(name):
            if st.query_params.get_all(name) != [params[name]]:
                st.query_params[name] = params[name]
        elif name in st.query_params:
            del st.query_params[name]
    st.session_state[_URL_SEEN_KEY] = params


def notify(message: str) -> None:
    """A message about the selection, shown once on the next ``show_notice``."""
    st.session_state[_NOTICE_KEY] = message


def show_notice() -> None:
    message = st.session_state.pop(_NOTICE_KEY, None)
    if message:
        st.warning(message, icon="✋")


# --- keeping a widget and the shared selection in step -----------------------------------
def seed_table(table_key: str, visible: Sequence[str], selection: Sequence[str]) -> None:
    """Before drawing a selectable table: tick the rows of the selected shows when the
    selection changed elsewhere, the rows changed, or the table is new on this page
    (Streamlit forgets a widget's state when its page is left)."""
    marker = (tuple(visible), tuple(selection))
    if table_key in st.session_state and st.session_state.get(f"{table_key}__synced") == marker:
        return
    rows = [i for i, key in enumerate(visible) if key in selection]
    st.session_state[table_key] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    st.session_state[f"{table_key}__synced"] = marker


def apply_table(
    table_key: str, visible: Sequence[str], rows: Sequence[int], selection: Sequence[str]
) -> list[str]:
    """After drawing it: the ticked rows become the table's part of the selection."""
    chosen = [visible[i] for i in rows if 0 <= i < len(visible)]
    merged, left_out = merge_table_selection(selection, visible, chosen)
    if merged != list(selection):
        set_selection(merged)
    if left_out:
        notify(
            f"The comparison holds up to {MAX_SELECTION} shows or listings; "
            f"{left_out} ticked row(s) were not added."
        )
        st.session_state.pop(f"{table_key}__synced", None)
        st.rerun()
    st.session_state[f"{table_key}__synced"] = (tuple(visible), tuple(merged))
    return merged


def seed_picker(picker_key: str, selection: Sequence[str]) -> None:
    """Before drawing the comparison's multiselect: show the shared selection in it when
    that changed elsewhere (dashboard, a link) or the widget is new on this page."""
    marker = tuple(selection)
    if picker_key in st.session_state and st.session_state.get(f"{picker_key}__synced") == marker:
        return
    st.session_state[picker_key] = list(selection)
    st.session_state[f"{picker_key}__synced"] = marker


def apply_picker(picker_key: str, picked: Sequence[str]) -> list[str]:
    """After drawing it: the multiselect's value is the selection, in the URL too."""
    keys = set_selection(picked, in_url=True)
    st.session_state[f"{picker_key}__synced"] = tuple(keys)
    return keys
