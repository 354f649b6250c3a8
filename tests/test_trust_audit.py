"""The audit has refusals too (issue 21): a demoted manager's confirm, a viewer's attempt;
Refresh data and Sync Eventbrite orders are on record with who pressed them (viewers may:
both only read, within the calls kept for capacity changes); the role table says so."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from brcc_core.boxoffice import BoxOffice
from brcc_core.people.access import ROLE_LABELS
from brcc_core.settings import load_settings
from tests.app_env import clear_settings

ROOT = Path(__file__).parents[1]
APP = str(ROOT / "streamlit_app.py")
ADMIN = "boss@club.example"
MANAGER = "manager@club.example"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-some-length",
    "client_id": "brcc",
    "client_secret": "not-a-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def signed_in(email: str) -> dict:
    return {
        "is_logged_in": True,
        "email": email,
        "email_verified": True,
        "iss": "https://login.club.example",
        "sub": f"account-of-{email}",
    }


@pytest.fixture
def club(monkeypatch, tmp_path) -> BoxOffice:
    clear_settings(monkeypatch)
    monkeypatch.setenv("BRCC_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BRCC_ADMINS", ADMIN)
    monkeypatch.chdir(tmp_path)
    box = BoxOffice.from_settings(load_settings())
    box.refresh_catalog()
    return box


def a_limited_booking_date(box: BoxOffice) -> pd.Series:
    listings = box.listings()
    fit = listings[
        (listings["kind"] == "bookings")
        & (listings["status"] == "on_sale")
        & listings["capacity"].notna()
        & (listings["available"].fillna(0) >= 2)
    ]
    return fit.iloc[0]


def test_a_demoted_manager_s_open_confirm_panel_is_refused_and_on_record(club):
    club.set_role(MANAGER, "manager", who=club.actor_for(ADMIN))
    listing = a_limited_booking_date(club)
    at = AppTest.from_file(APP, default_timeout=180)
    at.secrets["auth"] = AUTH
    at.user = signed_in(MANAGER)
    at.run()
    at.switch_page("pages/inventory.py").run()
    at.selectbox(key="inv_channel").set_value("woocommerce").run()
    at.selectbox(key="inv_product").set_value(int(listing["product_id"])).run()
    at.selectbox(key="inv_slot").set_value(str(listing["slot_id"])).run()
    at.selectbox(key="inv_date").set_value(listing["listing_key"]).run()
    at.button(key="inv_plus").click().run()
    assert at.button(key="inv_confirm")  # the panel is open

    club.set_role(MANAGER, "viewer", who=club.actor_for(ADMIN))  # demoted meanwhile
    at.button(key="inv_confirm").click().run()
    assert not at.exception
    assert "your role is viewer" in " ".join(str(w.value) for w in at.warning)

    refused = club.audit_log(who=MANAGER)
    assert refused[["action", "listing_key", "what", "before", "result"]].values.tolist() == [
        ["access", listing["listing_key"], "change capacity", "viewer", "refused"]
    ]
    assert refused.iloc[0]["note"] == f"capacity → {int(listing['capacity']) + 1}"
    after = club.listings().set_index("listing_key")
    assert after.loc[listing["listing_key"], "capacity"] == listing["capacity"]


def test_a_viewer_s_refresh_and_order_sync_are_on_record_with_their_name(club):
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.sidebar.radio(key="demo_identity").set_value("viewer").run()
    at.button(key="refresh_data").click().run()
    assert not at.exception
    at.switch_page("pages/sales.py").run()
    at.button(key="sales_sync").click().run()
    assert not at.exception

    log = club.audit_log(who="demo-viewer@sandbox")
    rows = {r.action: r for r in log.itertuples()}
    assert set(rows) == {"refresh", "order sync"}
    assert rows["refresh"].what == "catalog refresh" and rows["refresh"].result == "ok"
    assert rows["refresh"].after.endswith("Eventbrite calls")
    sync = rows["order sync"]
    assert sync.result == "ok" and sync.channel == "eventbrite"
    assert int(sync.note.split()[0]) > 0  # the Eventbrite calls it spent, on record


def test_nobody_without_a_role_refreshes_and_the_attempt_is_on_record(club):
    from brcc_core.people.access import AccessDenied, Actor

    with pytest.raises(AccessDenied):
        club.refresh_catalog(who=Actor.nobody("signed out"))
    with pytest.raises(AccessDenied):
        club.sync_eventbrite_sales(who=Actor.nobody("signed out"))
    refused = club.audit_log(who="signed out")
    assert sorted(refused["what"]) == ["refresh the catalog", "sync Eventbrite orders"]


def test_the_role_table_says_what_each_role_may_do_including_refresh():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("| role | may |", 1)[1].split("\n\n", 1)[0]
    viewer = next(line for line in table.splitlines() if line.startswith("| viewer"))
    assert "Refresh data" in viewer and "Sync Eventbrite orders" in viewer
    assert "Refresh data" in ROLE_LABELS["viewer"]
    assert "Moving from the demo to the club's systems" in readme


def test_without_sign_in_everyone_may_refresh_and_nobody_may_write(tmp_path):
    """Live mode with no [auth]: read-only for everyone, and a refresh is a read."""
    from brcc_core.people.access import Access, AccessDenied, Actor
    from brcc_core.store.state import State

    state = State.open(f"sqlite:///{tmp_path / 'state.db'}")
    access = Access(state.engine, audit=state.append_audit)
    assert access.require(Actor.unsigned(), "viewer", "refresh the catalog").role == "viewer"
    with pytest.raises(AccessDenied, match="sign-in is not configured"):
        access.require(Actor.unsigned(), "manager", "change capacity", key="wc:1")
    assert state.audit_log()[["who", "result"]].values.tolist() == [["anonymous", "refused"]]
