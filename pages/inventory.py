"""Inventory: safe capacity changes and channel sync."""

import streamlit as st

from brcc_core.ui.app import demo_banner, get_boxoffice

st.title("Inventory")
demo_banner(get_boxoffice())
st.caption(
    "Coming next: change capacity on either platform with a preview, a fresh read "
    "before the write and a verifying read after it; sync channels without overselling."
)
