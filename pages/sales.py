"""Sales over time: pace of the coming shows against their past weeks, revenue, ticket
types and no-shows."""

import streamlit as st

from brcc_core.common.windows import local_now
from brcc_core.ui import sales as ui
from brcc_core.ui.app import demo_banner, get_boxoffice, route_through_entry_script
from brcc_core.ui.boundary import page_boundary
from brcc_core.ui.catalog import catalog_age_caption, current_catalog, refresh_button
from brcc_core.ui.layout import layout_choice

route_through_entry_script()
st.title("Sales & pace")
boxoffice = get_boxoffice()
demo_banner(boxoffice)

with page_boundary("loading sales history"):
    refresh_cost = refresh_button(boxoffice)
    catalog = current_catalog(boxoffice)
    refresh_cost()  # after a first build spent its Eventbrite calls
    catalog_age_caption(catalog)
    timezone = boxoffice.settings.timezone
    now = local_now(timezone)
    ui.sync_button(boxoffice)
    with (
        st.spinner("Reading sales history from the club's systems…"),
        ui.history_progress() as copied,
    ):
        listings = boxoffice.listings(catalog)
        shows = boxoffice.shows(listings)
        history = boxoffice.sales_history(catalog, listings, copied)
    ui.history_caption(history, timezone, boxoffice.settings.history_share_seconds)
    for reason in history.unknown.values():
        st.warning(reason, icon="❔")
    for warning in history.warnings:
        st.caption(warning)

    phone = layout_choice() == "Phone"
    pace_tab, takings_tab = st.tabs(["Pace of coming shows", "Revenue & no-shows"])
    with pace_tab:
        days = st.slider("Shows in the next … days", 1, 60, 14, key="pace_days")
        scope = (
            st.segmented_control(
                "Channel",
                list(ui.SCOPE_LABELS),
                default="together",
                format_func=ui.SCOPE_LABELS.get,
                key="pace_scope",
            )
            or "together"
        )
        table = boxoffice.pace(
            listings=listings, shows=shows, history=history, now=now, horizon_days=days
        )
        part = ui.pace_section(table, scope, timezone, phone=phone)
        ui.pace_chart_section(
            part,
            shows,
            listings,
            history,
            now=now,
            n=boxoffice.settings.pace_occurrences,
            scope=scope,
            timezone=timezone,
            phone=phone,
        )
    with takings_tab:
        ui.takings_section(
            history.frame, timezone, now=now, today=now.date(), unknown=history.unknown
        )
