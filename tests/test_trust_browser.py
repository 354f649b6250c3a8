"""Hole 1 of issue 21 in a browser: demo powers never become live ones.

The demo is used as anyone reaching it could (the Demo identity switched to Admin,
``attacker@example.org`` made an admin, a week-long meeting link created); then the same
data folder is started on the club's systems with ``[auth]`` and a real OpenID Connect
provider on loopback, where the attacker's account is verified. Before any sign-in the
app stops with the message that the state belongs to the demo, the attacker's sign-in
never gets a page of the app, and the demo's link opens nothing. (The pages of the demo
part are walked in AppTest: tests/test_trust_state.py.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

pytestmark = pytest.mark.browser

oidc_mock = pytest.importorskip("oidc_provider_mock", reason="oidc-provider-mock not installed")
pytest.importorskip("authlib", reason="Authlib (st.login's dependency) is not installed")

from test_browser import (  # noqa: E402 - after the skips; shares the server helpers
    FIRST_RUN_SECONDS,
    VIEWPORT,
    launch_chromium,
    sync_api,
)

from brcc_core.boxoffice import BoxOffice  # noqa: E402
from brcc_core.common import clock  # noqa: E402
from brcc_core.people.access import Actor  # noqa: E402
from brcc_core.settings import load_settings  # noqa: E402
from tests import served_app  # noqa: E402
from tests.served_app import free_port  # noqa: E402

ATTACKER = "attacker@example.org"
# The club's systems as .env names them; nothing answers there, and a refused start never
# gets as far as calling them.
LIVE = {
    "BRCC_WC_URL": "https://club.invalid",
    "BRCC_WC_CONSUMER_KEY": "ck_live_key_value_1234",
    "BRCC_WC_CONSUMER_SECRET": "cs_live_secret_value_5678",
    "BRCC_EB_TOKEN": "EBTOKENSECRET99",
    "BRCC_EB_ORGANIZATION_ID": "698566935713",
    "BRCC_WP_DB_URL": "mysql+pymysql://wp:dbpass@127.0.0.1:1/wordpress",
    "BRCC_ADMINS": "boss@club.example",
    clock.NOW_VARIABLE: None,  # refused on the club's systems: the real clock there
}


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    account = oidc_mock.User(sub="attacker", claims={"email": ATTACKER, "email_verified": True})
    with oidc_mock.run_server_in_thread(port=free_port(), user_claims=[account]) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def after_the_demo(tmp_path_factory, provider) -> Iterator[tuple[str, str]]:
    """The demo's data folder, used by the attacker, then served on the club's systems.
    Yields (the app's address, the demo's meeting-link token)."""
    folder = tmp_path_factory.mktemp("demo-then-live")
    demo = BoxOffice.from_settings(load_settings({"BRCC_DATA_DIR": str(folder)}, dotenv_path=None))
    demo.refresh_catalog()
    demo.set_role(ATTACKER, "admin", who=Actor.demo("admin"))
    _, token = demo.create_meeting_link([], "1 week", title="Ours", who=Actor.demo("manager"))
    demo.sandbox.engine.dispose()
    (folder / ".streamlit").mkdir()
    (folder / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-long-random-cookie-secret-for-the-test"\n'
        'client_id = "brcc-box-office"\n'
        'client_secret = "any-secret-the-mock-accepts"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    try:
        with served_app.streamlit_server(folder, LIVE, log_name="live.log") as (base, _):
            yield base, token
    except served_app.ServerDidNotStart as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


REFUSED = re.compile("belongs to the demo sandbox")


def test_the_live_start_refuses_the_demo_s_state_before_anyone_signs_in(after_the_demo, page):
    url, _ = after_the_demo
    page.goto(url)
    page.get_by_text(REFUSED).first.wait_for(timeout=FIRST_RUN_SECONDS * 1000)
    assert page.get_by_text("Move that database away", exact=False).first.is_visible()
    assert page.get_by_role("button", name="Sign in").count() == 0  # no way in at all
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert "dbpass" not in page.locator("body").inner_text()
    for path in ("/people", "/inventory", "/oauth2callback"):
        page.goto(url + path)
        page.get_by_text(REFUSED).first.wait_for(timeout=FIRST_RUN_SECONDS * 1000)
        assert page.locator('[data-testid="stDataFrame"]').count() == 0


def test_the_demo_s_meeting_link_opens_nothing_on_the_club_s_systems(after_the_demo, page):
    url, token = after_the_demo
    page.goto(f"{url}/?meeting={token}")
    page.get_by_text(REFUSED).first.wait_for(timeout=FIRST_RUN_SECONDS * 1000)
    assert page.get_by_role("heading", name="Ours").count() == 0
    assert page.locator('[data-testid="stMetric"]').count() == 0


def test_there_is_no_way_to_sign_in_even_by_the_login_route(after_the_demo, page):
    """The attacker's account is verified at the provider, but the app offers no Sign in
    button, and its login route (which needs a token the page would have signed) leads
    back to the refusal."""
    url, _ = after_the_demo
    page.goto(f"{url}/auth/login?provider=default")
    page.get_by_text(REFUSED).first.wait_for(timeout=FIRST_RUN_SECONDS * 1000)
    assert "oauth2/authorize" not in page.url
    assert page.get_by_text("Signed in as", exact=False).count() == 0
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
