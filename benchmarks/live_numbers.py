"""Live numbers and catalog refresh, measured on the seeded sandbox.

    python benchmarks/live_numbers.py [--db mysql|sqlite] [--scales club,large]

Prints, per scale, side by side in one run: the fetch floor (the ticket meta rows the
numbers need, fetched and nothing else); ``BoxOffice.listings()`` as it was (per-ticket
statement, every pending order and booking options text decoded) and as it is now (ticket
statement chosen from the share of ticket meta, pending orders and booking options decoded
once per version), each with sharing between sessions off, and its ratio to the floor; a
rerun within the sharing window; SQL statements per load; the old tool's one label-
matching query per slot-date and the ratio; then two catalog refreshes in a row with the
sandbox answering WooCommerce in 150 ms and Eventbrite in 200 ms per call: the first build
(events within the horizon, the last two weeks, and later ones while the hour's calls
allow) and a refresh within the hour (upcoming events within BRCC_EB_REFRESH_DAYS read,
the rest kept), with Eventbrite calls and time, and at large scale beside every refresh
before issue 12 (1,521 calls, 84.5 s).
Figures, not assertions: the goals are read off the output.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, event, make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from brcc_core.boxoffice import BoxOffice  # noqa: E402
from brcc_core.catalog.cache import CatalogCache  # noqa: E402
from brcc_core.channels.wordpress import TICKET_META_KEYS, forget_parsed_fbos  # noqa: E402
from brcc_core.common import clock  # noqa: E402
from brcc_core.sandbox.constants import SANDBOX_TIMEZONE  # noqa: E402
from brcc_core.sandbox.schema import make_engine  # noqa: E402
from brcc_core.sandbox.twin import Sandbox  # noqa: E402
from brcc_core.settings import load_settings  # noqa: E402

MYSQL_SERVER = "mysql+pymysql://root@127.0.0.1:3306/test"
# Every refresh before issue 12 at large scale, with the sandbox at 150/200 ms a call:
# all 1,490 events' classes read, 31 + 1,490 Eventbrite calls.
BEFORE_REFRESH = {"large": (1521, 84.5)}
OLD_TOOL_SAMPLE = 40  # slot-dates timed one by one at large scale, then extrapolated

# What the old tool ran for every slot/date: three meta joins matching the slot's label
# (FooEvents writes "<label>" or "<label> (<time>)") and the date's display text, one
# query each time. meta_value has no index, so every query walks the ticket meta.
OLD_TOOL_QUERY = text(
    """
    SELECT COUNT(DISTINCT p.ID) FROM wp_posts p
    JOIN wp_postmeta pm ON pm.post_id = p.ID
      AND pm.meta_key = 'WooCommerceEventsProductID' AND pm.meta_value = :product
    JOIN wp_postmeta ps ON ps.post_id = p.ID
      AND ps.meta_key = 'WooCommerceEventsBookingSlot' AND ps.meta_value LIKE :slot ESCAPE '!'
    JOIN wp_postmeta pd ON pd.post_id = p.ID
      AND pd.meta_key = 'WooCommerceEventsBookingDate' AND pd.meta_value = :date
    WHERE p.post_type = 'event_magic_tickets' AND p.post_status = 'publish'
    """
)
# The floor: the ticket meta rows every count is made of, fetched and nothing else.
FLOOR_QUERY = text(
    "SELECT post_id, meta_key, meta_value FROM wp_postmeta WHERE meta_key IN ("
    + ", ".join(f"'{k}'" for k in TICKET_META_KEYS)
    + ")"
)


def like_prefix(label: str) -> str:
    escaped = label.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return escaped + "%"


def median_seconds(call, runs: int) -> float:
    seconds = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - t0)
    return statistics.median(seconds)


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


def bench_scale(
    scale: str, url: str, workdir: Path, parts: set[str], workers: int | None, reuse: bool
) -> None:
    engine = make_engine(url)
    sandbox = Sandbox(engine)
    if reuse:
        # The data the last run seeded (one scale at a time): seeding a large club takes
        # minutes on a loaded machine.
        print(f"\n== scale {scale} on {engine.dialect.name}: the last run's seeded data")
    else:
        started = time.perf_counter()
        summary = sandbox.seed(scale=scale, seed_number=1, today=clock.today(SANDBOX_TIMEZONE))
        seeded = time.perf_counter() - started
        print(f"\n== scale {scale} on {engine.dialect.name}: seeded in {seeded:.1f} s")
        print(
            f"   {summary.product_count} products, {summary.slot_dates} slot-dates, "
            f"{summary.ticket_count} tickets, {summary.eb_occurrences + summary.eb_one_offs} "
            "Eventbrite events"
        )

    settings = load_settings({"BRCC_DATA_DIR": str(workdir / scale)}, dotenv_path=None)
    if "live" in parts:
        bench_live(scale, engine, sandbox, settings, workdir)
    if "refresh" in parts:
        bench_refresh(scale, engine, settings, workdir, workers)
    engine.dispose()


def bench_live(scale: str, engine, sandbox: Sandbox, settings, workdir: Path) -> None:
    boxoffice = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(workdir / scale))
    catalog = boxoffice.refresh_catalog().catalog  # no latency: structure only

    statements = count_statements(engine)
    reader = boxoffice.wordpress
    runs = 7

    def fetch_floor() -> None:
        with engine.connect() as conn:
            conn.execute(FLOOR_QUERY).all()

    def listings_as_before() -> None:
        reader.ticket_query = "per_ticket"
        reader._decoded = {}  # every pending order decoded, as before the cache
        forget_parsed_fbos()  # and every product's booking options parsed
        try:
            boxoffice.listings(catalog)
        finally:
            reader.ticket_query = "auto"

    loads = [0]

    def listings_now() -> None:
        before_load = statements[0]
        boxoffice.listings(catalog)
        loads[0] += statements[0] - before_load

    boxoffice.live.shared_live.ttl_seconds = 0  # every call reads: the cost of one read
    reader.ticket_query = "auto"
    boxoffice.listings(catalog)  # measures the share of ticket meta (rides on the read)
    # Interleaved rounds, each timing the three back to back: on a shared machine the load
    # drifts within a minute, and timing one after the other skewed the ratios by 30%.
    seconds: dict[str, list[float]] = {"floor": [], "before": [], "now": []}
    for _ in range(runs):
        for name, call in (
            ("floor", fetch_floor),
            ("before", listings_as_before),
            ("now", listings_now),
        ):
            started = time.perf_counter()
            call()
            seconds[name].append(time.perf_counter() - started)
    floor, before, now = (statistics.median(seconds[k]) for k in ("floor", "before", "now"))
    per_load = loads[0] // runs
    shape = "single pass" if reader.uses_single_pass else "per-ticket"
    print(f"   fetch floor ({len(TICKET_META_KEYS)} ticket keys' meta rows): {floor:.3f} s")
    print(
        f"   listings(), per-ticket statement, every pending order and FBOS decoded (before): "
        f"{before:.3f} s = {before / floor:.1f}x the floor"
    )
    print(
        f"   listings(), {shape} statement (ticket meta share "
        f"{reader.ticket_meta_share:.0%}), orders and FBOS decoded once per version (now): "
        f"{now:.3f} s = {now / floor:.1f}x the floor; {per_load} SQL statements a load"
    )
    boxoffice.live.shared_live.ttl_seconds = 5
    boxoffice.listings(catalog)
    rerun = median_seconds(lambda: boxoffice.listings(catalog), runs)
    print(
        f"   listings() again within the 5 s sharing window (a rerun, another viewer): "
        f"{rerun * 1000:.1f} ms, no SQL"
    )
    live = boxoffice.live_numbers(catalog)
    assert live.error is None, live.error
    ours = now

    slot_dates = [
        (p.product_id, sd.slot_label, sd.slot_time, sd.date_label)
        for p in catalog.products
        for sd in p.slot_dates
    ]
    sample = slot_dates
    if len(slot_dates) > OLD_TOOL_SAMPLE and scale != "club":
        sample = random.Random(1).sample(slot_dates, OLD_TOOL_SAMPLE)
    t0 = time.perf_counter()
    with engine.connect() as conn:
        for product, slot_label, _time, date_label in sample:
            conn.execute(
                OLD_TOOL_QUERY,
                {"product": str(product), "slot": like_prefix(slot_label), "date": date_label},
            ).scalar()
    measured = time.perf_counter() - t0
    old = measured * len(slot_dates) / len(sample)
    how = (
        "measured"
        if len(sample) == len(slot_dates)
        else (f"extrapolated from {len(sample)} of them ({measured:.1f} s)")
    )
    print(
        f"   old tool, label-matching query per slot-date: {len(slot_dates)} statements, "
        f"{old:.1f} s ({how}); ours is {old / ours:.0f}x faster"
    )


def bench_refresh(scale: str, engine, settings, workdir: Path, workers: int | None) -> None:
    # A new sandbox over the same data: a fresh hourly Eventbrite budget (the untimed
    # refresh of the live-numbers part already spent most of it at large scale).
    sandbox = Sandbox(engine)
    sandbox.faults.latency.update(woocommerce=0.150, eventbrite=0.200)
    refresh_dir = workdir / scale / "refresh"
    fresh = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(refresh_dir))
    if workers is not None:
        fresh.eventbrite.max_workers = workers
    timings = []
    labels = ("first build (within the hour's calls)", "refresh again within the hour")
    for label in labels:
        t0 = time.perf_counter()
        result = fresh.refresh_catalog()
        timings.append((label, time.perf_counter() - t0, result))
    sandbox.faults.latency.clear()
    for label, seconds, result in timings:
        print(
            f"   catalog {label}, 150/200 ms per call: {result.eventbrite_calls} Eventbrite "
            f"calls ({result.classes_read} events' classes read, {result.classes_kept} kept, "
            f"{result.classes_unread} later ones left for another hour), "
            f"{seconds:.1f} s; errors: {result.errors or 'none'}"
        )
    (_, first_s, first), (_, second_s, second) = timings
    fewer = first.eventbrite_calls / max(1, second.eventbrite_calls)
    print(
        f"   refresh again vs first build: {fewer:.1f}x fewer Eventbrite calls, "
        f"{first_s / second_s:.1f}x faster; {fresh.eventbrite.calls_left_this_hour()} of "
        f"2,000 calls left this hour (refresh horizon {settings.eb_refresh_days} days, "
        f"{fresh.eventbrite.max_workers} in flight)"
    )
    if scale in BEFORE_REFRESH:
        calls, seconds = BEFORE_REFRESH[scale]
        print(
            f"   refresh again vs every refresh before issue 12 ({calls:,} calls, "
            f"{seconds} s): {second.eventbrite_calls / calls:.0%} of the calls "
            f"(goal at most 25%), {seconds / second_s:.1f}x faster (goal at least 4x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("mysql", "sqlite"), default=None)
    parser.add_argument("--scales", default="club,large")
    parser.add_argument("--parts", default="live,refresh", help="live, refresh or both")
    parser.add_argument("--reuse", action="store_true", help="skip seeding (same scale)")
    parser.add_argument("--workers", type=int, default=None, help="Eventbrite reads in flight")
    args = parser.parse_args()
    kind = args.db or ("mysql" if mysql_reachable() else "sqlite")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = database_url(kind, workdir)
        for scale in args.scales.split(","):
            parts = set(args.parts.split(","))
            bench_scale(scale.strip(), url, workdir, parts, args.workers, args.reuse)


if __name__ == "__main__":
    main()
