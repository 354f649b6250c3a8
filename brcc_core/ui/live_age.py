"""How old the live WordPress numbers on a page are (they may be shared between sessions
for a few seconds, see ``brcc_core.live.shared_reads``)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from brcc_core.boxoffice import LIVE_HELD_UP, LIVE_READ_AT
from brcc_core.boxoffice.api import Catalog, Settings
from brcc_core.common import clock as app_clock
from brcc_core.common.formats import age_label, day_label, time_label, when_label


def live_age_text(
    listings: pd.DataFrame, timezone: str, share_seconds: int, now: datetime | None = None
) -> str | None:
    """ "WordPress numbers read at 19:20:05 (3 s ago…)", or None when nothing was read."""
    read_at = listings.attrs.get(LIVE_READ_AT)
    if not isinstance(read_at, datetime):
        return None
    now = now or app_clock.now()
    clock = time_label(read_at, timezone, seconds=True)
    text = f"WordPress numbers read at {clock} ({age_label(now - read_at, seconds=True)} ago)"
    held_up = listings.attrs.get(LIVE_HELD_UP)
    if held_up:
        return f"{text}: {held_up}"
    if share_seconds > 0:
        text += f"; open pages share one read for up to {share_seconds} s"
    return text


def eventbrite_kept_text(
    catalog: Catalog, timezone: str, now: datetime | None = None
) -> str | None:
    """Which Eventbrite numbers are older than the last refresh: upcoming events beyond the
    first half of the refresh horizon keep the classes read earlier, for up to an hour in
    its second half (``brcc_core.catalog.refresh_plan``); past events keep their final numbers,
    which no longer change, so they are not mentioned."""
    read_at = getattr(catalog, "ticket_classes_read_at", None) or {}
    now = now or app_clock.now()
    kept = [
        read_at[e.event_id]
        for e in catalog.events
        if e.event_id in read_at and e.starts_at is not None and e.starts_at > now
    ]
    if not kept:
        return None
    oldest = min(kept)
    same_day = day_label(oldest, timezone) == day_label(now, timezone)
    when = time_label(oldest, timezone) if same_day else when_label(oldest, timezone)
    return (
        f"Eventbrite numbers of {len(kept)} later event(s) are older than this refresh: "
        f"kept from reads since {when}"
    )


def live_age_caption(
    listings: pd.DataFrame, settings: Settings, catalog: Catalog | None = None
) -> None:
    """The page's caption: when its WordPress numbers were read, and which Eventbrite
    numbers are older than the last refresh."""
    lines = [
        live_age_text(listings, settings.timezone, settings.live_share_seconds),
        eventbrite_kept_text(catalog, settings.timezone) if catalog is not None else None,
    ]
    text = " · ".join(line for line in lines if line)
    if text and listings.attrs.get(LIVE_HELD_UP):
        st.warning(text, icon="⏳")  # older than the page: say it where it is seen
    elif text:
        st.caption(text)
