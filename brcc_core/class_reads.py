"""Which Eventbrite events' ticket classes a refresh reads, and which it keeps.

Why: Eventbrite has no documented way to get ticket class numbers for many events in one
call (its reference lists no ``ticket_classes`` expansion on event lists; some clients
report one, so it is not relied on), so every event costs one call. Reading every event
in the window on every press spent 76% of the hour's 2,000 calls at large scale (31
pages + 1,490 events), and a second refresh within the hour failed. A refresh now reads:

- every event it has never read (the first build reads them all, once);
- upcoming events starting within the refresh horizon (``BRCC_EB_REFRESH_DAYS``, default
  14: the dashboard's default window), where sales move and managers look;
- a past event once more after it ended (its final numbers), then never again.

Everything else keeps the classes last read, with the time they were read, so pages can
say which Eventbrite numbers are older (events beyond the horizon). The answers are kept
per event as Eventbrite sent them, so the catalog is built exactly as from a fresh read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = ["DEFAULT_REFRESH_DAYS", "ClassReadPlan", "KeptClasses", "plan_class_reads"]

DEFAULT_REFRESH_DAYS = 14


@dataclass(frozen=True)
class KeptClasses:
    """One event's ticket classes as Eventbrite answered, and when they were read."""

    read_at: datetime
    classes: tuple[dict, ...]


@dataclass
class ClassReadPlan:
    read: list[str] = field(default_factory=list)  # event ids to read now, nearest first
    keep: dict[str, KeptClasses] = field(default_factory=dict)  # event id -> kept answer
    past_kept: int = 0  # of ``keep``: events over and read after they ended (final)
    beyond_kept: int = 0  # of ``keep``: upcoming beyond the horizon (older numbers)


def _utc(event: Mapping, part: str) -> datetime | None:
    value = (event.get(part) or {}).get("utc") if isinstance(event.get(part), Mapping) else None
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def plan_class_reads(
    events: Iterable[Mapping],
    kept: Mapping[str, KeptClasses],
    *,
    now: datetime,
    horizon: timedelta,
) -> ClassReadPlan:
    """Pure: the events of this refresh (occurrences, as listed) and what was kept from
    earlier reads in, the plan out. An event whose start or end cannot be read is read."""
    plan = ClassReadPlan()
    upcoming: list[tuple[datetime, str]] = []
    for event in events:
        event_id = str(event.get("id"))
        start, end = _utc(event, "start"), _utc(event, "end")
        end = end or start
        previous = kept.get(event_id)
        if previous is None or start is None or end is None:
            upcoming.append((start or now, event_id))
        elif end <= now:
            if previous.read_at >= end:
                plan.keep[event_id] = previous  # read after it ended: final
                plan.past_kept += 1
            else:
                upcoming.append((start, event_id))  # its last sales: read once more
        elif start <= now + horizon:
            upcoming.append((start, event_id))
        else:
            plan.keep[event_id] = previous
            plan.beyond_kept += 1
    plan.read.extend(event_id for _start, event_id in sorted(upcoming))
    return plan
