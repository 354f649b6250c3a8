"""App-wide pieces every page needs: settings, the one BoxOffice per process, the banner."""

from __future__ import annotations

import runpy

import streamlit as st

from brcc_core.boxoffice import BoxOffice, StartupError
from brcc_core.settings import Settings, SettingsError, load_settings


@st.cache_resource(show_spinner="Opening the club's systems…")
def _boxoffice(fingerprint: str, _settings: Settings) -> BoxOffice:
    # Keyed by the fingerprint: Settings hold secrets, which must never be hashed by
    # pickling (Secret refuses it) nor kept in a readable cache key.
    return BoxOffice.from_settings(_settings)


def route_through_entry_script() -> None:
    """Call first in every page. With a ``pages/`` folder beside the entry script,
    Streamlit runs ``pages/*.py`` on its own in its old multipage mode when a fresh
    server's first request is a page link (``/inventory``): raw file names in the sidebar,
    no page config. Then switch that mode off and run ``streamlit_app.py`` right here, in
    this same run (so a pressed button is not lost), and stop: its ``st.navigation``
    renders the requested page like any other. Streamlit keeps the flag on its
    PagesManager; ``st.navigation`` clears it the same way."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if not PagesManager.uses_pages_directory or ctx is None:
        return
    PagesManager.uses_pages_directory = False
    runpy.run_path(str(ctx.pages_manager.main_script_path), run_name="__main__")
    st.stop()


def get_boxoffice() -> BoxOffice:
    """The process-wide BoxOffice, or a clear message and a stopped page."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        st.error(str(exc), icon="🛠️")
        st.info("Remove every BRCC_ credential from .env to run on the demo sandbox instead.")
        st.stop()
    try:
        return _boxoffice(settings.fingerprint(), settings)
    except StartupError as exc:
        st.error(str(exc), icon="🛠️")
        st.stop()


def demo_banner(boxoffice: BoxOffice) -> None:
    if boxoffice.settings.is_demo:
        st.info(
            "Demo data from the built-in sandbox; set credentials in .env to connect "
            "the club's systems.",
            icon="🎭",
        )
