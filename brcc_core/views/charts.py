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

from brcc_core.common.formats import day_label, header, time_label, when_label
from brcc_core.common.values import known as is_known

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
    """Capacity versus sold for each show (a ``BoxOffice.shows`` frame).

    One bar per show at its start time, stacked: sold on the website, sold on Eventbrite,
    pending, and the seats remaining up to venue capacity. A show whose sold could not be
    read gets a hatched grey bar saying so instead of a short one; an oversold show gets
    a red cross with how many seats too many were sold; a dark tick marks each venue
    capacity. Days are labelled under the bars, in the club's timezone. Over more than
    ``MAX_DAYS_APART`` days each bar is a week's shows added up, so labels and oversold
    markers never sit on top of each other.
    """
    title = title or "Capacity vs sold"
    if shows.empty:
        return _empty(title, "No upcoming shows in this window")
    shows = shows.sort_values("starts_at")
    local = [_wall_clock(t) for t in shows["starts_at"]]
    if len({t.date() for t in local}) > MAX_DAYS_APART:
        shows, x, names = _added_up(shows, local, by_week=True)
    elif len(shows) > MAX_BARS:
        shows, x, names = _added_up(shows, local, by_week=False)
    else:
        # Two-level axis: the time under each bar, the day (weekday over date) under its
        # shows.
        days = [day_label(t).replace(" ", "<br>", 1) for t in local]
        x = [days, [time_label(t) for t in local]]
        names = [
            f"{when_label(t)}<br>{_text(n)}" for t, n in zip(local, shows["title"], strict=True)
        ]
        shows = shows.assign(over_by=[_over_by(r) for r in shows.to_dict("records")])
    known = [bool(k) for k in shows["sold_known"]]
    capacity = [int(c) for c in shows["venue_capacity"]]

    def masked(column: str) -> list:
        return [_num(v) if k else None for v, k in zip(shows[column], known, strict=True)]

    hover = "%{customdata}<br>%{fullData.name}: <b>%{y}</b><extra></extra>"
    bar = {"customdata": names, "hovertemplate": hover}
    fig = go.Figure()
    for column, name, colour in (
        ("sold_woocommerce", header("sold_woocommerce"), WOOCOMMERCE),
        ("sold_eventbrite", header("sold_eventbrite"), EVENTBRITE),
        ("pending", "Pending", PENDING),
    ):
        fig.add_bar(x=x, y=masked(column), name=name, marker_color=colour, **bar)
    remaining = [
        max(_num(r), 0) if k else None for r, k in zip(shows["remaining"], known, strict=True)
    ]
    fig.add_bar(x=x, y=remaining, name="Remaining", marker_color=REMAINING, **bar)
    if not all(known):
        fig.add_bar(
            x=x,
            y=[None if k else c for k, c in zip(known, capacity, strict=True)],
            name="Sold unknown",
            marker={"color": "white", "line": {"color": UNKNOWN, "width": 2}},
            marker_pattern={"shape": "/", "fgcolor": UNKNOWN},
            **{**bar, "hovertemplate": "%{customdata}<br><b>sold unknown</b><extra></extra>"},
        )
    fig.add_scatter(
        x=x,
        y=capacity,
        mode="markers",
        name="Venue capacity",
        marker={
            "symbol": "line-ew-open",
            "size": 16,
            "color": INK,
            "line": {"width": 4, "color": INK},
        },
        customdata=names,
        hovertemplate="%{customdata}<br>venue capacity <b>%{y}</b><extra></extra>",
    )
    over = [
        (day, clock, name, _num(s) + _num(p), int(by))
        for day, clock, name, s, p, by in zip(
            *x, names, shows["sold"], shows["pending"], shows["over_by"], strict=True
        )
        if by > 0
    ]
    if over:
        fig.add_scatter(
            x=[[o[0] for o in over], [o[1] for o in over]],
            y=[o[3] for o in over],
            mode="markers+text",
            name="Oversold",
            text=[f"+{o[4]}" for o in over],
            textposition="top center",
            textfont={"size": FONT_SIZE + 2, "color": OVERSOLD},
            marker={
                "symbol": "x-thin-open",
                "size": 22,
                "color": OVERSOLD,
                "line": {"width": 5, "color": OVERSOLD},
            },
            customdata=[o[2] for o in over],
            hovertemplate="%{customdata}<br><b>oversold by %{text}</b><extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig = _layout(fig, title=title, x_title=f"Show start ({timezone})", height=560, category=False)
    fig.update_xaxes(type="multicategory", tickfont={"size": FONT_SIZE - 4}, dividercolor=UNKNOWN)
    fig.update_yaxes(range=[0, _headroom(shows, capacity)])
    return fig


MAX_BARS = 20
MAX_DAYS_APART = 21
"""Up to ``MAX_BARS`` shows, one bar each stays readable; more (a fortnight of the club's
shows) are added up per day, and beyond three weeks (the 90-day window) per week, so the
labels and oversold markers never sit on top of each other."""


def _over_by(show: Mapping) -> int:
    """Seats sold and pending beyond the venue capacity (0 when not oversold)."""
    if not show["oversold"]:
        return 0
    return max(0, _num(show["sold"]) + _num(show["pending"]) - int(show["venue_capacity"]))


def _added_up(
    shows: pd.DataFrame, local: list[pd.Timestamp], *, by_week: bool
) -> tuple[pd.DataFrame, list, list]:
    """One row per day, or per week (Monday first), summing its shows, with the axis
    labels and the hover text naming the oversold shows; a day or week with a show whose
    sold is unknown is unknown."""
    rows = shows.to_dict("records")
    weeks: dict = {}
    for row, t in zip(rows, local, strict=True):
        first = t - pd.Timedelta(days=t.weekday()) if by_week else t
        weeks.setdefault(first.date(), []).append((row, t))
    out, names = [], []
    for monday, part in weeks.items():
        members = [r for r, _ in part]
        known = all(bool(r["sold_known"]) for r in members)
        over = [(r, t) for r, t in part if _over_by(r)]

        def total(column: str, members: list = members) -> int:
            return sum(_num(r[column]) for r in members)

        out.append(
            {
                "title": f"{len(members)} shows",
                "sold_known": known,
                "venue_capacity": total("venue_capacity"),
                "sold_woocommerce": total("sold_woocommerce"),
                "sold_eventbrite": total("sold_eventbrite"),
                "pending": total("pending"),
                "sold": total("sold"),
                "remaining": sum(max(_num(r["remaining"]), 0) for r in members),
                "oversold": bool(over),
                "over_by": sum(_over_by(r) for r in members),
            }
        )
        oversold = "".join(
            f"<br>oversold by {_over_by(r)}: {when_label(t)} {_text(r['title'])}" for r, t in over
        )
        period = f"Week of {day_label(monday)}" if by_week else day_label(monday)
        names.append(f"{period}: {len(members)} shows{oversold}")
    if by_week:
        x = [[f"Week of<br>{day_label(m)}" for m in weeks], [r["title"] for r in out]]
    else:
        x = [[day_label(m).replace(" ", "<br>", 1) for m in weeks], [r["title"] for r in out]]
    return pd.DataFrame(out), x, names


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
    """name -> y values of each trace (for tests and for reading a figure back)."""
    return {trace.name: list(trace.y) if trace.y is not None else [] for trace in fig.data}
