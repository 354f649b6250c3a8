"""The Tonight page (AppTest from streamlit_app.py) at the door after midnight: opened first
on a fresh server it finds tonight's shows (it builds the catalog as every other page does,
never "No show tonight" for want of one), and it is headed with the night it lists, not the
calendar day (issue 26).

The moment: 00:30 on Thursday 3 December 2026, still Wednesday's night at the door (it runs
until 4am); the demo has shows at 20:00 and 22:00 every weekday."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from brcc_core.channels import http
from brcc_core.ui.tonight import NO_SHOW_TONIGHT
from tests.app_env import clear_settings

ROOT = Path(__file__).parents[1]
APP = str(ROOT / "streamlit_app.py")
TONIGHT = "pages/tonight.py"
DOOR_MOMENT = "2026-12-03T00:30:00-05:00"
pytestmark = pytest.mark.moment(DOOR_MOMENT)


@pytest.fixture
def fresh_server(tmp_path, monkeypatch):
    """A new club in its own data dir: no catalog saved yet, none in memory."""
    clear_settings(monkeypatch)
    monkeypatch.setenv("BRCC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BRCC_SANDBOX_HISTORY_WEEKS", "2")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(http, "_sleep", lambda seconds: None)
    return tmp_path


def open_tonight_first() -> AppTest:
    """Tonight as the first page this server runs (a bookmarked /tonight at the door)."""
    at = AppTest.from_file(APP, default_timeout=240)
    at.switch_page(TONIGHT)  # before the first run: the Dashboard never ran
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Tonight"
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    return [str(e.value) for e in at.get(kind)]


def test_tonight_opened_first_on_a_fresh_server_finds_tonights_shows(fresh_server):
    at = open_tonight_first()
    assert not any(NO_SHOW_TONIGHT in i for i in texts(at, "info")), texts(at, "info")
    # Wednesday's 20:00 and 22:00 shows, each in its card with its channels' table.
    headings = [h.value for h in at.subheader]
    assert len(at.table) == len(headings) >= 2, headings
    assert any(h.startswith("20:00 · ") for h in headings), headings
    assert any(h.startswith("22:00 · ") for h in headings), headings


def test_after_midnight_tonight_is_headed_with_the_night_it_lists(fresh_server):
    at = open_tonight_first()
    shown = " ".join(texts(at, "caption") + texts(at, "info"))
    assert "Wed 2 Dec (tonight)" in shown, shown
    # The calendar day (Thursday already) is not the night the door is working.
    assert "Thu 3 Dec" not in shown, shown
