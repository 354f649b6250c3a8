"""Shared fixtures: sandbox databases on SQLite (always) and MariaDB/MySQL (when reachable).

Each pytest process gets its own MariaDB database (``brcc_t<pid>``), created and dropped
here, so parallel runs on one server never see each other's tables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from brcc_core.sandbox.schema import create_schema, drop_schema, make_engine

MYSQL_URL = os.environ.get("BRCC_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test")


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
