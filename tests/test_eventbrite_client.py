"""The Eventbrite client against mocked Eventbrite v3 answers (``responses``) and the
sandbox. Payloads copy the API's shapes: events with ``start.utc``, ``series_id`` and
``status``; ``pagination`` with ``continuation``; ticket classes with ``capacity``,
``quantity_sold`` and ``quantity_total``; errors as ``{"error", "error_description",
"status_code"}``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import traceback
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

import brcc_core.channels.http as http
from brcc_core.channels.eventbrite import WAYPOINT_HEADER, EventbriteClient
from brcc_core.channels.http import (
    AuthError,
    NotFound,
    RateLimited,
    Rejected,
    Unreachable,
    UpstreamError,
)
from brcc_core.common.secret import Secret

API = "https://www.eventbriteapi.com/v3"
ORG = "698566935713"
TOKEN = "EBTOKEN5XQ2WJ7ZPRIVATE0123456789"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
EVENTS_URL = f"{API}/organizations/{ORG}/events/"


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def event(event_id: str, start: datetime, *, status: str = "live", **extra) -> dict:
    """An organization event as Eventbrite v3 lists it (trimmed)."""
    utc = start.astimezone(UTC)
    local = utc - timedelta(hours=4)  # America/Toronto in summer
    body = {
        "id": event_id,
        "name": {"text": f"Show {event_id}", "html": f"Show {event_id}"},
        "start": {
            "timezone": "America/Toronto",
            "local": local.strftime("%Y-%m-%dT%H:%M:%S"),
            "utc": utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "status": status,
        "capacity": 55,
        "is_series": False,
        "is_series_parent": False,
        "organization_id": ORG,
    }
    body.update(extra)
    return body


def ticket_class(tc_id: str, event_id: str, *, capacity: int = 55, sold: int = 0) -> dict:
    return {
        "resource_uri": f"{API}/events/{event_id}/ticket_classes/{tc_id}/",
        "id": tc_id,
        "event_id": event_id,
        "name": "General Admission",
        "capacity": capacity,
        "quantity_total": capacity,
        "quantity_sold": sold,
        "on_sale_status": "AVAILABLE",
        "free": False,
    }


def page(key: str, items: list, continuation: str | None = None) -> dict:
    pagination = {
        "object_count": len(items),
        "page_number": 1,
        "page_size": 50,
        "page_count": 1,
        "has_more_items": continuation is not None,
    }
    if continuation:
        pagination["continuation"] = continuation
    return {"pagination": pagination, key: items}


def eb_error(code: str, description: str, status: int) -> dict:
    return {"error": code, "error_description": description, "status_code": status}


def assert_no_token(exc: BaseException, caplog: pytest.LogCaptureFixture) -> None:
    shown = "".join(traceback.format_exception(exc))
    for text in (str(exc), repr(exc), shown, caplog.text):
        assert TOKEN not in text


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def client(clock) -> EventbriteClient:
    return EventbriteClient(Secret(TOKEN), ORG, clock=clock)


@pytest.fixture
def no_sleep(monkeypatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(http, "_sleep", slept.append)
    return slept


def query(call) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


# --- events in the planning window --------------------------------------------------------
@responses.activate
def test_events_in_the_window_from_two_ordered_walks_with_continuation(client):
    day = timedelta(days=1)
    future_pages = {
        None: page(
            "events",
            [
                event("101", NOW - 2 * day, status="started", series_id="9"),  # still running
                event("102", NOW + 1 * day, series_id="9"),
                event("103", NOW + 2 * day, status="draft"),  # sells nothing
            ],
            continuation="f2",
        ),
        "f2": page(
            "events",
            [
                event("104", NOW + 20 * day, status="canceled"),
                event("105", NOW + 50 * day),
            ],
            continuation="f3",
        ),
        "f3": page(
            "events",
            # 106 is past the old 8 weeks but inside the 90 days the dashboard can show;
            # 107 is past the 13 weeks read.
            [event("106", NOW + 85 * day), event("107", NOW + 95 * day)],
            continuation="f4",  # never read: everything after is later still
        ),
    }
    past_pages = {
        None: page(
            "events",
            [event("201", NOW - 3 * day, status="ended"), event("202", NOW - 10 * day)],
            continuation="p2",
        ),
        "p2": page(
            "events",
            [
                event("203", NOW - 13 * day, status="completed"),
                event("204", NOW - 20 * day, status="completed"),  # before the 2 weeks
            ],
            continuation="p3",
        ),
    }

    def answer(request):
        params = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}
        pages = future_pages if params["time_filter"] == "current_future" else past_pages
        return 200, {}, json.dumps(pages[params.get("continuation")])

    responses.add_callback(responses.GET, EVENTS_URL, callback=answer)
    progress: list[tuple[int, int | None]] = []

    events = client.list_events(progress=lambda done, total: progress.append((done, total)))

    assert [e["id"] for e in events] == ["203", "202", "201", "101", "102", "105", "106"]
    assert len(responses.calls) == 5 and client.calls == 5
    assert progress == [(i, None) for i in range(1, 6)]
    sent = [query(c) for c in responses.calls]
    # The two walks run side by side, each in order.
    future = [q for q in sent if q["time_filter"] == "current_future"]
    past = [q for q in sent if q["time_filter"] == "past"]
    assert [q["order_by"] for q in future + past] == ["start_asc"] * 3 + ["start_desc"] * 2
    assert all(q["status"] == "all" for q in sent)
    # A continuation token is sent back with the query it belongs to.
    assert [q.get("continuation") for q in future] == [None, "f2", "f3"]
    assert [q.get("continuation") for q in past] == [None, "p2"]
    for call in responses.calls:
        assert call.request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert call.request.req_kwargs["timeout"] == (5, 30)


@responses.activate
def test_series_parents_are_left_out(client):
    parent = event("900", NOW + timedelta(days=3), is_series_parent=True, series_id="900")
    child = event("901", NOW + timedelta(days=3), series_id="900", is_series=True)
    responses.get(EVENTS_URL, json=page("events", [parent, child]))
    assert [e["id"] for e in client.list_events()] == ["901"]


# --- ticket classes ------------------------------------------------------------------------
@responses.activate
def test_ticket_classes_follow_continuation_per_event(client):
    url = f"{API}/events/300/ticket_classes/"
    tokens = {None: ("t2", ["1", "2"]), "t2": ("t3", ["3"]), "t3": (None, ["4"])}

    def answer(request):
        token = parse_qs(urlsplit(request.url).query).get("continuation", [None])[0]
        following, ids = tokens[token]
        items = [ticket_class(i, "300") for i in ids]
        return 200, {}, json.dumps(page("ticket_classes", items, following))

    responses.add_callback(responses.GET, url, callback=answer)
    result = client.ticket_classes(["300"])
    assert [tc["id"] for tc in result["300"]] == ["1", "2", "3", "4"]
    assert result.errors == {} and client.calls == 3


@responses.activate
def test_an_order_walk_past_its_page_limit_fails_instead_of_ending_as_if_complete(
    client, monkeypatch
):
    """An organization with more order pages than the walk may read must not pass a part
    for the whole: the sync would record itself complete and undercount Eventbrite sales."""
    import brcc_core.channels.eventbrite as eventbrite

    monkeypatch.setattr(eventbrite, "HISTORY_MAX_PAGES", 3)
    served = []

    def answer(request):
        served.append(request.url)
        items = [{"id": f"o{len(served)}", "changed": "2025-05-01T12:00:00Z"}]
        return 200, {}, json.dumps(page("orders", items, f"t{len(served)}"))

    responses.add_callback(responses.GET, f"{API}/organizations/{ORG}/orders/", callback=answer)
    pages = []
    with pytest.raises(UpstreamError, match="more than 3 pages"):
        for part in client.walk_orders():
            pages.append(part)
    assert len(pages) == 3 and len(served) == 3


@responses.activate
def test_capacity_tiers_only_for_events_still_selling_and_a_failed_tier_keeps_classes(client):
    for event_id in ("300", "301", "302"):
        responses.get(
            f"{API}/events/{event_id}/ticket_classes/",
            json=page("ticket_classes", [ticket_class(f"{event_id}1", event_id)]),
        )
    responses.get(
        f"{API}/events/300/capacity_tier/",
        json={
            "event_id": "300",
            "capacity_total": 55,
            "capacity_sold": 30,
            "capacity_pending": 2,
            "holds": [{"id": "9", "name": "Comps", "quantity_total": 6, "quantity_sold": 0}],
        },
    )
    responses.get(
        f"{API}/events/301/capacity_tier/",
        status=404,
        json=eb_error("NOT_FOUND", "The event does not exist.", 404),
    )
    result = client.ticket_classes(["300", "301", "302"], tiers_for=["300", "301"])
    assert sorted(result) == ["300", "301", "302"] and result.errors == {}
    assert result.tiers["300"]["capacity_pending"] == 2
    assert list(result.tier_errors) == ["301"]
    # one ticket-classes call per event, one tier call per event still selling
    assert client.calls == 5


@responses.activate
def test_many_events_concurrently_one_failure_keeps_the_rest(no_sleep, clock):
    client = EventbriteClient(TOKEN, ORG, clock=clock, max_workers=4)
    event_ids = [str(500 + i) for i in range(12)]
    broken = "507"
    in_flight = [0]
    most = [0]
    lock = threading.Lock()

    def answer(request):
        event_id = urlsplit(request.url).path.split("/")[-3]
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        time.sleep(0.05)
        with lock:
            in_flight[0] -= 1
        if event_id == broken:
            return 404, {}, json.dumps(eb_error("NOT_FOUND", "The event does not exist.", 404))
        classes = [ticket_class(f"{event_id}1", event_id), ticket_class(f"{event_id}2", event_id)]
        return 200, {}, json.dumps(page("ticket_classes", classes))

    for event_id in event_ids:
        responses.add_callback(
            responses.GET, f"{API}/events/{event_id}/ticket_classes/", callback=answer
        )
    progress: list[tuple[int, int | None]] = []

    result = client.ticket_classes(event_ids, progress=lambda d, t: progress.append((d, t)))

    assert set(result) == set(event_ids) - {broken}
    assert all(len(classes) == 2 for classes in result.values())
    assert set(result.errors) == {broken}
    assert isinstance(result.errors[broken], NotFound)
    assert 1 < most[0] <= 4  # concurrent, but never more than max_workers
    assert sorted(progress) == [(i, 12) for i in range(1, 13)]
    assert client.calls == 12


@responses.activate
def test_a_rejected_token_stops_the_remaining_fetches(clock, caplog):
    caplog.set_level(logging.DEBUG)
    client = EventbriteClient(TOKEN, ORG, clock=clock, max_workers=4)
    denied = eb_error("INVALID_AUTH", "The OAuth token you provided was invalid.", 401)
    event_ids = [str(600 + i) for i in range(20)]
    for event_id in event_ids:
        responses.get(f"{API}/events/{event_id}/ticket_classes/", status=401, json=denied)

    result = client.ticket_classes(event_ids)

    assert dict(result) == {}
    assert set(result.errors) == set(event_ids)
    assert all(isinstance(e, AuthError) for e in result.errors.values())
    assert client.calls <= 4  # the ones already in flight; the rest never spend budget
    error = next(iter(result.errors.values()))
    assert str(error).startswith("Eventbrite rejected the token")
    assert_no_token(error, caplog)


# --- capacity writes and the waypoint ------------------------------------------------------
@responses.activate
def test_ticket_class_write_is_a_post_and_its_waypoint_is_sent_back(client):
    url = f"{API}/events/700/ticket_classes/71/"
    responses.post(
        url,
        json=ticket_class("71", "700", capacity=40),
        headers={WAYPOINT_HEADER: "wp-token-1"},
    )
    responses.get(url, json=ticket_class("71", "700", capacity=40))

    saved, waypoint = client.update_ticket_class_capacity("700", "71", 40)
    fresh = client.get_ticket_class("700", "71", waypoint=waypoint)

    assert saved["capacity"] == 40 and fresh["capacity"] == 40
    assert waypoint == "wp-token-1"
    post, get = (c.request for c in responses.calls)
    assert post.method == "POST"
    assert json.loads(post.body) == {"ticket_class": {"capacity": 40}}
    assert get.headers[WAYPOINT_HEADER] == "wp-token-1"
    assert post.req_kwargs["timeout"] == get.req_kwargs["timeout"] == (5, 30)


@responses.activate
def test_capacity_tier_read_and_write(client):
    url = f"{API}/events/800/capacity_tier/"
    tier = {"event_id": "800", "capacity_total": 50, "capacity_sold": 12, "holds": []}
    responses.post(url, json=tier, headers={WAYPOINT_HEADER: "wp-2"})
    responses.get(url, json=tier)

    saved, waypoint = client.update_capacity_tier("800", 50)
    assert saved["capacity_total"] == 50 and waypoint == "wp-2"
    assert json.loads(responses.calls[0].request.body) == {"capacity_total": 50}
    assert client.get_capacity_tier("800", waypoint=waypoint)["capacity_total"] == 50
    assert responses.calls[1].request.headers[WAYPOINT_HEADER] == "wp-2"
    assert WAYPOINT_HEADER not in responses.calls[0].request.headers


def test_a_nonsense_capacity_is_refused_before_any_call(client):
    with responses.RequestsMock():
        for bad in (-1, 2.5, True, "40"):
            with pytest.raises(ValueError):
                client.update_ticket_class_capacity("700", "71", bad)
    assert client.calls == 0


# --- errors and retries --------------------------------------------------------------------
@responses.activate
def test_a_series_occurrence_refusing_keeps_eventbrites_code(client, caplog):
    caplog.set_level(logging.DEBUG)
    responses.post(
        f"{API}/events/700/ticket_classes/71/",
        status=400,
        json=eb_error(
            "INVALID_TICKET", "Change this series date's capacity through capacity_tier.", 400
        ),
    )
    with pytest.raises(Rejected) as caught:
        client.update_ticket_class_capacity("700", "71", 40)
    assert caught.value.code == "INVALID_TICKET" and not caught.value.retryable
    assert "INVALID_TICKET" in str(caught.value) and "capacity_tier" in str(caught.value)
    assert_no_token(caught.value, caplog)


@responses.activate
def test_error_codes_decide_the_exception(client, no_sleep, caplog):
    caplog.set_level(logging.DEBUG)
    url = f"{API}/events/1/ticket_classes/2/"
    responses.get(url, status=401, json=eb_error("INVALID_AUTH", "Invalid token.", 401))
    with pytest.raises(AuthError) as auth:
        client.get_ticket_class("1", "2")
    assert "Eventbrite rejected the token" in str(auth.value)
    assert_no_token(auth.value, caplog)

    responses.replace(
        responses.GET, url, status=404, json=eb_error("NOT_FOUND", "No such class.", 404)
    )
    with pytest.raises(NotFound):
        client.get_ticket_class("1", "2")

    # Eventbrite's rate-limit code acts even on a status a proxy rewrote.
    responses.post(
        url,
        status=400,
        headers={"Retry-After": "40"},
        json=eb_error("HIT_RATE_LIMIT", "Hourly rate limit has been reached.", 429),
    )
    with pytest.raises(RateLimited) as limited:
        client.update_ticket_class_capacity("1", "2", 10)
    assert limited.value.retry_after == 40 and limited.value.retryable


@responses.activate
def test_reads_are_retried_on_429_and_503_and_every_try_counts(client, no_sleep):
    url = f"{API}/events/1/capacity_tier/"
    limited = eb_error("HIT_RATE_LIMIT", "Slow down.", 429)
    responses.get(url, status=429, json=limited, headers={"Retry-After": "3"})
    responses.get(url, status=503, body="upstream down")
    responses.get(url, json={"event_id": "1", "capacity_total": 55})

    assert client.get_capacity_tier("1")["capacity_total"] == 55
    assert len(responses.calls) == 3
    assert client.calls_this_hour() == 3


@responses.activate
@pytest.mark.parametrize("status", [429, 503])
def test_writes_are_never_retried(client, no_sleep, status):
    url = f"{API}/events/1/capacity_tier/"
    code = "HIT_RATE_LIMIT" if status == 429 else "INTERNAL_ERROR"
    responses.post(url, status=status, json=eb_error(code, "No.", status))
    with pytest.raises((RateLimited, UpstreamError)):
        client.update_capacity_tier("1", 40)
    assert len(responses.calls) == 1 and client.calls == 1


@responses.activate
def test_malformed_json_is_an_upstream_error(client):
    responses.get(EVENTS_URL, body='{"pagination": {"has_more_items": tr', status=200)
    with pytest.raises(UpstreamError, match="answered with something that is not JSON"):
        client.list_events()


@responses.activate
def test_timeouts_are_unreachable(client, no_sleep, caplog):
    responses.get(EVENTS_URL, body=requests.exceptions.ConnectTimeout("connect timed out"))
    with pytest.raises(Unreachable) as caught:
        client.list_events()
    assert str(caught.value).startswith("Eventbrite API unreachable")
    assert_no_token(caught.value, caplog)


# --- call budget ---------------------------------------------------------------------------
@responses.activate
def test_call_budget_is_a_rolling_hour(client, clock):
    url = f"{API}/events/1/capacity_tier/"
    responses.get(url, json={"event_id": "1", "capacity_total": 55})
    for _ in range(3):
        client.get_capacity_tier("1")  # at 0, 20 and 40 minutes
        clock.now += timedelta(minutes=20)
    clock.now -= timedelta(minutes=1)
    assert client.calls_this_hour() == 3
    assert client.calls_left_this_hour() == 1997

    clock.now += timedelta(minutes=2)  # the first call is now 61 minutes old
    assert client.calls_this_hour() == 2
    clock.now += timedelta(hours=1)
    assert client.calls_this_hour() == 0 and client.calls_left_this_hour() == 2000
    assert client.calls == 3


@responses.activate
def test_call_budget_counts_concurrent_calls_exactly(clock):
    client = EventbriteClient(TOKEN, ORG, clock=clock, max_workers=8)
    ids = [str(i) for i in range(40)]
    for event_id in ids:
        responses.get(
            f"{API}/events/{event_id}/ticket_classes/",
            json=page("ticket_classes", [ticket_class("1", event_id)]),
        )
    client.ticket_classes(ids)
    assert client.calls_this_hour() == 40 and client.calls_left_this_hour() == 1960


# --- against the sandbox -------------------------------------------------------------------
def test_end_to_end_against_the_sandbox(engine):
    from sqlalchemy import func, select

    from brcc_core.channels.eventbrite import LISTED_STATUSES
    from brcc_core.sandbox.eventbrite_common import CLASSES, EVENTS
    from brcc_core.sandbox.twin import Sandbox

    sandbox = Sandbox(engine)
    sandbox.seed()
    client = EventbriteClient(
        Sandbox.eb_token,
        Sandbox.eb_organization_id,
        base_url=Sandbox.eb_api_url,
        session=sandbox.session(),
    )
    events = client.list_events(weeks_ahead=8, weeks_back=2)

    now = client.clock().replace(tzinfo=None)
    with engine.connect() as conn:
        expected = set(
            conn.execute(
                select(EVENTS.c.id).where(
                    EVENTS.c.organization_id == Sandbox.eb_organization_id,
                    EVENTS.c.is_series_parent.is_(False),
                    EVENTS.c.status.in_(sorted(LISTED_STATUSES)),
                    EVENTS.c.start_utc.between(now - timedelta(weeks=2), now + timedelta(weeks=8)),
                )
            ).scalars()
        )
        class_counts = dict(
            conn.execute(
                select(CLASSES.c.event_id, func.count()).group_by(CLASSES.c.event_id)
            ).all()
        )
    assert {e["id"] for e in events} == expected and len(events) == len(expected)
    starts = [e["start"]["utc"] for e in events]
    assert starts == sorted(starts)
    # Two ordered walks read only the pages that reach into the window.
    assert client.calls < len(expected) / 10

    ids = [e["id"] for e in events[:12]]
    sandbox.faults.inject("eventbrite", "5xx", status=502, path_contains=f"/events/{ids[3]}/")
    result = client.ticket_classes(ids)
    assert set(result.errors) == {ids[3]}  # in process there is no urllib3 retry
    assert isinstance(result.errors[ids[3]], UpstreamError)
    assert {e: len(c) for e, c in result.items()} == {
        e: class_counts[e] for e in ids if e != ids[3]
    }

    event_id = ids[0]
    tier, waypoint = client.update_capacity_tier(event_id, 50)
    assert tier["capacity_total"] == 50 and waypoint
    assert client.get_capacity_tier(event_id, waypoint=waypoint)["capacity_total"] == 50
    assert client.calls_this_hour() == client.calls
