"""Pace of every upcoming show and the Eventbrite order sync, measured on the seeded
sandbox with a year of history.

    python benchmarks/pace.py [--db mysql|sqlite] [--scales club,large] [--weeks 52]
                              [--render-runs 3]

Prints, per scale: the size of the history; opening the sales history side by side as
today's full read (every ticket ever sold, from WordPress), the app-state copy's first
build, the next open after one new sale on the website and one with nothing new (time,
its website part, statements on WordPress and on the app-state database; goal: the open
after a sale at least 20x faster than the full read); a rerun; the pace of every
upcoming show (and of the 28 days the page shows by default), and the Eventbrite calls
of a first and an incremental order sync; then the
dashboard render time with that history present (``benchmarks/dashboard_render.py``, its
1.5 s goal; ``--render-runs 0`` skips it). Figures, not assertions. Uses its own database
(``brcc_bench_pace`` on MariaDB).
"""

from __future__ import annotations

import argparse
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
from brcc_core.common.values import known  # noqa: E402
from brcc_core.sales.history import read_sales  # noqa: E402
from brcc_core.sales.site_history import WooCommerceHistory  # noqa: E402
from brcc_core.sandbox.fooevents_sim import sell_booking  # noqa: E402
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


class Timed:
    """The website part of a history read, timed: wraps the reader ``read_sales`` is given."""

    def __init__(self, reader) -> None:
        self.reader = reader
        self.seconds = 0.0

    def __getattr__(self, name):
        return getattr(self.reader, name)

    def sales(self, *args, **kwargs):
        t = time.perf_counter()
        try:
            return self.reader.sales(*args, **kwargs)
        finally:
            self.seconds = time.perf_counter() - t


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
    state_statements: list[int] = [0]
    event.listen(
        state.engine,
        "before_cursor_execute",
        lambda *a: state_statements.__setitem__(0, state_statements[0] + 1),
    )
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
    catalog = box.catalogs.catalog()
    reads = box.sales

    def opened(what: str, reader) -> tuple[str, float, float, int, int, object]:
        """One open of the history as the page makes it (both channels), after a sync,
        change or refresh: (what, seconds, website part, WordPress and app-state
        statements, the history)."""
        timed = Timed(reader)
        statements[0] = state_statements[0] = 0
        t = time.perf_counter()
        history = read_sales(
            catalog,
            listings,
            timed,
            reads.eventbrite_sales,
            timezone=settings.timezone,
        )
        seconds = time.perf_counter() - t
        return what, seconds, timed.seconds, statements[0], state_statements[0], history

    # Today's full read: every ticket ever sold, read from WordPress on every first open.
    full = opened("full read (every ticket, as before)", WooCommerceHistory(engine))
    # The copy: its first build (batches, with progress), then the next open after one
    # new sale on the website, then one with nothing changed.
    steps: list[tuple[int, int]] = []
    copy = reads.site_sales

    class WithProgress:
        def __getattr__(self, name):
            return getattr(copy, name)

        def sales(self, *args, **kwargs):
            return copy.sales(*args, progress=lambda d, n: steps.append((d, n)), **kwargs)

    built = opened("incremental: first build", WithProgress())
    upcoming = next(
        r
        for r in listings.itertuples(index=False)
        if r.channel == "woocommerce"
        and isinstance(r.slot_id, str)
        and r.starts_at > clock.now()
        and known(r.available)
        and r.available > 0
    )
    with engine.begin() as conn:
        sell_booking(conn, int(upcoming.product_id), upcoming.slot_id, upcoming.date_id, 1)
    after_sale = opened("incremental: next open after one new sale", copy)
    reworked = copy.reworked
    unchanged = opened("incremental: next open, nothing new", copy)
    same = full[5].frame.sort_values(list(full[5].frame.columns)).reset_index(drop=True)
    again = unchanged[5].frame.sort_values(list(full[5].frame.columns)).reset_index(drop=True)
    sold_more = int(again["seats"].sum()) - int(same["seats"].sum())

    # A rerun (a click on the page): the history is shared, its pace curves already built.
    reads.shared_history.clear()
    history = box.sales_history(listings=listings)
    now = clock.now()
    t = time.perf_counter()
    table = box.pace(listings=listings, shows=shows, history=history, now=now, horizon_days=None)
    pace_all = time.perf_counter() - t
    t = time.perf_counter()
    box.pace(listings=listings, shows=shows, history=history, now=now, horizon_days=28)
    pace_28 = time.perf_counter() - t
    statements[0] = state_statements[0] = 0
    t = time.perf_counter()
    again_history = box.sales_history(listings=listings)
    box.pace(listings=listings, shows=shows, history=again_history, now=now, horizon_days=28)
    rerun, rerun_statements = time.perf_counter() - t, statements[0] + state_statements[0]
    upcoming_shows = table["show_key"].nunique()
    h = summary.history
    print(
        f"\n== {scale} ({engine.dialect.name}), {weeks} weeks of history, seeded in {seeded:.0f} s"
    )
    print(
        f"  sales rows read          {len(history.frame):,} "
        f"({h.past_weekly_dates} past weekly dates,"
        f" {summary.ticket_count:,} catalog tickets, {h.eb_attendees:,} Eventbrite attendees)"
    )
    print("  opening the sales history (both channels; app-state on SQLite):")
    print(f"  {'':44} {'whole':>8} {'website':>8} {'WP stmts':>9} {'state stmts':>12}")
    for what, seconds, website, wp, st, _ in (full, built, after_sale, unchanged):
        print(f"  {what:44} {seconds:7.2f}s {website:7.2f}s {wp:9d} {st:12d}")
    print(
        f"  {'rerun (history shared)':44} {rerun:7.2f}s {'':8} {rerun_statements:9d}"
        " (both databases, with the pace of the next 28 days)"
    )
    print(
        f"  first build: {len(steps)} progress reports, {steps[-1][1]:,} tickets and order"
        f" items; after the sale {reworked} orders' rows worked out again,"
        f" {sold_more} more seat than the full read before it"
    )
    print(
        f"  next open after a sale vs today's first open: {full[1] / after_sale[1]:.0f}x faster"
        f" (website part {full[2] / after_sale[2]:.0f}x)"
    )
    print(
        f"  pace, every upcoming     {pace_all:.2f} s for {upcoming_shows} shows"
        f" ({len(table)} rows: together and per channel)"
    )
    print(f"  pace, next 28 days       {pace_28:.2f} s")
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
