"""Soak of the change engine: several managers and buyers on busy shows at once.

    python benchmarks/soak.py [--seconds 180] [--managers 4] [--buyers 2] [--shows 8]
                              [--latency-ms 20] [--mysql mysql+pymysql://root@127.0.0.1:3306/]

On MariaDB (loopback), with the sandbox served over HTTP by its own process
(``python -m brcc_core.sandbox serve``): ``--managers`` processes, each its own app as
separate servers would be (its own catalog cache and clients, one app-state database for
all), change the capacity, remaining seats and syncs of the next week's busiest shows,
while ``--buyers`` processes buy seats on both channels through the sandbox's purchase
paths (FooEvents checkout, Eventbrite sale). It runs for ``--seconds``, then prints
changes and sales a minute, refusals by reason, reconciliations, lease waits and the
Eventbrite calls of the token's hour, and checks from the platforms' own data:

- no sale lost: every seat a buyer bought is sold or pending on its platform;
- nothing on sale above what a manager set: every listing offers at most the largest
  capacity a manager set on it (or it had), an Eventbrite event at most the largest event
  capacity written;
- every attempt audited: each result a manager got has its audit rows, with its e-mail;
- leases released: no write lease is left.

Managers start from a catalog built before the run (as servers that ran before keep
theirs), so the token's hour goes to changes and refreshes (every 60 s); ``--cold``
makes each build its own first, as four new servers would. Buyers sell disjoint
products and classes, so two checkouts never race each other (a race FooEvents itself
has); the races left are a buyer against the app, which are what is measured.
Figures and invariants are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, make_url, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from brcc_core.boxoffice import BoxOffice  # noqa: E402
from brcc_core.capacity.preview import Change  # noqa: E402
from brcc_core.capacity.sync import SyncPolicy  # noqa: E402
from brcc_core.catalog.cache import CatalogCache  # noqa: E402
from brcc_core.channels.eventbrite import EventbriteClient  # noqa: E402
from brcc_core.channels.woocommerce import WooCommerceClient  # noqa: E402
from brcc_core.channels.wordpress import WordPressReader  # noqa: E402
from brcc_core.common import clock  # noqa: E402
from brcc_core.people.access import Actor  # noqa: E402
from brcc_core.sandbox import fooevents_sim as sim  # noqa: E402
from brcc_core.sandbox.constants import (  # noqa: E402
    SANDBOX_EB_ORGANIZATION_ID,
    SANDBOX_EB_TOKEN,
    SANDBOX_WC_CONSUMER_KEY,
    SANDBOX_WC_CONSUMER_SECRET,
)
from brcc_core.sandbox.schema import create_schema, drop_schema, make_engine  # noqa: E402
from brcc_core.sandbox.twin import Sandbox  # noqa: E402
from brcc_core.settings import load_settings  # noqa: E402
from brcc_core.store.saved_shows import SavedShow  # noqa: E402
from brcc_core.store.schema import eventbrite_calls  # noqa: E402
from brcc_core.store.state import State  # noqa: E402

MYSQL_SERVER = "mysql+pymysql://root@127.0.0.1:3306/"
TIMEZONE = "America/Toronto"
REFRESH_SECONDS = 60
VENUE_CAPACITY = 70  # the soak's rooms: larger than the seed's 55, so shows keep selling
POLICIES = (
    SyncPolicy("mirror"),
    SyncPolicy("split", ratio={"woocommerce": 1, "eventbrite": 1}),
    SyncPolicy("buffer", buffer=4),
)


# --- the managers ----------------------------------------------------------------------
def manager_box(config: dict, index: int) -> tuple[BoxOffice, Actor]:
    """One server of the club: its own clients over HTTP, its own data directory."""
    who = f"manager{index}@club.example"
    data = Path(config["work"]) / f"manager{index}"
    settings = load_settings(
        {"BRCC_DATA_DIR": str(data), "BRCC_ADMINS": who, "BRCC_TIMEZONE": TIMEZONE},
        dotenv_path=None,
    )
    base = config["base_url"]
    box = BoxOffice(
        settings,
        woocommerce=WooCommerceClient(base, SANDBOX_WC_CONSUMER_KEY, SANDBOX_WC_CONSUMER_SECRET),
        eventbrite=EventbriteClient(
            SANDBOX_EB_TOKEN, SANDBOX_EB_ORGANIZATION_ID, base_url=f"{base}/v3"
        ),
        wordpress=WordPressReader(make_engine(config["sandbox_url"])),
        cache=CatalogCache(data),
        state=State.open(config["state_url"]),
    )
    return box, Actor(who, "admin", "sign-in")


def manager(config: dict, index: int) -> None:
    box, actor = manager_box(config, index)
    rng = random.Random(index)
    waits: list[float] = []
    locks = box.locks
    acquire = locks.acquire

    def timed_acquire(*args, **kwargs):
        started = time.monotonic()
        try:
            return acquire(*args, **kwargs)
        finally:
            waits.append(time.monotonic() - started)

    locks.acquire = timed_acquire  # type: ignore[method-assign]
    log = open(Path(config["work"]) / f"manager{index}.jsonl", "w")  # noqa: SIM115
    if box.catalog() is None:
        box.refresh_catalog()
    keys = set(config["listing_keys"])
    deadline = config["start"] + config["seconds"]
    time.sleep(max(0.0, config["start"] - time.time()))
    next_refresh = time.time() + REFRESH_SECONDS * (1 + index / max(1, config["managers"]))

    def record(kind: str, field: str, value, outcome) -> None:
        log.write(
            json.dumps(
                {
                    "who": actor.email,
                    "kind": kind,
                    "field": field,
                    "value": value,
                    "listing_key": outcome.listing_key,
                    "channel": outcome.preview.channel,
                    "status": outcome.status,
                    "message": outcome.message,
                    "batch": outcome.batch,
                    "capacity": outcome.capacity,
                    "at": time.time(),
                }
            )
            + "\n"
        )

    while time.time() < deadline:
        if time.time() >= next_refresh:
            box.refresh_catalog()
            next_refresh += REFRESH_SECONDS
        listings = box.listings()
        pool = listings[
            listings.listing_key.isin(keys)
            & (listings.status == "on_sale")
            & listings.error.isna()
            & listings.pending.notna()
            & listings.available.notna()
        ]
        if pool.empty:
            time.sleep(0.5)
            continue
        if rng.random() < 0.25:
            show_key = rng.choice(config["show_keys"])
            plans = box.plan_sync([show_key], rng.choice(POLICIES), listings)
            for row, outcome in box.apply_sync(plans, listings=listings, who=actor):
                record("sync", "remaining", row.target_remaining, outcome)
        else:
            row = pool.iloc[rng.randrange(len(pool))]
            shared = row.channel == "eventbrite" and (
                (listings.event_id == row.event_id).sum() > 1 and isinstance(row.series_id, str)
            )
            if shared:  # its capacity is the event's: Sync changes it
                continue
            taken = int(row.sold) + int(row.pending or 0)
            capacity = int(row.capacity)
            if rng.random() < 0.7:
                field = "capacity"
                if row.channel == "eventbrite":  # an event's capacity caps a class's raise
                    value = rng.randint(min(taken + 1, capacity), capacity)
                else:
                    value = taken + rng.randint(3, 25)
            else:
                field = "remaining"
                value = rng.randint(1, max(1, min(15, int(row.available))))
            change = Change(row.listing_key, int(row.available), value, field=field)
            record("change", field, value, box.apply_change(change, listings, who=actor))
        log.flush()
        time.sleep(rng.uniform(0.0, 0.2))
    log.close()
    (Path(config["work"]) / f"manager{index}.waits.json").write_text(json.dumps(waits))


# --- the buyers ------------------------------------------------------------------------
def buyer(config: dict, index: int) -> None:
    """Buy one seat at a time on this buyer's own products and classes, the way each
    platform sells it; every sale made is written down."""
    engine = make_engine(config["sandbox_url"])
    rng = random.Random(100 + index)
    mine = [s for s in config["sellables"] if s["buyer"] == index]
    sold_out = errors = 0
    log = open(Path(config["work"]) / f"buyer{index}.jsonl", "w")  # noqa: SIM115
    deadline = config["start"] + config["seconds"]
    time.sleep(max(0.0, config["start"] - time.time()))
    while time.time() < deadline:
        item = rng.choice(mine)
        status = "completed" if rng.random() < 0.8 else "on-hold"  # on-hold: pending
        try:
            with engine.begin() as conn:
                if item["channel"] == "eventbrite":
                    sim.sell_eventbrite(conn, item["ticket_class_id"], 1)
                elif item["kind"] == "bookings":
                    sim.sell_booking(
                        conn,
                        item["product_id"],
                        item["slot_id"],
                        item["date_id"],
                        1,
                        order_status=status,
                    )
                else:
                    sim.sell_single(conn, item["product_id"], 1, order_status=status)
            log.write(json.dumps({"listing_key": item["listing_key"], "at": time.time()}) + "\n")
            log.flush()
        except sim.InsufficientStock:
            sold_out += 1
        except Exception:  # noqa: BLE001 - a deadlock or lock wait: the sale did not happen
            errors += 1
        time.sleep(rng.uniform(0.5, 1.5))
    log.close()
    (Path(config["work"]) / f"buyer{index}.json").write_text(
        json.dumps({"sold_out": sold_out, "errors": errors})
    )


# --- the run ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_database(server: str, name: str) -> str:
    admin = create_engine(server)
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def busy_shows(box: BoxOffice, count: int) -> tuple[list[str], list[dict]]:
    """The next week's shows with both channels, most sold first: (show keys, their
    listings as the buyers sell them)."""
    listings = box.listings()
    shows = box.shows(listings)
    now = clock.now()
    week = shows[
        (shows.starts_at > now)
        & (shows.starts_at < now + pd.Timedelta(days=6))
        & (shows.channels.apply(len) == 2)
    ]
    week = week.sort_values("sold", ascending=False).head(count)
    keys = [k for ks in week.listing_keys for k in ks]
    rows = listings[listings.listing_key.isin(keys) & listings.error.isna()]
    sellables = []
    owners: dict[str, int] = {}
    for row in rows.itertuples():
        owner = str(row.product_id if row.channel == "woocommerce" else row.ticket_class_id)
        owners.setdefault(owner, len(owners) % 2)
        sellables.append(
            {
                "listing_key": row.listing_key,
                "channel": row.channel,
                "kind": row.kind,
                "product_id": None if row.channel != "woocommerce" else int(row.product_id),
                "slot_id": row.slot_id if isinstance(row.slot_id, str) else None,
                "date_id": row.date_id if isinstance(row.date_id, str) else None,
                "ticket_class_id": row.ticket_class_id
                if isinstance(row.ticket_class_id, str)
                else None,
                "buyer": owners[owner],
            }
        )
    return list(week.show_key), sellables


def platform_numbers(sandbox_url: str, keys: list[str], work: Path) -> dict:
    """Every listing's sold + pending and capacity, and each Eventbrite event's and
    class's stored capacity, read from the platforms (a fresh in-process app on the same
    database, with its own throwaway state)."""
    sandbox = Sandbox(make_engine(sandbox_url))
    data = work / f"reader{time.monotonic_ns()}"
    settings = load_settings({"BRCC_DATA_DIR": str(data)}, dotenv_path=None)
    box = BoxOffice.on_sandbox(
        sandbox, settings, cache=CatalogCache(data), state=State.open(f"sqlite:///{data}/s.db")
    )
    box.refresh_catalog()
    listings = box.listings().set_index("listing_key")
    rows = listings.loc[[k for k in keys if k in listings.index]]
    with sandbox.engine.connect() as conn:
        events = dict(conn.execute(text("SELECT id, capacity FROM sandbox_eb_events")).all())
        classes = dict(
            conn.execute(text("SELECT id, capacity FROM sandbox_eb_ticket_classes")).all()
        )
    return {
        "taken": {
            k: int(r.sold) + (0 if pd.isna(r.pending) else int(r.pending))
            for k, r in rows.iterrows()
        },
        "capacity": {
            k: None if pd.isna(r.capacity) else int(r.capacity) for k, r in rows.iterrows()
        },
        "event_of": {k: r.event_id for k, r in rows.iterrows() if isinstance(r.event_id, str)},
        "class_of": {
            k: r.ticket_class_id for k, r in rows.iterrows() if isinstance(r.ticket_class_id, str)
        },
        "events": events,
        "classes": classes,
    }


def _resource(key: str) -> str:
    """A listing's product or event: what a write's lease covers."""
    return ":".join(key.split(":")[:2])


def reason_of(message: str) -> str:
    if "Changed since you looked" in message:
        return (
            "another change landed (capacity moved)"
            if "capacity" in message.split("Changed since you looked")[1][:60]
            else "changed since you looked (sales only)"
        )
    if "is now below" in message:
        return "below sold + pending now"
    if "in progress" in message:
        return "lease wait over 15 s"
    if "call budget" in message:
        return "Eventbrite hourly budget"
    if "not answering" in message or "did not answer" in message:
        return "channel not answering"
    if "Sales kept landing" in message:
        return "sales kept landing during the read"
    if "own capacit" in message:
        return "a ticket class's own cap binds on a series date"
    return message.split(":")[0][:60]


def run(args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix="brcc-soak-"))
    sandbox_url = fresh_database(args.mysql, "brcc_soak_sandbox")
    state_url = fresh_database(args.mysql, "brcc_soak_state")
    engine = make_engine(sandbox_url)
    drop_schema(engine)
    create_schema(engine)
    sandbox = Sandbox(engine)
    print(sandbox.seed(scale="club", seed_number=3, today=clock.today(TIMEZONE)))

    # The catalog every manager starts from (built in process, off the token's hour).
    seed_dir = work / "catalog"
    settings = load_settings({"BRCC_DATA_DIR": str(seed_dir)}, dotenv_path=None)
    builder = BoxOffice.on_sandbox(
        sandbox, settings, cache=CatalogCache(seed_dir), state=State.open(state_url)
    )
    builder.eventbrite.budget.share(None)  # its calls are not the served token's
    builder.refresh_catalog()
    show_keys, sellables = busy_shows(builder, args.shows)
    shows = builder.shows(builder.listings()).set_index("show_key")
    for key in show_keys:  # the soak's rooms, saved as a manager would on the Shows tab
        show = SavedShow(key, tuple(shows.loc[key, "listing_keys"]), VENUE_CAPACITY, None)
        builder.state.save_show(show, who="soak@club.example")
    keys = [s["listing_key"] for s in sellables]
    for index in range(args.managers):
        target = work / f"manager{index}"
        if args.cold:
            target.mkdir()
        else:
            shutil.copytree(seed_dir, target)
    before = platform_numbers(sandbox_url, keys, work)

    port = free_port()
    latency = f"{args.latency_ms / 1000:g}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "brcc_core.sandbox",
            "serve",
            "--db",
            sandbox_url,
            "--port",
            str(port),
            "--latency-wc",
            latency,
            "--latency-eb",
            latency,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    print("the sandbox server did not start")
                    return 2
                time.sleep(0.2)
        config = {
            "work": str(work),
            "base_url": f"http://127.0.0.1:{port}",
            "sandbox_url": sandbox_url,
            "state_url": state_url,
            "listing_keys": keys,
            "show_keys": show_keys,
            "sellables": sellables,
            "managers": args.managers,
            "seconds": args.seconds,
            "start": time.time() + (90 if args.cold else 20),
        }
        (work / "config.json").write_text(json.dumps(config))
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--role",
                    role,
                    "--index",
                    str(i),
                    "--config",
                    str(work / "config.json"),
                ],
                cwd=ROOT,
            )
            for role, n in (("manager", args.managers), ("buyer", args.buyers))
            for i in range(n)
        ]
        for proc in procs:
            proc.wait(timeout=args.seconds + 600)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    report(args, work, config, before, platform_numbers(sandbox_url, keys, work))
    return 0


def report(args, work: Path, config: dict, before: dict, after: dict) -> None:
    minutes = args.seconds / 60
    results = [
        json.loads(line)
        for i in range(args.managers)
        for line in (work / f"manager{i}.jsonl").read_text().splitlines()
    ]
    sales = Counter(
        json.loads(line)["listing_key"]
        for i in range(args.buyers)
        for line in (work / f"buyer{i}.jsonl").read_text().splitlines()
    )
    buyers = [json.loads((work / f"buyer{i}.json").read_text()) for i in range(args.buyers)]
    waits = [
        w
        for i in range(args.managers)
        for w in json.loads((work / f"manager{i}.waits.json").read_text())
    ]
    state = State.open(config["state_url"])
    audit = state.audit_log(limit=1_000_000)
    with state.engine.connect() as conn:
        leases = conn.execute(text("SELECT COUNT(*) FROM brcc_write_leases")).scalar_one()
        budget = conn.execute(select(eventbrite_calls.c.calls)).scalars().all()

    print(
        f"\nsoak: {args.seconds} s, {args.managers} managers, {args.buyers} buyers, "
        f"{len(config['show_keys'])} shows ({len(config['listing_keys'])} listings), "
        f"sandbox served over HTTP with {args.latency_ms:g} ms a call, MariaDB"
    )
    by_status = Counter(r["status"] for r in results)
    by_channel = Counter(r["channel"] for r in results)
    print(
        f"changes attempted: {len(results)} ({len(results) / minutes:.0f} a minute; "
        f"WooCommerce {by_channel['woocommerce']}, Eventbrite {by_channel['eventbrite']})"
    )
    print("  results: " + ", ".join(f"{k} {v}" for k, v in by_status.most_common()))
    print(
        f"sales: {sum(sales.values())} ({sum(sales.values()) / minutes:.0f} a minute); "
        f"sold out {sum(b['sold_out'] for b in buyers)}, "
        f"not completed {sum(b['errors'] for b in buyers)}"
    )
    refused = [r for r in results if r["status"] == "refused"]
    print(f"refusals by reason ({len(refused)}):")
    for reason, n in Counter(reason_of(r["message"]) for r in refused).most_common():
        print(f"  {n:>5}  {reason}")
    moved = [r for r in refused if reason_of(r["message"]).startswith("another change")]
    landed = sum(
        1
        for r in moved
        if any(
            o["who"] != r["who"]
            and o["status"] in ("ok", "reconciled")
            and _resource(o["listing_key"]) == _resource(r["listing_key"])
            and r["at"] - 10 < o["at"] < r["at"]
            for o in results
        )
    )
    print(
        f"  of the {len(moved)} refused for another change: {landed} with another manager's "
        "write to the same product or event in the 10 s before (the rest: older, seen by "
        "the manager's Eventbrite numbers of the last refresh)"
    )
    for channel in ("woocommerce", "eventbrite"):
        capacity = [r for r in results if r["field"] == "capacity" and r["channel"] == channel]
        only_sales = [
            r
            for r in capacity
            if r["status"] == "refused"
            and reason_of(r["message"]) == "changed since you looked (sales only)"
        ]
        print(
            f"  {channel} capacity changes: {len(capacity)}, refused because only sales "
            f"landed: {len(only_sales)} ({100 * len(only_sales) / max(1, len(capacity)):.0f}%)"
        )
    reconcile_rows = int((audit["action"] == "reconcile").sum())
    print(
        f"reconciled: {by_status['reconciled']} results (sales since the look or during "
        f"the write counted), {reconcile_rows} follow-up writes"
    )
    if waits:
        print(
            f"lease waits: {len(waits)}, median {statistics.median(waits):.2f} s, "
            f"p95 {sorted(waits)[int(0.95 * (len(waits) - 1))]:.2f} s, max {max(waits):.2f} s"
        )
    print(f"Eventbrite calls of the token this hour, counted by all managers: {sum(budget)}")

    print("\ninvariants (from the platforms' own data):")
    lost = {
        k: (before["taken"].get(k), after["taken"].get(k), n)
        for k, n in sales.items()
        if after["taken"].get(k, 0) - before["taken"].get(k, 0) < n
    }
    extra = {
        k: (before["taken"][k], after["taken"].get(k))
        for k in before["taken"]
        if after["taken"].get(k, 0) - before["taken"][k] > sales.get(k, 0)
    }
    print(
        f"  no sale lost: {'holds' if not lost and not extra else 'BROKEN'} "
        f"({sum(sales.values())} seats bought, each sold or pending on its platform"
        f"{'; lost ' + str(lost) if lost else ''}{'; unexplained ' + str(extra) if extra else ''})"
    )
    set_capacity: dict[str, list[int]] = {}
    for r in results:
        if r["status"] in ("ok", "reconciled", "unchanged") and r["capacity"] is not None:
            set_capacity.setdefault(r["listing_key"], []).append(int(r["capacity"]))
    above = {}
    for key, now in after["capacity"].items():
        if key in after["event_of"]:
            continue  # Eventbrite: checked on the stored capacities below
        allowed = max([before["capacity"].get(key) or 0, *set_capacity.get(key, [])])
        if now is not None and now > allowed:
            above[key] = (now, allowed)
    written = audit[audit["result"].isin(["ok", "reconciled", "rolled_back"])]
    for kind, stored, table in (
        ("event capacity (series date)", "events", "event"),
        ("ticket class capacity", "classes", "class"),
    ):
        rows = written[written["what"] == kind]
        ids = after["event_of"] if table == "event" else after["class_of"]
        for key, ident in ids.items():
            mine = rows[rows["listing_key"].str.startswith(f"eb:{after['event_of'][key]}:")]
            values = [int(v) for v in mine["after"] if str(v).isdigit()]
            values += [int(v) for v in mine["before"] if str(v).isdigit()]
            allowed = max([before[stored].get(ident) or 0, *values])
            now = after[stored].get(ident)
            if now is not None and now > allowed:
                above[f"{table} {ident}"] = (now, allowed)
    print(
        f"  nothing on sale above what a manager set: {'holds' if not above else 'BROKEN'}"
        f"{'' if not above else ' ' + str(above)}"
    )
    batches = set(audit["batch"])
    missing = [r for r in results if r["batch"] and r["batch"] not in batches]
    unnamed = audit[audit["who"].str.startswith("manager") == False]  # noqa: E712
    print(
        f"  every attempt audited: {'holds' if not missing else 'BROKEN'} ({len(results)} "
        f"results, {len(audit)} audit rows, {len(missing)} without a row; rows without a "
        f"manager's e-mail: {len(unnamed)})"
    )
    print(f"  leases released: {'holds' if leases == 0 else 'BROKEN'} ({leases} left)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--managers", type=int, default=4)
    parser.add_argument("--buyers", type=int, default=2)
    parser.add_argument("--shows", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--mysql", default=MYSQL_SERVER, help="MariaDB server URL")
    parser.add_argument("--cold", action="store_true", help="each manager builds its catalog")
    parser.add_argument("--role", choices=("manager", "buyer"), help=argparse.SUPPRESS)
    parser.add_argument("--index", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.role:
        config = json.loads(Path(args.config).read_text())
        (manager if args.role == "manager" else buyer)(config, args.index)
        return 0
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
