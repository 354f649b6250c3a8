"""A database that goes away (or stops answering) and comes back, the same way for SQLite
and MariaDB, for tests of what the app does meanwhile.

- SQLite: another program holds the file locked (``BEGIN EXCLUSIVE`` on its own
  connection): every statement of the app waits for the lock until its deadline;
- MariaDB: the app reaches the server through ``tests.db_proxy.LoopbackProxy``, which
  cuts every connection (``mode="cut"``) or holds them silent (``mode="hang"``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from sqlalchemy import make_url

from tests.db_proxy import LoopbackProxy


class Outage:
    """``begin()`` takes the database away, ``end()`` brings it back."""

    def __init__(
        self,
        *,
        sqlite_path: Path | None = None,
        proxy: LoopbackProxy | None = None,
        mode: Literal["cut", "hang"] = "cut",
    ) -> None:
        self.sqlite_path = sqlite_path
        self.proxy = proxy
        self.mode = mode
        self._holder: sqlite3.Connection | None = None
        self.active = False

    def begin(self) -> None:
        if self.active:
            return
        self.active = True
        if self.proxy is not None:
            self.proxy.hang() if self.mode == "hang" else self.proxy.cut()
            return
        assert self.sqlite_path is not None
        self._holder = sqlite3.connect(self.sqlite_path, timeout=30, isolation_level=None)
        self._holder.execute("BEGIN EXCLUSIVE")

    def end(self) -> None:
        if not self.active:
            return
        self.active = False
        if self.proxy is not None:
            self.proxy.restore()
            return
        assert self._holder is not None
        self._holder.execute("ROLLBACK")
        self._holder.close()
        self._holder = None


def sqlite_copy(source: Path, target: Path) -> None:
    """``source`` copied to ``target`` with a rollback journal (a WAL file's readers are
    never blocked by a lock, so a copy is what another program can hold locked)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    with sqlite3.connect(target, isolation_level=None) as dst:
        dst.execute("PRAGMA journal_mode=DELETE")


@contextmanager
def wordpress_with_outage(
    db_url: str, tmp_path: Path, *, mode: Literal["cut", "hang"] = "hang"
) -> Iterator[tuple[str, Outage]]:
    """A URL the app reads the sandbox's WordPress tables through, and the outage that
    takes it away: on SQLite a copy of the sandbox file another program can lock, on
    MariaDB the sandbox's database behind a proxy."""
    if make_url(db_url).get_backend_name() == "sqlite":
        path = tmp_path / "wordpress.db"
        sqlite_copy(Path(make_url(db_url).database or ""), path)
        outage = Outage(sqlite_path=path)
        try:
            yield f"sqlite:///{path}", outage
        finally:
            outage.end()
        return
    with database_with_outage(db_url, tmp_path, "wordpress", mode=mode) as found:
        yield found


@contextmanager
def database_with_outage(
    db_url: str, tmp_path: Path, name: str, *, mode: Literal["cut", "hang"] = "cut"
) -> Iterator[tuple[str, Outage]]:
    """A URL for the app (a SQLite file of its own under ``tmp_path``, or ``db_url``'s
    MariaDB database through a proxy) and the outage that takes it away."""
    if make_url(db_url).get_backend_name() == "sqlite":
        path = tmp_path / f"{name}.db"
        outage = Outage(sqlite_path=path)
        try:
            yield f"sqlite:///{path}", outage
        finally:
            outage.end()
        return
    proxy = LoopbackProxy.for_url(db_url)
    outage = Outage(proxy=proxy, mode=mode)
    try:
        yield proxy.url(db_url), outage
    finally:
        outage.end()
        proxy.close()
