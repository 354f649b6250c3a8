"""The Inventory page: browse to one listing, change its capacity with a confirmation, and
the Shows, Sync and Audit tabs (``inventory_shows``, ``inventory_sync``,
``inventory_audit``).

Confirmations are an inline panel whose open state lives in ``st.session_state`` (not
``st.dialog``): it behaves the same in a browser and under AppTest. Every write happens
in a button callback, before the page re-reads the numbers, so what is drawn afterwards
is what the platforms hold after the change.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from brcc_core.boxoffice import BoxOffice
from brcc_core.boxoffice.api import Catalog, Change, StateUnavailable, parse_seats
from brcc_core.common import clock
from brcc_core.common.availability import Availability
from brcc_core.common.club import Channel, channel_name
from brcc_core.common.formats import isolate, listing_label, seats_text, show_name, when_label
from brcc_core.common.values import known, whole_number
from brcc_core.ui import inventory_audit, inventory_shows, inventory_sync
from brcc_core.ui.app import can_write, current_actor, read_only_reason
from brcc_core.ui.catalog import CATALOG_KEY
from brcc_core.ui.inventory_common import (
    PENDING_KEY,
    RESULT_KEY,
    SET_FOR_KEY,
    STATUS_ICONS,
    current_user,
    remember_results,
    safe_callback,
)
from brcc_core.ui.live_age import live_age_caption
from brcc_core.ui.text import plain
from brcc_core.views.inventory import change_order, guard_undo_warning, seats_caption

# A link from the dashboard or the comparison opens this page on one show:
# /inventory?show=show:2026-12-01T20:00&act=sync
LINK_FOR_KEY = "inv_link_for"  # the (show, act) link this session already opened
SHOW_PARAM = "show"
ACT_PARAM = "act"
ACTS = {"change": "Change", "sync": "Sync"}  # act -> the tab it opens
TABS = ["Change", "Shows", "Sync", "Audit"]


def render_inventory(boxoffice: BoxOffice, catalog: Catalog) -> None:
    """The whole page below the title."""
    listings = boxoffice.listings(catalog)
    live_age_caption(listings, boxoffice.settings, catalog)
    try:
        shows = boxoffice.saved_shows(listings)
    except StateUnavailable as exc:
        st.error(str(exc), icon="🛠️")
        shows = boxoffice.shows(listings).assign(source="suggested", rule_id=pd.NA)
    tab = None
    if not can_write():
        st.info(read_only_reason(current_actor()), icon="🔒")
    else:
        tab = open_link(shows)
    change_tab, shows_tab, sync_tab, audit_tab = st.tabs(TABS, default=tab)
    with change_tab:
        change_section(boxoffice, listings, shows)
    with shows_tab:
        inventory_shows.shows_section(boxoffice, listings, shows)
    with sync_tab:
        inventory_sync.sync_section(boxoffice, listings, shows)
    with audit_tab:
        inventory_audit.audit_section(boxoffice, listings)


def link_params(show_key: str, act: str) -> dict[str, str]:
    """The query of a link that opens this page on ``show_key``'s capacity change
    (``act="change"``) or Sync dry run (``act="sync"``)."""
    return {SHOW_PARAM: show_key, ACT_PARAM: act}


def act_links(show_key: str) -> None:
    """The two ways from a show on another page to fixing it here (managers only: the
    caller checks ``can_write``)."""
    with st.container(horizontal=True, key=f"act_{show_key}"):
        st.page_link(
            "pages/inventory.py",
            label="Change its capacity",
            icon="🎚️",
            query_params=link_params(show_key, "change"),
        )
        st.page_link(
            "pages/inventory.py",
            label="Sync dry run",
            icon="🔁",
            query_params=link_params(show_key, "sync"),
        )


def open_link(shows: pd.DataFrame) -> str | None:
    """Choose the linked show in the Change and Sync tabs, once per link (the manager's
    later picks are not overridden), and return the tab to open first."""
    show_key = st.query_params.get(SHOW_PARAM)
    act = st.query_params.get(ACT_PARAM)
    if act not in ACTS or show_key not in set(shows["show_key"]):
        return None
    if st.session_state.get(LINK_FOR_KEY) != (show_key, act):
        st.session_state[LINK_FOR_KEY] = (show_key, act)
        starts_at = shows.set_index("show_key").loc[show_key, "starts_at"]
        started = bool(starts_at < pd.Timestamp(clock.now()))
        st.session_state["inv_browse_mode"] = "Show"
        # A show that started a few hours ago is "past" for the picker: include it. Sync
        # plans only shows still to come.
        st.session_state["inv_include_past"] = started
        st.session_state["inv_show"] = show_key
        # The show's first listing in the Change tab's order (the website's, limited
        # first), not the one picked for an earlier show.
        st.session_state.pop("inv_show_listing", None)
        if not started:
            st.session_state["inv_sync_shows"] = [show_key]
    return ACTS[act]


# --- browsing --------------------------------------------------------------------------
def pick_listing(listings: pd.DataFrame, shows: pd.DataFrame) -> pd.Series | None:
    """Channel → product or series → slot → date (or show → listing); None when empty."""
    mode = st.radio("Browse by", ["Channel", "Show"], horizontal=True, key="inv_browse_mode")
    past = st.toggle("Include past dates", key="inv_include_past")
    pool = listings if past else listings[listings["status"] != Availability.PAST]
    if pool.empty:
        st.info("No listings to show: press **Refresh data**, or include past dates.")
        return None
    if mode == "Show":
        return _pick_by_show(pool, shows)
    channel = st.selectbox(
        "Channel",
        list(Channel),
        format_func=channel_name,
        key="inv_channel",
    )
    part = pool[pool["channel"] == channel]
    if part.empty:
        st.info(f"No {channel_name(channel)} listings.")
        return None
    if channel == Channel.WOOCOMMERCE:
        return _pick_woocommerce(part)
    return _pick_eventbrite(part)


def _choose(label: str, options: list, names: dict, key: str) -> Any:
    return st.selectbox(label, options, format_func=lambda o: names.get(o, str(o)), key=key)


def _pick_woocommerce(part: pd.DataFrame) -> pd.Series:
    products = part.drop_duplicates("product_id")
    names = {int(p): str(t) for p, t in zip(products["product_id"], products["title"], strict=True)}
    product_id = _choose("Product", list(names), names, "inv_product")
    rows = part[part["product_id"] == product_id]
    if rows["kind"].iloc[0] == "bookings":
        slots = rows.drop_duplicates("slot_id")
        slot_names = {
            str(s): str(lbl) for s, lbl in zip(slots["slot_id"], slots["slot_label"], strict=True)
        }
        slot_id = _choose("Slot", list(slot_names), slot_names, "inv_slot")
        rows = rows[rows["slot_id"] == slot_id]
    dates = {k: when_label(t) for k, t in zip(rows["listing_key"], rows["starts_at"], strict=True)}
    key = _choose("Date", list(dates), dates, "inv_date")
    return rows[rows["listing_key"] == key].iloc[0]


def _pick_eventbrite(part: pd.DataFrame) -> pd.Series:
    series = part.assign(series=part["series_id"].fillna("")).drop_duplicates("series")
    names = {
        str(s): (str(t) if s else "One-off events")
        for s, t in zip(series["series"], series["title"], strict=True)
    }
    chosen = _choose("Series", list(names), names, "inv_series")
    rows = part[part["series_id"].fillna("") == chosen]
    events = rows.drop_duplicates("event_id")
    dates = {
        str(e): when_label(t) + ("" if chosen else f" · {isolate(title)}")
        for e, t, title in zip(
            events["event_id"], events["starts_at"], events["title"], strict=True
        )
    }
    event_id = _choose("Date", list(dates), dates, "inv_event")
    rows = rows[rows["event_id"] == event_id]
    if len(rows) > 1:
        classes = {
            k: str(lbl)
            for k, lbl in zip(rows["listing_key"], rows["slot_label"].fillna("?"), strict=True)
        }
        key = _choose("Ticket class", list(classes), classes, "inv_class")
        rows = rows[rows["listing_key"] == key]
    return rows.iloc[0]


def _pick_by_show(pool: pd.DataFrame, shows: pd.DataFrame) -> pd.Series | None:
    keys = set(pool["listing_key"])
    shows = shows[shows["listing_keys"].apply(lambda ks: any(k in keys for k in ks))]
    if shows.empty:
        st.info("No shows in this range.")
        return None
    names = {
        k: show_name(t, title)
        for k, t, title in zip(shows["show_key"], shows["starts_at"], shows["title"], strict=True)
    }
    show_key = _choose("Show", list(names), names, "inv_show")
    members = shows.set_index("show_key").loc[show_key, "listing_keys"]
    rows = change_order(pool[pool["listing_key"].isin(members)])
    labels = {
        k: listing_label(r)
        for k, r in zip(rows["listing_key"], rows.to_dict("records"), strict=True)
    }
    key = _choose("Listing", list(labels), labels, "inv_show_listing")
    return rows[rows["listing_key"] == key].iloc[0]


# --- the change tab -----------------------------------------------------------------------
def change_section(boxoffice: BoxOffice, listings: pd.DataFrame, shows: pd.DataFrame) -> None:
    row = pick_listing(listings, shows)
    if row is None:
        _last_result()
        return
    _listing_numbers(row)
    if not can_write():
        _last_result()
        return
    _change_controls(row)
    # The outcome stays under the buttons that asked for it, until the next change; no
    # toast, which would cover it and vanish.
    _last_result()
    pending = st.session_state.get(PENDING_KEY)
    if pending and pending["listing_key"] == row["listing_key"]:
        _confirmation(boxoffice, listings)


def _listing_numbers(row: pd.Series) -> None:
    st.markdown(f"**{plain(listing_label(row))}**")
    unlimited = bool(row["unlimited"])
    cols = st.columns(4)
    cols[0].metric("Capacity", seats_text(row["capacity"], unlimited))
    cols[1].metric("Sold", seats_text(row["sold"]))
    cols[2].metric("Pending", seats_text(row["pending"]))
    cols[3].metric("Remaining", seats_text(row["available"], unlimited))
    limit = row.get("limit")
    limit = f" · limited by the {limit}" if known(limit) else ""
    # The listing's key stays out of sight: the label above names it for a manager.
    st.caption(f"Status: {str(row['status']).replace('_', ' ')}{limit}")
    note = seats_caption(row)
    if note:
        st.caption(note)
    if isinstance(row.get("error"), str):
        st.warning(plain(row["error"]), icon="⚠️")


def _seen(row: pd.Series) -> dict:
    return {
        "listing_key": row["listing_key"],
        "seen_remaining": whole_number(row["available"]),
        "seen_capacity": whole_number(row["capacity"])
        if row["channel"] == Channel.EVENTBRITE
        else None,
    }


def _ask(seen: dict, value: int | None, field: str, typed: str | None = None) -> None:
    """Callback of −, + and Set: open the confirmation for this change. ``typed``: the
    Seats box text a Set came from (the panel checks it still says that)."""
    st.session_state.pop(RESULT_KEY, None)
    if value is None:
        st.session_state[RESULT_KEY] = ("refused", "Enter a number of seats first.")
        return
    st.session_state[PENDING_KEY] = {**seen, "value": int(value), "field": field, "typed": typed}


def _ask_set(seen: dict) -> None:
    typed = st.session_state.get("inv_set_value")
    value, problem = parse_seats(typed)
    if problem:
        st.session_state.pop(PENDING_KEY, None)
        st.session_state[RESULT_KEY] = ("refused", problem)
        return
    _ask(seen, value, st.session_state.get("inv_set_field"), typed=typed)


def seats_problem() -> str | None:
    """Why the Seats box cannot be used as it stands (None when it holds a whole number)."""
    return parse_seats(st.session_state.get("inv_set_value"))[1]


def _change_controls(row: pd.Series) -> None:
    seen = _seen(row)
    capacity = whole_number(row["capacity"])
    if st.session_state.get(SET_FOR_KEY) != row["listing_key"]:
        # A new listing: the box starts at its numbers, not the previous listing's.
        st.session_state[SET_FOR_KEY] = row["listing_key"]
        st.session_state["inv_set_field"] = "capacity"
        # An unlimited listing has no capacity to show: the box starts empty, not at "0"
        # (which reads as a capacity of nothing and would close the listing if set).
        st.session_state["inv_set_value"] = "" if capacity is None else str(capacity)
    cols = st.columns([1, 1, 2, 2, 1.4], vertical_alignment="bottom")
    for col, (label, key, help_text, step) in zip(
        cols[:2],
        (("−1", "inv_minus", "One seat less", -1), ("+1", "inv_plus", "One seat more", 1)),
        strict=True,
    ):
        col.button(
            label,
            key=key,
            help=help_text if capacity is not None else "No capacity to step from: use Set",
            disabled=capacity is None,
            on_click=_ask,
            args=(seen, None if capacity is None else capacity + step, "capacity"),
            width="stretch",
        )
    cols[2].radio(
        "Set",
        ["capacity", "remaining"],
        key="inv_set_field",
        horizontal=True,
        help="Capacity = remaining + sold + pending",
    )
    cols[3].text_input(
        "Seats",
        key="inv_set_value",
        help="A whole number of seats, 0 or more",
        placeholder="unlimited now: type seats" if capacity is None else None,
    )
    problem = seats_problem()
    untouched = capacity is None and not str(st.session_state.get("inv_set_value") or "").strip()
    cols[4].button(
        "Set…",
        key="inv_set",
        on_click=_ask_set,
        args=(seen,),
        type="secondary",
        disabled=problem is not None,
    )
    if problem and not untouched:
        # Shown in full, not only on hover: nothing can be set until it is fixed.
        st.error(problem, icon="✏️")
    if capacity is None:
        what = "unlimited" if bool(row["unlimited"]) else "unknown"
        st.info(
            f"Capacity is {what} here, so −1 and +1 have nothing to step from: type a "
            "number of seats in **Seats** and press **Set…** to give it one.",
            icon="♾️" if what == "unlimited" else "❓",
        )


def _pending_change() -> Change:
    pending = st.session_state[PENDING_KEY]
    return Change(
        pending["listing_key"],
        seen_remaining=pending["seen_remaining"],
        value=pending["value"],
        field=pending["field"],
        seen_capacity=pending["seen_capacity"],
    )


def _confirmation(boxoffice: BoxOffice, listings: pd.DataFrame) -> None:
    change = _pending_change()
    preview = boxoffice.preview_change(change, listings)
    with st.container(border=True, key="inv_confirm_panel"):
        st.markdown(f"**Confirm the change** · {plain(preview.label)}")
        unlimited = preview.unlimited_before
        lines = [
            f"Capacity: {seats_text(preview.capacity_before, unlimited)} → "
            f"{seats_text(preview.capacity_after)}",
            f"Remaining: {seats_text(preview.remaining_before, unlimited)} → "
            f"{seats_text(preview.remaining_after)}",
            f"Sold: {seats_text(preview.sold)} (+ {seats_text(preview.pending)} pending), "
            "unchanged",
            f"Writes the {preview.what} on {channel_name(preview.channel)}",
        ]
        st.markdown("\n".join(f"- {line}" for line in lines))
        if preview.meaning:
            st.caption(plain(preview.meaning))
        for warning in preview.warnings:
            st.warning(plain(warning), icon="⚠️")
        # Before Confirm: the guard's next round would write this change back.
        undo = boxoffice.guard_undo(change, listings) if preview.allowed else None
        if undo is not None:
            said = guard_undo_warning(undo, now=clock.now(), timezone=boxoffice.settings.timezone)
            st.warning(plain(said), icon="🛡️")
        if preview.refusal:
            st.error(plain(preview.refusal), icon="🚫")
        stale = _stale_entry()
        if stale:
            st.error(stale, icon="✏️")
        cols = st.columns(2)
        cols[0].button(
            "Confirm",
            key="inv_confirm",
            type="primary",
            disabled=not preview.allowed or stale is not None,
            on_click=_confirm,
            args=(boxoffice,),
        )
        cols[1].button("Cancel", key="inv_cancel", on_click=_cancel)


def _stale_entry() -> str | None:
    """A Set whose Seats box no longer says what was previewed: never confirm an earlier
    value than the one on screen."""
    pending = st.session_state.get(PENDING_KEY) or {}
    typed = pending.get("typed")
    if typed is None or st.session_state.get("inv_set_value") == typed:
        return None
    problem = seats_problem()
    if problem:
        return f"{problem} Fix the Seats box, then press Set… again."
    return "The Seats box changed after Set… was pressed: press Set… again to preview it."


def _cancel() -> None:
    st.session_state.pop(PENDING_KEY, None)


@safe_callback("applying the change")
def _confirm(boxoffice: BoxOffice) -> None:
    """Callback: apply the pending change on fresh numbers, before the page redraws."""
    if PENDING_KEY not in st.session_state or _stale_entry():
        return
    change = _pending_change()
    st.session_state.pop(PENDING_KEY, None)
    catalog = st.session_state.get(CATALOG_KEY)
    result = boxoffice.apply_change(change, boxoffice.listings(catalog), who=current_user())
    remember_results([result])
    st.session_state.pop(SET_FOR_KEY, None)  # refill the Seats box with the new numbers
    st.session_state[RESULT_KEY] = (result.status, result.message, result.details)


def _last_result() -> None:
    last = st.session_state.get(RESULT_KEY)
    if not last:
        return
    status, message, details = (*last, "")[:3]
    icon = STATUS_ICONS.get(status, "ℹ️")
    if status in ("ok", "reconciled", "unchanged"):
        st.success(plain(message), icon=icon)
    elif status in ("refused", "rolled_back"):
        st.warning(plain(message), icon=icon)
    else:
        st.error(plain(message), icon=icon)
    if details:
        st.caption(plain(details))
