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
