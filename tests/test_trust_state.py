"""Demo and live never share state (issue 21, hole 1).

In demo mode anyone reaching the app could switch the Demo identity to Admin, make
``attacker@example.org`` an admin and create a one-week meeting link; when the same
checkout later got ``.env`` and ``[auth]`` (the README's order of steps), the attacker
signed in as admin and the link opened on live data, and the demo's catalog cache was
shown as the club's. Here the app-state database, the catalog cache and the meeting-link
key carry the systems they belong to: a live start refuses demo state with a message
saying what to do, and by default the demo's files live in ``data/demo/``, apart from the
club's ``data/``. The attack is walked through the pages (AppTest) three ways: one data
folder shared on purpose, the default places, and a demo's ``data/`` from before this
version (moved to ``data/demo/`` by the next demo start, refused by a live one).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from brcc_core.boxoffice import BoxOffice
from brcc_core.catalog.cache import CatalogCache
from brcc_core.common import clock
from brcc_core.people.access import Access, Actor, LinkInvalid
from brcc_core.settings import load_settings
from brcc_core.store.state import AuditEntry, State
from brcc_core.store.systems import StateRefused, claim, move_legacy_demo
from brcc_core.ui.text import ZERO_WIDTH_SPACE
from tests.app_env import clear_settings

ROOT = Path(__file__).parents[1]
APP = str(ROOT / "streamlit_app.py")
ADMIN = "boss@club.example"
ATTACKER = "attacker@example.org"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-some-length",
    "client_id": "brcc",
    "client_secret": "not-a-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
# The club's systems as .env names them. Nothing answers at these addresses: a refused
# start never gets as far as calling one.
LIVE = {
    "BRCC_WC_URL": "https://club.invalid",
    "BRCC_WC_CONSUMER_KEY": "ck_live_key_value_1234",
    "BRCC_WC_CONSUMER_SECRET": "cs_live_secret_value_5678",
    "BRCC_EB_TOKEN": "EBTOKENSECRET99",
    "BRCC_EB_ORGANIZATION_ID": "698566935713",
    "BRCC_WP_DB_URL": "mysql+pymysql://wp:dbpass@127.0.0.1:1/wordpress",
}
DEMO_FILES = ("sandbox.db", "catalog.pkl", "cache.key", "eventbrite-classes.pkl")


def texts(elements) -> str:
    return " ".join(str(e.value) for e in elements).replace(ZERO_WIDTH_SPACE, "")


def verified(email: str, subject: str) -> dict:
    """``st.user`` after a sign-in the provider vouches for."""
    return {
        "is_logged_in": True,
        "email": email,
        "email_verified": True,
        "iss": "https://login.example",
        "sub": subject,
    }


def live_settings(**extra: str):
    return load_settings({**LIVE, **extra}, dotenv_path=None)


# --- the stamp ----------------------------------------------------------------------------
def test_the_stamp_names_the_club_s_systems_and_no_secret():
    demo = load_settings({}, dotenv_path=None)
    live = live_settings()
    assert demo.systems == "demo"
    assert live.systems.startswith("live:") and live.systems == live_settings().systems
    other_club = live_settings(BRCC_EB_ORGANIZATION_ID="1")
    assert other_club.systems != live.systems  # another organization: other systems
    for secret in ("ck_live_key_value_1234", "cs_live_secret_value_5678", "EBTOKENSECRET99"):
        assert secret not in live.systems and secret not in live.systems_label
    assert "https://club.invalid" in live.systems_label


@pytest.fixture
def state(db_url):
    state = State.open(db_url)
    state.drop_all()
    yield state
    state.drop_all()
    state.engine.dispose()


def test_a_live_start_refuses_a_database_the_demo_stamped(state):
    demo = load_settings({}, dotenv_path=None)
    claim(state, demo, list)
    with pytest.raises(StateRefused) as refused:
        claim(state, live_settings(), list)
    message = str(refused.value)
    assert "belongs to the demo sandbox" in message
    assert "Move that database away" in message and "BRCC_ADMINS" in message
    assert "dbpass" not in message  # what to do, never a secret
    # and the other way round: the demo never writes demo identities into the club's
    state.drop_all()
    claim(state, live_settings(), list)
    with pytest.raises(StateRefused, match="this start runs the demo sandbox"):
        claim(state, demo, list)
    with pytest.raises(StateRefused, match="not to the club's systems"):
        claim(state, live_settings(BRCC_EB_ORGANIZATION_ID="1"), list)  # another club's


def test_an_unstamped_database_the_demo_wrote_to_is_refused_live_and_a_clean_one_adopted(state):
    """A database from before the stamp: an older demo's (its audit names demo
    identities) is refused; a club's own (only real e-mails) becomes the club's."""
    access = Access(state.engine, demo=True, audit=state.append_audit)
    access.set_role(Actor.demo("admin"), ATTACKER, "admin")  # as an older version did
    with pytest.raises(StateRefused, match="was used by the demo sandbox"):
        claim(state, live_settings(), lambda: state.people_on_record())
    assert state.systems() is None  # nothing stamped by a refused start

    state.drop_all()
    state.append_audit(
        AuditEntry(ADMIN, "role", "x@club.example", "app", "role", None, "viewer", "ok")
    )
    claim(state, live_settings(), lambda: state.people_on_record())
    assert state.systems()[0] == live_settings().systems


def test_a_meeting_link_signed_on_the_demo_does_not_open_on_the_club_s_systems(state):
    demo = Access(state.engine, demo=True, systems="demo")
    _, token = demo.create_link(Actor.demo("manager"), ["show:a"], "1 week", "Ours")
    assert demo.open_link(token).title == "Ours"
    live = Access(state.engine, systems=live_settings().systems)
    with pytest.raises(LinkInvalid, match="not valid"):
        live.open_link(token)


def test_a_catalog_read_from_the_demo_is_set_aside_unread_on_the_club_s_systems(tmp_path):
    CatalogCache(tmp_path, stamp="demo").save({"products": ["Renamed in the sandbox"]})
    live = CatalogCache(tmp_path, stamp=live_settings().systems)
    loaded = live.load()
    assert loaded.value is None
    assert "read from the demo sandbox" in loaded.warning and "Refresh data" in loaded.warning
    assert not live.path.exists() and live.rejected_path.exists()
    # The club's own catalog loads; the demo refuses it the same way.
    live.save({"products": ["The club's"]})
    assert live.load().value == {"products": ["The club's"]}
    assert "read from a club's systems" in CatalogCache(tmp_path, stamp="demo").load().warning


def test_the_live_facade_shows_no_demo_catalog_even_with_the_state_moved_away(tmp_path):
    """An operator who moved the state database but kept the data folder: the demo's
    catalog (and its Eventbrite classes) are not the club's, nor are they unpickled."""
    CatalogCache(tmp_path, stamp="demo").save("the demo's catalog")
    CatalogCache(tmp_path, filename="eventbrite-classes.pkl", stamp="demo").save({"1": "x"})
    settings = live_settings(
        BRCC_DATA_DIR=str(tmp_path), BRCC_STATE_DB_URL=f"sqlite:///{tmp_path / 'club.db'}"
    )
    box = BoxOffice.from_settings(settings)
    assert box.state_refusal() is None
    assert box.catalog() is None
    assert "read from the demo sandbox" in box.catalog_warning
    assert box.catalogs._kept_class_reads() == {}


# --- the attack, through the pages ------------------------------------------------------------
@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """One seeded sandbox and its catalog, copied into each test's data folder (seeding
    and the first build take most of a test's time)."""
    folder = tmp_path_factory.mktemp("seeded-demo")
    box = BoxOffice.from_settings(load_settings({"BRCC_DATA_DIR": str(folder)}, dotenv_path=None))
    box.refresh_catalog()
    box.sandbox.engine.dispose()
    return folder


def put_demo_files(seeded: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in DEMO_FILES:
        if (seeded / name).exists():
            shutil.copy2(seeded / name, folder / name)


@pytest.fixture
def checkout(monkeypatch, tmp_path) -> Iterator[Path]:
    """A fresh checkout: no settings, no secrets, the app started from its folder (and a
    fresh process: the default places are relative, so another test's BoxOffice, kept by
    st.cache_resource under the same settings, would open this folder's files as its own)."""
    clear_settings(monkeypatch)
    monkeypatch.chdir(tmp_path)
    streamlit.cache_resource.clear()
    yield tmp_path
    streamlit.cache_resource.clear()


def demo_attack(monkeypatch, data_dir: str | None = None) -> str:
    """What anyone reaching the demo could do, through its pages: become Admin, make
    the attacker an admin, create a week-long meeting link. Returns the link's token."""
    if data_dir is not None:
        monkeypatch.setenv("BRCC_DATA_DIR", data_dir)
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.sidebar.radio(key="demo_identity").set_value("admin").run()
    at.switch_page("pages/people.py")
    at.run()
    at.text_input(key="people_email").input(ATTACKER)
    at.selectbox(key="people_role").select("admin")
    next(b for b in at.button if b.label == "Save").click().run()
    assert f"{ATTACKER} is an admin now" in texts(at.success)
    at.switch_page("pages/meeting_links.py")
    at.run()
    at.text_input(key="meeting_title").input("Programming")
    at.selectbox(key="meeting_lifetime").select("1 week")
    next(b for b in at.button if b.label == "Create link").click().run()
    assert not at.exception
    return at.code[0].value.split("?meeting=")[1]


def go_live(monkeypatch, **extra: str) -> None:
    """The README's next steps: .env with the club's systems (and the app on the real
    clock: BRCC_NOW is refused there)."""
    for name, value in {**LIVE, **extra}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(clock.NOW_VARIABLE, raising=False)
    assert not load_settings(dotenv_path=None).is_demo


def live_app(user: dict | None = None, meeting: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = user or {"is_logged_in": False}
    if meeting is not None:
        at.query_params["meeting"] = meeting
    at.run()
    assert not at.exception
    return at


def test_with_one_data_folder_for_both_the_live_start_refuses_the_demo_s_state(
    checkout, monkeypatch, seeded
):
    put_demo_files(seeded, checkout / "shared")
    token = demo_attack(monkeypatch, data_dir=str(checkout / "shared"))
    go_live(monkeypatch)

    attacker = live_app(verified(ATTACKER, "attacker-account"))
    refused = texts(attacker.error)
    assert "belongs to the demo sandbox" in refused and "Move that database away" in refused
    assert not attacker.metric and not attacker.dataframe and not attacker.sidebar.markdown
    assert "Signed in as" not in texts(attacker.markdown)

    link = live_app(meeting=token)
    assert "belongs to the demo sandbox" in texts(link.error)
    assert not link.metric and [t.value for t in link.title] != ["Programming"]

    signed_out = live_app()  # nobody gets as far as the sign-in button either
    assert "belongs to the demo sandbox" in texts(signed_out.error)
    assert not signed_out.button


def test_with_the_default_places_the_demo_s_admin_link_and_catalog_stay_in_the_demo(
    checkout, monkeypatch, seeded
):
    put_demo_files(seeded, checkout / "data" / "demo")
    token = demo_attack(monkeypatch)
    assert (checkout / "data" / "demo" / "state.db").exists()
    assert not (checkout / "data" / "state.db").exists()  # the demo kept to its folder
    go_live(monkeypatch, BRCC_ADMINS=ADMIN)

    attacker = live_app(verified(ATTACKER, "attacker-account"))
    assert [t.value for t in attacker.title] == ["Ask an admin for access"]  # no role here
    assert not attacker.metric and not attacker.dataframe

    link = live_app(meeting=token)
    assert "not valid" in texts(link.error) and not link.metric

    box = BoxOffice.from_settings(load_settings(dotenv_path=None))
    assert box.catalog() is None  # the demo's catalog is not the club's
    assert box.people()["email"].tolist() == [ADMIN]


def test_a_demo_s_data_folder_from_before_is_refused_live_and_moved_by_the_next_demo(
    checkout, monkeypatch, seeded
):
    """The layout of an older version: the demo's sandbox, catalog and state in data/,
    the state unstamped, the attacker an admin in it."""
    legacy = checkout / "data"
    put_demo_files(seeded, legacy)
    state = State.open(f"sqlite:///{legacy / 'state.db'}")
    Access(state.engine, demo=True, audit=state.append_audit).set_role(
        Actor.demo("admin"), ATTACKER, "admin"
    )
    state.engine.dispose()

    with monkeypatch.context() as live:
        go_live(live)
        at = live_app(verified(ATTACKER, "attacker-account"))
        assert "was used by the demo sandbox" in texts(at.error) and not at.metric

    # The next demo start moves it all to data/demo/, and the demo goes on where it was.
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception and at.metric
    assert [p.name for p in legacy.iterdir() if p.is_file() and p.suffix != ".lock"] == []
    assert {"sandbox.db", "state.db", "catalog.pkl"} <= {
        p.name for p in (legacy / "demo").iterdir()
    }
    demo = BoxOffice.from_settings(load_settings(dotenv_path=None))
    assert ATTACKER in demo.people()["email"].tolist()  # the demo's own people, still there

    go_live(monkeypatch)
    at = live_app(verified(ATTACKER, "attacker-account"))
    assert [t.value for t in at.title] == ["Ask an admin for access"]


def test_nothing_moves_when_the_places_are_chosen_or_the_state_is_the_club_s(checkout, monkeypatch):
    legacy = checkout / "data"
    legacy.mkdir()
    (legacy / "sandbox.db").write_bytes(b"")
    chosen = load_settings({"BRCC_DATA_DIR": "elsewhere"}, dotenv_path=None)
    assert move_legacy_demo(chosen) == []
    # A club's stamped state in data/ stays where it is; the demo's sandbox moves.
    state = State.open(f"sqlite:///{legacy / 'state.db'}")
    claim(state, live_settings(), list)
    state.engine.dispose()
    moved = move_legacy_demo(load_settings({}, dotenv_path=None))
    assert [p.name for p in moved] == ["sandbox.db"]
    assert (legacy / "state.db").exists()
