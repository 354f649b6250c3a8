"""The pace chart: one upcoming show's seats sold so far over its played dates' curves, made
for a projector like the capacity chart (same type sizes and colours, ``views/charts.py``).
Which dates are played is ``pace.past_shows``'s to say (``windows.played``); the chart
draws the lines it is given."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from brcc_core.sales.pace import THIS_SHOW, USUAL
from brcc_core.views.charts import FONT_SIZE, INK, OVERSOLD, REMAINING, WOOCOMMERCE, _empty, _layout


def pace_chart(curves: pd.DataFrame, *, title: str, capacity: int | None = None) -> go.Figure:
    """``pace.pace_curves`` frame → figure: days before the show on the x axis, counting
    down to the show at 0; played dates thin grey, their median dashed, this show bold."""
    if curves.empty:
        return _empty(title, "No sales history for this show yet.")
    fig = go.Figure()
    for line, part in curves.groupby("line", sort=False):
        part = part.sort_values("hours_before", ascending=False)
        days = part["hours_before"] / 24.0
        if line == THIS_SHOW:
            style = {"color": WOOCOMMERCE, "width": 6}
        elif line == USUAL:
            style = {"color": INK, "width": 4, "dash": "dash"}
        else:
            style = {"color": REMAINING, "width": 2}
        fig.add_trace(
            go.Scatter(
                x=days,
                y=part["sold"],
                mode="lines",
                name=str(line),
                line=style,
                showlegend=line in (THIS_SHOW, USUAL),
                hovertemplate=f"{line}<br>%{{x:.1f}} days before: %{{y:.0f}} seats<extra></extra>",
            )
        )
    if capacity is not None:
        fig.add_hline(
            y=capacity,
            line={"color": OVERSOLD, "width": 2, "dash": "dot"},
            annotation_text=f"venue capacity {capacity}",
            annotation_font={"size": FONT_SIZE},
        )
    _layout(fig, title=title, x_title="days before the show", height=560, category=False)
    fig.update_xaxes(autorange="reversed", title={"text": "days before the show"})
    fig.update_yaxes(title={"text": "seats sold (cumulative)"}, rangemode="tozero")
    return fig
