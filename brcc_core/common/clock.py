"""The app's one clock: every "now" and "today" of the business comes from here.

Shows, windows, ages, pace, the door view, leases and audit rows all ask this module
for the time, so a test (or a demo) can set it in one place:

- in process, tests move it with ``time_machine`` (it moves ``datetime.now``, which
  this module reads);
- across processes (a served app, a browser test, the demo at a chosen moment),
  ``BRCC_NOW`` (ISO 8601 with its UTC offset, e.g. ``2026-12-06T10:00:00-05:00``)
  starts the clock at that moment when the process first reads it; it runs on from
  there. Demo mode only: a live start refuses it (``brcc_core.settings``).

Timers for timeouts and cache lifetimes use ``time.monotonic`` directly: they measure
durations, not the business's time, and must not jump when the clock is set.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from brcc_core.common.moments import naive_utc

NOW_VARIABLE = "BRCC_NOW"

_lock = threading.Lock()
# BRCC_NOW text -> the offset it gave when this process first read it. Kept per text, so
# a process whose BRCC_NOW is set to another moment and back runs on from where it was
# rather than starting that moment again.
_anchors: dict[str, timedelta] = {}


class ClockError(ValueError):
    """``BRCC_NOW`` is not a moment this clock can start at; the message says why."""


def parse_moment(text: str) -> datetime:
    """``BRCC_NOW``'s text as an aware UTC moment; it must carry its offset, since the
    clock cannot know which timezone a bare time was meant in."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ClockError(
            f"{NOW_VARIABLE} must be an ISO 8601 moment with its UTC offset, "
            f"e.g. 2026-12-06T10:00:00-05:00 (got {text[:40]!r})."
        )
    return moment.astimezone(UTC)


def _offset() -> timedelta:
    text = os.environ.get(NOW_VARIABLE, "").strip()
    if not text:
        return timedelta(0)
    offset = _anchors.get(text)
    if offset is None:
        with _lock:
            offset = _anchors.setdefault(text, parse_moment(text) - datetime.now(UTC))
    return offset


def now() -> datetime:
    """The business's now, aware, in UTC."""
    return datetime.now(UTC) + _offset()


def now_naive_utc() -> datetime:
    """Now as the app's databases store it: naive UTC."""
    return naive_utc(now())


def local_now(timezone: str) -> datetime:
    """Now in ``timezone`` (the club's: where "tonight" and "upcoming" start)."""
    return now().astimezone(ZoneInfo(timezone))


def today(timezone: str) -> date:
    """The club's date now: after 19:00 on New Year's Eve in Toronto it is still the
    31st, although UTC says 1 January."""
    return local_now(timezone).date()
