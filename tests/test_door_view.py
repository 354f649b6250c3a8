"""Tonight's view-model (brcc_core.views.door): each show's figures for both channels
together and apart, the room and the seats left to sell at the door, unknown with its
reason, never "None" (issue 26)."""

from __future__ import annotations

import pandas as pd

from brcc_core.common.club import Channel
from brcc_core.sales.door import DOOR_COLUMNS, tonight_shows
from brcc_core.views.door import UNKNOWN, door_shows, night_heading

TZ = "America/Toronto"
START = pd.Timestamp("2026-12-03T01:00:00Z")  # 20:00 on Wed 2 Dec in Toronto


def _row(channel, sold, came, pending, error=None, capacity=55, key="show:a", title="Late"):
    to_arrive = sold - came if sold is not None and came is not None else pd.NA
    return {
        "show_key": key,
        "starts_at": START,
        "title": title,
        "venue_capacity": capacity,
        "channel": channel,
        "sold": pd.NA if sold is None else sold,
        "checked_in": pd.NA if came is None else came,
        "to_arrive": to_arrive,
        "pending": pending,
        "error": error,
    }


def _frame(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=DOOR_COLUMNS)
    for col in ("venue_capacity", "sold", "checked_in", "to_arrive", "pending"):
        frame[col] = frame[col].astype("Int64")
    return frame


def test_a_show_totals_both_channels_and_the_seats_left_at_the_door():
    (show,) = door_shows(
        _frame(_row(Channel.WOOCOMMERCE, 15, 4, 2), _row(Channel.EVENTBRITE, 19, 10, 1)), TZ
    )
    # Club time, not UTC: 01:00Z is 20:00 in Toronto.
    assert show.heading.startswith("20:00 · ")
    assert (show.sold.value, show.checked_in.value, show.pending.value) == (34, 14, 3)
    # Still to arrive is sold - checked in for both channels together.
    assert show.to_arrive.value == show.sold.value - show.checked_in.value == 20
    assert show.room.value == 55
    assert show.left_at_door.value == 55 - 34 - 3
    table = show.channels
    assert list(table["Channel"]) == ["Website", "Eventbrite"]
    assert list(table["To arrive"]) == ["11", "9"]
    assert "Unknown because" not in table


def test_an_oversold_room_has_no_seats_left_at_the_door_not_a_negative_number():
    (show,) = door_shows(
        _frame(_row(Channel.WOOCOMMERCE, 40, 0, 5), _row(Channel.EVENTBRITE, 20, 0, 0)), TZ
    )
    assert show.left_at_door.value == 0
    assert show.left_at_door.text == "0"


def test_an_unknown_channel_makes_the_totals_unknown_with_its_reason_never_none():
    (show,) = door_shows(
        _frame(
            _row(Channel.WOOCOMMERCE, 15, 4, 0),
            _row(Channel.EVENTBRITE, None, None, 0, error="Eventbrite check-ins unknown: 503"),
        ),
        TZ,
    )
    for figure in (show.sold, show.to_arrive, show.left_at_door):
        assert figure.value is None and figure.text == UNKNOWN
        assert figure.reason and "Eventbrite" in figure.reason and "503" in figure.reason
    cells = show.channels.astype(str).to_numpy().ravel().tolist()
    assert "None" not in cells and "<NA>" not in cells and "nan" not in cells
    assert show.channels.loc[1, "Sold"] == UNKNOWN
    assert "503" in show.channels.loc[1, "Unknown because"]
    assert show.channels.loc[0, "Unknown because"] == ""


def test_a_show_without_a_room_capacity_says_so():
    (show,) = door_shows(_frame(_row(Channel.WOOCOMMERCE, 15, 4, 0, capacity=None)), TZ)
    assert show.room.text == UNKNOWN and show.room.reason
    assert show.left_at_door.value is None and "capacity" in show.left_at_door.reason


def test_no_show_tonight_is_an_empty_list():
    assert door_shows(_frame(), TZ) == []


def test_the_page_is_headed_with_the_night_whose_shows_it_lists():
    """After midnight the door still works the evening before's night (until 4am): the
    heading names that night, by the same rule that picks the shows."""
    shows = pd.DataFrame({"starts_at": [START.tz_convert(TZ)], "show_key": ["show:a"]})
    for moment, night, listed in (
        ("2026-12-02T19:00:00-05:00", "Wed 2 Dec (tonight)", True),
        ("2026-12-03T00:30:00-05:00", "Wed 2 Dec (tonight)", True),
        ("2026-12-03T03:59:00-05:00", "Wed 2 Dec (tonight)", True),
        ("2026-12-03T04:00:00-05:00", "Thu 3 Dec (tonight)", False),
    ):
        now = pd.Timestamp(moment)
        assert night_heading(now, TZ) == night, moment
        assert (not tonight_shows(shows, now.tz_convert(TZ)).empty) is listed, moment
