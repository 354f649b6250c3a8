"""Hole 3 of issue 21 in a browser: downloads that spreadsheets cannot run.

Every product and event of the club is named ``=HYPERLINK("http://evil.example/x","csv")``
and the audit has a refused change naming one; a manager signs in through a real OpenID
Connect provider on loopback (``oidc-provider-mock``) and Chromium downloads the
Comparison and Audit CSVs as the club would. In both files the name is text (OWASP's
leading quote), never a formula. (Every download, the revenue CSV included, is taken from
the pages in AppTest: tests/test_trust_downloads.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

oidc_mock = pytest.importorskip("oidc_provider_mock", reason="oidc-provider-mock not installed")
pytest.importorskip("authlib", reason="Authlib (st.login's dependency) is not installed")

from sqlalchemy import text  # noqa: E402
from test_browser import (  # noqa: E402 - after the skips; shares the server helpers
    FIRST_RUN_SECONDS,
    VIEWPORT,
    assert_no_errors,
    launch_chromium,
    streamlit_server,
    sync_api,
    wait_until_idle,
)
from test_browser_signin import admin_box, sign_in  # noqa: E402

from brcc_core.capacity.preview import Change  # noqa: E402
from brcc_core.common import clock  # noqa: E402
from tests.served_app import free_port  # noqa: E402
from tests.test_trust_downloads import FORMULA, assert_escaped, formula_cells  # noqa: E402

ADMIN = "boss@club.example"
MANAGER = "manager@club.example"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    account = oidc_mock.User(sub=MANAGER, claims={"email": MANAGER, "email_verified": True})
    with oidc_mock.run_server_in_thread(port=free_port(), user_claims=[account]) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def formula_club(tmp_path_factory, provider) -> Iterator[tuple]:
    """The demo club with every product and event named with the formula, a manager's
    refused change of an Eventbrite listing in the audit, served with sign-in configured.
    Yields (the server, an upcoming Eventbrite listing's key)."""
    data_dir = tmp_path_factory.mktemp("formula-signin-club")
    (data_dir / ".streamlit").mkdir()
    (data_dir / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-long-random-cookie-secret-for-the-test"\n'
        'client_id = "brcc-box-office"\n'
        'client_secret = "any-secret-the-mock-accepts"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    box = admin_box(data_dir)
    with box.sandbox.engine.begin() as conn:
        conn.execute(
            text("UPDATE wp_posts SET post_title = :t WHERE post_type = 'product'"), {"t": FORMULA}
        )
        conn.execute(text("UPDATE sandbox_eb_events SET name = :t"), {"t": FORMULA})
    box.refresh_catalog()
    box.set_role(MANAGER, "manager", who=box.actor_for(ADMIN))
    listings = box.listings()
    eventbrite = listings[listings["channel"] == "eventbrite"]
    sold = eventbrite[eventbrite["sold"] > 0].iloc[0]
    result = box.apply_change(  # below what is sold: refused, and on record
        Change(sold.listing_key, seen_remaining=int(sold.available), value=0),
        listings,
        who=box.actor_for(MANAGER),
    )
    assert result.status == "refused"
    upcoming = eventbrite[eventbrite["starts_at"] > clock.now()]
    box.sandbox.engine.dispose()
    with streamlit_server(data_dir) as running:
        yield running, upcoming["listing_key"].iloc[0]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def download(page, button) -> bytes:
    """What the browser saves when ``button`` is pressed."""
    with page.expect_download(timeout=60_000) as saved:
        button.click()
    return Path(saved.value.path()).read_bytes()


def test_a_manager_s_downloads_in_the_browser_offer_the_event_s_name_as_text(formula_club, page):
    club, listing_key = formula_club
    sign_in(page, club, MANAGER)

    page.goto(f"{club.url}/comparison?listings={listing_key}")
    page.get_by_role("heading", name="Comparison").wait_for(timeout=FIRST_RUN_SECONDS * 1000)
    button = page.locator('[data-testid="stDownloadButton"]').get_by_role("button")
    button.first.wait_for(timeout=FIRST_RUN_SECONDS * 1000)
    wait_until_idle(page)
    assert_no_errors(page)
    comparison = download(page, button.first)
    assert_escaped(comparison)
    assert formula_cells(comparison)[0].startswith("'" + FORMULA)

    page.goto(f"{club.url}/inventory")
    page.get_by_role("heading", name="Inventory").wait_for(timeout=FIRST_RUN_SECONDS * 1000)
    wait_until_idle(page)
    page.get_by_role("tab", name="Audit").click()
    page.get_by_text("Audit log").first.wait_for()
    audit = download(page, page.get_by_role("button", name="Download CSV"))
    assert "refused" in audit.decode("utf-8-sig")
    assert_escaped(audit)
