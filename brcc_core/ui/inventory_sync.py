"""The Sync tab: pick shows and a policy, read the dry run, apply the chosen rows with one
confirmation; each row goes through the change engine and reports its own result."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from brcc_core.boxoffice import BoxOffice
from brcc_core.boxoffice.api import (
    EVENTBRITE_CALLS_PER_CHANGE,
    StateUnavailable,
    SyncPlan,
    SyncPolicy,
    SyncRow,
)
from brcc_core.common.club import Channel
from brcc_core.common.formats import isolate, listing_label, show_name, when_label
from brcc_core.common.glossary import meaning
from brcc_core.common.windows import local_now
from brcc_core.ui.app import can_write
from brcc_core.ui.catalog import CATALOG_KEY
from brcc_core.ui.inventory_common import (
    current_user,
    remember_results,
    safe_callback,
)
from brcc_core.ui.tables import manager_table
from brcc_core.ui.text import plain
from brcc_core.views.inventory import (
    DRY_RUN_COLUMNS,
    dry_run_frame,
    guard_policy_line,
    row_change_text,
)

PENDING_KEY = "inv_sync_pending"  # {"plans": [...], "row_keys": [...]} awaiting confirmation
RESULTS_KEY = "inv_sync_results"  # the last sync's per-row outcome (a DataFrame)
ROWS_FOR_KEY = "inv_sync_rows_for"  # the dry run the row picker was filled for

EVENTBRITE_CALLS_TYPICAL = 4  # fresh read, write, verification read(s)

POLICIES = {
    "mirror": "Mirror: every channel shows all remaining seats",
    "split": "Split the remaining seats between channels",
    "buffer": "Hold back a buffer, mirror the rest",
}


def sync_section(boxoffice: BoxOffice, listings: pd.DataFrame, shows: pd.DataFrame) -> None:
    st.subheader("Sync channels")
    st.caption(
        "Targets come from the venue capacity and what is sold and pending on both "
        "channels, never from one channel's changes. Mirror lets the channels together "
        "sell more than the room holds until the next sync; split and buffer limit that."
    )
    now = local_now(boxoffice.settings.timezone)
    upcoming = shows[shows["starts_at"] >= now]
    names = {
        k: show_name(t, title)
        for k, t, title in zip(
            upcoming["show_key"], upcoming["starts_at"], upcoming["title"], strict=True
        )
    }
    chosen = st.multiselect(
        "Shows", list(names), format_func=lambda k: names.get(k, k), key="inv_sync_shows"
    )
    policy = _policy()
    if not chosen:
        st.info("Pick one or more shows to see the dry run.", icon="🧮")
        _confirmation(boxoffice)
        return
    plans = boxoffice.plan_sync(chosen, policy, listings)
    guard = _guard_lines(boxoffice, [plan.show_key for plan in plans])
    for plan in plans:
        _plan_summary(plan)
        if plan.show_key in guard:
            st.caption(guard[plan.show_key])
    dry_run_table(dry_run_frame(plans))

    rows = {r.row_key: (plan, r) for plan in plans for r in plan.changes}
    _eventbrite_budget(boxoffice, [r for _, r in rows.values()])
    if not rows:
        st.success("Every listing is at its target already (or left alone): nothing to apply.")
        _confirmation(boxoffice)
        return
    if not can_write():
        return
    labels = row_labels(plans)
    if st.session_state.get(ROWS_FOR_KEY) != tuple(labels.items()):
        # A new dry run (other shows, another policy, new numbers): the picker starts on
        # its rows, never on chips left from the previous policy's targets.
        st.session_state[ROWS_FOR_KEY] = tuple(labels.items())
        st.session_state["inv_sync_rows"] = list(rows)
    selected = st.multiselect(
        "Rows to apply",
        list(rows),
        format_func=lambda key: labels.get(key, str(key)),
        key="inv_sync_rows",
    )
    selected = [key for key in selected if key in rows]
    st.button(
        f"Apply {len(selected)} row(s)…",
        key="inv_sync_apply",
        disabled=not selected,
        on_click=_ask,
        args=(plans, selected),
    )
    _confirmation(boxoffice)


def dry_run_table(table: pd.DataFrame) -> None:
    """The dry run (``dry_run_frame``): one row per listing, named, never its key alone."""
    manager_table(
        table,
        key="inv_sync_table",
        phone_columns=["listing", "action", "target_capacity"],
        columns=DRY_RUN_COLUMNS,
        config={
            "show": st.column_config.TextColumn("Show", width="medium"),
            "listing": st.column_config.TextColumn("Listing", width="medium"),
        },
    )


def row_name(plan: SyncPlan, row: SyncRow) -> str:
    """A dry-run row as a manager knows it: its listing, named like everywhere else."""
    return listing_label({"title": row.title, "channel": row.channel, "starts_at": plan.starts_at})


def row_labels(plans: list[SyncPlan]) -> dict[str, str]:
    """row_key -> what applying that row does, for the row picker (targets included, so
    the labels change whenever the plan does)."""
    return {
        row.row_key: f"{row_name(plan, row)}: {row_change_text(row)}"
        for plan in plans
        for row in plan.changes
    }


def _guard_lines(boxoffice: BoxOffice, show_keys: list[str]) -> dict[str, str]:
    """show key -> the line saying which policy the unattended guard keeps it on (none when
    the guard's records cannot be read: the dry run still works without them)."""
    try:
        policies = boxoffice.guard_policies()
        raises = boxoffice.guard_raises()
        paused = boxoffice.guard_status().paused
    except StateUnavailable:
        return {}
    return {
        key: guard_policy_line(policies.get(key), allow_raise=key in raises, paused=paused)
        for key in show_keys
    }


def _policy() -> SyncPolicy:
    kind = st.radio(
        "Policy", list(POLICIES), format_func=POLICIES.get, key="inv_sync_policy", horizontal=True
    )
    if kind == "split":
        share = st.slider(
            f"{Channel.WOOCOMMERCE.label} share of the remaining seats (%)",
            0,
            100,
            50,
            step=5,
            key="inv_sync_wc_share",
        )
        return SyncPolicy("split", {Channel.WOOCOMMERCE: share, Channel.EVENTBRITE: 100 - share})
    if kind == "buffer":
        buffer = st.number_input(
            "Seats held back", min_value=0, max_value=500, value=4, step=1, key="inv_sync_buffer"
        )
        return SyncPolicy("buffer", buffer=int(buffer))
    return SyncPolicy("mirror")


def _eventbrite_budget(boxoffice: BoxOffice, rows: list) -> None:
    """Eventbrite allows HOURLY_LIMIT calls an hour: say what this sync would spend."""
    count = sum(1 for r in rows if r.channel == Channel.EVENTBRITE)
    if not count:
        return
    need = count * EVENTBRITE_CALLS_TYPICAL
    left = boxoffice.eventbrite.calls_left_this_hour()
    text = (
        f"Eventbrite: about {need} calls for {count} row(s) (up to "
        f"{count * EVENTBRITE_CALLS_PER_CHANGE} if some must be restored); {left} left "
        "this hour."
    )
    if count * EVENTBRITE_CALLS_PER_CHANGE > left:
        st.warning(text + " Rows beyond the budget will be refused, not half-done.", icon="⏳")
    else:
        st.caption(text)


def _seats(value) -> str:
    return "unlimited" if value is None else str(value)


def exposure_text(plan: SyncPlan) -> str:
    """The exposure now, the Dashboard's figure for the show, and after this plan."""
    if plan.unbounded_now:
        now = "unlimited (unlimited stock on the site)"
    else:
        now = "unknown" if plan.exposure_now is None else f"{plan.exposure_now} seat(s)"
    if plan.room_remaining is None:
        return f"oversell exposure now {now}"
    after = "no bound" if plan.exposure is None else f"{plan.exposure} seat(s)"
    return f"oversell exposure now {now}, after this plan {after}"


def _plan_summary(plan: SyncPlan) -> None:
    if plan.room_remaining is None:
        head = (
            f"**{plain(isolate(plan.title))}** ({when_label(plan.starts_at)}): cannot plan · "
            f"{exposure_text(plan)}"
        )
    else:
        head = (
            f"**{plain(isolate(plan.title))}** ({when_label(plan.starts_at)}): "
            f"{plan.room_remaining} of {plan.venue_capacity} seats left in the room · "
            f"{exposure_text(plan)}"
        )
    st.markdown(head, help=meaning("Exposure"))
    for note in plan.notes:
        if plan.oversold or plan.room_remaining is None:
            st.error(plain(note), icon="🚨")
        else:
            st.caption(plain(note))


def _ask(plans: list[SyncPlan], selected: list[str]) -> None:
    st.session_state.pop(RESULTS_KEY, None)
    st.session_state[PENDING_KEY] = {"plans": plans, "row_keys": list(selected)}


def _cancel() -> None:
    st.session_state.pop(PENDING_KEY, None)


def _confirmation(boxoffice: BoxOffice) -> None:
    """The confirmation panel, or in its place the last sync's outcome: the result stays
    where the manager pressed Confirm, not in a toast that covers it and vanishes."""
    pending = st.session_state.get(PENDING_KEY)
    if not pending:
        _results()
        return
    plans: list[SyncPlan] = pending["plans"]
    keys = set(pending["row_keys"])
    rows = [r for plan in plans for r in plan.changes if r.row_key in keys]
    names = {r.row_key: row_name(plan, r) for plan in plans for r in plan.changes}
    with st.container(border=True, key="inv_sync_confirm_panel"):
        st.markdown(
            f"**Apply {len(rows)} change(s) on {len({r.show_key for r in rows})} show(s)** "
            f"({plans[0].policy.describe()})"
        )
        st.markdown(
            "\n".join(f"- {plain(names[r.row_key])}: {plain(row_change_text(r))}" for r in rows)
        )
        st.caption("Each row is read fresh first and refused if it changed since this dry run.")
        cols = st.columns(2)
        cols[0].button(
            "Confirm sync",
            key="inv_sync_confirm",
            type="primary",
            on_click=_confirm,
            args=(boxoffice,),
        )
        cols[1].button("Cancel", key="inv_sync_cancel", on_click=_cancel)


@safe_callback("applying the sync")
def _confirm(boxoffice: BoxOffice) -> None:
    """Callback: run the chosen rows through the change engine, one at a time."""
    pending = st.session_state.pop(PENDING_KEY, None)
    if not pending:
        return
    catalog = st.session_state.get(CATALOG_KEY)
    outcomes = boxoffice.apply_sync(
        pending["plans"],
        set(pending["row_keys"]),
        listings=boxoffice.listings(catalog),
        who=current_user(),
    )
    remember_results([result for _, result in outcomes])
    names = {r.row_key: row_name(plan, r) for plan in pending["plans"] for r in plan.changes}
    st.session_state[RESULTS_KEY] = pd.DataFrame(
        [
            {
                "listing": names.get(row.row_key, row.listing_key),
                "target_remaining": row.target_remaining,
                "result": result.status,
                "message": result.message,
                "details": result.details,
            }
            for row, result in outcomes
        ],
        columns=["listing", "target_remaining", "result", "message", "details"],
    )


def _results() -> None:
    results = st.session_state.get(RESULTS_KEY)
    if results is None:
        return
    ok = results["result"].isin(["ok", "reconciled", "unchanged"])
    if ok.all():
        st.success(f"Sync applied: {len(results)} row(s) verified on the platforms.", icon="✅")
    else:
        st.warning(
            f"Sync: {int(ok.sum())} of {len(results)} row(s) verified; see why for the rest.",
            icon="⚠️",
        )
    manager_table(results, key="inv_sync_results_table")
