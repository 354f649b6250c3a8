"""Dashboard: what is selling, what is nearly full or oversold, across both channels."""

import streamlit as st

from brcc_core.ui.app import demo_banner, get_boxoffice
from brcc_core.ui.boundary import page_boundary
from brcc_core.ui.catalog import catalog_age_caption, current_catalog, refresh_button

st.title("Dashboard")
boxoffice = get_boxoffice()
demo_banner(boxoffice)
with page_boundary("loading the dashboard"):
    refresh_button(boxoffice)
    catalog = current_catalog(boxoffice)
    catalog_age_caption(catalog)
    listings = boxoffice.listings(catalog)
    shows = boxoffice.shows(listings)
    st.subheader("Shows")
    st.dataframe(
        shows[
            [
                "starts_at",
                "title",
                "sold_woocommerce",
                "sold_eventbrite",
                "pending",
                "venue_capacity",
                "remaining",
                "oversold",
            ]
        ],
        hide_index=True,
        key="shows_table",
    )
    st.caption(
        "Coming next: key figures for the next 7 days, health of each integration and "
        "the capacity-versus-sold chart."
    )
