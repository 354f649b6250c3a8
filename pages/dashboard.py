"""Dashboard: what is selling, what is nearly full or oversold, across both channels."""

from datetime import timedelta

import streamlit as st

from brcc_core.dashboard import key_figures, upcoming_table
from brcc_core.ui import dashboard as ui
from brcc_core.ui import selection
from brcc_core.ui.app import demo_banner, get_boxoffice, route_through_entry_script
from brcc_core.ui.boundary import page_boundary
from brcc_core.ui.catalog import catalog_age_caption, current_catalog, refresh_button
from brcc_core.ui.layout import layout_choice
from brcc_core.ui.live_age import live_age_caption
from brcc_core.windows import listings_between, local_now, upcoming_shows

route_through_entry_script()
st.title("Dashboard")
boxoffice = get_boxoffice()
demo_banner(boxoffice)
selection.show_notice()
layout = layout_choice()
projector, phone = layout == "Projector", layout == "Phone"
if projector:
    ui.projector_style()

with page_boundary("loading the dashboard"):
    refresh_button(boxoffice)
    catalog = current_catalog(boxoffice)
    catalog_age_caption(catalog)
    if ui.health_panel(*ui.measured_health(boxoffice, catalog)):
        ui.recheck_health()
        st.rerun()

    figures = st.container()  # drawn once the window below is known
    st.subheader("Upcoming shows")
    days = ui.days_ahead()
    now = local_now(boxoffice.settings.timezone)
    ui.eventbrite_window_note(catalog, now, days)
    with st.spinner("Reading live numbers from the club's systems…"):
        listings = boxoffice.listings(catalog)
    live_age_caption(listings, boxoffice.settings, catalog)
    window = listings_between(listings, now, now + timedelta(days=days))
    shows = boxoffice.shows(window)
    with figures:
        ui.catalog_notes(catalog, window)
        ui.shows_notes(shows)
        ui.key_figures_row(key_figures(shows, now, days))

    upcoming = upcoming_shows(shows, now, days)
    if upcoming.empty:
        st.info(
            f"No shows in the next {days} days. Widen the window with the slider, or press "
            "**Refresh data** if shows were added since the catalog was built.",
            icon="🗓️",
        )
    else:
        table = upcoming_table(upcoming)
        visible = list(table["show_key"])
        chosen = selection.current_selection()
        selection.seed_table(ui.TABLE_KEY, visible, chosen)
        rows = ui.upcoming_table(table, phone=phone)
        chosen = selection.apply_table(ui.TABLE_KEY, visible, rows, chosen)
        ui.compare_link(chosen)
        ui.act_on_show(upcoming, chosen)
        ui.capacity_chart(
            upcoming, boxoffice.settings.timezone, days, projector=projector, phone=phone
        )
