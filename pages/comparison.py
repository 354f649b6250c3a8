"""Comparison: shows side by side, shareable by link."""

import streamlit as st

from brcc_core.ui.app import demo_banner, get_boxoffice

st.title("Comparison")
demo_banner(get_boxoffice())
st.caption(
    "Coming next: pick up to 8 shows or listings from either channel and compare "
    "capacity, sold and pending side by side, with a link you can paste into a chat."
)
