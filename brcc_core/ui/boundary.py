"""The page boundary: no Python traceback ever reaches a manager's screen."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.scriptrunner import RerunException, StopException

log = logging.getLogger(__name__)


@contextmanager
def page_boundary(what: str) -> Iterator[None]:
    """Run a page body; on an unexpected error show what failed and what to try next."""
    try:
        yield
    except (StopException, RerunException):  # st.stop()/st.rerun() are control flow
        raise
    except Exception as exc:  # noqa: BLE001 - this is the last line of defence
        log.exception("page failed: %s", what)
        st.error(
            f"Something went wrong while {what} ({type(exc).__name__}). "
            "Try **Refresh data**, or reload the page; if it keeps happening, "
            "tell the team and mention the time it happened.",
            icon="⚠️",
        )
