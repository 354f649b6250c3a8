"""The sandbox app: routes calls to the emulated services, applies injected faults, and
offers two transports for the real HTTP clients:

- ``SandboxAdapter``: a ``requests`` transport adapter, mounted on a client's session so
  calls to ``SANDBOX_BASE_URL`` are answered in process (no socket, no thread);
- ``serve()`` / WSGI: the same app on a loopback port, for out-of-process use.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from sqlalchemy import Engine

from brcc_core.sandbox.faults import RESHAPING_FAULTS, Fault, Faults
from brcc_core.sandbox.web import Request, Response, Service

log = logging.getLogger(__name__)

# Base URL under which the in-process adapter answers. ".invalid" can never resolve, so a
# call that misses the adapter fails loudly instead of reaching the internet.
SANDBOX_BASE_URL = "http://sandbox.invalid"

_MALFORMED_BODY = b'{"truncated": [{"id": 1, "name": "cut off mid-'


class SandboxApp:
    """Dispatches requests to services by path prefix, inside one DB transaction each."""

    def __init__(self, engine: Engine, services: Iterable[Service], faults: Faults | None = None):
        self.engine = engine
        self.services = list(services)
        self.faults = faults or Faults()
        self.calls: dict[str, int] = {}
        self._calls_lock = threading.Lock()

    def service_for(self, path: str) -> Service | None:
        for service in self.services:
            if path.startswith(service.prefix) or path == service.prefix.rstrip("/"):
                return service
        return None

    def dispatch(self, request: Request) -> tuple[Response, Fault | None]:
        """Answer ``request``; also return the fault that fired, if any, so a transport
        can act out faults that are not a response (timeouts)."""
        service = self.service_for(request.path)
        if service is None:
            return Response.json({"error": "NOT_FOUND", "path": request.path}, status=404), None
        with self._calls_lock:
            self.calls[service.name] = self.calls.get(service.name, 0) + 1

        delay = self.faults.latency.get(service.name, 0.0)
        if delay > 0:
            time.sleep(delay)

        hooks = self.faults.count_call(service.name, request.method, request.path)
        for hook in hooks:
            if hook.when == "before":
                hook.callback()
        response, fault = self._answer(service, request)
        for hook in hooks:
            if hook.when == "after":
                hook.callback()
        return response, fault

    def _answer(self, service: Service, request: Request) -> tuple[Response, Fault | None]:

        fault = self.faults.take(service.name, request.method, request.path)
        if fault is not None:
            if fault.kind == "429":
                resp = service.error(429, "rate_limited", "Too many requests; slow down.")
                resp.headers["Retry-After"] = f"{fault.retry_after:g}"
                return resp, fault
            if fault.kind == "5xx":
                return service.error(fault.status, "upstream_error", "The server failed."), fault
            if fault.kind == "timeout":
                return service.error(504, "timeout", "Gateway timeout."), fault

        if self.faults.strip_authorization and service.name == "woocommerce":
            request.headers.pop("authorization", None)

        if fault is not None and fault.kind == "endless_pages":
            request.query.pop("continuation", None)  # the walk starts over, unnoticed
        drop_write = fault is not None and fault.kind == "drop_write"
        with self.engine.connect() as conn:
            trans = conn.begin()
            try:
                response = service.handle(request, conn)
            except Exception:
                trans.rollback()
                log.exception(
                    "sandbox %s failed on %s %s", service.name, request.method, request.path
                )
                return service.error(
                    500, "internal_error", "The sandbox failed on this call."
                ), fault
            if response.status >= 400 or drop_write:
                trans.rollback()
            else:
                trans.commit()

        if fault is not None and fault.kind == "malformed_json":
            response = Response(status=200, body=_MALFORMED_BODY, headers=dict(response.headers))
        if fault is not None and fault.kind in RESHAPING_FAULTS and response.status == 200:
            response = _reshaped(response, fault)
        return response, fault

    # --- WSGI ---------------------------------------------------------------------
    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-"): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        request = Request.build(
            environ["REQUEST_METHOD"],
            environ.get("PATH_INFO", "/"),
            environ.get("QUERY_STRING", ""),
            headers,
            body,
        )
        response, fault = self.dispatch(request)
        if fault is not None and fault.kind == "timeout":
            time.sleep(fault.hold_seconds)
        start_response(
            f"{response.status} {response.reason}",
            [*response.headers.items(), ("Content-Length", str(len(response.body)))],
        )
        return [response.body]


class SandboxAdapter(BaseAdapter):
    """A ``requests`` transport that answers from a ``SandboxApp`` in process."""

    def __init__(self, app: SandboxApp):
        super().__init__()
        self.app = app

    def send(  # noqa: D401 - requests' signature
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout=None,
        verify=True,
        cert=None,
        proxies=None,
    ) -> requests.Response:
        parts = urlsplit(request.url or "")
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        sandbox_request = Request.build(
            request.method or "GET",
            parts.path or "/",
            parts.query,
            dict(request.headers),
            body,
        )
        answer, fault = self.app.dispatch(sandbox_request)
        if fault is not None and fault.kind == "timeout":
            raise requests.exceptions.ReadTimeout(
                f"sandbox: injected timeout on {sandbox_request.path}", request=request
            )
        response = requests.Response()
        response.status_code = answer.status
        response.reason = answer.reason
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.body
        response.encoding = "utf-8"
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


def mount(session: requests.Session, app: SandboxApp, base_url: str = SANDBOX_BASE_URL) -> None:
    """Route ``session``'s calls under ``base_url`` to ``app`` in process."""
    session.mount(base_url, SandboxAdapter(app))


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib name
        # Query strings can carry consumer secrets; log the path only.
        log.info("sandbox %s %s", self.command, self.path.split("?", 1)[0])


def make_http_server(app: SandboxApp, host: str = "127.0.0.1", port: int = 0) -> WSGIServer:
    """A threaded loopback HTTP server for ``app`` (port 0 picks a free port)."""
    return make_server(
        host, port, app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
    )


def _reshaped(response: Response, fault: Fault) -> Response:
    """A good list answer reshaped as ``fault`` says (see ``Fault``)."""
    try:
        body = json.loads(response.body.decode("utf-8"))
    except ValueError:
        return response

    def reshape(items: list) -> list:
        if fault.kind == "repeat_items":
            return items + items
        if fault.kind == "empty_list":
            return []
        if fault.kind == "drop_field":
            return [
                {k: v for k, v in i.items() if k != fault.field} if isinstance(i, dict) else i
                for i in items
            ]
        return items

    if isinstance(body, list):
        body = reshape(body)
    elif isinstance(body, dict):
        for key, value in list(body.items()):
            if isinstance(value, list):
                body[key] = reshape(value)
        pagination = body.get("pagination")
        if isinstance(pagination, dict) and fault.kind == "endless_pages":
            pagination.update(has_more_items=True, continuation=uuid.uuid4().hex)
        elif isinstance(pagination, dict) and fault.kind == "empty_list":
            pagination.update(has_more_items=False, object_count=0)
            pagination.pop("continuation", None)
    headers = dict(response.headers)
    if fault.kind == "empty_list":
        headers.update({"X-WP-Total": "0", "X-WP-TotalPages": "1"})
    return Response.json(body, status=200, headers=headers)
