"""Meeting links: the read-only view a link opens (no sign-in, no write controls, live
numbers re-read on an interval), and the managers' page that creates and revokes links."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from brcc_core.boxoffice import BoxOffice
from brcc_core.boxoffice.api import (
    LINK_LIFETIMES,
    AccessDenied,
    Catalog,
    LinkInvalid,
    MeetingLink,
    StateUnavailable,
)
from brcc_core.common.formats import listing_names, moment_label, time_label, when_label
from brcc_core.common.windows import local_now
from brcc_core.ui import comparison as comparison_ui
from brcc_core.ui import dashboard as dashboard_ui
from brcc_core.ui import selection
from brcc_core.ui.app import APP_NAME, MEETING_PARAM, current_actor
from brcc_core.ui.catalog import catalog_age_caption, current_catalog
from brcc_core.ui.layout import room_layout
from brcc_core.ui.tables import manager_table
from brcc_core.ui.text import plain
from brcc_core.views.comparison import (
    comparison_cards,
    comparison_frame,
    comparison_listings,
    comparison_summary,
)
from brcc_core.views.dashboard import MAX_DAYS, window_days

REFRESH_SECONDS = 60  # how often a meeting view re-reads the live numbers
MEETING_DAYS = 14  # the dashboard part of a meeting view looks this far ahead by default
DAYS_PARAM = "days"  # the window a link was made with, carried in its address
CREATED_KEY = "meeting_link_created"  # (title, url) of the link just made, shown once
MESSAGE_KEY = "meeting_link_message"


# --- the view a link opens ----------------------------------------------------------------
def render_meeting(boxoffice: BoxOffice) -> None:
    """The meeting view for ``?meeting=<token>``, or why the link does not open."""
    token = st.query_params.get(MEETING_PARAM, "")
    try:
        link = boxoffice.open_meeting_link(token)
    except LinkInvalid as exc:
        st.title(APP_NAME)
        st.error(plain(exc), icon="⏱️")
        return
    except StateUnavailable as exc:
        st.title(APP_NAME)
        st.error(plain(exc), icon="🛠️")
        return
    phone = room_layout() == "Phone"
    if not phone:
        dashboard_ui.projector_style()  # a meeting view is shown on a room's screen
    st.title(plain(link.title))  # a manager typed it: text, never a link or an image
    until = link.expires_at.astimezone(boxoffice.settings.tz)
    # Whoever holds the link sees what it is and until when, not the staff's e-mails.
    st.caption(
        f"Read-only meeting view; this link works until {when_label(until)}. Live "
        f"numbers are re-read every {REFRESH_SECONDS} s."
    )
    catalog = current_catalog(boxoffice)
    _live_part(
        boxoffice, catalog, link, window_days(st.query_params.get(DAYS_PARAM), MEETING_DAYS), phone
    )


@st.fragment(run_every=timedelta(seconds=REFRESH_SECONDS))
def _live_part(
    boxoffice: BoxOffice, catalog: Catalog, link: MeetingLink, days: int, phone: bool
) -> None:
    """Re-run on the interval: fresh live numbers on the same catalog (never refreshed
    from here), and the link checked again so a revoked link stops at the next tick."""
    try:
        boxoffice.open_meeting_link(st.query_params.get(MEETING_PARAM, ""))
    except (LinkInvalid, StateUnavailable) as exc:
        st.error(plain(exc), icon="⏱️")
        return
    catalog_age_caption(catalog)
    timezone = boxoffice.settings.timezone
    now = local_now(timezone)
    # One window for the figures and the chart: the one the link was made with.
    view = boxoffice.dashboard_view(catalog, now, days)  # shared with the dashboard
    listings = view.listings
    st.caption(f"Numbers read at {time_label(now, seconds=True)}.")
    # The figures the Dashboard shows for the same days, not a second count of its own.
    dashboard_ui.key_figures_row(view.figures)
    if not view.upcoming.empty:
        dashboard_ui.capacity_chart(view.chart, days, projector=not phone, phone=phone)
    chosen = list(link.selection)
    if not chosen:
        return
    st.subheader("Comparison")
    today = now.date()
    picked_listings = comparison_listings(listings, chosen, today, today, timezone)
    picked_shows = boxoffice.shows(picked_listings)
    cards = comparison_cards(chosen, picked_listings, picked_shows)
    comparison_ui.cards(cards)
    comparison_ui.summary(comparison_summary(cards))
    comparison_ui.chart(comparison_frame(cards), timezone)


# --- the managers' page ---------------------------------------------------------------------
def meeting_url(token: str, days: int = MEETING_DAYS) -> str:
    base = (st.context.url or "").split("?")[0].rstrip("/")
    for page in ("/meeting_links", "/meeting-links"):
        base = base.removesuffix(page)
    return f"{base}/?{MEETING_PARAM}={token}&{DAYS_PARAM}={days}"


def manage_links(boxoffice: BoxOffice) -> None:
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        (st.success if message[0] == "ok" else st.error)(plain(message[1]))
    st.write(
        "A meeting link opens the Dashboard and the Comparison of the shows chosen below "
        "for anyone who has it, with no sign-in and no way to change anything. The live "
        "numbers stay current while it is open. It stops working when it expires or when "
        "a manager revokes it here."
    )
    created = st.session_state.get(CREATED_KEY)
    if created:
        st.success(f"Link created: {plain(created[0])}. Copy it now:", icon="📽️")
        st.code(created[1], language=None)
    chosen = selection.current_selection()
    with st.form("meeting_link_form", border=True):
        st.markdown("**New meeting link**")
        if chosen:
            st.caption(f"Compares the {len(chosen)} show(s) or listing(s) chosen in Comparison.")
        else:
            st.caption("No comparison chosen: the link shows the Dashboard only.")
        title = st.text_input("Title", key="meeting_title", placeholder="Monday programming")
        lifetime = st.selectbox("Works for", list(LINK_LIFETIMES), key="meeting_lifetime")
        days = st.number_input(
            "Days ahead",
            min_value=1,
            max_value=MAX_DAYS,
            value=MEETING_DAYS,
            key="meeting_days",
            help="The window of the view's key figures and chart (both the same).",
        )
        if st.form_submit_button("Create link", type="primary"):
            try:
                link, token = boxoffice.create_meeting_link(
                    chosen, lifetime, title=title, who=current_actor()
                )
            except (AccessDenied, StateUnavailable, ValueError) as exc:
                st.session_state[MESSAGE_KEY] = ("error", str(exc))
            else:
                st.session_state[CREATED_KEY] = (link.title, meeting_url(token, int(days)))
            st.rerun()
    _links_table(boxoffice)


def _links_table(boxoffice: BoxOffice) -> None:
    st.subheader("Links")
    try:
        links = boxoffice.meeting_links()
    except StateUnavailable as exc:
        st.error(str(exc), icon="🛠️")
        return
    if links.empty:
        st.info("No meeting links yet.", icon="📽️")
        return
    tz = boxoffice.settings.timezone
    shown = links.assign(
        # A link's shows by date and title, never their keys (issue 26).
        selection=links["selection"].map(
            lambda text: ", ".join(listing_names(str(text or "").split(", "), None).values())
        ),
        created_at=links["created_at"].map(lambda t: moment_label(t, tz)),
        expires_at=links["expires_at"].map(lambda t: moment_label(t, tz)),
    )
    manager_table(
        shown,
        key="meeting_links_table",
        phone_columns=["title", "status", "expires_at"],
        columns=[c for c in shown.columns if c not in ("link_id", "revoked_at")],
    )
    active = links[links["status"] == "active"]
    if active.empty:
        return
    names = dict(zip(active["link_id"], active["title"], strict=True))
    cols = st.columns([3, 1], vertical_alignment="bottom")
    pick = cols[0].selectbox("Active link", list(names), format_func=names.get, key="meeting_pick")
    cols[1].button("Revoke", key="meeting_revoke", on_click=_revoke, args=(boxoffice, pick))


def _revoke(boxoffice: BoxOffice, link_id: str) -> None:
    try:
        boxoffice.revoke_meeting_link(link_id, who=current_actor())
    except (AccessDenied, StateUnavailable) as exc:
        st.session_state[MESSAGE_KEY] = ("error", str(exc))
        return
    st.session_state.pop(CREATED_KEY, None)
    st.session_state[MESSAGE_KEY] = ("ok", "Link revoked: it stops working at once.")
