"""The shows and listings a manager has picked, and their encoding in a shareable URL
(pure: no Streamlit; ``brcc_core.ui.selection`` keeps it in the session and the address bar).

A key is ``show:YYYY-MM-DDTHH:MM`` or a listing key (``eb:<event>:<class>``, ``wc:<product>``,
``wc:<product>:<slot>:<date>``); anything else in a pasted link is reported, never guessed at.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from brcc_core.common.keys import is_listing_key, is_show_key, show_start
from brcc_core.common.values import known

MAX_SELECTION = 8


def clean_selection(keys: Iterable[str]) -> list[str]:
    """Valid keys, first occurrence kept, at most ``MAX_SELECTION``."""
    out: list[str] = []
    for key in keys:
        key = str(key).strip()
        if (is_show_key(key) or is_listing_key(key)) and key not in out:
            out.append(key)
    return out[:MAX_SELECTION]


def encode_selection(keys: Iterable[str]) -> dict[str, str]:
    """``{"shows": "show:…,show:…", "listings": "eb:…,wc:…"}`` for ``st.query_params``;
    empty parts are left out so a link stays short."""
    keys = clean_selection(keys)
    shows = [k for k in keys if is_show_key(k)]
    listings = [k for k in keys if is_listing_key(k)]
    params = {}
    if shows:
        params["shows"] = ",".join(shows)
    if listings:
        params["listings"] = ",".join(listings)
    return params


@dataclass(frozen=True)
class DecodedSelection:
    keys: tuple[str, ...]
    rejected: tuple[str, ...] = ()  # not a show or listing key
    dropped: int = 0  # valid but beyond MAX_SELECTION


def decode_selection(params: Mapping[str, str | Sequence[str]]) -> DecodedSelection:
    """The selection a pasted link carries (``shows`` first, then ``listings``); anything
    that is not a key is reported, never guessed at."""
    raw: list[str] = []
    for name in ("shows", "listings"):
        value = params.get(name) or ""
        parts = [value] if isinstance(value, str) else list(value)
        for part in parts:
            raw.extend(p.strip() for p in str(part).split(",") if p.strip())
    valid, rejected = [], []
    for key in raw:
        if not (is_show_key(key) or is_listing_key(key)):
            rejected.append(key)
        elif key not in valid:
            valid.append(key)
    return DecodedSelection(
        keys=tuple(valid[:MAX_SELECTION]),
        rejected=tuple(rejected),
        dropped=max(0, len(valid) - MAX_SELECTION),
    )


def merge_table_selection(
    selection: Sequence[str], visible: Sequence[str], chosen: Iterable[str]
) -> tuple[list[str], int]:
    """A table's ticked rows applied to the shared selection: keys not in the table stay,
    the table's own rows become exactly what is ticked. Returns (selection, left out)."""
    chosen_set = set(chosen)
    visible_set = set(visible)
    kept = [k for k in selection if k not in visible_set or k in chosen_set]
    added = [k for k in visible if k in chosen_set and k not in kept]
    merged = kept + added
    return merged[:MAX_SELECTION], max(0, len(merged) - MAX_SELECTION)


def selection_days(keys: Iterable[str], listings: pd.DataFrame) -> set[date]:
    """The local dates the selected shows and listings happen on."""
    days: set[date] = set()
    by_key = None
    for key in keys:
        start = show_start(key)
        if start is not None:
            days.add(start.date())
            continue
        if by_key is None:
            by_key = listings.set_index("listing_key")["starts_at"]
        starts = by_key.get(key)
        if known(starts):
            days.add(starts.date())
    return days
