"""Meeting links (issue 21, smaller items): a crafted token is "not a valid link", never the
page's catch-all with a traceback, and full-width digits are not read as the same expiry;
the view a link opens shows its title as text and names no staff e-mail."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from brcc_core.boxoffice import BoxOffice
from brcc_core.people.access import Access, Actor, LinkInvalid
from brcc_core.settings import load_settings
from brcc_core.store.state import State
from brcc_core.ui.text import ZERO_WIDTH_SPACE
from tests.app_env import clear_settings

ROOT = Path(__file__).parents[1]
APP = str(ROOT / "streamlit_app.py")
MANAGER = "mgr@club.example"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class Clock:
    now = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def access(db_url) -> Access:
    state = State.open(db_url)
    state.drop_all()
    yield Access(state.engine, admins=(MANAGER,), clock=Clock())
    state.drop_all()
    state.engine.dispose()


def crafted(token: str) -> list[str]:
    """The link's token with its parts made of look-alike characters."""
    link_id, expires, signature = token.split(".")
    return [
        f"{link_id}.{expires[:-1]}{expires[-1].translate(SUPERSCRIPT)}.{signature}",
        f"{link_id}.{expires.translate(FULL_WIDTH)}.{signature}",  # the same number to int()
        f"{link_id}.{expires}.{signature[:-1]}é",
        f"{link_id}.{expires}.{signature[:-1]}Ａ",
        f"{link_id}é.{expires}.{signature}",
        f"{link_id}.{expires}.{signature}.",
        f"{link_id}..{signature}",
        f"{link_id}.{'9' * 40}.{signature}",
        "ａ.１.ｂ",
        "",
    ]


def test_a_crafted_token_is_not_a_valid_link_and_raises_nothing_else(access):
    _, token = access.create_link(access.actor(MANAGER), ["show:a"], "1 hour", "Real")
    assert access.open_link(token).title == "Real"
    for bad in crafted(token):
        with pytest.raises(LinkInvalid, match="not (valid|complete)"):
            access.open_link(bad)
    with pytest.raises(LinkInvalid):
        access.open_link(None)  # type: ignore[arg-type] - a query parameter gone missing


# --- the view a link opens ------------------------------------------------------------------
@pytest.fixture
def demo(monkeypatch, tmp_path) -> BoxOffice:
    clear_settings(monkeypatch)
    monkeypatch.setenv("BRCC_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    box = BoxOffice.from_settings(load_settings())
    box.refresh_catalog()
    return box


def meeting(token: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["meeting"] = token
    at.run()
    assert not at.exception
    return at


def every_text(at: AppTest) -> str:
    kinds = ("title", "markdown", "caption", "error", "warning", "info", "success")
    return " ".join(str(e.value) for kind in kinds for e in getattr(at, kind))


def test_a_crafted_token_shows_not_valid_without_a_traceback(demo, caplog):
    _, token = demo.create_meeting_link([], "1 hour", title="Ours", who=Actor.demo("manager"))
    for bad in crafted(token)[:4]:
        with caplog.at_level(logging.WARNING):
            at = meeting(bad)
        assert "not valid" in every_text(at), bad
        assert "Something went wrong" not in every_text(at)
        assert not at.metric
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


TITLE = "[Join](http://evil.example/x) ![](http://evil.example/p.png) **now**"


def test_the_meeting_view_shows_its_title_as_text_and_no_staff_e_mail(demo):
    _, token = demo.create_meeting_link([], "1 day", title=TITLE, who=Actor.demo("manager"))
    at = meeting(token)
    title = at.title[0].value
    assert re.sub(r"\\(.)", r"\1", title).replace(ZERO_WIDTH_SPACE, "") == TITLE
    assert not re.search(r"(?<!\\)[\[\]*]", title) and "://" not in title
    shown = every_text(at)
    assert "works until" in shown  # the link's expiry, with its title above
    assert "demo-manager" not in shown and "@sandbox" not in shown
