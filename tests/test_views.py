"""brcc_core.views.dashboard, comparison, selection, windows and health: the numbers the
manager's pages print, from listing and show frames built here by hand (the same shapes
BoxOffice.listings()/shows() return)."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from brcc_core.common.formats import isolate
from brcc_core.common.windows import listings_between, upcoming_shows
from brcc_core.live.health import Check, Health, with_call_budget
from brcc_core.live.listings import LISTING_COLUMNS
from brcc_core.live.shows import suggest_shows
from brcc_core.views.comparison import (
    comparison_candidates,
    comparison_cards,
    comparison_csv,
    comparison_listings,
    comparison_summary,
)
from brcc_core.views.dashboard import (
    GONE_SHOW,
    UPCOMING_COLUMNS,
    act_choices,
    guarded_show_lines,
    health_lines,
    health_summary,
    key_figures,
    overall_health,
    upcoming_table,
    window_days,
)
from brcc_core.views.selection import (
    clean_selection,
    decode_selection,
    encode_selection,
    merge_table_selection,
    selection_days,
)

TZ = ZoneInfo("America/Toronto")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=TZ)  # a Monday


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ)


def wc(product, slot, starts_at, *, sold, pending=0, available, error=None, label="Slot"):
    return {
        "listing_key": f"wc:{product}:{slot}:d{starts_at:%d%H}",
        "channel": "woocommerce",
        "kind": "bookings",
        "title": f"Product {product}",
        "slot_label": label,
        "starts_at": starts_at,
        "capacity": None if sold is None or available is None else available + sold + pending,
        "sold": sold,
        "pending": None if sold is None else pending,
        "checked_in": 0,
        "available": available,
        "unlimited": False,
        "status": "on_sale",
        "error": error,
        "product_id": product,
        "slot_id": slot,
        "date_id": f"d{starts_at:%d%H}",
        "matched_by_label": 0,
        "limit": "booking date",
    }


def eb(event, starts_at, *, sold, capacity=55, title="EB show", name="General Admission"):
    return {
        "listing_key": f"eb:{event}:{event}1",
        "channel": "eventbrite",
        "kind": "ticket_class",
        "title": title,
        "slot_label": name,
        "starts_at": starts_at,
        "capacity": capacity,
        "sold": sold,
        "pending": 0,
        "checked_in": None,
        "available": capacity - sold,
        "unlimited": False,
        "status": "on_sale",
        "event_id": str(event),
        "event_seats_left": max(0, capacity - sold),
        "ticket_class_id": f"{event}1",
        "matched_by_label": 0,
        "limit": "ticket class",
    }


def texts(column: pd.Series) -> list[str | None]:
    return [None if pd.isna(v) else v for v in column]


def frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=LISTING_COLUMNS)
    for col in ("capacity", "sold", "pending", "checked_in", "available", "matched_by_label"):
        df[col] = pd.array([None if pd.isna(v) else int(v) for v in df[col]], dtype="Int64")
    df["starts_at"] = pd.to_datetime(df["starts_at"], utc=True).dt.tz_convert(TZ)
    return df.sort_values("starts_at").reset_index(drop=True)


@pytest.fixture
def listings() -> pd.DataFrame:
    return frame(
        [
            # Mon 23 Nov 20:00: both channels, 10 + 12 sold, 2 pending
            wc(1, "a", at(23, 20), sold=10, pending=2, available=43, label="Monday 8pm"),
            eb(100, at(23, 20), sold=12, title="Monday Night Live"),
            # Tue 24 Nov 20:00: oversold, 30 + 30 sold on a 55 room
            wc(2, "b", at(24, 20), sold=30, available=25, label="Tuesday 8pm"),
            eb(200, at(24, 20), sold=30),
            # Wed 25 Nov 22:00: nearly full, 50 sold
            wc(3, "c", at(25, 22), sold=50, available=5, label="Wednesday 10pm"),
            # Thu 26 Nov 20:00: the database did not answer
            wc(
                4,
                "d",
                at(26, 20),
                sold=None,
                available=40,
                error="sold unknown: WordPress database unreachable",
                label="Thursday 8pm",
            ),
            # Tue 1 Dec 20:00: beyond the 7 days of the key figures
            wc(5, "e", datetime(2026, 12, 1, 20, tzinfo=TZ), sold=5, available=50, label="Later"),
            # Sun 22 Nov: already happened
            wc(6, "f", at(22, 20), sold=40, available=15, label="Yesterday"),
        ]
    )


@pytest.fixture
def shows(listings) -> pd.DataFrame:
    return suggest_shows(listings, venue_capacity=55)


def test_key_figures_are_unknown_when_one_show_is_and_say_what_is_known(shows):
    figures = key_figures(shows, NOW)
    # Mon, Tue, Wed, Thu; not the past Sunday, not 1 December
    assert figures.shows == 4
    # Thursday's sold is unknown: a total without it would read as the real one
    assert figures.seats_sold is None and figures.pending is None
    assert figures.sell_through is None
    assert (figures.known_shows, figures.known_sold) == (3, 10 + 12 + 60 + 50)
    assert figures.venue_capacity == 4 * 55
    assert figures.oversold == 1
    assert figures.nearly_full == 1
    assert figures.unknown == 1
    assert figures.unknown_reasons == ("sold unknown: WordPress database unreachable",)


def test_key_figures_total_when_every_show_is_known(shows):
    known = shows[shows["sold_known"]]
    figures = key_figures(known, NOW)
    assert figures.shows == 3
    assert figures.seats_sold == 10 + 12 + 60 + 50
    assert figures.pending == 2
    assert figures.sell_through == pytest.approx((132 + 2) / 165)
    assert figures.unknown == 0


def test_key_figures_of_an_empty_week_say_nothing_rather_than_zero_percent(shows):
    figures = key_figures(shows, NOW + timedelta(days=60))
    assert figures.shows == 0
    assert figures.sell_through is None


def test_upcoming_table_rows_read_like_the_box_office(shows):
    table = upcoming_table(upcoming_shows(shows, NOW, 14))
    assert list(table.columns) == UPCOMING_COLUMNS
    assert list(table["date"]) == [
        "Mon 23 Nov",
        "Tue 24 Nov",
        "Wed 25 Nov",
        "Thu 26 Nov",
        "Tue 1 Dec",  # one format everywhere: no leading zero
    ]
    monday = table.iloc[0]
    assert (monday["time"], monday["sold_woocommerce"], monday["sold_eventbrite"]) == (
        "20:00",
        10,
        12,
    )
    assert monday["pending"] == 2 and monday["remaining"] == 55 - 24
    assert monday["sell_through"] == 44  # whole percent, as every page rounds 24 of 55
    # Monday: 43 on sale on each channel (the old mirror sync) for 31 seats left in the room
    assert (monday["on_sale_woocommerce"], monday["on_sale_eventbrite"]) == ("43", "43")
    assert monday["exposure"] == "55"
    # Short enough to read whole in its column at 1400 px; the sentence is in the details.
    assert list(table["flag"]) == [
        "🔓 55 at risk",
        "⛔ oversold +5 · 🔓 50 at risk",
        "⚠️ nearly full",
        "❓ sold unknown",
        "",
    ]
    assert list(table["flag_detail"]) == [
        "over-exposed: 55 more seats on sale than the room has",
        "oversold: 5 more seats sold than the room has; "
        "over-exposed: 50 more seats on sale than the room has",
        "nearly full",
        "sold unknown: a channel's numbers could not be read",
        "",
    ]
    assert texts(table["exposure"]) == ["55", "50", "0", None, "0"]
    thursday = table.iloc[3]
    # unknown stays unknown, never 0
    assert pd.isna(thursday["sold_woocommerce"]) and pd.isna(thursday["remaining"])
    assert pd.isna(thursday["sell_through"]) and pd.isna(thursday["exposure"])
    assert table.iloc[1]["remaining"] == 55 - 60


def test_key_figures_count_over_exposed_and_oversold_shows_over_the_chosen_horizon():
    later = datetime(2026, 12, 10, 20, tzinfo=TZ)  # 17 days ahead
    rows = frame(
        [
            wc(1, "a", at(24, 20), sold=20, available=35, label="Tuesday 8pm"),  # in step
            # 17 days ahead: a manager set the listing to 1,000,000 seats
            wc(2, "b", later, sold=20, available=1_000_000, label="Thursday 8pm"),
            eb(300, later + timedelta(days=1), sold=60, capacity=60),  # oversold, 18 days
        ]
    )
    shows = suggest_shows(rows, venue_capacity=55)
    week = key_figures(shows, NOW, 7)
    assert (week.over_exposed, week.oversold) == (0, 0)
    month = key_figures(shows, NOW, 30)
    assert (month.days, month.over_exposed, month.oversold) == (30, 1, 1)
    table = upcoming_table(upcoming_shows(shows, NOW, 30))
    assert table.iloc[1]["exposure"] == f"{1_000_000 - 35:,}"
    assert table.iloc[1]["flag"] == "🔓 999,965 at risk"
    assert table.iloc[1]["flag_detail"] == (
        "over-exposed: 999,965 more seats on sale than the room has"
    )


def test_act_on_a_show_ranks_by_urgency_and_defaults_to_the_most_urgent(shows):
    """Oversold first, then over-exposed by seats at risk, then nearly full; the rest
    after, ticked rows before the others (issue 26)."""
    week = upcoming_shows(shows, NOW, 7)
    names = act_choices(week, ticked=["show:2026-11-26T20:00"])
    keys = list(names)
    # Tue: oversold (+5), Mon: 55 seats at risk, Wed: nearly full, Thu (ticked), then Fri
    assert keys[:4] == [
        "show:2026-11-24T20:00",
        "show:2026-11-23T20:00",
        "show:2026-11-25T22:00",
        "show:2026-11-26T20:00",
    ]
    assert (
        names[keys[0]]
        == "Tue 24 Nov 20:00 · "
        + isolate(week.set_index("show_key").loc[keys[0], "title"])
        + " · ⛔ oversold +5 · 🔓 50 at risk"
    )
    assert "\\" not in "".join(names.values())  # plain text: no Markdown escapes


def test_more_seats_at_risk_is_more_urgent():
    rows = frame(
        [
            wc(1, "a", at(24, 20), sold=20, available=40, label="Tuesday 8pm"),  # 5 at risk
            wc(2, "b", at(25, 20), sold=20, available=60, label="Wednesday 8pm"),  # 25
        ]
    )
    shows = suggest_shows(rows, venue_capacity=55)
    assert list(act_choices(shows)) == list(shows["show_key"])[::-1]


def test_health_is_one_line_that_names_what_is_not_ok():
    ok = [Health(Check.WOOCOMMERCE, "ok", "answering", 12.0)]
    assert health_summary(ok, 3) == "✅ All 1 systems ok · measured 3 s ago"
    bad = [*ok, Health(Check.EVENTBRITE, "down", "timeout")]
    assert health_summary(bad, 3).startswith("⛔ Eventbrite API down")


@pytest.mark.parametrize(
    ("asked", "days"), [(None, 14), ("30", 30), ("0", 14), ("91", 14), ("x", 14), ("7", 7)]
)
def test_a_links_window_comes_from_its_address(asked, days):
    assert window_days(asked) == days


def test_unlimited_site_stock_is_flagged_and_unknown_stock_is_not_counted_as_zero():
    rows = frame(
        [
            wc(1, "a", at(24, 20), sold=20, available=None, label="Tuesday 8pm"),
            wc(2, "b", at(25, 20), sold=20, available=None, label="Wednesday 8pm"),
        ]
    )
    rows.loc[0, "unlimited"] = True  # stock not managed: FooEvents sells without limit
    rows.loc[1, "error"] = "stock managed but not set"
    shows = suggest_shows(rows, venue_capacity=55)
    figures = key_figures(shows, NOW, 7)
    assert (figures.over_exposed, figures.exposure_unknown) == (1, 1)
    table = upcoming_table(shows)
    assert texts(table["on_sale_woocommerce"]) == ["unlimited", None]
    assert texts(table["exposure"]) == ["unlimited", None]
    assert table.iloc[0]["flag"] == "🔓 unlimited on sale"
    assert table.iloc[0]["flag_detail"] == "over-exposed: unlimited seats on sale on the website"


def test_table_times_are_in_the_club_timezone():
    utc_evening = datetime(2026, 11, 28, 1, 0, tzinfo=ZoneInfo("UTC"))  # 20:00 in Toronto
    rows = frame([wc(1, "a", utc_evening, sold=1, available=54)])
    table = upcoming_table(suggest_shows(rows))
    assert (table.iloc[0]["date"], table.iloc[0]["time"]) == ("Fri 27 Nov", "20:00")


def test_the_guards_shows_are_named_by_day_time_and_title_never_by_key():
    utc_evening = datetime(2026, 11, 28, 1, 0, tzinfo=ZoneInfo("UTC"))  # 20:00 in Toronto
    shows = pd.DataFrame(
        {"show_key": ["show:2026-11-27T20:00"], "title": ["Late"], "starts_at": [utc_evening]}
    )
    policies = {
        "show:2026-11-27T20:00": "mirror",
        "show:2027-06-01T20:00": "buffer",  # outside the window: its key's day and time
        "show:2026-02-30T20:00": "split",  # no such day: the key says nothing usable
    }
    lines = guarded_show_lines(policies, shows, "America/Toronto")
    assert lines[0].startswith("Fri 27 Nov 20:00 · ") and "Late" in lines[0]
    assert lines[0].endswith(": mirror")
    assert lines[1] == "the show on Tue 1 Jun 20:00 (outside the days shown): buffer"
    assert lines[2] == f"{GONE_SHOW}: split"
    assert not any("show:" in line for line in lines)


def test_windows_select_by_start_time(listings, shows):
    week = listings_between(listings, NOW, NOW + timedelta(days=7))
    assert set(week["starts_at"].dt.day) == {23, 24, 25, 26}
    assert list(upcoming_shows(shows, NOW, 2)["show_key"]) == [
        "show:2026-11-23T20:00",
        "show:2026-11-24T20:00",
    ]


# --- selection <-> URL ---------------------------------------------------------------
def test_selection_round_trips_through_the_url():
    keys = [
        "show:2026-11-27T20:00",
        "eb:123:456",
        "wc:4009:abc:def",
        "show:2026-11-28T22:00",
        "wc:7",
    ]
    params = encode_selection(keys)
    assert params == {
        "shows": "show:2026-11-27T20:00,show:2026-11-28T22:00",
        "listings": "eb:123:456,wc:4009:abc:def,wc:7",
    }
    decoded = decode_selection(params)
    assert set(decoded.keys) == set(keys)
    assert decoded.rejected == () and decoded.dropped == 0


def test_a_link_with_junk_keeps_what_it_can_and_says_what_it_dropped():
    decoded = decode_selection(
        {
            "shows": "show:2026-11-27T20:00, show:2026-11-27T20:00,<script>,show:tomorrow",
            "listings": ["eb:1:2", "wc:1;DROP"],
        }
    )
    assert decoded.keys == ("show:2026-11-27T20:00", "eb:1:2")
    assert decoded.rejected == ("<script>", "show:tomorrow", "wc:1;DROP")


def test_a_selection_holds_at_most_eight():
    keys = [f"show:2026-12-{d:02d}T20:00" for d in range(1, 12)]
    decoded = decode_selection({"shows": ",".join(keys)})
    assert decoded.keys == tuple(keys[:8]) and decoded.dropped == 3
    assert encode_selection(keys)["shows"].count("show:") == 8
    assert encode_selection([]) == {}


def test_ticking_table_rows_changes_only_the_tables_part_of_the_selection():
    selection = ["eb:1:2", "show:A", "show:B"]
    visible = ["show:A", "show:B", "show:C"]
    merged, left_out = merge_table_selection(selection, visible, ["show:B", "show:C"])
    assert merged == ["eb:1:2", "show:B", "show:C"] and left_out == 0
    full = [f"wc:{i}" for i in range(7)]
    merged, left_out = merge_table_selection(full, visible, visible)
    assert len(merged) == 8 and left_out == 2


# --- comparison ------------------------------------------------------------------------
def test_show_card_has_numbers_per_channel_and_drift_against_the_room(listings, shows):
    (card,) = comparison_cards(["show:2026-11-23T20:00"], listings, shows)
    assert card.kind == "show" and card.capacity == 55
    assert (card.sold_woocommerce, card.sold_eventbrite) == (10, 12)
    assert (card.pending_woocommerce, card.pending_eventbrite) == (2, 0)
    assert (card.sold, card.pending, card.remaining) == (22, 2, 31)
    assert card.sell_through == pytest.approx(24 / 55)
    # FooEvents shows 43 left, the room has 55 - 22 - 2 = 31: it would sell 12 too many
    woo = next(line for line in card.lines if line.channel == "woocommerce")
    assert woo.drift == 12 and card.drift == 12
    assert card.errors == ()


def test_an_unknown_sold_is_shown_in_place_with_its_reason(listings, shows):
    (card,) = comparison_cards(["show:2026-11-26T20:00"], listings, shows)
    assert card.sold is None and card.remaining is None and card.sell_through is None
    assert card.sold_woocommerce is None
    assert card.lines[0].error == "sold unknown: WordPress database unreachable"
    assert card.lines[0].drift is None
    assert "sold unknown" in card.errors[0]


def test_listing_card_and_missing_key(listings, shows):
    key = listings.loc[listings["channel"] == "eventbrite", "listing_key"].iloc[1]  # Tuesday
    listing, missing = comparison_cards([key, "show:2030-01-01T20:00"], listings, shows)
    assert listing.kind == "listing" and listing.capacity == 55
    assert (listing.sold_eventbrite, listing.sold_woocommerce, listing.remaining) == (30, 0, 25)
    # the room is oversold by 5: Eventbrite's 25 left are 30 too many
    assert listing.lines[0].drift == 30
    assert missing.kind == "missing" and missing.sold is None
    assert "not in the current catalog" in missing.errors[0]


def test_summary_totals_average_best_and_worst(listings, shows):
    keys = ["show:2026-11-23T20:00", "show:2026-11-24T20:00", "show:2026-11-26T20:00"]
    summary = comparison_summary(comparison_cards(keys, listings, shows))
    assert (summary.items, summary.known) == (3, 2)
    # Thursday is unknown: capacity is still known, the rest is not
    assert summary.capacity == 3 * 55
    assert (summary.sold, summary.pending, summary.remaining) == (None, None, None)
    assert summary.average_sell_through is None
    assert summary.best[0] == "Tue 24 Nov 20:00 · Tuesday 8pm"
    assert summary.worst[0].startswith("Mon 23 Nov 20:00")
    assert summary.oversold == 1
    assert summary.notes == (
        "1 of 3 with numbers unknown, so the totals are unknown (the 2 readable: 82 sold)",
    )

    known = comparison_summary(comparison_cards(keys[:2], listings, shows))
    assert (known.capacity, known.sold, known.pending) == (110, 82, 2)
    assert known.remaining == 31 + (55 - 60)
    assert known.average_sell_through == pytest.approx((24 / 55 + 60 / 55) / 2)
    assert known.notes == ()


def test_summary_tiles_of_all_unknown_cards_are_unknown_not_zero(listings, shows):
    # the WordPress database unreachable and Eventbrite never read
    site = listings[listings["channel"] == "woocommerce"]
    down = site.assign(
        sold=pd.array([None] * len(site), dtype="Int64"),
        pending=pd.array([None] * len(site), dtype="Int64"),
    )
    down.attrs["unknown_channels"] = {"eventbrite": "Eventbrite failed (HTTP 503)"}
    down_shows = suggest_shows(down, venue_capacity=55)
    keys = ["show:2026-11-23T20:00", "show:2026-11-24T20:00"]
    summary = comparison_summary(comparison_cards(keys, down, down_shows))
    assert summary.known == 0
    assert summary.capacity == 110  # the venue capacity was read
    assert (summary.sold, summary.pending, summary.remaining) == (None, None, None)


def test_csv_has_a_row_per_item_and_empty_cells_for_unknown(listings, shows):
    keys = ["show:2026-11-23T20:00", "show:2026-11-26T20:00"]
    data = comparison_csv(comparison_cards(keys, listings, shows))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["Key"] for r in rows] == keys
    assert rows[0]["Sold · Website"] == "10" and rows[0]["Sell-through %"] == "43.6"
    assert rows[0]["When"] == "Mon 23 Nov 20:00"  # as on screen, in the club's timezone
    assert rows[1]["Sold"] == "" and rows[1]["Remaining"] == ""
    assert "database unreachable" in rows[1]["Errors"]


def test_candidates_filter_by_name_weekday_and_dates(listings, shows):
    def keys(**kw):
        return list(comparison_candidates(shows, listings, **kw)["key"])

    assert keys(query="tuesday") == ["show:2026-11-24T20:00"]
    assert keys(query="monday night") == ["show:2026-11-23T20:00"]  # the Eventbrite name too
    assert keys(weekdays=["Wed", "Thu"]) == ["show:2026-11-25T22:00", "show:2026-11-26T20:00"]
    assert keys(start=date(2026, 11, 25), end=date(2026, 11, 26)) == [
        "show:2026-11-25T22:00",
        "show:2026-11-26T20:00",
    ]
    monday = comparison_candidates(shows, listings, kind="listing", weekdays=["Mon"])
    assert sorted(monday["channel"]) == ["eventbrite", "woocommerce"]
    assert monday["label"].iloc[0].endswith(" · Mon 23 Nov 20:00")


def test_comparison_listings_include_whole_days_of_a_selection_outside_the_range(listings):
    picked = ["show:2026-12-01T20:00"]
    scope = comparison_listings(
        listings, picked, date(2026, 11, 23), date(2026, 11, 24), "America/Toronto"
    )
    assert {t.date() for t in scope["starts_at"]} == {
        date(2026, 11, 23),
        date(2026, 11, 24),
        date(2026, 12, 1),
    }


def test_health_lines_and_overall_state():
    health = [
        Health(Check.WOOCOMMERCE, "down", "WooCommerce answered 503", 12.3),
        with_call_budget(Health(Check.EVENTBRITE, "ok", "answering", 4.0), 1990),
        Health(Check.WORDPRESS, "ok", "answering", 0.4),
        Health(Check.DISK, "ok", "12.0 GiB free"),
    ]
    assert health[1].reason == "answering; 1990 of 2,000 calls left this hour"
    lines = health_lines(health)
    assert [ln.name for ln in lines] == [
        "WooCommerce API",
        "Eventbrite API",
        "WordPress DB",
        "Disk",
    ]
    assert [(ln.icon, ln.latency) for ln in lines[:2]] == [("⛔", "12 ms"), ("✅", "4 ms")]
    assert lines[3].latency == ""
    # what fits on a badge: Eventbrite's budget, answer time, or the reason itself
    assert [ln.detail for ln in lines] == [
        "down",
        "1,990 calls left this hour · 4 ms",
        "0 ms",
        "12.0 GiB free",
    ]
    assert overall_health(health) == "down"
    all_down = [replace(h, state="down") for h in health[:3]]
    assert overall_health(all_down) == "all down"
    # the disk being down as well does not make the systems' state any worse
    assert overall_health([*all_down, replace(health[3], state="down")]) == "all down"


def test_eventbrite_calls_left_are_a_field_and_a_low_budget_degrades():
    low = with_call_budget(Health(Check.EVENTBRITE, "ok", "answering", 4.0), 150)
    assert (low.state, low.calls_left) == ("degraded", 150)
    assert low.reason == "call budget low: 150 of 2,000 calls left this hour"
    assert health_lines([low])[0].detail == "150 calls left this hour"
    down = with_call_budget(Health(Check.EVENTBRITE, "down", "Eventbrite answered 503", 9.0), 150)
    assert (down.state, down.calls_left) == ("down", 150)  # down stays down, not "degraded"
    # the badge reads the record, not the sentence: a reason that mentions calls gives none
    said_only = Health(Check.EVENTBRITE, "down", "7 of 2,000 calls left this hour")
    assert health_lines([said_only])[0].detail == ""


def test_refresh_changes_are_described_in_words():
    from brcc_core.common.formats import describe_changes

    nothing = {"products": (0, 0), "events": (0, 0), "listings": (0, 0)}
    assert describe_changes(nothing) == "no changes"
    some = {"products": (0, 0), "events": (4, 0), "listings": (12, 3)}
    assert describe_changes(some) == "events +4, listings +12 / -3"


@pytest.mark.parametrize(
    "bad",
    [
        "show:2026-02-30T20:00",
        "show:2026-13-01T20:00",
        "show:2026-11-27T24:00",
        "show:0000-01-01T20:00",
    ],
)
def test_a_link_with_an_impossible_date_drops_that_key_and_keeps_the_rest(bad, listings):
    decoded = decode_selection({"shows": f"{bad},show:2026-11-23T20:00"})
    assert decoded.keys == ("show:2026-11-23T20:00",)
    assert decoded.rejected == (bad,)
    assert clean_selection([bad, "eb:100:1001"]) == ["eb:100:1001"]
    # a bad key that reached the selection anyway never breaks the page's day filter
    assert selection_days([bad, "show:2026-11-23T20:00"], listings) == {date(2026, 11, 23)}
