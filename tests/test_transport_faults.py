"""What a manager reads when a system does not answer: timeouts, refusals and error
statuses named as what they are, over real sockets; and a page that does not wait on a
hanging system beyond its deadline."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from brcc_core.boxoffice import BoxOffice
from brcc_core.catalog.cache import CatalogCache
from brcc_core.channels import http
from brcc_core.channels.eventbrite import EventbriteClient
from brcc_core.channels.http import Unreachable, UpstreamError
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from tests.club_time import SUITE_DAY


@pytest.fixture
def no_sleep(monkeypatch):
    monkeypatch.setattr(http, "_sleep", lambda seconds: None)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and reads requests but never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    server.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_held_answer_is_reported_as_a_timeout_not_as_could_not_connect(silent_server, no_sleep):
    client = EventbriteClient(
        "t", "1", base_url=f"http://127.0.0.1:{silent_server}/v3", timeout=(1, 0.3)
    )
    with pytest.raises(Unreachable) as caught:
        client.ping()
    message = str(caught.value)
    assert "no answer within 0.3 s (timed out)" in message
    assert "could not connect" not in message and "refused" not in message
    assert client.calls == 2  # urllib3 tried the read once more before giving up


def test_nothing_listening_is_reported_as_refused(no_sleep):
    port = free_port()
    client = EventbriteClient("t", "1", base_url=f"http://127.0.0.1:{port}/v3", timeout=(1, 1))
    with pytest.raises(Unreachable) as caught:
        client.ping()
    assert "connection was refused" in str(caught.value)


def test_an_error_status_names_the_status(tmp_path, no_sleep):
    from brcc_core.sandbox.schema import create_schema, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'sb.db'}")
    create_schema(engine)
    sandbox = Sandbox(engine)
    client = EventbriteClient(
        Sandbox.eb_token,
        Sandbox.eb_organization_id,
        base_url=Sandbox.eb_api_url,
        session=sandbox.session(),
    )
    sandbox.faults.inject("eventbrite", "5xx", times=10, status=503)
    with pytest.raises(UpstreamError) as caught:
        client.ping()
    assert "HTTP 503" in str(caught.value)
    sandbox.faults.clear()
    sandbox.faults.inject("eventbrite", "timeout", times=10)
    with pytest.raises(Unreachable) as caught:
        client.ping()
    assert "timed out" in str(caught.value)


def test_a_hanging_system_does_not_hold_the_health_check_beyond_the_deadline(tmp_path, monkeypatch):
    from brcc_core.sandbox.schema import create_schema, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'sb.db'}")
    create_schema(engine)
    settings = load_settings(
        {"BRCC_DATA_DIR": str(tmp_path), "BRCC_PAGE_DEADLINE_SECONDS": "1"}, dotenv_path=None
    )
    box = BoxOffice.on_sandbox(Sandbox(engine), settings, cache=CatalogCache(tmp_path))
    release = threading.Event()
    monkeypatch.setattr(box.eventbrite, "ping", lambda: release.wait(60))
    try:
        health = {h.name: h for h in box.health()}
        still_waiting = not release.is_set()
    finally:
        release.set()
    assert still_waiting  # the answer came while Eventbrite had not answered
    eb = health["Eventbrite API"]
    assert eb.state == "down" and "no answer within 1 s (timed out)" in eb.reason
    assert "calls left this hour" in eb.reason
    assert health["WooCommerce API"].state == "ok"


# --- Refresh data against a hanging channel, and the write reserve during a refresh -------
@pytest.fixture
def club(tmp_path, no_sleep) -> BoxOffice:
    """A seeded club with one healthy refresh behind it (the earlier catalog)."""

    from brcc_core.sandbox.schema import create_schema, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'sb.db'}")
    create_schema(engine)
    sandbox = Sandbox(engine)
    sandbox.seed(scale="club", seed_number=5, today=SUITE_DAY)
    settings = load_settings({"BRCC_DATA_DIR": str(tmp_path)}, dotenv_path=None)
    box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path))
    assert not box.refresh_catalog().errors
    box.settings = settings.model_copy(update={"refresh_deadline_seconds": 2})
    yield box
    sandbox.faults.latency.clear()  # let a read the refresh left behind finish quickly


@pytest.mark.parametrize(
    ("hanging", "answering"), [("eventbrite", "woocommerce"), ("woocommerce", "eventbrite")]
)
def test_a_refresh_against_a_hanging_channel_ends_by_its_deadline_and_keeps_the_earlier_part(
    club, hanging, answering
):
    import time

    earlier = club.catalog()
    club.sandbox.faults.latency[hanging] = 30  # every call held 30 s
    started = time.monotonic()
    result = club.refresh_catalog()
    took = time.monotonic() - started
    club.sandbox.faults.latency.clear()
    assert took < 15  # the deadline is 2 s; the held calls alone would take minutes
    reason = result.errors[hanging]
    assert "no answer within 2 s (timed out)" in reason and "keeping the part read" in reason
    assert answering not in result.errors
    catalog = result.catalog
    if hanging == "eventbrite":
        assert catalog.eventbrite_fetched_at == earlier.eventbrite_fetched_at  # its age shows
        assert catalog.ticket_classes == earlier.ticket_classes
        assert catalog.products_read_at == catalog.fetched_at > earlier.fetched_at
    else:
        assert catalog.products == earlier.products
        assert catalog.products_read_at == earlier.fetched_at < catalog.fetched_at
        assert catalog.eventbrite_fetched_at > earlier.eventbrite_fetched_at
    assert club.catalog() is catalog  # saved and in use


def test_a_first_build_against_a_hanging_eventbrite_says_its_numbers_are_unknown(
    tmp_path, no_sleep
):
    import time

    from brcc_core.sandbox.schema import create_schema, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'sb.db'}")
    create_schema(engine)
    sandbox = Sandbox(engine)
    settings = load_settings(
        {"BRCC_DATA_DIR": str(tmp_path), "BRCC_REFRESH_DEADLINE_SECONDS": "1"}, dotenv_path=None
    )
    box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path))
    sandbox.faults.latency["eventbrite"] = 20
    try:
        started = time.monotonic()
        result = box.refresh_catalog()
        assert time.monotonic() - started < 10
    finally:
        sandbox.faults.latency.clear()
    assert "no answer within 1 s (timed out)" in result.errors["eventbrite"]
    assert "its numbers are unknown" in result.errors["eventbrite"]
    assert result.catalog.unknown_channels().keys() == {"eventbrite"}


def test_a_refresh_stops_reading_eventbrite_when_the_calls_left_reach_the_reserve(
    club, monkeypatch
):
    from brcc_core.catalog import keeper as boxoffice_module

    monkeypatch.setattr(boxoffice_module, "CLASS_BATCH", 3)
    earlier = club.catalog()
    eb = club.eventbrite
    reserve = club.settings.eb_write_reserve
    spent_at: list[int] = []

    def another_session_spends_the_hour() -> None:
        # Sales syncs in other sessions leave 5 calls above the reserve, mid-refresh.
        missing = 2000 - reserve - 5 - eb.calls_this_hour()
        eb._call_times.extend([eb.clock()] * missing)
        spent_at.append(eb.calls)

    club.sandbox.faults.on_call(
        "eventbrite", another_session_spends_the_hour, path_contains="ticket_classes", nth=2
    )
    result = club.refresh_catalog()
    assert spent_at, "the refresh read no ticket classes"
    # the batch in flight finishes; nothing starts once the reserve is reached
    assert eb.calls - spent_at[0] <= 2 * 3
    assert eb.calls_left_this_hour() >= reserve - 2 * 3
    message = result.errors["eventbrite"]
    assert "reached the 300 kept for capacity changes" in message
    assert "keep their earlier numbers" in message
    catalog = result.catalog
    assert catalog.stale_events, "no event kept its earlier classes"
    for event_id, read_at, why in catalog.stale_events:
        assert read_at == earlier.eventbrite_fetched_at and "kept for capacity changes" in why
        assert any(tc.event_id == event_id for tc in catalog.ticket_classes)
    assert catalog.ticket_class_errors == {}  # every event not read had an earlier part
