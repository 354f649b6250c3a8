"""Brings the app-state database to this version's schema (``schema.py``) with Alembic.

The revisions are in ``migrations/versions``; there is no alembic.ini: the script
location is set here and ``migrations/env.py`` runs on the connection given to it. The
first revision (``0001``) is the schema as the app created it before it had migrations,
and creates only the tables a database lacks: a database an older version made (tables,
rows, no ``alembic_version``) is taken as it is and upgraded like any other.

``ensure(engine)`` runs once per engine, before its first statement (``store/state.py``):
the app opens the database without touching it, so an unreachable server never stops a
start, and an upgrade that fails is tried again with the next statement. A database at
the head revision costs one read and takes no lock (a read-only disk is still read).

Two servers starting at once do not both migrate: the one that migrates holds a lock and
the other, once it has it, finds the database at head. SQLite: ``BEGIN IMMEDIATE`` (the
database's own write lock, held until the upgrade commits; DDL is transactional there).
MariaDB/MySQL: ``GET_LOCK`` named after the database. Other backends take no lock.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from brcc_core.common.db_engines import (
    DEADLINE_OPTION,
    DEFAULT_DEADLINE_SECONDS,
    engine_deadline,
)
from brcc_core.store.schema import metadata

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"  # Alembic's record of the revision a database is at
# A migration is not interrupted half-way (MariaDB commits each DDL statement by itself):
# its statements get this long, not the engine's deadline. Reaching the database and
# taking the lock still get the engine's.
MIGRATION_SECONDS = 600.0

_upgraded: weakref.WeakSet[Engine] = weakref.WeakSet()
_upgrading = threading.Lock()


class MigrationFailed(RuntimeError):
    """The database could not be brought to this version's schema for a reason that is
    not a database error; the message is safe to show."""


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head() -> str:
    """The revision this version's schema is."""
    found = ScriptDirectory.from_config(_config()).get_current_head()
    if found is None:
        raise RuntimeError(f"{MIGRATIONS / 'versions'} holds no revision")
    return found


def current(conn: Connection) -> str | None:
    """The revision the database is at (None: new, or made before migrations)."""
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> str | None:
    """Bring the app-state database on ``engine`` to the head revision, keeping every row;
    a no-op when it is there. Returns the revision it was at. Raises SQLAlchemyError, or
    MigrationFailed (a database of a newer version, another server's upgrade not done)."""
    target = head()
    with engine.connect() as conn:
        found = current(conn)
    if found == target:
        return found
    with _migration_lock(engine) as conn:
        found = current(conn)  # another server may have upgraded it meanwhile
        if found != target:
            try:
                command.upgrade(_config(conn), "head")
            except CommandError as exc:
                raise MigrationFailed(_unknown(found, target, exc)) from None
            log.info("Upgraded the app-state database from %s to %s.", found or "none", target)
        conn.commit()
    return found


def ensure(engine: Engine) -> None:
    """``upgrade`` once per engine (and again after a failure); cheap once done."""
    if engine in _upgraded:
        return
    with _upgrading:
        if engine not in _upgraded:
            upgrade(engine)
            _upgraded.add(engine)


def drop_all(engine: Engine) -> None:
    """Remove every app-state table and the revision record (tests only: the app never
    deletes history); the next ``ensure`` on any engine upgrades again."""
    with _upgrading:
        metadata.drop_all(engine, checkfirst=True)
        with engine.begin() as conn:
            conn.execute(text(f"DROP TABLE IF EXISTS {VERSION_TABLE}"))
        # Every engine: another engine on the same database must not trust its memory.
        _upgraded.clear()


def _unknown(found: str | None, target: str, exc: CommandError) -> str:
    known = {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}
    if found is not None and found not in known:
        return (
            f"it was brought to schema revision {found} by a newer version of the app, and "
            f"this version knows revisions up to {target}. Run the newer version, or "
            "restore the database from a backup made before it"
        )
    return f"its schema could not be brought up to date ({exc})"


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    """A connection holding the lock that lets one server migrate at a time."""
    backend = engine.url.get_backend_name()
    with engine.connect() as conn:
        if backend == "sqlite":
            # pysqlite opens no transaction before DDL by itself: this one holds SQLite's
            # write lock until the commit (another server waits up to its busy timeout).
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn.execution_options(**{DEADLINE_OPTION: MIGRATION_SECONDS})
            return
        if backend not in ("mysql", "mariadb"):
            yield conn.execution_options(**{DEADLINE_OPTION: MIGRATION_SECONDS})
            return
        wait = engine_deadline(engine) or DEFAULT_DEADLINE_SECONDS
        name = f"brcc_state_migrate:{engine.url.database or ''}"[:64]
        got = conn.execute(
            text("SELECT GET_LOCK(:name, :wait)").execution_options(**{DEADLINE_OPTION: wait + 5}),
            {"name": name, "wait": wait},
        ).scalar()
        if got != 1:
            raise MigrationFailed(
                f"another server is bringing its schema up to date and did not finish "
                f"within {wait:g} s"
            )
        try:
            yield conn.execution_options(**{DEADLINE_OPTION: MIGRATION_SECONDS})
        finally:
            # The lock is the session's: it goes with the connection if this fails.
            with suppress(SQLAlchemyError):
                conn.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": name})
