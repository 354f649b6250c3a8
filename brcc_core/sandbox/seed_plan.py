"""The sandbox club in memory, below both the seed and its history (sandbox/seed.py,
sandbox/history.py): the weekly schedule, the records of products, slots, dates, Eventbrite
events and order plans, the ids the systems hand out, how full a show gets, Eventbrite's
way of selling a show's seats, and the rows all of it becomes (the batch writer and its
loader thread).

Both ``seed.seed`` and ``history.seed_history`` build on these, so neither imports the
other's internals.
"""

from __future__ import annotations

import queue
import random
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, Table

from brcc_core.sandbox import fooevents_sim as sim
from brcc_core.sandbox.constants import SANDBOX_EB_ORGANIZATION_ID, SANDBOX_VENUE_CAPACITY
from brcc_core.sandbox.schema import eventbrite_metadata, wordpress_metadata

WEEKS_BACK = 4
WEEKS_AHEAD = 32  # WooCommerce dates
EB_WEEKS_AHEAD = 26  # Eventbrite series are created for fewer weeks
ORDERS_PER_TRANSACTION = 3000
ROWS_PER_STATEMENT = 5000

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# How full a show gets, before distance fades it: Fri/Sat near sell-out, Mondays light.
WEEKDAY_LEVEL = {0: 0.38, 1: 0.42, 2: 0.55, 3: 0.66, 4: 0.96, 5: 0.99, 6: 0.6}
HOUR_LEVEL = {18: 0.6, 19: 0.8, 20: 1.0, 21: 0.95, 22: 0.92}


@dataclass(frozen=True)
class _SlotDef:
    label: str
    hour24: int
    eb_name: str | None = None  # the Eventbrite series mirroring this slot
    capacity: int = SANDBOX_VENUE_CAPACITY
    unlimited: bool = False


# (weekday, product title, price, FBOS form, slots); names shaped like the reference.
_WEEKLY: list[tuple[int, str, str, str, list[_SlotDef]]] = [
    (
        0,
        "Monday Night at Backroom Comedy Club",
        "14.11",
        "nested",
        [
            _SlotDef(
                "Monday 8pm - Overalls Comedy w/ Vanessa Prevost",
                20,
                "Overalls Comedy w/ Vanessa Prevost | An Improv Comedy Show",
            ),
            _SlotDef(
                "Monday 10pm - Feedback Open Mic",
                22,
                "Feedback | An Open Mic Comedy Show @ Backroom Comedy Club",
                capacity=50,
            ),
        ],
    ),
    (
        1,
        "Tuesday Night at Backroom Comedy Club",
        "18.50",
        "flat",
        [
            _SlotDef(
                "Tuesday 8pm Show", 20, "8PM Tuesdays - Pro Stand-up Comedy | Two for Tuesday"
            ),
            _SlotDef(
                "Tuesday 10pm Show", 22, "10PM Tuesdays - Late Night Stand-up | Night Owls Comedy"
            ),
        ],
    ),
    (
        2,
        "Wednesday Night at Backroom Comedy Club",
        "22.50",
        "nested",
        [
            _SlotDef(
                "Wednesday 8pm Show",
                20,
                "8PM Wednesdays - Pro Hilarious Stand-up | Humpday Comedy Delight",
            ),
            _SlotDef(
                "Wednesday 10pm Show",
                22,
                "10 PM Wednesdays - Pro Hilarious Stand-up Comedy | Late-Night laughs",
            ),
        ],
    ),
    (
        3,
        "Thursday Night at Backroom Comedy Club",
        "22.50",
        "mixed",
        [
            _SlotDef(
                "Thursday 8pm Show",
                20,
                "8PM Thursday - Pro Hilarious Stand-up Comedy Vibes  | The Laughter Fix",
            ),
            _SlotDef(
                "Thursday 10pm Show",
                22,
                "10PM Thursday - Hilarious Stand-up Comedy Vibes |Hilarious & unexpected.",
            ),
        ],
    ),
    (
        4,
        "Friday Night at Backroom Comedy Club",
        "24.35",
        "nested",
        [
            _SlotDef(
                "Friday 8pm Show",
                20,
                "8PM Friday Pro & Hilarious Stand-up | Comedy Kickoff  & Laughs guaranteed",
            ),
            _SlotDef(
                "Friday 10pm Show",
                22,
                "10PM Friday | Pro Hilarious Late-Night Comedy Laugh | Guaranteed Hilarity",
            ),
        ],
    ),
    (
        5,
        "Saturday Night at Backroom Comedy Club",
        "24.35",
        "nested",
        [
            _SlotDef("Saturday 6pm Show (NON-ENGLISH)", 18),
            _SlotDef(
                "Saturday 8pm Show",
                20,
                "8PM Saturdays - Pro & Hilarious Stand up Comedy | A true comedy experience",
            ),
            _SlotDef(
                "Saturday 10pm Show",
                22,
                "10PM Saturdays  Pro Hilarious Stand-up Comedy | Unleash the laughter",
            ),
        ],
    ),
    (
        6,
        "Sunday Night at Backroom Comedy Club",
        "22.50",
        "nested",
        [
            _SlotDef("Sunday 6pm Show", 18, unlimited=True),
            _SlotDef(
                "Sunday 8pm Show",
                20,
                "8PM Sundays  The Made Up Show | Improv standup comedy; TO most unique show",
            ),
            _SlotDef(
                "Sunday 10pm Show",
                22,
                "10PM Industry Nights @  Hilarious comedy show for  Industry Folk in Toronto",
            ),
        ],
    ),
]

# Eventbrite series with two ticket classes on every occurrence (weekend shows).
_FRONT_ROW_WEEKDAYS = {4, 5}


# ---------------------------------------------------------------------------------------
# The in-memory club


@dataclass
class _Date:
    date_id: str
    day: date
    label: str
    capacity: int
    unlimited: bool = False
    held: int = 0  # seats FooEvents' stock no longer has (orders captured, not returned)
    touched: bool = False  # some order rewrote this date's stock (it is an int now)
    flat_tail: bool = False  # added by the admin after the last order (mixed slot)
    override: bool = False  # carries a flat "<id>_stock" after the nested add_date
    legacy: bool = False  # its tickets predate slot/date id meta


@dataclass
class _Slot:
    slot_id: str
    label: str
    hour24: int
    dates: list[_Date] = field(default_factory=list)
    form: str = "nested"

    @property
    def hour(self) -> str:
        return f"{(self.hour24 % 12) or 12:02d}"

    @property
    def period(self) -> str:
        return "p.m." if self.hour24 >= 12 else "a.m."

    def booking(self, d: _Date, *, add_time: bool = True) -> sim.Booking:
        return sim.Booking(
            slot_id=self.slot_id,
            slot_label=self.label,
            date_id=d.date_id,
            date_label=d.label,
            hour=self.hour,
            minute="00",
            period=self.period,
            add_time=add_time,
        )


@dataclass
class _Product:
    product_id: int
    title: str
    price: Decimal
    kind: str  # weekly | limited | broken | single | untyped | not_event
    created: datetime
    slots: list[_Slot] = field(default_factory=list)
    fbos_form: str | None = "nested"
    single_start: datetime | None = None
    manage_stock: bool = False
    initial_stock: int | None = None
    template_fbos: str | None = None  # a stale FBOS carried by a non-bookings product
    event: str | None = "Event"
    event_type: str | None = "bookings"
    total_sales: int = 0
    stock_used: int = 0  # WooCommerce _stock taken by paid/held orders


@dataclass
class _EbClass:
    tc_id: str
    name: str
    capacity: int | None
    cost_cents: int
    sorting: int
    sold: int = 0
    # Eventbrite's shapes (docs/eventbrite-seats.md): admission | add_on | donation; a
    # pay-what-you-can admission has donation=True; hidden classes sell by link only.
    category: str = "admission"
    donation: bool = False
    hidden: bool = False
    opens_days_before: int | None = None  # sales open this long before the show
    closes_days_before: int = 0  # sales end this long before the show

    @property
    def is_seat(self) -> bool:
        return self.category == "admission"

    def opened_by(self, start: datetime, moment: datetime) -> bool:
        """Whether its sales had opened by ``moment`` (so it can have sold)."""
        opens = self.opens_days_before
        return opens is None or start - timedelta(days=opens) <= moment


@dataclass
class _EbEvent:
    event_id: str
    name: str
    start: datetime  # aware, club timezone
    minutes: int
    status: str = "live"
    series_id: str | None = None
    is_parent: bool = False
    capacity: int = SANDBOX_VENUE_CAPACITY
    classes: list[_EbClass] = field(default_factory=list)
    held: int = 0  # seats held back on the capacity tier
    pending: int = 0  # carts in progress (the tier's capacity_pending)


@dataclass
class _Show:
    """One performance in a room, with the listings that sell it."""

    start: datetime
    capacity: int
    product: _Product | None = None
    slot: _Slot | None = None
    day: _Date | None = None
    eb: _EbEvent | None = None
    oversell: bool = False
    # Things this show is made to carry so every room has each of them at least once (a
    # list, not a set: string-set order changes with PYTHONHASHSEED).
    features: list[str] = field(default_factory=list)
    wc_total: int = 0
    eb_total: int = 0


@dataclass
class _OrderPlan:
    when: datetime
    product: _Product
    slot: _Slot | None
    day: _Date | None
    quantity: int
    status: str
    storage: str
    ticket_statuses: list[str] = field(default_factory=list)
    trashed: set[int] = field(default_factory=set)
    legacy_ids: bool = False  # tickets from before Bookings stored slot/date ids


class _Ids:
    """Ids handed out the way the real systems do: WordPress post ids one after another,
    Eventbrite ids as digit strings, never repeated."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        # Ids of the Eventbrite seat shapes (add-ons, donations, comps) come from their own
        # generator, so adding them never moves the club's other draws.
        self.side = random.Random(15)
        self.post = 4000
        self.order_item = 100
        self.eb_seen: set[str] = set()

    def next_post(self, gap: int = 1) -> int:
        self.post += gap
        return self.post

    def next_item(self) -> int:
        self.order_item += 1
        return self.order_item

    def eb(self, digits: int, *, side: bool = False) -> str:
        rng = self.side if side else self.rng
        while True:
            value = str(rng.randrange(10 ** (digits - 1), 10**digits))
            if value not in self.eb_seen:
                self.eb_seen.add(value)
                return value

    def eb_run(self, digits: int, count: int, step: int = 10030) -> list[str]:
        """Occurrence ids of one series: consecutive like the reference's (+10030)."""
        while True:
            base = self.rng.randrange(10 ** (digits - 1), 10**digits - step * (count + 1))
            run = [str(base + i * step) for i in range(count)]
            if not self.eb_seen.intersection(run):
                self.eb_seen.update(run)
                return run


# ---------------------------------------------------------------------------------------
# Catalog


class _Room:
    """One room's catalog: WooCommerce products, Eventbrite events, and its shows."""

    def __init__(self, number: int, rng: random.Random, ids: _Ids, today: date, tz: ZoneInfo):
        self.number = number
        self.rng = rng
        self.ids = ids
        self.today = today
        self.tz = tz
        self.suffix = "" if number == 0 else f" (Room {number + 1})"
        self.products: list[_Product] = []
        self.eb_events: list[_EbEvent] = []
        self.shows: list[_Show] = []
        self.reserved: set[tuple[date, int]] = set()
        self.special_days: dict[str, list[date]] = {}

    # -- helpers
    def at(self, day: date, hour24: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour24, minute), tzinfo=self.tz)

    def weekday_in_week(self, weeks_ahead: int, weekday: int) -> date:
        monday = self.today - timedelta(days=self.today.weekday()) + timedelta(weeks=weeks_ahead)
        return monday + timedelta(days=weekday)

    def created(self, days_ago: int) -> datetime:
        return self.at(self.today - timedelta(days=days_ago), 14, 30)

    def product(self, title: str, price: str, kind: str, days_ago: int, **kw: Any) -> _Product:
        p = _Product(
            product_id=self.ids.next_post(self.rng.randint(1, 40)),
            title=title + self.suffix,
            price=Decimal(price),
            kind=kind,
            created=self.created(days_ago),
            **kw,
        )
        self.products.append(p)
        return p

    def slot(self, label: str, hour24: int) -> _Slot:
        return _Slot(slot_id=sim.random_id(self.rng), label=label, hour24=hour24)

    def add_date(self, slot: _Slot, day: date, capacity: int, unlimited: bool = False) -> _Date:
        d = _Date(
            date_id=sim.random_id(self.rng),
            day=day,
            label=day.strftime(sim.DATE_FORMAT),
            capacity=capacity,
            unlimited=unlimited,
        )
        slot.dates.append(d)
        return d

    def eb_series(
        self, name: str, starts: list[datetime], *, minutes: int = 90, front_row: bool = False
    ) -> list[_EbEvent]:
        """A series parent and its occurrences (each with its ticket classes)."""
        parent = _EbEvent(
            event_id=self.ids.eb(12),
            name=name + self.suffix,
            start=starts[0],
            minutes=int((starts[-1] - starts[0]).total_seconds() // 60) + minutes,
            is_parent=True,
        )
        parent.series_id = parent.event_id
        self.eb_events.append(parent)
        occurrences = []
        now = self.at(self.today, 9)
        for event_id, start in zip(self.ids.eb_run(13, len(starts)), starts, strict=True):
            ended = start + timedelta(minutes=minutes) < now
            status = "live"
            if ended:
                status = "completed" if (now - start).days > 7 else "ended"
            ev = _EbEvent(
                event_id=event_id,
                name=parent.name,
                start=start,
                minutes=minutes,
                status=status,
                series_id=parent.event_id,
            )
            self.add_classes(ev, front_row)
            self.eb_events.append(ev)
            occurrences.append(ev)
        return occurrences

    def eb_one_off(self, name: str, start: datetime, *, status: str = "live") -> _EbEvent:
        ev = _EbEvent(event_id=self.ids.eb(13), name=name + self.suffix, start=start, minutes=90)
        ev.status = status
        self.add_classes(ev, False)
        self.eb_events.append(ev)
        return ev

    def add_classes(self, ev: _EbEvent, front_row: bool) -> None:
        if front_row:
            # As clubs set it up on Eventbrite: both classes inside the event's capacity,
            # General Admission capped at the whole room, Front Row at its 10 seats (so the
            # classes add up to more than the event sells), Front Row opening 3 weeks out.
            ev.classes = [
                _EbClass(self.ids.eb(10), "General Admission", ev.capacity, 2435, 1),
                _EbClass(self.ids.eb(10), "Front Row", 10, 3500, 2, opens_days_before=21),
            ]
        else:
            ev.classes = [_EbClass(self.ids.eb(10), "General Admission", ev.capacity, 2435, 1)]

    def extra_class(self, ev: _EbEvent, name: str, capacity: int | None, **kw: Any) -> None:
        tc_id = self.ids.eb(10, side=True)
        ev.classes.append(_EbClass(tc_id, name, capacity, kw.pop("cost_cents", 500), 9, **kw))

    def eventbrite_shapes(self, watch: list[_EbEvent], monthly: list[_EbEvent]) -> None:
        """The ticket-class shapes clubs really use beyond GA + Front Row, so the demo and
        the tests see each: an add-on and an early bird that closes a week out (watch
        party), pay-what-you-can admission and a checkout donation (monthly show), a
        hidden comp class, holds and carts in progress on upcoming shows."""
        for ev in watch:
            self.extra_class(ev, "Early Bird", 10, cost_cents=1500, closes_days_before=7)
            self.extra_class(ev, "Drink voucher", 100, category="add_on", cost_cents=800)
        for ev in monthly:
            ev.classes[0].capacity = 40
            self.extra_class(ev, "Pay what you can", None, donation=True, cost_cents=0)
            self.extra_class(
                ev, "Support the club", None, category="donation", donation=True, cost_cents=0
            )
        now = self.at(self.today, 9)
        upcoming = sorted(
            (e for e in self.eb_events if not e.is_parent and e.status == "live" and e.start > now),
            key=lambda e: (e.start, e.event_id),
        )
        front_rows = [e for e in upcoming if len(e.classes) == 2]
        for ev in front_rows[1:4]:
            ev.held = 6  # seats kept back for the comics' guests
        one_offs = [e for e in upcoming if e.series_id is None]
        for ev in one_offs[-1:]:
            ev.held = 20  # a block kept for a group booking, far enough out to be unsold
        for ev in upcoming[:2]:
            ev.pending = 2
        for ev in upcoming[4:6]:
            self.extra_class(ev, "Industry comp", 4, hidden=True, cost_cents=0)

    # -- the catalog
    def build(self) -> None:
        self.build_specials_calendar()
        self.build_weekly()
        self.build_specials()
        self.build_eventbrite_only()

    def build_specials_calendar(self) -> None:
        """Specials take over a weekly show's time: those weekly dates are left out."""
        self.special_days = {
            "stef": [self.weekday_in_week(3, 1), self.weekday_in_week(3, 2)],
            "alvin": [self.weekday_in_week(6, 1), self.weekday_in_week(6, 2)],
            "anthony": [self.weekday_in_week(10, 1), self.weekday_in_week(10, 2)],
            "ali": [self.weekday_in_week(12, 1), self.weekday_in_week(12, 2)],
            "robyn": [self.weekday_in_week(1, 2)],
            "chris": [self.weekday_in_week(5, 1)],
            "gavin": [self.weekday_in_week(8, 1)],
            "jordan": [self.weekday_in_week(7, 2)],
        }
        for key, days in self.special_days.items():
            hours = (20, 22) if key in ("stef", "alvin", "anthony", "ali") else (20,)
            self.reserved.update((d, h) for d in days for h in hours)

    def build_weekly(self) -> None:
        first_day = self.today - timedelta(weeks=WEEKS_BACK)
        last_day = self.today + timedelta(weeks=WEEKS_AHEAD)
        eb_last = self.today + timedelta(weeks=EB_WEEKS_AHEAD)
        for weekday, title, price, form, slot_defs in _WEEKLY:
            product = self.product(title, price, "weekly", 150 + weekday, fbos_form=form)
            start = first_day + timedelta(days=(weekday - first_day.weekday()) % 7)
            days = []
            while start <= last_day:
                days.append(start)
                start += timedelta(weeks=1)
            for sd in slot_defs:
                slot = self.slot(sd.label, sd.hour24)
                slot.form = form
                product.slots.append(slot)
                listed = [d for d in days if (d, sd.hour24) not in self.reserved]
                for day in listed:
                    unlimited = sd.unlimited
                    # One far-future date left unlimited by the admin in a limited slot.
                    if weekday == 2 and sd.hour24 == 22 and day == listed[-3]:
                        unlimited = True
                    d = self.add_date(slot, day, sd.capacity, unlimited)
                    self.shows.append(_Show(self.at(day, sd.hour24), sd.capacity, product, slot, d))
                if form == "mixed" and sd.hour24 == 20:
                    # The admin appended four new weeks (flat keys after add_date) and typed
                    # an override for one upcoming date (flat "<id>_stock").
                    for d in slot.dates[-4:]:
                        d.flat_tail = True
                    upcoming = [d for d in slot.dates if d.day > self.today + timedelta(days=7)]
                    upcoming[0].override = True
                if sd.eb_name:
                    eb_days = [d for d in listed if d <= eb_last]
                    occurrences = self.eb_series(
                        sd.eb_name,
                        [self.at(d, sd.hour24) for d in eb_days],
                        front_row=weekday in _FRONT_ROW_WEEKDAYS,
                    )
                    if sd.capacity != SANDBOX_VENUE_CAPACITY:
                        for ev in occurrences:
                            ev.capacity = sd.capacity
                            ev.classes[0].capacity = sd.capacity
                    by_day = {ev.start.date(): ev for ev in occurrences}
                    for show in self.shows:
                        if show.slot is slot and show.day.day in by_day:
                            show.eb = by_day[show.day.day]
                    if weekday == 0 and sd.hour24 == 20:
                        # A cancelled occurrence far ahead: Eventbrite no longer sells it.
                        occurrences[-2].status = "canceled"

    def build_specials(self) -> None:
        days = self.special_days
        # Limited-run bookings specials: 2 slots x 2 dates, mirrored by an Eventbrite series.
        for key, title, price, eb_name, hybrid in [
            (
                "stef",
                "Stef Dag @ Backroom Comedy Club | Limited Run",
                "30.00",
                "Stef Dag @ Backroom Comedy | Limited Run",
                False,
            ),
            (
                "alvin",
                "Alvin Kuai @ Backroom Comedy Club | Limited Run",
                "30.00",
                "Alvin Kuai @ Backroom Comedy Club | Limited Run!",
                True,
            ),
        ]:
            product = self.product(
                title,
                price,
                "limited",
                40,
                manage_stock=hybrid,
                initial_stock=200 if hybrid else None,
            )
            starts = []
            for hour in (20, 22):
                slot = self.slot(f"{hour - 12}pm Show", hour)
                product.slots.append(slot)
                for day in days[key]:
                    d = self.add_date(slot, day, SANDBOX_VENUE_CAPACITY)
                    self.shows.append(_Show(self.at(day, hour), d.capacity, product, slot, d))
                    starts.append(self.at(day, hour))
            occurrences = self.eb_series(eb_name, sorted(starts))
            self.attach_eb(occurrences)

        # The bookings product FooEvents broke: a label with a quote, rewritten after an order.
        broken = self.product(
            "Comedy Open House @ Backroom Comedy Club \u2013 Ask Us Anything!",
            "43.93",
            "broken",
            60,
        )
        slot = self.slot('Comedy Open House: "Ask Us Anything"', 18)
        broken.slots.append(slot)
        open_house_days = []
        for months in range(1, 5):
            first = (self.today.replace(day=1) + timedelta(days=32 * months)).replace(day=1)
            open_house_days.append(first + timedelta(days=(0 - first.weekday()) % 7))
        for day in open_house_days:
            d = self.add_date(slot, day, SANDBOX_VENUE_CAPACITY)
            self.shows.append(_Show(self.at(day, 18), d.capacity, broken, slot, d))
        self.attach_eb(
            self.eb_series(
                "Comedy Open House @ Backroom Comedy Club \u2013 Ask Us Anything!",
                [self.at(day, 18) for day in open_house_days],
            )
        )

        # Single events, each mirrored by an Eventbrite one-off event.
        friday_template = self.products[4]
        for key, title, price, manage, stock, stale in [
            (
                "robyn",
                "Robyn & Jason The Gillerans live @ Backroom Comedy Club | One Night Only",
                "27.96",
                True,
                55,
                False,
            ),
            (
                "chris",
                "Chris Robinson Headlines Backroom Comedy Club | Limited Edition",
                "29.97",
                True,
                55,
                True,
            ),
            (
                "gavin",
                "Gavin Stephens @ Backroom Comedy Club | Limited Run!",
                "27.96",
                False,
                None,
                False,
            ),
            (
                "jordan",
                "Jordan Policicchio @ Backroom Comedy Club | Limited Run!",
                "24.76",
                True,
                55,
                False,
            ),
        ]:
            start = self.at(days[key][0], 20)
            product = self.product(
                title,
                price,
                "single",
                30,
                fbos_form=None,
                single_start=start,
                manage_stock=manage,
                initial_stock=stock,
                event_type="single",
            )
            if stale:
                product.template_fbos = _template_fbos(friday_template)
            eb = self.eb_one_off(title, start)
            self.shows.append(_Show(start, SANDBOX_VENUE_CAPACITY, product, None, None, eb))

        # An older event product from before WooCommerceEventsType existed.
        nye = date(self.today.year, 12, 31)
        if nye <= self.today:
            nye = date(self.today.year + 1, 12, 31)
        start = self.at(nye, 21)
        product = self.product(
            "New Year's Eve Comedy Bash @ Backroom Comedy Club",
            "45.00",
            "untyped",
            400,
            fbos_form=None,
            single_start=start,
            manage_stock=True,
            initial_stock=40,
            event_type=None,
        )
        self.shows.append(_Show(start, 40, product))

        # Not an event at all (it even carries a copied FBOS, as the real one does).
        free = self.product(
            "Free Drink", "0.00", "not_event", 200, fbos_form=None, event="NotEvent"
        )
        free.template_fbos = _template_fbos(self.products[0])

    def build_eventbrite_only(self) -> None:
        for key, name in [
            ("anthony", "Anthony Pappaly & Nik Oka live @ Backroom Comedy Club | Limited Run"),
            ("ali", "Ali Sultan live @ Backroom Comedy Club"),
        ]:
            starts = sorted(self.at(d, h) for d in self.special_days[key] for h in (20, 22))
            self.attach_eb(self.eb_series(name, starts))
        # Fortnightly Thursday 6:30pm watch party and a monthly Tuesday 6pm show.
        first_thursday = self.weekday_in_week(-WEEKS_BACK, 3)
        watch = [self.at(first_thursday + timedelta(weeks=2 * i), 18, 30) for i in range(14)]
        watch_events = self.eb_series(
            "Comedy Enthusiast | Stand Up Comedy Watch Party", watch, minutes=120
        )
        self.attach_eb(watch_events)
        monthly = [self.at(self.weekday_in_week(4 * i, 1), 18) for i in range(-1, 5)]
        monthly_events = self.eb_series("20-20 Perspective Comedy Show", monthly)
        self.attach_eb(monthly_events)
        # A draft one-off: listed by status=draft only, never sold.
        self.eb_one_off(
            "Mike Rita @ Backroom Comedy Club",
            self.at(self.weekday_in_week(20, 3), 20),
            status="draft",
        )
        self.eventbrite_shapes(watch_events, monthly_events)

    def attach_eb(self, occurrences: list[_EbEvent]) -> None:
        """Tie occurrences to the shows at the same time, or make Eventbrite-only shows."""
        by_start = {show.start: show for show in self.shows if show.eb is None}
        for ev in occurrences:
            show = by_start.get(ev.start)
            if show is not None:
                show.eb = ev
            else:
                self.shows.append(_Show(ev.start, ev.capacity, eb=ev))


def _template_fbos(product: _Product) -> str:
    """A copy of a bookings product's FBOS as its template looked (admin-saved strings)."""
    options = {
        slot.slot_id: sim.fbos_slot(
            slot.label,
            slot.hour,
            "00",
            slot.period,
            [(d.date_id, d.label, str(d.capacity)) for d in slot.dates[:6]],
            form="nested",
        )
        for slot in product.slots
    }
    return sim.fooevents_fbos_value(options)


# ---------------------------------------------------------------------------------------
# Eventbrite sales (the seed's shows and the history's past ones)


def _sell_eb(ev: _EbEvent, seats: int, rng: random.Random, now: datetime) -> int:
    """Sell ``seats`` on the event as Eventbrite would: never beyond its capacity less
    holds and carts, only on classes whose sales were open, a second admission class
    taking a share. Add-ons and checkout donations ride along (not seats). Returns the
    seats sold."""
    seats = max(0, min(seats, ev.capacity - ev.held - ev.pending))
    side = random.Random(int(ev.event_id[-6:]))  # the extra shapes never move main draws
    admission = [c for c in ev.classes if c.is_seat and not c.hidden]
    # Two admission classes: the draw the club's Front Row always took.
    share = rng.uniform(0.1, 0.25) if len(admission) == 2 else side.uniform(0.1, 0.3)
    sold_by = min(now, ev.start)
    opened = [c for c in admission if c.opened_by(ev.start, sold_by)]
    if opened:
        main, *others = opened
        for c in others:
            c.sold = min(_cap(c, seats), round(seats * share))
        main.sold = min(_cap(main, seats), seats - sum(c.sold for c in others))
        for c in others:
            c.sold = min(
                _cap(c, seats), seats - main.sold - sum(o.sold for o in others if o is not c)
            )
    for c in ev.classes:
        if c.hidden and c.is_seat:
            taken = sum(x.sold for x in ev.classes if x.is_seat)
            c.sold = max(0, min(_cap(c, seats), seats - taken, side.randint(0, 2)))
    seated = sum(c.sold for c in ev.classes if c.is_seat)
    for c in ev.classes:
        if not c.is_seat:
            c.sold = min(_cap(c, seated), round(seated * side.uniform(0.1, 0.4)))
    return seated


def _cap(c: _EbClass, otherwise: int) -> int:
    return otherwise if c.capacity is None else c.capacity


# ---------------------------------------------------------------------------------------
# Rows


def _fbos_value(product: _Product) -> str | None:
    """The FBOS as the site stores it after everything that happened to it."""
    if product.template_fbos is not None:
        return product.template_fbos
    if not product.slots:
        return None
    options: dict[str, dict] = {}
    for slot in product.slots:

        def stock_of(d: _Date, stale: int = 0) -> int | str:
            if d.unlimited:
                return ""
            remaining = d.capacity - d.held + stale
            return remaining if d.touched or stale else str(remaining)

        if slot.form == "flat":
            dates = [(d.date_id, d.label, str(stock_of(d))) for d in slot.dates]
            options[slot.slot_id] = sim.fbos_slot(
                slot.label, slot.hour, "00", slot.period, dates, form="flat"
            )
            continue
        nested = [d for d in slot.dates if not d.flat_tail]
        body = sim.fbos_slot(
            slot.label,
            slot.hour,
            "00",
            slot.period,
            [(d.date_id, d.label, stock_of(d, stale=2 if d.override else 0)) for d in nested],
        )
        if slot.form == "mixed":
            for d in slot.dates:
                if d.override:
                    body[f"{d.date_id}_stock"] = str(stock_of(d))
            for d in slot.dates:
                if d.flat_tail:
                    body[f"{d.date_id}_add_date"] = d.label
                    body[f"{d.date_id}_stock"] = str(stock_of(d))
        options[slot.slot_id] = body
    if product.fbos_form == "flat":
        # Saved by the admin editor (JSON.stringify kept escapes valid): plain JSON.
        return sim.php_json_encode(options).replace("\\/", "/")
    if product.fbos_form == "mixed":
        return sim.php_json_encode(options).replace("\\/", "/")
    # Last written by FooEvents itself: backslashes stripped (breaks a quoted label).
    return sim.fooevents_fbos_value(options)


class _Batch:
    """Rows of one transaction, per table, in insertion order."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict]] = {}

    def add(self, name: str, rows: list[dict]) -> None:
        self.rows.setdefault(name, []).extend(rows)


def loader_tables(table_prefix: str) -> dict[str, Table]:
    """The tables a ``_Batch`` names, by the names it uses (the seed's and the history's)."""
    wp = wordpress_metadata(table_prefix).tables
    eb = eventbrite_metadata().tables
    return {
        "posts": wp[f"{table_prefix}posts"],
        "postmeta": wp[f"{table_prefix}postmeta"],
        "items": wp[f"{table_prefix}woocommerce_order_items"],
        "itemmeta": wp[f"{table_prefix}woocommerce_order_itemmeta"],
        "wc_orders": wp[f"{table_prefix}wc_orders"],
        "wc_orders_meta": wp[f"{table_prefix}wc_orders_meta"],
        "lookup": wp[f"{table_prefix}wc_product_meta_lookup"],
        "eb_events": eb["sandbox_eb_events"],
        "eb_classes": eb["sandbox_eb_ticket_classes"],
        "eb_orders": eb["sandbox_eb_orders"],
        "eb_attendees": eb["sandbox_eb_attendees"],
    }


class _Loader:
    """Inserts batches on one worker thread, one transaction each, strictly in order, so
    the database works while Python builds the next batch (ids and rows stay identical
    from run to run: one connection, one order)."""

    def __init__(self, engine: Engine, tables: dict[str, Table]):
        self.engine = engine
        self.tables = tables
        self.queue: queue.Queue[_Batch | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="seed-loader", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (batch := self.queue.get()) is not None:
            if self.error is not None:
                continue  # drain after a failure
            try:
                with self.engine.begin() as conn:
                    for name, rows in batch.rows.items():
                        if rows:
                            _bulk_insert(conn, self.tables[name], rows)
            except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread
                self.error = exc

    def put(self, batch: _Batch) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(batch)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def _bulk_insert(conn: Connection, table: Table, rows: list[dict]) -> None:
    """``executemany`` straight to the driver, values converted by the dialect's own bind
    processors (the same conversions ``conn.execute(table.insert(), rows)`` applies), so a
    million meta rows cost the driver's time, not SQLAlchemy's per-row bookkeeping."""
    dialect = conn.dialect
    columns = list(rows[0])
    compiled = table.insert().compile(dialect=dialect, column_keys=columns)
    order = list(compiled.positiontup) if compiled.positional else columns
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in order
    ]
    pairs = list(zip(order, processors, strict=True))
    values: list[Any] = [
        tuple(
            row[name] if proc is None or row[name] is None else proc(row[name])
            for name, proc in pairs
        )
        for row in rows
    ]
    if not compiled.positional:  # pyformat/named drivers (pymysql) take mappings
        values = [dict(zip(order, v, strict=True)) for v in values]
    for i in range(0, len(values), ROWS_PER_STATEMENT):
        conn.exec_driver_sql(compiled.string, values[i : i + ROWS_PER_STATEMENT])


def _product_rows(writer: _Batch, product: _Product, tz: str) -> None:
    stock = None
    if product.manage_stock:
        stock = product.initial_stock - product.stock_used
    writer.add(
        "posts",
        [sim.product_post_row(product.product_id, product.title, product.created, timezone=tz)],
    )
    items = sim.product_meta_items(
        price=product.price,
        total_sales=product.total_sales,
        manage_stock=product.manage_stock,
        stock=stock,
        event=product.event,
        event_type=product.event_type,
        fbos=_fbos_value(product),
        single_start=product.single_start,
        views=50 + product.product_id % 400,
        counter=product.total_sales,
        timezone=tz,
        fooevents_keys=product.kind != "untyped",
    )
    writer.add("postmeta", sim.meta_rows(product.product_id, items))
    writer.add(
        "lookup",
        [
            sim.product_lookup_row(
                product.product_id,
                price=product.price,
                manage_stock=product.manage_stock,
                stock=stock,
                total_sales=product.total_sales,
            )
        ],
    )


def _order_plan_rows(
    writer: _Batch, plan: _OrderPlan, ids: _Ids, rng: random.Random, tz: str
) -> None:
    order_id = ids.next_post()
    purchaser = sim.random_person(rng, _FIRST, _LAST)
    customer_id = 0 if rng.random() < 0.7 else rng.randint(2, 900)
    booking = None
    if plan.slot is not None:
        booking = plan.slot.booking(plan.day)
    entries = [
        sim.order_ticket_entry(
            product_id=plan.product.product_id,
            order_id=order_id,
            customer_id=customer_id,
            price=plan.product.price,
            purchaser=purchaser,
            attendee=purchaser if i == 0 else sim.random_person(rng, _FIRST, _LAST),
            booking=booking,
        )
        for i in range(plan.quantity)
    ]
    with_tickets = plan.status in ("completed", "cancelled", "refunded")
    line = sim.OrderLine(
        plan.product.product_id, plan.product.title, plan.quantity, plan.product.price
    )
    rows = sim.order_rows(
        order_id=order_id,
        storage=plan.storage,
        status=plan.status,
        when=plan.when,
        lines=[line],
        customer_id=customer_id,
        purchaser=purchaser,
        tickets_entries=entries,
        key=sim.order_key(rng),
        tickets_generated=with_tickets,
        timezone=tz,
    )
    item_id = ids.next_item()
    item, item_meta = sim.order_item_rows(
        item_id,
        order_id,
        line,
        reduced_stock=plan.product.manage_stock and plan.status in sim.PAID_OR_HELD_STATUSES,
    )
    rows.items.append(item)
    rows.itemmeta.extend(
        {"order_item_id": item_id, "meta_key": k, "meta_value": v} for k, v in item_meta
    )
    if with_tickets:
        legacy = plan.day is not None and plan.day.legacy
        for i, entry in enumerate(entries):
            ticket_id = ids.next_post()
            ticket_booking = booking
            if legacy and booking is not None and i % 2:
                ticket_booking = plan.slot.booking(plan.day, add_time=False)
            post, meta = sim.ticket_rows(
                post_id=ticket_id,
                ticket_number=f"{ticket_id}{rng.randint(111111, 999999)}",
                ticket_hash=sim.ticket_hash(rng),
                entry=entry,
                product_title=plan.product.title,
                booking=ticket_booking,
                status=plan.ticket_statuses[i],
                post_status="trash" if i in plan.trashed else "publish",
                when=plan.when,
                with_booking_ids=not legacy,
                timezone=tz,
            )
            rows.posts.append(post)
            rows.postmeta.extend(meta)
    writer.add("posts", rows.posts)
    writer.add("postmeta", rows.postmeta)
    writer.add("items", rows.items)
    writer.add("itemmeta", rows.itemmeta)
    writer.add("wc_orders", rows.wc_orders)
    writer.add("wc_orders_meta", rows.wc_orders_meta)


def _eb_rows(writer: _Batch, room: _Room, today: date) -> None:
    created = datetime.combine(today - timedelta(days=150), time(15, 0))
    for ev in room.eb_events:
        start_utc = ev.start.astimezone(UTC).replace(tzinfo=None)
        changed = created + timedelta(days=abs(hash_int(ev.event_id)) % 140)
        writer.add(
            "eb_events",
            [
                {
                    "id": ev.event_id,
                    "organization_id": SANDBOX_EB_ORGANIZATION_ID,
                    "series_id": ev.series_id,
                    "is_series_parent": ev.is_parent,
                    "name": ev.name,
                    "url": f"https://www.eventbrite.ca/e/{sim.slugify(ev.name)}-tickets-{ev.event_id}",
                    "start_utc": start_utc,
                    "end_utc": start_utc + timedelta(minutes=ev.minutes),
                    "timezone": str(room.tz),
                    "status": ev.status,
                    "capacity": ev.capacity,
                    "capacity_is_custom": True,
                    "held": ev.held,
                    "capacity_pending": ev.pending,
                    "created": created,
                    "changed": changed,
                }
            ],
        )
        writer.add(
            "eb_classes",
            [
                {
                    "id": c.tc_id,
                    "event_id": ev.event_id,
                    "name": c.name,
                    "category": c.category,
                    "donation": c.donation,
                    "capacity": c.capacity,
                    "quantity_sold": c.sold,
                    "free": c.cost_cents == 0 and not c.donation,
                    "cost_cents": c.cost_cents,
                    "currency": "CAD",
                    "hidden": c.hidden,
                    "sorting": c.sorting,
                    "sales_start_utc": created
                    if c.opens_days_before is None
                    else max(created, start_utc - timedelta(days=c.opens_days_before)),
                    "sales_end_utc": start_utc - timedelta(days=c.closes_days_before),
                    "changed": changed,
                }
                for c in ev.classes
            ],
        )


def hash_int(digits: str) -> int:
    """A stable number from an id (Python's ``hash`` is salted per process)."""
    return int(digits[-6:])


_FIRST = [
    "Alex", "Sam", "Jordan", "Taylor", "Priya", "Wei", "Maria", "Omar", "Chloe", "Noah",
    "Fatima", "Liam", "Aisha", "Mateo", "Yuki", "Ben", "Sofia", "Kwame", "Emma", "Raj",
]  # fmt: skip
_LAST = [
    "Nguyen", "Singh", "Smith", "Tremblay", "Roy", "Chen", "Silva", "Haddad", "Brown", "Li",
    "Martin", "Gagnon", "Wilson", "Khan", "Patel", "Kim", "Lopez", "Murphy", "Cohen", "Ali",
]  # fmt: skip
