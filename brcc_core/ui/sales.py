"""Rendering for the Sales page: pace of the coming shows, the pace chart, revenue and
ticket types, no-shows, and tonight's door. Numbers come from ``brcc_core.views.sales``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pandas as pd
import streamlit as st

from brcc_core.boxoffice import BoxOffice
from brcc_core.boxoffice.api import (
    AccessDenied,
    IntegrationError,
    SalesHistory,
    SalesStoreUnavailable,
    StateUnavailable,
)
from brcc_core.common.club import Channel
from brcc_core.common.formats import header, time_label
from brcc_core.common.values import known_cells, whole_number
from brcc_core.ui.app import current_actor
from brcc_core.ui.layout import PHONE_CHART_HEIGHT, compact
from brcc_core.ui.tables import EMPTY_CELL, manager_table
from brcc_core.ui.text import plain
from brcc_core.views.charts import chart_config
from brcc_core.views.pace_chart import pace_chart
from brcc_core.views.sales import (
    HIDDEN,
    SCOPE_LABELS,
    first_sync_hold,
    first_sync_needed,
    pace_rows,
    revenue_csv,
    show_name,
    show_pace_curves,
    sync_caption,
    takings_tables,
)

# Set once this session has started (or found no need for) the first Eventbrite orders
# sync, so a rerun (every slider move) never starts it again.
FIRST_SYNC_KEY = "sales_first_sync_done"
# Pages of 50 orders the progress bar fills over; a club's year is about 130.
PROGRESS_PAGES = 40


def sync_button(boxoffice: BoxOffice) -> None:
    """Fetch Eventbrite orders changed since the last sync (all of them the first time),
    going on from a sync that failed or stopped part-way. The first time the page opens
    with orders never synced, the sync starts by itself (once a session). Rendered before
    the history is read, so a sync shows in the same run."""
    timezone = boxoffice.settings.timezone
    cols = st.columns([1, 3], vertical_alignment="center")
    if cols[0].button("Sync Eventbrite orders", key="sales_sync", icon="🔄"):
        st.session_state[FIRST_SYNC_KEY] = True
        _sync(boxoffice, "Reading Eventbrite orders…")
    else:
        _first_sync(boxoffice)
    try:
        synced_at = boxoffice.sales.eventbrite_sales.last_sync()
        partial = boxoffice.sales.eventbrite_sales.partial()
    except (SalesStoreUnavailable, StateUnavailable) as exc:
        cols[1].caption(str(exc))
        return
    cols[1].caption(sync_caption(synced_at, partial, timezone))


def _first_sync(boxoffice: BoxOffice) -> None:
    """Start the first Eventbrite orders sync for the manager, rather than show pace and
    revenue without Eventbrite until they think of the button."""
    if st.session_state.get(FIRST_SYNC_KEY):
        return
    try:
        needed = first_sync_needed(
            boxoffice.sales.eventbrite_sales.last_sync(),
            boxoffice.sales.eventbrite_sales.partial(),
        )
    except (SalesStoreUnavailable, StateUnavailable):
        return  # the caption beside the button says why the store cannot be read
    if not needed:
        st.session_state[FIRST_SYNC_KEY] = True
        return
    hold = first_sync_hold(
        boxoffice.eventbrite.calls_left_this_hour(), boxoffice.settings.eb_write_reserve
    )
    if hold is not None:  # said now, and looked at again on the next run
        st.info(hold, icon="⏳")
        return
    # Marked before it starts: a rerun that interrupts it must not start it again (what
    # it read is kept, and the button goes on from there).
    st.session_state[FIRST_SYNC_KEY] = True
    _sync(boxoffice, "Eventbrite orders have never been synced: reading them now…", first=True)


def _sync(boxoffice: BoxOffice, text: str, *, first: bool = False) -> None:
    timezone = boxoffice.settings.timezone
    again = " Press Sync Eventbrite orders to try again." if first else ""
    bar = st.progress(0.0, text=text)
    try:
        result = boxoffice.sync_eventbrite_sales(
            progress=lambda pages: bar.progress(
                min(1.0, pages / PROGRESS_PAGES), text=f"Read {pages} pages of Eventbrite orders…"
            ),
            who=current_actor(),
        )
    except AccessDenied as exc:
        st.error(plain(exc), icon="🔒")
    except (IntegrationError, SalesStoreUnavailable) as exc:
        kept = ""
        try:
            partial = boxoffice.sales.eventbrite_sales.partial()
        except (SalesStoreUnavailable, StateUnavailable):
            partial = None
        if partial is not None:
            kept = (
                f" What was read is kept ({partial.describe(timezone)}); the next sync "
                "continues from there."
            )
        st.error(f"Eventbrite orders could not be synced: {exc}{kept}{again}", icon="⚠️")
    else:
        if result.complete:
            st.success(result.summary(timezone), icon="✅")
        else:
            go_on = " Press Sync Eventbrite orders to go on." if first else ""
            st.warning(result.summary(timezone) + go_on, icon="⏸️")
    finally:
        bar.empty()


@contextmanager
def history_progress() -> Iterator[Callable[[int, int], None]]:
    """Progress for the website history's first copy into the app-state database (a year
    of tickets at the club's size takes a while); drawn only once the copy reports, so a
    later open, which reads only what changed, shows no bar."""
    bar = None

    def report(copied: int, total: int) -> None:
        nonlocal bar
        bar = bar or st.progress(0.0)
        share = min(1.0, copied / total) if total else 1.0
        bar.progress(share, text=f"Copying the website's sales history: {copied:,} of {total:,}…")

    try:
        yield report
    finally:
        if bar is not None:
            bar.empty()


# Column -> heading (or Streamlit column config), in the order shown. The show's name
# carries its flag or why it has no pace, so the reason is read with the show.
PACE_TABLE_COLUMNS = {
    "show": st.column_config.TextColumn("Show", width="large", pinned=True),
    "sold_now": st.column_config.NumberColumn("Sold now"),
    "usual_now": st.column_config.NumberColumn("Usual by now", format="%.1f"),
    "usual_low": st.column_config.NumberColumn("Low (25%)", format="%.1f"),
    "usual_high": st.column_config.NumberColumn("High (75%)", format="%.1f"),
    "projected_final": st.column_config.NumberColumn("Projected final"),
    "past_shows": st.column_config.NumberColumn("Played dates"),
}
# A phone's 390 px: the show with its flag, and sold now; the rest on a wider screen.
PHONE_PACE_COLUMNS = {
    "show": st.column_config.TextColumn("Show", width=290),
    "sold_now": st.column_config.NumberColumn("Sold", width=44),
}


def _table(frame: pd.DataFrame, key: str, columns: dict) -> None:
    """``frame``'s ``columns`` only, in that order and under their headings."""
    st.dataframe(
        frame[list(columns)],
        hide_index=True,
        width="stretch",
        key=key,
        column_config=columns,
        placeholder=EMPTY_CELL,
    )


def history_caption(history: SalesHistory, timezone: str, share_seconds: int) -> None:
    """When the sales were read: pace and revenue stay as read for a few minutes."""
    if history.read_at is None:
        return
    text = f"Sales read at {time_label(history.read_at, timezone)}"
    if share_seconds > 0:
        kept = f"{share_seconds // 60} min" if share_seconds >= 60 else f"{share_seconds} s"
        text += f"; kept for up to {kept} (Refresh data or Sync Eventbrite orders reads them again)"
    st.caption(text + ".")


def pace_section(
    table: pd.DataFrame, scope: str, timezone: str, *, phone: bool = False
) -> pd.DataFrame:
    """The pace table for one scope in its order (flagged rows first), all rows or only
    the flagged ones; returns what it showed."""
    part = table[table["scope"] == scope]
    if part.empty:
        st.info("No upcoming shows in this range.")
        return part
    behind = int(part["behind"].fillna(False).sum())
    selling_out = int(known_cells(part["sell_out_by"]).sum())
    cols = st.columns(3)
    cols[0].metric("Shows paced", len(part))
    cols[1].metric("Behind their usual pace", behind)
    cols[2].metric("On course to sell out", selling_out)
    flagged_only = st.toggle("Only flagged shows", key=f"pace_flagged_only_{scope}")
    rows = pace_rows(table, scope, timezone, flagged_only=flagged_only)
    if rows.empty:
        st.info("No show in this range is flagged: each is selling within its usual pace.")
        return rows
    _table(rows, f"pace_table_{scope}", PHONE_PACE_COLUMNS if phone else PACE_TABLE_COLUMNS)
    return rows


def pace_chart_section(
    part: pd.DataFrame,
    shows: pd.DataFrame,
    listings: pd.DataFrame,
    history: SalesHistory,
    *,
    now: datetime,
    n: int,
    scope: str,
    timezone: str,
    phone: bool = False,
) -> None:
    """The pace chart of one show of ``part`` (the first flagged one unless picked)."""
    if part.empty:
        return
    labels = {r.show_key: show_name(r.starts_at, r.title, timezone) for r in part.itertuples()}
    flagged = part.loc[known_cells(part["flag"]), "show_key"].tolist()
    default = flagged[0] if flagged else part["show_key"].iloc[0]
    keys = list(labels)
    key = st.selectbox(
        "Pace chart for",
        keys,
        index=keys.index(default),
        format_func=labels.get,
        key=f"pace_chart_show_{scope}",
    )
    show = shows.loc[shows["show_key"] == key].iloc[0].to_dict()
    curves = show_pace_curves(show, listings, history, now=now, n=n, scope=scope)
    capacity = whole_number(show.get("venue_capacity"))
    # On a phone the picker above names the show; the title only says which channel.
    title = SCOPE_LABELS[scope] if phone else f"{labels[key]}: {SCOPE_LABELS[scope].lower()}"
    fig = pace_chart(curves, title=title, capacity=capacity)
    if phone:
        compact(fig, height=PHONE_CHART_HEIGHT)
    st.plotly_chart(fig, width="stretch", config=chart_config("pace"), key="pace_fig")


def month_range(today: date) -> tuple[date, date]:
    """Last calendar month."""
    first = today.replace(day=1)
    last_month = (first - timedelta(days=1)).replace(day=1)
    return last_month, first


MONEY = ("gross", *(f"gross_{c}" for c in Channel), "fees", "net", "average_price")
# A phone's 390 px: which show, seats and money together.
PHONE_REVENUE_COLUMNS = ("when", "title", "sold", "gross")


def _money_config() -> dict:
    return {c: st.column_config.NumberColumn(header(c), format="$%.2f") for c in MONEY}


def takings_section(
    sales: pd.DataFrame,
    timezone: str,
    *,
    now: datetime,
    today: date,
    unknown: Mapping[str, str] | None = None,
) -> None:
    """No-shows by weekday, the period's totals, revenue per show and seats per ticket
    type; ``unknown``: the channels whose sales could not be read, and why."""
    start_default, end_default = month_range(today)
    dates = st.date_input(
        "Shows between", value=(start_default, end_default - timedelta(days=1)), key="takings_dates"
    )
    if not isinstance(dates, tuple) or len(dates) != 2:
        st.info("Pick a first and a last day.")
        return
    start = pd.Timestamp(dates[0]).tz_localize(timezone)
    end = pd.Timestamp(dates[1] + timedelta(days=1)).tz_localize(timezone)
    tables = takings_tables(
        sales, now=now, start=start, end=end, timezone=timezone, unknown=unknown
    )
    st.subheader("No-shows by weekday")
    manager_table(
        tables.no_shows_by_weekday,
        key="no_show_weekday",
        config={"no_show_rate": st.column_config.NumberColumn("No-show rate", format="percent")},
    )
    st.subheader("Revenue")
    st.caption("Totals for these dates, per channel and both together.")
    manager_table(tables.totals, key="revenue_totals", config=_money_config())
    st.caption("One row per show: both channels' seats and money side by side.")
    money = tables.revenue
    manager_table(
        money,
        key="revenue_table",
        columns=[c for c in money.columns if c not in HIDDEN],
        config=_money_config(),
        phone_columns=PHONE_REVENUE_COLUMNS,
    )
    st.download_button(
        "Download revenue CSV",
        revenue_csv(money),
        file_name=f"revenue_{dates[0]}_{dates[1]}.csv",
        mime="text/csv",
        key="revenue_csv",
    )
    st.subheader("Sold per ticket type")
    types = tables.ticket_types
    manager_table(types, key="ticket_types", columns=[c for c in types if c not in HIDDEN])
