"""Which Eventbrite events' ticket classes a refresh reads, and which it keeps.

Why: Eventbrite has no documented way to get ticket class numbers for many events in one
call (its reference lists no ``ticket_classes`` expansion on event lists; some clients
report one, so it is not relied on), so every event costs one call. Reading every event
in the window on every press spent 76% of the hour's 2,000 calls at large scale (31
pages + 1,490 events), and a second refresh within the hour failed. A refresh now reads:

- every event it has never read (the first build reads them all, once);
- upcoming events starting within the first half of the refresh horizon
  (``BRCC_EB_REFRESH_DAYS``, default 14: the dashboard's default window, so the next 7
  days), where most seats sell and the door is near;
- upcoming events in the second half of the horizon once their numbers are an hour old
  (``HORIZON_MAX_AGE``): a refresh within the hour reads them no more. Reading the whole
  horizon on every press cost 646 of the hour's 2,000 calls at large scale (310 events'
  classes and tiers); the near half costs about 340, within a quarter of the 1,521 every
  refresh made before;
- a past event once more after it ended (its final numbers), then never again.

Everything else keeps the classes last read, with the time they were read, so pages can
say which Eventbrite numbers are older (events beyond the horizon). The answers are kept
per event as Eventbrite sent them, so the catalog is built exactly as from a fresh read.

Holds and carts (the capacity tier, one more call an event still selling) are read with
every read of a selling event's classes: seats left are what Eventbrite sells, and a cart
or hold the refresh did not see would have the write engine refuse every change as
"changed since you looked" until it went away. Events
never read beyond the horizon (a first build's later months) are read, nearest first,
only while the hour's calls cover them, the write reserve and one more refresh; the rest
are said to be unread and wait for a later hour (``plan_read_budget``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from brcc_core.common.club import HOURLY_LIMIT
from brcc_core.common.moments import parse_utc

__all__ = [
    "DEFAULT_REFRESH_DAYS",
    "HORIZON_MAX_AGE",
    "ClassReadPlan",
    "KeptClasses",
    "UNREAD_LATER",
    "ReadBudget",
    "plan_class_reads",
    "plan_read_budget",
]

DEFAULT_REFRESH_DAYS = 14
# Events in the second half of the refresh horizon are read again once their numbers are
# this old (Eventbrite's call budget is hourly: one read of them per hour's budget).
HORIZON_MAX_AGE = timedelta(hours=1)
# Said on the listings of later shows a first build had no calls left for.
UNREAD_LATER = (
    f"not read yet: later shows are read as Eventbrite's {HOURLY_LIMIT:,} calls an hour allow "
    "(refresh again in an hour)"
)


@dataclass(frozen=True)
class KeptClasses:
    """One event's ticket classes as Eventbrite answered, and when they were read."""

    read_at: datetime
    classes: tuple[dict, ...]


def kept_classes_valid(value: object) -> bool:
    """True when ``value`` is what a refresh keeps: event id -> ``KeptClasses`` with an
    aware read time and the classes as Eventbrite's dicts (a file of another shape broke
    every refresh until it was deleted)."""
    if not isinstance(value, dict):
        return False
    for event_id, kept in value.items():
        if not isinstance(event_id, str) or not isinstance(kept, KeptClasses):
            return False
        if not isinstance(kept.read_at, datetime) or kept.read_at.tzinfo is None:
            return False
        if not isinstance(kept.classes, tuple) or not all(
            isinstance(c, dict) and c.get("id") is not None for c in kept.classes
        ):
            return False
    return True


@dataclass
class ClassReadPlan:
    read: list[str] = field(default_factory=list)  # event ids to read now, nearest first
    keep: dict[str, KeptClasses] = field(default_factory=dict)  # event id -> kept answer
    past_kept: int = 0  # of ``keep``: events over and read after they ended (final)
    beyond_kept: int = 0  # of ``keep``: upcoming beyond the horizon (older numbers)
    hourly_kept: int = 0  # of ``keep``: in the horizon's second half, read within the hour
    # Of ``read``: never read before and starting beyond the horizon (read only while the
    # hour's calls allow, see plan_read_budget), events over, read for the last time, and
    # events in the horizon's second half, read once an hour. A refresh within the hour
    # reads none of them again.
    first_beyond: set[str] = field(default_factory=set)
    final_reads: set[str] = field(default_factory=set)
    hourly_reads: set[str] = field(default_factory=set)


def _utc(event: Mapping, part: str) -> datetime | None:
    value = (event.get(part) or {}).get("utc") if isinstance(event.get(part), Mapping) else None
    return parse_utc(value)


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
    every_refresh = now + horizon / 2
    upcoming: list[tuple[datetime, str]] = []
    for event in events:
        event_id = str(event.get("id"))
        start, end = _utc(event, "start"), _utc(event, "end")
        end = end or start
        previous = kept.get(event_id)
        if previous is None or start is None or end is None:
            upcoming.append((start or now, event_id))
            if previous is None and start is not None and start > now + horizon:
                plan.first_beyond.add(event_id)
            elif end is not None and end <= now:
                plan.final_reads.add(event_id)
        elif end <= now:
            if previous.read_at >= end:
                plan.keep[event_id] = previous  # read after it ended: final
                plan.past_kept += 1
            else:
                upcoming.append((start, event_id))  # its last sales: read once more
                plan.final_reads.add(event_id)
        elif start <= every_refresh:
            upcoming.append((start, event_id))
        elif start <= now + horizon:
            if now - previous.read_at < HORIZON_MAX_AGE:
                plan.keep[event_id] = previous
                plan.hourly_kept += 1
            else:
                upcoming.append((start, event_id))
                plan.hourly_reads.add(event_id)
        else:
            plan.keep[event_id] = previous
            plan.beyond_kept += 1
    plan.read.extend(event_id for _start, event_id in sorted(upcoming))
    return plan


@dataclass(frozen=True)
class ReadBudget:
    classes: list[str]  # events whose classes this refresh reads, nearest first
    tiers: list[str]  # of those, selling events whose capacity tier is read with them
    unread: list[str]  # never read, beyond the horizon: no room this hour, read later
    next_refresh_calls: int  # what a refresh within the hour costs


def plan_read_budget(
    plan: ClassReadPlan,
    selling: Iterable[Mapping],
    *,
    list_calls: int,
    calls_left: int,
    reserve: int,
) -> ReadBudget:
    """Pure: what this refresh reads within the hour's Eventbrite calls.

    ``selling``: the listed events still selling (their capacity tier, holds and carts,
    costs one more call each, read with the classes);
    ``calls_left``: the hour's calls left after the events list (``list_calls`` pages).
    Every read the plan needs now is made: events within the horizon, past events'
    final read, events without a readable date. Events never read beyond the horizon (a
    first build's later months) are read nearest first only while the calls left cover
    them, the write ``reserve`` and one more refresh within the hour; the rest wait for a
    later hour, said to be unread. Why:
    at large scale (2,250 events in the window, 1,960 selling) classes and tiers for all
    would cost 4,200 calls, more than two hours' budget, and the build failed part-way.
    """
    selling_ids = {str(e.get("id")) for e in selling}
    must = [e for e in plan.read if e not in plan.first_beyond]
    again = [e for e in must if e not in plan.final_reads and e not in plan.hourly_reads]
    next_refresh = list_calls + len(again)
    next_refresh += sum(1 for e in again if e in selling_ids)
    classes = list(must)
    tiers = [e for e in must if e in selling_ids]
    room = calls_left - len(classes) - len(tiers) - reserve - next_refresh
    later = [e for e in plan.read if e in plan.first_beyond]
    for i, event_id in enumerate(later):
        cost = 2 if event_id in selling_ids else 1
        if cost > room:
            return ReadBudget(classes, tiers, later[i:], next_refresh)
        room -= cost
        classes.append(event_id)
        if event_id in selling_ids:
            tiers.append(event_id)
    return ReadBudget(classes, tiers, [], next_refresh)
