"""Every integration through every fault the sandbox can inject, on a first build and with
an earlier catalog, every page rendered with AppTest: no exception, no figure shown as a
number where its inputs are unknown, the reason on screen, no saved data lost.

One seeded sandbox database (with hostile names in it) and one earlier catalog are made
once for the module; each case gets its own data dir with copies of the small files, so
it gets its own BoxOffice, faults, app-state DB and catalog cache.
"""

from __future__ import annotations

import re
import shutil
import socket
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
import requests
from requests.adapters import BaseAdapter
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from brcc_core.boxoffice import BoxOffice
from brcc_core.channels import http
from brcc_core.channels.wordpress import WordPressReader
from brcc_core.common.club import Channel
from brcc_core.common.windows import local_now, upcoming_shows
from brcc_core.sandbox.app import SANDBOX_BASE_URL
from brcc_core.settings import load_settings
from brcc_core.store.saved_shows import SavedShow
from brcc_core.store.state import State
from brcc_core.ui.app import _boxoffice
from brcc_core.views.dashboard import UPCOMING_COLUMNS
from tests.app_env import clear_settings

ROOT = Path(__file__).parents[1]
APP = str(ROOT / "streamlit_app.py")
COMPARISON, INVENTORY = "pages/comparison.py", "pages/inventory.py"
SAVED_VENUE_CAPACITY = 30
HOSTILE_PRODUCT = (
    "**Bold** [click me](http://evil.example/x) ![](http://evil.example/pixel.png) "
    "<img src=http://evil.example/i.png> :red[alert] $x$"
)
HOSTILE_EVENT = "[EB link](http://evil.example/eb) # heading <b>bold</b>"
HTTP_FAULTS = ("5xx", "429", "timeout", "malformed_json", "unreachable")


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Refusing(BaseAdapter):
    """A transport whose every connection is refused (a host that is down)."""

    def send(self, request, **kwargs):
        raise requests.exceptions.ConnectionError(
            ConnectionRefusedError(111, "Connection refused"), request=request
        )

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class Template:
    sandbox_url: str
    earlier: Path  # catalog.pkl + cache.key of an earlier, healthy refresh
    state: Path  # state.db with one confirmed show at SAVED_VENUE_CAPACITY
    saved_show: str


def _env(mp: pytest.MonkeyPatch, data_dir: Path, sandbox_url: str, **extra: str) -> None:
    clear_settings(mp)
    mp.setenv("BRCC_DATA_DIR", str(data_dir))
    mp.setenv("BRCC_SANDBOX_DB_URL", sandbox_url)
    for name, value in extra.items():
        mp.setenv(name, value)
    mp.chdir(data_dir)
    mp.setattr(http, "_sleep", lambda seconds: None)


def app_boxoffice() -> BoxOffice:
    settings = load_settings()
    return _boxoffice(settings.fingerprint(), settings)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Template:
    """Seed once: the sandbox (names made hostile), an earlier catalog, a saved show."""
    root = tmp_path_factory.mktemp("fault-template")
    sandbox_url = f"sqlite:///{root / 'sandbox.db'}"
    with pytest.MonkeyPatch.context() as mp:
        _env(mp, root, sandbox_url)
        box = BoxOffice.from_settings(load_settings())
        with box.sandbox.engine.begin() as conn:
            conn.execute(
                text("UPDATE wp_posts SET post_title = :t WHERE post_type = 'product'"),
                {"t": HOSTILE_PRODUCT},
            )
            conn.execute(text("UPDATE sandbox_eb_events SET name = :t"), {"t": HOSTILE_EVENT})
        box.refresh_catalog()
        # The earlier refresh was an hour ago, so its age is plain in every caption (a
        # refresh seconds before the case would rightly read "0 min ago").
        hour_ago = timedelta(hours=1)
        earlier_catalog = box.catalog()
        box.cache.save(
            replace(
                earlier_catalog,
                fetched_at=earlier_catalog.fetched_at - hour_ago,
                eventbrite_fetched_at=earlier_catalog.eventbrite_fetched_at - hour_ago,
            )
        )
        now = local_now(box.settings.timezone)
        shows = upcoming_shows(box.shows(), now, 7)
        both = shows[shows["channels"].apply(len) == 2].iloc[0]
        state = State.open(f"sqlite:///{root / 'state.db'}")
        state.save_show(
            SavedShow(both.show_key, tuple(both.listing_keys), SAVED_VENUE_CAPACITY), who="test"
        )
    earlier = root / "earlier"
    earlier.mkdir()
    for name in ("catalog.pkl", "cache.key"):
        shutil.copy(root / name, earlier / name)
    return Template(sandbox_url, earlier, root / "state.db", both.show_key)


def case_dir(template: Template, tmp_path: Path, earlier: bool) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(template.state, data / "state.db")
    if earlier:
        for name in ("catalog.pkl", "cache.key"):
            shutil.copy(template.earlier / name, data / name)
    return data


def texts(at: AppTest, *kinds: str) -> list[str]:
    return [str(e.value) for kind in kinds for e in getattr(at, kind)]


def saved_shows_in(path: Path) -> list[SavedShow]:
    return State.open(f"sqlite:///{path}").saved_shows()


UNESCAPED_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")


def assert_honest(at: AppTest, page: str) -> None:
    """What every page must satisfy under any fault."""
    assert not at.exception, (page, [e.value for e in at.exception])
    for body in texts(at, "markdown", "caption", "warning", "error", "info", "success"):
        # names from outside are plain text: no link, image or HTML made of them
        assert not UNESCAPED_LINK.search(body), (page, body)
        assert not re.search(r"(?<!\\)<(img|b)\b", body), (page, body)


def assert_dashboard_honest(at: AppTest) -> pd.DataFrame:
    assert_honest(at, "dashboard")
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) >= {"Shows", "Seats sold", "Sell-through", "Pending"}
    if not at.dataframe:
        return pd.DataFrame(columns=UPCOMING_COLUMNS)
    table = at.dataframe[0].value
    for row in table.to_dict("records"):
        unknown = pd.isna(row["sold_woocommerce"]) or pd.isna(row["sold_eventbrite"])
        unknown = unknown or pd.isna(row["pending"])
        if unknown:  # a total built on an unknown part is unknown too
            assert pd.isna(row["remaining"]) and pd.isna(row["sell_through"]), row
            state = row["flag"].split(" · ")[0]
            assert state in ("❓ sold unknown", "⚠️ nearly full") or state.startswith(
                "⛔ oversold +"
            ), row
            # exposure needs the room's seats left: unknown, unless unlimited stock bounds nothing
            assert pd.isna(row["exposure"]) or row["exposure"] == "unlimited", row
    week = table.iloc[: int(metrics["Shows"])]
    if week[["sold_woocommerce", "sold_eventbrite", "pending"]].isna().any(axis=None):
        assert metrics["Seats sold"] == "unknown" and metrics["Sell-through"] == "unknown"
    return table


def assert_comparison_honest(at: AppTest) -> None:
    assert_honest(at, "comparison")
    summary = {m.label: m.value for m in at.metric if m.label != "Sell-through"}
    cards = [m.value for m in at.metric if m.label == "Sell-through"]
    if summary and "unknown" in cards:
        assert summary["Sold"] == "unknown" and summary["Remaining"] == "unknown"


def render_all(show_key: str, *, refresh: bool = False) -> tuple[AppTest, ...]:
    """Dashboard (then Refresh data when asked), comparison of ``show_key`` and inventory,
    as one manager moving between pages: each page is checked before the next."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["shows"] = show_key
    at.run()
    dashboard = assert_dashboard_honest(at)
    if refresh:
        at.button(key="refresh_data").click().run()
        dashboard = assert_dashboard_honest(at)
    shown = dict(dashboard=_shown(at), table=dashboard, metrics=_metrics(at))
    shown["catalog"] = at.session_state["catalog"]
    at.switch_page(COMPARISON).run()
    assert_comparison_honest(at)
    shown["comparison"] = _shown(at)
    at.switch_page(INVENTORY).run()
    assert_honest(at, "inventory")
    return shown


def _shown(at: AppTest) -> str:
    return " ".join(texts(at, "error", "warning", "caption", "markdown"))


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _inject(box: BoxOffice, service: str, fault: str) -> None:
    client = box.woocommerce if service == "woocommerce" else box.eventbrite
    if fault == "unreachable":
        client.session.mount(SANDBOX_BASE_URL, Refusing())
    else:
        box.sandbox.faults.inject(service, fault, times=100_000)


REASONS = {
    "5xx": "HTTP 503",
    "429": "limiting how fast",
    "timeout": "timed out",
    "malformed_json": "not JSON",
    "unreachable": "refused",
}


# --- the APIs ----------------------------------------------------------------------------
@pytest.mark.parametrize("earlier", [False, True], ids=["first-build", "earlier-catalog"])
@pytest.mark.parametrize("fault", HTTP_FAULTS)
@pytest.mark.parametrize("service", ["woocommerce", "eventbrite"])
def test_an_api_fault(template, tmp_path, monkeypatch, service, fault, earlier):
    data = case_dir(template, tmp_path, earlier)
    _env(monkeypatch, data, template.sandbox_url)
    box = app_boxoffice()
    before = box.catalog()
    _inject(box, service, fault)
    # first build: the page builds the catalog under the fault; earlier: Refresh data
    shown = render_all(template.saved_show, refresh=earlier)

    name = "WooCommerce" if service == "woocommerce" else "Eventbrite"  # the system
    text = shown["dashboard"]
    assert f"{name} API" in text and "is down" in text
    reason = "limit" if (service, fault) == ("eventbrite", "429") else REASONS[fault]
    assert reason in text, text
    table, catalog = shown["table"], shown["catalog"]
    column = f"sold_{service}"
    if earlier:
        # the earlier part is kept and dated; nothing known before is forgotten
        assert f"The last refresh could not read {Channel(service).label}" in text
        if service == "eventbrite":
            assert catalog.ticket_classes == before.ticket_classes
            assert catalog.eventbrite_fetched_at == before.eventbrite_fetched_at
            assert "Eventbrite numbers from 0 min ago" not in text
        else:
            assert catalog.products == before.products
        assert table[column].notna().any()
    else:
        assert catalog.unknown_channels().keys() == {service}
        assert len(table) and table[column].isna().all()  # unknown, never 0
        assert shown["metrics"]["Seats sold"] == "unknown"
        assert f"{Channel(service).label} sold unknown" in shown["comparison"]
    saved = table[table["show_key"] == template.saved_show]
    assert saved.empty or int(saved["venue_capacity"].iloc[0]) == SAVED_VENUE_CAPACITY
    assert [s.venue_capacity for s in saved_shows_in(data / "state.db")] == [30]


# --- the WordPress database ---------------------------------------------------------------
@pytest.mark.parametrize("earlier", [False, True], ids=["first-build", "earlier-catalog"])
def test_the_wordpress_database_unreachable(template, tmp_path, monkeypatch, earlier):
    from sqlalchemy import create_engine

    data = case_dir(template, tmp_path, earlier)
    _env(monkeypatch, data, template.sandbox_url)
    box = app_boxoffice()
    box.wordpress = WordPressReader(
        create_engine(
            f"mysql+pymysql://nobody@127.0.0.1:{dead_port()}/wp",
            connect_args={"connect_timeout": 2},
        ),
        "wp_",
    )
    shown = render_all(template.saved_show)
    table = shown["table"]
    assert "WordPress DB" in shown["dashboard"] and "unreachable" in shown["dashboard"]
    site = table["sold_woocommerce"].isna()
    assert site.sum() > len(table) / 2  # every show with a listing on the site
    assert (table.loc[~site, "sold_woocommerce"] == 0).all()  # the catalog says: none there
    assert table.loc[site, "pending"].isna().all()
    assert table["sold_eventbrite"].notna().any()  # Eventbrite's part still shows
    assert shown["metrics"]["Seats sold"] == "unknown"
    assert "sold unknown: " in shown["comparison"]
    assert [s.venue_capacity for s in saved_shows_in(data / "state.db")] == [30]


# --- the app-state database ---------------------------------------------------------------
@pytest.mark.parametrize("earlier", [False, True], ids=["first-build", "earlier-catalog"])
def test_the_app_state_database_unreachable(template, tmp_path, monkeypatch, earlier):
    data = case_dir(template, tmp_path, earlier)
    dead = f"mysql+pymysql://nobody@127.0.0.1:{dead_port()}/state"
    _env(monkeypatch, data, template.sandbox_url, BRCC_STATE_DB_URL=dead)
    shown = render_all(template.saved_show)
    for page in ("dashboard", "comparison"):
        assert "Saved shows could not be read" in shown[page]
    assert "default venue capacity of 55" in shown["dashboard"]
    assert (shown["table"]["venue_capacity"] == 55).all()
    # nothing was lost: the confirmed show is still in its database
    assert [s.venue_capacity for s in saved_shows_in(data / "state.db")] == [30]


# --- the catalog cache -----------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["tampered", "directory", "truncated"])
def test_a_damaged_catalog_cache_is_set_aside_and_rebuilt(template, tmp_path, monkeypatch, damage):
    data = case_dir(template, tmp_path, earlier=True)
    cache = data / "catalog.pkl"
    if damage == "tampered":
        raw = bytearray(cache.read_bytes())
        raw[-10] ^= 0xFF
        cache.write_bytes(bytes(raw))
    elif damage == "directory":
        cache.unlink()
        cache.mkdir()
    else:
        cache.write_bytes(cache.read_bytes()[:20])
    _env(monkeypatch, data, template.sandbox_url)
    shown = render_all(template.saved_show)
    assert "The saved catalog was discarded" in shown["dashboard"]
    assert cache.is_file()  # rebuilt
    assert any(p.name.startswith("catalog.pkl.rejected") for p in data.iterdir())
    assert len(shown["table"]) > 0


# --- a refresh in the page ------------------------------------------------------------------
def test_a_refresh_draws_its_progress_without_missing_run_context_warnings(
    template, tmp_path, monkeypatch, caplog
):
    import logging

    data = case_dir(template, tmp_path, earlier=True)
    _env(monkeypatch, data, template.sandbox_url)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        at.button(key="refresh_data").click().run()
    assert not at.exception
    assert any(s.label.startswith("Catalog refreshed in") for s in at.get("status"))
    progress = " ".join(texts(at, "markdown"))
    # Each line says what it counts: the event list arrives in pages, not events (issue 26).
    assert "Eventbrite: events whose ticket classes are read: " in progress
    assert "Eventbrite: pages of events read: " in progress
    assert "Eventbrite events: " not in progress
    workers = [r.getMessage() for r in caplog.records if "ScriptRunContext" in r.getMessage()]
    assert workers == [], workers  # Eventbrite's worker threads never touch Streamlit
    cost = " ".join(texts(at, "caption"))
    assert re.search(r"A refresh costs about \d+ Eventbrite calls · [\d,]+ of 2,000 left", cost)


def test_a_refresh_against_a_hanging_eventbrite_ends_by_its_deadline_and_says_so(
    template, tmp_path, monkeypatch
):
    import time

    data = case_dir(template, tmp_path, earlier=True)
    _env(
        monkeypatch,
        data,
        template.sandbox_url,
        BRCC_REFRESH_DEADLINE_SECONDS="3",
        BRCC_PAGE_DEADLINE_SECONDS="1",
    )
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    box = app_boxoffice()
    before = box.catalog()
    box.sandbox.faults.latency["eventbrite"] = 30  # every Eventbrite answer held 30 s
    try:
        started = time.monotonic()
        at.button(key="refresh_data").click().run()
        took = time.monotonic() - started
    finally:
        box.sandbox.faults.latency.clear()
    assert not at.exception
    assert took < 30  # 3 s for the refresh, 1 s for the health checks, and the rendering
    (status,) = [s for s in at.get("status") if s.label.startswith("Catalog refreshed in")]
    assert status.state == "error"
    warning = " ".join(texts(at, "warning"))
    assert "Eventbrite: no answer within 3 s (timed out)" in warning
    kept = re.search(r"keeping the part read (\d+) min ago", warning)
    assert kept and int(kept.group(1)) >= 60, warning  # the earlier refresh, an hour old
    progress = " ".join(texts(at, "markdown"))
    assert "Website: pages of products read: " in progress  # its progress drawn
    captions = " ".join(texts(at, "caption"))
    assert f"Eventbrite numbers from {kept.group(1)} min ago" in captions
    catalog = at.session_state["catalog"]
    assert catalog.eventbrite_fetched_at == before.eventbrite_fetched_at
    assert catalog.ticket_classes == before.ticket_classes
