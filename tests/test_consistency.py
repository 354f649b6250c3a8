"""Every page shows the same numbers (issue 24): on the seeded demo sandbox, shows picked by
what they are (an Eventbrite capacity shared by ticket types, Eventbrite carts, site orders
pending on a booking date, an oversold show, unlimited site stock) have the same venue
capacity, sold, pending, remaining and exposure on the Dashboard (row and key figures), the
Comparison (card, summary, CSV), Tonight, the Sync dry run and a meeting link's view; and
the README's Glossary is the text of the help on the pages."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from brcc_core.boxoffice import BoxOffice
from brcc_core.capacity.sync import SyncPolicy
from brcc_core.channels import http
from brcc_core.common.formats import header, percent_label, whole_percent
from brcc_core.common.glossary import GLOSSARY, meaning
from brcc_core.common.values import known, whole_number
from brcc_core.common.windows import local_now
from brcc_core.people.access import Actor
from brcc_core.sales.door import tonight_shows
from brcc_core.settings import load_settings
from brcc_core.ui import dashboard as dashboard_ui
from brcc_core.ui.app import _boxoffice
from brcc_core.ui.inventory_sync import exposure_text
from brcc_core.views.comparison import (
    comparison_cards,
    comparison_csv,
    comparison_listings,
    comparison_summary,
)
from brcc_core.views.dashboard import UPCOMING_DAYS, DashboardView
from brcc_core.views.selection import encode_selection
from tests.app_env import clear_settings

ROOT = Path(__file__).parents[1]
APP = str(ROOT / "streamlit_app.py")
COMPARISON_DAYS = 28  # the Comparison page's default date range


def run(page: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="module")
def club(tmp_path_factory):
    """One seeded club; its first page view (which seeds and builds the catalog) is kept."""
    data_dir = tmp_path_factory.mktemp("club")
    with pytest.MonkeyPatch.context() as mp:
        clear_settings(mp)
        mp.setenv("BRCC_DATA_DIR", str(data_dir))
        mp.chdir(data_dir)
        mp.setattr(http, "_sleep", lambda seconds: None)
        yield run()


def boxoffice() -> BoxOffice:
    """The process-wide BoxOffice the pages use (AppTest runs in this process)."""
    settings = load_settings()
    return _boxoffice(settings.fingerprint(), settings)


def dashboard_view(box: BoxOffice) -> DashboardView:
    now = local_now(box.settings.timezone)
    return box.dashboard_view(box.catalog(), now, UPCOMING_DAYS)


def picks(view: DashboardView) -> dict[str, str]:
    """What each show is -> its key, chosen by what it is, never by its date."""
    listings, shows = view.listings, view.upcoming
    member = {k: s["show_key"] for s in shows.to_dict("records") for k in s["listing_keys"]}
    listings = listings[listings["listing_key"].isin(member)].assign(
        show_key=lambda f: f["listing_key"].map(member)
    )
    eb = listings[listings["channel"] == "eventbrite"]
    wc = listings[(listings["channel"] == "woocommerce") & (listings["kind"] == "bookings")]
    tonight = set(tonight_shows(shows, view.now)["show_key"])
    shared = eb.groupby(["show_key", "event_id"]).size()
    found = {
        "Eventbrite capacity shared by its ticket types": shared[shared > 1].index,
        "Eventbrite carts, tonight": eb[(eb["pending"] > 0) & eb["show_key"].isin(tonight)][
            "show_key"
        ],
        "site orders pending on a booking date": wc[wc["pending"] > 0]["show_key"],
        "oversold": shows[shows["oversold"]]["show_key"],
        "unlimited stock on the site": shows[shows["on_sale_unlimited"]]["show_key"],
    }
    out = {}
    for what, keys in found.items():
        keys = [k[0] if isinstance(k, tuple) else k for k in keys]
        assert keys, f"the seed has no show with {what}"
        out[what] = sorted(keys)[0]
    return out


def numbers(show: pd.Series | dict) -> dict:
    """A show's numbers from the shows frame, as the other views must repeat them."""
    return {
        "capacity": int(show["venue_capacity"]),
        "sold_woocommerce": whole_number(show["sold_woocommerce"]),
        "sold_eventbrite": whole_number(show["sold_eventbrite"]),
        "sold": whole_number(show["sold"]),
        "pending": whole_number(show["pending"]),
        "remaining": whole_number(show["remaining"]),
    }


# --- the view-models ------------------------------------------------------------------
def test_each_number_is_the_same_in_every_view(club):
    box = boxoffice()
    view = dashboard_view(box)
    chosen = picks(view)
    upcoming = view.upcoming.set_index("show_key", drop=False)
    table = view.table.set_index("show_key")
    listings = view.listings
    today = view.now.date()
    live = comparison_listings(
        listings,
        list(chosen.values()),
        today,
        today + pd.Timedelta(days=COMPARISON_DAYS),
        box.settings.timezone,
    )
    compared_shows = box.shows(live)
    plans = {p.show_key: p for p in box.plan_sync(list(chosen.values()), SyncPolicy(), listings)}
    door = box.tonight()
    for what, key in chosen.items():
        show = upcoming.loc[key]
        expected = numbers(show)
        members = listings[listings["listing_key"].isin(show["listing_keys"])]
        # One definition: pending is both channels' unfinished orders and carts, and
        # remaining is the venue capacity less sold and pending.
        assert expected["pending"] == int(members["pending"].sum()), what
        assert expected["remaining"] == (
            expected["capacity"] - expected["sold"] - expected["pending"]
        ), what
        row = table.loc[key]
        assert {
            "capacity": row["venue_capacity"],
            "sold_woocommerce": row["sold_woocommerce"],
            "sold_eventbrite": row["sold_eventbrite"],
            "sold": row["sold_woocommerce"] + row["sold_eventbrite"],
            "pending": row["pending"],
            "remaining": row["remaining"],
        } == expected, what
        assert row["sell_through"] == whole_percent(show["sell_through"]), what

        (card,) = comparison_cards([key], live, compared_shows)
        assert {
            "capacity": card.capacity,
            "sold_woocommerce": card.sold_woocommerce,
            "sold_eventbrite": card.sold_eventbrite,
            "sold": card.sold,
            "pending": card.pending,
            "remaining": card.remaining,
        } == expected, what
        assert card.pending_woocommerce + card.pending_eventbrite == expected["pending"], what
        (line,) = csv.DictReader(io.StringIO(comparison_csv([card]).decode("utf-8-sig")))
        for column in ("capacity", "sold_woocommerce", "sold_eventbrite", "pending", "remaining"):
            assert int(line[header(column)]) == expected[column], (what, column)

        plan = plans[key]
        assert (plan.venue_capacity, plan.sold, plan.pending, plan.room_remaining) == (
            expected["capacity"],
            expected["sold"],
            expected["pending"],
            expected["remaining"],
        ), what
        # The Sync dry run states the Dashboard's exposure of the show, then its own.
        assert plan.unbounded_now == bool(show["on_sale_unlimited"]), what
        assert plan.exposure_now == whole_number(show["exposure"]), what
        assert row["exposure"] == ("unlimited" if plan.unbounded_now else f"{plan.exposure_now:,}")

        at_door = door[door["show_key"] == key].set_index("channel")
        if key in set(tonight_shows(view.upcoming, view.now)["show_key"]):
            assert int(at_door["pending"].sum()) == expected["pending"], what
            assert int(at_door.loc["woocommerce", "pending"]) == card.pending_woocommerce
            assert int(at_door.loc["eventbrite", "pending"]) == card.pending_eventbrite
            assert int(at_door["sold"].sum()) == expected["sold"], what


def test_an_oversold_show_says_its_exposure_now_and_after_the_sync(club):
    box = boxoffice()
    view = dashboard_view(box)
    key = picks(view)["oversold"]
    show = view.upcoming.set_index("show_key").loc[key]
    (plan,) = box.plan_sync([key], SyncPolicy(), view.listings)
    # The Dashboard's exposure is what both channels have on sale now, beyond a room with
    # no seat left; the sync closes every channel, so after it nothing is exposed.
    on_sale = int(show["on_sale_woocommerce"]) + int(show["on_sale_eventbrite"])
    assert plan.exposure_now == on_sale == int(show["exposure"]) > 0
    assert plan.exposure == 0
    assert (
        exposure_text(plan) == f"oversell exposure now {on_sale} seat(s), after this plan 0 seat(s)"
    )


def test_the_comparison_summary_adds_up_the_pending_its_cards_show(club):
    box = boxoffice()
    view = dashboard_view(box)
    chosen = picks(view)
    keys = [chosen["Eventbrite carts, tonight"], chosen["site orders pending on a booking date"]]
    today = view.now.date()
    live = comparison_listings(view.listings, keys, today, today, box.settings.timezone)
    cards = comparison_cards(keys, live, box.shows(live))
    summary = comparison_summary(cards)
    assert summary.pending == sum(c.pending for c in cards)
    assert summary.remaining == sum(c.remaining for c in cards)
    assert all(c.pending == c.pending_woocommerce + c.pending_eventbrite for c in cards)


# --- what the pages draw ----------------------------------------------------------------
def test_dashboard_key_figures_table_and_help_say_the_same(club):
    box = boxoffice()
    at = run()
    view = dashboard_view(box)
    metrics = {m.label: m.value for m in at.metric}
    figures = view.figures
    assert metrics["Pending"] == f"{figures.pending:,}"
    assert metrics["Seats sold"] == f"{figures.seats_sold:,}"
    assert metrics["Sell-through"] == percent_label(figures.sell_through)
    details = at.dataframe[1].value.set_index("show_key")
    for key in picks(view).values():
        show = view.upcoming.set_index("show_key").loc[key]
        assert int(details.loc[key, "pending"]) == int(show["pending"])
        assert int(details.loc[key, "remaining"]) == int(show["remaining"])
    # The help on a column is the glossary's entry, the one the README prints.
    config = dashboard_ui._TABLE_CONFIG
    for column, term in (
        ("pending", "Pending"),
        ("remaining", "Remaining"),
        ("exposure", "Exposure"),
    ):
        assert config[column]["help"] == meaning(term)


def test_comparison_cards_and_summary_on_the_page(club):
    box = boxoffice()
    view = dashboard_view(box)
    chosen = picks(view)
    keys = [chosen["Eventbrite carts, tonight"], chosen["site orders pending on a booking date"]]
    at = run("pages/comparison.py", **encode_selection(keys))
    text = "\n".join(str(m.value) for m in at.markdown)
    upcoming = view.upcoming.set_index("show_key")
    for key in keys:
        show = upcoming.loc[key]
        assert f"Pending: **{int(show['pending'])}**" in text
        assert f"Remaining: **{int(show['remaining'])}**" in text
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Pending"] == f"{int(upcoming.loc[keys, 'pending'].sum()):,}"
    sell = [m.value for m in at.metric if m.label == "Sell-through"]
    assert sell == [percent_label(upcoming.loc[k, "sell_through"]) for k in keys]


def test_tonight_shows_both_channels_pending(club):
    box = boxoffice()
    view = dashboard_view(box)
    key = picks(view)["Eventbrite carts, tonight"]
    show = view.upcoming.set_index("show_key").loc[key]
    at = run("pages/tonight.py")
    tonight = tonight_shows(view.upcoming, view.now)
    position = list(tonight["show_key"]).index(key)
    shown = at.table[position].value
    assert int(shown["Pending"].str.replace(",", "").astype(int).sum()) == int(show["pending"])
    pending = [m.value for m in at.metric if m.label == "Pending"]
    assert pending[position] == f"{int(show['pending']):,}"


def test_the_sync_dry_run_states_the_dashboards_exposure(club):
    box = boxoffice()
    view = dashboard_view(box)
    for what in ("Eventbrite capacity shared by its ticket types", "unlimited stock on the site"):
        key = picks(view)[what]
        show = view.upcoming.set_index("show_key").loc[key]
        at = run("pages/inventory.py", show=key, act="sync")
        text = " ".join(str(m.value) for m in at.markdown)
        now = (
            "unlimited (unlimited stock on the site)"
            if show["on_sale_unlimited"]
            else f"{int(show['exposure'])} seat(s)"
        )
        assert f"oversell exposure now {now}" in text, what


def test_a_meeting_link_shows_the_dashboards_key_figures(club):
    box = boxoffice()
    view = dashboard_view(box)
    key = picks(view)["Eventbrite carts, tonight"]
    _, token = box.create_meeting_link([key], "1 hour", title="Monday", who=Actor.demo("manager"))
    meeting = run(meeting=token)
    dashboard = run()
    # The key figures come first (the comparison's card and summary metrics follow).
    shown = {m.label: m.value for m in list(meeting.metric)[:6]}
    expected = {m.label: m.value for m in list(dashboard.metric)[:6]}
    for label in ("Shows", "Seats sold", "Sell-through", "Pending", "Oversold shows"):
        assert shown[label] == expected[label], label
    show = view.upcoming.set_index("show_key").loc[key]
    text = "\n".join(str(m.value) for m in meeting.markdown)
    assert f"Pending: **{int(show['pending'])}**" in text


def calls_left(at: AppTest) -> tuple[str, str]:
    """(the refresh caption's calls left, the Eventbrite badge's)."""
    caption = next(str(c.value) for c in at.caption if "Eventbrite calls" in str(c.value))
    badge = next(str(m.value) for m in at.markdown if "Eventbrite API ·" in str(m.value))
    return (
        re.search(r"([\d,]+) of 2,000 left", caption).group(1),
        re.search(r"([\d,]+) calls left", badge).group(1),
    )


def test_the_refresh_caption_reads_the_budget_the_health_badge_shows(club):
    # The first view built the catalog (hundreds of calls) before the badge was measured.
    caption, badge = calls_left(club)
    assert caption == badge != "2,000"
    at = run()
    at.button(key="refresh_data").click().run()
    assert not at.exception, at.exception
    caption, badge = calls_left(at)
    assert caption == badge


# --- the glossary -----------------------------------------------------------------------
def test_the_readme_glossary_is_the_help_the_pages_show():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Glossary", 1)[1].split("\n## ", 1)[0]
    entries = dict(re.findall(r"^- \*\*(.+?)\*\*: (.+?)(?=\n- |\n\n|\Z)", section, re.S | re.M))
    entries = {term: " ".join(text.split()) for term, text in entries.items()}
    assert entries == dict(GLOSSARY)
    for term in ("Capacity", "Venue capacity", "Sold", "Pending", "Remaining", "Exposure"):
        assert known(GLOSSARY.get(term))
    for term in ("Website", "Eventbrite"):
        assert term in GLOSSARY
