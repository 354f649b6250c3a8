"""The unattended guard with buyers on both channels (issue 27), bounded.

    python benchmarks/guard.py [--seconds 60] [--every 3] [--shows 2]
                               [--mysql mysql+pymysql://root@127.0.0.1:3306/]

The sandbox (in process, loopback) on MariaDB when reachable, else SQLite. ``--shows``
upcoming shows sold on both channels get a split policy; two buyers (threads, each its
own connection) buy 1-2 seats every ~0.5 s on both channels of those shows while the
guard runs a round every ``--every`` seconds. Prints rounds, changes, Eventbrite calls
per round, the exposure and oversold shows after each round, the sales kept, and the
time from a sale to the end of the round that planned with it (after which the show's
exposure is 0). Nothing is asserted; tests/test_guard.py holds the invariants.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from brcc_core.boxoffice import BoxOffice  # noqa: E402
from brcc_core.capacity.sync import SyncPolicy  # noqa: E402
from brcc_core.catalog.cache import CatalogCache  # noqa: E402
from brcc_core.common import clock  # noqa: E402
from brcc_core.guard.rounds import Guard  # noqa: E402
from brcc_core.people.access import Actor  # noqa: E402
from brcc_core.sandbox.fooevents_sim import (  # noqa: E402
    SaleError,
    sell_booking,
    sell_eventbrite,
    sell_single,
)
from brcc_core.sandbox.schema import create_schema, drop_schema, make_engine  # noqa: E402
from brcc_core.sandbox.twin import Sandbox  # noqa: E402
from brcc_core.settings import load_settings  # noqa: E402
from brcc_core.store.state import State  # noqa: E402


def database(mysql: str, folder: str) -> str:
    try:
        server = make_url(mysql)
        admin = create_engine(server, connect_args={"connect_timeout": 3})
        with admin.begin() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS brcc_guard_bench"))
            conn.execute(text("CREATE DATABASE brcc_guard_bench CHARACTER SET utf8mb4"))
        return server.set(database="brcc_guard_bench").render_as_string(hide_password=False)
    except Exception as exc:  # noqa: BLE001 - no server: SQLite
        print(f"MariaDB not reachable ({type(exc).__name__}): SQLite")
        return f"sqlite:///{folder}/bench.db"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--every", type=float, default=3)
    parser.add_argument("--shows", type=int, default=2)
    parser.add_argument("--mysql", default="mysql+pymysql://root@127.0.0.1:3306/")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="brcc-guard-bench-")
    url = database(args.mysql, folder)
    engine = make_engine(url)
    drop_schema(engine)
    create_schema(engine)
    sandbox = Sandbox(engine)
    sandbox.seed(scale="club", seed_number=7, today=date.fromisoformat(str(clock.now().date())))
    state = State.open(url)
    state.drop_all()
    settings = load_settings({"BRCC_DATA_DIR": folder}, dotenv_path=None)
    box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(folder), state=state)
    box.refresh_catalog()
    shows = box.saved_shows(box.listings())
    fit = shows[
        (shows.channels.apply(len) == 2)
        & (shows.errors.apply(len) == 0)
        & (shows.starts_at > clock.now())
        & ~shows.oversold
    ]
    keys = fit.show_key.tolist()[: args.shows]
    for key in keys:
        box.save_guard_policy(key, SyncPolicy("split"), who=Actor.demo("manager"))
    before = fit.exposure.tolist()[: args.shows]
    print(f"{url.split('://')[0]}; guarded: {keys}; exposure before: {before}")
    listings = box.listings().set_index("listing_key", drop=False)
    targets = [
        listings.loc[k]
        for key in keys
        for k in shows.set_index("show_key").loc[key, "listing_keys"]
    ]
    sold_before = int(fit.set_index("show_key").loc[keys, "sold"].sum())

    stop = threading.Event()
    sales: list[tuple[float, int]] = []  # (monotonic time, seats)
    lock = threading.Lock()

    def buyer(seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            row = rng.choice(targets)
            quantity = rng.randint(1, 2)
            try:
                with sandbox.engine.begin() as conn:
                    if row.channel == "eventbrite":
                        sell_eventbrite(conn, row.ticket_class_id, quantity)
                    elif row.kind == "bookings":
                        sell_booking(conn, int(row.product_id), row.slot_id, row.date_id, quantity)
                    else:
                        sell_single(conn, int(row.product_id), quantity)
                with lock:
                    sales.append((time.monotonic(), quantity))
            except SaleError:
                pass
            stop.wait(rng.uniform(0.3, 0.7))

    guard = Guard(box, every=args.every)
    buyers = [threading.Thread(target=buyer, args=(i,)) for i in (1, 2)]
    for b in buyers:
        b.start()
    started = time.monotonic()
    rounds, latencies, exposures, oversold = [], [], [], 0
    planned_until = started
    while time.monotonic() - started < args.seconds:
        round_start = time.monotonic()
        report = guard.round()
        done = time.monotonic()
        with lock:
            for at, _ in sales:
                if planned_until < at <= round_start:
                    latencies.append(done - at)
        planned_until = round_start
        now = box.saved_shows(box.listings()).set_index("show_key").loc[keys]
        exposures.append(int(now.exposure.max()))
        oversold += int(now.oversold.sum())
        rounds.append((report, done - round_start))
        time.sleep(max(0.0, args.every - (time.monotonic() - round_start)))
    stop.set()
    for b in buyers:
        b.join()
    guard.round()
    guard.release()
    box.live.changed()
    final = box.saved_shows(box.listings()).set_index("show_key").loc[keys]
    bought = sum(q for _, q in sales)
    calls = [r.eventbrite_calls for r, _ in rounds]
    log = box.audit_log()
    guard_rows = log[log["action"] == "guard"]
    times = [t for _, t in rounds]
    print(
        f"rounds {len(rounds)} in {args.seconds:g} s (every {args.every:g} s); "
        f"round time median {statistics.median(times):.2f} s, max {max(times):.2f} s"
    )
    print(
        f"changes {sum(r.changes for r, _ in rounds)}; guard audit rows {len(guard_rows)} "
        f"({dict(guard_rows['result'].value_counts())}), all by {set(guard_rows['who'])}"
    )
    print(
        "refused: "
        + "; ".join(guard_rows[guard_rows["result"] == "refused"]["error"].str[:120].tolist())
    )
    print(
        f"Eventbrite calls per round: median {statistics.median(calls):g}, max {max(calls)}; "
        f"calls left this hour {box.eventbrite.calls_left_this_hour()}"
    )
    print(
        f"sales {len(sales)} ({bought} seats); sold on the guarded shows {sold_before} -> "
        f"{int(final.sold.sum())} (kept: {int(final.sold.sum()) - sold_before == bought})"
    )
    print(
        f"exposure after each round: max {max(exposures)}; oversold show-rounds {oversold}; "
        f"final exposure {final.exposure.tolist()}, oversold {final.oversold.tolist()}"
    )
    if latencies:
        print(
            f"sale -> planned and exposure 0: median {statistics.median(latencies):.2f} s, "
            f"max {max(latencies):.2f} s over {len(latencies)} sales"
        )


if __name__ == "__main__":
    main()
