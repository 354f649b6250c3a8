"""Rendering helpers for the dashboard: health, key figures, the upcoming-shows table and
the capacity chart. Numbers come from ``brcc_core.views.dashboard``; this module only draws
them."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from brcc_core.boxoffice import SAVED_SHOWS_ERROR, BoxOffice
from brcc_core.boxoffice.api import Actor, Catalog, Health, StateUnavailable, SyncPolicy
from brcc_core.common.club import NEARLY_FULL_SHARE, Channel, channel_name
from brcc_core.common.formats import (
    UNKNOWN,
    day_label,
    header,
    percent_label,
    seats_text,
    show_name,
    when_label,
)
from brcc_core.common.glossary import GLOSSARY, meaning
from brcc_core.common.values import known_cells, unknown_cells
from brcc_core.ui.app import can_write, current_actor
from brcc_core.ui.catalog import REFRESH_COST_HELP, refresh_cost_text
from brcc_core.ui.inventory import act_links
from brcc_core.ui.layout import PHONE_CHART_HEIGHT, compact
from brcc_core.ui.text import plain
from brcc_core.views import charts
from brcc_core.views.dashboard import (
    MAX_DAYS,
    UPCOMING_DAYS,
    KeyFigures,
    act_choices,
    guarded_show_lines,
    health_lines,
    health_summary,
    overall_health,
)
from brcc_core.views.selection import MAX_SELECTION, encode_selection

HEALTH_KEY = "health_results"
HEALTH_TTL_SECONDS = 60.0
"""Health is measured by real calls (one of Eventbrite's HOURLY_LIMIT an hour each time), so a
session re-measures at most once a minute, or when the manager asks."""


def measured_health(boxoffice: BoxOffice, catalog: Catalog) -> tuple[list[Health], float]:
    """This session's last health check and its age in seconds: measured again when older
    than a minute, when the catalog changed, or when "Check again" was pressed."""
    cached = st.session_state.get(HEALTH_KEY)
    if (
        cached is None
        or time.monotonic() - cached[0] > HEALTH_TTL_SECONDS
        or cached[2] != catalog.fetched_at
    ):
        # Shared with the sessions that measured in the last few seconds, with its age.
        health, age = boxoffice.shared_health()
        cached = (time.monotonic() - age, health, catalog.fetched_at)
        st.session_state[HEALTH_KEY] = cached
    return cached[1], time.monotonic() - cached[0]


def recheck_health(boxoffice: BoxOffice) -> None:
    st.session_state.pop(HEALTH_KEY, None)
    boxoffice.forget_health()


_BADGE_COLOURS = {"ok": "green", "degraded": "orange", "down": "red"}


def health_panel(
    health: Sequence[Health], age_seconds: float, *, also: Callable[[], None] | None = None
) -> bool:
    """Health as one collapsed line when all is well; opened, with the reason of
    anything not ok spelled out above it, when it is not. Inside: one badge per system
    (hover for the reason), every measurement and ``also`` (the refresh's cost). Returns
    "Check again" pressed."""
    overall = overall_health(health)
    lines = health_lines(health)
    if overall == "all down":
        st.error(
            "None of the club's systems is answering: the numbers below may be missing or "
            "old. Check the network or the credentials in .env, then press **Check again**.",
            icon="⛔",
        )
    for line in lines:
        if line.state == "down":
            st.error(f"**{line.name}** is down: {plain(line.reason)}", icon="⛔")
        elif line.state == "degraded":
            st.warning(f"**{line.name}**: {plain(line.reason)}", icon="⚠️")
    with st.expander(health_summary(health, age_seconds), expanded=overall != "ok"):
        with st.container(horizontal=True, key="health_badges", vertical_alignment="center"):
            for line in lines:
                st.badge(
                    f"{line.name} · {line.detail}",
                    icon=line.icon,
                    color=_BADGE_COLOURS.get(line.state, "gray"),
                    help=line.reason,
                )
        st.markdown(
            "\n".join(
                f"- {line.icon} **{line.name}** · {line.state} · {plain(line.reason)}"
                + (f" · {line.latency}" if line.latency else "")
                for line in lines
            )
        )
        if also is not None:
            also()
        return st.button("Check again", key="health_recheck", icon="🩺")


def refresh_cost(boxoffice: BoxOffice) -> None:
    """What pressing Refresh data costs, in the health line (Eventbrite's budget)."""
    st.caption(refresh_cost_text(boxoffice), help=REFRESH_COST_HELP)


def catalog_notes(catalog: Catalog, listings: pd.DataFrame) -> None:
    """Say plainly when the numbers are partial: refresh errors, no catalog, no live DB."""
    for channel, error in catalog.errors.items():
        st.warning(
            f"The last refresh could not read {channel_name(channel)}: "
            f"{error}. Its part of the catalog is from the refresh before; press **Refresh "
            "data** to try again.",
            icon="⚠️",
        )
    if not catalog.products and not catalog.events:
        st.warning(
            f"No catalog yet: neither {Channel.WOOCOMMERCE.label} nor {Channel.EVENTBRITE.label} "
            "gave a list of what is on "
            "sale. Press **Refresh data** once the health tiles above are green.",
            icon="📭",
        )
    unread = unknown_cells(listings["sold"]) & known_cells(listings["error"])
    unknown = listings.loc[unread, "error"]
    if len(unknown):
        reasons = sorted({e.split(";")[0] for e in unknown if e.startswith("sold unknown")})
        if reasons:
            st.warning(
                f"{len(unknown)} listing(s) show sold as unknown ({reasons[0]}); totals "
                "leave them out rather than count them as 0.",
                icon="❓",
            )


def shows_notes(shows: pd.DataFrame) -> None:
    """Say when the shows' venue capacities are the default, not the saved ones."""
    why = shows.attrs.get(SAVED_SHOWS_ERROR)
    if why:
        st.warning(plain(why), icon="🗄️")


def eventbrite_window_note(catalog: Catalog, now: datetime, days: int) -> None:
    """Say where Eventbrite numbers stop when the window reaches past what the last
    refresh read (docs/eventbrite-seats.md)."""
    until = catalog.eventbrite_until
    if until is not None and now + timedelta(days=days) > until:
        st.caption(
            f"Eventbrite numbers stop at {day_label(until, str(now.tzinfo))}: the last "
            "refresh read Eventbrite that far ahead. Later shows may sell on Eventbrite too; "
            "press **Refresh data** to read further."
        )


def key_figures_row(figures: KeyFigures) -> None:
    """Shows, seats sold, sell-through, pending, oversold and over-exposed shows over the
    chosen horizon."""
    st.subheader(f"Next {figures.days} days")
    cols = st.columns(6)
    cols[0].metric("Shows", figures.shows, border=True)
    cols[1].metric("Seats sold", seats_text(figures.seats_sold), border=True)
    cols[2].metric(
        "Sell-through",
        percent_label(figures.sell_through),
        border=True,
        help=meaning("Sell-through"),
    )
    cols[3].metric("Pending", seats_text(figures.pending), border=True, help=meaning("Pending"))
    cols[4].metric(
        "Oversold shows",
        figures.oversold,
        border=True,
        help=f"{figures.nearly_full} more nearly full ({NEARLY_FULL_SHARE:.0%} or more).",
    )
    unknown_exposure = (
        f" Could not be said for {figures.exposure_unknown} show(s): their seats on sale or "
        "sold are unknown."
        if figures.exposure_unknown
        else ""
    )
    # A show whose exposure cannot be said is not counted as fine: the count says so.
    over_exposed = str(figures.over_exposed)
    if figures.exposure_unknown:
        over_exposed += f" (+{figures.exposure_unknown} unknown)"
    cols[5].metric(
        "Over-exposed shows",
        over_exposed,
        border=True,
        help=f"Shows whose exposure is above 0. Exposure: {GLOSSARY['Exposure']} A sync "
        f"closes the gap.{unknown_exposure}",
    )
    if figures.unknown:
        why = f": {figures.unknown_reasons[0]}" if figures.unknown_reasons else ""
        st.caption(
            f"Seats sold is unknown for {figures.unknown} of {figures.shows} show(s)"
            f"{plain(why)}. The {figures.known_shows} readable show(s) have "
            f"{figures.known_sold:,} seats sold."
        )


TABLE_KEY = "upcoming_shows"


def days_ahead() -> int:
    """How far ahead the key figures, table and chart look."""
    return st.slider(
        "Upcoming shows: days ahead",
        min_value=1,
        max_value=MAX_DAYS,
        value=UPCOMING_DAYS,
        key="upcoming_days",
        width=360,
    )


def compare_link(chosen: Sequence[str]) -> None:
    """The way from ticked rows to the comparison, carrying the selection in the link."""
    st.page_link(
        "pages/comparison.py",
        label=f"Compare the selection ({len(chosen)} of {MAX_SELECTION})"
        if chosen
        else "Tick rows to compare shows side by side",
        icon="⚖️",
        query_params=encode_selection(chosen),
        disabled=not chosen,
    )


ACT_KEY = "act_on_show"


def act_on_show(shows: pd.DataFrame, chosen: Sequence[str]) -> None:
    """Managers go from the row they look at to fixing it: the show's capacity change or
    its Sync dry run on the Inventory page, the show already chosen. The most urgent show
    is the default (``act_choices``: oversold, over-exposed by seats at risk, nearly
    full), then the ticked rows, then the rest."""
    if shows.empty or not can_write():
        return
    names = act_choices(shows, chosen)
    # A selectbox shows its options as plain text: no Markdown escaping (it would print
    # the backslashes).
    show_key = st.selectbox(
        "Act on a show", list(names), format_func=lambda k: names.get(k, k), key=ACT_KEY
    )
    act_links(show_key)


_TABLE_CONFIG = {
    # The name stays on screen while a phone scrolls the numbers sideways.
    "show": st.column_config.TextColumn("Show", width=170, pinned=True),
    "date": st.column_config.TextColumn("Date", width=80),
    "time": st.column_config.TextColumn("Time", width=48),
    "flag": st.column_config.TextColumn(
        "Flag",
        width=190,
        help="Oversold (+ seats too many), nearly full, sold unknown; 🔓 seats on sale "
        "beyond what the room has left (at risk). Spelled out under Details.",
    ),
    "flag_detail": st.column_config.TextColumn("Flag in words", width=420),
    "sold_woocommerce": st.column_config.NumberColumn(
        header("sold_woocommerce"),
        format="%d",
        width=80,
        help="Sold on the website (WooCommerce / FooEvents).",
    ),
    "sold_eventbrite": st.column_config.NumberColumn(
        header("sold_eventbrite"),
        format="%d",
        width=110,
        help="Sold on Eventbrite (at the last refresh).",
    ),
    "pending": st.column_config.NumberColumn(
        "Pending", format="%d", width=70, help=meaning("Pending")
    ),
    "venue_capacity": st.column_config.NumberColumn(
        "Venue capacity", format="%d", width=105, help=meaning("Venue capacity")
    ),
    "remaining": st.column_config.NumberColumn(
        "Remaining", format="%d", width=78, help=meaning("Remaining")
    ),
    "on_sale_woocommerce": st.column_config.TextColumn(
        header("on_sale_woocommerce"),
        width=70,
        help="Seats buyers can still buy on the website (WooCommerce / FooEvents) now.",
    ),
    "on_sale_eventbrite": st.column_config.TextColumn(
        header("on_sale_eventbrite"),
        width=80,
        help="Seats Eventbrite can still sell (at the last refresh).",
    ),
    "exposure": st.column_config.TextColumn("Exposure", width=72, help=meaning("Exposure")),
    "sell_through": st.column_config.ProgressColumn(
        "Sell-through",
        format="%d%%",
        min_value=0,
        max_value=100,
        width=90,
        help=meaning("Sell-through"),
    ),
}
# What fits 1400 px without sideways scrolling: the flag next to the name (the one thing
# to see from the door), the room left, what is on sale where, and the exposure. Sold per
# channel, pending and the venue capacity are one click away under "Details".
_TABLE_ORDER = [
    "show",
    "date",
    "time",
    "flag",
    "remaining",
    "on_sale_woocommerce",
    "on_sale_eventbrite",
    "exposure",
    "sell_through",
]
_DETAILS_ORDER = [
    "show",
    "date",
    "time",
    "flag_detail",
    "sold_woocommerce",
    "sold_eventbrite",
    "pending",
    "venue_capacity",
    "remaining",
    "sell_through",
]


# A phone (390 px) shows one row per show without sideways scrolling: which show, when,
# the room left and the exposure; everything else is under "Details".
_PHONE_ORDER = ["show", "date", "remaining", "exposure"]
_PHONE_CONFIG = {
    "show": st.column_config.TextColumn("Show", width=120),
    "date": st.column_config.TextColumn("Date", width=76),
    "remaining": st.column_config.NumberColumn("Left", format="%d", width=48),
    "exposure": st.column_config.TextColumn("Exposure", width=72),
}


def upcoming_table(table: pd.DataFrame, *, phone: bool = False) -> list[int]:
    """The upcoming-shows table with row selection, then the rest of each row's numbers
    in an expander; returns the ticked rows. On a phone the table is a column subset."""
    event = st.dataframe(
        table,
        key=TABLE_KEY,
        hide_index=True,
        column_order=_PHONE_ORDER if phone else _TABLE_ORDER,
        column_config={**_TABLE_CONFIG, **_PHONE_CONFIG} if phone else _TABLE_CONFIG,
        on_select="rerun",
        selection_mode="multi-row",
        placeholder=UNKNOWN,
    )
    with st.expander("Details: flags in words, sold per channel, pending and venue capacity"):
        st.dataframe(
            table,
            key="upcoming_details",
            hide_index=True,
            column_order=_DETAILS_ORDER,
            column_config=_TABLE_CONFIG,
            placeholder=UNKNOWN,
        )
    return list(event.selection.rows)


PROJECTOR_CHART_HEIGHT = 760
PHONE_NAME_ROOM = 1.5  # the desk's axis stretched this much more on a phone
# Read from the back of a room: key figures well over twice the desk's 2.25rem (and allowed
# to wrap rather than end in "…"), labels and text larger than a desk screen needs.
_PROJECTOR_CSS = """
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p { font-size: 1.2rem; }
[data-testid="stMain"] [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p {
  font-size: 5rem; line-height: 1.1; white-space: normal;
}
[data-testid="stMain"] [data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p {
  font-size: 1.5rem;
}
"""
"""The value is Markdown (a ``<p>`` in the value's container): the text's own size is set
after the rule for every paragraph, which would otherwise shrink it to 1.2rem (issue 26)."""


def projector_style() -> None:
    """Enlarge key figures and text on this page (the chart: ``capacity_chart``)."""
    st.html(f"<style>{_PROJECTOR_CSS}</style>")


def capacity_chart(
    fig: go.Figure, days: int, *, projector: bool = False, phone: bool = False
) -> None:
    """Draw ``fig`` (``DashboardView.chart``, shared between sessions: copied before any
    change, never changed in place), as tall as its rows need at the layout's type size."""
    if projector:
        fig = go.Figure(fig)
        fig.update_layout(
            height=max(PROJECTOR_CHART_HEIGHT, charts.chart_rows_height(fig, 34)),
            font={"size": charts.FONT_SIZE + 6},
            title={"font": {"size": charts.FONT_SIZE + 14}},
        )
        fig.update_yaxes(tickfont={"size": charts.FONT_SIZE + 2})
        fig.update_traces(selector={"name": charts.NAMED}, textfont_size=charts.FONT_SIZE + 4)
    if phone:
        fig = go.Figure(fig)
        # A phone's 390 px fit a short title beside plotly's toolbar, not the desk's long one.
        fig.update_layout(title_text=f"Sold, {days} days")
        compact(fig, height=max(PHONE_CHART_HEIGHT, charts.chart_rows_height(fig, 22)))
        # 390 px: the bars take less of the width so the names beside them fit.
        fig.update_xaxes(range=[0, fig.layout.xaxis.range[1] * PHONE_NAME_ROOM])
    st.plotly_chart(
        fig,
        key="capacity_chart",
        theme=None,
        config=charts.chart_config("brcc-capacity-vs-sold"),
    )


GUARD_KEY = "guard_panel"


def guard_panel(boxoffice: BoxOffice, shows: pd.DataFrame) -> None:
    """The unattended guard (``python -m brcc_core.guard``): running or paused, its last
    round and the next, what it changed, its last error, and which policy guards each
    show; managers pause or resume it and choose a show's policy here (each audited)."""
    try:
        status = boxoffice.guard_status()
        policies = boxoffice.guard_policies()
    except StateUnavailable as exc:
        st.caption(f"Unattended guard: its state could not be read ({exc}).")
        return
    tz = boxoffice.settings.timezone
    if status.paused:
        state = f"⏸️ paused by {status.paused_by} at {when_label(status.paused_at, tz)}"
    elif status.last_round_at is None:
        state = "⚪ has not run yet (start it: `python -m brcc_core.guard --every 2m`)"
    else:
        state = f"🟢 last round {when_label(status.last_round_at, tz)}"
    with st.expander(f"Unattended guard: {state}", expanded=bool(status.last_error)):
        if status.last_round_at is not None:
            st.write(
                f"{status.last_summary or ''}. Changes: {status.last_changes} last round, "
                f"{status.changes} in {status.rounds} round(s); Eventbrite calls last round: "
                f"{status.last_calls}. Next round: {when_label(status.next_round_at, tz)}."
            )
        if status.last_error:
            st.warning(f"Last round: {status.last_error}", icon="⚠️")
        described = {k: p.describe() for k, p in policies.items()}
        guarded = guarded_show_lines(described, shows, tz)
        st.caption(
            "Guarded shows (only lowering what is on sale): " + "; ".join(guarded)
            if guarded
            else "No show has a saved policy: the guard leaves every show alone."
        )
        if not can_write():
            return
        who = current_actor()
        pause, resume = st.columns(2)
        if pause.button("Pause the guard", disabled=status.paused, key=f"{GUARD_KEY}_pause"):
            boxoffice.pause_guard(who=who)
            st.rerun()
        if resume.button("Resume the guard", disabled=not status.paused, key=f"{GUARD_KEY}_go"):
            boxoffice.resume_guard(who=who)
            st.rerun()
        _guard_policy_form(boxoffice, shows, who, tz)


def _guard_policy_form(boxoffice: BoxOffice, shows: pd.DataFrame, who: Actor, tz: str) -> None:
    if shows.empty:
        return
    names = {
        r["show_key"]: show_name(r["starts_at"], r["title"], tz) for r in shows.to_dict("records")
    }
    show_key = st.selectbox(
        "Show", list(names), format_func=lambda k: names[k], key=f"{GUARD_KEY}_show"
    )
    kind = st.radio(
        "Policy", ["split", "buffer", "mirror"], horizontal=True, key=f"{GUARD_KEY}_kind"
    )
    held = st.number_input("Seats held back", 0, 500, 0, key=f"{GUARD_KEY}_buffer")
    site = st.number_input("Website share (split)", 0, 10, 1, key=f"{GUARD_KEY}_wc")
    eb = st.number_input("Eventbrite share (split)", 0, 10, 1, key=f"{GUARD_KEY}_eb")
    raises = st.checkbox("The guard may also raise seats", key=f"{GUARD_KEY}_raise")
    save, forget = st.columns(2)
    if save.button("Guard this show", key=f"{GUARD_KEY}_save"):
        ratio = {Channel.WOOCOMMERCE: float(site), Channel.EVENTBRITE: float(eb)}
        policy = SyncPolicy(kind, ratio if kind == "split" else {}, int(held))
        boxoffice.save_guard_policy(show_key, policy, allow_raise=raises, who=who)
        st.rerun()
    if forget.button("Stop guarding it", key=f"{GUARD_KEY}_forget"):
        boxoffice.forget_guard_policy(show_key, who=who)
        st.rerun()
