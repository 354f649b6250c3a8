"""Shared fixtures: the suite's clock, and sandbox databases on SQLite (always) and
MariaDB/MySQL (when reachable).

The app's clock is set for the whole session to ``club_time.SUITE_MOMENT`` through
``BRCC_NOW`` (so processes the tests start run at it too); a test marked
``@pytest.mark.moment("…")`` runs at that moment instead. The machine's own clock is left
alone: the suite passes whatever day it is run (try it under Debian's ``faketime``; under
it, this process and those it starts sleep as ``tests/faketime_sleep.py`` explains).

Each pytest process gets its own MariaDB database (``brcc_t<pid>``), created and dropped
here, so parallel runs on one server never see each other's tables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from brcc_core.common import clock
from brcc_core.sandbox.schema import create_schema, drop_schema, make_engine
from tests import faketime_sleep
from tests.club_time import SUITE_MOMENT

if faketime_sleep.install():
    # The processes the tests start (a served app) sleep the same way: Python loads the
    # sitecustomize module it finds first on its path.
    _shim = os.path.join(os.path.dirname(__file__), "under_faketime")
    _root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, (_shim, _root, os.environ.get("PYTHONPATH")))
    )

MYSQL_URL = os.environ.get("BRCC_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "moment(iso): run this test with the app's clock at this moment "
        "(ISO 8601 with its UTC offset) instead of the suite's",
    )
    config.addinivalue_line(
        "markers", "real_clock: run this test on the machine's clock (tests of the clock itself)"
    )


@pytest.fixture(scope="session", autouse=True)
def suite_clock() -> Iterator[str]:
    """The app's clock at the suite's moment for the whole session, before any module's
    fixtures seed a sandbox; processes started by tests inherit it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(clock.NOW_VARIABLE, SUITE_MOMENT)
        yield SUITE_MOMENT


@pytest.fixture(scope="module", autouse=True)
def module_moment(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """A module marked ``pytestmark = pytest.mark.moment("…")`` runs at that moment from
    its first fixture on (a module-scoped seed included), not only inside its tests."""
    mark = request.node.get_closest_marker("moment")
    if mark is None:
        yield None
        return
    clock.parse_moment(mark.args[0])
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(clock.NOW_VARIABLE, mark.args[0])
        yield mark.args[0]


@pytest.fixture(autouse=True)
def test_moment(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str | None:
    """This test's moment: its ``moment`` mark, the suite's, or none (``real_clock``)."""
    if request.node.get_closest_marker("real_clock"):
        monkeypatch.delenv(clock.NOW_VARIABLE, raising=False)
        return None
    mark = request.node.get_closest_marker("moment")
    if mark is None:
        return SUITE_MOMENT
    clock.parse_moment(mark.args[0])  # a typo in a mark fails here, not as a wrong date
    monkeypatch.setenv(clock.NOW_VARIABLE, mark.args[0])
    return mark.args[0]


@pytest.fixture(scope="session")
def mysql_url() -> Iterator[str]:
    """URL of a private, empty MariaDB/MySQL database for this test run (or a skip)."""
    server = make_url(MYSQL_URL)
    name = f"brcc_t{os.getpid()}"
    try:
        admin = create_engine(server, connect_args={"connect_timeout": 3})
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            conn.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here"
        pytest.skip(
            f"MariaDB/MySQL not reachable at {server.render_as_string(hide_password=True)} "
            f"(set BRCC_TEST_MYSQL_URL): {type(exc).__name__}"
        )
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def db_url(request, tmp_path) -> str:
    """A sandbox database URL, once for SQLite and once for MariaDB/MySQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sandbox.db'}"
    return request.getfixturevalue("mysql_url")


@pytest.fixture
def engine(db_url) -> Iterator[Engine]:
    """An engine on an empty sandbox schema (WordPress + Eventbrite tables)."""
    eng = make_engine(db_url)
    drop_schema(eng)
    create_schema(eng)
    yield eng
    eng.dispose()
