"""Two app processes sharing one MariaDB state database (and the sandbox) change the same
listing at the same moment: one change wins, the other is refused, never lost silently."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from brcc_core.boxoffice import BoxOffice
from brcc_core.catalog.cache import CatalogCache
from brcc_core.sandbox.schema import create_schema, drop_schema, make_engine
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from brcc_core.store.state import State
from tests.club_time import SUITE_DAY

ROOT = Path(__file__).parents[1]

MANAGER = """
import json, sys, time
from pathlib import Path
from brcc_core.people.access import Actor
from brcc_core.boxoffice import BoxOffice
from brcc_core.catalog.cache import CatalogCache
from brcc_core.capacity.preview import Change
from brcc_core.sandbox.schema import make_engine
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import load_settings
from brcc_core.store.state import State

url, key, value, start, who, data = sys.argv[1:7]
sandbox = Sandbox(make_engine(url))
# Each manager is a signed-in admin of the club (BRCC_ADMINS), as on a live site.
settings = load_settings({"BRCC_DATA_DIR": data, "BRCC_ADMINS": who}, dotenv_path=None)
box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(Path(data)), state=State.open(url))
box.refresh_catalog()
listings = box.listings()
row = listings.set_index("listing_key").loc[key]
change = Change(key, seen_remaining=int(row["available"]), value=int(value))
sandbox.faults.latency["woocommerce"] = 0.3  # a real site's pace: the changes overlap
time.sleep(max(0.0, float(start) - time.monotonic()))
result = box.apply_change(change, listings, who=Actor(who, "admin", "sign-in"))
print(json.dumps({"who": who, "status": result.status, "message": result.message}))
"""


@pytest.mark.mysql
def test_two_processes_change_the_same_listing_at_once(mysql_url, tmp_path):
    engine = make_engine(mysql_url)
    drop_schema(engine)
    create_schema(engine)
    sandbox = Sandbox(engine)
    sandbox.seed(scale="club", seed_number=7, today=SUITE_DAY)
    state = State.open(mysql_url)
    state.drop_all()
    settings = load_settings({"BRCC_DATA_DIR": str(tmp_path)}, dotenv_path=None)
    box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(tmp_path), state=state)
    box.refresh_catalog()
    state.ping()  # the app-state tables exist, as on a club that has run before
    listings = box.listings()
    row = listings[
        (listings.kind == "bookings") & (listings.status == "on_sale") & listings.error.isna()
    ].iloc[0]
    capacity = int(row.capacity)

    # CLOCK_MONOTONIC is one clock for every process on the machine (and no business time).
    start = time.monotonic() + 25  # both processes are ready and waiting by then
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                MANAGER,
                mysql_url,
                row.listing_key,
                str(value),
                str(start),
                who,
                str(tmp_path / who),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for value, who in [(capacity + 2, "a@club"), (capacity + 5, "b@club")]
    ]
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-3000:]
        outcomes.append(json.loads(out.strip().splitlines()[-1]))

    print(outcomes)
    statuses = sorted(o["status"] for o in outcomes)
    assert statuses == ["ok", "refused"], outcomes
    (winner,) = [o for o in outcomes if o["status"] == "ok"]
    (loser,) = [o for o in outcomes if o["status"] == "refused"]
    assert "Changed since you looked" in loser["message"] or "in progress" in loser["message"]
    wanted = capacity + (2 if winner["who"] == "a@club" else 5)
    now = box.listings().set_index("listing_key").loc[row.listing_key]
    assert now["capacity"] == wanted  # the winner's change stands, whole
    log = box.audit_log()
    assert sorted(zip(log["who"], log["result"], strict=True)) == sorted(
        [(winner["who"], "ok"), (loser["who"], "refused")]
    )
    state.drop_all()
    engine.dispose()
