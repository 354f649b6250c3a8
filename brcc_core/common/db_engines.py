"""Engines for the app's two databases (the club's WordPress database, read only, and the
app-state database) with a deadline on every statement, and the cause of a database
failure in a manager's words.

Why: a server that accepts the connection and never answers (a hung MariaDB, a stalled
network, a SQLite file locked by another program) held every page that read it: only a
connect timeout was set. Now each statement has ``deadline_seconds``:

- MariaDB/MySQL (PyMySQL): ``read_timeout`` and ``write_timeout`` on the socket, so a
  silent server ends the statement with "timed out" (the connection is then dropped and
  the pool opens a new one);
- SQLite: the busy timeout (a file locked by another writer) and a progress handler that
  interrupts a statement running past its deadline.

A statement that is known to be long (a year of sales history) asks for more with the
execution option ``DEADLINE_OPTION``.

A SQLite file opened while its disk was read-only stays read-only in that connection
for good; such a failure invalidates the pool, so writes work again as soon as the file
is writable (without a restart).
"""

from __future__ import annotations

import os
import sqlite3
import time
import weakref
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError

__all__ = [
    "DEADLINE_OPTION",
    "DEFAULT_DEADLINE_SECONDS",
    "database_engine",
    "engine_deadline",
    "failure_reason",
    "is_unreachable",
]

DEFAULT_DEADLINE_SECONDS = 10.0
# Execution option: this statement's deadline in seconds, instead of the engine's.
DEADLINE_OPTION = "brcc_deadline_seconds"
CONNECT_SECONDS = 5
# SQLite runs the progress handler every this many virtual-machine steps (~1 ms).
_PROGRESS_STEPS = 2_000
_DEADLINE_KEY = "brcc_deadline"
_READ_ONLY_KEY = "brcc_opened_read_only"

_SQLITE_BUSY, _SQLITE_READONLY, _SQLITE_INTERRUPT, _SQLITE_FULL = 5, 8, 9, 13
_MYSQL_UNREACHABLE = {2002, 2003, 2005, 2006, 2013, 2055}
_MYSQL_TIMED_OUT = {1969, 3024}  # max_statement_time / max_execution_time exceeded
_MYSQL_LOGIN = {1044, 1045, 1698}
_MYSQL_READ_ONLY = {1036, 1290, 1792}
_MYSQL_FULL = {1021, 1114}
_MYSQL_TOO_LONG = {1406}

_deadlines: weakref.WeakKeyDictionary[Engine, float] = weakref.WeakKeyDictionary()


def database_engine(
    url: str | URL, *, deadline_seconds: float = DEFAULT_DEADLINE_SECONDS
) -> Engine:
    """An engine on ``url`` whose every statement ends within ``deadline_seconds``
    (SQLite, MariaDB/MySQL; other backends get the connect timeout only)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    deadline = max(0.1, float(deadline_seconds))
    if backend == "sqlite":
        engine = create_engine(
            parsed, connect_args={"timeout": deadline, "check_same_thread": False}
        )
        _sqlite_deadline(engine)
        _sqlite_recovers_from_read_only(engine)
    else:
        connect_args: dict[str, Any] = {}
        if backend in ("mysql", "mariadb"):
            connect_args = {
                "connect_timeout": CONNECT_SECONDS,
                "read_timeout": deadline,
                "write_timeout": deadline,
            }
        engine = create_engine(
            parsed, pool_pre_ping=True, pool_recycle=3600, connect_args=connect_args
        )
        if parsed.get_driver_name() == "pymysql":
            _pymysql_statement_deadline(engine)
    _deadlines[engine] = deadline
    return engine


def engine_deadline(engine: Engine) -> float | None:
    """The statement deadline ``database_engine`` gave ``engine`` (None for others)."""
    return _deadlines.get(engine)


def _statement_deadline(conn: Any, context: Any) -> float | None:
    """The deadline one statement asked for, or the engine's."""
    options = getattr(context, "execution_options", None) or {}
    asked = options.get(DEADLINE_OPTION)
    if asked is not None:
        return float(asked)
    return _deadlines.get(conn.engine)


def _sqlite_deadline(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _install(dbapi_conn: sqlite3.Connection, record: Any) -> None:
        ends = record.info[_DEADLINE_KEY] = [0.0]  # monotonic end of the running statement

        def past_deadline() -> int:
            return 1 if ends[0] and time.monotonic() > ends[0] else 0

        dbapi_conn.set_progress_handler(past_deadline, _PROGRESS_STEPS)

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool):
        ends = conn.info.get(_DEADLINE_KEY)
        seconds = _statement_deadline(conn, context)
        if ends is not None and seconds:
            # Kept through the fetch (rows are stepped out then); the next statement or
            # the return to the pool resets it.
            ends[0] = time.monotonic() + seconds

    def _ending(conn: Any) -> None:
        # A commit or rollback runs statements too, after whatever Python did since the
        # last one: it gets a deadline of its own, not what is left of the last one's.
        if conn.invalidated:
            return  # its connection is gone (a read-only file): nothing left to run
        ends = conn.info.get(_DEADLINE_KEY)
        seconds = _deadlines.get(conn.engine)
        if ends is not None and seconds:
            ends[0] = time.monotonic() + seconds

    event.listen(engine, "commit", _ending)
    event.listen(engine, "rollback", _ending)

    @event.listens_for(engine, "checkin")
    def _idle(dbapi_conn: Any, record: Any) -> None:
        ends = record.info.get(_DEADLINE_KEY)
        if ends is not None:
            ends[0] = 0.0


def _sqlite_recovers_from_read_only(engine: Engine) -> None:
    path = engine.url.database or ""
    folder = os.path.dirname(os.path.abspath(path)) if path and path != ":memory:" else ""

    def read_only_now() -> bool:
        try:
            return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
        except OSError:
            return False

    @event.listens_for(engine, "connect")
    def _opened(dbapi_conn: Any, record: Any) -> None:
        if folder:
            record.info[_READ_ONLY_KEY] = read_only_now()

    @event.listens_for(engine, "checkout")
    def _still_read_only(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        # SQLite keeps a file it opened read-only so for the connection's life: once the
        # disk is writable again, that connection is replaced before it is used.
        if record.info.get(_READ_ONLY_KEY) and not read_only_now():
            raise DisconnectionError("opened while the disk was read-only")

    @event.listens_for(engine, "handle_error")
    def _reopen(context: Any) -> None:
        original = context.original_exception
        if _sqlite_code(original) == _SQLITE_READONLY:
            # The connection opened the file read-only (its disk was read-only then) and
            # would stay so: drop the pool, the next statement opens the file again.
            context.is_disconnect = True
            context.invalidate_pool_on_disconnect = True


def _pymysql_statement_deadline(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool):
        seconds = _statement_deadline(conn, context)
        raw = getattr(cursor, "connection", None)
        if seconds and raw is not None and hasattr(raw, "_read_timeout"):
            # PyMySQL applies _read_timeout to the socket before each read.
            raw._read_timeout = seconds
            raw._write_timeout = seconds


def _sqlite_code(exc: BaseException | None) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(exc, sqlite3.Error) and isinstance(code, int):
        return code & 0xFF  # the primary result code of an extended one
    text = str(exc).lower() if isinstance(exc, sqlite3.Error) else ""
    if "readonly database" in text:
        return _SQLITE_READONLY
    if "database is locked" in text:
        return _SQLITE_BUSY
    if text == "interrupted":
        return _SQLITE_INTERRUPT
    return None


def _mysql_code(exc: BaseException | None) -> int | None:
    args = getattr(exc, "args", ())
    code = args[0] if args else None
    return code if isinstance(code, int) and not isinstance(exc, sqlite3.Error) else None


def is_unreachable(exc: SQLAlchemyError) -> bool:
    """True when the failure means the server could not be reached or did not answer."""
    orig = getattr(exc, "orig", None)
    code = _mysql_code(orig)
    sqlite_code = _sqlite_code(orig)
    text = str(orig).lower() if orig is not None else ""
    return (
        code in _MYSQL_UNREACHABLE
        or code in _MYSQL_TIMED_OUT
        or sqlite_code in (_SQLITE_BUSY, _SQLITE_INTERRUPT)
        or "unable to open database" in text
    )


def failure_reason(exc: SQLAlchemyError, engine: Engine | None = None) -> str | None:
    """What went wrong, in a manager's words, from the driver's error code and class only
    (its text can quote SQL, host or user names); None when the cause has no name here."""
    orig = getattr(exc, "orig", None)
    code = _mysql_code(orig)
    sqlite_code = _sqlite_code(orig)
    text = str(orig).lower() if orig is not None else ""
    deadline = engine_deadline(engine) if engine is not None else None
    within = f" within {deadline:g} s" if deadline else " in time"
    if (
        code in _MYSQL_TIMED_OUT
        or sqlite_code == _SQLITE_INTERRUPT
        or (code == 2013 and "timed out" in text)
    ):
        return f"the database did not answer{within} (timed out)"
    if sqlite_code == _SQLITE_BUSY:
        return f"the database file is locked by another program and stayed locked{within}"
    if sqlite_code == _SQLITE_READONLY or code in _MYSQL_READ_ONLY:
        return "the database is read-only (a read-only file or disk, or a read-only server)"
    if sqlite_code == _SQLITE_FULL or code in _MYSQL_FULL:
        return "the database's disk is full"
    if code in _MYSQL_TOO_LONG or "data too long" in text:
        return "a value was longer than the database column holds"
    if code in _MYSQL_UNREACHABLE or "unable to open database" in text:
        return (
            "the database server cannot be reached. Check that it is running and that "
            "this computer may connect to it"
        )
    if code in _MYSQL_LOGIN:
        return "the database refused the app's login (user name or password)"
    if code == 1049:
        return "the database named in the settings does not exist"
    return None
