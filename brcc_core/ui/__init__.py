"""Streamlit helpers shared by the pages (the only part of brcc_core that imports
Streamlit)."""
