"""How old the live WordPress numbers on a page are (they may be shared between sessions
for a few seconds, see ``brcc_core.live_cache``)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from brcc_core.boxoffice import LIVE_READ_AT


def live_age_text(
    listings: pd.DataFrame, timezone: str, share_seconds: int, now: datetime | None = None
) -> str | None:
    """ "WordPress numbers read at 19:20:05 (3 s ago…)", or None when nothing was read."""
    read_at = listings.attrs.get(LIVE_READ_AT)
    if not isinstance(read_at, datetime):
        return None
    now = now or datetime.now(UTC)
    age = max(0, int((now - read_at).total_seconds()))
    clock = read_at.astimezone(ZoneInfo(timezone)).strftime("%H:%M:%S")
    text = f"WordPress numbers read at {clock} ({age} s ago)"
    if share_seconds > 0:
        text += f"; open pages share one read for up to {share_seconds} s"
    return text


def live_age_caption(listings: pd.DataFrame, timezone: str, share_seconds: int) -> None:
    text = live_age_text(listings, timezone, share_seconds)
    if text:
        st.caption(text)
