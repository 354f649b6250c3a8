"""What one capacity change costs, measured on the seeded sandbox (SQLite).

    python benchmarks/changes.py [--latency-ms 150] [--repeat 3]

For each kind of change (single event, booking date, Eventbrite class, series date) it
prints the HTTP calls per change, the app's WordPress DB statements (sold + pending read
around the product read and the verification), the app-state DB statements (lease, audit) and
the time per change with the sandbox answering each HTTP call in ``--latency-ms``; then
the same booking change with a sale landing between our read and our write, so the cost
of the reconcile step is visible. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from brcc_core.boxoffice import BoxOffice  # noqa: E402
from brcc_core.capacity.preview import Change  # noqa: E402
from brcc_core.catalog.cache import CatalogCache  # noqa: E402
from brcc_core.common import clock  # noqa: E402
from brcc_core.people.access import Actor  # noqa: E402
from brcc_core.sandbox.constants import SANDBOX_TIMEZONE  # noqa: E402
from brcc_core.sandbox.fooevents_sim import sell_booking  # noqa: E402
from brcc_core.sandbox.schema import make_engine  # noqa: E402
from brcc_core.sandbox.twin import Sandbox  # noqa: E402
from brcc_core.settings import load_settings  # noqa: E402
from brcc_core.store.state import State  # noqa: E402

MANAGER = Actor.demo("manager")  # the sandbox runs in demo mode


def statement_counter(engine) -> list[int]:
    count = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args) -> None:
        count[0] += 1

    return count


def pick(listings, kind: str):
    on_sale = listings[(listings.status == "on_sale") & listings.error.isna()]
    if kind == "single event":
        return on_sale[(on_sale.kind == "single") & ~on_sale.unlimited].iloc[0]
    if kind == "booking date":
        return on_sale[on_sale.kind == "bookings"].iloc[0]
    eb = on_sale[on_sale.channel == "eventbrite"]
    if kind == "Eventbrite class":
        return eb[eb.series_id.isna()].iloc[0]
    single = eb[eb.series_id.notna()].groupby("event_id").filter(lambda g: len(g) == 1)
    return single.iloc[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=150.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="brcc-changes-"))
    engine = make_engine(f"sqlite:///{work / 'sandbox.db'}")
    sandbox = Sandbox(engine)
    from brcc_core.sandbox.schema import create_schema

    create_schema(engine)
    sandbox.seed(scale="club", seed_number=7, today=clock.today(SANDBOX_TIMEZONE))
    state = State.open(f"sqlite:///{work / 'state.db'}")
    settings = load_settings({"BRCC_DATA_DIR": str(work)}, dotenv_path=None)
    box = BoxOffice.on_sandbox(sandbox, settings, cache=CatalogCache(work), state=state)
    box.refresh_catalog()
    state_statements = statement_counter(state.engine)
    box.state.ping()  # tables created before measuring
    box.locks._tables()
    latency = args.latency_ms / 1000
    print(f"sandbox latency {args.latency_ms:.0f} ms per HTTP call; {args.repeat} changes each")
    print(f"{'change':<28}{'HTTP':>6}{'WP SQL':>8}{'state SQL':>11}{'seconds':>9}  result")

    def measure(label: str, kind: str, sale: bool = False) -> None:
        times, calls, wp, st, results = [], [], [], [], []
        for i in range(args.repeat):
            listings = box.listings()
            row = pick(listings, kind)
            # One seat less, then back: both within what every kind of listing allows.
            value = int(row.capacity) + (-1 if i % 2 == 0 else 1)
            change = Change(row.listing_key, seen_remaining=int(row.available), value=value)
            if sale:
                slot, day, product = row.slot_id, row.date_id, int(row.product_id)

                def sell(product=product, slot=slot, day=day) -> None:
                    with engine.begin() as conn:
                        sell_booking(conn, product, slot, day, 1)

                sandbox.faults.on_call("woocommerce", sell, method="PUT")
            sandbox.faults.latency.update(woocommerce=latency, eventbrite=latency)
            before_calls = dict(sandbox.app.calls)
            wp0, st0 = box.wordpress.statements, state_statements[0]
            started = time.perf_counter()
            result = box.apply_change(change, listings, who=MANAGER)
            times.append(time.perf_counter() - started)
            sandbox.faults.latency.clear()
            calls.append(sum(sandbox.app.calls.values()) - sum(before_calls.values()))
            wp.append(box.wordpress.statements - wp0)
            st.append(state_statements[0] - st0)
            results.append(result.status)
        print(
            f"{label:<28}{statistics.mean(calls):>6.1f}{statistics.mean(wp):>8.1f}"
            f"{statistics.mean(st):>11.1f}{statistics.median(times):>9.2f}  "
            f"{', '.join(sorted(set(results)))}"
        )

    for kind in ("single event", "booking date", "Eventbrite class", "series date"):
        measure(kind, kind)
    measure("booking date + sale inside", "booking date", sale=True)
    started = time.perf_counter()
    for i in range(10):
        box.locks.release(box.locks.acquire(f"bench:{i}", "bench"))
    lease = (time.perf_counter() - started) / 10
    print(f"the lease alone (take + release, app-state DB on SQLite): {lease * 1000:.0f} ms")
    print(
        "HTTP: fresh read, write, verification read (+ tier read and write on a series "
        "date; + correcting write and its read when a sale landed inside)."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
