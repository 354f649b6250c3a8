"""The catalog in the page: ``st.session_state`` backed by BoxOffice's signed pickle, and
the Refresh data button, which is the only thing that changes it."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

import streamlit as st

from brcc_core.boxoffice import BoxOffice, RefreshResult
from brcc_core.boxoffice.api import AccessDenied, Catalog
from brcc_core.common import clock
from brcc_core.common.club import HOURLY_LIMIT, Channel, channel_name
from brcc_core.common.formats import age_label, describe_changes
from brcc_core.ui.app import current_actor
from brcc_core.ui.text import plain

CATALOG_KEY = "catalog"
# The refresh's steps (as the keeper reports them) in what each one counts: the event list
# arrives a page at a time and says how many pages, not events, so the line says "pages".
REFRESH_STEPS = {
    "WooCommerce pages": "Website: pages of products read",
    "Eventbrite events": "Eventbrite: pages of events read",
    "Ticket classes": "Eventbrite: events whose ticket classes are read",
}
PROGRESS_INTERVAL_SECONDS = 0.2


def _run_refresh(boxoffice: BoxOffice, label: str, *, first_build: bool = False) -> RefreshResult:
    with st.status(label, expanded=True) as status:
        lines = {step: st.empty() for step in REFRESH_STEPS}
        result = _refresh_reporting_progress(boxoffice, lines, first_build)
        for channel, error in result.errors.items():
            st.warning(f"{channel_name(channel)}: {plain(error)}")
        if result.unsaved:
            st.warning(result.unsaved, icon="💾")
        changed = describe_changes(result.changes)
        status.update(
            label=(
                f"Catalog refreshed in {result.seconds:.1f} s ({changed}); "
                f"{result.eventbrite_calls} Eventbrite calls"
            ),
            state="error" if result.errors or result.unsaved else "complete",
            expanded=bool(result.errors or result.unsaved),
        )
    if result.kept_aside:
        names = " and ".join(channel_name(c) for c in result.kept_aside)
        st.button(
            f"Apply {names}'s answer anyway",
            key="refresh_accept_drops",
            help="Only if that many listings or events really are gone from the platform.",
            on_click=_apply_kept_aside,
            args=(boxoffice,),
        )
    st.session_state[CATALOG_KEY] = result.catalog
    return result


def _apply_kept_aside(boxoffice: BoxOffice) -> None:
    """Refresh again, taking an answer that drops most of a channel as it is."""
    result = boxoffice.refresh_catalog(accept_drops=True, who=current_actor())
    st.session_state[CATALOG_KEY] = result.catalog


def _refresh_reporting_progress(
    boxoffice: BoxOffice, lines: dict, first_build: bool = False
) -> RefreshResult:
    """Run the refresh in a worker and draw its progress from this, the page's thread.

    Ticket classes report from Eventbrite's worker threads, which have no Streamlit run
    context (touching a placeholder there logged "missing ScriptRunContext"): they only
    post to a queue, and every element is drawn here."""
    updates: queue.SimpleQueue[tuple[str, int, int | None]] = queue.SimpleQueue()
    outcome: dict[str, object] = {}
    who = current_actor()  # read here: the worker has no Streamlit session

    def work() -> None:
        try:
            outcome["result"] = boxoffice.refresh_catalog(
                progress=lambda step, done, total: updates.put((step, done, total)),
                who=who,
                first_build=first_build,
            )
        except BaseException as exc:  # noqa: BLE001 - re-raised on the page's thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="catalog-refresh", daemon=True)
    worker.start()
    while True:
        worker.join(timeout=PROGRESS_INTERVAL_SECONDS)
        latest: dict[str, tuple[int, int | None]] = {}
        while True:
            try:
                step, done, total = updates.get_nowait()
            except queue.Empty:
                break
            latest[step] = (done, total)
        for step, (done, total) in latest.items():
            if step in lines:
                of = f" of {total}" if total else ""
                lines[step].write(f"{REFRESH_STEPS[step]}: {done}{of}")
        if not worker.is_alive():
            break
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["result"]  # type: ignore[return-value]


def current_catalog(boxoffice: BoxOffice) -> Catalog:
    """The session's catalog; loads the saved one, and builds it only when none exists
    (the first build counts as a refresh)."""
    catalog = st.session_state.get(CATALOG_KEY)
    if catalog is None:
        catalog = boxoffice.catalog()
        if boxoffice.catalog_warning:
            st.warning(boxoffice.catalog_warning)
        if boxoffice.storage_warning():
            st.warning(boxoffice.storage_warning(), icon="💾")
        if catalog is None:
            catalog = _run_refresh(
                boxoffice, "Building the catalog for the first time…", first_build=True
            ).catalog
        st.session_state[CATALOG_KEY] = catalog
    return catalog


def refresh_button(boxoffice: BoxOffice) -> Callable[[], None]:
    """The Refresh data button, and the call that writes its cost beside it.

    The page makes that call once its own Eventbrite calls are spent (a refresh pressed, a
    first build, the Dashboard's health check): the calls left it prints are then read
    from the shared budget after them, as the health badge reads them, not before."""
    cols = st.columns([1, 4], vertical_alignment="center")
    pressed = cols[0].button("Refresh data", key="refresh_data", type="primary", icon="🔄")
    cost = cols[1].empty()
    if pressed:
        try:
            _run_refresh(boxoffice, "Refreshing the catalog…")
        except AccessDenied as exc:
            st.error(plain(exc), icon="🔒")
    return lambda: cost.caption(refresh_cost_text(boxoffice), help=REFRESH_COST_HELP)


REFRESH_COST_HELP = (
    f"Eventbrite allows about {HOURLY_LIMIT:,} calls an hour. A refresh leaves Eventbrite "
    "alone (and says so) rather than spend the calls kept for capacity changes."
)


def refresh_cost_text(boxoffice: BoxOffice) -> str:
    """What pressing Refresh data will cost, next to the button."""
    catalog = st.session_state.get(CATALOG_KEY)  # loading it is current_catalog's job
    cost = boxoffice.refresh_cost(catalog)
    left = boxoffice.eventbrite.calls_left_this_hour()
    reserve = boxoffice.settings.eb_write_reserve
    text = (
        f"A refresh costs about {cost:,} Eventbrite calls · {left:,} of {HOURLY_LIMIT:,} left "
        f"this hour, {reserve:,} kept for capacity changes"
    )
    if boxoffice.eventbrite_refresh_refusal(catalog):
        text += f" · Eventbrite will be skipped now: {Channel.WOOCOMMERCE.label} only"
    return text


def catalog_age_caption(catalog: Catalog) -> None:
    now = clock.now()
    parts = [f"Catalog from {age_label(now - catalog.fetched_at)} ago"]
    if catalog.products_read_at < catalog.fetched_at:
        wc_age = age_label(now - catalog.products_read_at)
        parts.append(f"WooCommerce products from {wc_age} ago (not read in the last refresh)")
    if catalog.eventbrite_fetched_at is not None:
        eb_age = age_label(now - catalog.eventbrite_fetched_at)
        stale = catalog.stale_events
        if stale:
            oldest = age_label(now - min(read_at for _, read_at, _ in stale))
            parts.append(
                f"Eventbrite numbers from {eb_age} ago, {len(stale)} event(s) from up to "
                f"{oldest} ago (not read in the last refresh)"
            )
        else:
            parts.append(f"Eventbrite numbers from {eb_age} ago")
    else:
        parts.append("Eventbrite numbers unavailable")
    parts.append("WordPress numbers live")
    st.caption(" · ".join(parts))
