"""What an Eventbrite event with very many ticket classes costs a view: the listings built
from a catalog holding one such event, for 100, 1,000 and 10,000 classes.

    python benchmarks/many_ticket_classes.py [--sizes 100,1000,10000] [--repeat 3]

Each listing looks its figures up among its event's classes; a scan per lookup made the
work grow with the square of the classes (10,000 classes: seconds on every view of the
Inventory page). Figures, not assertions: the time per class should stay about flat.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from brcc_core.catalog.build import Catalog, EventbriteEvent, TicketClass  # noqa: E402
from brcc_core.live.listings import build_listings  # noqa: E402

NOW = datetime(2026, 12, 2, 19, 0, tzinfo=UTC)


def catalog_with(classes: int) -> Catalog:
    event = EventbriteEvent("1", "Big night", NOW + timedelta(days=3), "live", capacity=None)
    tcs = tuple(
        TicketClass(
            event_id="1",
            ticket_class_id=str(10_000_000 + i),
            name=f"Class {i}",
            capacity=5,
            quantity_total=5,
            quantity_sold=i % 3,
            on_sale_status="AVAILABLE",
        )
        for i in range(classes)
    )
    return Catalog(
        fetched_at=NOW,
        timezone="America/Toronto",
        events=(event,),
        ticket_classes=tcs,
        eventbrite_fetched_at=NOW,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        catalog = catalog_with(size)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            listings = build_listings(catalog, None, None, now=NOW)
            times.append(time.perf_counter() - started)
        best = statistics.median(times)
        print(
            f"{size:>6,} classes: listings built in {best:.3f} s (median of {args.repeat}), "
            f"{best / size * 1e6:.1f} µs a class, {len(listings):,} rows"
        )


if __name__ == "__main__":
    main()
