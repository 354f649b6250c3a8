"""The Sales & pace page on the seeded demo sandbox (AppTest from streamlit_app.py): a
manager syncs Eventbrite orders, sees which coming shows are behind their usual pace, a
pace chart, and last month's no-shows per weekday; numbers checked against a separate
BoxOffice on the same database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
import streamlit
from sqlalchemy import delete
from streamlit.testing.v1 import AppTest

from brcc_core.boxoffice import BoxOffice
from brcc_core.channels import http
from brcc_core.common.formats import when_label
from brcc_core.common.values import known
from brcc_core.common.windows import local_now
from brcc_core.sales import takings
from brcc_core.settings import load_settings
from brcc_core.store.schema import CURSORS, PARTIAL
from brcc_core.ui.app import _boxoffice
from brcc_core.ui.comparison import takings_text
from brcc_core.ui.sales import FIRST_SYNC_KEY, PACE_TABLE_COLUMNS
from brcc_core.views.comparison import comparison_cards
from brcc_core.views.sales import pace_rows
from tests.app_env import clear_settings

ROOT = Path(__file__).parents[1]
APP = str(ROOT / "streamlit_app.py")
SALES = "pages/sales.py"


@pytest.fixture(scope="module")
def club(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("sales")
    with pytest.MonkeyPatch.context() as mp:
        clear_settings(mp)
        mp.setenv("BRCC_DATA_DIR", str(data_dir))
        mp.setenv("BRCC_SANDBOX_HISTORY_WEEKS", "10")
        mp.chdir(data_dir)
        mp.setattr(http, "_sleep", lambda seconds: None)
        run()
        yield data_dir


def run(page: str | None = None, *, first_sync: bool = True) -> AppTest:
    """``page`` opened in a new session; ``first_sync=False``: as if this session had
    already started the first Eventbrite orders sync (the test presses the button)."""
    at = AppTest.from_file(APP, default_timeout=180)
    if not first_sync:
        at.session_state[FIRST_SYNC_KEY] = True
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def comparison_by_link(*show_keys: str) -> AppTest:
    """The Comparison page opened from a shared link naming ``show_keys``."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["shows"] = ",".join(show_keys)
    at.run()
    at.switch_page("pages/comparison.py")
    at.run()
    assert not at.exception
    return at


def app_boxoffice() -> BoxOffice:
    settings = load_settings()
    return _boxoffice(settings.fingerprint(), settings)


def test_sales_page_syncs_eventbrite_orders_when_first_opened_and_paces(club):
    """Orders never synced: the page syncs them for the manager (once a session, not on
    every rerun), and paces the coming shows, flagged first, each flag or reason beside
    the show's name and no cell reading None."""
    box = app_boxoffice()
    assert box.sales.eventbrite_sales.last_sync() is None
    at = run(SALES)
    assert not at.exception
    assert any("Eventbrite calls" in str(s.value) for s in at.success)
    assert "not been synced" not in " ".join(str(w.value) for w in at.warning)
    synced_at = box.sales.eventbrite_sales.last_sync()
    assert synced_at is not None
    assert at.button(key="sales_sync")  # still there for the next sync
    at.run()  # a rerun (a slider moved): no second sync
    assert not at.exception and not at.success
    assert box.sales.eventbrite_sales.last_sync() == synced_at

    metrics = {m.label: m.value for m in at.metric}
    listings = box.listings()
    now = local_now(box.settings.timezone)
    reference = box.pace(listings=listings, shows=box.shows(listings), now=now, horizon_days=14)
    together = reference[reference["scope"] == "together"]
    assert int(metrics["Shows paced"]) == len(together)
    assert int(metrics["Behind their usual pace"]) == int(together["behind"].fillna(False).sum())
    table = at.dataframe[0].value
    assert list(table.columns) == list(PACE_TABLE_COLUMNS)
    assert list(table["sold_now"]) == list(together["sold_now"])
    # In the pace table's order (flagged first), the show's name in club time first.
    expected = pace_rows(reference, "together", box.settings.timezone)
    assert list(table["show"]) == list(expected["show"])
    for shown, start, flag, reason in zip(
        table["show"], together["starts_at"], together["flag"], together["reason"], strict=True
    ):
        assert shown.startswith(when_label(start, box.settings.timezone))
        assert known(flag) == (str(flag) in shown)
        assert not known(reason) or str(reason) in shown
    flagged = [i for i, f in enumerate(together["flag"]) if known(f)]
    assert flagged == list(range(len(flagged)))  # flagged rows come first
    assert "None" not in " ".join(table.astype(str)["show"])
    assert len(at.get("plotly_chart")) >= 1

    at.toggle(key="pace_flagged_only_together").set_value(True).run()
    assert not at.exception
    if flagged:
        assert len(at.dataframe[0].value) == len(flagged)
    else:
        assert any("No show in this range is flagged" in str(i.value) for i in at.info)


def test_no_shows_by_weekday_for_last_month(club):
    at = run(SALES)
    shown = at.dataframe[1].value
    box = app_boxoffice()
    history = box.sales_history()
    now = local_now(box.settings.timezone)
    start, end = (pd.Timestamp(d).tz_localize(box.settings.timezone) for d in _last_month(now))
    expected = takings.no_shows_by_weekday(
        takings.no_shows(history.frame, now=now, start=start, end=end)
    )
    assert list(shown["weekday"]) == list(expected["weekday"])
    assert list(shown["sold"]) == list(expected["sold"])
    friday = shown[shown["weekday"] == "Friday"]
    assert not friday.empty and 0 < float(friday["no_show_rate"].iloc[0]) < 0.5


def _last_month(now):
    first = now.date().replace(day=1)
    previous = (first - pd.Timedelta(days=1)).replace(day=1)
    return previous, first


def test_tonight_door_view_matches_live_numbers_and_attendees(club):
    at = run("pages/tonight.py")
    assert not at.exception
    box = BoxOffice.from_settings(load_settings())
    expected = box.tonight()
    if expected.empty:
        assert any("No show tonight" in str(i.value) for i in at.info)
        return
    shown = [t.value for t in at.table]
    assert len(shown) == expected["show_key"].nunique()
    # One row per channel, under the manager's words, never a code name or "None".
    assert {c for t in shown for c in t["Channel"]} <= {"Website", "Eventbrite"}
    cells = [str(v) for t in shown for v in t.to_numpy().ravel()]
    assert not {"None", "<NA>", "nan", "woocommerce", "eventbrite"} & set(cells)
    assert sum(int(t["Sold"].str.replace(",", "").astype(int).sum()) for t in shown) == int(
        expected["sold"].sum()
    )
    metrics = [(m.label, m.value) for m in at.metric]
    # Per show, both channels together: still to arrive is sold - checked in.
    for key, part in expected.groupby("show_key", sort=False):
        sold, came = int(part["sold"].sum()), int(part["checked_in"].sum())
        room = int(part["venue_capacity"].iloc[0])
        left = max(0, room - sold - int(part["pending"].sum()))
        for label, value in (
            ("Still to arrive", sold - came),
            ("Checked in", came),
            ("Sold", sold),
            ("Room", room),
            ("Left to sell at the door", left),
        ):
            assert (label, f"{value:,}") in metrics, (key, label)
    tz = box.settings.timezone
    headings = [h.value for h in at.subheader]
    for start in expected.drop_duplicates("show_key")["starts_at"]:
        # Club time: the heading's hour is the show's in the club's timezone, not UTC's.
        assert any(h.startswith(f"{start.tz_convert(tz):%H:%M} · ") for h in headings)


def test_last_weeks_show_compares_with_this_weeks(club):
    """Comparison takes past shows the catalog still holds (its last weeks): last Friday
    8pm beside this Friday's, with the numbers of each."""
    box = app_boxoffice()
    listings = box.listings()
    shows = box.shows(listings)
    now = local_now(box.settings.timezone)
    fridays = shows[
        shows["title"].str.contains("Friday 8pm", na=False)
        & (shows["starts_at"] > now - pd.Timedelta(days=14))
    ].sort_values("starts_at")
    past = fridays[fridays["starts_at"] < now].iloc[-1]
    coming = fridays[fridays["starts_at"] > now].iloc[0]
    at = comparison_by_link(past["show_key"], coming["show_key"])
    cards = comparison_cards([past["show_key"], coming["show_key"]], listings, shows)
    assert [c.kind for c in cards] == ["show", "show"]
    text = " ".join(str(m.value) for m in at.markdown)
    for when in (past["starts_at"], coming["starts_at"]):
        assert f"{when:%a} {when.day} {when:%b}" in text


def test_a_friday_no_longer_in_the_catalog_compares_with_this_weeks_with_takings(club):
    """A Friday older than the catalog's past weeks comes from the sales history: the
    manager picks it by link beside this Friday and reads each one's takings."""
    box = app_boxoffice()
    box.sync_eventbrite_sales()
    listings = box.listings()
    shows = box.shows(listings)
    now = local_now(box.settings.timezone)
    history = box.sales_history(listings=listings)
    past = takings.past_shows(history.frame, before=now)
    gone = past[
        ~past["show_key"].isin(shows["show_key"]) & past["title"].str.contains("Friday 8pm")
    ].iloc[-1]
    coming = shows[
        shows["title"].str.contains("Friday 8pm", na=False) & (shows["starts_at"] > now)
    ].iloc[0]
    at = comparison_by_link(gone["show_key"], coming["show_key"])
    text = " ".join(str(m.value) for m in at.markdown)
    assert "no longer in the catalog" in " ".join(str(c.value) for c in at.caption)
    cards = comparison_cards(
        [gone["show_key"], coming["show_key"]],
        listings,
        shows,
        sales=history.frame,
        sales_unknown=history.unknown,
        past=past,
    )
    assert [c.kind for c in cards] == ["past", "show"]
    for card in cards:
        assert f"{card.starts_at:%a} {card.starts_at.day} {card.starts_at:%b}" in text
        assert takings_text(card.takings) in text


def test_a_sync_stopped_at_the_reserve_says_so_and_the_next_one_continues(club):
    """A first sync that meets the hour's reserve stops, says where the next one goes on
    from, and Eventbrite pace stays unknown (a part is not the whole) until it does."""
    box = app_boxoffice()
    never_synced(box)
    eb = box.eventbrite
    reserve = box.settings.eb_write_reserve
    # The page is open before the hour is spent: opening it may cost a call of its own
    # (the dashboard's health check, re-measured once its few shared seconds are over,
    # which on a slow machine they are).
    at = run(SALES, first_sync=False)
    # Two calls above the reserve: two pages of 50 orders, then the sync stops.
    eb.budget.record(eb.calls_left_this_hour() - reserve - 2)
    try:
        at.button(key="sales_sync").click().run()
        assert not at.exception
        warnings = " ".join(str(w.value) for w in at.warning)
        assert "Stopped after 100 orders: the Eventbrite calls left this hour" in warnings
        assert f"reached the {reserve} kept for capacity changes" in warnings
        assert "the next sync continues from" in warnings
        assert "only partly synced" in warnings  # pace: Eventbrite unknown, not a part
        captions = " ".join(str(c.value) for c in at.caption)
        assert "partly synced (100 orders read so far" in captions
    finally:
        later = eb.clock() + timedelta(hours=1, minutes=1)
        eb.clock = lambda: later  # a fresh hour (every server's calls are an hour old)
    at.button(key="sales_sync").click().run()
    assert not at.exception
    assert any("continuing the sync that stopped part-way" in str(s.value) for s in at.success)
    assert "partly synced" not in " ".join(str(w.value) for w in at.warning)
    assert box.sales.eventbrite_sales.partial() is None and box.sales.eventbrite_sales.last_sync()


def never_synced(box: BoxOffice) -> None:
    """The Eventbrite orders store as before the first sync."""
    box.sales.eventbrite_sales.last_sync()  # its tables exist when a test runs alone
    with box.sales.eventbrite_sales.engine.begin() as conn:
        conn.execute(delete(CURSORS))
        conn.execute(delete(PARTIAL))


def test_the_first_sync_waits_while_the_calls_left_are_at_the_reserve(club):
    """Orders never synced, but the hour's calls left are those kept for capacity
    changes: the page says so and leaves the button; once calls are free, it syncs."""
    box = app_boxoffice()
    never_synced(box)
    eb = box.eventbrite
    reserve = box.settings.eb_write_reserve
    eb.budget.record(eb.calls_left_this_hour() - reserve)
    try:
        at = run(SALES)
        assert not at.exception
        infos = " ".join(str(i.value) for i in at.info)
        assert "Eventbrite orders have not been synced yet" in infos
        assert f"{reserve:,} are kept for capacity changes" in infos
        assert at.button(key="sales_sync")
        assert box.sales.eventbrite_sales.last_sync() is None
        assert box.sales.eventbrite_sales.partial() is None
    finally:
        later = eb.clock() + timedelta(hours=1, minutes=1)
        eb.clock = lambda: later  # a fresh hour (every server's calls are an hour old)
    at.run()  # the calls are free again: the first sync starts now, once
    assert not at.exception
    assert any("Eventbrite calls" in str(s.value) for s in at.success)
    assert box.sales.eventbrite_sales.last_sync() is not None
    at.run()
    assert not at.success


def test_a_first_sync_that_fails_says_why_leaves_the_button_and_is_not_retried(club, monkeypatch):
    box = app_boxoffice()
    never_synced(box)
    tries = []

    def failing(progress=None, *, who=None):
        tries.append(who)
        raise http.IntegrationError("eventbrite", "Eventbrite is down (HTTP 503)")

    monkeypatch.setattr(box, "sync_eventbrite_sales", failing)
    at = run(SALES)
    assert not at.exception
    errors = " ".join(str(e.value) for e in at.error)
    assert "Eventbrite orders could not be synced: Eventbrite is down (HTTP 503)" in errors
    assert "Press Sync Eventbrite orders to try again" in errors
    assert at.button(key="sales_sync")
    assert len(tries) == 1 and tries[0] is not None  # audited with who opened the page
    at.run()
    assert len(tries) == 1  # not on every rerun


def test_revenue_has_the_period_s_totals_and_one_row_per_show(club, monkeypatch):
    """Last month's revenue: totals per channel and together, then one row per show (both
    channels' listings of one performance together), money to the cent in the CSV."""
    offered: dict[str, bytes] = {}
    real = streamlit.download_button

    def recording(label, data, *args, **kwargs):
        offered[kwargs.get("key")] = data
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", recording)
    at = run(SALES)
    assert not at.exception
    box = app_boxoffice()
    history = box.sales_history()
    assert not history.unknown  # Eventbrite synced: both channels' money is known
    now = local_now(box.settings.timezone)
    start, end = (pd.Timestamp(d).tz_localize(box.settings.timezone) for d in _last_month(now))
    per_channel = takings.revenue(history.frame, start=start, end=end)
    totals, shows = at.dataframe[2].value, at.dataframe[3].value
    assert list(totals["scope"]) == ["Website", "Eventbrite", "Both channels"]
    expected = takings.revenue_totals(per_channel)
    assert list(totals["gross"]) == list(expected["gross"])
    assert list(totals["sold"]) == list(expected["sold"])
    both = totals.iloc[2]
    assert both["shows"] == len(shows) < len(per_channel)  # a show on both channels: one row
    assert round(float(shows["gross"].sum()), 2) == both["gross"]
    by_channel = (shows["gross_woocommerce"] + shows["gross_eventbrite"]).round(2)
    assert (shows["gross"] == by_channel).all()
    header, *lines = offered["revenue_csv"].decode("utf-8-sig").splitlines()
    assert "Cancelled / refunded" in header and "Gross · Eventbrite" in header
    assert len(lines) == len(shows)
    for line in lines:
        for cell in line.split(","):
            if cell.replace(".", "", 1).isdigit() and "." in cell:
                assert len(cell.split(".")[1]) <= 2, line


def test_the_first_copy_of_the_website_history_reports_its_progress_on_the_page(club, monkeypatch):
    """The page hands the history read a progress callback, and the copy's reports reach
    it without disturbing the page (a first copy at the club's size takes a while)."""
    box = app_boxoffice()
    real = box.sales_history
    reports: list[tuple[int, int]] = []

    def first_copy(catalog=None, listings=None, progress=None):
        assert progress is not None, "the page passed no progress callback"
        for done in (20_000, 40_000, 52_500):  # three batches of a 52,500-row copy
            progress(done, 52_500)
            reports.append((done, 52_500))
        return real(catalog, listings)

    monkeypatch.setattr(box, "sales_history", first_copy)
    at = run(SALES, first_sync=False)
    assert not at.exception
    assert reports == [(20_000, 52_500), (40_000, 52_500), (52_500, 52_500)]
    assert at.dataframe  # the page went on to show its tables
