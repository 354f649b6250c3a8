"""brcc_core.views.charts: the figures carry the shows' numbers, mark oversells and unknowns,
and stay readable on a projector."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from brcc_core.common.windows import upcoming_shows
from brcc_core.live.shows import suggest_shows
from brcc_core.views import charts
from brcc_core.views.comparison import comparison_cards, comparison_frame
from tests.test_views import NOW, frame, wc
from tests.test_views import listings as listings  # noqa: F401 - fixture
from tests.test_views import shows as shows  # noqa: F401 - fixture


@pytest.fixture
def week(shows):  # noqa: F811
    return upcoming_shows(shows, NOW, 7)


def test_capacity_chart_stacks_sold_by_channel_pending_and_remaining(week):
    fig = charts.capacity_chart(week, "America/Toronto")
    values = charts.trace_values(fig)
    # Mon (both channels), Tue (oversold), Wed (nearly full), Thu (sold unknown)
    assert values["Sold · Website"] == [10, 30, 50, None]
    assert values["Sold · Eventbrite"] == [12, 30, 0, None]
    assert values["Pending"] == [2, 0, 0, None]
    assert values["Remaining"] == [31, 0, 5, None]  # never negative on a stacked bar
    assert values["Venue capacity"] == [55, 55, 55, 55]
    assert fig.layout.barmode == "stack"
    # one row per show, labelled with its day and start time, the first at the top
    assert list(fig.data[0].y) == [
        "Mon 23 Nov 20:00",
        "Tue 24 Nov 20:00",
        "Wed 25 Nov 22:00",
        "Thu 26 Nov 20:00",
    ]
    assert fig.data[0].orientation == "h" and fig.layout.yaxis.autorange == "reversed"


def test_oversold_and_nearly_full_shows_are_named_in_visible_text(week):
    """A projector cannot hover: the names a meeting needs are text beside the bars."""
    fig = charts.capacity_chart(week, "America/Toronto")
    (named,) = [t for t in fig.data if t.name == charts.NAMED]
    assert named.mode == "text" and not named.showlegend
    titles = week.set_index("starts_at")["title"]
    assert list(named.y) == ["Tue 24 Nov 20:00", "Wed 25 Nov 22:00"]
    assert list(named.text) == [
        f"oversold +5 · {titles.iloc[1]}",
        f"nearly full · {titles.iloc[2]}",
    ]
    assert named.textfont.color[0] == charts.OVERSOLD
    # the axis runs past the longest bar so the names fit
    assert fig.layout.xaxis.range[1] > max(named.x)


def test_oversold_show_gets_a_red_marker_with_the_excess(week):
    fig = charts.capacity_chart(week, "America/Toronto")
    (oversold,) = [t for t in fig.data if t.name == "Oversold"]
    assert list(oversold.x) == [60] and list(oversold.text) == ["+5"]
    assert list(oversold.y) == ["Tue 24 Nov 20:00"]
    assert oversold.marker.color == charts.OVERSOLD
    # the axis leaves room past the longest bar for the name
    assert fig.layout.xaxis.range[1] > 60


def test_unknown_sold_is_a_hatched_bar_not_an_empty_one(week):
    fig = charts.capacity_chart(week, "America/Toronto")
    (unknown,) = [t for t in fig.data if t.name == "Sold unknown"]
    assert list(unknown.x) == [None, None, None, 55]
    assert unknown.marker.pattern.shape == "/"


def test_no_unknown_or_oversold_traces_when_there_are_none():
    rows = frame([wc(1, "a", NOW + timedelta(hours=8), sold=20, available=35)])
    fig = charts.capacity_chart(upcoming_shows(suggest_shows(rows), NOW, 7), "UTC")
    names = {t.name for t in fig.data}
    assert "Oversold" not in names and "Sold unknown" not in names


def test_readable_on_a_projector_and_in_the_clubs_timezone(week):
    fig = charts.capacity_chart(week, "America/Toronto", title="Next week")
    assert fig.layout.font.size >= 18
    assert fig.layout.title.font.size >= 24
    assert fig.layout.yaxis.title.text == "Show start (America/Toronto)"
    colours = {t.marker.color for t in fig.data if t.type == "bar"}
    assert len(colours) <= 5
    assert fig.layout.legend.orientation == "h"


def test_bars_use_local_wall_clock_time():
    late = datetime(2026, 11, 28, 3, 30, tzinfo=ZoneInfo("UTC"))  # 22:30 on the 27th
    rows = frame([wc(1, "a", late, sold=1, available=54)])
    fig = charts.capacity_chart(suggest_shows(rows), "America/Toronto")
    assert fig.data[0].y[0] == "Fri 27 Nov 22:30"


def test_empty_window_says_so(week):
    fig = charts.capacity_chart(week.iloc[0:0], "America/Toronto")
    assert fig.data == ()
    assert "No upcoming shows" in fig.layout.annotations[0].text
    assert (
        "Nothing selected"
        in charts.comparison_chart(comparison_frame([]), "UTC").layout.annotations[0].text
    )


def test_comparison_chart_groups_the_selection(listings, shows):  # noqa: F811
    keys = ["show:2026-11-23T20:00", "show:2026-11-24T20:00", "show:2026-11-26T20:00"]
    cards = comparison_cards(keys, listings, shows)
    fig = charts.comparison_chart(comparison_frame(cards), "America/Toronto")
    values = charts.trace_values(fig)
    assert fig.layout.barmode == "group"
    assert values["Sold · Website"] == [10, 30, None]
    assert values["Sold · Eventbrite"] == [12, 30, 0]  # Thursday has no Eventbrite listing
    assert values["Remaining"] == [31, 0, None]
    assert values["Capacity"] == [55, 55, 55]
    assert values["Oversold"] == [60]
    unknown = [t for t in fig.data if t.name == "Sold unknown"]
    assert list(unknown[0].text) == ["sold unknown"]
    assert fig.data[0].x[0].startswith("Mon 23 Nov 20:00<br>")


def test_png_download_is_kept_and_named():
    config = charts.chart_config("brcc-comparison")
    assert config["toImageButtonOptions"] == {
        "format": "png",
        "scale": 2,
        "filename": "brcc-comparison",
    }
    assert "toImage" not in config["modeBarButtonsToRemove"]
    assert "filename" not in charts.PLOTLY_CONFIG["toImageButtonOptions"]


def test_ninety_days_are_drawn_by_week_so_labels_and_oversold_marks_do_not_overlap():
    start = datetime(2026, 11, 30, 20, 0, tzinfo=ZoneInfo("America/Toronto"))  # a Monday
    rows = frame(
        [
            wc(
                day,
                f"show {day}",
                start + timedelta(days=day),
                sold=60 if day in (3, 4) else 30,
                available=0 if day in (3, 4) else 25,
            )
            for day in range(90)
        ]
    )
    shows = suggest_shows(rows)
    fig = charts.capacity_chart(shows, "America/Toronto")
    weeks = fig.data[0].y
    assert len(weeks) == 13  # 90 days from a Monday: 12 full weeks and 6 days
    assert weeks[0] == "Week of Mon 30 Nov · 7 shows"
    assert charts.trace_values(fig)["Venue capacity"][0] == 7 * 55
    assert charts.trace_values(fig)["Sold · Website"][0] == 5 * 30 + 2 * 60
    (oversold,) = [t for t in fig.data if t.name == "Oversold"]
    assert list(oversold.text) == ["+10"]  # two shows, 5 seats over each, one mark
    assert "Thu 3 Dec" in oversold.customdata[0]
    # both oversold shows still named in visible text beside the week's bar
    (named,) = [t for t in fig.data if t.name == charts.NAMED]
    assert list(named.text) == ["oversold +5 · Thu 3 Dec Slot<br>oversold +5 · Fri 4 Dec Slot"]

    month = charts.capacity_chart(shows.iloc[:31], "America/Toronto")
    assert len(month.data[0].y) == 31  # one bar per show up to a month


def test_a_busy_month_is_drawn_one_bar_per_show_naming_every_oversold_one():
    start = datetime(2026, 11, 30, 20, 0, tzinfo=ZoneInfo("America/Toronto"))
    rows = frame(
        [
            wc(
                n,
                f"s{n}",
                start + timedelta(days=n // 2, hours=2 * (n % 2)),
                sold=60 if n % 7 == 0 else 30,
                available=0 if n % 7 == 0 else 25,
            )
            for n in range(60)
        ]
    )
    fig = charts.capacity_chart(suggest_shows(rows), "America/Toronto")
    assert len(fig.data[0].y) == 60 and fig.data[0].y[1] == "Mon 30 Nov 22:00"
    assert charts.trace_values(fig)["Venue capacity"] == [55] * 60
    (named,) = [t for t in fig.data if t.name == charts.NAMED]
    oversold = [n for n in range(60) if n % 7 == 0]
    assert list(named.y) == [fig.data[0].y[n] for n in oversold]
    assert all(t.startswith("oversold +5 · ") for t in named.text)
    assert fig.layout.height >= 60 * charts.SHOW_ROW_PX  # a row each, never crammed
