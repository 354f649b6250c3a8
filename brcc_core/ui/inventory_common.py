"""What the Inventory page's tabs share (``inventory``, ``inventory_shows``,
``inventory_sync``): session keys, result icons, labels, the callback guard and the message
a state write leaves. The tabs import this module, never each other.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import streamlit as st

from brcc_core.boxoffice.api import AccessDenied, Actor, ChangeResult, StateUnavailable
from brcc_core.ui.app import current_actor
from brcc_core.ui.catalog import CATALOG_KEY
from brcc_core.views.inventory import catalog_after

log = logging.getLogger(__name__)

# Session state of this page, in one place.
PENDING_KEY = "inv_pending"  # the change awaiting confirmation (a dict)
RESULT_KEY = "inv_result"  # the last change's outcome, shown until the next one
SET_FOR_KEY = "inv_set_for"  # the listing the "set" box was filled for

STATUS_ICONS = {
    "ok": "✅",
    "reconciled": "✅",
    "unchanged": "✅",
    "refused": "🚫",
    "failed": "⛔",
    "unverified": "⚠️",
    "rolled_back": "↩️",
    "rollback_failed": "🆘",
}


def safe_callback(what: str) -> Callable:
    """Callbacks run outside the page boundary: an error there becomes a message on the
    page instead of a traceback."""

    def wrap(function: Callable) -> Callable:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> None:
            try:
                function(*args, **kwargs)
            except AccessDenied as exc:
                st.session_state[RESULT_KEY] = ("refused", str(exc))
            except Exception as exc:  # noqa: BLE001 - the last line of defence
                log.exception("inventory callback failed: %s", what)
                st.session_state[RESULT_KEY] = (
                    "failed",
                    f"Something went wrong while {what} ({type(exc).__name__}). Reload the "
                    "page and check the listing and the Audit tab before trying again.",
                )

        return run

    return wrap


def current_user() -> Actor:
    """Who is acting (the facade checks their role again on every write)."""
    return current_actor()


def remember_results(results: list[ChangeResult]) -> None:
    """Keep this session's catalog on Eventbrite's numbers as the engine just read them."""
    catalog = st.session_state.get(CATALOG_KEY)
    if catalog is not None:
        st.session_state[CATALOG_KEY] = catalog_after(catalog, results)


def report_write(
    message_key: str, write: Callable[[], object], done: str, *, failed: str = ""
) -> bool:
    """Run a write to the app-state DB and leave its outcome under ``message_key`` as
    ("ok", ``done``) or ("error", ``failed`` + why): a refused or unreachable write is said
    on the page, never raised. Returns whether it was written."""
    try:
        write()
    except (StateUnavailable, ValueError, AccessDenied) as exc:
        st.session_state[message_key] = ("error", f"{failed}{exc}")
        return False
    st.session_state[message_key] = ("ok", done)
    return True
