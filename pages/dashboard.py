"""Dashboard: what is selling, what is nearly full or oversold, across both channels."""

import streamlit as st

from brcc_core.common.windows import local_now
from brcc_core.ui import dashboard as ui
from brcc_core.ui import selection
from brcc_core.ui.app import demo_banner, get_boxoffice, route_through_entry_script
from brcc_core.ui.boundary import page_boundary
from brcc_core.ui.catalog import catalog_age_caption, current_catalog, refresh_button
from brcc_core.ui.layout import layout_choice
from brcc_core.ui.live_age import live_age_caption

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
    # The refresh's cost sits in the health line, not beside the button: the first screen
    # is for the shows (issue 26).
    refresh_button(boxoffice)
    catalog = current_catalog(boxoffice)
    catalog_age_caption(catalog)
    health = ui.measured_health(boxoffice, catalog)
    # Written after the build and the health check spent their Eventbrite calls.
    if ui.health_panel(*health, also=lambda: ui.refresh_cost(boxoffice)):
        ui.recheck_health(boxoffice)
        st.rerun()

    # On a phone the six key figures stack a screen high: they follow the table there.
    figures = st.container()  # drawn once the window below is known
    days = ui.days_ahead()
    now = local_now(boxoffice.settings.timezone)
    with st.spinner("Reading live numbers from the club's systems…"):
        view = boxoffice.dashboard_view(catalog, now, days)  # shared: read-only
    with figures:
        ui.catalog_notes(catalog, view.window)
        ui.shows_notes(view.shows)
        if not phone:
            ui.key_figures_row(view.figures)

    upcoming = view.upcoming
    if upcoming.empty:
        st.info(
            f"No shows in the next {days} days. Widen the window with the slider, or press "
            "**Refresh data** if shows were added since the catalog was built.",
            icon="🗓️",
        )
    else:
        table = view.table
        visible = list(table["show_key"])
        chosen = selection.current_selection()
        selection.seed_table(ui.TABLE_KEY, visible, chosen)
        rows = ui.upcoming_table(table, phone=phone)
        chosen = selection.apply_table(ui.TABLE_KEY, visible, rows, chosen)
        ui.compare_link(chosen)
    live_age_caption(view.listings, boxoffice.settings, catalog)
    ui.eventbrite_window_note(catalog, now, days)
    if phone:
        ui.key_figures_row(view.figures)
    if not upcoming.empty:
        ui.act_on_show(upcoming, chosen)
        ui.capacity_chart(view.chart, days, projector=projector, phone=phone)
    # The guard's state is status, not a show: below the shows (issue 26's first screen).
    ui.guard_panel(boxoffice, view.upcoming)
