"""The Shows tab: review the grouping of listings into shows, confirm or edit it with the
show's venue capacity, and keep recurring rules so new dates map themselves."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from brcc_core.boxoffice import BoxOffice
from brcc_core.boxoffice.api import RecurringRule, RuleMember, StateUnavailable, parse_seats
from brcc_core.common.club import Channel
from brcc_core.common.formats import WEEKDAY_NAMES, listing_label, show_name, when_label
from brcc_core.common.values import known, known_cells
from brcc_core.common.windows import local_now
from brcc_core.ui.app import can_write
from brcc_core.ui.inventory_common import current_user, report_write
from brcc_core.ui.tables import manager_table
from brcc_core.ui.text import plain

MESSAGE_KEY = "inv_shows_message"  # (kind, text) after a save
MAP_FOR_KEY = "inv_map_for"  # the show the editor was filled for

SOURCES = {"saved": "confirmed", "rule": "recurring rule", "suggested": "suggested"}


def shows_section(boxoffice: BoxOffice, listings: pd.DataFrame, shows: pd.DataFrame) -> None:
    st.subheader("Shows")
    st.caption(
        "A show is one performance in the room and groups the listings that sell it. "
        "Confirmed shows come first, then recurring rules, then suggestions by start time."
    )
    message = st.session_state.pop(MESSAGE_KEY, None)
    if message:
        (st.success if message[0] == "ok" else st.error)(message[1])
    now = local_now(boxoffice.settings.timezone)
    upcoming = shows[shows["starts_at"] >= now - pd.Timedelta(hours=12)]
    if upcoming.empty:
        st.info("No upcoming shows.")
    else:
        table = upcoming.assign(
            when=upcoming["starts_at"].map(when_label),
            source=upcoming["source"].map(SOURCES),
            listings=upcoming["listing_keys"].apply(len),
        )
        manager_table(
            table,
            key="inv_shows_table",
            phone_columns=["when", "title", "remaining", "oversold"],
            columns=[
                "when",
                "title",
                "source",
                "venue_capacity",
                "listings",
                "sold",
                "pending",
                "remaining",
                "oversold",
            ],
            config={"title": st.column_config.TextColumn("Show", width="large")},
        )
        if can_write():
            _editor(boxoffice, listings, upcoming)
    with st.expander("Recurring rules", expanded=False):
        _rules(boxoffice, listings)


def _editor(boxoffice: BoxOffice, listings: pd.DataFrame, shows: pd.DataFrame) -> None:
    names = {
        k: f"{show_name(t, title)} ({SOURCES.get(src, src)})"
        for k, t, title, src in zip(
            shows["show_key"], shows["starts_at"], shows["title"], shows["source"], strict=True
        )
    }
    show_key = st.selectbox("Review a show", list(names), format_func=names.get, key="inv_map_show")
    show = shows.set_index("show_key").loc[show_key]
    day = show["starts_at"].date()
    same_day = listings[
        listings["starts_at"].apply(lambda t: known(t) and t.date() == day)
        | listings["listing_key"].isin(show["listing_keys"])
    ]
    labels = {
        k: listing_label(r)
        for k, r in zip(same_day["listing_key"], same_day.to_dict("records"), strict=True)
    }
    if st.session_state.get(MAP_FOR_KEY) != show_key:
        st.session_state[MAP_FOR_KEY] = show_key
        st.session_state["inv_map_listings"] = list(show["listing_keys"])
        st.session_state["inv_map_capacity"] = str(int(show["venue_capacity"]))
        st.session_state["inv_map_title"] = str(show["title"])
    st.multiselect(
        "Listings that sell this show",
        list(labels),
        format_func=lambda k: labels.get(k, k),
        key="inv_map_listings",
    )
    cols = st.columns([1, 2])
    cols[0].text_input("Venue capacity", key="inv_map_capacity")
    _, problem = parse_seats(st.session_state.get("inv_map_capacity"))
    cols[1].text_input("Title", key="inv_map_title")
    cols = st.columns(2)
    if problem:
        st.error(problem, icon="✏️")
    cols[0].button(
        "Confirm this show",
        key="inv_map_save",
        type="primary",
        on_click=_save,
        args=(boxoffice, show_key),
        disabled=problem is not None,
    )
    if show["source"] == "saved":
        cols[1].button(
            "Forget the confirmation",
            key="inv_map_forget",
            on_click=_forget,
            args=(boxoffice, show_key),
        )


def _save(boxoffice: BoxOffice, show_key: str) -> None:
    keys = list(st.session_state.get("inv_map_listings") or [])
    if not keys:
        st.session_state[MESSAGE_KEY] = ("error", "A show needs at least one listing.")
        return
    capacity, problem = parse_seats(st.session_state.get("inv_map_capacity"))
    if problem or capacity is None:
        st.session_state[MESSAGE_KEY] = ("error", problem or "Enter a venue capacity.")
        return
    title = (st.session_state.get("inv_map_title") or "").strip() or None
    if report_write(
        MESSAGE_KEY,
        lambda: boxoffice.save_show_mapping(
            show_key, keys, venue_capacity=capacity, title=title, who=current_user()
        ),
        f"Show confirmed: {len(keys)} listing(s), venue capacity {capacity}.",
    ):
        st.session_state.pop(MAP_FOR_KEY, None)


def _forget(boxoffice: BoxOffice, show_key: str) -> None:
    if report_write(
        MESSAGE_KEY,
        lambda: boxoffice.forget_show_mapping(show_key, who=current_user()),
        "Confirmation removed: the show is suggested again.",
    ):
        st.session_state.pop(MAP_FOR_KEY, None)


def _rules(boxoffice: BoxOffice, listings: pd.DataFrame) -> None:
    st.caption(
        'E.g. "every Wednesday 20:00: WooCommerce product X slot Y + Eventbrite series Z": '
        "new dates of those listings then map themselves into one show."
    )
    try:
        rules = boxoffice.recurring_rules()
    except StateUnavailable as exc:
        st.error(str(exc))
        return
    for rule in rules:
        cap = f" · venue capacity {rule.venue_capacity}" if rule.venue_capacity else ""
        st.markdown(f"- **{plain(rule.name)}**: {plain(rule.describe())}{cap}")
    if not can_write():
        return
    if rules:
        names = {r.rule_id: r.name for r in rules}
        cols = st.columns([3, 1], vertical_alignment="bottom")
        pick = cols[0].selectbox("Rule", list(names), format_func=names.get, key="inv_rule_pick")
        cols[1].button(
            "Delete rule", key="inv_rule_delete", on_click=_delete_rule, args=(boxoffice, pick)
        )

    wc = listings[listings["channel"] == Channel.WOOCOMMERCE].dropna(subset=["product_id"])
    products = {int(p): str(t) for p, t in zip(wc["product_id"], wc["title"], strict=True)}
    eb = listings[listings["channel"] == Channel.EVENTBRITE].dropna(subset=["series_id"])
    series = {str(s): str(t) for s, t in zip(eb["series_id"], eb["title"], strict=True)}
    st.text_input("Name", key="inv_rule_name", placeholder="Wednesday 8pm")
    cols = st.columns(2)
    cols[0].selectbox(
        "Weekday", range(7), format_func=lambda d: WEEKDAY_NAMES[d], key="inv_rule_weekday"
    )
    cols[1].text_input("Start (club time, HH:MM)", value="20:00", key="inv_rule_time")
    cols = st.columns(2)
    product = cols[0].selectbox(
        "WooCommerce product",
        [None, *products],
        format_func=lambda p: "(none)" if p is None else products[p],
        key="inv_rule_product",
    )
    slots = {}
    if product is not None:
        rows = wc[(wc["product_id"] == product) & known_cells(wc["slot_id"])]
        slots = {
            str(s): str(lbl) for s, lbl in zip(rows["slot_id"], rows["slot_label"], strict=True)
        }
    cols[1].selectbox(
        "Slot",
        [None, *slots],
        format_func=lambda s: "(any slot)" if s is None else slots[s],
        key="inv_rule_slot",
    )
    st.selectbox(
        "Eventbrite series",
        [None, *series],
        format_func=lambda s: "(none)" if s is None else series[s],
        key="inv_rule_series",
    )
    st.number_input("Venue capacity (0 = default)", min_value=0, step=1, key="inv_rule_capacity")
    st.button("Add rule", key="inv_rule_add", on_click=_add_rule, args=(boxoffice,))


def _add_rule(boxoffice: BoxOffice) -> None:
    state = st.session_state
    members = []
    if state.get("inv_rule_product") is not None:
        members.append(
            RuleMember(
                Channel.WOOCOMMERCE,
                product_id=int(state["inv_rule_product"]),
                slot_id=state.get("inv_rule_slot"),
            )
        )
    if state.get("inv_rule_series"):
        members.append(RuleMember(Channel.EVENTBRITE, series_id=str(state["inv_rule_series"])))
    weekday = int(state.get("inv_rule_weekday") or 0)
    start = (state.get("inv_rule_time") or "").strip()
    rule = RecurringRule(
        name=(state.get("inv_rule_name") or "").strip() or f"{WEEKDAY_NAMES[weekday]} {start}",
        weekday=weekday,
        start_time=start,
        members=tuple(members),
        venue_capacity=int(state.get("inv_rule_capacity") or 0) or None,
    )
    report_write(
        MESSAGE_KEY,
        lambda: boxoffice.save_recurring_rule(rule, who=current_user()),
        f"Rule saved: {rule.describe()}",
        failed="Rule not saved: ",
    )


def _delete_rule(boxoffice: BoxOffice, rule_id: int) -> None:
    report_write(
        MESSAGE_KEY,
        lambda: boxoffice.delete_recurring_rule(rule_id, who=current_user()),
        "Rule deleted.",
    )
