"""Revenue, ticket types and no-shows (brcc_core.sales.takings), table-tested."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from brcc_core.sales import takings
from brcc_core.sales.site_history import sales_frame
from brcc_core.views import comparison
from tests.test_views import at
from tests.test_views import listings as listings  # noqa: F401 - fixture
from tests.test_views import shows as shows  # noqa: F401 - fixture

TZ = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
FRI = datetime(2026, 11, 27, 20, 0, tzinfo=TZ)
SAT = datetime(2026, 11, 28, 20, 0, tzinfo=TZ)


def row(key, start, seats, *, state="sold", checked=0, gross=20.0, fees=0.0, kind="GA"):
    return {
        "channel": "eventbrite" if key.startswith("eb:") else "woocommerce",
        "occurrence_key": key,
        "recurring_key": key,
        "title": key,
        "starts_at": start,
        "sold_at": start - timedelta(days=1),
        "seats": seats,
        "state": state,
        "checked_in": checked,
        "gross": gross,
        "fees": fees,
        "ticket_type": kind,
    }


SALES = sales_frame(
    [
        row("wc:1:s:fri", FRI, 2, checked=2, gross=48.7),
        row("wc:1:s:fri", FRI, 1, checked=0, gross=0.0),  # refunded: seat kept, no money
        row("wc:1:s:fri", FRI, 2, state="cancelled", gross=0.0),
        row("eb:9", FRI, 1, checked=1, gross=30.0, fees=3.5, kind="Front Row"),
        row("eb:9", FRI, 1, checked=0, gross=27.0, fees=3.0),
        row("wc:1:s:sat", SAT, 4, checked=3, gross=None),  # a price that could not be read
    ],
    TZ,
)


def test_revenue_per_show_and_channel_net_of_fees():
    money = takings.revenue(SALES).set_index("occurrence_key")
    assert money.loc["wc:1:s:fri", "sold"] == 3
    assert money.loc["wc:1:s:fri", "cancelled"] == 2
    assert money.loc["wc:1:s:fri", "gross"] == 48.7
    assert round(money.loc["wc:1:s:fri", "average_price"], 2) == 16.23
    assert money.loc["eb:9", "gross"] == 57.0
    assert money.loc["eb:9", "net"] == 50.5
    assert pd.isna(money.loc["wc:1:s:sat", "gross"])  # unknown, not a smaller total
    assert pd.isna(money.loc["wc:1:s:sat", "net"])


def test_ticket_types_count_sold_seats_only():
    types = takings.ticket_types(SALES).set_index(["occurrence_key", "ticket_type"])["sold"]
    assert types[("eb:9", "Front Row")] == 1
    assert types[("eb:9", "GA")] == 1
    assert types[("wc:1:s:fri", "GA")] == 3


def test_no_shows_per_show_and_weekday():
    per_show = takings.no_shows(SALES, now=NOW).set_index("occurrence_key")
    assert round(per_show.loc["wc:1:s:fri", "no_show_rate"], 6) == round(1 / 3, 6)
    assert per_show.loc["eb:9", "no_show_rate"] == 0.5
    weekdays = takings.no_shows_by_weekday(takings.no_shows(SALES, now=NOW)).set_index("weekday")
    assert weekdays.loc["Friday", "sold"] == 5 and weekdays.loc["Friday", "checked_in"] == 3
    assert round(weekdays.loc["Friday", "no_show_rate"], 6) == 0.4
    assert weekdays.loc["Saturday", "no_show_rate"] == 0.25


def test_shows_not_yet_played_have_no_no_show_rate():
    assert takings.no_shows(SALES, now=FRI - timedelta(hours=1)).empty


def test_takings_of_a_show_net_of_fees_per_channel_with_its_ticket_types():
    money = takings.takings_of(SALES, ["wc:1:s:fri", "eb:9:101", "eb:9:102"])
    assert money.sold == {"woocommerce": 3, "eventbrite": 2}
    assert money.net == {"woocommerce": 48.7, "eventbrite": 50.5}
    assert money.gross == 105.7 and money.total_net == 99.2
    assert round(money.average_price, 2) == round(105.7 / 5, 2)
    assert money.ticket_types == {"Front Row": 1, "GA": 4}
    assert money.unknown == ()


def test_takings_unknown_when_a_channel_or_a_price_could_not_be_read():
    unread = takings.takings_of(
        SALES, ["wc:1:s:fri", "eb:9:101"], {"eventbrite": "Eventbrite orders not synced"}
    )
    assert unread.sold == {"woocommerce": 3, "eventbrite": None}
    assert unread.total_net is None and unread.gross is None and unread.average_price is None
    assert unread.unknown == ("Eventbrite orders not synced",)
    no_price = takings.takings_of(SALES, ["wc:1:s:sat"])
    assert no_price.sold == {"woocommerce": 4} and no_price.net == {"woocommerce": None}
    assert no_price.average_price is None and no_price.unknown


def test_past_shows_pair_both_channels_at_the_same_minute():
    past = takings.past_shows(SALES, before=NOW).set_index("show_key")
    assert list(past.index) == ["show:2026-11-27T20:00", "show:2026-11-28T20:00"]
    assert past.loc["show:2026-11-27T20:00", "listing_keys"] == ("eb:9", "wc:1:s:fri")
    assert past.loc["show:2026-11-27T20:00", "channels"] == ("eventbrite", "woocommerce")
    assert takings.past_shows(SALES, before=FRI).empty


def test_a_compared_show_says_why_its_money_is_unknown(listings, shows):  # noqa: F811 - fixtures
    """Monday's show on both channels, Eventbrite orders never synced: the website's
    takings are there, Eventbrite's and the totals are unknown with the reason, on the
    card and in the CSV's errors."""
    monday = at(23, 20)
    sales = sales_frame(
        [
            row("wc:1:a:d2320", monday, 10, gross=200.0),
            row("eb:100", monday, 12, gross=300.0, fees=30.0),
        ],
        TZ,
    )
    reason = "Eventbrite orders have not been synced yet"
    (card,) = comparison.comparison_cards(
        ["show:2026-11-23T20:00"],
        listings,
        shows,
        sales=sales,
        sales_unknown={"eventbrite": reason},
    )
    assert card.takings.net == {"woocommerce": 200.0, "eventbrite": None}
    assert card.takings.total_net is None and card.takings.average_price is None
    assert reason in card.errors
    assert reason in comparison.comparison_frame([card])["errors"].iloc[0]
    synced = comparison.comparison_cards(["show:2026-11-23T20:00"], listings, shows, sales=sales)
    assert synced[0].takings.total_net == 470.0 and synced[0].takings.sold == {
        "woocommerce": 10,
        "eventbrite": 12,
    }


def _fridays() -> pd.DataFrame:
    """Four Fridays of one weekly show, sold on both channels at 20:00 (the website's
    listing at 20:05: the same show by the catalog's rule, within SAME_SHOW_WITHIN), the
    third one cancelled (every seat cancelled or refunded on both channels), plus a
    refund on each channel and a door sale on the last."""
    rows = []
    for week in range(4):
        start = datetime(2026, 11, 6, 20, 0, tzinfo=TZ) + timedelta(weeks=week)
        wc, eb = f"wc:1:s:w{week}", f"eb:{week}"
        if week == 2:  # the cancelled week: nothing sold, so no show to count
            rows.append(row(wc, start + timedelta(minutes=5), 4, state="cancelled", gross=0.0))
            rows.append(row(eb, start, 3, state="cancelled", gross=0.0))
            continue
        rows.append(row(wc, start + timedelta(minutes=5), 4, checked=3, gross=80.0))
        rows.append(row(eb, start, 3, checked=3, gross=75.0, fees=7.5))
        # A refunded seat on each channel: cancelled in the history, never a no-show.
        rows.append(row(wc, start + timedelta(minutes=5), 2, state="cancelled", gross=0.0))
        rows.append(row(eb, start, 1, state="cancelled", gross=0.0))
    door = row("wc:1:s:w3", datetime(2026, 11, 27, 20, 5, tzinfo=TZ), 1, checked=1, gross=25.0)
    door["sold_at"] = datetime(2026, 11, 27, 20, 10, tzinfo=TZ)  # sold at the door, came
    rows.append(door)
    return sales_frame(rows, TZ)


def test_no_shows_by_weekday_count_a_show_once_for_both_channels():
    """Three Fridays were played (the cancelled week is none); each is one show on two
    channels, so 3 shows, not 6. Sold: 3 x (4 + 3) + 1 door sale = 22 (refunded seats are
    not sold); checked in: 3 x (3 + 3) + 1 = 19, so 3 no-shows of 22."""
    now = datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
    weekdays = takings.no_shows_by_weekday(takings.no_shows(_fridays(), now=now))
    friday = weekdays.set_index("weekday").loc["Friday"]
    assert friday["shows"] == 3
    assert friday["sold"] == 22 and friday["checked_in"] == 19
    assert round(friday["no_show_rate"], 6) == round(3 / 22, 6)


def test_a_show_counts_as_played_once_it_has_started():
    """``windows.played``: the last Friday starts at 20:00 (Eventbrite) and 20:05 (the
    website); at 20:02 only the Eventbrite listing has started, a second after 20:05
    both have. Comparison's past shows follow the same rule."""
    frame = _fridays()
    early = takings.no_shows(frame, now=datetime(2026, 11, 27, 20, 2, tzinfo=TZ))
    assert set(early["occurrence_key"]) == {"wc:1:s:w0", "eb:0", "wc:1:s:w1", "eb:1", "eb:3"}
    both = takings.no_shows(frame, now=datetime(2026, 11, 27, 20, 5, 1, tzinfo=TZ))
    assert {"wc:1:s:w3", "eb:3"} <= set(both["occurrence_key"])
    past = takings.past_shows(frame, before=datetime(2026, 11, 27, 20, 2, tzinfo=TZ))
    assert past["show_key"].iloc[-1] == "show:2026-11-27T20:00"
    assert past["listing_keys"].iloc[-1] == ("eb:3",)


def test_money_is_rounded_to_cents():
    """Three seats at 213.29, 213.29 and 213.28 with 21.33 of fees each: gross 639.86, fees
    63.99 (in floats 3 x 21.33 is 63.989999999999995), net 575.87 and an average price
    of 213.29 (639.86 / 3 = 213.2866...), in revenue and in takings alike."""
    start = datetime(2026, 11, 27, 20, 0, tzinfo=TZ)
    frame = sales_frame(
        [row("eb:7", start, 1, gross=213.29, fees=21.33) for _ in range(2)]
        + [row("eb:7", start, 1, gross=213.28, fees=21.33)],
        TZ,
    )
    money = takings.revenue(frame).iloc[0]
    assert money["gross"] == 639.86 and money["fees"] == 63.99 and money["net"] == 575.87
    assert money["average_price"] == 213.29
    show = takings.takings_of(frame, ["eb:7:1"])
    assert show.gross == 639.86 and show.net == {"eventbrite": 575.87}
    assert show.total_net == 575.87 and show.average_price == 213.29


def test_revenue_per_show_puts_both_channels_of_one_performance_on_one_row():
    """The Fridays, the website's listing at 20:05 and Eventbrite's at 20:00: one row per
    show (the cancelled week has no seats sold but is a show that had bookings), the
    channels as columns, one title, refunded seats with the cancelled ones."""
    frame = _fridays()
    per_channel = takings.revenue(frame)
    shows = takings.revenue_by_show(per_channel)
    assert list(shows.columns) == takings.SHOW_REVENUE_COLUMNS
    assert list(shows["show_key"]) == [f"show:2026-11-{d}T20:00" for d in ("06", 13, 20, 27)]
    first = shows.iloc[0]
    assert first["title"] == "wc:1:s:w0"  # the website's name for the show
    assert (first["sold_woocommerce"], first["sold_eventbrite"], first["sold"]) == (4, 3, 7)
    assert first["cancelled"] == 3  # two refunded website seats, one on Eventbrite
    assert (first["gross_woocommerce"], first["gross_eventbrite"]) == (80.0, 75.0)
    assert (first["gross"], first["fees"], first["net"]) == (155.0, 7.5, 147.5)
    assert first["average_price"] == 22.14  # 155 / 7, to the cent
    cancelled_week = shows.iloc[2]
    assert cancelled_week["sold"] == 0 and cancelled_week["cancelled"] == 7
    assert cancelled_week["gross"] == 0.0 and pd.isna(cancelled_week["average_price"])
    assert shows.iloc[3]["sold_woocommerce"] == 5  # the door sale


def test_revenue_totals_per_channel_and_together():
    totals = takings.revenue_totals(takings.revenue(_fridays())).set_index("scope")
    assert list(totals.index) == ["woocommerce", "eventbrite", takings.TOGETHER]
    web, eb, both = (totals.loc[s] for s in totals.index)
    assert (web["shows"], web["sold"], web["cancelled"], web["gross"]) == (4, 13, 10, 265.0)
    assert (eb["shows"], eb["sold"], eb["cancelled"], eb["gross"]) == (4, 9, 6, 225.0)
    assert (eb["fees"], eb["net"]) == (22.5, 202.5)
    assert both["shows"] == 4  # a performance on both channels is one show
    assert (both["sold"], both["cancelled"], both["gross"], both["net"]) == (22, 16, 490.0, 467.5)
    assert both["average_price"] == 22.27  # 490 / 22, to the cent


def test_revenue_per_show_and_totals_are_unknown_with_a_channel_unread_or_a_price():
    unread = {"eventbrite": "Eventbrite orders have not been synced yet"}
    website_only = takings.revenue(SALES[SALES["channel"] == "woocommerce"])
    shows = takings.revenue_by_show(website_only, unread)
    friday = shows.iloc[0]
    assert friday["sold_woocommerce"] == 3 and friday["gross_woocommerce"] == 48.7
    for column in ("sold_eventbrite", "gross_eventbrite", "sold", "gross", "fees", "net"):
        assert pd.isna(friday[column]), column
    assert pd.isna(shows.iloc[1]["gross_woocommerce"])  # a price that could not be read
    totals = takings.revenue_totals(website_only, unread).set_index("scope")
    assert totals.loc["woocommerce", "sold"] == 7 and pd.isna(totals.loc["woocommerce", "gross"])
    assert pd.isna(totals.loc["eventbrite", "sold"]) and pd.isna(totals.loc["together", "sold"])
