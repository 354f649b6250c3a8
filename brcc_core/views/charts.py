"""Plotly figures for meetings (pure: frames in, figures out).

Made to be read on a projector from the back of a room: large type, few colours (one per
channel, one for pending, grey for what is left, red only for an oversell), the club's
timezone named on the time axis, and nothing that does not carry a number.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from brcc_core.common.formats import day_label, header, isolate, time_label, when_label
from brcc_core.common.values import known as is_known
from brcc_core.views.urgency import over_by

WOOCOMMERCE = "#3d5a80"
EVENTBRITE = "#e07a5f"
PENDING = "#f2cc8f"
REMAINING = "#d9dde3"
UNKNOWN = "#9aa5b1"
OVERSOLD = "#c1121f"
INK = "#1f2933"

FONT_SIZE = 18
PLOTLY_CONFIG: dict = {
    # Keep plotly's own "Download plot as PNG", at twice the size for slides.
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"],
}


def chart_config(filename: str) -> dict:
    """Plotly config for ``st.plotly_chart``: PNG download named ``filename``."""
    config = {**PLOTLY_CONFIG}
    config["toImageButtonOptions"] = {**PLOTLY_CONFIG["toImageButtonOptions"], "filename": filename}
    return config


def _num(value) -> int:
    """A bar's height: an unknown number draws no bar (its label says unknown)."""
    return int(value) if is_known(value) else 0


def _wall_clock(starts_at) -> pd.Timestamp:
    """The club's local wall-clock time without its offset: plotly draws naive times as
    given, so the axis reads in the club's timezone whatever the viewer's is."""
    return pd.Timestamp(starts_at).tz_localize(None)


def _layout(
    fig: go.Figure, *, title: str, x_title: str, height: int, category: bool = True
) -> go.Figure:
    fig.update_layout(
        title={
            "text": title,
            "font": {"size": FONT_SIZE + 8},
            "x": 0,
            "xanchor": "left",
            "y": 0.98,
            "yanchor": "top",
        },
        template="plotly_white",
        font={"size": FONT_SIZE, "color": INK},
        height=height,
        margin={"l": 70, "r": 20, "t": 120, "b": 80},
        # Under the plot: on a phone the legend wraps to several lines, and above the
        # plot it would cover the title.
        legend={
            "orientation": "h",
            "yref": "container",
            "yanchor": "bottom",
            "y": 0,
            "xanchor": "left",
            "x": 0,
            "font": {"size": FONT_SIZE},
            "traceorder": "normal",
        },
        hoverlabel={"font": {"size": FONT_SIZE}},
        bargap=0.25,
    )
    fig.update_xaxes(title={"text": x_title}, tickfont={"size": FONT_SIZE - 2})
    if category:
        fig.update_xaxes(type="category")
    fig.update_yaxes(title={"text": "Seats"}, rangemode="tozero", gridcolor="#e4e7eb")
    return fig


def _empty(title: str, message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(
        text=message,
        showarrow=False,
        font={"size": FONT_SIZE + 2},
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
    )
    fig.update_layout(
        title={"text": title, "font": {"size": FONT_SIZE + 8}},
        template="plotly_white",
        height=300,
        xaxis={"visible": False},
        yaxis={"visible": False},
    )
    return fig


def capacity_chart(shows: pd.DataFrame, timezone: str, *, title: str | None = None) -> go.Figure:
    """Capacity versus sold for each show (a ``BoxOffice.shows`` frame), one row each.

    Horizontal bars, one per show in date order down the page, stacked: sold on the
    website, sold on Eventbrite, pending, and the seats remaining up to venue capacity. A
    dark tick marks each venue capacity; a show whose sold could not be read gets a
    hatched grey bar saying so. Every oversold and nearly full show is named beside its
    bar in visible text (a projector cannot hover): "oversold +3 · title" in red, "nearly
    full · title". Rows are labelled with the show's day and time in the club's timezone.
    Shows spanning more than ``MAX_SHOW_DAYS`` days are added up per week (Monday
    first), each week still naming its oversold shows.
    """
    title = title or "Capacity vs sold"
    if shows.empty:
        return _empty(title, "No upcoming shows in this window")
    shows = shows.sort_values("starts_at")
    local = [_wall_clock(t) for t in shows["starts_at"]]
    if (local[-1].normalize() - local[0].normalize()).days >= MAX_SHOW_DAYS:
        shows, y, hover, named = _by_week(shows, local)
        row_px = WEEK_ROW_PX
    else:
        y = [f"{day_label(t)} {time_label(t)}" for t in local]
        hover = [
            f"{when_label(t)}<br>{_text(isolate(n))}"
            for t, n in zip(local, shows["title"], strict=True)
        ]
        named = [_named(r) for r in shows.to_dict("records")]
        shows = shows.assign(over_by=[over_by(r) for r in shows.to_dict("records")])
        row_px = SHOW_ROW_PX
    known = [bool(k) for k in shows["sold_known"]]
    capacity = [int(c) for c in shows["venue_capacity"]]

    def masked(column: str) -> list:
        return [_num(v) if k else None for v, k in zip(shows[column], known, strict=True)]

    hovering = "%{customdata}<br>%{fullData.name}: <b>%{x}</b><extra></extra>"
    bar = {"y": y, "orientation": "h", "customdata": hover, "hovertemplate": hovering}
    fig = go.Figure()
    for column, name, colour in (
        ("sold_woocommerce", header("sold_woocommerce"), WOOCOMMERCE),
        ("sold_eventbrite", header("sold_eventbrite"), EVENTBRITE),
        ("pending", "Pending", PENDING),
    ):
        fig.add_bar(x=masked(column), name=name, marker_color=colour, **bar)
    remaining = [
        max(_num(r), 0) if k else None for r, k in zip(shows["remaining"], known, strict=True)
    ]
    fig.add_bar(x=remaining, name="Remaining", marker_color=REMAINING, **bar)
    if not all(known):
        fig.add_bar(
            x=[None if k else c for k, c in zip(known, capacity, strict=True)],
            name="Sold unknown",
            marker={"color": "white", "line": {"color": UNKNOWN, "width": 2}},
            marker_pattern={"shape": "/", "fgcolor": UNKNOWN},
            **{**bar, "hovertemplate": "%{customdata}<br><b>sold unknown</b><extra></extra>"},
        )
    fig.add_scatter(
        x=capacity,
        y=y,
        mode="markers",
        name="Venue capacity",
        marker={
            "symbol": "line-ns-open",
            "size": 16,
            "color": INK,
            "line": {"width": 4, "color": INK},
        },
        customdata=hover,
        hovertemplate="%{customdata}<br>venue capacity <b>%{x}</b><extra></extra>",
    )
    used = [_num(s) + _num(p) for s, p in zip(shows["sold"], shows["pending"], strict=True)]
    over = [
        (label, name, u, int(by))
        for label, name, u, by in zip(y, hover, used, shows["over_by"], strict=True)
        if by > 0
    ]
    if over:
        fig.add_scatter(
            x=[o[2] for o in over],
            y=[o[0] for o in over],
            mode="markers",
            name="Oversold",
            marker={
                "symbol": "x-thin-open",
                "size": 16,
                "color": OVERSOLD,
                "line": {"width": 4, "color": OVERSOLD},
            },
            customdata=[o[1] for o in over],
            text=[f"+{o[3]}" for o in over],
            hovertemplate="%{customdata}<br><b>oversold by %{text}</b><extra></extra>",
        )
    flagged = [i for i, words in enumerate(named) if words]
    top = _headroom(shows, capacity) * NAME_ROOM
    if flagged:
        # The names a meeting needs, as text beside the bars: no hover on a projector.
        fig.add_scatter(
            # A little right of the bar and its oversold cross, not on them.
            x=[max(used[i], capacity[i]) + top * 0.03 for i in flagged],
            y=[y[i] for i in flagged],
            mode="text",
            name=NAMED,
            text=[named[i] for i in flagged],
            textposition="middle right",
            textfont={
                "size": FONT_SIZE - 4,
                "color": [OVERSOLD if shows["over_by"].iloc[i] > 0 else INK for i in flagged],
            },
            showlegend=False,
            hoverinfo="skip",
            cliponaxis=False,
        )
    fig.update_layout(barmode="stack", meta={"rows": len(y)})
    fig = _layout(
        fig,
        title=title,
        x_title="Seats",
        height=CHART_MARGIN_PX + row_px * len(y),
        category=False,
    )
    fig.update_yaxes(
        type="category",
        autorange="reversed",  # the first show at the top, as in the table
        title={"text": f"Show start ({timezone})"},
        tickfont={"size": FONT_SIZE - 4},
        automargin=True,
        gridcolor=None,
    )
    # Room to the right of the longest bar for the names.
    fig.update_xaxes(range=[0, top], title={"text": "Seats"})
    return fig


NAMED = "Named shows"
MAX_SHOW_DAYS = 32
"""Up to a month of shows gets one row each; beyond, a row per week."""
SHOW_ROW_PX = 26  # a row per show: the day and time label and the name beside the bar
WEEK_ROW_PX = 60  # a week's row may name several oversold shows
CHART_MARGIN_PX = 220  # title, legend and axis
NAME_ROOM = 1.7  # the axis runs this far past the longest bar: the names sit there


def chart_rows_height(fig: go.Figure, row_px: int) -> int:
    """The capacity chart's height with ``row_px`` per row (a projector's larger type)."""
    meta = fig.layout.meta
    rows = meta.get("rows", 0) if isinstance(meta, dict) else 0
    return CHART_MARGIN_PX + row_px * int(rows)


def _named(show: Mapping) -> str:
    """What the chart writes beside a show's bar: "" unless oversold or nearly full."""
    name = _text(_short(str(show["title"]), 30))
    if show["oversold"]:
        return f"oversold +{over_by(show)} · {name}"
    if show["nearly_full"]:
        return f"nearly full · {name}"
    return ""


def _by_week(
    shows: pd.DataFrame, local: list[pd.Timestamp]
) -> tuple[pd.DataFrame, list, list, list]:
    """One row per week (Monday first) summing its shows, with its label, its hover and
    the oversold shows named (one line each); a week with a show whose sold is unknown is
    unknown."""
    weeks: dict = {}
    for row, t in zip(shows.to_dict("records"), local, strict=True):
        monday = (t - pd.Timedelta(days=t.weekday())).date()
        weeks.setdefault(monday, []).append((row, t))
    out, hover, named = [], [], []
    for monday, part in weeks.items():
        members = [r for r, _ in part]
        over = [(r, t) for r, t in part if over_by(r)]

        def total(column: str, members: list = members) -> int:
            return sum(_num(r[column]) for r in members)

        out.append(
            {
                "title": f"{len(members)} shows",
                "sold_known": all(bool(r["sold_known"]) for r in members),
                "venue_capacity": total("venue_capacity"),
                "sold_woocommerce": total("sold_woocommerce"),
                "sold_eventbrite": total("sold_eventbrite"),
                "pending": total("pending"),
                "sold": total("sold"),
                "remaining": sum(max(_num(r["remaining"]), 0) for r in members),
                "oversold": bool(over),
                "over_by": sum(over_by(r) for r in members),
            }
        )
        named.append(
            "<br>".join(
                f"oversold +{over_by(r)} · {day_label(t)} {_text(_short(str(r['title']), 24))}"
                for r, t in over
            )
        )
        hover.append(
            "<br>".join(
                p for p in (f"Week of {day_label(monday)}: {len(members)} shows", named[-1]) if p
            )
        )
    y = [f"Week of {day_label(m)} · {len(p)} shows" for m, p in weeks.items()]
    return pd.DataFrame(out), y, hover, named


def _headroom(frame: pd.DataFrame, capacity: list[int]) -> float:
    """Room above the tallest bar for the oversell label."""
    used = [_num(s) + _num(p) for s, p in zip(frame["sold"], frame["pending"], strict=True)]
    return max([*used, *capacity, 1]) * 1.18


def _text(name: object) -> str:
    """A name from WooCommerce or Eventbrite as plain text in a chart: plotly reads
    ``<a href>``, ``<b>`` and friends in labels, so a name's ``<`` ``>`` ``&`` are escaped."""
    return html.escape(str(name), quote=False)


def _short(text: str, width: int = 26) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def comparison_chart(frame: pd.DataFrame, timezone: str, *, title: str | None = None) -> go.Figure:
    """The selection side by side (a ``comparison.comparison_frame``): grouped bars of sold per
    channel, pending and remaining, with each item's capacity as a dark tick. An item
    whose numbers are unknown says so instead of showing empty bars."""
    title = title or "Comparison"
    if frame.empty:
        return _empty(title, "Nothing selected")
    x = [
        f"{w}<br>{_text(_short(str(t)))}"
        for w, t in zip(frame["when"], frame["title"], strict=True)
    ]
    fig = go.Figure()
    hover = "%{x}<br>%{fullData.name}: %{y}<extra></extra>"
    for column, name, colour in (
        ("sold_woocommerce", header("sold_woocommerce"), WOOCOMMERCE),
        ("sold_eventbrite", header("sold_eventbrite"), EVENTBRITE),
        ("pending", "Pending", PENDING),
        ("remaining", "Remaining", REMAINING),
    ):
        values = [int(v) if is_known(v) else None for v in frame[column]]
        if column == "remaining":
            values = [max(v, 0) if v is not None else None for v in values]
        fig.add_bar(x=x, y=values, name=name, marker_color=colour, hovertemplate=hover)
    fig.add_scatter(
        x=x,
        y=[int(c) if is_known(c) else None for c in frame["capacity"]],
        mode="markers",
        name="Capacity",
        marker={
            "symbol": "line-ew-open",
            "size": 60,
            "color": INK,
            "line": {"width": 4, "color": INK},
        },
        hovertemplate="%{x}<br>capacity %{y}<extra></extra>",
    )
    unknown = [label for label, s in zip(x, frame["sold"], strict=True) if not is_known(s)]
    if unknown:
        fig.add_scatter(
            x=unknown,
            y=[0] * len(unknown),
            mode="text",
            text=["sold unknown"] * len(unknown),
            textposition="top center",
            textfont={"size": FONT_SIZE, "color": UNKNOWN},
            name="Sold unknown",
            hoverinfo="skip",
        )
    over = [
        (label, _num(s) + _num(p))
        for label, s, p, o in zip(
            x, frame["sold"], frame["pending"], frame["oversold"], strict=True
        )
        if o
    ]
    if over:
        fig.add_scatter(
            x=[o[0] for o in over],
            y=[o[1] for o in over],
            mode="markers",
            name="Oversold",
            marker={
                "symbol": "x-thin-open",
                "size": 22,
                "color": OVERSOLD,
                "line": {"width": 5, "color": OVERSOLD},
            },
            hovertemplate="%{x}<br>oversold: %{y} sold and pending<extra></extra>",
        )
    fig.update_layout(barmode="group", bargroupgap=0.05)
    fig = _layout(fig, title=title, x_title=f"Show start ({timezone})", height=560)
    capacities = [int(c) for c in frame["capacity"] if is_known(c)]
    fig.update_yaxes(range=[0, _headroom(frame, capacities)])
    return fig


def trace_values(fig: go.Figure) -> Mapping[str, list]:
    """name -> the numbers of each trace (for tests and for reading a figure back): y, or
    x in a chart of horizontal bars."""
    across = bool(fig.data) and getattr(fig.data[0], "orientation", None) == "h"
    values = {}
    for trace in fig.data:
        numbers = trace.x if across else trace.y
        values[trace.name] = list(numbers) if numbers is not None else []
    return values
