"""Dashboard: what is selling, what is nearly full or oversold, across both channels."""

import streamlit as st

from brcc_core.ui.app import demo_banner, get_boxoffice
from brcc_core.ui.boundary import page_boundary

st.title("Dashboard")
boxoffice = get_boxoffice()
demo_banner(boxoffice)
with page_boundary("loading the dashboard"):
    summary = boxoffice.source_summary()
    if summary is not None:
        cols = st.columns(3)
        cols[0].metric("WooCommerce products", summary.products)
        cols[1].metric("FooEvents tickets", summary.tickets)
        cols[2].metric("Eventbrite events", summary.eventbrite_events)
    st.caption(
        "Coming next: capacity, sold and remaining seats per show on both channels, "
        "key figures for the next 7 days and the capacity-versus-sold chart."
    )
