"""Rendering for the Tonight page: each of tonight's shows as the door reads it, on a phone
held in one hand. Figures and wording come from ``brcc_core.views.door``."""

from __future__ import annotations

import streamlit as st

from brcc_core.boxoffice import BoxOffice
from brcc_core.common import clock
from brcc_core.common.formats import time_label
from brcc_core.common.glossary import meaning
from brcc_core.ui.catalog import current_catalog
from brcc_core.views.door import DoorFigure, DoorShow, door_shows, night_day, night_heading

DOOR_REFRESH_SECONDS = 60
NO_SHOW_TONIGHT = "No show tonight"


def _figure(label: str, figure: DoorFigure, help: str | None = None) -> None:
    """A show's figure as a metric; an unknown one says why under the dash."""
    st.metric(label, figure.text, help=figure.reason or help, border=True, width="content")


def show_card(show: DoorShow) -> None:
    """One show: its heading, the figures for both channels together (metrics wrap on a
    phone, no table toolbar over the heading), then each channel apart in a static table."""
    with st.container(border=True):
        st.subheader(show.heading)
        with st.container(horizontal=True, wrap=True):
            _figure("Still to arrive", show.to_arrive)
            _figure("Checked in", show.checked_in)
            _figure("Sold", show.sold)
            _figure("Pending", show.pending, meaning("Pending"))
            _figure(
                "Left to sell at the door",
                show.left_at_door,
                "The room less what is sold and pending on both channels, never below 0.",
            )
            _figure("Room", show.room, "The show's venue capacity: seats in the room.")
        # st.table, not st.dataframe: no toolbar to cover the heading on a phone, and the
        # two rows need no sorting or search.
        st.table(show.channels, hide_index=True)


def door(boxoffice: BoxOffice) -> None:
    """Tonight's shows at the door, re-read every ``DOOR_REFRESH_SECONDS`` (live numbers
    and Eventbrite attendees only; the catalog is not refreshed). The catalog is the
    session's, as on every page: loaded, or built when none exists yet, so Tonight opened
    first on a fresh server lists tonight's shows, not "No show tonight"."""
    tz = boxoffice.settings.timezone
    catalog = current_catalog(boxoffice)

    @st.fragment(run_every=DOOR_REFRESH_SECONDS)
    def _door() -> None:
        now = clock.now()
        shows = door_shows(boxoffice.tonight(catalog, now), tz)
        if not shows:
            st.info(
                f"{NO_SHOW_TONIGHT} ({night_day(now, tz)}). The page re-reads every "
                f"{DOOR_REFRESH_SECONDS} s, so a show added tonight appears here.",
                icon="🌙",
            )
            return
        st.caption(
            f"{night_heading(now, tz)}, read at {time_label(now, tz, seconds=True)} club time; "
            f"re-read every {DOOR_REFRESH_SECONDS} s."
        )
        for show in shows:
            show_card(show)

    _door()
