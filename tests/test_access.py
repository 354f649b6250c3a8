"""Roles and meeting links (SQLite and MariaDB): the facade refuses writes without the
role, whatever the caller claims; role changes, show mappings and links are audited with
the person's e-mail; a meeting link stops at its expiry and at once when revoked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from brcc_core.boxoffice import BoxOffice
from brcc_core.capacity.engine import Change
from brcc_core.catalog.cache import CatalogCache
from brcc_core.common.emails import parse_admins
from brcc_core.people.access import Access, AccessDenied, Actor, LinkInvalid
from brcc_core.settings import load_settings
from brcc_core.store.state import State

ADMIN = "boss@club.example"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def state(db_url) -> State:
    state = State.open(db_url)
    state.drop_all()
    yield state
    state.drop_all()
    state.engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def access(state, clock) -> Access:
    return Access(state.engine, admins=(ADMIN,), audit=state.append_audit, clock=clock)


def admin(access: Access) -> Actor:
    return access.actor(ADMIN)


# --- roles --------------------------------------------------------------------------------
def test_brcc_admins_is_parsed_forgivingly():
    assert parse_admins(" Boss@Club.example, ops@club.example;x@y ") == (
        "boss@club.example",
        "ops@club.example",
        "x@y",
    )
    assert parse_admins(None) == ()


def test_the_first_admin_comes_from_the_setting_and_nobody_else_has_a_role(access):
    assert access.actor("BOSS@club.example").role == "admin"
    assert access.actor("stranger@club.example").role is None
    assert list(access.people()["email"]) == [ADMIN]


def test_role_changes_apply_at_once_and_are_audited_with_the_admins_email(access, state):
    access.set_role(admin(access), "Sam@Club.example", "viewer")
    assert access.role_of("sam@club.example") == "viewer"
    access.set_role(admin(access), "sam@club.example", "manager")
    access.set_role(admin(access), "sam@club.example", None)
    assert access.role_of("sam@club.example") is None

    log = state.audit_log()
    rows = log[log["action"] == "role"][["who", "listing_key", "before", "after"]]
    assert rows.values.tolist() == [
        [ADMIN, "sam@club.example", "manager", "none"],
        [ADMIN, "sam@club.example", "viewer", "manager"],
        [ADMIN, "sam@club.example", "none", "viewer"],
    ]


def test_only_an_admin_changes_roles_and_nobody_changes_their_own(access):
    access.set_role(admin(access), "mgr@club.example", "manager")
    manager = access.actor("mgr@club.example")
    with pytest.raises(AccessDenied, match="Only an admin can "):
        access.set_role(manager, "friend@club.example", "manager")
    with pytest.raises(AccessDenied, match="BRCC_ADMINS"):
        access.set_role(admin(access), ADMIN, None)
    access.set_role(admin(access), "second@club.example", "admin")
    second = access.actor("second@club.example")
    with pytest.raises(AccessDenied, match="your own role"):
        access.set_role(second, "second@club.example", "viewer")
    assert access.role_of("friend@club.example") is None


def test_a_role_claimed_by_the_caller_is_never_trusted(access):
    forged = Actor("intruder@club.example", "admin", "sign-in")
    with pytest.raises(AccessDenied, match="no role"):
        access.require(forged, "manager", "change capacity")
    demo = Actor.demo("admin")  # a demo identity outside demo mode
    with pytest.raises(AccessDenied, match="demo mode"):
        access.require(demo, "viewer", "read")
    with pytest.raises(AccessDenied, match="nobody is signed in"):
        access.require("boss@club.example", "viewer", "read")
    with pytest.raises(AccessDenied):
        access.require(Actor.unsigned(), "manager", "change capacity")


def test_a_role_taken_away_stops_the_next_write(access):
    access.set_role(admin(access), "mgr@club.example", "manager")
    manager = access.actor("mgr@club.example")  # what the page was told a moment ago
    assert access.require(manager, "manager", "change capacity").role == "manager"
    access.set_role(admin(access), "mgr@club.example", "viewer")
    with pytest.raises(AccessDenied, match="your role is viewer"):
        access.require(manager, "manager", "change capacity")


# --- meeting links ----------------------------------------------------------------------------
def test_a_meeting_link_opens_its_selection_until_it_expires(access, clock, state):
    access.set_role(admin(access), "mgr@club.example", "manager")
    manager = access.actor("mgr@club.example")
    link, token = access.create_link(manager, ["show:a", "eb:1:2"], "1 hour", "Monday")
    assert access.open_link(token).selection == ("show:a", "eb:1:2")
    clock.now += timedelta(minutes=59)
    assert access.open_link(token).link_id == link.link_id
    clock.now += timedelta(minutes=1)
    with pytest.raises(LinkInvalid, match="expired"):
        access.open_link(token)
    links = access.links()
    assert links[["title", "created_by", "status"]].values.tolist() == [
        ["Monday", "mgr@club.example", "expired"]
    ]
    log = state.audit_log()
    assert log[log["action"] == "link"]["who"].tolist() == ["mgr@club.example"]


def test_a_meeting_links_dates_are_on_the_clubs_calendar(access, clock):
    # 01:30 UTC on Sunday is Saturday evening at the club: the link was made on Saturday.
    clock.now = datetime(2026, 12, 6, 1, 30, tzinfo=UTC)
    access.set_role(admin(access), "mgr@club.example", "manager")
    link, token = access.create_link(access.actor("mgr@club.example"), [], "1 hour")
    assert link.title == "Meeting of Sat 5 Dec"
    clock.now += timedelta(hours=1)
    with pytest.raises(LinkInvalid, match=r"expired on Sat 5 Dec 2026 21:30:00\. "):
        access.open_link(token)


def test_a_revoked_meeting_link_stops_at_once_and_only_managers_see_who_revoked_it(access, state):
    access.set_role(admin(access), "mgr@club.example", "manager")
    manager = access.actor("mgr@club.example")
    _, token = access.create_link(manager, ["show:a"], "1 week")
    other, other_token = access.create_link(manager, ["show:b"], "1 week")
    access.revoke_link(admin(access), other.link_id)
    with pytest.raises(LinkInvalid, match="was revoked") as refused:
        access.open_link(other_token)
    assert ADMIN not in str(refused.value)  # whoever holds the link learns no staff e-mail
    assert access.open_link(token).selection == ("show:a",)
    links = access.links().set_index("link_id")
    assert links.loc[other.link_id, ["status", "revoked_by"]].tolist() == ["revoked", ADMIN]


def test_a_tampered_or_guessed_meeting_link_does_not_open(access):
    access.set_role(admin(access), "mgr@club.example", "manager")
    link, token = access.create_link(access.actor("mgr@club.example"), ["show:a"], "1 hour")
    link_id, expires, signature = token.split(".")
    later = int(expires) + 7 * 86400  # stretch the expiry without the key
    for bad in (
        f"{link_id}.{later}.{signature}",
        f"{link_id}.{expires}.{'y' if signature[0] == 'x' else 'x'}{signature[1:]}",
        "x",
        "",
    ):
        with pytest.raises(LinkInvalid):
            access.open_link(bad)


def test_only_a_manager_creates_or_revokes_a_meeting_link(access):
    access.set_role(admin(access), "viewer@club.example", "viewer")
    viewer = access.actor("viewer@club.example")
    with pytest.raises(AccessDenied, match="manager"):
        access.create_link(viewer, ["show:a"], "1 hour")
    link, _ = access.create_link(admin(access), ["show:a"], "1 hour")
    with pytest.raises(AccessDenied):
        access.revoke_link(viewer, link.link_id)
    with pytest.raises(ValueError, match="Choose how long"):
        access.create_link(admin(access), ["show:a"], "forever")


# --- the facade ------------------------------------------------------------------------------
@pytest.fixture
def live_like_boxoffice(tmp_path, state) -> BoxOffice:
    """A BoxOffice whose settings are not demo: demo identities do not count there. No
    platform is reachable, which proves a refused write never gets as far as calling one."""
    settings = load_settings(
        {
            "BRCC_DATA_DIR": str(tmp_path),
            "BRCC_MODE": "live",
            "BRCC_WC_URL": "https://club.invalid",
            "BRCC_WC_CONSUMER_KEY": "ck_x",
            "BRCC_WC_CONSUMER_SECRET": "cs_x",
            "BRCC_EB_TOKEN": "tok",
            "BRCC_EB_ORGANIZATION_ID": "1",
            "BRCC_WP_DB_URL": "mysql+pymysql://nobody@127.0.0.1:1/wp",
            "BRCC_ADMINS": ADMIN,
        },
        dotenv_path=None,
    )
    box = BoxOffice.from_settings(settings, state=state)
    box.catalogs.cache = CatalogCache(tmp_path)
    return box


def test_every_write_of_the_facade_refuses_without_the_role(live_like_boxoffice):
    box = live_like_boxoffice
    box.set_role("viewer@club.example", "viewer", who=box.actor_for(ADMIN))
    for who in (None, box.actor_for("viewer@club.example"), Actor.demo("manager")):
        with pytest.raises(AccessDenied):
            box.apply_change(Change("wc:1", seen_remaining=3, value=5), who=who)
        with pytest.raises(AccessDenied):
            box.apply_sync([], who=who)
        with pytest.raises(AccessDenied):
            box.save_show_mapping("show:x", ["wc:1"], venue_capacity=200, who=who)
        with pytest.raises(AccessDenied):
            box.forget_show_mapping("show:x", who=who)
        with pytest.raises(AccessDenied):
            box.delete_recurring_rule(1, who=who)
        with pytest.raises(AccessDenied):
            box.set_role("me@club.example", "admin", who=who)
        with pytest.raises(AccessDenied):
            box.create_meeting_link(["show:x"], "1 hour", who=who)
    assert box.state.saved_shows() == []
    # The admin's role change is the only thing done; every refusal is on record with
    # who tried what (issue 21: refusals were only log lines).
    log = box.audit_log()
    assert log[log["result"] == "ok"]["who"].tolist() == [ADMIN]
    refused = log[log["result"] == "refused"]
    assert set(refused["who"]) == {"nobody", "viewer@club.example", "demo-manager@sandbox"}
    assert len(refused) == 3 * 7  # seven writes, three people
    viewer = refused[refused["who"] == "viewer@club.example"].set_index("what")
    assert viewer.loc["change capacity", ["listing_key", "before", "note"]].tolist() == [
        "wc:1",
        "viewer",
        "capacity → 5",
    ]


def test_a_managers_venue_capacity_is_audited_with_their_email(live_like_boxoffice):
    box = live_like_boxoffice
    box.set_role("mgr@club.example", "manager", who=box.actor_for(ADMIN))
    manager = box.actor_for("mgr@club.example")
    box.save_show_mapping("show:x", ["wc:1", "eb:2:3"], venue_capacity=50, who=manager)
    box.save_show_mapping("show:x", ["wc:1", "eb:2:3"], venue_capacity=55, who=manager)
    box.forget_show_mapping("show:x", who=manager)
    log = box.audit_log(who="mgr@club.example")
    assert log[["action", "listing_key", "before", "after"]].values.tolist() == [
        ["mapping", "show:x", "saved", "forgotten"],
        ["venue", "show:x", "50", "55"],
        ["venue", "show:x", "not saved", "50"],
    ]
    assert box.audit_people() == [ADMIN, "mgr@club.example"]
