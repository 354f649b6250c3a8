"""People and roles (admins)."""

import streamlit as st

from brcc_core.ui.app import demo_banner, get_boxoffice, route_through_entry_script
from brcc_core.ui.boundary import page_boundary
from brcc_core.ui.layout import layout_choice
from brcc_core.ui.people import people_section

route_through_entry_script()
st.title("People and roles")
boxoffice = get_boxoffice()
demo_banner(boxoffice)
layout_choice()  # Desk / Phone in the sidebar: on a phone, fewer columns
with page_boundary("loading people and roles"):
    people_section(boxoffice)
