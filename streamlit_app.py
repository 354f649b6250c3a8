"""BRCC Box Office: routes to the pages this session may open; everything else lives in
brcc_core (who may open what: ``brcc_core.ui.app.navigation``)."""

import streamlit as st

from brcc_core.ui.app import navigation

st.set_page_config(page_title="BRCC Box Office", page_icon="🎟️", layout="wide")

pages, position = navigation()
st.navigation(pages, position=position).run()
