"""Who sees what, driven by AppTest from streamlit_app.py: signed out, signed in without a
role, a viewer, the demo identity switch, a meeting link, and live mode without sign-in
(against the sandbox served on loopback, as the club's real systems would be)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from streamlit.testing.v1 import AppTest

from brcc_core.boxoffice import BoxOffice
from brcc_core.people.access import Actor, LinkInvalid
from brcc_core.sandbox.constants import (
    SANDBOX_EB_ORGANIZATION_ID,
    SANDBOX_EB_TOKEN,
    SANDBOX_WC_CONSUMER_KEY,
    SANDBOX_WC_CONSUMER_SECRET,
)
from brcc_core.settings import load_settings
from brcc_core.ui.text import ZERO_WIDTH_SPACE
from tests import faketime_sleep
from tests.app_env import clear_settings

ROOT = Path(__file__).parents[1]
APP = str(ROOT / "streamlit_app.py")
ADMIN = "boss@club.example"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-some-length",
    "client_id": "brcc",
    "client_secret": "not-a-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
WRITE_BUTTONS = ("inv_minus", "inv_plus", "inv_set", "inv_map_save", "inv_rule_add")


@pytest.fixture
def demo_env(monkeypatch, tmp_path):
    clear_settings(monkeypatch)
    monkeypatch.setenv("BRCC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BRCC_ADMINS", ADMIN)
    monkeypatch.chdir(tmp_path)  # no stray .env or secrets from the developer's checkout
    return tmp_path


def app(user: dict | None = None, *, sign_in: bool = True) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    if sign_in:
        at.secrets["auth"] = AUTH
    if user is not None:
        at.user = user
    return at


ISSUER = "https://login.club.example"


def signed_in(email: str, **claims) -> dict:
    """``st.user`` after a sign-in: the ID token's claims (the provider vouches for the
    e-mail unless ``claims`` say otherwise; the account's subject is the e-mail's name)."""
    return {
        "is_logged_in": True,
        "email": email,
        "email_verified": True,
        "iss": ISSUER,
        "sub": f"sub-{email}",
        "name": email.split("@")[0],
        **claims,
    }


def texts(elements) -> str:
    """What the elements show, as a reader sees it (``ui.text.plain`` breaks links up
    with zero-width spaces)."""
    return " ".join(str(e.value) for e in elements).replace(ZERO_WIDTH_SPACE, "")


def button_keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button}


def grant(email: str, role: str) -> None:
    box = BoxOffice.from_settings(load_settings())
    box.set_role(email, role, who=box.actor_for(ADMIN))


def test_signed_out_people_see_only_the_sign_in_button(demo_env):
    at = app({"is_logged_in": False})
    at.run()
    assert not at.exception
    assert "sign_in" in button_keys(at)
    assert not at.metric and not at.dataframe
    assert "Demo data" not in texts(at.info)


def test_signed_in_without_a_role_sees_ask_an_admin_and_no_data(demo_env):
    at = app(signed_in("stranger@club.example"))
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Ask an admin for access"]
    assert "stranger@club.example" in texts(at.warning)
    assert not at.metric and not at.dataframe
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/inventory.py")  # no page of the app is open to them


def test_roles_that_cannot_be_read_are_a_message_not_a_traceback_nor_data(demo_env, monkeypatch):
    monkeypatch.setenv("BRCC_STATE_DB_URL", "mysql+pymysql://nobody:pw@127.0.0.1:1/none")
    at = app(signed_in("someone@club.example"))  # BRCC_ADMINS would need no database
    at.run()
    assert not at.exception
    assert "cannot be checked right now" in texts(at.error)
    assert "pw" not in texts(at.error)
    assert not at.metric and not at.dataframe


def test_a_viewer_reads_everything_but_sees_no_write_control(demo_env):
    grant("viewer@club.example", "viewer")
    at = app(signed_in("viewer@club.example"))
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Dashboard"]
    assert at.metric  # the data is there
    assert "viewer@club.example" in texts(at.sidebar.markdown)
    at.switch_page("pages/inventory.py")
    at.run()
    assert not at.exception
    assert at.metric  # a listing's numbers
    assert "signed in as a viewer" in texts(at.info)
    assert not button_keys(at) & set(WRITE_BUTTONS)
    assert "inv_sync_apply" not in button_keys(at)


def test_an_admin_signs_in_from_the_setting_and_gives_roles_on_the_people_page(demo_env):
    at = app(signed_in(ADMIN))
    at.run()
    at.switch_page("pages/people.py")
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["People and roles"]
    at.text_input(key="people_email").input("New.Manager@club.example")
    at.selectbox(key="people_role").select("manager")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    assert "new.manager@club.example is a manager now" in texts(at.success)

    box = BoxOffice.from_settings(load_settings())
    assert box.actor_for("new.manager@club.example").role == "manager"
    log = box.audit_log(who=ADMIN)
    assert log[["action", "listing_key", "what"]].values.tolist() == [
        ["role", "new.manager@club.example", "role"],
        ["refresh", "catalog", "first catalog build"],  # the first page the admin opened
    ]
    assert log.iloc[0]["after"] == "manager"


def test_the_demo_identity_switch_shows_what_each_role_can_do(demo_env):
    at = app(sign_in=False)
    at.run()
    assert not at.exception
    switch = at.sidebar.radio(key="demo_identity")
    assert switch.value == "manager"
    at.switch_page("pages/inventory.py")
    at.run()
    assert {"inv_minus", "inv_set"} <= button_keys(at)

    at.sidebar.radio(key="demo_identity").set_value("viewer").run()
    assert not at.exception
    assert not button_keys(at) & set(WRITE_BUTTONS)
    assert "signed in as a viewer" in texts(at.info)

    at.sidebar.radio(key="demo_identity").set_value("admin").run()
    at.switch_page("pages/people.py")
    at.run()
    assert [t.value for t in at.title] == ["People and roles"]
    assert at.dataframe


def test_a_meeting_link_opens_without_sign_in_and_stops_when_revoked(demo_env):
    box = BoxOffice.from_settings(load_settings())
    box.refresh_catalog()
    show = box.shows().iloc[0]
    link, token = box.create_meeting_link(
        [show.show_key], "1 day", title="Monday meeting", who=box.actor_for(ADMIN)
    )
    at = app({"is_logged_in": False})  # sign-in is configured; the link needs none
    at.query_params["meeting"] = token
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Monday meeting"]
    assert at.metric  # key figures and the comparison card
    assert "Read-only meeting view; this link works until" in texts(at.caption)
    assert ADMIN not in texts(at.caption)  # no staff e-mail for whoever holds the link
    assert not at.button and not at.sidebar.radio

    box.revoke_meeting_link(link.link_id, who=box.actor_for(ADMIN))
    again = app({"is_logged_in": False})
    again.query_params["meeting"] = token
    again.run()
    assert "was revoked" in texts(again.error) and ADMIN not in texts(again.error)
    assert not again.metric

    forged = app({"is_logged_in": False})
    forged.query_params["meeting"] = token[:-2] + "xx"
    forged.run()
    assert "not valid" in texts(forged.error) and not forged.metric


# --- live mode without sign-in --------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served_sandbox(mysql_url):
    """The sandbox on MariaDB, served on loopback: to the app it is the club's real
    systems (live mode reads the WordPress database over MySQL)."""
    url = mysql_url
    env = faketime_sleep.with_repo_on_path(ROOT)
    run = [sys.executable, "-m", "brcc_core.sandbox"]
    seeded = subprocess.run([*run, "seed", "--db", url], env=env, cwd=ROOT, capture_output=True)
    assert seeded.returncode == 0, seeded.stderr
    port = _free_port()
    server = subprocess.Popen(
        [*run, "serve", "--db", url, "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(base, timeout=2)
            break
        except requests.ConnectionError:
            assert server.poll() is None and time.monotonic() < deadline, "sandbox did not start"
            time.sleep(0.2)
    yield base, url
    server.terminate()
    server.wait(timeout=10)


def test_live_mode_without_sign_in_is_read_only_and_says_why(demo_env, monkeypatch, served_sandbox):
    base, db_url = served_sandbox
    live = {
        "BRCC_WC_URL": base,
        "BRCC_WC_CONSUMER_KEY": SANDBOX_WC_CONSUMER_KEY,
        "BRCC_WC_CONSUMER_SECRET": SANDBOX_WC_CONSUMER_SECRET,
        "BRCC_EB_TOKEN": SANDBOX_EB_TOKEN,
        "BRCC_EB_ORGANIZATION_ID": SANDBOX_EB_ORGANIZATION_ID,
        "BRCC_EB_API_URL": f"{base}/v3",
        "BRCC_WP_DB_URL": db_url,
    }
    for name, value in live.items():
        monkeypatch.setenv(name, value)
    # The club's systems run on the real clock (BRCC_NOW is refused in live mode); what
    # this test checks does not depend on the date.
    monkeypatch.delenv("BRCC_NOW")
    assert not load_settings().is_demo
    at = app(sign_in=False)
    at.run()
    assert not at.exception
    assert at.metric  # the club's numbers are readable
    assert "sign-in is not configured" in texts(at.sidebar.info)
    assert "demo_identity" not in [r.key for r in at.sidebar.radio]  # no switch outside demo
    at.switch_page("pages/inventory.py")
    at.run()
    assert not at.exception
    assert at.metric
    assert "sign-in is not configured" in texts(at.info)
    assert not button_keys(at) & set(WRITE_BUTTONS)

    # and the facade refuses a demo identity or anonymous write in live mode
    box = BoxOffice.from_settings(load_settings())
    box.refresh_catalog()
    listings = box.listings()
    row = listings[listings["channel"] == "woocommerce"].iloc[0]
    from brcc_core.capacity.engine import Change
    from brcc_core.people.access import AccessDenied

    for who in (None, Actor.demo("manager"), Actor.unsigned()):
        with pytest.raises(AccessDenied):
            box.apply_change(Change(row.listing_key, seen_remaining=1, value=2), who=who)
    log = box.audit_log()  # refused, each on record, and nothing else changed
    refused = log[log["action"] == "access"]
    assert refused["result"].tolist() == ["refused"] * 3
    assert sorted(refused["who"]) == ["anonymous", "demo-manager@sandbox", "nobody"]
    assert set(log["action"]) == {"access", "refresh"}  # the first catalog build


def test_a_manager_creates_and_revokes_a_meeting_link_in_the_app(demo_env):
    at = app(sign_in=False)  # demo identity: manager
    at.query_params["shows"] = "show:2026-12-04T20:00"  # the link is for Friday's 8pm
    at.run()
    at.switch_page("pages/meeting_links.py")
    at.run()
    assert not at.exception
    at.text_input(key="meeting_title").input("Monday programming")
    at.selectbox(key="meeting_lifetime").select("4 hours")
    next(b for b in at.button if b.label == "Create link").click().run()
    assert not at.exception
    assert "Link created: Monday programming" in texts(at.success)
    url = at.code[0].value
    assert "?meeting=" in url
    table = at.dataframe[0].value
    assert table[["title", "created_by", "status"]].values.tolist() == [
        ["Monday programming", "demo-manager@sandbox", "active"]
    ]
    # The link's shows are named by day and time, never by their keys (issue 26).
    shown = table["selection"].iloc[0]
    assert shown == "show Fri 4 Dec 20:00", shown
    token = parse_qs(urlsplit(url).query)["meeting"][0]
    box = BoxOffice.from_settings(load_settings())
    assert box.open_meeting_link(token).title == "Monday programming"

    at.button(key="meeting_revoke").click().run()
    assert "Link revoked" in texts(at.success)
    assert at.dataframe[0].value["status"].tolist() == ["revoked"]
    with pytest.raises(LinkInvalid, match="was revoked"):
        box.open_meeting_link(token)

    at.sidebar.radio(key="demo_identity").set_value("viewer").run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/meeting_links.py")  # viewers have no meeting links page
