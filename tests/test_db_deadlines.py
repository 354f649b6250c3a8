"""Issue 22, item 2: every database read has a deadline, and a stuck read holds one view,
not every view. A database that takes the connection and never answers is a MariaDB
behind a loopback proxy that holds every byte (``tests/db_proxy.py``), or a SQLite file
another program holds locked; each on SQLite and MariaDB."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from brcc_core.boxoffice import LIVE_HELD_UP, SAVED_SHOWS_ERROR, BoxOffice
from brcc_core.catalog.cache import CatalogCache
from brcc_core.channels import http
from brcc_core.channels.wordpress import WordPressReader, wordpress_engine
from brcc_core.common.db_engines import database_engine, failure_reason
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from brcc_core.store.saved_shows import SavedShow
from brcc_core.store.state import State
from brcc_core.ui.app import _boxoffice
from brcc_core.ui.live_age import live_age_text
from tests.app_env import clear_settings
from tests.club_time import SUITE_DAY
from tests.db_outage import database_with_outage, wordpress_with_outage

ROOT = __import__("pathlib").Path(__file__).parents[1]
DB_DEADLINE = 3  # a statement the database does not answer ends after this
PAGE_DEADLINE = 1  # how long a view waits for another view's read


@pytest.fixture
def sandbox(engine) -> Sandbox:
    box = Sandbox(engine)
    box.seed(scale="club", seed_number=3, today=SUITE_DAY)
    return box


def settings_for(tmp_path, **extra: str):
    values = {
        "BRCC_DATA_DIR": str(tmp_path),
        "BRCC_DB_DEADLINE_SECONDS": str(DB_DEADLINE),
        "BRCC_PAGE_DEADLINE_SECONDS": str(PAGE_DEADLINE),
        **extra,
    }
    return load_settings(values, dotenv_path=None)


def in_thread(call: Callable[[], object]) -> tuple[threading.Thread, dict]:
    """Run ``call`` as another session would; ``out`` gets its answer and when it came."""
    out: dict = {}

    def run() -> None:
        try:
            out["value"] = call()
        except Exception as exc:  # noqa: BLE001 - the test looks at it
            out["error"] = exc
        out["at"] = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


def sold_on_site(listings) -> int:
    return int(listings.loc[listings.channel == "woocommerce", "sold"].sum())


def test_a_stuck_wordpress_read_holds_one_view_not_every_view(sandbox, db_url, tmp_path):
    with wordpress_with_outage(db_url, tmp_path) as (wp_url, outage):
        box = BoxOffice.on_sandbox(sandbox, settings_for(tmp_path), cache=CatalogCache(tmp_path))
        box.refresh_catalog()
        box.wordpress = WordPressReader(wordpress_engine(wp_url, deadline_seconds=DB_DEADLINE))
        before = box.listings()
        assert before.attrs[LIVE_HELD_UP] is None
        box.live.shared_live.clear()  # as after a change: the next view reads again
        outage.begin()

        first, first_out = in_thread(box.listings)  # reads, and waits on the database
        time.sleep(0.3)
        second, second_out = in_thread(box.listings)  # another session opens a page
        second.join(timeout=DB_DEADLINE * 5)
        assert "value" in second_out, second_out
        first_still_waiting = "at" not in first_out
        first.join(timeout=DB_DEADLINE * 5)
        outage.end()

    # The second view did not wait for the stuck one: the last good numbers, with why.
    assert first_still_waiting
    held = second_out["value"]
    assert sold_on_site(held) == sold_on_site(before)
    assert "has not answered another page's read within 1 s" in held.attrs[LIVE_HELD_UP]
    # The page says when those numbers were read, and why they are not newer.
    age = live_age_text(held, "America/Toronto", share_seconds=5)
    assert age.startswith("WordPress numbers read at ") and age.endswith(
        "these are the last numbers it gave"
    ), age
    # The stuck read itself ended at its deadline: unknown with the reason, never 0.
    stuck = first_out["value"]
    site = stuck[stuck.channel == "woocommerce"]
    assert site["sold"].isna().all()
    reason = site["error"].iloc[0]
    assert f"within {DB_DEADLINE} s" in reason, reason


def test_a_stuck_app_state_read_holds_one_view_not_every_view(sandbox, db_url, tmp_path):
    with database_with_outage(db_url, tmp_path, "state", mode="hang") as (state_url, outage):
        state = State.open(state_url, deadline_seconds=DB_DEADLINE)
        state.drop_all()
        box = BoxOffice.on_sandbox(
            sandbox, settings_for(tmp_path), cache=CatalogCache(tmp_path), state=state
        )
        box.refresh_catalog()
        listings = box.listings()
        show = box.shows(listings).iloc[0]
        state.save_show(SavedShow(show.show_key, tuple(show.listing_keys), 30), who="test")
        box.live.shared_mappings.clear()
        saved = box.shows(listings).set_index("show_key").loc[show.show_key]
        assert int(saved.venue_capacity) == 30
        box.live.shared_mappings.clear()  # shared no longer: the next view reads again
        outage.begin()

        first, first_out = in_thread(lambda: box.shows(listings))
        time.sleep(0.3)
        second, second_out = in_thread(lambda: box.shows(listings))
        second.join(timeout=DB_DEADLINE * 5)
        assert "value" in second_out, second_out
        first_still_waiting = "at" not in first_out
        first.join(timeout=DB_DEADLINE * 5)
        outage.end()
        state.drop_all()

    assert first_still_waiting
    held = second_out["value"]
    assert int(held.set_index("show_key").loc[show.show_key, "venue_capacity"]) == 30
    assert "has not answered another page's read within 1 s" in held.attrs[SAVED_SHOWS_ERROR]
    stuck = first_out["value"]  # its own read gave up: suggestions, saying why
    assert f"within {DB_DEADLINE} s" in stuck.attrs[SAVED_SHOWS_ERROR]


def test_the_dashboard_answers_while_both_databases_hang(sandbox, db_url, tmp_path, monkeypatch):
    with (
        wordpress_with_outage(db_url, tmp_path) as (wp_url, wp_outage),
        database_with_outage(db_url, tmp_path, "state", mode="hang") as (state_url, outage),
    ):
        clear_settings(monkeypatch)
        env = {
            "BRCC_DATA_DIR": str(tmp_path),
            "BRCC_SANDBOX_DB_URL": db_url,
            "BRCC_STATE_DB_URL": state_url,
            "BRCC_DB_DEADLINE_SECONDS": str(DB_DEADLINE),
            "BRCC_PAGE_DEADLINE_SECONDS": str(PAGE_DEADLINE),
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        monkeypatch.setattr(http, "_sleep", lambda seconds: None)
        settings = load_settings()
        box = _boxoffice(settings.fingerprint(), settings)
        box.wordpress = WordPressReader(wordpress_engine(wp_url, deadline_seconds=DB_DEADLINE))
        box.refresh_catalog()
        State.open(state_url).drop_all()
        wp_outage.begin()
        outage.begin()
        try:
            # Before: a hung MariaDB held the page for ever, a locked SQLite file 15 s a
            # statement; the page gives up on each after its deadline.
            at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=25).run()
        finally:
            wp_outage.end()
            outage.end()
        _boxoffice.clear()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(str(e.value) for e in (*at.warning, *at.error, *at.caption, *at.markdown))
    assert "sold unknown" in shown or "Seats sold" in {m.label for m in at.metric}
    assert f"did not answer within {DB_DEADLINE} s (timed out)" in shown or (
        f"stayed locked within {DB_DEADLINE} s" in shown
    ), shown
    assert "Saved shows could not be read" in shown
    assert {m.label: m.value for m in at.metric}["Seats sold"] == "unknown"


def test_a_statement_running_past_its_deadline_is_stopped_on_sqlite(tmp_path):
    engine = database_engine(f"sqlite:///{tmp_path / 'slow.db'}", deadline_seconds=0.5)
    endless = text(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    )
    started = time.monotonic()
    with pytest.raises(Exception) as caught, engine.connect() as conn:
        conn.execute(endless).scalar()
    assert time.monotonic() - started < 10  # it would run for ever
    assert failure_reason(caught.value, engine) == (
        "the database did not answer within 0.5 s (timed out)"
    )
