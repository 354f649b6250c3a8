"""The app in a real browser: Debian's Chromium driven by Playwright against a real
``streamlit run`` on the sandbox, at a free loopback port. Screenshots of each page are
saved under the test's temporary directory (the path is printed)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from brcc_core.boxoffice import BoxOffice
from brcc_core.common.windows import local_now
from brcc_core.settings import load_settings
from tests import faketime_sleep, served_app

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FIRST_RUN_SECONDS = 120  # the first page seeds the sandbox and builds the catalog
VIEWPORT = {"width": 1400, "height": 2400}  # tall: Streamlit scrolls inside the page

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
    pytest.skip(
        f"Debian's chromium is not at {CHROMIUM} (apt-get install chromium; .ci/run does)",
        allow_module_level=True,
    )


@dataclass(frozen=True)
class Server:
    url: str
    data_dir: Path


@contextmanager
def streamlit_server(data_dir: Path) -> Iterator[Server]:
    """``streamlit run streamlit_app.py`` on the sandbox in its own data dir; always
    stopped at the end, with its whole process group."""
    try:
        with served_app.streamlit_server(data_dir) as (base, _pid):
            yield Server(base, data_dir)
    except served_app.ServerDidNotStart as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    with streamlit_server(tmp_path_factory.mktemp("browser-club")) as running:
        yield running


def launch_chromium(playwright):
    """Debian's chromium, headless (never under libfaketime: it does not start there)."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=faketime_sleep.without_faketime()
    )


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, tmp_path) -> Iterator:
    context = browser.new_context(viewport=VIEWPORT, timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots in {folder}")
    return folder


def assert_no_errors(page, expected: tuple[str, ...] = ()) -> None:
    """No exception box, and no error message but those named."""
    assert page.locator('[data-testid="stException"]').count() == 0, "an exception reached the page"
    errors = page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    unexpected = [e for e in errors if not any(x in e for x in expected)]
    assert unexpected == [], unexpected


APP_STATE = '[data-testid="stApp"]'


def wait_until_idle(page) -> None:
    """Until the page's script run is over (Streamlit marks it on the app root)."""
    page.locator(f'{APP_STATE}[data-test-script-state="notRunning"]').wait_for(timeout=90_000)


def wait_until_drawn(page) -> None:
    """Until the run is over and what it drew is on screen: every table and chart in view
    has its grid or plot (they draw after the run ends), rather than waiting a fixed time
    that a loaded machine overruns."""
    wait_until_idle(page)
    page.wait_for_function(
        """() => {
            // Tables draw their grid only once scrolled into view: wait for those on screen.
            // (a table in a closed "Details" is laid out but never drawn: not shown).
            const shown = el => {
                const r = el.getBoundingClientRect();
                return el.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})
                    && r.top < innerHeight && r.bottom > 0;
            };
            const tables = [...document.querySelectorAll('[data-testid="stDataFrame"]')]
                .filter(shown);
            const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                .filter(shown);
            // The grid paints its canvas before it lays out the header cells a reader
            // (and a test) finds: a table is drawn when both are there.
            return tables.every(t => t.querySelector('canvas')
                    && t.querySelector('[role="columnheader"]'))
                && charts.every(c => c.querySelector('svg.main-svg'));
        }""",
        polling=100,
        timeout=90_000,
    )


def click_and_wait_for_the_run(page, button) -> None:
    """Click, see the script run start, then wait for it to finish: what is on the page
    in between is the previous run's, not the answer to the click."""
    button.click()
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.getAttribute('data-test-script-state') !== 'notRunning';
        }""",
        polling=10,
        timeout=10_000,
    )
    wait_until_idle(page)


def test_dashboard_loads_and_refresh_data_completes(server, page, shots):
    page.goto(server.url)
    page.get_by_text("Capacity vs sold", exact=False).first.wait_for(
        timeout=FIRST_RUN_SECONDS * 1000
    )
    wait_until_idle(page)
    assert page.get_by_text("Demo data from the built-in sandbox").is_visible()
    assert page.locator('[data-testid="stMetric"]').count() == 6  # key figures
    assert page.get_by_text("Catalog from", exact=False).is_visible()
    assert_no_errors(page)
    page.screenshot(path=shots / "dashboard.png")

    click_and_wait_for_the_run(page, page.get_by_role("button", name="Refresh data"))
    status = page.locator('[data-testid="stExpander"]').filter(has_text="Catalog refreshed in")
    assert status.count() == 1
    assert status.locator('[data-testid="stExpanderIconCheck"]').count() == 1  # complete
    assert page.get_by_text("Catalog from 0 min ago", exact=False).is_visible()
    assert_no_errors(page)
    page.screenshot(path=shots / "dashboard-refreshed.png")


def test_a_comparison_opens_from_a_link(server, page, shots):
    page.goto(server.url)  # the first page load seeds the club when this test runs alone
    page.get_by_text("Capacity vs sold", exact=False).first.wait_for(
        timeout=FIRST_RUN_SECONDS * 1000
    )
    settings = load_settings({"BRCC_DATA_DIR": str(server.data_dir)}, dotenv_path=None)
    box = BoxOffice.from_settings(settings)
    listings = box.listings(box.catalog())
    now = local_now(settings.timezone)
    upcoming = listings[listings["starts_at"] > now]
    shows = sorted({f"show:{t:%Y-%m-%dT%H:%M}" for t in upcoming["starts_at"]})[:3]
    eb_key = upcoming.loc[upcoming["channel"] == "eventbrite", "listing_key"].iloc[0]

    page.goto(f"{server.url}/comparison?shows={','.join(shows)}&listings={eb_key}")
    page.get_by_role("button", name="Download CSV").wait_for(timeout=60_000)  # the last element
    wait_until_idle(page)
    assert_no_errors(page)
    tags = page.locator('[data-testid="stMultiSelectTagsContainer"] [data-tag]')
    assert tags.count() == 4
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert [label.strip() for label in labels].count("Sell-through") == 4  # one per card
    assert page.get_by_text("Summary").is_visible()
    assert "comparison?" in page.url and "shows=" in page.url
    page.screenshot(path=shots / "comparison.png")


def test_inventory_page_renders(server, page, shots):
    page.goto(f"{server.url}/inventory")
    page.get_by_role("heading", name="Inventory").wait_for(timeout=FIRST_RUN_SECONDS * 1000)
    wait_until_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=shots / "inventory.png")


def test_a_page_link_as_a_fresh_servers_first_request_gets_the_apps_navigation(
    tmp_path_factory, browser, shots
):
    # Streamlit would run pages/inventory.py on its own (old multipage mode, raw file
    # names in the sidebar, no page config) when a link is the first request it serves.
    with streamlit_server(tmp_path_factory.mktemp("deep-link")) as fresh:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        try:
            page.goto(f"{fresh.url}/inventory")
            page.get_by_role("heading", name="Inventory").wait_for(timeout=FIRST_RUN_SECONDS * 1000)
            wait_until_idle(page)
            nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
            assert "Dashboard" in nav and "streamlit app" not in nav.lower()
            assert page.locator('[data-testid="stException"]').count() == 0
            page.screenshot(path=shots / "inventory-first-request.png")
        finally:
            context.close()


HOSTILE_NAME = (
    "**Bold** [click me](http://evil.example/x) ![](http://evil.example/pixel.png) "
    "<img src=http://evil.example/i.png> :red[alert]"
)


def test_names_from_the_channels_are_plain_text_in_the_browser(tmp_path_factory, browser, shots):
    """A product and an event named with Markdown and HTML: no link, no image, no markup,
    and the browser never asks for the pixel."""
    with streamlit_server(tmp_path_factory.mktemp("hostile")) as fresh:
        settings = load_settings({"BRCC_DATA_DIR": str(fresh.data_dir)}, dotenv_path=None)
        box = BoxOffice.from_settings(settings)  # seeds the sandbox the server will use
        from sqlalchemy import text

        with box.sandbox.engine.begin() as conn:
            conn.execute(
                text("UPDATE wp_posts SET post_title = :t WHERE post_type = 'product'"),
                {"t": HOSTILE_NAME},
            )
            conn.execute(text("UPDATE sandbox_eb_events SET name = :t"), {"t": HOSTILE_NAME})
        box.refresh_catalog()  # the catalog the server loads holds the hostile names
        listings = box.listings(box.catalog())
        now = local_now(settings.timezone)
        upcoming = listings[listings["starts_at"] > now]
        keys = upcoming.drop_duplicates("channel")["listing_key"].tolist()
        shows = sorted({f"show:{t:%Y-%m-%dT%H:%M}" for t in upcoming["starts_at"]})[:2]

        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        fetched: list[str] = []
        page.on("request", lambda request: fetched.append(request.url))
        try:
            for path in ("", f"/comparison?shows={','.join(shows)}&listings={','.join(keys)}"):
                page.goto(f"{fresh.url}{path}")
                page.get_by_text("Catalog from", exact=False).first.wait_for(
                    timeout=FIRST_RUN_SECONDS * 1000
                )
                wait_until_idle(page)
                assert page.locator('[data-testid="stException"]').count() == 0
                assert page.locator('a[href*="evil.example"]').count() == 0
                assert page.locator('img[src*="evil.example"]').count() == 0
                # "**Bold**" in a name is not made bold (our own bold labels may hold it)
                bold = page.locator('[data-testid="stMain"] strong')
                assert bold.filter(has_text=re.compile(r"^\s*Bold\s*$")).count() == 0
                page.screenshot(path=shots / f"hostile{path[:11].replace('/', '-')}.png")
            page.goto(f"{fresh.url}/comparison?listings={keys[0]}")
            page.get_by_role("button", name="Download CSV").wait_for(timeout=60_000)
            wait_until_idle(page)
            # the name reads as written, markup and all
            assert page.get_by_text("[click me](http:", exact=False).count() >= 1
        finally:
            context.close()
        assert not [url for url in fetched if "evil.example" in url]
