"""Tonight at the door: sold, checked in and still to arrive per show and channel."""

import streamlit as st

from brcc_core.ui import sales as ui
from brcc_core.ui.app import demo_banner, get_boxoffice, route_through_entry_script
from brcc_core.ui.boundary import page_boundary
from brcc_core.ui.layout import layout_choice

route_through_entry_script()
st.title("Tonight")
boxoffice = get_boxoffice()
demo_banner(boxoffice)
layout_choice()  # Desk / Phone in the sidebar: on a phone, fewer columns

with page_boundary("reading tonight's check-ins"):
    ui.door(boxoffice)
