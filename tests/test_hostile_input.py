"""Hostile input: Markdown and HTML in names, malformed settings, impossible numbers from
the APIs, and the server's default address. (Deep links: test_views and test_pages;
names in a real browser: test_browser.)"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from brcc_core.boxoffice import BoxOffice
from brcc_core.catalog_cache import CatalogCache
from brcc_core.charts import capacity_chart
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import SettingsError, load_settings
from brcc_core.ui.text import plain

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

    from brcc_core.shows import suggest_shows

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
    ],
)
def test_malformed_settings_are_named_not_guessed(name, value, says):
    with pytest.raises(SettingsError) as caught:
        load_settings({name: value}, dotenv_path=None)
    assert name in str(caught.value) and says in str(caught.value)


def test_a_very_long_malformed_setting_is_quoted_short():
    with pytest.raises(SettingsError) as caught:
        load_settings({"BRCC_VENUE_CAPACITY": "x" * 10_000}, dotenv_path=None)
    assert len(str(caught.value)) < 300


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
    sandbox.seed(scale="club", seed_number=3, today=date.today())
    settings = load_settings({"BRCC_DATA_DIR": str(tmp_path)}, dotenv_path=None)
    return BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path))


def test_an_impossible_seat_count_from_eventbrite_is_unknown_not_a_figure(boxoffice):
    with boxoffice.sandbox.engine.begin() as conn:
        victim = conn.execute(
            text(
                "SELECT tc.id, tc.event_id FROM sandbox_eb_ticket_classes tc JOIN "
                "sandbox_eb_events e ON e.id = tc.event_id WHERE e.start_utc > CURRENT_TIMESTAMP "
                "AND e.status = 'live' AND e.is_series_parent = 0 ORDER BY e.start_utc LIMIT 1"
            )
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
