"""Issue 22, item 6 (the 429 during a change is in tests/test_eventbrite_answers.py): error
messages name the real cause, a 10,000-character show title is taken on MariaDB as on
SQLite, names are isolated so a right-to-left override cannot reverse the date beside
them, and every cache file is validated like the catalog (a signed
``eventbrite-classes.pkl`` of another shape is set aside, not used)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import insert

from brcc_core.boxoffice import BoxOffice
from brcc_core.capacity.preview import Change, ListingState, preview_change
from brcc_core.catalog.cache import CatalogCache
from brcc_core.channels import http
from brcc_core.channels.eventbrite_records import TicketClass
from brcc_core.channels.eventbrite_seats import event_seats
from brcc_core.common.formats import isolate, listing_name, show_name
from brcc_core.live.shows import suggest_shows
from brcc_core.people.access import Actor
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from brcc_core.store.schema import shows
from brcc_core.store.state import State, StateUnavailable
from brcc_core.views.dashboard import act_choices
from tests.club_time import SUITE_DAY

MANAGER = Actor.demo("manager")
RLO, FSI, PDI = "\u202e", "\u2068", "\u2069"


@pytest.fixture
def club(engine, db_url, tmp_path, monkeypatch) -> BoxOffice:
    monkeypatch.setattr(http, "_sleep", lambda seconds: None)
    sandbox = Sandbox(engine)
    sandbox.seed(scale="club", seed_number=5, today=SUITE_DAY)
    state = State.open(db_url)
    state.drop_all()
    settings = load_settings({"BRCC_DATA_DIR": str(tmp_path)}, dotenv_path=None)
    box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path), state=state)
    box.refresh_catalog()
    yield box
    state.drop_all()
    state.engine.dispose()


def test_a_show_title_of_ten_thousand_characters_is_saved(club):
    shows_now = club.shows(club.listings())
    show = shows_now.iloc[0]
    title = "Friday " * 1500  # 10,500 characters
    club.save_show_mapping(
        show.show_key, list(show.listing_keys), title=title, who=MANAGER, listings=club.listings()
    )
    saved = next(s for s in club.state.saved_shows() if s.show_key == show.show_key)
    assert saved.title == title[:300]


def test_a_value_too_long_is_named_as_such_not_as_an_unreachable_database(club, db_url):
    if not db_url.startswith("mysql"):
        pytest.skip("SQLite keeps a text of any length in any column")
    with pytest.raises(StateUnavailable) as caught, club.state._begin("saving a show") as conn:
        conn.execute(insert(shows).values(show_key="s" * 500, updated_at=None, updated_by="x"))
    message = str(caught.value)
    assert "longer than the database column holds" in message
    assert "reachable" not in message


def listing(title: str) -> ListingState:
    starts = datetime(2026, 12, 4, 20, 0, tzinfo=ZoneInfo("America/Toronto"))
    return ListingState(
        "wc:1", "woocommerce", "single", title=title, starts_at=starts, capacity=55, sold=3,
        pending=0, available=52,
    )  # fmt: skip


def test_a_right_to_left_override_in_a_name_cannot_reverse_the_date_beside_it():
    evil = f"Comedy {RLO}Night"
    preview = preview_change(Change("wc:1", seen_remaining=52, value=56), listing(evil))
    header = preview.label  # the confirmation panel's header
    assert RLO not in header
    assert header == f"{FSI}Comedy Night{PDI} · Website · Fri 4 Dec 20:00"
    # A name that closes the isolate itself cannot let its override out either.
    sneaky = isolate(f"x{PDI}{RLO}y")
    assert sneaky == f"{FSI}xy{PDI}"
    row = {"title": evil, "channel": "woocommerce", "starts_at": listing(evil).starts_at}
    named = listing_name("wc:1", pd.DataFrame([{**row, "listing_key": "wc:1"}]))
    assert RLO not in named and named.endswith("Fri 4 Dec 20:00")


def test_a_show_named_beside_its_date_is_isolated_on_every_picker():
    """The Dashboard's *Act on a show* (and the guard's, Sync's and the show editor's
    pickers) put the title between the date and more words: an override in it reversed
    what followed."""
    starts = pd.Timestamp("2026-12-04 20:00", tz="America/Toronto")
    listed = pd.DataFrame(
        {
            "listing_key": ["eb:1:1"],
            "channel": ["eventbrite"],
            "title": [f"A{RLO}B"],
            "slot_label": [None],
            "starts_at": [starts],
            "sold": pd.array([3], dtype="Int64"),
            "pending": pd.array([0], dtype="Int64"),
            "error": [None],
        }
    )
    (label,) = act_choices(suggest_shows(listed)).values()
    assert label.startswith(f"Fri 4 Dec 20:00 · {FSI}AB{PDI}") and RLO not in label
    assert show_name(starts, f"A{RLO}B") == f"Fri 4 Dec 20:00 · {FSI}AB{PDI}"


# A line that puts a date beside a title without isolating it (show_name, listing_label
# or isolate): the scan below keeps every page on the one way.
RAW_TITLE_BESIDE_DATE = re.compile(r"when_label\(.*\btitle\b|\btitle\b.*when_label\(")


def test_no_page_puts_a_raw_title_beside_a_date():
    package = Path(__file__).parents[1] / "brcc_core"
    raw = [
        f"{path.relative_to(package)}:{n}"
        for path in sorted(package.rglob("*.py"))
        if "sandbox" not in path.relative_to(package).parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if RAW_TITLE_BESIDE_DATE.search(code := line.split("#", 1)[0])
        and "isolate(" not in code
        and "show_name(" not in code
    ]
    assert raw == []


def test_a_signed_class_store_of_another_shape_is_set_aside_not_used(club):
    store = CatalogCache(
        club.cache.data_dir, key=club.cache._key, filename="eventbrite-classes.pkl"
    )
    events = [e.event_id for e in club.catalog().events if not e.is_series_parent]
    # Signed by the app, of another shape: every event's answer a list, not KeptClasses.
    store.save(dict.fromkeys(events, ["not", "kept classes"]))
    club.catalogs._kept_classes = None  # a restart reads the store again
    result = club.refresh_catalog()  # was: every refresh failed until the file was deleted
    assert "eventbrite" not in result.errors
    assert store.rejected_path.exists()
    assert result.classes_read > 0


class _CountedWalks(tuple):
    """An event's classes that count how often they are walked through."""

    walks = 0

    def __iter__(self):
        type(self).walks += 1
        return super().__iter__()


def test_an_event_of_ten_thousand_classes_is_walked_once_not_once_a_class():
    """Choosing an event of 10,000 ticket classes on Inventory took 15-29 s: each class's
    figures were found by a scan of all of them (10,000² steps on every view)."""
    classes = [
        TicketClass(str(n), f"Class {n}", "1", capacity=5, quantity_total=5, quantity_sold=n % 3)
        for n in range(10_000)
    ]
    now = datetime(2026, 12, 2, 19, 0, tzinfo=ZoneInfo("UTC"))
    seats = event_seats(classes, event_capacity=None, capacity_is_custom=False, now=now)
    counted = replace(seats, classes=_CountedWalks(seats.classes))
    found = [counted.of(c.ticket_class_id) for c in classes]
    assert [f.sold for f in found] == [c.quantity_sold for c in classes]
    assert _CountedWalks.walks <= 1
