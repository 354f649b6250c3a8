"""Website money per order line item (brcc_core.sales.site_history), on WordPress rows
written the way WooCommerce and FooEvents write them (SQLite always; MariaDB when
reachable): several lines of one product in one order, refunded orders, and a booking
slot whose ticket text has no time."""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import insert

from brcc_core.channels.wp_tables import wordpress_metadata
from brcc_core.sales import takings
from brcc_core.sales.site_history import WooCommerceHistory
from brcc_core.sandbox import fooevents_sim as sim
from brcc_core.sandbox.constants import SANDBOX_TIMEZONE

TZ = ZoneInfo(SANDBOX_TIMEZONE)
PRODUCT = 500
SLOT = "fridayeightpmslotaaa"
FRI, SAT = "datefridayaaaaaaaaaa", "datesaturdayaaaaaaaa"
SOLD_AT = datetime(2026, 11, 20, 12, 0, tzinfo=TZ)
AFTER = datetime(2026, 11, 30, 9, 0, tzinfo=TZ)  # both dates played


class _Site:
    """Writes one bookings product and its orders into an empty WordPress schema."""

    def __init__(self, engine, *, add_time: bool = True, pruned: bool = False) -> None:
        self.engine = engine
        self.t = wordpress_metadata("wp_").tables
        self.rng = random.Random(25)
        self.next_post = 1000
        self.next_item = 1
        slot = sim.fbos_slot(
            "Friday 8pm",
            "09",
            "30",
            "p.m.",
            [(FRI, "November 27, 2026", 40), (SAT, "November 28, 2026", 40)],
        )
        self.slot = slot
        # pruned: Friday is played and gone from the booking options, as admins prune them.
        stored = dict(slot, add_date={SAT: slot["add_date"][SAT]}) if pruned else slot
        self.add_time = add_time
        meta = sim.product_meta_items(
            price="50.00",
            total_sales=0,
            manage_stock=False,
            stock=None,
            fbos=sim.fooevents_fbos_value({SLOT: stored}),
        )
        with engine.begin() as conn:
            conn.execute(
                insert(self.t["wp_posts"]),
                [sim.product_post_row(PRODUCT, "Friday 8pm", SOLD_AT)],
            )
            conn.execute(insert(self.t["wp_postmeta"]), sim.meta_rows(PRODUCT, meta))

    def booking(self, date_id: str) -> sim.Booking:
        booking = sim.booking_from_slot(SLOT, self.slot, date_id)
        if not self.add_time:  # an old slot saved without its time: the ticket text has none
            booking = sim.Booking(booking.slot_id, booking.slot_label, date_id, booking.date_label)
        return booking

    def order(
        self,
        status: str,
        lines: list[tuple[str, int, str, int]],
        *,
        checked_in: int = 0,
    ) -> int:
        """An order with one line item per ``(date id, seats, unit price, variation id)``,
        its tickets created line after line (as FooEvents does); the first ``checked_in``
        tickets of the order are checked in."""
        order_id = self.next_post
        self.next_post += 1
        purchaser = sim.random_person(self.rng)
        posts = [
            sim.post_row(
                post_id=order_id, post_type="shop_order", title="Order", when=SOLD_AT, status=status
            )
        ]
        items, itemmeta, postmeta = [], [], []
        ticket_no = 0
        for date_id, seats, price, variation in lines:
            line = sim.OrderLine(PRODUCT, "Friday 8pm", seats, Decimal(price))
            item, meta = sim.order_item_rows(self.next_item, order_id, line)
            meta = [(k, str(variation) if k == "_variation_id" else v) for k, v in meta]
            items.append(item)
            itemmeta += [
                {"order_item_id": self.next_item, "meta_key": k, "meta_value": v} for k, v in meta
            ]
            self.next_item += 1
            for _ in range(seats):
                entry = sim.order_ticket_entry(
                    product_id=PRODUCT,
                    order_id=order_id,
                    customer_id=0,
                    price=Decimal(price),
                    purchaser=purchaser,
                    attendee=purchaser,
                    booking=self.booking(date_id),
                )
                if variation:
                    entry["WooCommerceEventsVariationID"] = str(variation)
                post, meta_rows = sim.ticket_rows(
                    post_id=self.next_post,
                    ticket_number=str(self.next_post),
                    ticket_hash=sim.ticket_hash(self.rng),
                    entry=entry,
                    product_title="Friday 8pm",
                    booking=self.booking(date_id),
                    status="Checked In" if ticket_no < checked_in else "Not Checked In",
                    when=SOLD_AT,
                )
                meta_rows = [
                    {**m, "meta_value": str(variation)}
                    if m["meta_key"] == "WooCommerceEventsVariationID" and variation
                    else m
                    for m in meta_rows
                ]
                self.next_post += 1
                ticket_no += 1
                posts.append(post)
                postmeta += meta_rows
        with self.engine.begin() as conn:
            conn.execute(insert(self.t["wp_posts"]), posts)
            conn.execute(insert(self.t["wp_postmeta"]), postmeta)
            conn.execute(insert(self.t["wp_woocommerce_order_items"]), items)
            conn.execute(insert(self.t["wp_woocommerce_order_itemmeta"]), itemmeta)
        return order_id

    def sales(self) -> tuple[WooCommerceHistory, pd.DataFrame]:
        reader = WooCommerceHistory(self.engine)
        return reader, reader.sales([PRODUCT], timezone=SANDBOX_TIMEZONE)


def _gross(frame: pd.DataFrame) -> dict[str, float]:
    sold = frame[frame["state"] == "sold"]
    return {k: round(float(v), 2) for k, v in sold.groupby("occurrence_key")["gross"].sum().items()}


FRI_KEY = f"wc:{PRODUCT}:{SLOT}:{FRI}"
SAT_KEY = f"wc:{PRODUCT}:{SLOT}:{SAT}"


def test_each_line_of_one_product_in_one_order_keeps_its_own_price(engine):
    """The reported order: 2 seats at $50 on Friday and 1 free seat on Saturday, one
    product, one order. Keyed by (order, product), both lines took the last line's price
    ($0) and Friday lost its $100. With another order's 12 seats at $50, Friday took
    12 x 50 + 2 x 50 = $700 (read as $600 before), Saturday's free seat $0."""
    site = _Site(engine)
    site.order("wc-completed", [(FRI, 2, "50.00", 0), (SAT, 1, "0.00", 0)])
    site.order("wc-completed", [(FRI, 12, "50.00", 0)])
    reader, frame = site.sales()
    assert _gross(frame) == {FRI_KEY: 700.0, SAT_KEY: 0.0}
    assert reader.statements == 3


def test_two_ticket_types_of_one_date_each_at_their_price(engine):
    """Variations (ticket types) of one product on one date in one order: 2 Front Row at
    $65 and 1 General Admission at $40 (different ``_variation_id``), so 2 x 65 + 40."""
    site = _Site(engine)
    site.order("wc-completed", [(FRI, 2, "65.00", 701), (FRI, 1, "40.00", 702)])
    _, frame = site.sales()
    assert _gross(frame) == {FRI_KEY: 170.0}


def test_the_statements_do_not_grow_with_the_orders(engine):
    """Three statements for one order and for thirty."""
    site = _Site(engine)
    site.order("wc-completed", [(FRI, 2, "50.00", 0), (SAT, 1, "0.00", 0)])
    first, _ = site.sales()
    for _ in range(30):
        site.order("wc-completed", [(FRI, 1, "50.00", 0), (SAT, 2, "45.00", 0)])
    many, frame = site.sales()
    assert first.statements == many.statements == 3
    # 2 x 50 + 30 x 50 on Friday; 0 + 30 x 2 x 45 on Saturday.
    assert _gross(frame) == {FRI_KEY: 1600.0, SAT_KEY: 2700.0}


def test_a_refunded_website_order_is_not_sold_and_not_a_no_show(engine):
    """A refunded order keeps its FooEvents tickets (not checked in: the buyer did not come
    because they had their money back). It is neither sold nor a no-show, as a refunded
    Eventbrite seat is not: Friday has 3 paid seats, 2 checked in (one no-show, 1/3)."""
    site = _Site(engine)
    site.order("wc-completed", [(FRI, 3, "50.00", 0)], checked_in=2)
    site.order("wc-refunded", [(FRI, 4, "50.00", 0)])
    _, frame = site.sales()
    money = takings.revenue(frame).set_index("occurrence_key")
    assert money.loc[FRI_KEY, "sold"] == 3 and money.loc[FRI_KEY, "gross"] == 150.0
    assert money.loc[FRI_KEY, "cancelled"] == 4  # refunded seats are counted as cancelled
    shows = takings.no_shows(frame, now=AFTER).set_index("occurrence_key")
    assert shows.loc[FRI_KEY, "sold"] == 3 and shows.loc[FRI_KEY, "checked_in"] == 2


def test_a_slot_time_comes_from_the_booking_options_when_the_ticket_has_none(engine):
    """Tickets of a slot saved without its time in the ticket text ("Friday 8pm", no
    "(09:30 p.m.)"), for a date pruned from the booking options: the slot there still says
    09:30 p.m., so the show started at 21:30, not at midnight."""
    site = _Site(engine, add_time=False, pruned=True)
    site.order("wc-completed", [(FRI, 2, "50.00", 0)])
    _, frame = site.sales()
    (start,) = set(frame["starts_at"])
    assert start == pd.Timestamp(datetime(2026, 11, 27, 21, 30, tzinfo=TZ))
