"""Live numbers and catalog refresh, measured on the seeded sandbox.

    python benchmarks/live_numbers.py [--db mysql|sqlite] [--scales club,large]

Prints, per scale: SQL statements per live-numbers load (ours: 3 whatever the size),
the time of our load, the time of the old tool's one-query-per-slot-date approach over
the same data and the ratio; then the catalog refresh's HTTP calls and time with the
sandbox answering WooCommerce in 150 ms and Eventbrite in 200 ms per call.
Figures, not assertions: the goal (at least 50x at large scale) is read off the output.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, event, make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from brcc_core.boxoffice import BoxOffice  # noqa: E402
from brcc_core.catalog_cache import CatalogCache  # noqa: E402
from brcc_core.sandbox.schema import make_engine  # noqa: E402
from brcc_core.sandbox.twin import Sandbox  # noqa: E402
from brcc_core.settings import load_settings  # noqa: E402

MYSQL_SERVER = "mysql+pymysql://root@127.0.0.1:3306/test"
OLD_TOOL_SAMPLE = 40  # slot-dates timed one by one at large scale, then extrapolated

# What the old tool ran for every slot/date: three meta joins, one query each time.
OLD_TOOL_QUERY = text(
    """
    SELECT COUNT(DISTINCT p.ID) FROM wp_posts p
    JOIN wp_postmeta pm ON pm.post_id = p.ID
      AND pm.meta_key = 'WooCommerceEventsProductID' AND pm.meta_value = :product
    JOIN wp_postmeta ps ON ps.post_id = p.ID
      AND ps.meta_key = 'WooCommerceEventsBookingSlotID' AND ps.meta_value = :slot
    JOIN wp_postmeta pd ON pd.post_id = p.ID
      AND pd.meta_key = 'WooCommerceEventsBookingDateID' AND pd.meta_value = :date
    WHERE p.post_type = 'event_magic_tickets' AND p.post_status = 'publish'
    """
)


def database_url(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}"
    server = make_url(MYSQL_SERVER)
    admin = create_engine(server)
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE IF NOT EXISTS brcc_bench CHARACTER SET utf8mb4"))
    admin.dispose()
    return server.set(database="brcc_bench").render_as_string(hide_password=False)


def mysql_reachable() -> bool:
    try:
        with create_engine(MYSQL_SERVER, connect_args={"connect_timeout": 2}).connect():
            return True
    except Exception:  # noqa: BLE001 - any failure means "use SQLite"
        return False


def count_statements(engine) -> list[int]:
    counter = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args) -> None:
        counter[0] += 1

    return counter


def bench_scale(scale: str, url: str, workdir: Path) -> None:
    engine = make_engine(url)
    sandbox = Sandbox(engine)
    started = time.perf_counter()
    summary = sandbox.seed(scale=scale, seed_number=1, today=date.today())
    seeded = time.perf_counter() - started
    print(f"\n== scale {scale} on {engine.dialect.name}: seeded in {seeded:.1f} s")
    print(
        f"   {summary.product_count} products, {summary.slot_dates} slot-dates, "
        f"{summary.ticket_count} tickets, {summary.eb_occurrences + summary.eb_one_offs} "
        "Eventbrite events"
    )

    settings = load_settings({"BRCC_DATA_DIR": str(workdir / scale)}, dotenv_path=None)
    boxoffice = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(workdir / scale))
    catalog = boxoffice.refresh_catalog().catalog  # no latency: structure only

    statements = count_statements(engine)
    runs = []
    for _ in range(5):
        before = statements[0]
        t0 = time.perf_counter()
        live = boxoffice.live_numbers(catalog)
        runs.append(time.perf_counter() - t0)
        per_load = statements[0] - before
    ours = statistics.median(runs)
    assert live.error is None, live.error
    print(f"   live numbers (ours): {per_load} SQL statements, median {ours * 1000:.0f} ms")

    slot_dates = [
        (p.product_id, sd.slot_id, sd.date_id) for p in catalog.products for sd in p.slot_dates
    ]
    sample = slot_dates
    if len(slot_dates) > OLD_TOOL_SAMPLE and scale != "club":
        sample = random.Random(1).sample(slot_dates, OLD_TOOL_SAMPLE)
    t0 = time.perf_counter()
    with engine.connect() as conn:
        for product, slot, day in sample:
            conn.execute(
                OLD_TOOL_QUERY, {"product": str(product), "slot": slot, "date": day}
            ).scalar()
    measured = time.perf_counter() - t0
    old = measured * len(slot_dates) / len(sample)
    how = (
        "measured"
        if len(sample) == len(slot_dates)
        else (f"extrapolated from {len(sample)} of them ({measured:.1f} s)")
    )
    print(
        f"   old tool: {len(slot_dates)} statements, {old:.1f} s ({how}); "
        f"ours is {old / ours:.0f}x faster"
    )

    sandbox.faults.latency.update(woocommerce=0.150, eventbrite=0.200)
    fresh = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(workdir / scale))
    t0 = time.perf_counter()
    result = fresh.refresh_catalog()
    refresh = time.perf_counter() - t0
    sandbox.faults.latency.clear()
    print(
        f"   catalog refresh at 150/200 ms per call: {fresh.woocommerce.calls} WooCommerce + "
        f"{fresh.eventbrite.calls} Eventbrite calls, {refresh:.1f} s "
        f"({result.catalog.counts()['ticket classes']} ticket classes, "
        f"{fresh.eventbrite.max_workers} in flight)"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("mysql", "sqlite"), default=None)
    parser.add_argument("--scales", default="club,large")
    args = parser.parse_args()
    kind = args.db or ("mysql" if mysql_reachable() else "sqlite")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = database_url(kind, workdir)
        for scale in args.scales.split(","):
            bench_scale(scale.strip(), url, workdir)


if __name__ == "__main__":
    main()
