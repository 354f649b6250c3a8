"""The seeded club, checked from the database alone (as the app will read it): every FBOS
shape, every ticket status, pending orders in both storages, stock that agrees with the
tickets, Eventbrite's series/one-offs/two-class occurrences, shows oversold across the two
channels, determinism, and the 10x scale."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import phpserialize
import pytest
from sqlalchemy import Engine, create_engine, inspect, make_url, text

from brcc_core.sandbox import fooevents_sim as sim
from brcc_core.sandbox.constants import SANDBOX_EB_ORGANIZATION_ID
from brcc_core.sandbox.schema import make_engine
from brcc_core.sandbox.seed import SCALES, SeedSummary, seed

TODAY = date(2025, 6, 1)
TZ = ZoneInfo("America/Toronto")
SOLD_STATUSES = ("Not Checked In", "Checked In")


# --- reading the database the way the app will -------------------------------------------


def product_meta(conn) -> dict[int, dict[str, str | None]]:
    """First value per key of every product (get_post_meta(..., true))."""
    found: dict[int, dict[str, str | None]] = defaultdict(dict)
    rows = conn.execute(
        text(
            "SELECT m.post_id, m.meta_key, m.meta_value FROM wp_postmeta m"
            " JOIN wp_posts p ON p.ID = m.post_id WHERE p.post_type = 'product'"
            " ORDER BY m.meta_id"
        )
    )
    for pid, key, value in rows:
        found[pid].setdefault(key, value)
    return found


TICKET_META = {
    "product_id": "WooCommerceEventsProductID",
    "status": "WooCommerceEventsStatus",
    "slot_id": "WooCommerceEventsBookingSlotID",
    "date_id": "WooCommerceEventsBookingDateID",
    "slot_label": "WooCommerceEventsBookingSlot",
    "date_label": "WooCommerceEventsBookingDate",
}


def ticket_rows(conn) -> list:
    """One row per ticket in one grouped pass over the meta (conditional aggregation):
    self-joining wp_postmeta once per key makes MariaDB pick the meta_key prefix index
    and block-nested-loop joins, seconds for a few thousand tickets."""
    columns = ", ".join(
        f"MAX(CASE WHEN m.meta_key = '{key}' THEN m.meta_value END) AS {alias}"
        for alias, key in TICKET_META.items()
    )
    keys = ", ".join(f"'{key}'" for key in TICKET_META.values())
    return conn.execute(
        text(
            f"SELECT p.ID, p.post_status, {columns} FROM wp_posts p"
            f" JOIN wp_postmeta m ON m.post_id = p.ID AND m.meta_key IN ({keys})"
            " WHERE p.post_type = 'event_magic_tickets' GROUP BY p.ID, p.post_status"
        )
    ).all()


PENDING_SQL = {
    "legacy": (
        "SELECT p.ID, p.post_status, m.meta_value FROM wp_posts p JOIN wp_postmeta m"
        " ON m.post_id = p.ID AND m.meta_key = 'WooCommerceEventsOrderTickets'"
        " WHERE p.post_type = 'shop_order'"
        " AND p.post_status IN ('wc-pending', 'wc-on-hold', 'wc-processing')"
    ),
    "hpos": (
        "SELECT o.id, o.status, m.meta_value FROM wp_wc_orders o JOIN wp_wc_orders_meta m"
        " ON m.order_id = o.id AND m.meta_key = 'WooCommerceEventsOrderTickets'"
        " WHERE o.status IN ('wc-pending', 'wc-on-hold', 'wc-processing')"
    ),
}


def pending_orders(conn) -> dict[str, list[tuple[int, str, dict]]]:
    """Pending orders per storage, their order-meta tickets decoded with phpserialize."""
    return {
        storage: [
            (oid, status, phpserialize.loads(value.encode(), decode_strings=True))
            for oid, status, value in conn.execute(text(sql))
        ]
        for storage, sql in PENDING_SQL.items()
    }


def slot_forms(raw: dict) -> dict[str, str]:
    forms = {}
    for slot_id, slot in raw.items():
        flat = any(k.endswith(("_add_date", "_stock")) for k in slot)
        forms[slot_id] = "mixed" if flat and "add_date" in slot else "flat" if flat else "nested"
    return forms


def listing_counts(conn):
    """Sold and pending per (product, slot id, date id) from tickets and order meta."""
    sold: Counter = Counter()
    for t in ticket_rows(conn):
        if t.post_status == "publish" and t.status in SOLD_STATUSES:
            sold[(int(t.product_id), t.slot_id, t.date_id)] += 1
    pending: Counter = Counter()
    for orders in pending_orders(conn).values():
        for _, _, data in orders:
            for tickets in data.values():
                for t in tickets.values():
                    opts = t["WooCommerceEventsBookingOptions"] or {}
                    key = (int(t["WooCommerceEventsProductID"]), opts.get("slot"), opts.get("date"))
                    pending[key] += 1
    return sold, pending


def dump(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every sandbox table, in primary-key order."""
    out = {}
    with engine.connect() as conn:
        for name in sorted(inspect(engine).get_table_names()):
            pk = inspect(engine).get_pk_constraint(name)["constrained_columns"]
            order = ", ".join(f'"{c}"' if engine.dialect.name == "sqlite" else f"`{c}`" for c in pk)
            out[name] = [
                tuple(r) for r in conn.execute(text(f"SELECT * FROM {name} ORDER BY {order}"))
            ]
    return out


@pytest.fixture(scope="module", params=["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def club(request, tmp_path_factory) -> Iterator[tuple[Engine, SeedSummary]]:
    """One seeded club per database for the read-only tests. On MariaDB it gets its own
    database, so tests that reset the shared schema (the ``engine`` fixture) cannot touch it."""
    admin = name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('club') / 'club.db'}"
    else:
        server = make_url(request.getfixturevalue("mysql_url"))
        name = f"{server.database}_club"
        admin = create_engine(server)
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            conn.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
        url = server.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    yield engine, seed(engine, today=TODAY)
    engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


# --- the catalog ---------------------------------------------------------------------------


def test_catalog_has_every_product_kind_and_fbos_shape(club):
    engine, summary = club
    with engine.connect() as conn:
        metas = product_meta(conn)
        lookup_ids = set(
            conn.execute(text("SELECT product_id FROM wp_wc_product_meta_lookup")).scalars()
        )
    assert len(metas) == 16 == summary.product_count
    assert lookup_ids == set(metas)

    by_type = Counter(m.get("WooCommerceEventsType") for m in metas.values())
    assert by_type["bookings"] >= 11 and by_type["single"] == 4 and by_type[None] == 1
    not_events = [m for m in metas.values() if m.get("WooCommerceEventsEvent") == "NotEvent"]
    assert len(not_events) == 1 and sim.FBOS_KEY in not_events[0]

    forms: Counter = Counter()
    stocks: Counter = Counter()
    undecodable = 0
    for m in metas.values():
        if (
            m.get("WooCommerceEventsType") != "bookings"
            or m.get("WooCommerceEventsEvent") != "Event"
        ):
            continue
        try:
            raw = json.loads(m[sim.FBOS_KEY])
        except ValueError:
            undecodable += 1
            continue
        forms.update(slot_forms(raw).values())
        for slot in raw.values():
            nested = slot.get("add_date", {})
            overrides = {
                k[: -len("_stock")]: v
                for k, v in slot.items()
                if k.endswith("_stock") and k[: -len("_stock")] in nested
            }
            for date_id, value in overrides.items():  # flat stock after add_date wins
                assert str(nested[date_id]["stock"]) != value
                processed = sim.process_booking_options({"s": slot})["s"]["add_date"]
                assert processed[date_id]["stock"] == value
                forms["override"] += 1
        for slot in sim.process_booking_options(raw).values():
            stocks.update(
                "unlimited" if d["stock"] == "" else type(d["stock"]).__name__
                for d in slot["add_date"].values()
            )
    assert undecodable == 1
    assert forms["flat"] >= 1 and forms["mixed"] >= 1 and forms["nested"] >= 10
    assert forms["override"] >= 1
    assert stocks["int"] > 50 and stocks["str"] > 50 and stocks["unlimited"] > 10

    singles = [m for m in metas.values() if m.get("WooCommerceEventsType") == "single"]
    assert Counter(m["_manage_stock"] for m in singles) == {"yes": 3, "no": 1}
    assert sum(sim.FBOS_KEY in m for m in singles) == 1  # the stale template copy
    weekly = [m for m in metas.values() if m.get("WooCommerceEventsBookingsMethod") == "slotdate"]
    sample = weekly[0]
    assert sample["_manage_stock"] == "no" and sample["_stock"] is None
    assert sample["WooCommerceEventsTicketAddCalendarReminders"].startswith("a:4:{")
    assert "__product_views_count" in sample and "_price" in sample


def test_weekly_shows_have_slots_and_dates_like_the_club(club):
    engine, summary = club
    with engine.connect() as conn:
        metas = product_meta(conn)
        titles = dict(
            conn.execute(
                text("SELECT ID, post_title FROM wp_posts WHERE post_type = 'product'")
            ).all()
        )
    saturday = next(
        pid for pid, t in titles.items() if t == "Saturday Night at Backroom Comedy Club"
    )
    slots = sim.process_booking_options(json.loads(metas[saturday][sim.FBOS_KEY]))
    assert [s["label"] for s in slots.values()] == [
        "Saturday 6pm Show (NON-ENGLISH)",
        "Saturday 8pm Show",
        "Saturday 10pm Show",
    ]
    for slot_id, slot in slots.items():
        assert len(slot_id) == 20 and slot_id.isalpha() and slot_id.islower()
        days = [datetime.strptime(d["date"], "%B %d, %Y").date() for d in slot["add_date"].values()]
        assert all(d.weekday() == 5 for d in days)
        assert min(days) < TODAY < max(days)
        assert (TODAY - min(days)).days <= 31 and (max(days) - TODAY).days >= 30 * 7
    assert summary.slots >= 20 and 450 <= summary.slot_dates <= 650


# --- tickets, orders and stock -------------------------------------------------------------


def test_every_ticket_status_and_pending_storage_is_present(club):
    engine, summary = club
    with engine.connect() as conn:
        tickets = ticket_rows(conn)
        pending = pending_orders(conn)
    statuses = Counter(t.status for t in tickets if t.post_status == "publish")
    assert {"Not Checked In", "Checked In", "Canceled", "Cancelled"} <= set(statuses)
    assert statuses["Not Checked In"] > statuses["Canceled"] + statuses["Cancelled"]
    assert any(t.post_status == "trash" for t in tickets)
    legacy = [t for t in tickets if t.slot_id is None and t.date_label is not None]
    assert legacy and all(t.slot_label for t in legacy)
    assert {t.slot_label.endswith("(08:00 p.m.)") for t in legacy} == {True, False}

    for storage in ("legacy", "hpos"):
        options = []
        for _, _, data in pending[storage]:
            assert list(data) == list(range(1, len(data) + 1))
            for tickets_of_event in data.values():
                assert list(tickets_of_event) == list(range(1, len(tickets_of_event) + 1))
                options += [t["WooCommerceEventsBookingOptions"] for t in tickets_of_event.values()]
        bookings = [o for o in options if o is not None]  # None: a single event's ticket
        assert bookings, storage
        assert all(set(o) == {"slot", "slot_label", "date", "date_label"} for o in bookings)
    statuses_seen = {status for orders in pending.values() for _, status, _ in orders}
    assert statuses_seen == {"wc-pending", "wc-on-hold", "wc-processing"}
    pending_ids = {oid for orders in pending.values() for oid, _, _ in orders}
    with engine.connect() as conn:
        order_ids_with_tickets = set(
            conn.execute(
                text(
                    "SELECT CAST(meta_value AS CHAR) FROM wp_postmeta"
                    " WHERE meta_key = 'WooCommerceEventsOrderID'"
                )
            ).scalars()
        )
    assert not {str(i) for i in pending_ids} & order_ids_with_tickets
    assert sum(len(v) for v in pending.values()) == sum(summary.pending_orders.values())
    counted = Counter(t.status for t in tickets if t.post_status == "publish")
    counted["trash"] = sum(t.post_status == "trash" for t in tickets)
    assert dict(counted) == summary.tickets


def test_fbos_stock_is_capacity_minus_sold_minus_pending_with_a_little_drift(club):
    engine, _ = club
    with engine.connect() as conn:
        metas = product_meta(conn)
        sold, pending = listing_counts(conn)
    agree, drift = 0, 0
    for pid, m in metas.items():
        if (
            m.get("WooCommerceEventsType") != "bookings"
            or m.get("WooCommerceEventsEvent") != "Event"
        ):
            continue
        try:
            slots = sim.process_booking_options(json.loads(m[sim.FBOS_KEY]))
        except ValueError:
            continue
        for slot_id, slot in slots.items():
            capacity = 50 if "Feedback" in slot["label"] else 55
            for date_id, d in slot["add_date"].items():
                if d["stock"] == "":
                    continue
                expected = (
                    capacity - sold[(pid, slot_id, date_id)] - pending[(pid, slot_id, date_id)]
                )
                if int(d["stock"]) == expected:
                    agree += 1
                else:
                    drift += 1
    assert agree > 400
    assert 1 <= drift <= agree * 0.05


def test_sales_look_like_a_club_and_some_shows_are_oversold_across_channels(club):
    engine, summary = club
    with engine.connect() as conn:
        metas = product_meta(conn)
        titles = dict(
            conn.execute(
                text("SELECT ID, post_title FROM wp_posts WHERE post_type = 'product'")
            ).all()
        )
        sold, pending = listing_counts(conn)
        eb_sold = dict(
            conn.execute(
                text(
                    "SELECT e.start_utc, SUM(c.quantity_sold) FROM sandbox_eb_events e"
                    " JOIN sandbox_eb_ticket_classes c ON c.event_id = e.id"
                    " WHERE e.series_id IS NOT NULL AND e.is_series_parent = :f"
                    " GROUP BY e.start_utc"
                ),
                {"f": False},
            ).all()
        )
    eb_sold = {
        (k if isinstance(k, datetime) else datetime.fromisoformat(k)): v for k, v in eb_sold.items()
    }
    past_level: dict[str, list[float]] = defaultdict(list)
    oversold = 0
    for pid, m in metas.items():
        if "Night at Backroom" not in titles[pid]:
            continue
        for slot_id, slot in sim.process_booking_options(json.loads(m[sim.FBOS_KEY])).items():
            hour = int(slot["hour"]) % 12 + 12
            for date_id, d in slot["add_date"].items():
                day = datetime.strptime(d["date"], "%B %d, %Y")
                start = day.replace(hour=hour, tzinfo=TZ).astimezone(UTC).replace(tzinfo=None)
                wc = sold[(pid, slot_id, date_id)] + pending[(pid, slot_id, date_id)]
                eb = eb_sold.get(start)
                if day.date() < TODAY and eb is not None:
                    past_level[titles[pid].split()[0]].append((wc + eb) / 55)
                if eb is not None and wc + eb > (50 if "Feedback" in slot["label"] else 55):
                    oversold += 1
    average = {k: sum(v) / len(v) for k, v in past_level.items()}
    assert average["Friday"] > 0.8 and average["Saturday"] > 0.8
    assert average["Monday"] < 0.6 < average["Saturday"]
    assert oversold >= 3
    assert summary.oversold_shows >= 3


# --- Eventbrite ------------------------------------------------------------------------------


def test_eventbrite_has_series_occurrences_one_offs_and_two_class_events(club):
    engine, summary = club
    with engine.connect() as conn:
        events = conn.execute(text("SELECT * FROM sandbox_eb_events")).mappings().all()
        classes = conn.execute(text("SELECT * FROM sandbox_eb_ticket_classes")).mappings().all()
    assert {e["organization_id"] for e in events} == {SANDBOX_EB_ORGANIZATION_ID}
    assert all(e["id"].isdigit() for e in events) and all(c["id"].isdigit() for c in classes)
    parents = [e for e in events if e["is_series_parent"]]
    occurrences = [e for e in events if e["series_id"] and not e["is_series_parent"]]
    one_offs = [e for e in events if e["series_id"] is None]
    assert 18 <= len(parents) <= 24
    assert 350 <= len(occurrences) <= 500
    assert len(one_offs) >= 4
    assert {o["series_id"] for o in occurrences} <= {p["id"] for p in parents}
    per_event = Counter(c["event_id"] for c in classes)
    names_of = defaultdict(set)
    for c in classes:
        names_of[c["event_id"]].add(c["name"])
    two_class = [e for e in occurrences if names_of[e["id"]] == {"General Admission", "Front Row"}]
    assert len(two_class) >= 50
    assert all(per_event[e["id"]] >= 1 for e in occurrences + one_offs)
    assert {e["capacity"] for e in occurrences} <= {50, 55}
    friday = [e for e in occurrences if e["name"].startswith("8PM Friday")]
    local = [
        (
            e["start_utc"]
            if isinstance(e["start_utc"], datetime)
            else datetime.fromisoformat(e["start_utc"])
        )
        .replace(tzinfo=UTC)
        .astimezone(TZ)
        for e in friday
    ]
    assert {(t.weekday(), t.hour) for t in local} == {(4, 20)}  # stored as UTC, 8pm in Toronto
    assert summary.eb_ticket_classes == len(classes)
    assert summary.eb_series == len(parents) and summary.eb_occurrences == len(occurrences)


# --- writes after seeding, determinism, scale -------------------------------------------------


def test_a_sale_after_seeding_changes_one_date_and_nests_a_flat_product(engine: Engine):
    seed(engine, today=TODAY)
    with engine.connect() as conn:
        pid = conn.execute(
            text(
                "SELECT ID FROM wp_posts WHERE post_title = 'Tuesday Night at Backroom Comedy Club'"
            )
        ).scalar_one()
        before_raw = json.loads(product_meta(conn)[pid][sim.FBOS_KEY])
    assert set(slot_forms(before_raw).values()) == {"flat"}
    before = sim.process_booking_options(before_raw)
    slot_id = next(iter(before))
    date_id = list(before[slot_id]["add_date"])[-1]
    with engine.begin() as conn:
        sim.sell_booking(conn, pid, slot_id, date_id, 2, when=datetime(2025, 6, 1, 12, tzinfo=TZ))
    with engine.connect() as conn:
        after_raw = json.loads(product_meta(conn)[pid][sim.FBOS_KEY])
    assert set(slot_forms(after_raw).values()) == {"nested"}
    after = sim.process_booking_options(after_raw)
    changes = [
        (s, d, before[s]["add_date"][d]["stock"], after[s]["add_date"][d]["stock"])
        for s in before
        for d in before[s]["add_date"]
        if before[s]["add_date"][d]["stock"] != after[s]["add_date"][d]["stock"]
    ]
    assert len(changes) == 1
    _, _, old, new = changes[0]
    assert new == int(old) - 2


def test_reseeding_rebuilds_identical_rows(engine: Engine):
    first_summary = seed(engine, today=TODAY, seed=7)
    first = dump(engine)
    assert seed(engine, today=TODAY, seed=7) == first_summary
    assert dump(engine) == first
    seed(engine, today=TODAY, seed=8)
    assert dump(engine)["wp_postmeta"] != first["wp_postmeta"]


def test_large_is_ten_times_the_club(tmp_path):
    # One large seed, on SQLite only: the ratio is the generator's; club tests cover MariaDB.
    club_engine = make_engine(f"sqlite:///{tmp_path / 'club.db'}")
    large_engine = make_engine(f"sqlite:///{tmp_path / 'large.db'}")
    club = seed(club_engine, today=TODAY)
    large = seed(large_engine, scale="large", today=TODAY)
    assert SCALES["large"] == 10
    assert large.product_count == 10 * club.product_count
    assert large.slot_dates == 10 * club.slot_dates
    assert large.eb_series == 10 * club.eb_series
    assert 8 <= large.ticket_count / club.ticket_count <= 12
    with large_engine.connect() as conn:
        tickets = conn.execute(
            text("SELECT COUNT(*) FROM wp_posts WHERE post_type = 'event_magic_tickets'")
        ).scalar()
        titles = set(
            conn.execute(
                text("SELECT post_title FROM wp_posts WHERE post_type = 'product'")
            ).scalars()
        )
    assert tickets == large.ticket_count
    assert len(titles) == large.product_count  # ten rooms, no two products named alike
    club_engine.dispose()
    large_engine.dispose()


def test_unknown_scale_is_refused(engine: Engine):
    with pytest.raises(ValueError, match="scale"):
        seed(engine, scale="huge")


def test_eventbrite_carries_the_seat_shapes_clubs_use(club):
    """Shared capacity (GA capped at the room, Front Row at 10, event 55), add-ons,
    pay-what-you-can and checkout donations, hidden comps, holds and carts in progress
    (docs/eventbrite-seats.md)."""
    engine, _ = club
    with engine.connect() as conn:
        events = {
            e["id"]: e
            for e in conn.execute(text("SELECT * FROM sandbox_eb_events")).mappings().all()
        }
        classes = conn.execute(text("SELECT * FROM sandbox_eb_ticket_classes")).mappings().all()
    by_event = defaultdict(list)
    for c in classes:
        by_event[c["event_id"]].append(c)
    shared = [
        event_id
        for event_id, cs in by_event.items()
        if {c["name"] for c in cs} >= {"General Admission", "Front Row"}
        and sum(c["capacity"] for c in cs if c["category"] == "admission" and not c["hidden"])
        > events[event_id]["capacity"]
    ]
    assert len(shared) >= 50
    for event_id in shared:  # Eventbrite never sold more than the event's capacity
        seats = sum(c["quantity_sold"] for c in by_event[event_id] if c["category"] == "admission")
        event = events[event_id]
        assert seats + event["held"] + event["capacity_pending"] <= event["capacity"]
    categories = Counter(c["category"] for c in classes)
    assert categories["add_on"] >= 5 and categories["donation"] >= 3
    assert any(c["donation"] and c["category"] == "admission" for c in classes)
    assert any(c["hidden"] for c in classes)
    assert sum(1 for e in events.values() if e["held"]) >= 1
    assert sum(1 for e in events.values() if e["capacity_pending"]) >= 1
    # Front Row opens three weeks out: far shows have sold none of it.
    assert any(
        c["name"] == "Front Row" and c["quantity_sold"] == 0 and c["sales_start_utc"] is not None
        for c in classes
    )
