"""Comparison: up to 8 shows or listings side by side, shareable by link."""

import pandas as pd
import streamlit as st

from brcc_core.common.windows import local_now
from brcc_core.ui import comparison as ui
from brcc_core.ui import dashboard as dashboard_ui
from brcc_core.ui import selection
from brcc_core.ui.app import demo_banner, get_boxoffice, route_through_entry_script
from brcc_core.ui.boundary import page_boundary
from brcc_core.ui.catalog import catalog_age_caption, current_catalog, refresh_button
from brcc_core.ui.layout import layout_choice
from brcc_core.ui.live_age import live_age_caption
from brcc_core.views.comparison import (
    comparison_candidates,
    comparison_cards,
    comparison_frame,
    comparison_listings,
    comparison_past,
    comparison_summary,
)

route_through_entry_script()
st.title("Comparison")
boxoffice = get_boxoffice()
demo_banner(boxoffice)
phone = layout_choice() == "Phone"

with page_boundary("loading the comparison"):
    chosen = selection.current_selection()
    selection.show_notice()
    refresh_cost = refresh_button(boxoffice)
    catalog = current_catalog(boxoffice)
    refresh_cost()  # after a first build spent its Eventbrite calls
    catalog_age_caption(catalog)

    timezone = boxoffice.settings.timezone
    today = local_now(timezone).date()
    wanted = ui.filters(today)
    with st.spinner("Reading live numbers from the club's systems…"):
        live = boxoffice.listings(catalog)
    live_age_caption(live, boxoffice.settings, catalog)
    listings = comparison_listings(live, chosen, wanted.start, wanted.end, timezone)
    shows = boxoffice.shows(listings)
    dashboard_ui.shows_notes(shows)
    # The sales history (takings, past shows) only once it can be of use: shared for minutes.
    history = boxoffice.sales_history(catalog, live) if chosen or wanted.start < today else None
    past = comparison_past(history, before=local_now(timezone))
    candidates = comparison_candidates(
        shows,
        listings,
        kind=wanted.kind,
        query=wanted.query,
        weekdays=wanted.weekdays,
        start=wanted.start,
        end=wanted.end,
        past=past,
    )
    names = ui.labels(pd.concat([shows, past]).drop_duplicates("show_key"), listings)
    picked = ui.picker(candidates, chosen, names)
    if picked and history is None:
        history = boxoffice.sales_history(catalog, live)

    if not picked:
        st.info(
            "Nothing to compare yet: pick shows or listings above, or tick rows in the "
            "Dashboard's upcoming shows table.",
            icon="⚖️",
        )
    else:
        ui.share_link(picked)
        cards = comparison_cards(
            picked,
            listings,
            shows,
            sales=None if history is None else history.frame,
            sales_unknown=None if history is None else history.unknown,
            past=past,
        )
        ui.cards(cards, actions=True)
        ui.summary(comparison_summary(cards))
        ui.chart(comparison_frame(cards), timezone, phone=phone)
        ui.download(cards, today)
