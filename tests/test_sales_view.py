"""The Sales & pace page's view-model (brcc_core.views.sales), without Streamlit: the pace
rows a manager reads (flag or reason beside the show, flagged first, only flagged), when
the page starts the first Eventbrite orders sync, and the revenue tables, every time in
the club's timezone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from brcc_core.sales.eventbrite_orders import PartialSync
from brcc_core.sales.pace import BEHIND_LABEL, PACE_COLUMNS
from brcc_core.sales.site_history import sales_frame
from brcc_core.views import sales as view
from tests.test_takings import _fridays, row

TIMEZONE = "America/Toronto"
TZ = ZoneInfo(TIMEZONE)
NOW = datetime(2026, 12, 2, 14, 0, tzinfo=TZ)
REASON = "Eventbrite orders have not been synced yet: press Sync Eventbrite orders"


def pace_row(title: str, start: datetime, *, flag=None, behind=pd.NA, reason=None, **numbers):
    base = dict.fromkeys(PACE_COLUMNS, pd.NA)
    base.update(
        show_key=f"show:{start:%Y-%m-%dT%H:%M}",
        title=title,
        starts_at=pd.Timestamp(start),
        scope="together",
        flag=flag,
        behind=behind,
        reason=reason,
        sell_out_by=pd.NaT,
        **numbers,
    )
    return base


def pace_table() -> pd.DataFrame:
    """As ``pace_table`` orders it: behind first, then the other flags, then the rest."""
    late = datetime(2026, 12, 12, 2, 30, tzinfo=UTC)  # Fri 11 Dec 21:30 in Toronto
    return pd.DataFrame(
        [
            pace_row("Friday Late", late, flag=BEHIND_LABEL, behind=True, sold_now=2),
            pace_row("Saturday 8pm", NOW + timedelta(days=3), flag="sold out", behind=False),
            pace_row("Thursday Open Mic", NOW + timedelta(days=1), reason=REASON),
            pace_row("Wednesday 8pm", NOW + timedelta(hours=6), behind=False, sold_now=30),
        ]
    )


def test_the_flag_or_the_reason_is_read_beside_the_show_in_club_time():
    rows = view.pace_rows(pace_table(), "together", TIMEZONE)
    shows = [s.replace("\u2068", "").replace("\u2069", "") for s in rows["show"]]
    # 02:30 UTC on Saturday is Friday 21:30 at the club.
    assert shows[0] == "Fri 11 Dec 21:30 · Friday Late · ⚠️ behind its usual pace"
    assert shows[1] == "Sat 5 Dec 14:00 · Saturday 8pm · 🔥 sold out"
    assert shows[2] == f"Thu 3 Dec 14:00 · Thursday Open Mic · ❓ no pace: {REASON}"
    assert shows[3] == "Wed 2 Dec 20:00 · Wednesday 8pm"
    # The table's order, flagged first, is kept: not re-sorted by date.
    assert list(rows["title"]) == list(pace_table()["title"])


def test_only_flagged_shows_keeps_the_flagged_rows_in_their_order():
    rows = view.pace_rows(pace_table(), "together", TIMEZONE, flagged_only=True)
    assert list(rows["title"]) == ["Friday Late", "Saturday 8pm"]
    assert view.pace_rows(pace_table(), "woocommerce", TIMEZONE, flagged_only=True).empty


def test_the_first_sync_starts_only_when_orders_were_never_synced_and_calls_are_free():
    assert view.first_sync_needed(None, None)
    assert not view.first_sync_needed(NOW, None)
    stopped = PartialSync(
        walk="orders", items=100, newest=None, started_at=NOW, updated_at=NOW, first=True
    )
    assert not view.first_sync_needed(None, stopped)  # the button goes on with that one
    assert view.first_sync_hold(calls_left=1500, reserve=300) is None
    at_reserve = view.first_sync_hold(calls_left=300, reserve=300)
    assert at_reserve is not None and "300 are kept for capacity changes" in at_reserve
    assert "Press Sync Eventbrite orders" in at_reserve


def test_revenue_one_row_per_show_with_totals_and_a_csv_to_the_cent():
    """Four Fridays at 20:00 (Eventbrite) and 20:05 (website): one row each, the channels
    as columns; the totals per channel and together; the CSV's money to the cent."""
    frame = _fridays()
    odd = row("eb:3", datetime(2026, 11, 27, 20, 0, tzinfo=TZ), 3, gross=21.33, fees=0.1)
    frame = pd.concat([frame, sales_frame([odd] * 3, TZ)], ignore_index=True)
    tables = view.takings_tables(
        frame,
        now=NOW,
        start=datetime(2026, 11, 1, tzinfo=TZ),
        end=datetime(2026, 12, 1, tzinfo=TZ),
        timezone=TIMEZONE,
    )
    money = tables.revenue
    assert list(money["when"]) == [f"Fri {d} Nov 20:00" for d in (6, 13, 20, 27)]
    assert money["show_key"].is_unique
    assert list(tables.totals["scope"]) == ["Website", "Eventbrite", "Both channels"]
    # 75 + 3 x 21.33 (63.989999999999995 in floats)
    assert money.iloc[3]["gross_eventbrite"] == 138.99
    csv = view.revenue_csv(money)
    lines = csv.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:4] == ["When", "Title", "Sold · Website", "Sold · Eventbrite"]
    assert "Cancelled / refunded" in lines[0] and "Gross · Eventbrite" in lines[0]
    for line in lines[1:]:
        for cell in line.split(","):
            if "." in cell and cell.replace(".", "").isdigit():
                assert len(cell.split(".")[1]) <= 2, line


def test_revenue_dates_are_in_club_time_whatever_zone_the_frame_holds():
    start = datetime(2026, 11, 28, 2, 30, tzinfo=UTC)  # Fri 27 Nov 21:30 in Toronto
    frame = sales_frame([row("wc:1:s:late", start, 2)], TZ)
    frame["starts_at"] = frame["starts_at"].dt.tz_convert("UTC")
    tables = view.takings_tables(
        frame,
        now=NOW,
        start=datetime(2026, 11, 1, tzinfo=TZ),
        end=datetime(2026, 12, 1, tzinfo=TZ),
        timezone=TIMEZONE,
    )
    assert list(tables.revenue["when"]) == ["Fri 27 Nov 21:30"]
    assert list(tables.ticket_types["when"]) == ["Fri 27 Nov 21:30"]
