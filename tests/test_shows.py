"""suggest_shows: listings of both channels grouped into performances in the room."""

import pandas as pd
import pytest

from brcc_core.live.shows import map_shows, suggest_shows

TZ = "America/Toronto"


def listings(rows):
    df = pd.DataFrame(
        rows,
        columns=[
            "listing_key",
            "channel",
            "title",
            "slot_label",
            "starts_at",
            "sold",
            "pending",
            "error",
        ],
    )
    df["starts_at"] = pd.to_datetime(df["starts_at"]).dt.tz_localize(TZ)
    df["sold"] = df["sold"].astype("Int64")
    df["pending"] = df["pending"].astype("Int64")
    return df


ROWS = [
    (
        "wc:1:s8:d1",
        "woocommerce",
        "Friday Night",
        "Friday 8pm Show",
        "2026-06-05 20:00",
        30,
        2,
        None,
    ),
    (
        "eb:9:111",
        "eventbrite",
        "8PM Friday Pro",
        "General Admission",
        "2026-06-05 20:00",
        20,
        0,
        None,
    ),
    ("eb:9:222", "eventbrite", "8PM Friday Pro", "Front Row", "2026-06-05 20:05", 6, 0, None),
    (
        "wc:1:s10:d1",
        "woocommerce",
        "Friday Night",
        "Friday 10pm Show",
        "2026-06-05 22:00",
        10,
        0,
        None,
    ),
    ("eb:8:111", "eventbrite", "10PM Friday", "General Admission", "2026-06-05 22:00", 40, 0, None),
    ("wc:2", "woocommerce", "Special", None, "2026-06-06 20:00", pd.NA, 0, "sold unknown: db"),
]


def test_listings_at_the_same_time_on_both_channels_form_one_show():
    shows = suggest_shows(listings(ROWS), venue_capacity=55)
    assert len(shows) == 3
    eight = shows.iloc[0]
    assert set(eight.listing_keys) == {"wc:1:s8:d1", "eb:9:111", "eb:9:222"}
    assert eight.channels == ("eventbrite", "woocommerce")
    assert (eight.sold_woocommerce, eight.sold_eventbrite, eight.sold, eight.pending) == (
        30,
        26,
        56,
        2,
    )
    assert eight.title == "Friday 8pm Show"


def test_oversold_show_is_flagged_with_negative_remaining():
    eight = suggest_shows(listings(ROWS), venue_capacity=55).iloc[0]
    assert eight.oversold and eight.remaining == 55 - 56 - 2


def test_nearly_full_but_not_oversold():
    ten = suggest_shows(listings(ROWS), venue_capacity=55).iloc[1]
    assert (ten.sold, ten.remaining, ten.oversold, ten.nearly_full) == (50, 5, False, True)


def test_unknown_sold_is_not_a_total_and_not_oversold():
    special = suggest_shows(listings(ROWS), venue_capacity=55).iloc[2]
    assert pd.isna(special.sold) and pd.isna(special.remaining)
    assert not special.oversold and not special.sold_known
    assert special.errors == ("sold unknown: db",)


def test_venue_capacity_is_applied():
    shows = suggest_shows(listings(ROWS), venue_capacity=60)
    assert shows.iloc[1].remaining == 10 and not shows.iloc[1].nearly_full


# --- a channel that could not be read is unknown, a channel that sells none is 0 ---------
def test_a_show_without_eventbrite_listings_sold_zero_there_when_eventbrite_was_read():
    ten_pm_site_only = listings([ROWS[3]])
    show = suggest_shows(ten_pm_site_only, venue_capacity=55).iloc[0]
    assert show.sold_eventbrite == 0 and show.sold == 10 and show.sold_known


def test_a_channel_that_could_not_be_read_makes_every_show_figure_unknown():
    site_only = listings([ROWS[0], ROWS[3]])
    why = "Eventbrite failed on its side (HTTP 503)"
    shows = suggest_shows(site_only, venue_capacity=55, unknown_channels={"eventbrite": why})
    for show in shows.itertuples():
        assert pd.isna(show.sold_eventbrite)  # never 0: it may have sold seats
        assert show.sold_woocommerce > 0  # what was read still shows
        assert pd.isna(show.sold) and pd.isna(show.remaining) and pd.isna(show.sell_through)
        assert not show.sold_known and not show.oversold and not show.nearly_full
        assert f"Eventbrite sold unknown: {why}" in show.errors


def test_the_unknown_channels_travel_with_the_listings_frame():
    site_only = listings([ROWS[0]])
    site_only.attrs["unknown_channels"] = {"eventbrite": "down"}
    window = site_only[site_only["starts_at"].notna()]  # pages slice before grouping
    show = suggest_shows(window).iloc[0]
    assert pd.isna(show.sold_eventbrite) and not show.sold_known
    mapped = map_shows(window).iloc[0]
    assert pd.isna(mapped.sold_eventbrite) and not mapped.sold_known


def test_unknown_pending_is_not_counted_as_none_pending():
    rows = listings([ROWS[0]])
    rows["pending"] = pd.array([None], dtype="Int64")
    show = suggest_shows(rows).iloc[0]
    assert pd.isna(show.pending) and pd.isna(show.remaining) and not show.sold_known


# --- seats on sale and oversell exposure ----------------------------------------------------
def _exposure_rows(wc_available, eb_seats_left, *, wc_sold=30, wc_unlimited=False):
    """One 8pm show: a WooCommerce slot and two Eventbrite classes sharing their event's
    seats (``event_seats_left`` repeated on each class, as ``build_listings`` gives it)."""
    base = {"starts_at": pd.Timestamp("2026-06-05 20:00", tz=TZ), "pending": 0, "error": None}
    return pd.DataFrame(
        [
            {
                **base,
                "listing_key": "wc:1:s8:d1",
                "channel": "woocommerce",
                "title": "Friday Night",
                "slot_label": "Friday 8pm Show",
                "sold": wc_sold,
                "available": wc_available,
                "unlimited": wc_unlimited,
                "event_id": None,
                "event_seats_left": None,
            },
            *[
                {
                    **base,
                    "listing_key": f"eb:9:{cls}",
                    "channel": "eventbrite",
                    "title": "8PM Friday Pro",
                    "slot_label": name,
                    "sold": 10,
                    "available": 20,  # the class's own remainder: not what is on sale
                    "unlimited": False,
                    "event_id": "9",
                    "event_seats_left": eb_seats_left,
                }
                for cls, name in (("111", "General Admission"), ("222", "Front Row"))
            ],
        ]
    ).astype({"sold": "Int64", "pending": "Int64", "available": "Int64"})


@pytest.mark.parametrize(
    ("wc_available", "eb_left", "wc_sold", "unlimited", "expected"),
    [
        # 55 room, 30 + 20 sold: 5 left. Site 5 + Eventbrite 0 on sale: nothing over.
        (5, 0, 30, False, (5, 0, 0, False)),
        # the old mirror sync: both channels show the room's 5 -> 5 more than the room has
        (5, 5, 30, False, (5, 5, 5, True)),
        # a manager set the listing to 1,000,000 seats
        (1_000_000, 5, 30, False, (1_000_000, 5, 1_000_000, True)),
        # oversold room (30 + 30 sold on 55): a listing at -5 puts nothing on sale
        (-5, 0, 40, False, (0, 0, 0, False)),
        # oversold room, Eventbrite still selling 3: all 3 are over
        (-5, 3, 40, False, (0, 3, 3, True)),
        # unlimited stock on the site: exposure has no bound, flagged
        (None, 5, 30, True, (None, 5, None, True)),
        # the site's stock could not be read: exposure unknown, not 0 and not flagged
        (pd.NA, 5, 30, False, (None, 5, None, False)),
        # Eventbrite's seats left unknown
        (5, pd.NA, 30, False, (5, None, None, False)),
    ],
)
def test_seats_on_sale_and_exposure_per_show(wc_available, eb_left, wc_sold, unlimited, expected):
    show = suggest_shows(
        _exposure_rows(wc_available, eb_left, wc_sold=wc_sold, wc_unlimited=unlimited),
        venue_capacity=55,
    ).iloc[0]
    got = tuple(
        None if pd.isna(show[c]) else show[c]
        for c in ("on_sale_woocommerce", "on_sale_eventbrite", "exposure")
    )
    assert (*got, bool(show.over_exposed)) == expected
    assert bool(show.on_sale_unlimited) is unlimited


def test_exposure_is_unknown_when_sold_is():
    rows = _exposure_rows(5, 5)
    rows.loc[0, "sold"] = pd.NA
    rows.loc[0, "error"] = "sold unknown: WordPress database unreachable"
    show = suggest_shows(rows, venue_capacity=55).iloc[0]
    assert pd.isna(show.remaining) and pd.isna(show.exposure) and not show.over_exposed
    assert "sold unknown: WordPress database unreachable" in show.errors
