"""The dashboard and the comparison on the seeded sandbox, driven by AppTest from
streamlit_app.py: what a manager sees, checked against a separate BoxOffice on the same
database, with integrations failing underneath."""

from __future__ import annotations

import re
import socket
from pathlib import Path
from urllib.parse import parse_qs

import pandas as pd
import pytest
from sqlalchemy import create_engine
from streamlit.testing.v1 import AppTest

from brcc_core.boxoffice import BoxOffice
from brcc_core.boxoffice.api import SyncPolicy
from brcc_core.capacity.preview import Change
from brcc_core.channels import http
from brcc_core.channels.wordpress import WordPressReader
from brcc_core.common import formats
from brcc_core.common.windows import listings_between, local_now
from brcc_core.people.access import Actor
from brcc_core.settings import load_settings
from brcc_core.ui.app import _boxoffice
from brcc_core.ui.layout import LAYOUT_KEY, default_layout
from brcc_core.views.dashboard import UPCOMING_DAYS
from tests.app_env import clear_settings

ROOT = Path(__file__).parents[1]
APP = str(ROOT / "streamlit_app.py")
DASHBOARD, COMPARISON, INVENTORY = "pages/dashboard.py", "pages/comparison.py", "pages/inventory.py"


def _demo_env(mp: pytest.MonkeyPatch, data_dir: Path) -> None:
    clear_settings(mp)
    mp.setenv("BRCC_DATA_DIR", str(data_dir))
    mp.chdir(data_dir)  # no stray .env from the developer's checkout
    mp.setattr(http, "_sleep", lambda seconds: None)  # retries of a failing API, no waiting


@pytest.fixture(scope="module")
def club(tmp_path_factory):
    """One seeded club for the module (seeding takes seconds); tests that break things
    put them back."""
    data_dir = tmp_path_factory.mktemp("club")
    with pytest.MonkeyPatch.context() as mp:
        _demo_env(mp, data_dir)
        run()  # seeds the sandbox and builds the first catalog
        yield data_dir


def app_boxoffice() -> BoxOffice:
    """The process-wide BoxOffice the app's pages use (AppTest runs in this process)."""
    settings = load_settings()
    return _boxoffice(settings.fingerprint(), settings)


def separate_boxoffice() -> BoxOffice:
    """Another BoxOffice on the same sandbox database and saved catalog: the reference."""
    return BoxOffice.from_settings(load_settings())


def run(page: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    return [str(e.value) for e in getattr(at, kind)]


def markdown(at: AppTest) -> str:
    return "\n".join(texts(at, "markdown") + texts(at, "caption"))


def unreachable_database() -> WordPressReader:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    engine = create_engine(
        f"mysql+pymysql://nobody@127.0.0.1:{port}/wordpress", connect_args={"connect_timeout": 2}
    )
    return WordPressReader(engine, "wp_")


def reference_listings() -> pd.DataFrame:
    other = separate_boxoffice()
    return other.listings(other.catalog())


def show_listings(listings: pd.DataFrame, show_key: str) -> pd.DataFrame:
    minute = listings["starts_at"].dt.strftime("show:%Y-%m-%dT%H:%M")
    return listings[minute == show_key]


# --- every page ------------------------------------------------------------------------
@pytest.mark.parametrize("page", [None, COMPARISON, INVENTORY])
def test_each_page_renders_without_exception(club, page):
    at = run(page)
    assert not at.exception
    assert any("Demo data from the built-in sandbox" in i for i in texts(at, "info"))
    if page != INVENTORY:  # the inventory page is another issue's
        assert texts(at, "error") == []
        assert any(c.startswith("Catalog from") for c in texts(at, "caption"))


def test_dashboard_shows_health_key_figures_table_and_chart(club):
    at = run()
    badges = markdown(at)
    for name in ("WooCommerce API", "Eventbrite API", "WordPress DB", "Catalog cache", "Disk"):
        assert name in badges
    assert "calls left this hour" in badges  # Eventbrite's budget, measured
    assert [m.label for m in at.metric] == [
        "Shows",
        "Seats sold",
        "Sell-through",
        "Pending",
        "Oversold shows",
        "Over-exposed shows",
    ]
    # The upcoming shows, and their details (sold per channel, pending) in an expander.
    assert len(at.dataframe) == 2 and len(at.dataframe[0].value) > 0
    labels = [e.label for e in at.get("expander")]
    assert any(label.startswith("Details") for label in labels), labels
    assert at.get("plotly_chart")
    # The guard's state comes last: status below the shows, never above them.
    assert labels[-1].startswith("Unattended guard"), labels


# --- the catalog -----------------------------------------------------------------------
def test_refresh_button_changes_the_catalog_and_nothing_else_does(club):
    at = run()
    before = at.session_state["catalog"].fetched_at
    at.slider(key="upcoming_days").set_value(30).run()
    at.switch_page(COMPARISON).run()
    at.switch_page(DASHBOARD).run()
    another_manager = run()
    assert at.session_state["catalog"].fetched_at == before
    assert another_manager.session_state["catalog"].fetched_at == before
    assert app_boxoffice().catalog().fetched_at == before

    at.button(key="refresh_data").click().run()
    after = at.session_state["catalog"].fetched_at
    assert after > before
    assert app_boxoffice().catalog().fetched_at == after  # saved for every session
    assert separate_boxoffice().catalog().fetched_at == after  # and in the signed pickle
    status = [e.label for e in at.get("status")]
    assert any(label.startswith("Catalog refreshed in") for label in status)
    assert not at.exception


# --- numbers ---------------------------------------------------------------------------
def test_numbers_on_the_dashboard_equal_boxoffice_listings(club):
    at = run()
    table = at.dataframe[0].value
    listings = reference_listings()
    assert len(table) > 5
    for row in table.to_dict("records"):
        members = show_listings(listings, row["show_key"])
        woo = members[members["channel"] == "woocommerce"]
        eb = members[members["channel"] == "eventbrite"]
        sold, pending = int(members["sold"].sum()), int(members["pending"].sum())
        assert row["sold_woocommerce"] == int(woo["sold"].sum()), row["show_key"]
        assert row["sold_eventbrite"] == int(eb["sold"].sum()), row["show_key"]
        assert row["pending"] == pending
        assert row["venue_capacity"] == 55
        assert row["remaining"] == 55 - sold - pending

    week = table.iloc[: int(at.metric[0].value)]
    assert int(at.metric[1].value) == int(week["sold_woocommerce"].sum()) + int(
        week["sold_eventbrite"].sum()
    )
    assert int(at.metric[3].value) == int(week["pending"].sum())


def test_numbers_in_comparison_cards_equal_boxoffice_listings(club):
    listings = reference_listings()
    now = local_now("America/Toronto")
    upcoming = listings[listings["starts_at"] > now]
    both = upcoming.groupby(upcoming["starts_at"])["channel"].nunique()
    when = both[both == 2].index[0]
    key = f"show:{when:%Y-%m-%dT%H:%M}"
    at = run(COMPARISON, shows=key)
    members = show_listings(listings, key)
    woo = int(members.loc[members["channel"] == "woocommerce", "sold"].sum())
    eb = int(members.loc[members["channel"] == "eventbrite", "sold"].sum())
    text = markdown(at)
    assert f"Sold · Website: **{woo}**" in text
    assert f"Sold · Eventbrite: **{eb}**" in text
    assert f"Remaining: **{55 - woo - eb - int(members['pending'].sum())}**" in text


# --- selection -------------------------------------------------------------------------
def test_ticking_shows_on_the_dashboard_puts_them_in_the_comparison(club):
    at = run()
    table = at.dataframe[0].value
    at.session_state["upcoming_shows"] = {"selection": {"rows": [0, 2], "columns": [], "cells": []}}
    at.run()
    picked = [table["show_key"][0], table["show_key"][2]]
    assert not at.exception

    at.switch_page(COMPARISON).run()
    assert at.multiselect(key="compare_pick").value == picked
    assert at.query_params["shows"] in (",".join(picked), [",".join(picked)])
    # As a manager reads it: markdown's escapes (a title's "|" is written "\\|") undone.
    text = re.sub(r"\\(.)", r"\1", markdown(at))
    assert table["show"][0] in text and table["show"][2] in text
    assert len([m for m in at.metric if m.label == "Sell-through"]) == 2

    # back on the dashboard the same rows are still ticked
    at.switch_page(DASHBOARD).run()
    assert list(at.session_state["upcoming_shows"]["selection"]["rows"]) == [0, 2]


def test_a_pasted_link_restores_the_comparison(club):
    listings = reference_listings()
    now = local_now("America/Toronto")
    upcoming = listings[listings["starts_at"] > now]
    shows = sorted({f"show:{t:%Y-%m-%dT%H:%M}" for t in upcoming["starts_at"]})[:2]
    eb_key = upcoming.loc[upcoming["channel"] == "eventbrite", "listing_key"].iloc[0]
    at = run(COMPARISON, shows=",".join(shows), listings=eb_key)
    assert not at.exception
    assert at.multiselect(key="compare_pick").value == [*shows, eb_key]
    assert len([m for m in at.metric if m.label == "Sell-through"]) == 3
    summary = {m.label: m.value for m in at.metric}
    assert {"Capacity", "Sold", "Pending", "Remaining", "Average sell-through"} <= set(summary)
    assert at.get("download_button")
    assert any(f"shows={','.join(shows)}" in c for c in texts(at, "code"))


def test_a_link_with_unreadable_keys_keeps_the_rest_and_says_so(club):
    at = run(COMPARISON, shows="show:2026-13-99,not-a-key", listings="eb:1:2")
    assert not at.exception
    assert at.multiselect(key="compare_pick").value == ["eb:1:2"]
    assert any("ignored 2 unreadable key(s)" in w for w in texts(at, "warning"))
    assert "not in the current catalog" in " ".join(texts(at, "warning"))


def test_removing_a_show_in_the_comparison_updates_the_link(club):
    listings = reference_listings()
    now = local_now("America/Toronto")
    shows = sorted({f"show:{t:%Y-%m-%dT%H:%M}" for t in listings["starts_at"] if t > now})[:3]
    at = run(COMPARISON, shows=",".join(shows))
    at.multiselect(key="compare_pick").unselect(shows[1]).run()
    assert at.session_state["comparison_selection"] == [shows[0], shows[2]]
    assert at.query_params["shows"] in (f"{shows[0]},{shows[2]}", [f"{shows[0]},{shows[2]}"])


# --- failures --------------------------------------------------------------------------
def test_an_integration_that_is_down_shows_its_reason_and_the_page_still_renders(club):
    faults = app_boxoffice().sandbox.faults
    faults.inject("woocommerce", "5xx", times=1000)
    app_boxoffice().forget_health()  # health shared for a few seconds: measure it now
    try:
        at = run()
        comparison = run(COMPARISON, shows=at.dataframe[0].value["show_key"][0])
    finally:
        faults.clear()
    assert not at.exception and not comparison.exception
    (down,) = [e for e in texts(at, "error") if "WooCommerce API" in e]
    assert "is down" in down and "503" in down
    assert len(at.dataframe[0].value) > 0  # live numbers come from the database
    assert len(at.metric) == 6
    # a show whose exposure could not be read is counted as unknown, never as fine
    table = at.dataframe[0].value
    flagged = int(table["flag_detail"].str.contains("over-exposed").sum())
    unknown = int(table["exposure"].isna().sum())
    assert at.metric[5].value == f"{flagged}" + (f" (+{unknown} unknown)" if unknown else "")


def test_database_unreachable_shows_sold_unknown_instead_of_zero(club, monkeypatch):
    box = app_boxoffice()
    table_before = run().dataframe[0].value
    monkeypatch.setattr(box, "wordpress", unreachable_database())
    box.live.shared_live.clear()  # the shared read has run out (BRCC_LIVE_SHARE_SECONDS)
    box.forget_health()  # and so has the health measured with it
    try:
        _sold_unknown_on_every_page(table_before)
    finally:
        # The failed read stays shared for a few seconds: the module's next test must
        # read the database that is back.
        monkeypatch.undo()
        box.live.shared_live.clear()
        box.forget_health()


def _sold_unknown_on_every_page(table_before: pd.DataFrame) -> None:
    at = run()
    assert not at.exception
    assert any("WordPress DB" in e and "unreachable" in e for e in texts(at, "error"))
    table = at.dataframe[0].value
    assert len(table) == len(table_before)
    on_the_site = table_before["sold_woocommerce"] > 0
    assert table.loc[on_the_site, "sold_woocommerce"].isna().all()
    # (a show with unlimited stock on the site is also flagged over-exposed beside it)
    assert table.loc[on_the_site, "flag"].str.startswith("❓ sold unknown").all()
    assert any("sold as unknown" in w for w in texts(at, "warning"))

    comparison = run(COMPARISON, shows=table.loc[on_the_site, "show_key"].iloc[0])
    assert not comparison.exception
    assert "sold unknown: " in markdown(comparison)
    assert any(m.label == "Sell-through" and m.value == "unknown" for m in comparison.metric)


def test_everything_down_and_no_catalog_yet(tmp_path, monkeypatch):
    _demo_env(monkeypatch, tmp_path)
    box = app_boxoffice()  # a new club in its own data dir, no catalog saved yet
    box.sandbox.faults.inject("*", "5xx", times=100_000)
    monkeypatch.setattr(box, "wordpress", unreachable_database())
    try:
        at = run()
        comparison = run(COMPARISON)
    finally:
        box.sandbox.faults.clear()
    assert not at.exception and not comparison.exception
    assert any("None of the club's systems is answering" in e for e in texts(at, "error"))
    assert any("No catalog yet" in w for w in texts(at, "warning"))
    assert any("No shows in the next 14 days" in i for i in texts(at, "info"))
    assert any("Nothing to compare yet" in i for i in texts(comparison, "info"))


def test_sandbox_database_unreachable_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    _demo_env(monkeypatch, tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("BRCC_SANDBOX_DB_URL", f"mysql+pymysql://nobody@127.0.0.1:{port}/sandbox")
    at = run()
    assert not at.exception
    assert any("Cannot open the sandbox database" in e for e in texts(at, "error"))


# --- exposure ----------------------------------------------------------------------------
def test_a_listing_set_far_above_the_room_is_flagged_on_the_dashboard_at_once(club):
    boxoffice = app_boxoffice()
    listings = boxoffice.listings()
    now = local_now(boxoffice.settings.timezone)
    soon = listings_between(listings, now, now + pd.Timedelta(days=UPCOMING_DAYS))
    row = soon[
        (soon.channel == "woocommerce")
        & (soon.kind == "bookings")
        & (soon.status == "on_sale")
        & soon.error.isna()
    ].iloc[0]
    show_key = row.starts_at.strftime("show:%Y-%m-%dT%H:%M")
    capacity = boxoffice.settings.max_capacity  # the most the app writes: far above 55
    before = run()
    flagged_before = int(before.metric[5].value)
    exposure_before = before.dataframe[0].value.set_index("show_key").loc[show_key, "exposure"]

    change = Change(row.listing_key, seen_remaining=int(row.available), value=capacity)
    result = boxoffice.apply_change(change, listings, who=Actor.demo("manager"))
    assert result.status == "ok", result.message
    try:
        at = run()  # no refresh pressed: the live read shows it at once
        table = at.dataframe[0].value.set_index("show_key")
        show = table.loc[show_key]
        on_sale_site = capacity - int(row.sold) - int(row.pending)
        on_sale_eb = 0 if pd.isna(show["on_sale_eventbrite"]) else int(show["on_sale_eventbrite"])
        room_left = max(0, int(show["remaining"]))
        assert show["on_sale_woocommerce"] == f"{on_sale_site:,}"
        exposure = on_sale_site + on_sale_eb - room_left
        assert show["exposure"] == f"{exposure:,}" != exposure_before
        detail = f"over-exposed: {exposure:,} more seats on sale than the room has"
        assert detail in show["flag_detail"] and f"{exposure:,} at risk" in show["flag"]
        assert int(at.metric[5].value) >= max(1, flagged_before)

        # Act from where you look: the flagged show is offered first, with its Sync dry
        # run one click away, and the link opens Inventory with that show chosen.
        assert at.selectbox(key="act_on_show").value in set(table[table.flag != ""].index)
        at.selectbox(key="act_on_show").set_value(show_key).run()
        links = {link.value: parse_qs(link.proto.query_string) for link in at.get("page_link")}
        assert links["Sync dry run"] == {"show": [show_key], "act": ["sync"]}
        assert links["Change its capacity"] == {"show": [show_key], "act": ["change"]}
        inventory = run(INVENTORY, show=show_key, act="sync")
        assert not inventory.exception, inventory.exception
        assert inventory.multiselect(key="inv_sync_shows").value == [show_key]
        assert inventory.selectbox(key="inv_show").value == show_key
        when = formats.when_label(row.starts_at)
        assert any(
            f"({when})" in m and "oversell exposure" in m for m in texts(inventory, "markdown")
        )
    finally:
        fresh = boxoffice.listings().set_index("listing_key").loc[row.listing_key]
        back = Change(row.listing_key, seen_remaining=int(fresh.available), value=int(row.capacity))
        assert boxoffice.apply_change(back, who=Actor.demo("manager")).status == "ok"


SHOW_KEY = re.compile(r"show:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def test_the_guard_panel_names_its_shows_never_by_their_keys(club):
    """A guarded show in the window by its date, club time and title; one beyond it by the
    day and time its key holds: never "(show:2026-…)" (issue 26)."""
    box = app_boxoffice()
    tz = box.settings.timezone
    now = local_now(tz)
    listings = box.listings()
    shows = box.shows(listings_between(listings, now, now + pd.Timedelta(days=UPCOMING_DAYS)))
    show = shows[shows["starts_at"] > now].sort_values("starts_at").iloc[0]
    later = "show:2027-06-01T20:00"  # past the window: no show of it on the dashboard
    manager = Actor.demo("manager")
    box.save_guard_policy(show["show_key"], SyncPolicy("buffer", buffer=2), who=manager)
    box.save_guard_policy(later, SyncPolicy("mirror"), who=manager)
    try:
        at = run()
        assert not at.exception, at.exception
        (panel,) = [e for e in at.expander if e.label.startswith("Unattended guard")]
        shown = [panel.label, *(str(e.value) for e in [*panel.caption, *panel.markdown])]
        picked = [str(o) for s in panel.selectbox for o in s.options]
        text = "\n".join([*shown, *picked])
    finally:
        box.forget_guard_policy(show["show_key"], who=manager)
        box.forget_guard_policy(later, who=manager)
    assert "Guarded shows" in text, text
    assert not SHOW_KEY.search(text), text
    name = f"{formats.when_label(show['starts_at'], tz)} · {formats.isolate(show['title'])}"
    assert f"{name}: buffer: 2 seat(s) held back" in text, text
    assert "the show on Tue 1 Jun 20:00" in text, text
    # The policy form's picker names shows the same way, in club time, not the server's.
    assert name in picked, picked


def inventory_links(at: AppTest) -> list[dict]:
    return [
        parse_qs(link.proto.query_string)
        for link in at.get("page_link")
        if "inventory" in link.proto.page
    ]


def test_a_viewer_gets_no_way_to_act_from_the_dashboard_or_a_comparison(club):
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_identity"] = "viewer"
    at.run()
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) > 0
    assert "act_on_show" not in [s.key for s in at.selectbox]
    assert inventory_links(at) == []
    show_key = at.dataframe[0].value["show_key"][0]
    at.query_params["shows"] = show_key
    at.switch_page(COMPARISON)
    at.run()
    assert not at.exception, at.exception
    assert inventory_links(at) == []


def test_a_compared_show_links_to_its_capacity_change_and_sync(club):
    show_key = run().dataframe[0].value["show_key"][0]
    at = run(COMPARISON, shows=show_key)
    assert not at.exception, at.exception
    assert {"show": [show_key], "act": ["sync"]} in inventory_links(at)
    assert {"show": [show_key], "act": ["change"]} in inventory_links(at)


def test_projector_mode_enlarges_the_chart_and_the_figures(club):
    import json

    def chart_layout(at: AppTest) -> dict:
        return json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]

    at = run()
    desk = chart_layout(at)
    at.sidebar.radio(key=LAYOUT_KEY).set_value("Projector").run()
    assert not at.exception, at.exception
    room = chart_layout(at)
    assert room["height"] > desk["height"] and room["font"]["size"] > desk["font"]["size"]
    assert any("stMetricValue" in str(h.proto.body) for h in at.get("html"))


IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126"


@pytest.mark.parametrize(
    ("headers", "layout"),
    [({"User-Agent": IPHONE}, "Phone"), ({"User-Agent": DESKTOP}, "Desk"), ({}, "Desk")],
)
def test_a_mobile_browser_starts_on_the_phone_layout(headers, layout):
    assert default_layout(headers) == layout


def test_the_phone_layout_shows_a_column_subset_and_a_compact_chart(club):
    import json

    at = run(layout="phone")
    assert not at.exception, at.exception
    assert at.sidebar.radio(key=LAYOUT_KEY).value == "Phone"
    table = at.dataframe[0]
    assert list(table.proto.column_order) == ["show", "date", "remaining", "exposure"]
    phone = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert len(phone["layout"]["title"]["text"]) <= 20, phone["layout"]["title"]["text"]
    for trace in phone["data"]:
        if trace.get("name") == "Oversold":
            assert trace["mode"] == "markers"  # the "+3" would touch its neighbour's

    # Back to the desk: every column again, and the address forgets the layout.
    at.sidebar.radio(key=LAYOUT_KEY).set_value("Desk").run()
    assert "layout" not in at.query_params
    table = at.dataframe[0]
    assert "on_sale_woocommerce" in list(table.proto.column_order)


def test_the_phone_layout_follows_to_the_comparison_and_the_sales_page(club):
    import json

    from brcc_core.ui.layout import PHONE_CHART_HEIGHT
    from brcc_core.ui.sales import PHONE_PACE_COLUMNS

    show_key = run().dataframe[0].value["show_key"][0]
    at = run(COMPARISON, shows=show_key, layout="phone")
    assert not at.exception, at.exception
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert chart["height"] == PHONE_CHART_HEIGHT

    # The session remembers the choice on a page opened without it in the address.
    at.switch_page("pages/sales.py")
    at.run()
    assert not at.exception, at.exception
    assert at.sidebar.radio(key=LAYOUT_KEY).value == "Phone"
    pace = at.dataframe[0].value
    assert list(pace.columns) == list(PHONE_PACE_COLUMNS), list(pace.columns)


def test_on_a_phone_neighbouring_oversold_marks_keep_apart():
    """Twenty oversold shows in a row (one bar each) on a 390 px screen: each mark is
    shorter than its row, and each show is still named beside its bar."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from brcc_core.live.shows import suggest_shows
    from brcc_core.ui.layout import PHONE_CHART_HEIGHT, compact
    from brcc_core.views import charts
    from tests.test_views import frame, wc

    start = datetime(2026, 11, 30, 20, 0, tzinfo=ZoneInfo("America/Toronto"))
    shows = 20
    rows = frame(
        [
            wc(day, f"show {day}", start + timedelta(days=day), sold=60, available=0)
            for day in range(shows)
        ]
    )
    fig = charts.capacity_chart(suggest_shows(rows), "America/Toronto")
    (desk,) = [t for t in fig.data if t.name == "Oversold"]
    assert len(desk.y) == shows

    row_px = 22
    height = max(PHONE_CHART_HEIGHT, charts.chart_rows_height(fig, row_px))
    compact(fig, height=height)
    (phone,) = [t for t in fig.data if t.name == "Oversold"]
    margin = fig.layout.margin
    plot_height = height - margin.t - margin.b
    assert phone.marker.size + phone.marker.line.width < plot_height / shows
    assert phone.mode == "markers"
    (named,) = [t for t in fig.data if t.name == charts.NAMED]
    assert len(named.text) == shows  # every one named in visible text, not only on hover
