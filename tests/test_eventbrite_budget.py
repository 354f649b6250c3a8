"""One Eventbrite budget for every server (issue 23): the token's 2,000 calls an hour are
counted in the app-state database by every process that uses it, what Eventbrite says of
them is heard by all, and the refresh, the order sync and capacity changes stop at the
write reserve counted that way (SQLite and MariaDB)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from brcc_core.boxoffice import BoxOffice
from brcc_core.capacity.preview import Change
from brcc_core.catalog.cache import CatalogCache
from brcc_core.channels.eventbrite_budget import (
    eventbrite_calls,
    eventbrite_said,
    token_fingerprint,
)
from brcc_core.people.access import Actor
from brcc_core.sandbox.constants import SANDBOX_EB_TOKEN
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from brcc_core.store.state import State
from tests.club_time import SUITE_DAY

ROOT = Path(__file__).parents[1]
MANAGER = Actor.demo("manager")  # the sandbox runs in demo mode: a demo manager writes

# Another server of the club: its own process and app, the same state database.
FIRST_SERVER = """
import json, sys
from pathlib import Path
from brcc_core.boxoffice import BoxOffice
from brcc_core.catalog.cache import CatalogCache
from brcc_core.sandbox.schema import make_engine
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from brcc_core.store.state import State

sandbox_url, state_url, data = sys.argv[1:4]
settings = load_settings({"BRCC_DATA_DIR": data}, dotenv_path=None)
box = BoxOffice.on_sandbox(
    Sandbox(make_engine(sandbox_url)), settings, cache=CatalogCache(Path(data)),
    state=State.open(state_url),
)
result = box.refresh_catalog()
print(json.dumps({"calls": box.eventbrite.calls, "errors": result.errors}))
"""


@pytest.fixture
def sandbox(engine) -> Sandbox:
    box = Sandbox(engine)
    box.seed(scale="club", seed_number=7, today=SUITE_DAY)
    return box


@pytest.fixture
def state_url(db_url, tmp_path) -> str:
    """The app-state database the servers share: next to the sandbox's tables on MariaDB,
    a file of its own on SQLite (as two servers on one machine would have it)."""
    url = db_url if db_url.startswith("mysql") else f"sqlite:///{tmp_path / 'state.db'}"
    state = State.open(url)
    state.drop_all()
    yield url
    state.drop_all()
    state.engine.dispose()


def server(sandbox: Sandbox, state_url: str, data: Path, **env: str) -> BoxOffice:
    settings = load_settings({"BRCC_DATA_DIR": str(data), **env}, dotenv_path=None)
    return BoxOffice.on_sandbox(
        sandbox, settings, cache=CatalogCache(data), state=State.open(state_url)
    )


def first_server_refreshes(db_url: str, state_url: str, data: Path) -> int:
    """Run a catalog refresh in another process; the Eventbrite calls it made."""
    proc = subprocess.run(
        [sys.executable, "-c", FIRST_SERVER, db_url, state_url, str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not out["errors"], out
    return int(out["calls"])


def test_a_second_server_sees_the_first_ones_calls_and_keeps_the_reserve(
    sandbox, db_url, state_url, tmp_path
):
    calls = first_server_refreshes(db_url, state_url, tmp_path / "first")
    assert calls > 300  # a first catalog build: about 420 calls of the token's hour

    second = server(sandbox, state_url, tmp_path / "second")
    assert second.eventbrite.calls == 0  # this process has made none
    assert second.eventbrite.calls_left_this_hour() == 2000 - calls

    # A reserve 50 calls above what the first server left: the second one's first build
    # (about 420 calls by its own count, which has the whole hour) stops at it.
    reserve = 2000 - calls - 50
    tight = server(sandbox, state_url, tmp_path / "tight", BRCC_EB_WRITE_RESERVE=str(reserve))
    result = tight.refresh_catalog()
    assert f"reached the {reserve:,} kept for capacity changes" in result.errors["eventbrite"]
    assert tight.eventbrite.calls <= 50
    assert tight.eventbrite.calls_left_this_hour() >= reserve  # the reserve kept
    # The order sync stops there too (a first sync needs about 130 pages).
    synced = tight.sync_eventbrite_sales()
    assert synced.stopped and "kept for capacity changes" in synced.stopped
    assert tight.eventbrite.calls_left_this_hour() >= reserve


def test_the_count_keeps_a_hash_of_the_token_never_the_token(sandbox, state_url, tmp_path):
    box = server(sandbox, state_url, tmp_path)
    box.eventbrite.ping()
    box.eventbrite.calls_this_hour()  # written before it is read
    with box.state.engine.connect() as conn:
        rows = conn.execute(select(eventbrite_calls)).all()
    assert [(r.token, r.calls) for r in rows] == [(token_fingerprint(SANDBOX_EB_TOKEN), 1)]
    assert SANDBOX_EB_TOKEN not in repr(rows)


def test_what_eventbrite_says_is_heard_by_every_server(sandbox, state_url, tmp_path):
    """Eventbrite answers that the token's hour is spent (another app used it): every
    server stops calling, and capacity changes on Eventbrite are refused before a call,
    until the time Eventbrite gave."""
    first = server(sandbox, state_url, tmp_path / "a")
    second = server(sandbox, state_url, tmp_path / "b")
    first.refresh_catalog()
    listings = first.listings()
    eb = listings[(listings.channel == "eventbrite") & (listings.status == "on_sale")]
    row = eb[eb.available >= 2].iloc[0]
    sandbox.faults.inject("eventbrite", "429", times=4, retry_after=600)
    with pytest.raises(Exception, match="limit"):
        first.eventbrite.ping()
    assert first.eventbrite.calls_left_this_hour() == 0
    assert second.eventbrite.calls_left_this_hour() == 0  # heard through the database

    calls = second.eventbrite.calls
    change = Change(row.listing_key, int(row.available), int(row.capacity) - 1)
    result = second.apply_change(change, listings, who=MANAGER)
    assert result.status == "refused" and "hourly limit" in result.message
    assert "(in 10 min)" in result.message  # the wait Eventbrite gave
    assert second.eventbrite.calls == calls  # not a call spent on it

    with second.state.engine.connect() as conn:
        until = conn.execute(select(eventbrite_said.c.until)).scalar_one()
    later = until.replace(tzinfo=UTC) + timedelta(seconds=1)
    assert later - first.eventbrite.clock() > timedelta(minutes=9)  # the Retry-After
    second.eventbrite.clock = lambda: later
    assert second.eventbrite.calls_left_this_hour() > 1000  # the wait is over
