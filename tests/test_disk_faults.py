"""Issue 22, item 5: the disk. A refresh that cannot be saved (disk full, read-only) keeps
its result and says why; a first build on such a disk is shown and not made again on
every view; the app starts with a read-only data directory, reading its saved catalog;
a SQLite app-state database that was read-only takes writes again once it is writable.
The data directory is a tmpfs of its own (``tests/disk_faults.py``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from brcc_core.boxoffice import BoxOffice
from brcc_core.catalog.cache import CatalogCache
from brcc_core.channels import http
from brcc_core.live.health import Check
from brcc_core.sandbox.schema import create_schema, make_engine
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from brcc_core.store.state import AuditEntry, State, StateUnavailable
from brcc_core.ui.app import _boxoffice
from tests.app_env import clear_settings
from tests.club_time import SUITE_DAY
from tests.disk_faults import data_disk

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("disk-sandbox") / "sandbox.db"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    Sandbox(engine).seed(scale="club", seed_number=4, today=SUITE_DAY)
    engine.dispose()
    return path


@pytest.fixture
def sandbox_url(seeded, tmp_path) -> str:
    """A copy of the seeded sandbox, outside the data directory (as the club's systems)."""
    path = tmp_path / "systems" / "sandbox.db"
    path.parent.mkdir()
    shutil.copy(seeded, path)
    return f"sqlite:///{path}"


def entry() -> AuditEntry:
    return AuditEntry("sam@club", "change", "wc:1", "woocommerce", "stock", "1", "2", "ok")


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_a_refresh_the_disk_refuses_keeps_its_result_and_says_why(
    sandbox_url, tmp_path, monkeypatch, fault
):
    monkeypatch.setattr(http, "_sleep", lambda seconds: None)
    with data_disk(tmp_path / "data") as disk:
        settings = load_settings({"BRCC_DATA_DIR": str(disk.path)}, dotenv_path=None)
        sandbox = Sandbox(make_engine(sandbox_url))
        box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(disk.path))
        earlier = box.refresh_catalog().catalog
        # The kernel will not remount a disk read-only under a file open for writing (the
        # app-state database, where the Eventbrite calls are counted): close it first.
        box.state.engine.dispose()
        disk.fill() if fault == "full" else disk.read_only()
        try:
            result = box.refresh_catalog()  # was: OSError, the refresh thrown away
            health = {h.check: h for h in box.health()}
        finally:
            disk.free() if fault == "full" else disk.writable()
    expected = "is full" if fault == "full" else "is read-only"
    assert result.unsaved and expected in result.unsaved
    assert result.catalog.fetched_at > earlier.fetched_at
    assert box.catalog() is result.catalog  # in use, though not on disk
    assert expected in health[Check.CATALOG].reason
    if fault == "read-only":
        assert health[Check.DISK].state == "down"


def app_env(monkeypatch, data: Path, sandbox_url: str) -> None:
    clear_settings(monkeypatch)
    monkeypatch.setenv("BRCC_DATA_DIR", str(data))
    monkeypatch.setenv("BRCC_SANDBOX_DB_URL", sandbox_url)
    monkeypatch.chdir(data.parent)
    monkeypatch.setattr(http, "_sleep", lambda seconds: None)
    _boxoffice.clear()


def shown(at: AppTest) -> str:
    return " ".join(str(e.value) for e in (*at.warning, *at.error, *at.caption, *at.markdown))


def test_a_first_build_on_a_full_disk_is_shown_once_and_not_rebuilt_on_every_view(
    sandbox_url, tmp_path, monkeypatch
):
    with data_disk(tmp_path / "data") as disk:
        app_env(monkeypatch, disk.path, sandbox_url)
        disk.fill()
        try:
            at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()
            settings = load_settings()
            box = _boxoffice(settings.fingerprint(), settings)
            calls = box.eventbrite.calls
            at.run()  # the next view
            again = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
        finally:
            disk.free()
            _boxoffice.clear()
    assert not at.exception, [e.value for e in at.exception]
    assert "could not be saved: the disk where the data lives is full" in shown(at)
    assert at.dataframe, "the dashboard's table is shown"
    assert not again.exception and again.dataframe
    assert box.eventbrite.calls == calls  # no Eventbrite call spent on a rebuild


def test_the_app_starts_with_a_read_only_data_directory(sandbox_url, tmp_path, monkeypatch):
    with data_disk(tmp_path / "data") as disk:
        app_env(monkeypatch, disk.path, sandbox_url)
        first = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120).run()
        assert not first.exception
        assert (disk.path / "catalog.pkl").exists() and (disk.path / "cache.key").exists()
        settings = load_settings()
        _boxoffice(settings.fingerprint(), settings).state.engine.dispose()
        _boxoffice.clear()  # a restart: the process and its open files are gone
        disk.read_only()
        try:
            at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
            settings = load_settings()
            box = _boxoffice(settings.fingerprint(), settings)
            calls = box.eventbrite.calls
            state = box.state
        finally:
            state.engine.dispose()
            disk.writable()
            _boxoffice.clear()
    assert not at.exception, [e.value for e in at.exception]
    assert "Nothing can be saved now: the data directory is read-only" in shown(at)
    assert at.dataframe, "the dashboard's table is shown from the saved catalog"
    saved = first.session_state["catalog"]
    assert at.session_state["catalog"].fetched_at == saved.fetched_at  # read, not rebuilt
    assert calls <= 2  # the health check's ping; a rebuild costs about 30


def test_a_read_only_sqlite_state_database_takes_writes_again_once_writable(tmp_path):
    with data_disk(tmp_path / "data") as disk:
        url = f"sqlite:///{disk.path / 'state.db'}"
        before = State.open(url)
        before.append_audit(entry())
        before.engine.dispose()  # that process stopped
        disk.read_only()
        state = State.open(url)  # the app (re)starts while the disk is read-only
        assert len(state.audit_log()) == 1  # reads work
        with pytest.raises(StateUnavailable) as caught:
            state.append_audit(entry())
        assert "read-only" in str(caught.value)  # the real cause, not "unreachable"
        disk.writable()
        state.append_audit(entry())  # was: still read-only until a restart
        assert len(state.audit_log()) == 2
        state.engine.dispose()
