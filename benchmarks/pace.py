"""Pace of every upcoming show and the Eventbrite order sync, measured on the seeded
sandbox with a year of history.

    python benchmarks/pace.py [--db mysql|sqlite] [--scales club,large] [--weeks 52]
                              [--render-runs 3]

Prints, per scale: the size of the history, SQL statements sent to the WordPress
database for the sales history (goal: a handful whatever the number of shows), the time
of that read and of the pace of every upcoming show (and of the 28 days the page shows
by default), and the Eventbrite calls of a first and an incremental order sync; then the
dashboard render time with that history present (``benchmarks/dashboard_render.py``, its
1.5 s goal; ``--render-runs 0`` skips it). Figures, not assertions. Uses its own database
(``brcc_bench_pace`` on MariaDB).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, event, make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dashboard_render  # noqa: E402

from brcc_core.boxoffice import BoxOffice  # noqa: E402
from brcc_core.catalog.cache import CatalogCache  # noqa: E402
from brcc_core.common import clock  # noqa: E402
from brcc_core.sandbox.schema import make_engine  # noqa: E402
from brcc_core.sandbox.twin import Sandbox  # noqa: E402
from brcc_core.settings import load_settings  # noqa: E402
from brcc_core.store.state import State  # noqa: E402

MYSQL_SERVER = "mysql+pymysql://root@127.0.0.1:3306/test"


def mysql_reachable() -> bool:
    try:
        with create_engine(MYSQL_SERVER, connect_args={"connect_timeout": 2}).connect():
            return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


def database_url(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}"
    server = make_url(MYSQL_SERVER)
    admin = create_engine(server)
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE IF NOT EXISTS brcc_bench_pace CHARACTER SET utf8mb4"))
    admin.dispose()
    return server.set(database="brcc_bench_pace").render_as_string(hide_password=False)


def bench_scale(scale: str, url: str, workdir: Path, weeks: int) -> None:
    engine = make_engine(url)
    sandbox = Sandbox(engine)
    started = time.perf_counter()
    summary = sandbox.seed(scale=scale, history_weeks=weeks)
    seeded = time.perf_counter() - started
    statements: list[int] = [0]
    event.listen(
        engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1)
    )
    settings = load_settings({"BRCC_DATA_DIR": str(workdir)}, dotenv_path=None)
    state = State.open(f"sqlite:///{workdir / f'state-{scale}.db'}")
    box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(workdir), state=state)
    build = box.refresh_catalog()

    # The order sync on a new sandbox over the same data: a fresh hourly Eventbrite budget
    # (at large scale the first catalog build spends about 1,500 of the 2,000 calls).
    syncing = BoxOffice.on_sandbox(
        Sandbox(engine), settings, cache=CatalogCache(workdir), state=state
    )
    first = syncing.sync_eventbrite_sales()
    incremental = syncing.sync_eventbrite_sales()

    listings = box.listings()
    shows = box.shows(listings)
    reads, paces, paces_28 = [], [], []
    counted = 0
    for _ in range(3):
        box.sales.shared_history.clear()  # each run reads, as after a sync or refresh
        statements[0] = 0
        t = time.perf_counter()
        history = box.sales_history(listings=listings)
        reads.append(time.perf_counter() - t)
        counted = statements[0]
        now = clock.now()
        t = time.perf_counter()
        table = box.pace(
            listings=listings, shows=shows, history=history, now=now, horizon_days=None
        )
        paces.append(time.perf_counter() - t)
        t = time.perf_counter()
        box.pace(listings=listings, shows=shows, history=history, now=now, horizon_days=28)
        paces_28.append(time.perf_counter() - t)
    # A rerun (a click on the page): the history is shared, its pace curves already built.
    statements[0] = 0
    t = time.perf_counter()
    again = box.sales_history(listings=listings)
    box.pace(listings=listings, shows=shows, history=again, now=now, horizon_days=28)
    rerun, rerun_statements = time.perf_counter() - t, statements[0]
    upcoming = table["show_key"].nunique()
    h = summary.history
    print(
        f"\n== {scale} ({engine.dialect.name}), {weeks} weeks of history, seeded in {seeded:.0f} s"
    )
    print(
        f"  sales rows read          {len(history.frame):,} "
        f"({h.past_weekly_dates} past weekly dates,"
        f" {summary.ticket_count:,} catalog tickets, {h.eb_attendees:,} Eventbrite attendees)"
    )
    print(f"  WordPress statements     {counted} for the sales history of every show")
    print(f"  sales history read       {statistics.median(reads):.2f} s (median of 3)")
    print(
        f"  pace, every upcoming     {statistics.median(paces):.2f} s for {upcoming} shows"
        f" ({len(table)} rows: together and per channel)"
    )
    print(f"  pace, next 28 days       {statistics.median(paces_28):.2f} s")
    print(
        f"  rerun (history shared)   {rerun:.2f} s, {rerun_statements} statements"
        " for the history and the pace of the next 28 days"
    )
    print(
        f"  Eventbrite order sync    first {first.calls} calls ({first.orders:,} orders), "
        f"incremental {incremental.calls} calls (the first catalog build: "
        f"{build.eventbrite_calls} calls; the hour allows 2,000)"
    )
    if not first.complete:  # stopped at the reserve: the figures above are a part
        print(f"  first sync stopped: {first.summary(settings.timezone)}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("mysql", "sqlite"), default=None)
    parser.add_argument("--scales", default="club,large")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--render-runs", type=int, default=3)
    args = parser.parse_args()
    kind = args.db or ("mysql" if mysql_reachable() else "sqlite")
    scales = args.scales.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for scale in scales:
            bench_scale(scale, database_url(kind, workdir), workdir, args.weeks)
    if args.render_runs > 0:
        for scale in scales:
            print(f"\n== dashboard render, {scale}, {args.weeks} weeks of history")
            dashboard_render.main(
                [
                    "--scale",
                    scale,
                    "--runs",
                    str(args.render_runs),
                    "--history-weeks",
                    str(args.weeks),
                ]
            )


if __name__ == "__main__":
    main()
