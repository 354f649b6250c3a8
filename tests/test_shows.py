"""suggest_shows: listings of both channels grouped into performances in the room."""

import pandas as pd

from brcc_core.shows import map_shows, suggest_shows

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
