"""Tonight at the door: per show, both channels together and apart: still to arrive, checked
in, sold, the room and the seats left to sell at the door."""

import streamlit as st

from brcc_core.ui.app import demo_banner, get_boxoffice, route_through_entry_script
from brcc_core.ui.boundary import page_boundary
from brcc_core.ui.layout import layout_choice
from brcc_core.ui.tonight import door

route_through_entry_script()
st.title("Tonight")
boxoffice = get_boxoffice()
demo_banner(boxoffice)
layout_choice()  # Desk / Phone in the sidebar: on a phone, fewer columns

with page_boundary("reading tonight's check-ins"):
    door(boxoffice)
