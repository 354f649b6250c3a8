"""Hostile input: Markdown and HTML in names, malformed settings, impossible numbers from
the APIs, and the server's default address. (Deep links: test_views and test_pages;
names in a real browser: test_browser.)"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from brcc_core.boxoffice import BoxOffice
from brcc_core.catalog.cache import CatalogCache
from brcc_core.common import clock
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import SettingsError, load_settings
from brcc_core.ui.text import plain
from brcc_core.views.charts import capacity_chart
from tests.app_env import clear_settings
from tests.club_time import SUITE_DAY

ROOT = Path(__file__).parents[1]

HOSTILE = [
    "**bold** and _em_ and ~~gone~~",
    ":red[alarm] :blue-background[x]",
    "[click](http://evil.example/x)",
    "![](http://evil.example/pixel.png)",
    "<img src=http://evil.example/i.png onerror=alert(1)>",
    "<a href='http://evil.example'>x</a>",
    "http://evil.example/bare and www.evil.example and boss@evil.example",
    "# Heading",
    "- a list",
    "1. numbered",
    "> quote",
    "`code` and $x^2$",
    "a | b | c",
    "line one\n\nline two",
    "back\\slash \\[",
    ":rocket: launch :material/home: and :+1: :100:",
    "Show:red[x] :violet-background[y] :small[z]",
]
# Streamlit's own readings of text: emoji and icon shortcodes, colour directives.
SHORTCODE = re.compile(r":[\w+\-/]+:|:[A-Za-z][\w\-]*\\?\[")


def unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


@pytest.mark.parametrize("name", HOSTILE)
def test_plain_leaves_no_markup_and_reads_as_written(name):
    shown = plain(name)
    # every character that opens markup is escaped
    assert not re.search(r"(?<!\\)[\[\]<>*_`$#|~]", shown.replace("\\\\", "")), shown
    assert "://" not in shown and "www." not in shown  # no bare link for GFM to find
    assert not re.search(r"@(?!\u200b)", shown)
    assert not re.match(r"^([-+>]|\d+[.)])\s", shown)  # no list or quote at the start
    assert "\n" not in shown
    assert not SHORTCODE.search(shown), shown
    # and, the escapes removed, it is the same text
    assert unescape(shown).replace("\u200b", "") == " ".join(name.split())


def test_plain_keeps_everyday_names_readable():
    assert plain("Friday 8pm Show") == "Friday 8pm Show"
    assert (
        plain("8:00 p.m. - Overalls Comedy w/ Vanessa") == "8:00 p.m. - Overalls Comedy w/ Vanessa"
    )
    assert plain("Doors 7:30, show 8:00") == "Doors 7:30, show 8:00"


def test_chart_labels_escape_html_from_names():
    import pandas as pd

    from brcc_core.live.shows import suggest_shows

    rows = pd.DataFrame(
        {
            "listing_key": ["eb:1:1"],
            "channel": ["eventbrite"],
            "title": ["<a href='http://evil.example'>x</a>"],
            "slot_label": [None],
            "starts_at": [pd.Timestamp("2026-06-05 20:00", tz="America/Toronto")],
            "sold": pd.array([3], dtype="Int64"),
            "pending": pd.array([0], dtype="Int64"),
            "error": [None],
        }
    )
    fig = capacity_chart(suggest_shows(rows), "America/Toronto")
    labels = [str(c) for trace in fig.data for c in (trace.customdata or [])]
    assert labels and all("<a" not in label and "&lt;a" in label for label in labels)


# --- settings --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("BRCC_PAGE_DEADLINE_SECONDS", "soon", "must be a whole number"),
        ("BRCC_PAGE_DEADLINE_SECONDS", "0", "at least 1"),
        ("BRCC_PAGE_DEADLINE_SECONDS", "99999999999999999999999", "at most 60"),
        ("BRCC_EB_WRITE_RESERVE", "-5", "at least 0"),
        ("BRCC_EB_WRITE_RESERVE", "5000", "at most 1,900"),
        ("BRCC_VENUE_CAPACITY", "1e9", "must be a whole number"),
        ("BRCC_VENUE_CAPACITY", "**55**", "must be a whole number"),
        ("BRCC_VENUE_CAPACITY", "55.5", "must be a whole number"),
    ],
)
def test_malformed_settings_are_named_not_guessed(name, value, says):
    with pytest.raises(SettingsError) as caught:
        load_settings({name: value}, dotenv_path=None)
    assert name in str(caught.value) and says in str(caught.value)


def test_a_whole_setting_written_with_a_point_zero_reads_as_that_number():
    assert load_settings({"BRCC_VENUE_CAPACITY": "60.0"}, dotenv_path=None).venue_capacity == 60


def test_a_very_long_malformed_setting_is_quoted_short():
    with pytest.raises(SettingsError) as caught:
        load_settings({"BRCC_VENUE_CAPACITY": "x" * 10_000}, dotenv_path=None)
    assert len(str(caught.value)) < 300


# Every setting the app reads, found in its source so a new one is covered the day it lands.
SETTING_NAMES = sorted(
    set(re.findall(r'"(BRCC_[A-Z_]+)"', (ROOT / "brcc_core" / "settings.py").read_text()))
)
A_LIVE_SITE = {
    "BRCC_WC_URL": "https://club.example",
    "BRCC_WC_CONSUMER_KEY": "ck_test",
    "BRCC_WC_CONSUMER_SECRET": "cs_test",
    "BRCC_EB_TOKEN": "token",
    "BRCC_EB_ORGANIZATION_ID": "123",
    "BRCC_WP_DB_HOST": "db.example",
    "BRCC_WP_DB_USER": "reader",
    "BRCC_WP_DB_NAME": "wordpress",
}
GARBAGE = [
    "",
    "\x00",
    "-1",
    "9" * 5000,
    "-" + "9" * 5000,
    "1e999",
    "NaN",
    "\u00b2",  # a digit to str.isdigit(), not to int()
    "a" * 10_000,
    "http://[::1",
    "**x** :red[x]",
]


@pytest.mark.parametrize("name", SETTING_NAMES)
@pytest.mark.parametrize("site", ["demo", "live"])
def test_any_garbage_in_any_setting_gives_a_short_message_not_a_traceback(name, site):
    base = A_LIVE_SITE if site == "live" else {}
    for value in GARBAGE:
        try:
            load_settings({**base, name: value}, dotenv_path=None)
        except SettingsError as exc:
            # a sentence per problem, quoting at most a short piece of what was given
            assert all(len(problem) < 200 for problem in exc.problems), (name, value)
            assert "9" * 50 not in str(exc) and "a" * 50 not in str(exc), (name, value)


def test_the_server_listens_on_loopback_by_default():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"


# --- impossible numbers from the APIs ------------------------------------------------------
@pytest.fixture
def boxoffice(tmp_path) -> BoxOffice:
    from brcc_core.sandbox.schema import create_schema, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'sandbox.db'}")
    create_schema(engine)
    sandbox = Sandbox(engine)
    sandbox.seed(scale="club", seed_number=3, today=SUITE_DAY)
    settings = load_settings({"BRCC_DATA_DIR": str(tmp_path)}, dotenv_path=None)
    return BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path))


def test_an_impossible_seat_count_from_eventbrite_is_unknown_not_a_figure(boxoffice):
    with boxoffice.sandbox.engine.begin() as conn:
        victim = conn.execute(
            text(
                "SELECT tc.id, tc.event_id FROM sandbox_eb_ticket_classes tc JOIN "
                "sandbox_eb_events e ON e.id = tc.event_id WHERE e.start_utc > :now "
                "AND e.status = 'live' AND e.is_series_parent = 0 ORDER BY e.start_utc LIMIT 1"
            ),
            # The app's clock, not the database's: CURRENT_TIMESTAMP is the machine's day,
            # and under faketime it picked an event past the refresh's window.
            {"now": clock.now_naive_utc()},
        ).one()
        conn.execute(
            text("UPDATE sandbox_eb_ticket_classes SET quantity_sold = :n WHERE id = :id"),
            {"n": 10**15, "id": victim.id},
        )
    result = boxoffice.refresh_catalog()
    assert "impossible quantity_sold" in result.catalog.ticket_class_errors[victim.event_id]
    listings = boxoffice.listings()
    event = listings[listings["event_id"] == victim.event_id]
    assert event["sold"].isna().all() and event["error"].str.contains("impossible").all()
    others = listings[
        (listings["channel"] == "eventbrite") & (listings["event_id"] != victim.event_id)
    ]
    assert others["sold"].notna().all()
    shows = boxoffice.shows(listings)
    show = shows[shows["listing_keys"].apply(lambda keys: any(victim.event_id in k for k in keys))]
    assert not show["sold_known"].any() and show["sold"].isna().all()


# --- oversized numbers from WooCommerce and WordPress: one rule, unknown with the reason ---
OVERSIZED = [10**30, 1e30, "9" * 40, "9" * 5000, "NaN", "inf", "-inf", float("nan"), "1e30"]


@pytest.mark.parametrize("value", OVERSIZED, ids=lambda v: str(type(v).__name__) + repr(v)[:12])
def test_an_oversized_seat_number_is_unknown_with_the_reason(value):
    from brcc_core.common.club import seat_number

    number, why = seat_number(value, "stock", negative_ok=True)
    assert number is None and why.startswith("impossible stock (") and len(why) < 60


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), (40, 40), ("40", 40), ("40.000000", 40), (-3, -3), (40.0, 40)],
)
def test_everyday_seat_numbers_read_as_themselves(value, expected):
    from brcc_core.common.club import seat_number

    assert seat_number(value, "stock", negative_ok=True) == (expected, None)


@pytest.mark.parametrize("value", ["40.5", 40.5, True, "forty"])
def test_a_seat_number_that_is_not_whole_is_unknown_with_the_reason(value):
    from brcc_core.common.club import seat_number

    assert seat_number(value, "stock") == (None, f"impossible stock ({value})")


@pytest.mark.parametrize("value", OVERSIZED, ids=lambda v: str(type(v).__name__) + repr(v)[:12])
def test_an_oversized_rest_stock_quantity_is_not_used_and_says_why(value):
    from zoneinfo import ZoneInfo

    from brcc_core.catalog.build import catalog_product

    product = {"id": 7, "name": "Late show", "manage_stock": True, "stock_quantity": value}
    shown = catalog_product(product, ZoneInfo("America/Toronto"))
    assert shown.stock_quantity is None
    assert "WooCommerce gave an impossible stock_quantity" in shown.error


@pytest.mark.parametrize("value", [10**30, 1e300, "9" * 40, "9" * 5000])
def test_an_oversized_booking_options_stock_is_a_problem_of_that_date(value):
    import json

    from brcc_core.channels.fooevents import parse_booking_options

    blob = {
        "s1": {
            "label": "8:00 p.m.",
            "add_date": {"d1": {"date": "June 5, 2026", "stock": value}},
        }
    }
    (slot_date,) = parse_booking_options(json.dumps(blob))
    assert slot_date.stock is None and "impossible stock" in slot_date.problem


# --- every page with shortcodes in names and oversized numbers in the site's data ----------
SHORTCODE_NAME = "Roast :rocket: :material/home: :red[alarm] :blue-background[x] :+1:"
NAME_SHORTCODES = re.compile(r":(rocket:|material/home:|red\\?\[alarm|blue-background\\?\[|\+1:)")
OVERSIZED_STOCK = ["1e30", "9" * 40, "NaN", "inf", str(2**64)]


def _pages_env(mp: pytest.MonkeyPatch, data_dir: Path) -> None:
    from brcc_core.channels import http

    clear_settings(mp)
    mp.setenv("BRCC_DATA_DIR", str(data_dir))
    mp.chdir(data_dir)
    mp.setattr(http, "_sleep", lambda seconds: None)


@pytest.fixture(scope="module")
def hostile_club(tmp_path_factory):
    """The demo club with Streamlit shortcodes in every name and impossible stock in the
    site's data (WordPress _stock of managed products, a booking date's stock), refreshed
    through the app's own BoxOffice."""
    import json

    from brcc_core.channels.fooevents import FBOS_META_KEY
    from brcc_core.settings import load_settings as settings_now
    from brcc_core.ui.app import _boxoffice

    data_dir = tmp_path_factory.mktemp("hostile")
    with pytest.MonkeyPatch.context() as mp:
        _pages_env(mp, data_dir)
        settings = settings_now()
        box = _boxoffice(settings.fingerprint(), settings)
        spoiled: list[int] = []
        with box.sandbox.engine.begin() as conn:
            conn.execute(
                text("UPDATE wp_posts SET post_title = :t WHERE post_type = 'product'"),
                {"t": SHORTCODE_NAME},
            )
            conn.execute(text("UPDATE sandbox_eb_events SET name = :t"), {"t": SHORTCODE_NAME})
            managed = conn.execute(
                text(
                    "SELECT post_id FROM wp_postmeta WHERE meta_key = '_manage_stock' "
                    "AND meta_value = 'yes' ORDER BY post_id"
                )
            ).scalars()
            for product_id, value in zip(managed, OVERSIZED_STOCK, strict=False):
                conn.execute(
                    text(
                        "UPDATE wp_postmeta SET meta_value = :v WHERE post_id = :p "
                        "AND meta_key = '_stock'"
                    ),
                    {"v": value, "p": product_id},
                )
                spoiled.append(product_id)
            product_id, raw = conn.execute(
                text(
                    "SELECT post_id, meta_value FROM wp_postmeta WHERE meta_key = :k "
                    "AND meta_value LIKE '%stock%' ORDER BY post_id LIMIT 1"
                ),
                {"k": FBOS_META_KEY},
            ).one()
            fbos = json.loads(raw)
            slot = next(iter(fbos.values()))
            dates = slot.get("add_date") or {}
            first_date = next(iter(dates.values()))
            first_date["stock"] = 10**30
            conn.execute(
                text("UPDATE wp_postmeta SET meta_value = :v WHERE post_id = :p AND meta_key = :k"),
                {"v": json.dumps(fbos), "p": product_id, "k": FBOS_META_KEY},
            )
            spoiled.append(product_id)
        assert spoiled, "the demo club has no managed stock to spoil"
        box.refresh_catalog()
        yield box, spoiled


def _all_text(at) -> list[str]:
    kinds = ("markdown", "caption", "warning", "error", "info", "success", "toast", "title")
    return [str(e.value) for kind in kinds for e in getattr(at, kind, [])]


def _render_every_page(at_query: dict[str, str] | None = None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    for name, value in (at_query or {}).items():
        at.query_params[name] = value
    at.run()
    pages = {"dashboard": (_all_text(at), [d.value for d in at.dataframe], at)}
    for page in ("pages/comparison.py", "pages/inventory.py"):
        at.switch_page(page).run()
        pages[page] = (_all_text(at), [d.value for d in at.dataframe], at)
    return pages


def test_every_page_survives_oversized_stock_and_shows_it_as_unknown(hostile_club):
    box, spoiled = hostile_club
    listings = box.listings()
    hit = listings[listings["product_id"].isin(spoiled)]
    said = hit["error"].fillna("").str.contains("impossible")
    assert said.any(), hit[["product_id", "available", "error"]]
    assert hit[said]["available"].isna().all()  # unknown, never a 30-digit room
    shown = pd.to_numeric(listings["available"], errors="coerce").dropna()
    assert (shown.abs() <= 1_000_000).all()
    for page, (texts_shown, _, at) in _render_every_page().items():
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not any("Something went wrong" in t for t in texts_shown), page


def test_streamlit_shortcodes_in_names_are_shown_literally_on_every_page(hostile_club):
    for page, (texts_shown, tables, at) in _render_every_page().items():
        assert not at.exception, page
        for body in texts_shown:
            # Streamlit would turn these into an emoji, an icon, or coloured text (the
            # app's own badges use such directives: only the name's must be neutral)
            assert not NAME_SHORTCODES.search(body), (page, body)
        # tables show the name exactly as the site has it
        names = {
            str(v)
            for table in tables
            for column in ("title", "name", "show")
            if column in getattr(table, "columns", [])
            for v in table[column]
        }
        if names:
            assert any(SHORTCODE_NAME in n for n in names), (page, list(names)[:3])
    literal = [
        body
        for page, (texts_shown, _, _) in _render_every_page().items()
        for body in texts_shown
        if unescape(body).replace("\u200b", "").find(SHORTCODE_NAME) >= 0
    ]
    assert literal, "no page shows a name in Markdown at all"
