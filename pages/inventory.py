"""Inventory: safe capacity changes, shows across channels, and sync without overselling."""

import streamlit as st

from brcc_core.ui.app import demo_banner, get_boxoffice, route_through_entry_script
from brcc_core.ui.boundary import page_boundary
from brcc_core.ui.catalog import catalog_age_caption, current_catalog, refresh_button
from brcc_core.ui.inventory import render_inventory
from brcc_core.ui.layout import layout_choice

route_through_entry_script()
st.title("Inventory")
boxoffice = get_boxoffice()
demo_banner(boxoffice)
layout_choice()  # Desk / Phone in the sidebar: on a phone, fewer columns
with page_boundary("loading the inventory"):
    refresh_cost = refresh_button(boxoffice)
    catalog = current_catalog(boxoffice)
    refresh_cost()  # after a first build spent its Eventbrite calls
    catalog_age_caption(catalog)
    render_inventory(boxoffice, catalog)
