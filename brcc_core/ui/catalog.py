"""The catalog in the page: ``st.session_state`` backed by BoxOffice's signed pickle, and
the Refresh data button, which is the only thing that changes it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from brcc_core import views
from brcc_core.boxoffice import BoxOffice, RefreshResult
from brcc_core.catalog import Catalog

CATALOG_KEY = "catalog"
REFRESH_STEPS = ("WooCommerce pages", "Eventbrite events", "Ticket classes")


def _run_refresh(boxoffice: BoxOffice, label: str) -> RefreshResult:
    with st.status(label, expanded=True) as status:
        # One placeholder per step, made here on the page's thread: ticket classes report
        # from Eventbrite's worker threads, which may only update a placeholder in place
        # (creating elements there would land outside this box, out of order).
        lines = {step: st.empty() for step in REFRESH_STEPS}
        ctx = get_script_run_ctx()
        lock = threading.Lock()

        def progress(step: str, done: int, total: int | None) -> None:
            if get_script_run_ctx() is None and ctx is not None:
                add_script_run_ctx(threading.current_thread(), ctx)
            of = f" of {total}" if total else ""
            with lock:
                if step in lines:
                    lines[step].write(f"{step}: {done}{of}")

        result = boxoffice.refresh_catalog(progress=progress)
        for channel, error in result.errors.items():
            st.warning(f"{channel}: {error}")
        changed = views.describe_changes(result.changes)
        status.update(
            label=(
                f"Catalog refreshed in {result.seconds:.1f} s ({changed}); "
                f"{result.eventbrite_calls} Eventbrite calls"
            ),
            state="error" if result.errors else "complete",
            expanded=bool(result.errors),
        )
    st.session_state[CATALOG_KEY] = result.catalog
    return result


def current_catalog(boxoffice: BoxOffice) -> Catalog:
    """The session's catalog; loads the saved one, and builds it only when none exists
    (the first build counts as a refresh)."""
    catalog = st.session_state.get(CATALOG_KEY)
    if catalog is None:
        catalog = boxoffice.catalog()
        if boxoffice.catalog_warning:
            st.warning(boxoffice.catalog_warning)
        if catalog is None:
            catalog = _run_refresh(boxoffice, "Building the catalog for the first time…").catalog
        st.session_state[CATALOG_KEY] = catalog
    return catalog


def refresh_button(boxoffice: BoxOffice) -> None:
    if st.button("Refresh data", key="refresh_data", type="primary", icon="🔄"):
        _run_refresh(boxoffice, "Refreshing the catalog…")


def catalog_age_caption(catalog: Catalog) -> None:
    now = datetime.now(UTC)
    age = int((now - catalog.fetched_at).total_seconds() // 60)
    parts = [f"Catalog from {age} min ago"]
    if catalog.eventbrite_fetched_at is not None:
        eb_age = int((now - catalog.eventbrite_fetched_at).total_seconds() // 60)
        parts.append(f"Eventbrite numbers from {eb_age} min ago")
    else:
        parts.append("Eventbrite numbers unavailable")
    parts.append("WordPress numbers live")
    st.caption(" · ".join(parts))
