"""The sandbox club's past: Eventbrite orders and attendees for every seat Eventbrite sold,
and, on request, a year of past weekly shows on both channels.

Called once from ``seed.seed`` after the club is written. What it always adds is cheap
(orders and attendees behind the ticket classes' ``quantity_sold``, a few thousand rows at
club scale), so every test's sandbox has Eventbrite orders to sync. The year of weekly
shows is opt-in (``history_weeks``): the demo app seeds 52 weeks, tests ask for a few
weeks or none, because nearly every test seeds a fresh sandbox.

Sales follow the shape a comedy club sees: a trickle from the day a show is announced,
most seats in the last days (a third in the last 36 hours), Friday and Saturday strong
and often sold out, Mondays light, a few cancelled and refunded orders, and check-ins at
the door with some no-shows (more of them early in the week). Past weekly dates are gone
from the booking options (the admin prunes them), as on the real site: their tickets
still name the slot and date. One past show was moved to the next day after it went on
sale, on both channels.

Everything returned in ``HistoryTruth`` is counted as it was planned, so tests compare
what the app reads from the systems of record against it.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Engine

from brcc_core.sandbox import fooevents_sim as sim
from brcc_core.sandbox.seed_plan import (
    HOUR_LEVEL,
    ORDERS_PER_TRANSACTION,
    WEEKDAY_LEVEL,
    WEEKS_BACK,
    _Batch,
    _Date,
    _eb_rows,
    _EbEvent,
    _Ids,
    _Loader,
    _order_plan_rows,
    _OrderPlan,
    _Room,
    _sell_eb,
    loader_tables,
)

# Share of ticket holders who do not come, by weekday (Monday 0).
NO_SHOW_RATE = {0: 0.2, 1: 0.17, 2: 0.14, 3: 0.12, 4: 0.08, 5: 0.07, 6: 0.15}
# Eventbrite's fees as this club pays them (Canada): passed on to the buyer, so the
# organizer's net is the gross minus both fees.
EB_FEE_RATE = Decimal("0.037")
EB_FEE_FIXED_CENTS = 179
EB_PAYMENT_FEE_RATE = Decimal("0.029")
# Lead time of a sale before the show: a third in the last ~36 hours, the rest spread
# over weeks (capped: shows are announced about three months ahead).
LATE_SHARE = 0.35
LATE_MEAN_DAYS = 1.5
EARLY_MEAN_DAYS = 16.0
MAX_LEAD_DAYS = 90
SOLD_OUT_CHANCE = {4: 0.35, 5: 0.45}
SOLD_STATUSES_EXCLUDED = ("Canceled", "Cancelled", "Unpaid")


@dataclass
class ShowTruth:
    """One show on one channel as the seed made it: every seat still sold with its sale
    time, the seats sold and then cancelled or refunded, check-ins and money."""

    channel: str  # "woocommerce" | "eventbrite"
    key: str  # wc:<product>:<slot>:<date> / wc:<product> / eb:<event id>
    recurring: str  # wc:<product>:<slot> / eb-series:<series id> / the key for one-offs
    start: datetime  # aware, club timezone
    sales: list[tuple[datetime, int]] = field(default_factory=list)  # aware UTC, seats
    cancelled: int = 0
    # Refunded website seats: FooEvents keeps their tickets (live numbers count them), but
    # the sales history does not (not sold, not a no-show; counted in ``cancelled``).
    refunded: int = 0
    checked_in: int = 0
    gross_cents: int = 0
    fees_cents: int = 0
    by_type: Counter[str] = field(default_factory=Counter)

    @property
    def sold(self) -> int:
        return sum(n for _, n in self.sales)

    def sold_by(self, moment: datetime) -> int:
        """Seats sold at or before ``moment``."""
        return sum(n for when, n in self.sales if when <= moment)


@dataclass
class HistoryTruth:
    weeks: int
    shows: dict[str, ShowTruth] = field(default_factory=dict)
    eb_orders: int = 0
    eb_attendees: int = 0
    moved: list[str] = field(default_factory=list)  # keys of the show moved a day later
    past_weekly_dates: int = 0  # dates seeded beyond the catalog's weeks


# ---------------------------------------------------------------------------------------
# Sale times


def lead_time(rng: random.Random, start: datetime) -> timedelta:
    """How long before ``start`` a seat is bought (see the module docstring)."""
    for _ in range(20):
        mean = LATE_MEAN_DAYS if rng.random() < LATE_SHARE else EARLY_MEAN_DAYS
        days = rng.expovariate(1 / mean)
        if days <= MAX_LEAD_DAYS:
            break
    else:
        days = rng.uniform(0, MAX_LEAD_DAYS)
    # Nobody buys in the last ten minutes (the door sells those).
    return timedelta(days=days) + timedelta(minutes=10)


def sale_time(rng: random.Random, start: datetime, now: datetime) -> datetime:
    """A sale moment for a show starting at ``start``, never after ``now``: upcoming shows
    draw from the part of the curve already behind them."""
    latest = min(start - timedelta(minutes=10), now - timedelta(minutes=5))
    for _ in range(30):
        when = start - lead_time(rng, start)
        if when <= latest:
            return when.replace(microsecond=0)
    span = max(60.0, (latest - (start - timedelta(days=MAX_LEAD_DAYS))).total_seconds())
    return (latest - timedelta(seconds=rng.uniform(0, span))).replace(microsecond=0)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def eb_costs(base_cents: int) -> dict[str, int]:
    """One Eventbrite seat's costs: fees on top of the organizer's price."""
    fee = _cents(Decimal(base_cents) / 100 * EB_FEE_RATE) + EB_FEE_FIXED_CENTS
    payment = _cents(Decimal(base_cents + fee) / 100 * EB_PAYMENT_FEE_RATE)
    return {
        "base_cents": base_cents,
        "eventbrite_fee_cents": fee,
        "payment_fee_cents": payment,
        "tax_cents": 0,
        "gross_cents": base_cents + fee + payment,
    }


# ---------------------------------------------------------------------------------------
# Eventbrite orders and attendees


class _EbWriter:
    def __init__(self, rng: random.Random, ids: _Ids, truth: HistoryTruth, now: datetime):
        self.rng = rng
        self.ids = ids
        self.truth = truth
        self.now = now
        self.orders: list[dict] = []
        self.attendees: list[dict] = []

    def event(self, ev: _EbEvent, recurring: str, start: datetime | None = None) -> None:
        """Orders for every seat ``ev``'s classes sold (plus refunded ones that no longer
        count), attendees checked in when the show is over."""
        start = start or ev.start
        show = ShowTruth("eventbrite", f"eb:{ev.event_id}", recurring, start)
        self.truth.shows[show.key] = show
        over = start + timedelta(hours=1) <= self.now
        for tc in ev.classes:
            left = tc.sold
            while left > 0:
                quantity = min(left, self.rng.choice((1, 2, 2, 2, 3, 4)))
                left -= quantity
                self.order(ev, tc, quantity, start, show, "placed", over)
            if tc.sold and self.rng.random() < 0.1:
                self.order(ev, tc, self.rng.randint(1, 2), start, show, "refunded", over)

    def order(
        self,
        ev: _EbEvent,
        tc: Any,
        quantity: int,
        start: datetime,
        show: ShowTruth,
        status: str,
        over: bool,
    ) -> None:
        created = sale_time(self.rng, start, self.now)
        changed = created
        if status == "refunded":
            changed = min(self.now, created + timedelta(hours=self.rng.randint(2, 72)))
            changed = min(changed, start - timedelta(minutes=5))
            changed = max(changed, created)
        order_id = self.ids.eb(11)
        person = sim.random_person(self.rng)
        costs = eb_costs(tc.cost_cents)
        for key in costs:
            costs[key] *= quantity
        self.orders.append(
            {
                "id": order_id,
                "event_id": ev.event_id,
                "created": _naive_utc(created),
                "changed": _naive_utc(changed),
                "status": status,
                "first_name": person.first,
                "last_name": person.last,
                "email": person.email,
                "currency": "CAD",
                **costs,
            }
        )
        self.truth.eb_orders += 1
        no_show = NO_SHOW_RATE[start.weekday()]
        for _ in range(quantity):
            seat = eb_costs(tc.cost_cents)
            checked_in = status == "placed" and over and self.rng.random() >= no_show
            seat_changed = changed
            if checked_in:
                seat_changed = start - timedelta(minutes=self.rng.randint(0, 40))
            self.attendees.append(
                {
                    "id": self.ids.eb(12),
                    "order_id": order_id,
                    "event_id": ev.event_id,
                    "ticket_class_id": tc.tc_id,
                    "ticket_class_name": tc.name,
                    "created": _naive_utc(created),
                    "changed": _naive_utc(seat_changed),
                    "status": "Checked In"
                    if checked_in
                    else ("Attending" if status == "placed" else "Not Attending"),
                    "checked_in": checked_in,
                    "cancelled": status != "placed",
                    "refunded": status == "refunded",
                    **seat,
                }
            )
            self.truth.eb_attendees += 1
            if status == "placed":
                show.sales.append((_utc(created), 1))
                show.checked_in += checked_in
                show.gross_cents += seat["gross_cents"]
                show.fees_cents += seat["eventbrite_fee_cents"] + seat["payment_fee_cents"]
                show.by_type[tc.name] += 1
            else:
                show.cancelled += 1


# ---------------------------------------------------------------------------------------
# WooCommerce truth from order plans


def _wc_key(plan: _OrderPlan) -> str:
    if plan.slot is None:
        return f"wc:{plan.product.product_id}"
    return f"wc:{plan.product.product_id}:{plan.slot.slot_id}:{plan.day.date_id}"


def _wc_recurring(plan: _OrderPlan) -> str:
    if plan.slot is None:
        return f"wc:{plan.product.product_id}"
    return f"wc:{plan.product.product_id}:{plan.slot.slot_id}"


def _wc_truth(truth: HistoryTruth, plans: list[_OrderPlan], starts: dict[int, datetime]) -> None:
    """Sold seats per WooCommerce listing as the sales history counts them: a published
    ticket not Canceled, Cancelled or Unpaid, of an order not refunded (refunded orders
    keep their tickets, which live numbers count, but the history counts them as
    cancelled: no money, no sale, no no-show, as a refunded Eventbrite seat)."""
    for plan in plans:
        start = starts.get(id(plan.day) if plan.day is not None else id(plan.product))
        if start is None or not plan.ticket_statuses:
            continue
        key = _wc_key(plan)
        show = truth.shows.get(key)
        if show is None:
            show = truth.shows[key] = ShowTruth("woocommerce", key, _wc_recurring(plan), start)
        for i, status in enumerate(plan.ticket_statuses):
            if i in plan.trashed:
                continue
            if status in SOLD_STATUSES_EXCLUDED:
                show.cancelled += 1
                continue
            if plan.status == "refunded":
                show.refunded += 1
                show.cancelled += 1
                continue
            show.sales.append((_utc(plan.when), 1))
            show.checked_in += status == "Checked In"
            show.by_type["General Admission"] += 1
            if plan.status == "completed":
                show.gross_cents += _cents(plan.product.price)


# ---------------------------------------------------------------------------------------
# Past weekly shows


def _level(start: datetime, rng: random.Random) -> float:
    season = 1.0 + 0.12 * math.cos((start.month - 12) / 12 * 2 * math.pi)
    base = WEEKDAY_LEVEL[start.weekday()] * HOUR_LEVEL.get(start.hour, 0.7) * season
    return min(1.0, base * rng.uniform(0.8, 1.12))


def _past_weekly(
    room: _Room,
    weeks: int,
    rng: random.Random,
    ids: _Ids,
    now: datetime,
    truth: HistoryTruth,
    eb: _EbWriter,
    moved_done: list[bool],
) -> tuple[list[_OrderPlan], list[_EbEvent], dict[int, datetime]]:
    plans: list[_OrderPlan] = []
    events: list[_EbEvent] = []
    starts: dict[int, datetime] = {}
    for product in room.products:
        if product.kind != "weekly":
            continue
        for slot in product.slots:
            if not slot.dates:
                continue
            series = next(
                (sh.eb for sh in room.shows if sh.slot is slot and sh.eb is not None), None
            )
            first = slot.dates[0].day
            for k in range(1, max(0, weeks - WEEKS_BACK) + 1):
                day = first - timedelta(weeks=k)
                start = room.at(day, slot.hour24)
                moved = not moved_done[0] and room.number == 0 and k == 2 and slot.hour24 == 20
                if moved:
                    moved_done[0] = True
                    # Announced for ``start``; moved to the next day at the same time once
                    # tickets were on sale: every sale below is timed against ``start``.
                    day = day + timedelta(days=1)
                played = room.at(day, slot.hour24)
                # Not in the slot's dates: pruned from the booking options long ago.
                d = _Date(
                    date_id=sim.random_id(rng),
                    day=day,
                    label=day.strftime(sim.DATE_FORMAT),
                    capacity=slot.dates[0].capacity,
                    unlimited=slot.dates[0].unlimited,
                )
                starts[id(d)] = played
                truth.past_weekly_dates += 1
                cap = d.capacity
                total = sum(1 for _ in range(cap) if rng.random() < _level(start, rng))
                if rng.random() < SOLD_OUT_CHANCE.get(start.weekday(), 0.0):
                    total = cap
                wc_total = total
                ev = None
                if series is not None:
                    ev = _EbEvent(
                        event_id=ids.eb(13),
                        name=series.name,
                        start=played,
                        minutes=90,
                        status="completed",
                        series_id=series.series_id,
                        capacity=series.capacity,
                    )
                    room.add_classes(ev, len(series.classes) == 2)
                    if series.capacity != ev.classes[0].capacity and len(ev.classes) == 1:
                        ev.classes[0].capacity = series.capacity
                    wc_total = sum(1 for _ in range(total) if rng.random() < 0.47)
                    _sell_eb(ev, total - wc_total, rng, now)
                    events.append(ev)
                    eb.event(ev, f"eb-series:{series.series_id}", played)
                    # The sale curve ran against the announced start.
                    eb_show = truth.shows[f"eb:{ev.event_id}"]
                    if moved:
                        truth.moved.append(eb_show.key)
                plans.extend(_past_orders(product, slot, d, start, wc_total, rng, now))
                if moved:
                    truth.moved.append(f"wc:{product.product_id}:{slot.slot_id}:{d.date_id}")
    return plans, events, starts


def _past_orders(
    product: Any, slot: Any, d: Any, start: datetime, seats: int, rng: random.Random, now: datetime
) -> list[_OrderPlan]:
    plans = []
    no_show = NO_SHOW_RATE[start.weekday()]
    left = seats
    while left > 0:
        quantity = min(left, rng.choice((1, 2, 2, 2, 3, 4)))
        left -= quantity
        storage = "hpos" if rng.random() < 0.35 else "legacy"
        when = sale_time(rng, start, now)
        plan = _OrderPlan(when, product, slot, d, quantity, "completed", storage)
        if rng.random() < 0.03:
            plan.status = "refunded"  # money back, tickets kept (FooEvents does not cancel)
        plan.ticket_statuses = [
            "Not Checked In" if rng.random() < no_show else "Checked In" for _ in range(quantity)
        ]
        plans.append(plan)
    if seats and rng.random() < 0.12:
        quantity = rng.randint(1, 2)
        storage = "hpos" if rng.random() < 0.35 else "legacy"
        when = sale_time(rng, start, now)
        plan = _OrderPlan(when, product, slot, d, quantity, "cancelled", storage)
        plan.ticket_statuses = [rng.choice(("Canceled", "Cancelled"))] * quantity
        plans.append(plan)
    return plans


# ---------------------------------------------------------------------------------------
# Entry point


def seed_history(
    engine: Engine,
    rooms: list[_Room],
    plans: list[_OrderPlan],
    ids: _Ids,
    *,
    now: datetime,
    seed: int,
    weeks: int = 0,
    table_prefix: str = "wp_",
    timezone: str,
) -> HistoryTruth:
    """Write the club's Eventbrite orders/attendees and ``weeks`` weeks of past weekly
    shows (only the part older than the catalog's own past weeks) into the sandbox that
    ``seed`` just wrote. A separate random stream keeps the rest of the club identical
    whatever ``weeks`` is."""
    rng = random.Random(f"history:{seed}")
    truth = HistoryTruth(weeks=weeks)
    eb = _EbWriter(rng, ids, truth, now)

    starts: dict[int, datetime] = {}
    for room in rooms:
        for show in room.shows:
            if show.day is not None:
                starts[id(show.day)] = show.start
            elif show.product is not None:
                starts[id(show.product)] = show.start
            if show.eb is not None and show.eb.status not in ("canceled", "draft"):
                recurring = (
                    f"eb-series:{show.eb.series_id}"
                    if show.eb.series_id
                    else f"eb:{show.eb.event_id}"
                )
                eb.event(show.eb, recurring)

    past_plans: list[_OrderPlan] = []
    past_events: list[_EbEvent] = []
    moved_done = [False]
    for room in rooms:
        p, e, st = _past_weekly(room, weeks, rng, ids, now, truth, eb, moved_done)
        past_plans.extend(p)
        past_events.extend(e)
        starts.update(st)
    past_plans.sort(key=lambda p: (p.when, p.product.product_id))

    _wc_truth(truth, [*plans, *past_plans], starts)

    loader = _Loader(engine, loader_tables(table_prefix))
    try:
        batch = _Batch()
        if past_events:
            today = now.date()
            _eb_rows(batch, SimpleNamespace(eb_events=past_events, tz=now.tzinfo), today)
        batch.add("eb_orders", eb.orders)
        batch.add("eb_attendees", eb.attendees)
        loader.put(batch)
        for i in range(0, len(past_plans), ORDERS_PER_TRANSACTION):
            batch = _Batch()
            for plan in past_plans[i : i + ORDERS_PER_TRANSACTION]:
                _order_plan_rows(batch, plan, ids, rng, timezone)
            loader.put(batch)
    finally:
        loader.close()
    return truth


def history_dates(truth: HistoryTruth) -> set[date]:
    """Days with a show in ``truth`` (for tests and the CLI summary)."""
    return {show.start.date() for show in truth.shows.values()}
