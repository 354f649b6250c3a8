"""A loopback TCP proxy between the app and a database server that a test can cut or hang,
to see what the app does when MariaDB goes away or stops answering mid-conversation.

- ``pass``: bytes flow both ways (the database as usual);
- ``hang``: connections stay open and are read from, but nothing reaches either side (a
  server that accepts the connection and never answers, a stalled network);
- ``cut``: every open connection is closed and new ones are closed at once (a server
  that went away).

``restore()`` goes back to ``pass`` for new connections; connections that were hung stay
hung (as after a network stall the client gives them up).
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from sqlalchemy import make_url

Mode = Literal["pass", "hang", "cut"]


class LoopbackProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode: Mode = "pass"
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket | None, threading.Event]] = []
        self._thread = threading.Thread(target=self._accept, daemon=True, name="db-proxy")
        self._thread.start()

    @classmethod
    def for_url(cls, url: str) -> LoopbackProxy:
        parsed = make_url(url)
        return cls(parsed.host or "127.0.0.1", int(parsed.port or 3306))

    def url(self, url: str) -> str:
        """``url`` with its host and port replaced by the proxy's."""
        parsed = make_url(url).set(host="127.0.0.1", port=self.port)
        return parsed.render_as_string(hide_password=False)

    # --- faults -----------------------------------------------------------------------
    def hang(self) -> None:
        """Nothing passes any more, on open connections or new ones."""
        with self._lock:
            self.mode = "hang"
            for _, _, held in self._pairs:
                held.set()

    def cut(self) -> None:
        """Close every connection; new ones are closed as soon as they arrive."""
        with self._lock:
            self.mode = "cut"
            pairs, self._pairs = self._pairs, []
        for client, upstream, _ in pairs:
            _close(client)
            _close(upstream)

    def restore(self) -> None:
        """New connections pass again."""
        with self._lock:
            self.mode = "pass"

    def close(self) -> None:
        self._stop.set()
        self.cut()
        _close(self._server)
        self._thread.join(timeout=2)

    # --- plumbing ---------------------------------------------------------------------
    def _accept(self) -> None:
        self._server.settimeout(0.1)
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                continue
            with self._lock:
                mode = self.mode
            if mode == "cut":
                _close(client)
                continue
            held = threading.Event()
            upstream: socket.socket | None = None  # hung from the start: nothing answers
            if mode == "hang":
                held.set()
            else:
                try:
                    upstream = socket.create_connection(self.target, timeout=5)
                except OSError:
                    _close(client)
                    continue
            with self._lock:
                self._pairs.append((client, upstream, held))
            threading.Thread(target=self._pump, args=(client, upstream, held), daemon=True).start()

    def _pump(
        self, client: socket.socket, upstream: socket.socket | None, held: threading.Event
    ) -> None:
        ends = [client] if upstream is None else [client, upstream]
        while not self._stop.is_set():
            try:
                readable, _, _ = select.select(ends, [], [], 0.1)
            except (OSError, ValueError):
                return
            for sock in readable:
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    _close(client)
                    _close(upstream)
                    return
                if held.is_set():
                    continue  # swallowed: the other side waits for ever
                other = upstream if sock is client else client
                try:
                    other.sendall(data)
                except OSError:
                    _close(client)
                    _close(upstream)
                    return


def _close(sock: socket.socket | None) -> None:
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.close()


@contextmanager
def proxied(url: str) -> Iterator[tuple[LoopbackProxy, str]]:
    """A proxy in front of ``url``'s server, and ``url`` through it."""
    proxy = LoopbackProxy.for_url(url)
    try:
        yield proxy, proxy.url(url)
    finally:
        proxy.close()
