"""BRCC Box Office: routes to the pages; everything else lives in brcc_core."""

import streamlit as st

st.set_page_config(page_title="BRCC Box Office", page_icon="🎟️", layout="wide")

pages = [
    st.Page("pages/dashboard.py", title="Dashboard", icon="📊", default=True),
    st.Page("pages/comparison.py", title="Comparison", icon="⚖️"),
    st.Page("pages/sales.py", title="Sales & pace", icon="📈"),
    st.Page("pages/tonight.py", title="Tonight", icon="🚪"),
    st.Page("pages/inventory.py", title="Inventory", icon="🎚️"),
]
st.navigation(pages).run()
