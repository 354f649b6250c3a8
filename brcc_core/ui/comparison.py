"""Rendering helpers for the comparison: filters, the picker, cards side by side, the
summary, the grouped chart and the CSV download. Numbers come from
``brcc_core.views.comparison``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from brcc_core.boxoffice.api import Takings
from brcc_core.common.club import Channel, channel_name
from brcc_core.common.formats import (
    UNKNOWN,
    WEEKDAYS,
    header,
    listing_label,
    percent_label,
    seats_text,
)
from brcc_core.common.glossary import meaning
from brcc_core.common.values import known
from brcc_core.ui import selection
from brcc_core.ui.app import can_write
from brcc_core.ui.inventory import act_links
from brcc_core.ui.layout import PHONE_CHART_HEIGHT, compact
from brcc_core.ui.text import plain
from brcc_core.views import charts
from brcc_core.views.comparison import (
    ComparisonCard,
    ComparisonSummary,
    ListingLine,
    comparison_csv,
    show_label,
)
from brcc_core.views.selection import MAX_SELECTION, encode_selection

PICKER_KEY = "compare_pick"
DEFAULT_RANGE_DAYS = 28


@dataclass(frozen=True)
class Filters:
    kind: str  # show | listing
    query: str
    weekdays: tuple[str, ...]
    start: date
    end: date


def filters(today: date) -> Filters:
    """Search by name, weekday and date range; pick whole shows or single listings."""
    top = st.columns([1, 2], vertical_alignment="bottom")
    kind = top[0].segmented_control(
        "Pick from",
        ["Shows", "Listings"],
        default="Shows",
        key="compare_kind",
        help="A show is one performance in the room; a listing is how one channel sells it.",
    )
    query = top[1].text_input(
        "Search by name", key="compare_search", placeholder="e.g. Friday, Overalls, open mic"
    )
    bottom = st.columns([2, 1], vertical_alignment="bottom")
    weekdays = bottom[0].pills(
        "Weekdays", list(WEEKDAYS), selection_mode="multi", key="compare_weekdays"
    )
    dates = bottom[1].date_input(
        "Dates",
        value=(today, today + timedelta(days=DEFAULT_RANGE_DAYS)),
        key="compare_dates",
    )
    start, end = _date_range(dates, today)
    return Filters(
        kind="listing" if kind == "Listings" else "show",
        query=query or "",
        weekdays=tuple(weekdays or ()),
        start=start,
        end=end,
    )


def _date_range(value, today: date) -> tuple[date, date]:
    # While a range is being picked the widget returns one date (or none).
    if isinstance(value, date):
        return value, value
    parts = [v for v in (value or ()) if v is not None]
    if not parts:
        return today, today + timedelta(days=DEFAULT_RANGE_DAYS)
    return parts[0], parts[-1]


def labels(shows: pd.DataFrame, listings: pd.DataFrame) -> dict[str, str]:
    """key -> the label a manager reads in the picker (unique, so none hides another)."""
    out: dict[str, str] = {}
    for row in shows.to_dict("records"):
        out[row["show_key"]] = show_label(row)
    for row in listings.to_dict("records"):
        if known(row["starts_at"]):
            out[row["listing_key"]] = listing_label(row)
    seen: dict[str, int] = {}
    for label in out.values():
        seen[label] = seen.get(label, 0) + 1
    return {k: (f"{v} [{k}]" if seen[v] > 1 else v) for k, v in out.items()}


def picker(candidates: pd.DataFrame, chosen: Sequence[str], names: Mapping[str, str]) -> list:
    """The multiselect of up to 8 shows or listings; the chosen stay pickable whatever the
    filters, so narrowing the search never drops part of the selection."""
    options = list(candidates["key"]) + [k for k in chosen if k not in set(candidates["key"])]
    selection.seed_picker(PICKER_KEY, chosen)
    picked = st.multiselect(
        f"Shows and listings to compare (up to {MAX_SELECTION})",
        options,
        key=PICKER_KEY,
        format_func=lambda k: names.get(k, f"{k} (not in the catalog)"),
        max_selections=MAX_SELECTION,
        placeholder=f"{len(candidates)} match the filters: choose…",
    )
    return selection.apply_picker(PICKER_KEY, picked)


def share_link(keys: Sequence[str]) -> None:
    """The link to this comparison, ready to paste into a chat."""
    query = "&".join(f"{k}={v}" for k, v in encode_selection(keys).items())
    # st.context.url is the page's address without its query (None outside a browser).
    base = (st.context.url or "").split("?")[0].rstrip("/")
    if not base.endswith("/comparison"):
        base = f"{base}/comparison"
    link = f"{base}?{query}"
    st.caption("Link to this comparison (the address bar holds it too):")
    st.code(link, language=None)


def cards(items: Sequence[ComparisonCard], *, actions: bool = False) -> None:
    """Cards side by side (four to a row; stacked on a phone). ``actions``: each show's
    card links to its capacity change and Sync dry run (managers, Comparison page)."""
    per_row = 4
    for start in range(0, len(items), per_row):
        row = items[start : start + per_row]
        columns = st.columns(per_row)
        for column, card in zip(columns, row, strict=False):
            with column, st.container(border=True, key=f"card_{start}_{card.key}"):
                _card(card)
                if actions and card.kind == "show" and can_write():
                    act_links(card.key)


def _card(card: ComparisonCard) -> None:
    st.markdown(f"**{card.when}**  \n{plain(card.title)}")
    if card.oversold:
        st.badge("oversold", icon="⛔", color="red")
    elif card.nearly_full:
        st.badge("nearly full", icon="⚠️", color="orange")
    if card.kind == "missing":
        for error in card.errors:
            st.warning(plain(error), icon="❓")
        return
    st.metric("Sell-through", percent_label(card.sell_through), help=meaning("Sell-through"))
    unlimited = card.kind == "listing" and bool(card.lines) and card.lines[0].unlimited
    remaining_text = seats_text(card.remaining, unlimited)
    st.markdown(
        f"{card.capacity_label.capitalize()}: **{seats_text(card.capacity)}**  \n"
        f"{header('sold_woocommerce')}: **{seats_text(card.sold_woocommerce)}**  \n"
        f"{header('sold_eventbrite')}: **{seats_text(card.sold_eventbrite)}**  \n"
        # Both channels' pending, as the Dashboard and the summary count it: the remaining
        # below is the capacity less these three numbers.
        f"Pending: **{seats_text(card.pending)}** "
        f"({Channel.WOOCOMMERCE.label} {seats_text(card.pending_woocommerce)} · "
        f"{Channel.EVENTBRITE.label} {seats_text(card.pending_eventbrite)})  \n"
        f"Remaining: **{remaining_text}**"
    )
    if card.kind == "past":
        st.caption("Played; no longer in the catalog: sold and takings from the sales history.")
    if card.takings is not None:
        st.markdown(takings_text(card.takings))
    for line in card.lines:
        st.caption(plain(_line_text(line)))
        if line.error:
            st.caption(f":red[{plain(line.error)}]")
    # What no listing line says: a channel that could not be read, a default capacity.
    for error in card.errors:
        if not any(line.error == error for line in card.lines):
            st.caption(f":red[{plain(error)}]")


def _money(value: float | None) -> str:
    return UNKNOWN if value is None else f"${value:,.2f}"


def takings_text(takings: Takings) -> str:
    """Net per channel (Eventbrite after its fees), the average seat price, ticket types."""
    parts = [f"{channel_name(c)} **{_money(v)}**" for c, v in takings.net.items()]
    text = f"Takings · {' · '.join(parts) or 'none'} (net of Eventbrite fees)  \n"
    text += f"Average seat price: **{_money(takings.average_price)}**"
    if takings.ticket_types:
        kinds = ", ".join(f"{plain(t)} {n:,}" for t, n in takings.ticket_types.items())
        text += f"  \nSold per ticket type: {kinds}"
    return text


def _line_text(line: ListingLine) -> str:
    left = seats_text(line.available, line.unlimited)
    text = f"{line.label}: sold {seats_text(line.sold)}, remaining {left}"
    if line.drift is not None:
        sign = "+" if line.drift > 0 else ""
        text += f", drift {sign}{line.drift} vs room"
    return text


def summary(result: ComparisonSummary) -> None:
    st.subheader("Summary")
    cols = st.columns(5)
    cols[0].metric("Capacity", seats_text(result.capacity), border=True, help=meaning("Capacity"))
    cols[1].metric("Sold", seats_text(result.sold), border=True, help=meaning("Sold"))
    cols[2].metric("Pending", seats_text(result.pending), border=True, help=meaning("Pending"))
    cols[3].metric(
        "Remaining", seats_text(result.remaining), border=True, help=meaning("Remaining")
    )
    cols[4].metric("Average sell-through", percent_label(result.average_sell_through), border=True)
    if result.best and result.worst and result.known > 1:
        st.markdown(
            f"Best: **{plain(result.best[0])}** ({percent_label(result.best[1])}) · "
            f"Worst: **{plain(result.worst[0])}** ({percent_label(result.worst[1])})"
        )
    for note in result.notes:
        st.caption(plain(note))


def chart(frame: pd.DataFrame, timezone: str, *, phone: bool = False) -> None:
    fig = charts.comparison_chart(frame, timezone)
    if phone:
        compact(fig, height=PHONE_CHART_HEIGHT)
    st.plotly_chart(
        fig,
        key="comparison_chart",
        theme=None,
        config=charts.chart_config("brcc-comparison"),
    )


def download(items: Sequence[ComparisonCard], today: date) -> None:
    st.download_button(
        "Download CSV",
        data=comparison_csv(items),
        file_name=f"brcc-comparison-{today.isoformat()}.csv",
        mime="text/csv",
        key="comparison_csv",
        icon="⬇️",
        on_click="ignore",
    )
