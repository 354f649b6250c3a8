"""The sandbox's Eventbrite v3 emulation, called through real ``requests`` sessions.

Each test seeds a small organization (a weekly series, one-off events, a draft, a past
show, another organization's event) and talks to it over the in-process adapter, so what
is checked is what an HTTP client of the app would see.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import Engine, insert, select

from brcc_core.sandbox.app import SANDBOX_BASE_URL, SandboxApp, make_http_server, mount
from brcc_core.sandbox.eventbrite_api import EventbriteService
from brcc_core.sandbox.eventbrite_common import CLASSES, EVENTS
from brcc_core.sandbox.faults import Faults

TOKEN = "TEST-EB-TOKEN"
ORG = "698566935713"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
API = f"{SANDBOX_BASE_URL}/v3"
WAYPOINT = "Eventbrite-API-Waypoint-Token"

PARENT = "969715062857"
OCC1, OCC2, OCC3 = "1219650229669", "1219650239699", "1219650249729"
ONE_OFF = "1300000000001"
SOLD_OUT_EVENT = "1300000000002"
DRAFT = "1300000000003"
PAST = "1300000000004"
FOREIGN = "1500000000001"

# Every event of ORG the default listing shows (series dates and one-offs), in start order.
LISTED_IN_START_ORDER = [PAST, OCC1, SOLD_OUT_EVENT, ONE_OFF, OCC2, DRAFT, OCC3]


class Clock:
    """A settable aware-UTC clock for the service."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _at(day: str, hour: int = 2) -> datetime:
    """A naive UTC datetime as the sandbox stores it (22:00 Toronto = 02:00Z next day)."""
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00")


def _event(event_id: str, name: str, start: datetime, **extra) -> dict:
    row = {
        "id": event_id,
        "organization_id": ORG,
        "series_id": None,
        "is_series_parent": False,
        "name": name,
        "url": f"https://www.eventbrite.ca/e/show-tickets-{event_id}",
        "start_utc": start,
        "end_utc": start + timedelta(hours=2),
        "timezone": "America/Toronto",
        "status": "live",
        "capacity": None,
        "capacity_is_custom": False,
        "created": datetime(2025, 3, 1, 15, 0),
        "changed": datetime(2025, 3, 1, 15, 0),
    }
    row.update(extra)
    return row


def _class(class_id: str, event_id: str, name: str, capacity, sold: int, sorting=1, **extra):
    row = {
        "id": class_id,
        "event_id": event_id,
        "name": name,
        "category": "admission",
        "donation": False,
        "capacity": capacity,
        "quantity_sold": sold,
        "free": False,
        "cost_cents": 2000,
        "currency": "CAD",
        "hidden": False,
        "sorting": sorting,
        "sales_start_utc": datetime(2025, 3, 1, 15, 0),
        "sales_end_utc": None,
        "changed": datetime(2025, 3, 1, 15, 0),
    }
    row.update(extra)
    return row


def seed(engine: Engine) -> None:
    """A small club: one weekly series of three dates, two one-offs, a draft, a past show,
    and an event of another organization."""
    series = {"series_id": PARENT, "capacity": 55, "capacity_is_custom": True}
    events = [
        _event(
            PARENT,
            "Feedback | An Open Mic Comedy Show",
            _at("2025-06-03"),
            is_series_parent=True,
            end_utc=_at("2025-06-17", 4),
        ),
        _event(OCC1, "Feedback | An Open Mic Comedy Show", _at("2025-06-03"), **series),
        _event(OCC2, "Feedback | An Open Mic Comedy Show", _at("2025-06-10"), **series),
        _event(OCC3, "Feedback | An Open Mic Comedy Show", _at("2025-06-17"), **series),
        _event(ONE_OFF, "Pro Stand-up Saturday", _at("2025-06-05", 0), capacity=55),
        _event(SOLD_OUT_EVENT, "Late Show", _at("2025-06-04", 3)),
        _event(DRAFT, "New Talent Night", _at("2025-06-12"), status="draft"),
        _event(PAST, "May Showcase", _at("2025-05-01"), status="completed"),
        _event(FOREIGN, "Another club", _at("2025-06-06"), organization_id="111111111111"),
    ]
    classes = [
        _class("2000000001", OCC1, "General Admission", 55, 10),
        _class("2000000002", OCC2, "General Admission", 55, 0),
        _class("2000000003", OCC2, "Front Row", 10, 10, sorting=2),
        _class("2000000004", OCC3, "General Admission", None, 5),
        _class("4000000001", ONE_OFF, "General Admission", 40, 12),
        _class("4000000002", ONE_OFF, "At the Door", None, 3, sorting=2, free=True),
        _class("4000000003", SOLD_OUT_EVENT, "General Admission", 20, 20),
        _class("4000000004", PAST, "General Admission", 55, 50),
        _class("4000000005", DRAFT, "General Admission", 55, 0),
    ]
    with engine.begin() as conn:
        conn.execute(insert(EVENTS), events)
        conn.execute(insert(CLASSES), classes)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def make_api(
    engine: Engine, clock: Clock, faults: Faults | None = None, **options
) -> tuple[requests.Session, EventbriteService, SandboxApp]:
    service = EventbriteService(token=TOKEN, organization_id=ORG, clock=clock, **options)
    app = SandboxApp(engine, [service], faults)
    session = requests.Session()
    mount(session, app)
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    return session, service, app


@pytest.fixture
def api(engine, clock) -> tuple[requests.Session, EventbriteService]:
    seed(engine)
    session, service, _ = make_api(engine, clock)
    return session, service


def walk(session: requests.Session, path: str, key: str, **params) -> tuple[list[dict], int]:
    """Every item of a paginated list, following continuation; also the pages fetched."""
    items: list[dict] = []
    pages = 0
    while True:
        resp = session.get(f"{API}{path}", params=params)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        items += body[key]
        pages += 1
        if not body["pagination"]["has_more_items"]:
            return items, pages
        params = {**params, "continuation": body["pagination"]["continuation"]}


def class_capacity(engine: Engine, class_id: str):
    with engine.connect() as conn:
        return conn.execute(select(CLASSES.c.capacity).where(CLASSES.c.id == class_id)).scalar()


def event_capacity(engine: Engine, event_id: str):
    with engine.connect() as conn:
        return conn.execute(select(EVENTS.c.capacity).where(EVENTS.c.id == event_id)).scalar()


# --- organization events ------------------------------------------------------------
def test_org_events_walk_every_event_once_in_start_order(api):
    session, _ = api
    events, pages = walk(session, f"/organizations/{ORG}/events/", "events", page_size=2)
    assert [e["id"] for e in events] == LISTED_IN_START_ORDER
    assert pages == 4
    starts = [e["start"]["utc"] for e in events]
    assert starts == sorted(starts)

    first = session.get(f"{API}/organizations/{ORG}/events/", params={"page_size": 2}).json()
    assert first["pagination"]["object_count"] == len(LISTED_IN_START_ORDER)
    assert first["pagination"]["page_count"] == 4
    assert first["pagination"]["page_number"] == 1

    newest_first, _ = walk(
        session, f"/organizations/{ORG}/events/", "events", page_size=3, order_by="start_desc"
    )
    assert [e["id"] for e in newest_first] == LISTED_IN_START_ORDER[::-1]


def test_org_events_list_series_dates_not_the_parent_unless_asked(api):
    session, _ = api
    events, _ = walk(session, f"/organizations/{ORG}/events/", "events")
    by_id = {e["id"]: e for e in events}
    assert PARENT not in by_id and FOREIGN not in by_id
    occurrence = by_id[OCC2]
    assert occurrence["series_id"] == PARENT
    assert occurrence["is_series"] is True and occurrence["is_series_parent"] is False
    assert "series_id" not in by_id[ONE_OFF] and by_id[ONE_OFF]["is_series"] is False
    assert occurrence["start"] == {
        "timezone": "America/Toronto",
        "local": "2025-06-09T22:00:00",
        "utc": "2025-06-10T02:00:00Z",
    }
    assert occurrence["name"]["text"] == "Feedback | An Open Mic Comedy Show"

    parents, _ = walk(session, f"/organizations/{ORG}/events/", "events", show_series_parent="true")
    ids = [e["id"] for e in parents]
    assert PARENT in ids and OCC1 not in ids and ONE_OFF in ids
    parent = next(e for e in parents if e["id"] == PARENT)
    assert parent["is_series_parent"] is True and parent["series_id"] == PARENT

    everything, _ = walk(
        session, f"/organizations/{ORG}/events/", "events", series_filter="allevents"
    )
    assert {e["id"] for e in everything} == {*LISTED_IN_START_ORDER, PARENT}


def test_org_events_filter_by_status_and_time(api):
    session, _ = api
    path = f"/organizations/{ORG}/events/"
    drafts, _ = walk(session, path, "events", status="draft")
    assert [e["id"] for e in drafts] == [DRAFT]

    live_or_draft, _ = walk(session, path, "events", status="live,draft")
    assert [e["id"] for e in live_or_draft] == [i for i in LISTED_IN_START_ORDER if i != PAST]

    past, _ = walk(session, path, "events", time_filter="past")
    assert [e["id"] for e in past] == [PAST]

    upcoming_live, _ = walk(session, path, "events", status="live", time_filter="current_future")
    assert [e["id"] for e in upcoming_live] == [OCC1, SOLD_OUT_EVENT, ONE_OFF, OCC2, OCC3]

    bad = session.get(f"{API}{path}", params={"status": "sold"})
    assert bad.status_code == 400
    assert bad.json()["error"] == "ARGUMENTS_ERROR"


def test_bad_or_foreign_continuation_token_is_refused(api):
    session, _ = api
    path = f"{API}/organizations/{ORG}/events/"
    resp = session.get(path, params={"continuation": "not-a-token"})
    assert resp.status_code == 400
    assert resp.json() == {
        "error": "BAD_CONTINUATION_TOKEN",
        "error_description": "Invalid continuation token passed.",
        "status_code": 400,
    }
    token = session.get(path, params={"page_size": 2}).json()["pagination"]["continuation"]
    other_query = session.get(path, params={"continuation": token, "status": "draft"})
    assert other_query.status_code == 400
    assert other_query.json()["error"] == "BAD_CONTINUATION_TOKEN"


def test_other_organization_is_not_authorized(api):
    session, _ = api
    resp = session.get(f"{API}/organizations/111111111111/events/")
    assert resp.status_code == 403
    assert resp.json()["error"] == "NOT_AUTHORIZED"
    assert session.get(f"{API}/events/{FOREIGN}/").status_code == 403


def test_event_and_series_endpoints(api):
    session, _ = api
    event = session.get(f"{API}/events/{ONE_OFF}/").json()
    assert event["id"] == ONE_OFF and event["capacity"] == 55 and event["currency"] == "CAD"

    missing = session.get(f"{API}/events/999/")
    assert missing.status_code == 404 and missing.json()["error"] == "NOT_FOUND"

    series = session.get(f"{API}/series/{PARENT}/").json()
    assert series["id"] == PARENT and series["is_series_parent"] is True
    assert session.get(f"{API}/series/{ONE_OFF}/").status_code == 404

    dates, _ = walk(session, f"/series/{PARENT}/events/", "events", page_size=2)
    assert [e["id"] for e in dates] == [OCC1, OCC2, OCC3]
    assert all(e["series_id"] == PARENT for e in dates)


# --- ticket classes -----------------------------------------------------------------
def test_ticket_classes_of_an_event_with_two_classes(api):
    session, _ = api
    classes, pages = walk(session, f"/events/{OCC2}/ticket_classes/", "ticket_classes", page_size=1)
    assert pages == 2
    assert [(c["name"], c["quantity_sold"]) for c in classes] == [
        ("General Admission", 0),
        ("Front Row", 10),
    ]
    assert all(c["event_id"] == OCC2 for c in classes)
    ga = classes[0]
    assert ga["cost"] == {
        "currency": "CAD",
        "value": 2000,
        "major_value": "20.00",
        "display": "CA$20.00",
    }

    one = session.get(f"{API}/events/{OCC2}/ticket_classes/2000000003/").json()
    assert one["name"] == "Front Row" and one["on_sale_status"] == "SOLD_OUT"
    assert session.get(f"{API}/events/{OCC1}/ticket_classes/2000000003/").status_code == 404


def test_quantity_total_is_the_effective_cap(api):
    session, _ = api
    one_off = session.get(f"{API}/events/{ONE_OFF}/ticket_classes/").json()["ticket_classes"]
    ga, door = one_off
    # Event capacity 55: a class capped at 40 stays 40; an uncapped class gets the event's 55.
    assert (ga["capacity"], ga["quantity_total"], ga["on_sale_status"]) == (40, 40, "AVAILABLE")
    assert (door["capacity"], door["quantity_total"], door["free"]) == (None, 55, True)
    assert door["cost"] is None

    # No event capacity: the class's own capacity is the cap, and 20 of 20 sold is sold out.
    late = session.get(f"{API}/events/{SOLD_OUT_EVENT}/ticket_classes/").json()["ticket_classes"]
    assert (late[0]["quantity_total"], late[0]["on_sale_status"]) == (20, "SOLD_OUT")


def test_class_capacity_update_on_a_one_off_event(api, engine):
    session, _ = api
    resp = session.post(
        f"{API}/events/{ONE_OFF}/ticket_classes/4000000001/",
        json={"ticket_class": {"capacity": 45}},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["capacity"] == 45 and resp.json()["quantity_total"] == 45
    assert resp.headers[WAYPOINT]
    assert class_capacity(engine, "4000000001") == 45
    again = session.get(f"{API}/events/{ONE_OFF}/ticket_classes/4000000001/").json()
    assert again["capacity"] == 45


def test_class_capacity_update_refused_on_a_series_occurrence(api, engine):
    session, _ = api
    resp = session.post(
        f"{API}/events/{OCC1}/ticket_classes/2000000001/",
        json={"ticket_class": {"capacity": 30}},
    )
    assert resp.status_code == 400
    body = resp.json()
    assert body["error"] == "INVALID_TICKET" and body["status_code"] == 400
    assert "capacity_tier" in body["error_description"]
    assert class_capacity(engine, "2000000001") == 55


def test_class_capacity_below_sold_or_malformed_is_refused(api, engine):
    session, _ = api
    url = f"{API}/events/{ONE_OFF}/ticket_classes/4000000001/"
    below = session.post(url, json={"ticket_class": {"capacity": 11}})
    assert below.status_code == 400 and below.json()["error"] == "ARGUMENTS_ERROR"
    negative = session.post(url, json={"ticket_class": {"capacity": -1}})
    assert negative.status_code == 400
    assert session.post(url, data="capacity=3").json()["error"] == "INVALID_BODY"
    assert class_capacity(engine, "4000000001") == 40


def test_put_is_not_an_eventbrite_verb(api, engine):
    session, _ = api
    resp = session.put(
        f"{API}/events/{ONE_OFF}/ticket_classes/4000000001/",
        json={"ticket_class": {"capacity": 45}},
    )
    assert resp.status_code == 405
    assert resp.json()["error"] == "METHOD_NOT_ALLOWED"
    assert class_capacity(engine, "4000000001") == 40


# --- capacity tier ------------------------------------------------------------------
def test_capacity_tier_update_on_an_occurrence(api, engine):
    session, _ = api
    tier = session.get(f"{API}/events/{OCC1}/capacity_tier/").json()
    assert (tier["capacity_total"], tier["capacity_sold"], tier["capacity_remaining"]) == (
        55,
        10,
        45,
    )
    resp = session.post(f"{API}/events/{OCC1}/capacity_tier/", json={"capacity_total": 30})
    assert resp.status_code == 200, resp.text
    assert resp.json()["capacity_total"] == 30 and resp.json()["capacity_remaining"] == 20
    assert resp.headers[WAYPOINT]
    assert event_capacity(engine, OCC1) == 30
    assert event_capacity(engine, OCC2) == 55  # the other dates keep theirs
    ga = session.get(f"{API}/events/{OCC1}/ticket_classes/2000000001/").json()
    assert (ga["capacity"], ga["quantity_total"]) == (55, 30)


def test_capacity_tier_update_on_a_parent_reaches_every_date(api, engine):
    session, _ = api
    resp = session.post(f"{API}/events/{PARENT}/capacity_tier/", json={"capacity_total": 50})
    assert resp.status_code == 200, resp.text
    assert [event_capacity(engine, e) for e in (PARENT, OCC1, OCC2, OCC3)] == [50, 50, 50, 50]
    assert event_capacity(engine, ONE_OFF) == 55
    dates, _ = walk(session, f"/series/{PARENT}/events/", "events")
    assert {e["capacity"] for e in dates} == {50}


def test_capacity_tier_below_sold_is_refused_for_every_date(api, engine):
    session, _ = api
    # OCC1 sold 10: a parent change to 8 must not land on any date.
    resp = session.post(f"{API}/events/{PARENT}/capacity_tier/", json={"capacity_total": 8})
    assert resp.status_code == 400
    assert resp.json()["error"] == "CAPACITY_TOTAL_TOO_SMALL"
    assert [event_capacity(engine, e) for e in (PARENT, OCC1, OCC2, OCC3)] == [None, 55, 55, 55]


# --- Eventbrite's seat shapes (docs/eventbrite-seats.md) ------------------------------
SHARED = "1300000000005"


def seed_shared(engine: Engine) -> None:
    """An event of 55 with GA capped at 55 and Front Row at 10 (38 sold), a hold of 6,
    2 carts in progress, a drink-voucher add-on and a checkout donation."""
    with engine.begin() as conn:
        conn.execute(
            insert(EVENTS),
            [
                _event(
                    SHARED,
                    "Friday 8PM Pro Stand-up",
                    _at("2025-06-07", 0),
                    capacity=55,
                    capacity_is_custom=True,
                    held=6,
                    capacity_pending=2,
                )
            ],
        )
        conn.execute(
            insert(CLASSES),
            [
                _class("5000000001", SHARED, "General Admission", 55, 30),
                _class("5000000002", SHARED, "Front Row", 10, 8, sorting=2),
                _class(
                    "5000000003", SHARED, "Drink voucher", 100, 12, sorting=3, category="add_on"
                ),
                _class(
                    "5000000004",
                    SHARED,
                    "Support the club",
                    None,
                    21,
                    sorting=4,
                    category="donation",
                    donation=True,
                ),
            ],
        )


def test_capacity_tier_reports_holds_and_carts_and_counts_only_seats(api, engine):
    session, _ = api
    seed_shared(engine)
    tier = session.get(f"{API}/events/{SHARED}/capacity_tier/").json()
    assert (tier["capacity_total"], tier["capacity_sold"], tier["capacity_pending"]) == (55, 38, 2)
    assert [h["quantity_total"] for h in tier["holds"]] == [6]
    assert tier["capacity_remaining"] == 55 - 6 - 38 - 2
    classes = session.get(f"{API}/events/{SHARED}/ticket_classes/").json()["ticket_classes"]
    assert [c["category"] for c in classes] == ["admission", "admission", "add_on", "donation"]
    voucher = classes[2]
    assert voucher["quantity_total"] == 100  # the event's 55 does not cap an add-on
    assert classes[3]["donation"] is True


def test_capacity_tier_write_keeps_holds_and_refuses_to_squeeze_them(api, engine):
    session, _ = api
    seed_shared(engine)
    resp = session.post(f"{API}/events/{SHARED}/capacity_tier/", json={"capacity_total": 50})
    assert resp.status_code == 200, resp.text
    assert [h["quantity_total"] for h in resp.json()["holds"]] == [6]
    assert resp.json()["capacity_remaining"] == 50 - 6 - 38 - 2
    resp = session.post(f"{API}/events/{SHARED}/capacity_tier/", json={"capacity_total": 40})
    assert resp.status_code == 400
    assert resp.json()["error"] == "HOLD_QUANTITIES_EXCEEDS_REMAINING_CAPACITY"
    assert event_capacity(engine, SHARED) == 50


def test_shared_seats_gone_shows_every_admission_class_sold_out(api, engine):
    session, _ = api
    seed_shared(engine)
    with engine.begin() as conn:
        conn.execute(CLASSES.update().where(CLASSES.c.id == "5000000001").values(quantity_sold=39))
    classes = session.get(f"{API}/events/{SHARED}/ticket_classes/").json()["ticket_classes"]
    # 39 + 8 sold, 6 held, 2 in carts: the event's 55 are gone, though GA's own cap is not.
    assert [c["on_sale_status"] for c in classes[:2]] == ["SOLD_OUT", "SOLD_OUT"]
    assert classes[2]["on_sale_status"] == "AVAILABLE"


# --- read lag and waypoints ---------------------------------------------------------
def test_reads_lag_writes_unless_the_waypoint_is_sent_back(engine, clock):
    seed(engine)
    session, _, _ = make_api(engine, clock, read_lag_seconds=60)
    url = f"{API}/events/{ONE_OFF}/ticket_classes/4000000001/"
    write = session.post(url, json={"ticket_class": {"capacity": 45}})
    assert write.status_code == 200
    waypoint = write.headers[WAYPOINT]

    clock.advance(10)
    assert session.get(url).json()["capacity"] == 40  # stale, as Eventbrite reads can be
    listed = session.get(f"{API}/events/{ONE_OFF}/ticket_classes/").json()["ticket_classes"]
    assert listed[0]["capacity"] == 40
    fresh = session.get(url, headers={WAYPOINT: waypoint})
    assert fresh.json()["capacity"] == 45

    tier = session.post(f"{API}/events/{ONE_OFF}/capacity_tier/", json={"capacity_total": 50})
    assert tier.status_code == 200
    tier_waypoint = tier.headers[WAYPOINT]
    assert session.get(f"{API}/events/{ONE_OFF}/").json()["capacity"] == 55
    # The first write's waypoint shows that write, not the later one.
    seen = session.get(f"{API}/events/{ONE_OFF}/", headers={WAYPOINT: waypoint}).json()
    assert seen["capacity"] == 55
    seen = session.get(f"{API}/events/{ONE_OFF}/", headers={WAYPOINT: tier_waypoint}).json()
    assert seen["capacity"] == 50

    clock.advance(61)
    assert session.get(url).json()["capacity"] == 45
    assert session.get(f"{API}/events/{ONE_OFF}/").json()["capacity"] == 50


# --- auth, budget, faults, transports ----------------------------------------------
def test_auth_is_required_and_checked(api):
    session, _ = api
    path = f"{API}/organizations/{ORG}/events/"
    bad = requests.Session()
    mount(bad, session.get_adapter(SANDBOX_BASE_URL).app)
    wrong = bad.get(path, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.json() == {
        "error": "INVALID_AUTH",
        "error_description": "The OAuth token you provided was invalid.",
        "status_code": 401,
    }
    missing = bad.get(path)
    assert missing.status_code == 401 and missing.json()["error"] == "NO_AUTH"
    assert bad.get(path, params={"token": TOKEN}).status_code == 200


def test_unknown_path_is_not_found_in_eventbrite_shape(api):
    session, _ = api
    resp = session.get(f"{API}/users/me/unknown/")
    assert resp.status_code == 404
    assert set(resp.json()) == {"error", "error_description", "status_code"}
    assert resp.json()["error"] == "NOT_FOUND"


def test_hourly_budget_answers_429_then_recovers(engine, clock):
    seed(engine)
    session, service, _ = make_api(engine, clock, hourly_limit=3)
    url = f"{API}/events/{ONE_OFF}/"
    for _ in range(3):
        assert session.get(url).status_code == 200
        clock.advance(60)
    over = session.get(url)
    assert over.status_code == 429
    assert over.json()["error"] == "HIT_RATE_LIMIT" and over.json()["status_code"] == 429
    assert int(over.headers["Retry-After"]) > 0
    assert service.calls_in_last_hour() == 3

    clock.advance(3600 - 170)  # the first call leaves the rolling hour
    assert service.calls_in_last_hour() == 2
    assert session.get(url).status_code == 200


def test_injected_429_has_retry_after_and_eventbrite_shape(engine, clock):
    seed(engine)
    faults = Faults()
    session, _, _ = make_api(engine, clock, faults=faults)
    faults.inject("eventbrite", "429", retry_after=7)
    resp = session.get(f"{API}/organizations/{ORG}/events/")
    assert resp.status_code == 429
    assert resp.headers["Retry-After"] == "7"
    body = resp.json()
    assert body["error"] == "HIT_RATE_LIMIT" and body["status_code"] == 429
    assert body["error_description"]
    assert session.get(f"{API}/organizations/{ORG}/events/").status_code == 200


def test_loopback_http_server_answers_org_events(engine, clock):
    seed(engine)
    _, _, app = make_api(engine, clock)
    server = make_http_server(app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        resp = requests.get(
            f"http://127.0.0.1:{port}/v3/organizations/{ORG}/events/",
            headers={"Authorization": f"Bearer {TOKEN}"},
            params={"page_size": 3},
            timeout=10,
        )
        assert resp.status_code == 200
        body = resp.json()
        assert [e["id"] for e in body["events"]] == LISTED_IN_START_ORDER[:3]
        assert body["pagination"]["has_more_items"] is True
        denied = requests.get(f"http://127.0.0.1:{port}/v3/organizations/{ORG}/events/", timeout=10)
        assert denied.status_code == 401
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
