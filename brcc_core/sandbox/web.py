"""The small HTTP vocabulary the sandbox's emulated APIs are written in.

Each emulation (WooCommerce, Eventbrite) is a ``Service``: it takes a ``Request`` and an
open database connection and returns a ``Response``. ``brcc_core.sandbox.app`` carries
requests to services both in process (a ``requests`` transport adapter) and over
loopback HTTP (WSGI), so the same handler code answers both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs

from sqlalchemy import Connection


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # keys lower-cased
    body: bytes = b""

    @classmethod
    def build(
        cls,
        method: str,
        path: str,
        query_string: str = "",
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> Request:
        return cls(
            method=method.upper(),
            path=path,
            query=parse_qs(query_string, keep_blank_values=True),
            headers={k.lower(): v for k, v in (headers or {}).items()},
            body=body or b"",
        )

    def arg(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        """The decoded JSON body; raises ``ValueError`` on a body that is not JSON."""
        if not self.body:
            return None
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        all_headers = {"Content-Type": "application/json; charset=UTF-8"}
        all_headers.update(headers or {})
        return cls(status=status, body=body, headers=all_headers)

    @property
    def reason(self) -> str:
        from http import HTTPStatus

        try:
            return HTTPStatus(self.status).phrase
        except ValueError:
            return "Unknown"


class Service(Protocol):
    """One emulated API. ``name`` is the fault-injection key ("woocommerce",
    "eventbrite"); ``prefix`` the path it owns (e.g. "/wp-json/wc/v3/")."""

    name: str
    prefix: str

    def handle(self, request: Request, conn: Connection) -> Response:
        """Answer one call. Return 404 in the service's own error shape for unknown paths.
        The connection is inside a transaction the app commits unless the response is
        an error (status >= 400) or a ``drop_write`` fault fired."""
        ...

    def error(self, status: int, code: str, message: str) -> Response:
        """An error in this API's own JSON shape."""
        ...
