"""What a manager reads when a system does not answer: timeouts, refusals and error
statuses named as what they are, over real sockets; and a page that does not wait on a
hanging system beyond its deadline."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from brcc_core import http
from brcc_core.boxoffice import BoxOffice
from brcc_core.catalog_cache import CatalogCache
from brcc_core.eventbrite import EventbriteClient
from brcc_core.http import Unreachable, UpstreamError
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings


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
