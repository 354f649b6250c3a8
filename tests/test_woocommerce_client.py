"""The WooCommerce REST client against mocked WooCommerce answers (``responses``), a tiny
loopback HTTP server (where urllib3's real retry and logging run) and the sandbox.

Payloads copy the shapes of a real WooCommerce v3 product (``meta_data`` rows, FooEvents
keys, the bookings blob as a JSON string) and of WooCommerce's error object.
"""

from __future__ import annotations

import base64
import json
import logging
import pickle
import socket
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

import brcc_core.channels.http as http
from brcc_core.channels.http import (
    AuthError,
    IntegrationError,
    NotFound,
    RateLimited,
    Rejected,
    Unreachable,
    UpstreamError,
)
from brcc_core.channels.woocommerce import WooCommerceClient
from brcc_core.common.secret import Secret

SITE = "https://club.example"
API = f"{SITE}/wp-json/wc/v3"
# Made-up key pair shaped like real ones, so the leak checks look for realistic strings.
KEY = "ck_0123456789abcdef0123456789abcdef01234567"
SECRET = "cs_fedcba9876543210fedcba9876543210SECRET99"
BASIC = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()

FBOS = json.dumps(
    {
        "wcolndrhzpeplpcnmqwi": {
            "label": "Monday Show",
            "hour": "10",
            "minute": "00",
            "period": "p.m.",
            "formatted_time": "(10:00 p.m.)",
            "add_time": "enabled",
            "add_date": {"nudllvhrureoqebuodjn": {"date": "June 02, 2025", "stock": "55"}},
        }
    }
)


def product(product_id: int, *, kind: str = "bookings") -> dict:
    """A product shaped like WooCommerce v3's answer (trimmed)."""
    meta = [
        {"id": product_id * 10 + 1, "key": "WooCommerceEventsEvent", "value": "Event"},
        {"id": product_id * 10 + 2, "key": "WooCommerceEventsType", "value": kind},
    ]
    if kind == "bookings":
        meta.append(
            {
                "id": product_id * 10 + 3,
                "key": "fooevents_bookings_options_serialized",
                "value": FBOS,
            }
        )
    return {
        "id": product_id,
        "name": f"Show {product_id}",
        "slug": f"show-{product_id}",
        "type": "simple",
        "status": "publish",
        "manage_stock": kind != "bookings",
        "stock_quantity": None if kind == "bookings" else 55,
        "stock_status": "instock",
        "meta_data": meta,
    }


def wc_error(code: str, message: str, status: int) -> dict:
    return {"code": code, "message": message, "data": {"status": status}}


def assert_no_secret(exc: BaseException, caplog: pytest.LogCaptureFixture) -> None:
    """The secret is nowhere a manager or a log reader could see it."""
    shown = "".join(traceback.format_exception(exc))
    for text in (str(exc), repr(exc), shown, caplog.text):
        assert SECRET not in text
        assert KEY not in text
    assert exc.__cause__ is None and exc.__context__ is None


@pytest.fixture
def client() -> WooCommerceClient:
    return WooCommerceClient(SITE, KEY, Secret(SECRET))


@pytest.fixture
def no_sleep(monkeypatch) -> list[float]:
    """Retries record how long they would wait instead of waiting."""
    slept: list[float] = []
    monkeypatch.setattr(http, "_sleep", slept.append)
    return slept


# --- reading products ------------------------------------------------------------------
@responses.activate
def test_products_are_read_100_a_page_with_progress_and_timeouts(client):
    ids = list(range(1, 208))
    pages = [ids[:100], ids[100:200], ids[200:]]
    for number, page in enumerate(pages, start=1):
        responses.get(
            f"{API}/products",
            match=[
                responses.matchers.query_param_matcher(
                    {"per_page": "100", "page": str(number), "orderby": "id", "order": "asc"}
                )
            ],
            json=[product(i) for i in page],
            headers={"X-WP-Total": "207", "X-WP-TotalPages": "3"},
        )
    seen: list[tuple[int, int | None]] = []

    products = client.list_products(progress=lambda done, total: seen.append((done, total)))

    assert [p["id"] for p in products] == ids
    assert len(responses.calls) == 3 and client.calls == 3
    assert seen == [(1, 3), (2, 3), (3, 3)]
    for call in responses.calls:
        assert call.request.req_kwargs["timeout"] == (5, 30)
        assert call.request.headers["Authorization"] == BASIC
        assert "consumer_secret" not in call.request.url
    # The bookings blob comes back as the JSON string WooCommerce stores.
    fbos = next(m for m in products[0]["meta_data"] if m["key"].startswith("fooevents"))
    assert isinstance(fbos["value"], str) and json.loads(fbos["value"])


@responses.activate
def test_a_store_without_the_total_pages_header_stops_at_the_short_page(client):
    responses.get(f"{API}/products", json=[product(i) for i in range(1, 101)])
    responses.get(f"{API}/products", json=[product(101)])
    assert len(client.list_products()) == 101
    assert client.calls == 2


@responses.activate
def test_get_and_update_product(client):
    responses.get(f"{API}/products/4156", json=product(4156))
    saved = {**product(4156, kind="single"), "stock_quantity": 40}
    responses.put(f"{API}/products/4156", json=saved)

    assert client.get_product(4156)["id"] == 4156
    result = client.update_product("4156", {"stock_quantity": 40})

    assert result["stock_quantity"] == 40
    put = responses.calls[1].request
    assert put.method == "PUT" and json.loads(put.body) == {"stock_quantity": 40}
    assert put.req_kwargs["timeout"] == (5, 30)


def test_the_bookings_blob_as_an_object_is_refused_before_sending(client):
    payload = {"meta_data": [{"key": "fooevents_bookings_options_serialized", "value": {}}]}
    # Any call would fail (nothing registered); none is made.
    with responses.RequestsMock(), pytest.raises(ValueError, match="JSON string"):
        client.update_product(4156, payload)
    assert client.calls == 0


# --- authentication ----------------------------------------------------------------------
def _stripping_host(request):
    """A host that drops the Authorization header: WooCommerce sees an anonymous call."""
    query = parse_qs(urlsplit(request.url).query)
    if query.get("consumer_key") == [KEY] and query.get("consumer_secret") == [SECRET]:
        if urlsplit(request.url).path.endswith("/products"):
            return 200, {"X-WP-TotalPages": "1"}, json.dumps([product(7)])
        return 200, {}, json.dumps(product(7))
    body = wc_error("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.", 401)
    return 401, {}, json.dumps(body)


@responses.activate
def test_stripped_header_switches_once_to_query_string_auth(client, caplog):
    caplog.set_level(logging.DEBUG)
    responses.add_callback(responses.GET, f"{API}/products", callback=_stripping_host)
    responses.add_callback(responses.GET, f"{API}/products/7", callback=_stripping_host)

    assert [p["id"] for p in client.list_products()] == [7]
    assert client.auth_mode == "query"
    assert client.calls == 2  # the refused Basic call, then the same call again

    client.get_product(7)
    assert client.calls == 3  # straight to query-string auth from now on
    last = responses.calls[-1].request
    assert "Authorization" not in last.headers
    assert SECRET not in caplog.text and KEY not in caplog.text
    assert "query-string" in caplog.text


@responses.activate
def test_wrong_secret_raises_auth_error_without_switching(client, caplog):
    caplog.set_level(logging.DEBUG)
    responses.get(
        f"{API}/products",
        status=401,
        json=wc_error("woocommerce_rest_authentication_error", "Consumer secret is invalid.", 401),
    )
    with pytest.raises(AuthError) as caught:
        client.list_products()
    assert client.auth_mode == "basic"
    assert client.calls == 1
    assert "WooCommerce rejected the API key" in str(caught.value)
    assert "Consumer secret is invalid." in str(caught.value)
    assert caught.value.channel == "woocommerce" and caught.value.retryable is False
    assert_no_secret(caught.value, caplog)


@responses.activate
def test_unknown_key_fails_after_the_one_fallback(client, caplog):
    caplog.set_level(logging.DEBUG)
    denied = wc_error("woocommerce_rest_cannot_view", "Sorry, you cannot list resources.", 401)
    responses.get(f"{API}/products", status=401, json=denied)
    for _ in range(2):
        with pytest.raises(AuthError) as caught:
            client.list_products()
        assert_no_secret(caught.value, caplog)
    # One fallback for the client's life: Basic + query, then query only.
    assert client.calls == 3
    assert client.auth_mode == "query"


# --- retries -----------------------------------------------------------------------------
@responses.activate
def test_reads_are_retried_on_503_and_429(client, no_sleep):
    responses.get(f"{API}/products/5", status=503, body="Service Unavailable")
    responses.get(f"{API}/products/5", status=429, headers={"Retry-After": "2"}, body="")
    responses.get(f"{API}/products/5", json=product(5))

    assert client.get_product(5)["id"] == 5
    assert len(responses.calls) == 3
    assert client.calls == 3  # retries are counted


@responses.activate
def test_reads_give_up_after_three_retries_with_the_hosts_retry_after(client, no_sleep):
    responses.get(f"{API}/products/5", status=429, headers={"Retry-After": "12"}, body="")
    with pytest.raises(RateLimited) as caught:
        client.get_product(5)
    assert len(responses.calls) == 4
    assert caught.value.retry_after == 12 and caught.value.retryable
    assert "Try again in 12 s" in str(caught.value)


@responses.activate
@pytest.mark.parametrize("status", [429, 503])
def test_writes_are_never_retried(client, no_sleep, status):
    responses.put(f"{API}/products/5", status=status, headers={"Retry-After": "1"}, body="")
    with pytest.raises((RateLimited, UpstreamError)):
        client.update_product(5, {"stock_quantity": 10})
    assert len(responses.calls) == 1 and client.calls == 1


# --- errors ------------------------------------------------------------------------------
@responses.activate
def test_malformed_json_is_an_upstream_error(client, caplog):
    caplog.set_level(logging.DEBUG)
    responses.get(f"{API}/products", body='[{"id": 1, "name": "cut off', status=200)
    with pytest.raises(UpstreamError) as caught:
        client.list_products()
    assert "answered with something that is not JSON" in str(caught.value)
    assert caught.value.retryable
    assert_no_secret(caught.value, caplog)


@responses.activate
def test_a_maintenance_page_is_an_upstream_error(client):
    responses.get(f"{API}/products/5", body="<html>Briefly unavailable</html>", status=200)
    with pytest.raises(UpstreamError, match="not JSON"):
        client.get_product(5)


@responses.activate
def test_missing_product_and_refused_change_keep_woocommerces_words(client, caplog):
    responses.get(
        f"{API}/products/999",
        status=404,
        json=wc_error("woocommerce_rest_product_invalid_id", "Invalid ID.", 404),
    )
    responses.put(
        f"{API}/products/5",
        status=400,
        json=wc_error("rest_invalid_param", "Invalid parameter(s): stock_quantity", 400),
    )
    with pytest.raises(NotFound) as missing:
        client.get_product(999)
    assert "/wp-json/wc/v3/products/999" in str(missing.value)
    with pytest.raises(Rejected) as refused:
        client.update_product(5, {"stock_quantity": "many"})
    assert refused.value.code == "rest_invalid_param"
    assert "Invalid parameter(s): stock_quantity" in str(refused.value)
    assert not refused.value.retryable
    assert_no_secret(refused.value, caplog)


@responses.activate
def test_errors_survive_pickling_with_their_details(client, no_sleep):
    responses.get(f"{API}/products/5", status=429, headers={"Retry-After": "7"}, body="")
    responses.get(f"{API}/products/6", status=400, json=wc_error("bad", "Nope.", 400))
    errors = []
    for product_id in (5, 6):
        try:
            client.get_product(product_id)
        except IntegrationError as exc:
            errors.append(exc)
    for error in errors:
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and str(again) == str(error)
        assert (again.channel, again.code, again.status) == (
            error.channel,
            error.code,
            error.status,
        )
    assert pickle.loads(pickle.dumps(errors[0])).retry_after == 7


@responses.activate
def test_a_write_that_times_out_says_it_may_have_happened(client, caplog):
    responses.put(f"{API}/products/5", body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(Unreachable) as caught:
        client.update_product(5, {"stock_quantity": 10})
    assert "Website unreachable" in str(caught.value)
    assert "may or may not have been applied" in str(caught.value)
    assert client.calls == 1
    assert_no_secret(caught.value, caplog)


# --- the real stack on a loopback server -------------------------------------------------
class ScriptedSite:
    """A loopback 'WordPress host' answering from a script, for urllib3's real retries,
    sleeps and DEBUG logging (``responses`` bypasses them)."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests: list[tuple[str, str, dict]] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                site.requests.append(("GET", self.path, dict(self.headers)))
                status, headers, body = site.answers.pop(0)(self)
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> ScriptedSite:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def _anonymous_unless_query(handler, retry_after: str = "20"):
    if "consumer_secret=" in handler.path:
        return 429, {"Retry-After": retry_after}, wc_error("rate_limited", "Slow down.", 429)
    return 401, {}, wc_error("woocommerce_rest_cannot_view", "Sorry, you cannot view.", 401)


def test_real_retry_honours_a_short_retry_after_and_logs_no_secret(no_sleep, caplog):
    caplog.set_level(logging.DEBUG)
    answers = [_anonymous_unless_query, _anonymous_unless_query, lambda h: (200, {}, product(9))]
    with ScriptedSite(answers) as site:
        client = WooCommerceClient(site.url, KEY, SECRET)
        assert client.get_product(9)["id"] == 9

    assert no_sleep == [20.0]  # the host asked for 20 s
    assert client.auth_mode == "query" and client.calls == 3
    assert [r[1].split("?")[0] for r in site.requests] == ["/wp-json/wc/v3/products/9"] * 3
    assert "authorization" not in {k.lower() for k in site.requests[-1][2]}
    # urllib3 logs every request URL at DEBUG; the secret in it is masked.
    assert "consumer_secret=****" in caplog.text
    assert SECRET not in caplog.text and KEY not in caplog.text


def test_a_retry_after_longer_than_a_page_waits_is_answered_at_once(no_sleep):
    """Retry-After 3600 was waited 30 s three times (91 s) before the same refusal."""
    slow = lambda h: _anonymous_unless_query(h, "3600")  # noqa: E731
    with ScriptedSite([slow, slow, lambda h: (200, {}, product(9))]) as site:
        client = WooCommerceClient(site.url, KEY, SECRET)
        with pytest.raises(RateLimited) as caught:
            client.get_product(9)
    assert no_sleep == [] and client.calls == 2
    assert "Try again in 60 min" in str(caught.value)


def test_an_unreachable_site_leaks_no_secret_from_the_url(no_sleep, caplog):
    caplog.set_level(logging.DEBUG)
    answers = [_anonymous_unless_query, lambda h: (200, {}, product(9))]
    with ScriptedSite(answers) as site:
        client = WooCommerceClient(site.url, KEY, SECRET, timeout=(1, 2))
        client.get_product(9)  # switches to query-string auth
    assert client.auth_mode == "query"

    with pytest.raises(Unreachable) as caught:
        client.get_product(9)  # the server is gone: connection refused, retried, given up
    assert "Website unreachable" in str(caught.value)
    assert isinstance(caught.value, IntegrationError) and caught.value.retryable
    assert_no_secret(caught.value, caplog)


def test_nothing_listening_on_the_port_is_unreachable(no_sleep):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = WooCommerceClient(f"http://127.0.0.1:{port}", KEY, SECRET, timeout=(1, 1))
    with pytest.raises(Unreachable):
        client.list_products()
    assert client.calls == 3  # the first attempt and two connect retries


# --- against the sandbox -----------------------------------------------------------------
def test_end_to_end_against_the_sandbox(engine):
    from sqlalchemy import select

    from brcc_core.sandbox.schema import wordpress_metadata
    from brcc_core.sandbox.twin import Sandbox

    sandbox = Sandbox(engine)
    summary = sandbox.seed()
    client = WooCommerceClient(
        Sandbox.wc_url,
        Sandbox.wc_consumer_key,
        Sandbox.wc_consumer_secret,
        session=sandbox.session(),
    )
    pages: list[tuple[int, int | None]] = []
    products = client.list_products(progress=lambda d, t: pages.append((d, t)))

    posts = wordpress_metadata("wp_").tables["wp_posts"]
    with engine.connect() as conn:
        expected = set(
            conn.execute(select(posts.c.ID).where(posts.c.post_type == "product")).scalars()
        )
    assert {p["id"] for p in products} == expected
    assert len(products) == summary.product_count
    assert pages == [(1, 1)] and client.calls == 1

    single = next(p for p in products if p["manage_stock"])
    saved = client.update_product(single["id"], {"stock_quantity": 33})
    assert saved["stock_quantity"] == 33
    assert client.get_product(single["id"])["stock_quantity"] == 33
    with pytest.raises(NotFound):
        client.get_product(987654321)

    # A host that strips the Authorization header: one switch, then query-string auth.
    sandbox.faults.strip_authorization = True
    fresh = WooCommerceClient(
        Sandbox.wc_url,
        Sandbox.wc_consumer_key,
        Sandbox.wc_consumer_secret,
        session=sandbox.session(),
    )
    assert fresh.get_product(single["id"])["stock_quantity"] == 33
    assert fresh.auth_mode == "query" and fresh.calls == 2
    fresh.list_products()
    assert fresh.calls == 3

    wrong = WooCommerceClient(
        Sandbox.wc_url, Sandbox.wc_consumer_key, "cs_wrong", session=sandbox.session()
    )
    sandbox.faults.strip_authorization = False
    with pytest.raises(AuthError):
        wrong.list_products()
    assert wrong.auth_mode == "basic" and wrong.calls == 1
