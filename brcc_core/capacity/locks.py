"""One writer per listing at a time, across sessions and servers: leases in the app-state
database.

Neither WooCommerce REST nor FooEvents offers compare-and-set, so two managers whose
fresh reads both happen before either write would silently overwrite each other. A
lease is a row in ``brcc_write_leases`` keyed by the resource written (a WooCommerce
product: its booking dates share one stored value; an Eventbrite event: its classes
share the event's capacity). Taking it is a plain INSERT that the primary key lets only
one writer win, so it works the same on SQLite, MariaDB/MySQL and PostgreSQL. A lease
expires, so a server that dies mid-change frees the resource after ``LEASE_SECONDS``;
the holder renews it before each write and stops if it lost it.

A lease whose release failed (the database went away mid-change) is remembered by the
process that held it and given back with its next statement on the leases: the holder's
own retry takes it over at once instead of waiting out the expiry behind its own lease.
Another holder's lease is named with who holds it and when it expires.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from brcc_core.common import clock
from brcc_core.common.db_engines import failure_reason
from brcc_core.store.schema import write_leases
from brcc_core.store.state import StateUnavailable, schema_ready

# Longer than any change takes (a handful of calls with their timeouts), short enough
# that a crashed server does not block a listing for long.
LEASE_SECONDS = 120.0
# How long a change waits for another manager's change to the same listing to finish.
WAIT_SECONDS = 15.0
POLL_SECONDS = 0.2


def _cause(exc: SQLAlchemyError, locks: Locks) -> str:
    return failure_reason(exc, locks.engine) or f"an error ({type(exc).__name__})"


class LockError(RuntimeError):
    """The lease could not be taken or kept; the message is safe to show."""


def _now() -> datetime:
    return clock.now_naive_utc()


@dataclass(frozen=True)
class Lease:
    resource: str
    holder: str
    who: str


class Locks:
    """Leases on the app-state engine (``State.engine``), one table of their own."""

    def __init__(
        self,
        engine: Engine,
        *,
        lease_seconds: float = LEASE_SECONDS,
        clock: Callable[[], datetime] = _now,
    ):
        self.engine = engine
        self.lease_seconds = lease_seconds
        self.clock = clock
        # Leases this process holds no more but could not give back (the database did
        # not answer): resource -> lease, deleted with the next statement that works.
        self._unreleased: dict[str, Lease] = {}
        self._unreleased_lock = threading.Lock()

    def _tables(self) -> None:
        # An upgrade that fails here is said by the statement that follows (the table
        # missing, or the database not answering) in this module's own words.
        with contextlib.suppress(StateUnavailable):
            schema_ready(self.engine, "preparing the write locks")

    def try_acquire(self, resource: str, who: str, what: str = "") -> Lease | None:
        """The lease on ``resource`` now, or None while someone else holds it."""
        self._tables()
        now = self.clock()
        lease = Lease(resource, uuid.uuid4().hex, who)
        with self._unreleased_lock:
            ours = list(self._unreleased.values())
        try:
            with self.engine.begin() as conn:
                # A lease past its expiry belongs to a server that stopped mid-change.
                conn.execute(
                    delete(write_leases).where(
                        write_leases.c.resource == resource, write_leases.c.expires_at < now
                    )
                )
                # Ours, left behind when the database went away: taken back now.
                for left in ours:
                    conn.execute(
                        delete(write_leases).where(
                            write_leases.c.resource == left.resource,
                            write_leases.c.holder == left.holder,
                        )
                    )
            self._forget_unreleased(ours)
            with self.engine.begin() as conn:
                conn.execute(
                    insert(write_leases).values(
                        resource=resource,
                        holder=lease.holder,
                        who=(who or "anonymous")[:200],
                        what=what[:200],
                        acquired_at=now,
                        expires_at=now + timedelta(seconds=self.lease_seconds),
                    )
                )
        except IntegrityError:
            return None
        except SQLAlchemyError as exc:
            raise LockError(
                f"The app-state database could not take the write lock: {_cause(exc, self)}."
            ) from None
        return lease

    def _forget_unreleased(self, leases: list[Lease]) -> None:
        with self._unreleased_lock:
            for left in leases:
                if self._unreleased.get(left.resource) == left:
                    del self._unreleased[left.resource]

    @property
    def unreleased(self) -> list[Lease]:
        """Leases this process could not give back yet (the database did not answer)."""
        with self._unreleased_lock:
            return list(self._unreleased.values())

    def holder_of(self, resource: str) -> tuple[str, str] | None:
        """(who, what) of the current lease on ``resource``, if any."""
        found = self._holder(resource)
        return None if found is None else (found[0], found[1])

    def _holder(self, resource: str) -> tuple[str, str, datetime] | None:
        """(who, what, expires at) of the current lease on ``resource``, if any."""
        self._tables()
        try:
            with self.engine.connect() as conn:
                row = conn.execute(
                    select(
                        write_leases.c.who, write_leases.c.what, write_leases.c.expires_at
                    ).where(write_leases.c.resource == resource)
                ).first()
        except SQLAlchemyError:
            return None
        return None if row is None else (row.who, row.what, row.expires_at)

    def acquire(
        self, resource: str, who: str, what: str = "", *, wait_seconds: float = WAIT_SECONDS
    ) -> Lease:
        """Wait up to ``wait_seconds`` for the lease; LockError naming the holder after."""
        deadline = time.monotonic() + max(0.0, wait_seconds)
        while True:
            lease = self.try_acquire(resource, who, what)
            if lease is not None:
                return lease
            if time.monotonic() >= deadline:
                holder = self._holder(resource)
                by, expiry = "", ""
                if holder:
                    by = f" ({holder[0]}: {holder[1]})"
                    left = max(0, round((holder[2] - self.clock()).total_seconds()))
                    expiry = (
                        f" If that change has stopped (its server or database went away), "
                        f"its lock expires by itself in {left} s."
                    )
                raise LockError(
                    f"Another change to this listing is in progress{by}. Nothing was "
                    f"written; look at the new numbers once it is done and try again.{expiry}"
                )
            time.sleep(POLL_SECONDS)

    def renew(self, lease: Lease) -> None:
        """Push the expiry out; LockError when the lease was lost (expired and taken)."""
        self._tables()
        try:
            with self.engine.begin() as conn:
                kept = conn.execute(
                    sql_update(write_leases)
                    .where(
                        write_leases.c.resource == lease.resource,
                        write_leases.c.holder == lease.holder,
                    )
                    .values(expires_at=self.clock() + timedelta(seconds=self.lease_seconds))
                ).rowcount
        except SQLAlchemyError as exc:
            raise LockError(
                f"The app-state database could not renew the write lock: {_cause(exc, self)}."
            ) from None
        if not kept:
            raise LockError(
                "This change took too long and lost its write lock to another change; "
                "it stopped before writing again."
            )

    def release(self, lease: Lease) -> bool:
        """Give the lease back (only our own: an expired one may be someone else's now).
        False when the database did not answer: the lease is then remembered and given
        back by this process's next statement on the leases (or expires by itself)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    delete(write_leases).where(
                        write_leases.c.resource == lease.resource,
                        write_leases.c.holder == lease.holder,
                    )
                )
        except SQLAlchemyError:
            with self._unreleased_lock:
                self._unreleased[lease.resource] = lease
            return False
        return True

    @contextmanager
    def hold(
        self, resource: str, who: str, what: str = "", *, wait_seconds: float = WAIT_SECONDS
    ) -> Iterator[Lease]:
        lease = self.acquire(resource, who, what, wait_seconds=wait_seconds)
        try:
            yield lease
        finally:
            self.release(lease)
