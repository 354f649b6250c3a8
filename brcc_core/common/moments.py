"""Moments as the club's systems write them and as the app's databases keep them.

Eventbrite writes times as UTC text ("2026-12-05T01:00:00Z"); the app's databases keep
naive datetimes that mean UTC. Every reader converts through here, so a naive time is
always read as UTC, never as the server's own timezone, and a malformed time is unknown
(None), never an error that stops a refresh.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

__all__ = ["aware_utc", "naive_utc", "parse_utc", "utc_text"]


def parse_utc(value: Any) -> datetime | None:
    """An API's ISO 8601 time (Eventbrite's ``start.utc``, ``created``, ``sales_end``:
    "2026-12-05T01:00:00Z") as an aware UTC datetime. Text without an offset is UTC, as
    Eventbrite's ``utc`` fields are; an offset is honoured; anything else (missing, empty,
    not text, not a time) is None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return aware_utc(moment)


def naive_utc(moment: datetime, *, whole_seconds: bool = False) -> datetime:
    """``moment`` as the databases store it: naive UTC. A naive ``moment`` is UTC already
    (it came from a database or ``clock.now_naive_utc``), never the server's local time.
    ``whole_seconds`` for columns that keep no fraction of a second, so what is written
    compares equal to what is read back."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0) if whole_seconds else moment


def aware_utc(value: datetime | str | None) -> datetime | None:
    """A database's naive UTC datetime (or its ISO text, as SQLite may return it) as an
    aware UTC one; an aware one is converted to UTC; None or unreadable text is None."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_text(moment: datetime) -> str:
    """``moment`` as Eventbrite reads a time (``changed_since``): UTC, whole seconds,
    ``Z``; the inverse of ``parse_utc``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
