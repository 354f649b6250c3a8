"""The app's own state: the audit log of every capacity change, saved show mappings with
their venue capacities, and recurring rules that map new dates by themselves.

SQLAlchemy Core over any URL: a SQLite file under ``data/`` by default, MariaDB (or
PostgreSQL) through ``BRCC_STATE_DB_URL`` when several app instances share it. The
WordPress database is never touched here.

The audit log is append-only from the app: this module offers no way to delete a row, and
the one change a row ever gets is its result: an attempt on a platform is recorded as
``started`` *before* the platform is touched (``start_audit``) and completed once, after
(``finish_audit``). When the database fails between the two, the completion waits in the
process and is written as soon as the database answers again (``flush_audit``), so a change
made is never a change unrecorded. Messages never carry the database URL (it may hold a
password).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    insert,
    make_url,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from brcc_core.common import clock
from brcc_core.common.db_engines import (
    DEFAULT_DEADLINE_SECONDS,
    database_engine,
    failure_reason,
    is_unreachable,
)
from brcc_core.common.moments import aware_utc, naive_utc
from brcc_core.store import migrate
from brcc_core.store.saved_shows import RecurringRule, RuleMember, SavedShow
from brcc_core.store.schema import (
    audit_log,
    recurring_rules,
    show_listings,
    shows,
    systems_stamp,
)

log = logging.getLogger(__name__)

ANONYMOUS = "anonymous"
# The result of an attempt recorded before its platform is touched; completed after.
STARTED = "started"

AUDIT_COLUMNS = [
    "audit_id",
    "at",
    "who",
    "action",
    "batch",
    "listing_key",
    "channel",
    "what",
    "before",
    "after",
    "result",
    "error",
    "note",
]

STAMP_ROW = "stamp"  # the one row of brcc_systems


def schema_ready(engine: Engine, what: str) -> None:
    """The app-state schema on ``engine`` brought to this version's (once per engine,
    ``migrate.ensure``); StateUnavailable saying it failed while ``what`` otherwise. Every
    module calls it before its first statement, so opening the database never touches it
    and an unreachable server never stops a start."""
    try:
        migrate.ensure(engine)
    except SQLAlchemyError as exc:
        raise _unavailable(exc, what, engine) from None
    except migrate.MigrationFailed as exc:
        log.warning("app-state DB not upgraded while %s: %s", what, exc)
        raise StateUnavailable(
            f"The app-state database failed while {what}: {exc}.", str(exc)
        ) from None


class Transactions:
    """Transactions on the app-state database for one module (``State``'s, ``Access``'s),
    on a schema brought up to date first (``schema_ready``); database errors become
    ``StateUnavailable`` saying what was being done (never the URL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def begin(self, what: str) -> Iterator[Connection]:
        schema_ready(self.engine, what)
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise _unavailable(exc, what, self.engine) from None


def _unavailable(exc: SQLAlchemyError, what: str, engine: Engine) -> StateUnavailable:
    log.warning("app-state DB failed while %s: %s", what, type(exc).__name__)
    reason = failure_reason(exc, engine) or f"an error ({type(exc).__name__})"
    return StateUnavailable(state_failure(exc, what, engine), reason)


class StateUnavailable(RuntimeError):
    """The app-state database cannot be read or written; the message is safe to show,
    ``reason`` the cause alone ("the database did not answer within 10 s (timed out)")."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason or message


def state_failure(exc: SQLAlchemyError, what: str, engine: Engine | None = None) -> str:
    """Why the app-state database failed while doing ``what``, naming the real cause (a
    value too long is not an unreachable server); never the URL."""
    named = failure_reason(exc, engine)
    reason = named or f"it reported an error ({type(exc).__name__})"
    message = f"The app-state database failed while {what}: {reason}."
    if named is None or is_unreachable(exc):
        message += " Check BRCC_STATE_DB_URL and that the database is reachable."
    return message


@dataclass(frozen=True)
class AuditEntry:
    """One attempt to change a platform, successful or not."""

    who: str
    action: str
    listing_key: str
    channel: str
    what: str
    before: str | None
    after: str | None
    result: str
    error: str | None = None
    note: str | None = None
    batch: str = ""
    at: datetime = field(default_factory=clock.now)


class State:
    """The app-state database. Thread-safe (Streamlit sessions share one instance)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._tables = Transactions(engine)
        # Audit writes of attempts already made on a platform, waiting for the database
        # to answer again: ("finish", id, values) or ("append", None, values), in order.
        self._waiting: list[tuple[str, int | None, dict]] = []
        self._waiting_lock = threading.Lock()

    @classmethod
    def open(cls, url: str, *, deadline_seconds: float = DEFAULT_DEADLINE_SECONDS) -> State:
        """Connect to ``url``; a SQLite file's folder is created. The schema is brought
        up to date before the first statement, so opening never fails on an unreachable
        server. Every statement ends
        within ``deadline_seconds`` (``brcc_core.common.db_engines``)."""
        try:
            parsed = make_url(url)
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several kinds
            raise StateUnavailable("BRCC_STATE_DB_URL is not a database URL.") from exc
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                # A read-only disk: reads may still work, and writes say why.
                with contextlib.suppress(OSError):
                    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            if parsed.database in (None, "", ":memory:"):
                return cls(create_engine(parsed, connect_args={"check_same_thread": False}))
        return cls(database_engine(parsed, deadline_seconds=deadline_seconds))

    def __repr__(self) -> str:
        return f"State({self.engine.url.render_as_string(hide_password=True)!r})"

    def _begin(self, what: str) -> AbstractContextManager[Connection]:
        """A transaction, on a schema brought up to date first; errors become StateUnavailable.
        Audit completions waiting for the database go first (any view that reads saved
        shows completes them once it answers again), unless a flush is under way."""
        if self._waiting and not self._waiting_lock.locked():
            # Raises when the database still does not answer: the statement asked for
            # would not get through either, and need not wait as long again.
            self.flush_audit(raising=True)
        return self._tables.begin(what)

    def ping(self) -> None:
        """Raise StateUnavailable unless the database answers (its schema brought up to date
        first);
        audit completions waiting for it are written first."""
        with self._begin("checking the app-state database") as conn:
            conn.execute(select(audit_log.c.id).limit(1))

    def drop_all(self) -> None:
        """Remove every app-state table (tests only: the app itself never deletes
        history); the next transaction brings the schema back, empty."""
        migrate.drop_all(self.engine)

    # --- which systems it belongs to --------------------------------------------------
    def systems(self) -> tuple[str, str] | None:
        """(systems, label) stamped on this database, or None when not stamped yet."""
        with self._begin("reading which systems the app-state belongs to") as conn:
            row = conn.execute(
                select(systems_stamp.c.systems, systems_stamp.c.label).where(
                    systems_stamp.c.name == STAMP_ROW
                )
            ).first()
        return None if row is None else (row.systems, row.label)

    def stamp_systems(self, systems: str, label: str) -> tuple[str, str]:
        """Stamp an unstamped database; returns the stamp on record (another instance's,
        when it stamped first)."""
        try:
            with self._begin("stamping the app-state database") as conn:
                conn.execute(
                    insert(systems_stamp).values(
                        name=STAMP_ROW,
                        systems=systems[:80],
                        label=label[:300],
                        stamped_at=clock.now_naive_utc(),
                    )
                )
        except StateUnavailable:
            found = self.systems()  # a duplicate key: someone stamped it first
            if found is None:
                raise
            return found
        return systems[:80], label[:300]

    # --- audit log (append-only; an attempt is completed once) ------------------------
    @staticmethod
    def _audit_values(entry: AuditEntry) -> dict:
        return {
            "at": naive_utc(entry.at, whole_seconds=True),
            "who": (entry.who or ANONYMOUS)[:200],
            "action": entry.action[:20],
            "batch": entry.batch[:40],
            "listing_key": entry.listing_key[:200],
            "channel": entry.channel[:20],
            "what": entry.what[:80],
            "before": None if entry.before is None else str(entry.before)[:40],
            "after": None if entry.after is None else str(entry.after)[:40],
            "result": entry.result[:30],
            "error": entry.error,
            "note": entry.note,
        }

    def append_audit(self, entry: AuditEntry) -> int:
        """Record one attempt; returns its id. There is no delete."""
        with self._begin("recording a change in the audit log") as conn:
            result = conn.execute(insert(audit_log).values(**self._audit_values(entry)))
            return int(result.inserted_primary_key[0])

    def start_audit(self, entry: AuditEntry) -> int:
        """Record an attempt as ``started`` before its platform is touched; its id is
        completed by ``finish_audit``. Raises StateUnavailable: then nothing may be
        written to the platform."""
        return self.append_audit(replace(entry, result=STARTED))

    def finish_audit(self, audit_id: int | None, entry: AuditEntry) -> bool:
        """Complete the ``started`` row ``audit_id`` with ``entry`` (or, with no id, add
        ``entry``): True when written now, False when the database did not answer and it
        waits in this process for the next statement that reaches it (``flush_audit``).
        A row is completed once: a completed row is never changed again."""
        op = (
            ("append", None, self._audit_values(entry))
            if audit_id is None
            else (
                "finish",
                int(audit_id),
                self._completion(entry),
            )
        )
        with self._waiting_lock:
            self._waiting.append(op)
        try:
            self.flush_audit(raising=True)
        except StateUnavailable:
            return False
        return True

    @classmethod
    def _completion(cls, entry: AuditEntry) -> dict:
        values = cls._audit_values(entry)
        return {k: values[k] for k in ("what", "before", "after", "result", "error")}

    @property
    def audit_waiting(self) -> int:
        """Audit writes of attempts already made, waiting for the database."""
        with self._waiting_lock:
            return len(self._waiting)

    def flush_audit(self, *, raising: bool = False) -> int:
        """Write the audit completions waiting for the database, oldest first; how many
        were written. Quiet when it still does not answer, unless ``raising``."""
        written = 0
        if not self._waiting:  # the usual case: no lock, no statement
            return 0
        with self._waiting_lock:
            while self._waiting:
                kind, audit_id, values = self._waiting[0]
                try:
                    with self._begin("completing a change in the audit log") as conn:
                        if kind == "finish":
                            conn.execute(
                                update(audit_log)
                                .where(audit_log.c.id == audit_id, audit_log.c.result == STARTED)
                                .values(**values)
                            )
                        else:
                            conn.execute(insert(audit_log).values(**values))
                except StateUnavailable:
                    if raising:
                        raise
                    break
                self._waiting.pop(0)
                written += 1
        return written

    def audit_log(
        self,
        *,
        limit: int = 500,
        listing_contains: str | None = None,
        results: Sequence[str] | None = None,
        channels: Sequence[str] | None = None,
        who: str | None = None,
        since: datetime | None = None,
    ) -> pd.DataFrame:
        """Newest first, filtered; ``at`` is timezone-aware UTC."""
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(max(1, int(limit)))
        if listing_contains:
            query = query.where(audit_log.c.listing_key.contains(listing_contains))
        if results:
            query = query.where(audit_log.c.result.in_(list(results)))
        if channels:
            query = query.where(audit_log.c.channel.in_(list(channels)))
        if who:
            query = query.where(audit_log.c.who == who)
        if since is not None:
            query = query.where(audit_log.c.at >= naive_utc(since, whole_seconds=True))
        with self._begin("reading the audit log") as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        df = pd.DataFrame(rows, columns=["id", *AUDIT_COLUMNS[1:]]).rename(
            columns={"id": "audit_id"}
        )
        df["at"] = pd.to_datetime(df["at"]).dt.tz_localize(UTC)
        return df[AUDIT_COLUMNS]

    def people_on_record(self) -> list[str]:
        """Every ``who`` in the audit log, sorted (the Audit tab filters by person)."""
        with self._begin("reading the audit log") as conn:
            found = conn.execute(select(audit_log.c.who).distinct().order_by(audit_log.c.who))
            return [str(who) for who in found.scalars()]

    # --- saved shows -------------------------------------------------------------------
    def saved_shows(self) -> list[SavedShow]:
        with self._begin("reading saved shows") as conn:
            members: dict[str, list[str]] = {}
            for listing_key, show_key in conn.execute(
                select(show_listings.c.listing_key, show_listings.c.show_key).order_by(
                    show_listings.c.listing_key
                )
            ):
                members.setdefault(show_key, []).append(listing_key)
            saved = conn.execute(select(shows).order_by(shows.c.show_key)).all()
        return [
            SavedShow(
                show_key=row.show_key,
                listing_keys=tuple(members.get(row.show_key, ())),
                venue_capacity=row.venue_capacity,
                title=row.title,
                updated_by=row.updated_by,
                updated_at=aware_utc(row.updated_at),
            )
            for row in saved
        ]

    def save_show(self, show: SavedShow, *, who: str = ANONYMOUS) -> None:
        """Confirm a show: exactly these listings (moved from any other saved show) and
        this venue capacity (None = the default from settings)."""
        if show.venue_capacity is not None and show.venue_capacity < 1:
            raise ValueError("venue capacity must be at least 1")
        now = clock.now_naive_utc()
        keys = list(dict.fromkeys(show.listing_keys))
        with self._begin("saving a show") as conn:
            conn.execute(delete(show_listings).where(show_listings.c.show_key == show.show_key))
            if keys:
                conn.execute(delete(show_listings).where(show_listings.c.listing_key.in_(keys)))
                conn.execute(
                    insert(show_listings),
                    [{"listing_key": k, "show_key": show.show_key} for k in keys],
                )
            values = {
                "title": None if show.title is None else show.title[:300],
                "venue_capacity": show.venue_capacity,
                "updated_at": now,
                "updated_by": (who or ANONYMOUS)[:200],
            }
            changed = conn.execute(
                update(shows).where(shows.c.show_key == show.show_key).values(**values)
            ).rowcount
            if not changed:
                conn.execute(insert(shows).values(show_key=show.show_key, **values))
            # A show left with no listings by this move is no longer a confirmed show.
            conn.execute(
                delete(shows).where(
                    shows.c.show_key != show.show_key,
                    shows.c.show_key.not_in(select(show_listings.c.show_key).distinct()),
                )
            )

    def forget_show(self, show_key: str) -> None:
        """Drop a saved mapping: its listings go back to the suggestions."""
        with self._begin("forgetting a show") as conn:
            conn.execute(delete(show_listings).where(show_listings.c.show_key == show_key))
            conn.execute(delete(shows).where(shows.c.show_key == show_key))

    # --- recurring rules ---------------------------------------------------------------
    def recurring_rules(self) -> list[RecurringRule]:
        with self._begin("reading recurring rules") as conn:
            rows = conn.execute(select(recurring_rules).order_by(recurring_rules.c.id)).all()
        return [
            RecurringRule(
                rule_id=row.id,
                name=row.name,
                weekday=row.weekday,
                start_time=row.start_time,
                members=tuple(RuleMember(**m) for m in json.loads(row.members)),
                venue_capacity=row.venue_capacity,
            )
            for row in rows
        ]

    def save_rule(self, rule: RecurringRule, *, who: str = ANONYMOUS) -> int:
        """Add a rule (or replace the one with ``rule.rule_id``); returns its id."""
        rule.validate()
        values = {
            "name": rule.name[:200],
            "weekday": rule.weekday,
            "start_time": rule.start_time,
            "venue_capacity": rule.venue_capacity,
            "members": json.dumps([m.as_dict() for m in rule.members]),
            "created_at": clock.now_naive_utc(),
            "created_by": (who or ANONYMOUS)[:200],
        }
        with self._begin("saving a recurring rule") as conn:
            if rule.rule_id is not None:
                changed = conn.execute(
                    update(recurring_rules)
                    .where(recurring_rules.c.id == rule.rule_id)
                    .values(**values)
                ).rowcount
                if changed:
                    return int(rule.rule_id)
            result = conn.execute(insert(recurring_rules).values(**values))
            return int(result.inserted_primary_key[0])

    def delete_rule(self, rule_id: int) -> None:
        with self._begin("deleting a recurring rule") as conn:
            conn.execute(delete(recurring_rules).where(recurring_rules.c.id == int(rule_id)))
