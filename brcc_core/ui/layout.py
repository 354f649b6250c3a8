"""The screen a page is laid out for: a desk, a meeting room's projector or a phone.

Streamlit never tells the server how wide the browser is, so the manager picks the layout
in the sidebar; it starts on Phone when the browser says it is a mobile one, and is
remembered for the session and in the address (``?layout=phone``) so a shared link opens
the same way."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go
import streamlit as st

from brcc_core.views import charts

LAYOUTS = ("Desk", "Projector", "Phone")
LAYOUT_PARAM = "layout"
LAYOUT_KEY = "screen_layout"  # the sidebar radio
_CHOSEN_KEY = "screen_layout_chosen"  # survives pages that do not draw the radio


def default_layout(headers: Mapping[str, str] | None) -> str:
    """Phone for a browser whose User-Agent says Mobile (phones; tablets say it less
    often, and they are wide enough for the desk layout), else Desk."""
    agent = (headers or {}).get("User-Agent") or (headers or {}).get("user-agent") or ""
    return "Phone" if "Mobile" in agent else "Desk"


def _from_address() -> str | None:
    asked = str(st.query_params.get(LAYOUT_PARAM, "")).capitalize()
    return asked if asked in LAYOUTS else None


def _request_headers() -> Mapping[str, str]:
    try:
        return dict(st.context.headers)
    except Exception:  # noqa: BLE001 - AppTest has no request
        return {}


def is_phone() -> bool:
    """Whether this session is laid out for a phone (as the sidebar's choice left it)."""
    return st.session_state.get(_CHOSEN_KEY) == "Phone"


def room_layout() -> str:
    """The layout of a meeting link's view, which has no sidebar choice: "Phone" when the
    address or the browser says so, else "Projector" (it is opened on a room's screen)."""
    asked = _from_address() or default_layout(_request_headers())
    return "Phone" if asked == "Phone" else "Projector"


def _remember() -> None:
    st.session_state[_CHOSEN_KEY] = st.session_state[LAYOUT_KEY]


def layout_choice() -> str:
    """The sidebar's Desk / Projector / Phone choice for this page: "Desk", "Projector" or
    "Phone"."""
    chosen = (
        st.session_state.get(_CHOSEN_KEY) or _from_address() or default_layout(_request_headers())
    )
    st.session_state[_CHOSEN_KEY] = chosen
    # Each page draws its own radio: set it to the session's choice, not its default.
    st.session_state[LAYOUT_KEY] = chosen
    st.sidebar.radio(
        "Layout",
        LAYOUTS,
        key=LAYOUT_KEY,
        on_change=_remember,
        horizontal=True,
        help="Desk: every column. Projector: larger figures and chart for a room's screen. "
        "Phone: fewer columns and a compact chart.",
    )
    if chosen == "Desk":
        st.query_params.pop(LAYOUT_PARAM, None)
    else:
        st.query_params[LAYOUT_PARAM] = chosen.lower()
    return chosen


# On a 390 px phone a bar is about 15 px wide: an oversold mark narrower than that, and
# its "+3" only in the hover, keeps neighbouring marks apart.
PHONE_MARK_SIZE = 9
PHONE_CHART_HEIGHT = 460


def compact(fig: go.Figure, *, height: int) -> go.Figure:
    """``fig`` for a phone: smaller type and margins (the title clear of plotly's toolbar,
    the legend under the plot as on the desk) and thin oversold marks."""
    fig.update_layout(
        height=height,
        font={"size": charts.FONT_SIZE - 6},
        title={"font": {"size": charts.FONT_SIZE - 2}, "y": 0.99, "pad": {"t": 4}},
        margin={"l": 44, "r": 8, "t": 76, "b": 60},
        legend={"font": {"size": charts.FONT_SIZE - 6}},
        hoverlabel={"font": {"size": charts.FONT_SIZE - 6}},
    )
    fig.update_xaxes(tickfont={"size": charts.FONT_SIZE - 9}, title={"font": {"size": 12}})
    fig.update_yaxes(tickfont={"size": charts.FONT_SIZE - 8}, title={"text": ""})
    fig.update_traces(selector={"name": charts.NAMED}, textfont_size=charts.FONT_SIZE - 7)
    fig.update_traces(
        selector={"name": "Oversold"},
        mode="markers",
        marker={"size": PHONE_MARK_SIZE, "line": {"width": 2}},
    )
    return fig
