"""Identity from a verified sign-in (issue 21, hole 2), and what people type or claim shown
as text.

A provider account whose e-mail was set to an admin's address with ``email_verified:
false`` signed in as that admin. Now a sign-in counts only when the provider vouches for
the e-mail (``email_verified`` true, or an issuer the club lists in
``BRCC_EMAIL_VERIFIED_ISSUERS`` that sends no such claim), and the account that first
signs in with an e-mail keeps it. Facade tests on SQLite and MariaDB; the pages through
AppTest (``st.user`` carries the ID token's claims, as Streamlit passes them); the real
provider on loopback in Chromium: tests/test_browser_signin.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from brcc_core.boxoffice import BoxOffice
from brcc_core.people.access import Access, AccessDenied, unverified_reason
from brcc_core.settings import SettingsError, load_settings
from brcc_core.store.state import State
from brcc_core.ui.text import ZERO_WIDTH_SPACE
from tests.app_env import clear_settings

ROOT = Path(__file__).parents[1]
APP = str(ROOT / "streamlit_app.py")
ADMIN = "boss@club.example"
MANAGER = "manager@club.example"
ISSUER = "https://login.club.example"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-some-length",
    "client_id": "brcc",
    "client_secret": "not-a-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def claims(email: str, subject: str, verified: object = True, issuer: str = ISSUER) -> dict:
    """The ID token's claims, as ``st.user`` holds them (no ``email_verified`` claim at
    all when ``verified`` is ``...``)."""
    found = {"is_logged_in": True, "email": email, "iss": issuer, "sub": subject}
    if verified is not ...:
        found["email_verified"] = verified
    return found


@pytest.mark.parametrize(
    ("verified", "issuer", "accepted"),
    [
        (True, ISSUER, True),
        ("true", ISSUER, True),  # some providers send it as text
        (False, ISSUER, False),
        ("false", ISSUER, False),
        (None, ISSUER, False),  # no claim, provider not listed
        (None, "https://verifies-all.example", True),  # no claim, listed by the club
        (False, "https://verifies-all.example", False),  # a listed provider saying false
        ("yes", ISSUER, False),
    ],
)
def test_only_an_e_mail_the_provider_vouches_for_is_taken(verified, issuer, accepted):
    why = unverified_reason(verified, issuer, ("https://verifies-all.example",))
    assert (why is None) is accepted


@pytest.fixture
def access(db_url) -> Access:
    state = State.open(db_url)
    state.drop_all()
    yield Access(state.engine, admins=(ADMIN,), audit=state.append_audit)
    state.drop_all()
    state.engine.dispose()


def audit(access: Access):
    return State(access.engine).audit_log()


def test_an_unverified_e_mail_claiming_the_admin_s_address_gets_no_role(access):
    attacker = access.sign_in(claims(ADMIN, "attacker-account", verified=False))
    assert attacker.role is None and attacker.via == "refused"
    assert "not verified" in attacker.note
    with pytest.raises(AccessDenied):
        access.require(attacker, "viewer", "read")
    # On record once with the account that tried, however many page runs it makes.
    access.sign_in(claims(ADMIN, "attacker-account", verified=False))
    log = audit(access)
    tried = log[log["action"] == "sign-in"]
    # named as what it was, so the admin's own record does not show the attempt as theirs
    assert tried[["who", "listing_key", "result"]].values.tolist() == [
        [f"unaccepted sign-in as {ADMIN}", ADMIN, "refused"]
    ]
    assert "subject attacker-account" in tried.iloc[0]["note"]
    # The real admin's verified sign-in still works: the refused one tied nothing.
    assert access.sign_in(claims(ADMIN, "boss-account")).role == "admin"


def test_a_second_account_claiming_a_taken_e_mail_is_refused_until_an_admin_frees_it(access):
    access.set_role(access.sign_in(claims(ADMIN, "boss-account")), MANAGER, "manager")
    assert access.sign_in(claims(MANAGER, "manager-account")).role == "manager"
    assert access.sign_in(claims(MANAGER.upper(), "manager-account")).role == "manager"

    impostor = access.sign_in(claims(MANAGER, "impostor-account"))  # verified by its provider
    assert impostor.role is None and "another account" in impostor.note
    other_provider = access.sign_in(claims(MANAGER, "manager-account", issuer="https://x.example"))
    assert other_provider.role is None

    manager = access.sign_in(claims(MANAGER, "manager-account"))
    with pytest.raises(AccessDenied, match="Only an admin"):
        access.forget_sign_in(manager, MANAGER)
    admin = access.sign_in(claims(ADMIN, "boss-account"))
    assert access.forget_sign_in(admin, MANAGER)
    assert access.sign_in(claims(MANAGER, "new-manager-account")).role == "manager"
    assert access.sign_in(claims(MANAGER, "manager-account")).role is None  # the old one now
    log = audit(access)
    assert ["sign-in", MANAGER, "tied", "forgotten"] in log[
        ["action", "listing_key", "before", "after"]
    ].values.tolist()


def test_a_provider_the_club_lists_may_leave_out_email_verified():
    settings = load_settings(
        {"BRCC_EMAIL_VERIFIED_ISSUERS": f"{ISSUER}/ , https://b.example"}, dotenv_path=None
    )
    assert settings.email_verified_issuers == (ISSUER, "https://b.example")
    with pytest.raises(SettingsError, match="BRCC_EMAIL_VERIFIED_ISSUERS"):
        load_settings({"BRCC_EMAIL_VERIFIED_ISSUERS": "login.example"}, dotenv_path=None)


# --- through the pages ----------------------------------------------------------------------
@pytest.fixture
def club(monkeypatch, tmp_path) -> BoxOffice:
    clear_settings(monkeypatch)
    monkeypatch.setenv("BRCC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BRCC_ADMINS", ADMIN)
    monkeypatch.chdir(tmp_path)
    box = BoxOffice.from_settings(load_settings())
    box.refresh_catalog()
    return box


def app(user: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.secrets["auth"] = AUTH
    at.user = user
    at.run()
    assert not at.exception
    return at


def shown(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def test_the_unverified_admin_address_signs_in_to_nothing(club):
    at = app(claims(ADMIN, "attacker-account", verified=False))
    assert [t.value for t in at.title] == ["Sign-in not accepted"]
    assert "not verified" in shown(at.error)
    assert not at.metric and not at.dataframe
    assert "Role:" not in shown(at.sidebar.markdown)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/people.py")
    assert club.audit_log(who=ADMIN).empty  # the admin did nothing
    refused = club.audit_log(who=f"unaccepted sign-in as {ADMIN}")
    assert refused[["action", "result"]].values.tolist() == [["sign-in", "refused"]]


def test_another_account_with_the_manager_s_address_signs_in_to_nothing(club):
    club.set_role(MANAGER, "manager", who=club.actor_for(ADMIN))
    first = app(claims(MANAGER, "manager-account"))
    assert [t.value for t in first.title] == ["Dashboard"]
    impostor = app(claims(MANAGER, "impostor-account"))
    assert [t.value for t in impostor.title] == ["Sign-in not accepted"]
    assert "another account" in shown(impostor.error)
    assert not impostor.metric


# Markdown a provider account (or an admin's typing) can put in an e-mail: a link and an
# image that the browser would fetch.
HOSTILE_EMAIL = "[me](http://evil.example/x)![](http://evil.example/p.png)@club.example"
MARKUP = re.compile(r"(?<!\\)[\[\]<>*_`$#|~]")


def literal(markdown: str, text: str) -> bool:
    """``markdown`` shows ``text`` as written: its markup escaped, links broken up."""
    if text not in re.sub(r"\\(.)", r"\1", markdown).replace(ZERO_WIDTH_SPACE, ""):
        return False
    start = markdown.find("\\[me")
    part = markdown[start : markdown.find("club.example", start)]  # the e-mail as shown
    return not MARKUP.search(part.replace("\\\\", "")) and "://" not in part


def test_an_e_mail_claim_with_link_and_image_syntax_is_shown_as_text(club):
    asking = app(claims(HOSTILE_EMAIL, "odd-account"))
    assert [t.value for t in asking.title] == ["Ask an admin for access"]
    assert literal(shown(asking.warning), HOSTILE_EMAIL)

    club.set_role(HOSTILE_EMAIL, "viewer", who=club.actor_for(ADMIN))
    viewer = app(claims(HOSTILE_EMAIL, "odd-account"))
    assert literal(shown(viewer.sidebar.markdown), HOSTILE_EMAIL)

    refused = app(claims(HOSTILE_EMAIL, "odd-account", verified=False))
    assert literal(shown(refused.error), HOSTILE_EMAIL)


def test_an_e_mail_an_admin_types_is_shown_as_text(club):
    at = app(claims(ADMIN, "boss-account"))
    at.switch_page("pages/people.py")
    at.run()
    at.text_input(key="people_email").input(HOSTILE_EMAIL)
    at.selectbox(key="people_role").select("viewer")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    assert "is a viewer now" in shown(at.success)
    assert literal(shown(at.success), HOSTILE_EMAIL)
    # and a refusal naming it is text too (BRCC_ADMINS cannot be changed here)
    at.text_input(key="people_email").input(ADMIN)
    next(b for b in at.button if b.label == "Save").click().run()
    assert "through BRCC" in shown(at.error).replace("\\", "")
