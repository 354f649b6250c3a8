"""Meeting links: read-only links for a projector or a chat (managers)."""

import streamlit as st

from brcc_core.ui.app import demo_banner, get_boxoffice, route_through_entry_script
from brcc_core.ui.boundary import page_boundary
from brcc_core.ui.meeting import manage_links

route_through_entry_script()
st.title("Meeting links")
boxoffice = get_boxoffice()
demo_banner(boxoffice)
with page_boundary("loading the meeting links"):
    manage_links(boxoffice)
