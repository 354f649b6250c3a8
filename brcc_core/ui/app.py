"""App-wide pieces every page needs: settings, the one BoxOffice per process, the banner."""

from __future__ import annotations

import streamlit as st

from brcc_core.boxoffice import BoxOffice
from brcc_core.sandbox.twin import SandboxError
from brcc_core.settings import Settings, SettingsError, load_settings


@st.cache_resource(show_spinner="Opening the club's systems…")
def _boxoffice(fingerprint: str, _settings: Settings) -> BoxOffice:
    # Keyed by the fingerprint: Settings hold secrets, which must never be hashed by
    # pickling (Secret refuses it) nor kept in a readable cache key.
    return BoxOffice.from_settings(_settings)


def _route_through_entry_script() -> None:
    """When the first request a fresh server gets is a page link (``/inventory``),
    Streamlit runs ``pages/*.py`` directly in its old multipage mode, because a ``pages/``
    folder sits beside the entry script: the sidebar then lists raw file names and the
    page config is missing. Switch that mode off and rerun, so the request goes through
    ``streamlit_app.py``'s ``st.navigation`` like every other. (Streamlit keeps this flag
    on its PagesManager; st.navigation itself clears it the same way.)"""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def get_boxoffice() -> BoxOffice:
    """The process-wide BoxOffice, or a clear message and a stopped page."""
    _route_through_entry_script()
    try:
        settings = load_settings()
    except SettingsError as exc:
        st.error(str(exc), icon="🛠️")
        st.info("Remove every BRCC_ credential from .env to run on the demo sandbox instead.")
        st.stop()
    try:
        return _boxoffice(settings.fingerprint(), settings)
    except SandboxError as exc:
        st.error(str(exc), icon="🛠️")
        st.stop()


def demo_banner(boxoffice: BoxOffice) -> None:
    if boxoffice.settings.is_demo:
        st.info(
            "Demo data from the built-in sandbox; set credentials in .env to connect "
            "the club's systems.",
            icon="🎭",
        )
