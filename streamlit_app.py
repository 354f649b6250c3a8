"""BRCC Box Office: routes to the pages this session may open; everything else lives in
brcc_core (who may open what: ``brcc_core.ui.app.navigation``)."""

import streamlit as st

from brcc_core.ui.app import APP_NAME, name_the_tab, navigation

st.set_page_config(page_title=APP_NAME, page_icon="🎟️", layout="wide")

pages, position = navigation()
page = st.navigation(pages, position=position)
name_the_tab(page.title)
page.run()
