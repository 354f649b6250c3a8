"""Eventbrite's hourly call budget, one for every process that uses the token.

Eventbrite allows 2,000 calls an hour per token, whoever makes them: every server and
session of the app spends the same hour, and a catalog build alone takes about 400. So
each process counts its own calls (``CallBudget``) and, once the app-state database is
known, adds them to a count kept there (``SharedCalls``): per token (a SHA-256 of it,
never the token) and minute, the hour being the last sixty minutes. The calls left are
the fewest of the two counts and of what Eventbrite itself said last: an answer saying
the limit is reached means none are left until its ``Retry-After``
(``CallBudget.eventbrite_says``, the correction any caller may make).

A process writes its calls in batches (every ``FLUSH_CALLS`` calls or ``FLUSH_SECONDS``)
and always before it reads the count, so another server sees them within about a
second; a count a minute early is kept rather than one late (the oldest minute is
counted whole). When the app-state database does not answer, the process goes on with
its own count and tries the database again after ``RETRY_SECONDS``.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    delete,
    func,
    select,
)
from sqlalchemy import insert as sql_insert
from sqlalchemy import update as sql_update
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from brcc_core.common.club import HOURLY_LIMIT
from brcc_core.common.moments import aware_utc, naive_utc
from brcc_core.store.schema import eventbrite_calls, eventbrite_said
from brcc_core.store.state import StateUnavailable, schema_ready

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
FLUSH_CALLS = 16  # a refresh's round of class reads (8 in flight, twice)
FLUSH_SECONDS = 1.0
RETRY_SECONDS = 30.0
# Eventbrite's limit answer without a Retry-After: wait this long before calling again,
# rather than lock capacity changes out for a whole hour on a guess.
UNSAID_WAIT = timedelta(minutes=5)


def token_fingerprint(token: str) -> str:
    """What the budget is kept under: a SHA-256 of the token (the token is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _minute(moment: datetime) -> datetime:
    return naive_utc(moment).replace(second=0, microsecond=0)


class SharedCalls:
    """The token's calls counted in the app-state database, shared by every process."""

    def __init__(self, engine: Callable[[], Engine], token: str):
        self._engine = engine
        self.token = token  # the fingerprint (token_fingerprint), never the token
        self._buffer: dict[datetime, int] = {}
        self._lock = threading.Lock()
        self._flushed = time.monotonic()
        self._down_until = 0.0
        self._pruned: datetime | None = None
        # Calls still in the batch when the process ends are written then (a weak
        # reference: a count that is gone has nothing to write).
        flush = weakref.WeakMethod(self.flush)
        atexit.register(lambda: (method := flush()) is not None and method())

    # --- writing ----------------------------------------------------------------------
    def record(self, moment: datetime, calls: int = 1) -> None:
        """``calls`` made at ``moment``; written with the next batch."""
        with self._lock:
            key = _minute(moment)
            self._buffer[key] = self._buffer.get(key, 0) + calls
            due = (
                sum(self._buffer.values()) >= FLUSH_CALLS
                or time.monotonic() - self._flushed >= FLUSH_SECONDS
            )
        if due:
            self.flush()

    def flush(self) -> bool:
        """Write the calls not written yet; False when the database did not take them
        (they are kept for the next try)."""
        with self._lock:
            batch, self._buffer = self._buffer, {}
            self._flushed = time.monotonic()
        if not batch:
            return True
        try:
            with self._begin("counting Eventbrite calls") as conn:
                for minute, calls in sorted(batch.items()):
                    _add_calls(conn, self.token, minute, calls)
            return True
        except StateUnavailable:
            with self._lock:
                for minute, calls in batch.items():
                    self._buffer[minute] = self._buffer.get(minute, 0) + calls
            return False

    def say(self, calls_left: int, said_at: datetime, until: datetime) -> None:
        """Keep what Eventbrite said for every process: ``calls_left`` at ``said_at``,
        holding until ``until``."""
        values = {
            "said_at": naive_utc(said_at),
            "calls_left": max(0, int(calls_left)),
            "until": naive_utc(until),
        }
        try:
            with self._begin("keeping what Eventbrite said of its calls") as conn:
                changed = conn.execute(
                    sql_update(eventbrite_said)
                    .where(eventbrite_said.c.token == self.token)
                    .values(**values)
                ).rowcount
                if not changed:
                    conn.execute(sql_insert(eventbrite_said).values(token=self.token, **values))
        except StateUnavailable:
            pass  # the process keeps its own copy (CallBudget)

    # --- reading ----------------------------------------------------------------------
    def calls_this_hour(self, now: datetime) -> int | None:
        """Calls of the token in the last hour by every process; None when the database
        cannot say (the caller goes on with its own count)."""
        if not self.flush():
            return None
        since = _minute(naive_utc(now) - HOUR)
        try:
            with self._begin("reading the Eventbrite calls made") as conn:
                total = conn.execute(
                    select(func.coalesce(func.sum(eventbrite_calls.c.calls), 0)).where(
                        eventbrite_calls.c.token == self.token,
                        eventbrite_calls.c.minute >= since,
                    )
                ).scalar_one()
                self._prune(conn, since)
        except StateUnavailable:
            return None
        return int(total)

    def said(self, now: datetime) -> tuple[int, datetime, datetime] | None:
        """(calls left, said at, until) as Eventbrite last said, while it holds."""
        try:
            with self._begin("reading what Eventbrite said of its calls") as conn:
                row = conn.execute(
                    select(
                        eventbrite_said.c.calls_left,
                        eventbrite_said.c.said_at,
                        eventbrite_said.c.until,
                    ).where(
                        eventbrite_said.c.token == self.token,
                        eventbrite_said.c.until > naive_utc(now),
                    )
                ).first()
        except StateUnavailable:
            return None
        return None if row is None else (int(row.calls_left), row.said_at, row.until)

    def calls_since(self, moment: datetime) -> int | None:
        """Calls of the token from the minute of ``moment`` on (by every process)."""
        try:
            with self._begin("reading the Eventbrite calls made") as conn:
                return int(
                    conn.execute(
                        select(func.coalesce(func.sum(eventbrite_calls.c.calls), 0)).where(
                            eventbrite_calls.c.token == self.token,
                            eventbrite_calls.c.minute >= _minute(moment),
                        )
                    ).scalar_one()
                )
        except StateUnavailable:
            return None

    # --- plumbing ---------------------------------------------------------------------
    @contextmanager
    def _begin(self, what: str) -> Iterator[Connection]:
        """A transaction; any database failure becomes StateUnavailable and the shared
        count rests for ``RETRY_SECONDS`` (the process counts alone meanwhile)."""
        if time.monotonic() < self._down_until:
            raise StateUnavailable("the app-state database did not answer a moment ago")
        try:
            engine = self._engine()
            schema_ready(engine, what)
            with engine.begin() as conn:
                yield conn
        except IntegrityError:
            raise StateUnavailable(f"a concurrent write while {what}") from None
        except (StateUnavailable, SQLAlchemyError) as exc:
            self._down(exc)
            raise StateUnavailable(
                f"The app-state database failed while {what} ({type(exc).__name__})."
            ) from None

    def _down(self, exc: Exception) -> None:
        if time.monotonic() >= self._down_until:
            log.warning(
                "Eventbrite calls are counted by this process alone for %.0f s: %s",
                RETRY_SECONDS,
                type(exc).__name__,
            )
        self._down_until = time.monotonic() + RETRY_SECONDS

    def _prune(self, conn, since: datetime) -> None:
        """Forget minutes out of every hour counted (at most once every ten minutes)."""
        if self._pruned is not None and since - self._pruned < timedelta(minutes=10):
            return
        self._pruned = since
        conn.execute(
            delete(eventbrite_calls).where(
                and_(eventbrite_calls.c.token == self.token, eventbrite_calls.c.minute < since)
            )
        )


def _add_calls(conn, token: str, minute: datetime, calls: int) -> None:
    """Add ``calls`` to a minute's count in one statement where the database has an
    upsert (several servers add to the same minute at once)."""
    table = eventbrite_calls
    values = {"token": token, "minute": minute, "calls": calls}
    name = conn.dialect.name
    if name in ("mysql", "mariadb"):
        stmt = mysql.insert(table).values(**values)
        conn.execute(stmt.on_duplicate_key_update(calls=table.c.calls + stmt.inserted.calls))
        return
    if name in ("sqlite", "postgresql"):
        dialect = sqlite if name == "sqlite" else postgresql
        stmt = dialect.insert(table).values(**values)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[table.c.token, table.c.minute],
                set_={"calls": table.c.calls + stmt.excluded.calls},
            )
        )
        return
    where = and_(table.c.token == token, table.c.minute == minute)
    if not conn.execute(
        sql_update(table).where(where).values(calls=table.c.calls + calls)
    ).rowcount:
        conn.execute(sql_insert(table).values(**values))


class CallBudget:
    """The calls left of the token's hour: this process's own count, the count shared in
    the app-state database once ``share`` gave it one, and what Eventbrite last said."""

    def __init__(self, clock: Callable[[], datetime], limit: int = HOURLY_LIMIT):
        self.clock = clock
        self.limit = limit
        self.own: deque[datetime] = deque()  # this process's calls, oldest first
        self.shared: SharedCalls | None = None
        self._said: tuple[int, datetime, datetime] | None = None
        self._lock = threading.Lock()

    def share(self, shared: SharedCalls | None) -> None:
        """Count with every other process using the same app-state database."""
        self.shared = shared

    def record(self, calls: int = 1) -> None:
        """``calls`` made now (one per HTTP request, retries included)."""
        now = self.clock()
        with self._lock:
            self.own.extend([now] * calls)
        if self.shared is not None:
            self.shared.record(now, calls)

    def own_calls(self) -> int:
        """This process's calls in the last rolling hour."""
        cutoff = self.clock() - HOUR
        with self._lock:
            while self.own and self.own[0] <= cutoff:
                self.own.popleft()
            return len(self.own)

    def calls_this_hour(self) -> int:
        """Calls of the token in the last hour, every process counted where known."""
        own = self.own_calls()
        shared = None if self.shared is None else self.shared.calls_this_hour(self.clock())
        return own if shared is None else max(own, shared)

    def calls_left(self) -> int:
        used = self.calls_this_hour()
        left = self.limit - used
        said = self._what_was_said()
        if said is not None:
            told, said_at, _ = said
            since = None if self.shared is None else self.shared.calls_since(said_at)
            if since is None:
                cutoff = naive_utc(said_at)
                with self._lock:
                    since = sum(1 for t in self.own if naive_utc(t) >= cutoff)
            left = min(left, told - since)
        return max(0, left)

    def eventbrite_says(self, calls_left: int, *, until: datetime | None = None) -> None:
        """What Eventbrite said: ``calls_left`` now (0 when it answered that the limit is
        reached), holding ``until`` (by default for the hour). Every process sharing the
        app-state database hears it."""
        now = self.clock()
        until = until or now + (UNSAID_WAIT if calls_left <= 0 else HOUR)
        with self._lock:
            self._said = (max(0, int(calls_left)), now, until)
        if self.shared is not None:
            self.shared.say(calls_left, now, until)

    def limited_until(self) -> datetime | None:
        """When Eventbrite's limit resets, while it says no calls are left (any server
        may have been told)."""
        said = self._what_was_said()
        if said is None or said[0] != 0:
            return None
        until = said[2]  # naive UTC when it came from the database
        return aware_utc(until)

    def _what_was_said(self) -> tuple[int, datetime, datetime] | None:
        now = self.clock()
        said = None if self.shared is None else self.shared.said(now)
        with self._lock:
            own = self._said
        if own is not None and naive_utc(own[2]) <= naive_utc(now):
            own = None
        if said is None or (own is not None and own[0] <= said[0]):
            return own
        return said
