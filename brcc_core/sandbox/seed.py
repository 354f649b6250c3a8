"""The sandbox club: a Backroom Comedy Club shaped like the May 2025 capture (docs/domain.md
section 7), seeded into the sandbox database so the app, its tests and its demo meet the
same traps the real site sets.

``seed(engine)`` drops and recreates every sandbox table, then writes in bulk:

- WooCommerce/FooEvents: seven weekly FooEvents Bookings products (Monday to Sunday, 2-3
  slots each, weekly dates from ~4 weeks back to ~32 weeks ahead) with their FBOS in every
  stored shape (nested after orders, flat as the admin editor saves it, a mixed slot whose
  flat ``<id>_stock`` overrides the nested value, string/int/unlimited stocks); two
  limited-run bookings specials (one also capped by WooCommerce stock: "hybrid"); a
  bookings product whose FBOS FooEvents' own write broke (a label with a bare ``"``);
  four single events (managed stock, unlimited, one carrying a stale template FBOS); an
  older event product without ``WooCommerceEventsType``; a "Free Drink" ``NotEvent``.
- Orders through the same builders ``fooevents_sim.sell_*`` use: completed orders with
  their ticket posts (mostly "Not Checked In", "Checked In" for past shows), cancelled ones
  ("Canceled"/"Cancelled" tickets, stock returned), a few trashed tickets, legacy tickets
  without slot/date ids, pending/on-hold/processing orders whose tickets live only in
  order meta (legacy and HPOS storage), and the drift the real site accumulates: refunds
  that returned stock but kept their tickets, failed orders that never returned it.
- Eventbrite: series mirroring the weekly 8pm/10pm slots (weekly occurrences, event
  capacity 55, "General Admission", plus "Front Row" on weekend shows), limited-run and
  Eventbrite-only series, one-off events mirroring the single events.
- Sales like a real club: Friday/Saturday near sell-out, Mondays light, fading with
  distance, past shows complete, and several shows oversold across the two channels.

Deterministic: everything comes from ``random.Random(seed)`` and ``today`` (default: today
in the club's timezone); the clock is read nowhere else. ``scale="large"`` is ten rooms'
worth of everything, for measuring the app at 10x the club.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from brcc_core.common import clock as app_clock
from brcc_core.sandbox import fooevents_sim as sim
from brcc_core.sandbox.constants import SANDBOX_TIMEZONE
from brcc_core.sandbox.history import HistoryTruth, seed_history
from brcc_core.sandbox.schema import create_schema, drop_schema
from brcc_core.sandbox.seed_plan import (
    HOUR_LEVEL,
    ORDERS_PER_TRANSACTION,
    WEEKDAY_LEVEL,
    WEEKS_BACK,
    _Batch,
    _eb_rows,
    _Ids,
    _Loader,
    _order_plan_rows,
    _OrderPlan,
    _product_rows,
    _Room,
    _sell_eb,
    _Show,
    loader_tables,
)

SCALES: dict[str, int] = {"club": 1, "large": 10}


@dataclass
class SeedSummary:
    """What ``seed`` wrote, counted as it was planned (tests compare it with the database)."""

    scale: str
    seed: int
    today: date
    products: dict[str, int]
    slots: int
    slot_dates: int
    tickets: dict[str, int]  # WooCommerceEventsStatus of published tickets, plus "trash"
    orders: dict[str, int]  # WooCommerce order status -> count
    pending_orders: dict[str, int]  # storage ("legacy" / "hpos") -> count
    pending_tickets: int
    eb_series: int
    eb_occurrences: int
    eb_one_offs: int
    eb_ticket_classes: int
    oversold_shows: int
    history: HistoryTruth | None = None  # sales over time, as planned (sandbox/history.py)

    @property
    def product_count(self) -> int:
        return sum(self.products.values())

    @property
    def ticket_count(self) -> int:
        return sum(self.tickets.values())

    def __str__(self) -> str:
        def fmt(d: dict[str, int]) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(d.items()))

        return "\n".join(
            [
                f"Sandbox club seeded: scale {self.scale}, seed {self.seed}, today {self.today}",
                f"  WooCommerce products  {self.product_count} ({fmt(self.products)})",
                f"  booking slots         {self.slots}, slot-dates {self.slot_dates}",
                f"  tickets               {self.ticket_count} ({fmt(self.tickets)})",
                f"  orders                {sum(self.orders.values())} ({fmt(self.orders)})",
                f"  pending orders        {sum(self.pending_orders.values())} "
                f"({fmt(self.pending_orders)}), {self.pending_tickets} tickets",
                f"  Eventbrite            {self.eb_series} series, {self.eb_occurrences} "
                f"occurrences, {self.eb_one_offs} one-off events, "
                f"{self.eb_ticket_classes} ticket classes",
                f"  oversold shows        {self.oversold_shows} (both channels together)",
            ]
        )


# ---------------------------------------------------------------------------------------
# Sales


def _level(show: _Show, today: date, rng: random.Random) -> float:
    start = show.start
    days_ahead = (start.date() - today).days
    base = WEEKDAY_LEVEL[start.weekday()] * HOUR_LEVEL.get(start.hour, 0.7)
    fade = 1.0 if days_ahead < 0 else 0.02 + 0.98 * math.exp(-days_ahead / 21)
    return min(1.0, base * fade * rng.uniform(0.85, 1.08))


def _binomial(rng: random.Random, n: int, p: float) -> int:
    """Seats taken out of ``n`` when each goes with probability ``p``."""
    return sum(1 for _ in range(n) if rng.random() < p)


def _plan_sales(rooms: list[_Room], today: date, rng: random.Random, now: datetime) -> None:
    """Decide how many seats each channel sold for every show; pick the oversold ones."""
    for room in rooms:
        candidates = [
            s
            for s in room.shows
            if s.product is not None
            and s.eb is not None
            and s.start.weekday() in (4, 5)
            and -WEEKS_BACK * 7 <= (s.start.date() - today).days <= 21
        ]
        for show in rng.sample(candidates, k=min(len(candidates), 6)):
            show.oversell = True
        for show in room.shows:
            cap = show.capacity
            total = _binomial(rng, cap, _level(show, today, rng))
            if show.oversell:
                total = cap + rng.randint(1, 4)
            if show.eb is not None and show.eb.status in ("canceled", "draft"):
                eb_total = 0
                wc_total = _binomial(rng, total, 0.5) if show.product else 0
            elif show.product is not None and show.eb is not None:
                wc_total = min(cap, _binomial(rng, total, rng.uniform(0.38, 0.55)))
                eb_total = total - wc_total
            elif show.product is not None:
                wc_total, eb_total = _binomial(rng, total, 0.6), 0
            else:
                wc_total, eb_total = 0, total
            if show.product is not None and show.product.kind == "broken":
                # Its only orders are the ones placed before the quote broke the blob.
                wc_total = 3 if show.day is show.slot.dates[0] else 0
            if show.day is not None and show.day.flat_tail:
                wc_total = 0  # added after the last order
            show.wc_total = wc_total
            if show.eb is not None:
                show.eb_total = _sell_eb(show.eb, eb_total, rng, now)
        _assign_features(room, today, rng)


def _assign_features(room: _Room, today: date, rng: random.Random) -> None:
    """Every room gets each status, storage and drift at least once (the random rates
    alone could miss one for some seed), on ordinary weekly bookings shows."""
    weekly = [
        s
        for s in room.shows
        if s.product is not None
        and s.product.kind == "weekly"
        and s.product.fbos_form == "nested"
        and s.day is not None
        and not s.day.unlimited
        and not s.oversell
    ]
    soon = [
        s
        for s in weekly
        if today < s.start.date() <= today + timedelta(days=30)
        and 2 <= s.wc_total <= s.capacity - 2
    ]
    pending = ["pending:pending:legacy", "pending:on-hold:hpos", "pending:processing:legacy"]
    pending.append("pending:pending:hpos")
    for feature, show in zip(pending, rng.sample(soon, k=min(len(soon), 4)), strict=False):
        show.features.append(feature)
    anytime = [s for s in weekly if 3 <= s.wc_total <= s.capacity - 2 and not s.features]
    others = ["refund", "failed", "trash", "cancel:Canceled", "cancel:Cancelled"]
    for feature, show in zip(others, rng.sample(anytime, k=min(len(anytime), 5)), strict=False):
        show.features.append(feature)


def _order_time(rng: random.Random, start: datetime, now: datetime, floor: datetime) -> datetime:
    """Orders come in over the 90 days before a show (never before the product existed,
    never after ``now``), more of them close to it."""
    hi = min(start - timedelta(hours=1), now - timedelta(minutes=10))
    lo = max(start - timedelta(days=90), floor)
    if lo >= hi:
        lo = max(floor, hi - timedelta(days=60))
    r = rng.random()
    return (hi - (hi - lo) * (r * r)).replace(microsecond=0)


def _plan_orders(
    rooms: list[_Room], today: date, rng: random.Random, now: datetime
) -> list[_OrderPlan]:
    plans: list[_OrderPlan] = []
    for room in rooms:
        for show in room.shows:
            if show.product is not None and show.wc_total > 0:
                plans.extend(_orders_for_show(show, rng, now))
    return plans


def _orders_for_show(show: _Show, rng: random.Random, now: datetime) -> list[_OrderPlan]:
    product, slot, day = show.product, show.slot, show.day
    future = show.start > now
    cap_left = product.initial_stock - product.stock_used if product.manage_stock else None
    remaining = show.wc_total
    if cap_left is not None:
        remaining = min(remaining, cap_left)
    plans: list[_OrderPlan] = []

    def storage() -> str:
        return "hpos" if rng.random() < 0.35 else "legacy"

    def add(quantity: int, status: str, when: datetime) -> _OrderPlan:
        plan = _OrderPlan(when, product, slot, day, quantity, status, storage())
        plans.append(plan)
        return plan

    # Pending orders hold stock with no tickets yet: only for upcoming shows, recent orders.
    pending_ok = future and product.kind in ("weekly", "limited", "single")
    while remaining > 0:
        quantity = min(remaining, rng.choice((1, 2, 2, 2, 3, 4)))
        remaining -= quantity
        if pending_ok and rng.random() < 0.035:
            when = now - timedelta(minutes=rng.randint(10, 3 * 24 * 60))
            add(quantity, rng.choice(("pending", "on-hold", "processing")), when)
        else:
            add(quantity, "completed", _order_time(rng, show.start, now, product.created))

    for feature in show.features:
        if feature.startswith("pending:") and plans:
            _, status, store = feature.split(":")
            plans[0].status, plans[0].storage = status, store
            plans[0].when = now - timedelta(minutes=rng.randint(10, 3 * 24 * 60))

    # Cancelled orders: tickets cancelled, stock returned.
    forced_cancel = [f.split(":")[1] for f in show.features if f.startswith("cancel:")]
    if forced_cancel or rng.random() < 0.08:
        plan = add(
            rng.randint(1, 2), "cancelled", _order_time(rng, show.start, now, product.created)
        )
        spelling = "Cancelled" if rng.random() < 0.35 else "Canceled"
        plan.ticket_statuses = [forced_cancel[0] if forced_cancel else spelling] * plan.quantity

    # Drift, on a few dates only (bookings and managed singles alike).
    roll = rng.random()
    if "refund" in show.features:
        roll = 0.0
    elif "failed" in show.features:
        roll = 0.015
    elif "trash" in show.features:
        roll = 0.02
    completed = [p for p in plans if p.status == "completed"]
    if roll < 0.01 and completed:
        rng.choice(completed).status = "refunded"  # restocked; its tickets stay valid
    elif 0.01 <= roll < 0.018:
        quantity = rng.randint(1, 2)
        held = sum(p.quantity for p in plans if p.status not in ("cancelled", "refunded"))
        limit = show.capacity if day is None or not day.unlimited else None
        if limit is None or held + quantity <= limit:
            add(quantity, "failed", _order_time(rng, show.start, now, product.created))
    elif 0.018 <= roll < 0.025 and completed:
        victim = rng.choice(completed)
        victim.trashed = {rng.randrange(victim.quantity)}

    # Ticket statuses: check-ins for shows already played.
    for plan in plans:
        if plan.ticket_statuses:
            continue
        if plan.status in ("completed", "refunded"):
            plan.ticket_statuses = [
                "Checked In" if not future and rng.random() < 0.85 else "Not Checked In"
                for _ in range(plan.quantity)
            ]

    # Stock bookkeeping, as FooEvents and WooCommerce did it.
    for plan in plans:
        holds = plan.status in ("completed", "pending", "on-hold", "processing", "failed")
        if holds and day is not None:
            day.held += plan.quantity
        if day is not None:
            day.touched = True
        if plan.status in sim.PAID_OR_HELD_STATUSES:
            product.total_sales += plan.quantity
            if product.manage_stock:
                product.stock_used += plan.quantity
        elif plan.status == "refunded":
            product.total_sales += plan.quantity
    return plans


def _mark_legacy_tickets(rooms: list[_Room]) -> None:
    """Tickets from before Bookings stored slot/date ids: each Wednesday slot's first date."""
    for room in rooms:
        wednesday = room.products[2]
        for slot in wednesday.slots:
            for d in slot.dates[:1]:
                d.legacy = True


# ---------------------------------------------------------------------------------------
# Entry point


def seed(
    engine: Engine,
    *,
    scale: str = "club",
    seed: int = 1,
    today: date | None = None,
    table_prefix: str = "wp_",
    timezone: str = SANDBOX_TIMEZONE,
    history_weeks: int = 0,
) -> SeedSummary:
    """Rebuild the sandbox database as the club (``scale="club"``) or ten rooms of it
    (``"large"``). Same (seed, today, scale) → identical rows. ``history_weeks`` adds that
    many weeks of past weekly shows (sandbox/history.py; the demo app asks for 52)."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {sorted(SCALES)}")
    tz = ZoneInfo(timezone)
    today = today or app_clock.today(timezone)
    now = datetime.combine(today, time(9, 0), tzinfo=tz)
    rng = random.Random(seed)
    ids = _Ids(rng)

    rooms = []
    for number in range(SCALES[scale]):
        room = _Room(number, rng, ids, today, tz)
        room.build()
        rooms.append(room)
    _mark_legacy_tickets(rooms)
    _plan_sales(rooms, today, rng, now)
    plans = _plan_orders(rooms, today, rng, now)
    plans.sort(key=lambda p: (p.when, p.product.product_id))
    ids.post = max(ids.post, 10000) + 1000  # orders and tickets come after the catalog

    drop_schema(engine, table_prefix)
    create_schema(engine, table_prefix)
    loader = _Loader(engine, loader_tables(table_prefix))
    try:
        batch = _Batch()
        for room in rooms:
            for product in room.products:
                _product_rows(batch, product, timezone)
            _eb_rows(batch, room, today)
        loader.put(batch)
        for i in range(0, len(plans), ORDERS_PER_TRANSACTION):
            batch = _Batch()
            for plan in plans[i : i + ORDERS_PER_TRANSACTION]:
                _order_plan_rows(batch, plan, ids, rng, timezone)
            loader.put(batch)
    finally:
        loader.close()
    summary = _summary(scale, seed, today, rooms, plans)
    summary.history = seed_history(
        engine, rooms, plans, ids, now=now, seed=seed, weeks=history_weeks,
        table_prefix=table_prefix, timezone=timezone,
    )  # fmt: skip
    return summary


def _summary(
    scale: str, seed_: int, today: date, rooms: list[_Room], plans: list[_OrderPlan]
) -> SeedSummary:
    products = Counter(p.kind for room in rooms for p in room.products)
    bookings = [
        p for room in rooms for p in room.products if p.kind in ("weekly", "limited", "broken")
    ]
    tickets: Counter[str] = Counter()
    pending: Counter[str] = Counter()
    pending_tickets = 0
    for plan in plans:
        if plan.status in sim.PENDING_ORDER_STATUSES:
            pending[plan.storage] += 1
            pending_tickets += plan.quantity
        for i, status in enumerate(plan.ticket_statuses):
            tickets["trash" if i in plan.trashed else status] += 1
    events = [ev for room in rooms for ev in room.eb_events]
    oversold = 0
    held_pending = Counter()
    for plan in plans:
        if plan.status in ("completed", "refunded", *sim.PENDING_ORDER_STATUSES):
            key = (id(plan.product), id(plan.day))
            held_pending[key] += plan.quantity - len(plan.trashed)
    for room in rooms:
        for show in room.shows:
            if show.product is None or show.eb is None:
                continue
            wc = held_pending[(id(show.product), id(show.day))]
            if wc + show.eb_total > show.capacity:
                oversold += 1
    return SeedSummary(
        scale=scale,
        seed=seed_,
        today=today,
        products=dict(products),
        slots=sum(len(p.slots) for p in bookings),
        slot_dates=sum(len(s.dates) for p in bookings for s in p.slots),
        tickets=dict(tickets),
        orders=dict(Counter(plan.status for plan in plans)),
        pending_orders={"legacy": pending["legacy"], "hpos": pending["hpos"]},
        pending_tickets=pending_tickets,
        eb_series=sum(1 for ev in events if ev.is_parent),
        eb_occurrences=sum(1 for ev in events if ev.series_id and not ev.is_parent),
        eb_one_offs=sum(1 for ev in events if ev.series_id is None),
        eb_ticket_classes=sum(len(ev.classes) for ev in events),
        oversold_shows=oversold,
    )
