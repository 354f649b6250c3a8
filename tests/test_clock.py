"""The app's one clock: every business "now" in brcc_core comes from brcc_core.common.clock,
so tests and the demo can set it in one place (time_machine in process, BRCC_NOW across
processes)."""

from __future__ import annotations

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine

from brcc_core.common import clock

ROOT = Path(__file__).resolve().parent.parent
CLOCK_HOME = ROOT / "brcc_core" / "common" / "clock.py"

# Calls that read the wall clock for business time. time.monotonic / perf_counter measure
# durations (timeouts, cache lifetimes) and are allowed anywhere.
WALL_CLOCK_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
    ("Timestamp", "now"),
    ("Timestamp", "utcnow"),
    ("Timestamp", "today"),
    # SQLAlchemy's SQL functions: the database server's clock, not the app's.
    ("func", "now"),
    ("func", "current_timestamp"),
    ("func", "current_date"),
    ("func", "utc_timestamp"),
}
# The same in SQL text: the database's wall clock (the machine's day under faketime, and a
# day the suite did not choose on any other), written in capitals as this code writes SQL.
SQL_CLOCK = re.compile(
    r"CURRENT_TIMESTAMP|CURRENT_DATE|UTC_TIMESTAMP|CURDATE\(|SYSDATE\(|\bNOW\(\)|'now'"
)


def wall_clock_reads(source: str) -> list[tuple[int, str]]:
    """(line, call) for every wall-clock read in ``source``, however it is spelled
    (``datetime.now``, ``dt.datetime.now``, ``pd.Timestamp.now``, ``pd.Timestamp("now")``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [(node.lineno, f"SQL {m}") for m in SQL_CLOCK.findall(node.value)]
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            owner = func.value
            owner_name = (
                owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            )
            if (owner_name, func.attr) in WALL_CLOCK_CALLS:
                found.append((node.lineno, f"{owner_name}.{func.attr}"))
            name = func.attr
        else:
            name = getattr(func, "id", "")
        # pd.Timestamp("now") / pd.to_datetime("today") parse the wall clock too.
        if name in {"Timestamp", "to_datetime"} and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and str(first.value).lower() in {"now", "today"}:
                found.append((node.lineno, f'{name}("{first.value}")'))
    return found


def test_no_module_outside_the_clock_reads_the_wall_clock_for_business_time() -> None:
    offenders = []
    modules = sorted((ROOT / "brcc_core").rglob("*.py"))
    assert len(modules) > 40  # the walk really found the package, sandbox and ui included
    for path in modules:
        if path == CLOCK_HOME:
            continue
        for line, call in wall_clock_reads(path.read_text()):
            offenders.append(f"{path.relative_to(ROOT)}:{line} {call}")
    assert offenders == [], "read the time through brcc_core.common.clock: " + ", ".join(offenders)


def test_tests_read_the_time_from_the_apps_clock_too() -> None:
    """A test that read the wall clock would pass on some days only (the suite runs at a
    pinned moment, tests/club_time.py); this file's own examples are the exception."""
    offenders = [
        f"{path.name}:{line} {call}"
        for path in sorted((ROOT / "tests").glob("*.py"))
        if path.name != Path(__file__).name
        for line, call in wall_clock_reads(path.read_text())
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "source",
    [
        "from datetime import datetime, UTC\nx = datetime.now(UTC)",
        "import datetime as dt\nx = dt.datetime.now()",
        "from datetime import date\nx = date.today()",
        "import time\nx = time.time()",
        "import pandas as pd\nx = pd.Timestamp.now(tz='UTC')",
        "import pandas as pd\nx = pd.Timestamp('now')",
        'q = "SELECT id FROM events WHERE start_utc > CURRENT_TIMESTAMP"',
        "q = \"SELECT datetime('now')\"",
        "from sqlalchemy import func, select\nq = select(func.now())",
    ],
)
def test_the_scan_finds_each_way_of_reading_the_wall_clock(source: str) -> None:
    assert wall_clock_reads(source), source


def test_durations_are_not_business_time() -> None:
    assert wall_clock_reads("import time\na = time.monotonic()\nb = time.perf_counter()") == []


@pytest.mark.real_clock
def test_time_machine_moves_the_clock_in_process(monkeypatch) -> None:
    monkeypatch.delenv(clock.NOW_VARIABLE, raising=False)
    with time_machine.travel(datetime(2027, 1, 1, 0, 30, tzinfo=UTC), tick=False):
        assert clock.now() == datetime(2027, 1, 1, 0, 30, tzinfo=UTC)
        # 19:30 on New Year's Eve in Toronto: the club's date is still the 31st.
        assert clock.today("America/Toronto") == date(2026, 12, 31)
        assert clock.local_now("America/Toronto").hour == 19


@pytest.mark.real_clock
def test_brcc_now_starts_the_clock_at_that_moment_and_it_runs_on(monkeypatch) -> None:
    # As in a process that never read this BRCC_NOW: another test in this one may have
    # started the clock at the same text (it would run on from that test's start).
    monkeypatch.setattr(clock, "_anchors", {})
    with time_machine.travel(datetime(2026, 6, 1, 12, 0, tzinfo=UTC), tick=False) as traveller:
        monkeypatch.setenv(clock.NOW_VARIABLE, "2027-03-14T03:30:00-04:00")
        assert clock.now() == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)
        traveller.shift(90)
        assert clock.now() == datetime(2027, 3, 14, 7, 31, 30, tzinfo=UTC)
        assert clock.now_naive_utc() == datetime(2027, 3, 14, 7, 31, 30)
        monkeypatch.delenv(clock.NOW_VARIABLE)
        assert clock.now() == datetime(2026, 6, 1, 12, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2026-12-06 10:00", "next tuesday", "2026-13-01T00:00Z"])
def test_brcc_now_without_an_offset_or_unreadable_is_refused_with_the_format(text) -> None:
    with pytest.raises(clock.ClockError, match="ISO 8601 moment with its UTC offset"):
        clock.parse_moment(text)


def test_settings_refuse_a_clock_they_cannot_read_and_any_clock_in_live_mode() -> None:
    from brcc_core.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="ISO 8601 moment with its UTC offset"):
        load_settings({"BRCC_NOW": "Saturday night"}, dotenv_path=None)
    live = {
        "BRCC_WC_URL": "https://club.example",
        "BRCC_WC_CONSUMER_KEY": "ck_x",
        "BRCC_WC_CONSUMER_SECRET": "cs_x",
        "BRCC_EB_TOKEN": "tok",
        "BRCC_EB_ORGANIZATION_ID": "1",
        "BRCC_WP_DB_URL": "mysql+pymysql://u@127.0.0.1:1/wp",
    }
    # The club's systems are read on the real clock: a demo's clock never reaches them.
    with pytest.raises(SettingsError, match="for the demo and tests only"):
        load_settings({**live, "BRCC_NOW": "2026-12-06T10:00:00-05:00"}, dotenv_path=None)
    assert load_settings(live, dotenv_path=None).mode == "live"
    demo = load_settings({"BRCC_NOW": "2026-12-06T10:00:00-05:00"}, dotenv_path=None)
    assert demo.mode == "demo"
