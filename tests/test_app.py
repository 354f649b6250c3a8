"""The Streamlit app on the sandbox, driven by AppTest from streamlit_app.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_env import clear_settings

ROOT = Path(__file__).parents[1]
APP = str(ROOT / "streamlit_app.py")


@pytest.fixture
def demo_env(monkeypatch, tmp_path):
    clear_settings(monkeypatch)
    monkeypatch.setenv("BRCC_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    return tmp_path


def run_page(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


@pytest.mark.parametrize("page", [None, "pages/comparison.py", "pages/inventory.py"])
def test_every_page_renders_on_demo_data(demo_env, page):
    at = run_page(page)
    assert not at.exception
    assert any("Demo data from the built-in sandbox" in i.value for i in at.info)


def test_bad_settings_show_a_message_not_a_traceback(demo_env, monkeypatch):
    monkeypatch.setenv("BRCC_EB_TOKEN", "EBTOKENSECRET99")
    at = run_page()
    assert not at.exception
    text = " ".join(e.value for e in at.error)
    assert "BRCC_WC_URL" in text and "EBTOKENSECRET99" not in text
