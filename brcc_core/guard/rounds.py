"""One guard and its rounds: read, plan each guarded show, lower what is on sale.

A round, under the single-instance lease (two guards never run rounds at once; a killed
guard's lease expires after ``lease_seconds`` and the next one takes over):

1. a paused guard stops here and says so (a manager's say, ``CapacityDesk.pause_guard``);
2. reads the Eventbrite classes and capacity tiers of the guarded shows within
   ``BRCC_GUARD_DAYS`` (2 calls an event), never past the calls kept for capacity
   changes (``BRCC_EB_WRITE_RESERVE``), and the live WordPress numbers;
3. plans each show that has a saved policy (``plan_sync``) and keeps the rows that lower
   what is on sale (``choose``); a show with any number not read this round (an
   Eventbrite event unread or failed, a WordPress read that failed) is left alone;
4. applies them one at a time through ``CapacityDesk.apply_change`` as the guard
   (``Actor.guard``, action ``guard``, the rule in the note): the same per-listing leases
   (waiting only ``lock_wait``: a manager's change in flight wins, the guard tries again
   next round), fresh read, one write, verify and audit as a manager's change. Eventbrite
   writes stop where the calls left reach the reserve; a channel that stops answering is
   not called again this round;
5. records the round (``store.guard_records``) for the Dashboard; a round where a
   platform failed makes the next one wait longer (doubling, up to ``MAX_BACKOFF``).

Nothing is half-written by a killed round: each change is the engine's (written ahead in
the audit log, one write, its lease expiring), and the next round plans again from what
the platforms hold, so it converges.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from brcc_core.boxoffice.api import EVENTBRITE_CALLS_PER_CHANGE, Actor, Change, StateUnavailable
from brcc_core.capacity.engine import ChangeResult
from brcc_core.capacity.guard_choice import GuardChoice, as_sync_policy, choose
from brcc_core.capacity.locks import Lease, LockError, Locks
from brcc_core.capacity.sync import SyncPlan, SyncPolicy, SyncRow, plan_sync, sync_show
from brcc_core.channels.eventbrite_records import capacity_tier, ticket_classes
from brcc_core.channels.http import wait_words
from brcc_core.common import clock
from brcc_core.common.club import Channel
from brcc_core.common.values import known
from brcc_core.live.service import LIVE_HELD_UP
from brcc_core.store.guard_records import GuardRecords, RoundRecord

if TYPE_CHECKING:
    from brcc_core.boxoffice.root import BoxOffice

log = logging.getLogger(__name__)

GUARD_LEASE = "brcc-guard"  # the single-instance lease, beside the listings' leases
# Longer than one interval plus a round, so a running guard keeps it between rounds; a
# killed guard's lease is free again this long after its last round.
LEASE_GRACE_SECONDS = 90.0
# A manager's change in flight wins: the guard waits this long for a listing, then
# leaves it to the next round.
LOCK_WAIT_SECONDS = 1.0
# Eventbrite calls to read one event: its ticket classes and its capacity tier.
CALLS_PER_EVENT = 2
MAX_BACKOFF = timedelta(minutes=30)
IN_FLIGHT = "Another change to this listing is in progress"


@dataclass
class RoundReport:
    """What one round did (also what the CLI prints)."""

    at: datetime
    ran: bool = True  # False: another guard holds the lease (standing by)
    paused: bool = False
    shows: int = 0  # guarded shows planned
    changes: int = 0  # writes made (ok or reconciled)
    eventbrite_calls: int = 0
    skipped: list[str] = field(default_factory=list)  # shows or rows left for a next round
    failures: dict[str, str] = field(default_factory=dict)  # platform -> why it failed
    problems: list[str] = field(default_factory=list)  # refusals worth a manager's look
    results: list[tuple[SyncRow, ChangeResult]] = field(default_factory=list)
    summary: str = ""
    next_round_at: datetime | None = None

    @property
    def error(self) -> str | None:
        said = [f"{p}: {why}" for p, why in self.failures.items()] + self.problems
        return "; ".join(said) or None


class Guard:
    """The guard of one process. ``every``: seconds between rounds."""

    def __init__(
        self,
        box: BoxOffice,
        *,
        every: float = 120.0,
        runner: str | None = None,
        lock_wait: float = LOCK_WAIT_SECONDS,
        lease_seconds: float | None = None,
    ):
        self.box = box
        self.every = float(every)
        self.runner = runner or f"{socket.gethostname()} pid {os.getpid()}"
        self.lock_wait = lock_wait
        self.lease_seconds = lease_seconds or self.every + LEASE_GRACE_SECONDS
        self.actor = Actor.guard()
        self._lease: Lease | None = None
        self._failed_rounds = 0  # rounds in a row where a platform failed

    # --- the single-instance lease --------------------------------------------------------
    @property
    def _locks(self) -> Locks:
        return Locks(self.box.state.engine, lease_seconds=self.lease_seconds)

    def _hold_lease(self) -> str | None:
        """Take or keep the guard's lease; None when held, else who holds it."""
        locks = self._locks
        if self._lease is not None:
            try:
                locks.renew(self._lease)
                return None
            except LockError:
                self._lease = None  # expired and taken by another guard (we were too slow)
        self._lease = locks.try_acquire(GUARD_LEASE, self.actor.email, self.runner)
        if self._lease is not None:
            return None
        holder = locks.holder_of(GUARD_LEASE)
        return holder[1] if holder else "another guard"

    def release(self) -> None:
        """Give the lease back (a clean stop); a killed guard's lease expires by itself."""
        if self._lease is not None:
            self._locks.release(self._lease)
            self._lease = None

    # --- one round --------------------------------------------------------------------------
    def round(self) -> RoundReport:
        report = RoundReport(at=clock.now())
        calls_before = self.box.eventbrite.calls
        try:
            holder = self._hold_lease()
        except (LockError, StateUnavailable) as exc:
            report.ran = False
            report.failures["app-state database"] = str(exc)
            return self._finish(report, calls_before, record=False)
        if holder is not None:
            report.ran = False
            report.summary = f"standing by: another guard is running ({holder})"
            return self._finish(report, calls_before, record=False)
        records = GuardRecords(self.box.state.engine)
        try:
            status = records.status()
            saved = records.policies()
        except StateUnavailable as exc:
            report.failures["app-state database"] = str(exc)
            return self._finish(report, calls_before, record=False)
        if status.paused:
            report.paused = True
            report.summary = f"paused by {status.paused_by}: did nothing"
            return self._finish(report, calls_before)
        if not saved:
            report.summary = "no show has a saved policy: nothing to guard"
            return self._finish(report, calls_before)
        policies = {k: as_sync_policy(p) for k, p in saved.items()}
        self._guard(report, policies, {k for k, p in saved.items() if p.allow_raise})
        return self._finish(report, calls_before)

    def _guard(
        self, report: RoundReport, policies: dict[str, SyncPolicy], raises: set[str]
    ) -> None:
        box = self.box
        catalog = box.catalogs.catalog()
        if catalog is None:
            result = box.refresh_catalog()  # a first start: nothing to plan from yet
            report.failures.update({str(c): str(e) for c, e in result.errors.items()})
            catalog = box.catalogs.catalog()
            if catalog is None:
                report.summary = "no catalog could be read: nothing planned"
                return
        box.live.changed()  # numbers read for this round, not shared from before it
        shows = self._guarded_shows(box.live.listings(catalog), policies)
        if shows.empty:
            report.summary = (
                f"no guarded show in the next {box.settings.guard_days} day(s): nothing to do"
            )
            return
        listings = box.live.listings(catalog)
        unread = self._read_eventbrite(report, shows, listings)
        # The numbers of this round: WordPress now, Eventbrite as just read.
        box.live.changed()
        listings = box.live.listings(box.catalogs.catalog())
        if listings.attrs.get(LIVE_HELD_UP):
            report.failures["WordPress database"] = str(listings.attrs[LIVE_HELD_UP])
            report.summary = "the WordPress numbers were not read this round: nothing planned"
            return
        shows = self._guarded_shows(listings, policies)
        down: dict[str, str] = {}
        for show in shows.to_dict("records"):
            report.shows += 1
            key = str(show["show_key"])
            stale = sorted(unread & set(_event_ids(listings, show["listing_keys"])))
            if stale:
                report.skipped.append(f"{key}: Eventbrite event {stale[0]} not read this round")
                continue
            plan = plan_sync(sync_show(show, listings), policies[key])
            self._apply(report, plan, choose(plan, allow_raise=key in raises), listings, down)
        for channel, why in down.items():
            report.failures[channel] = why
        report.summary = (
            f"{report.shows} guarded show(s) planned, {report.changes} change(s) made"
            + (f", {len(report.skipped)} left for the next round" if report.skipped else "")
        )

    def _guarded_shows(
        self, listings: pd.DataFrame, policies: dict[str, SyncPolicy]
    ) -> pd.DataFrame:
        """The shows with a saved policy starting within the horizon, soonest first."""
        shows = self.box.live.saved_shows(listings)
        now = clock.now()
        until = now + timedelta(days=self.box.settings.guard_days)
        starts = shows["starts_at"]
        within = [known(s) and now <= s <= until for s in starts]
        guarded = shows[
            shows["show_key"].isin(list(policies)) & pd.Series(within, index=shows.index)
        ]
        return guarded.sort_values("starts_at", kind="stable")

    def _read_eventbrite(
        self, report: RoundReport, shows: pd.DataFrame, listings: pd.DataFrame
    ) -> set[str]:
        """Read the guarded shows' Eventbrite events now (classes and tiers) into the
        catalog; returns the events not read (their shows wait for a next round)."""
        box = self.box
        events = list(
            dict.fromkeys(e for keys in shows["listing_keys"] for e in _event_ids(listings, keys))
        )
        if not events:
            return set()
        reserve = box.settings.eb_write_reserve
        room = box.eventbrite.calls_left_this_hour() - reserve
        fits = max(0, room // CALLS_PER_EVENT)
        read, unread = events[:fits], set(events[fits:])
        if unread:
            report.failures[Channel.EVENTBRITE] = (
                f"{len(unread)} event(s) not read: the calls left this hour reached the "
                f"{reserve:,} kept for capacity changes"
            )
        if not read:
            return unread
        answer = box.eventbrite.ticket_classes(read, tiers_for=read, keep=reserve)
        classes = [tc for event, found in answer.items() for tc in ticket_classes(found, event)]
        tiers = {
            e: capacity_tier(t) for e, t in answer.tiers.items() if e not in answer.tier_errors
        }
        box.catalogs.remember_ticket_classes(list(classes), tiers)
        failed = set(answer.errors) | set(answer.tier_errors) | (set(read) - set(answer))
        if failed:
            first = next(iter({**answer.errors, **answer.tier_errors}.values()), None)
            report.failures[Channel.EVENTBRITE] = (
                f"{len(failed)} event(s) not read: {first or 'no answer'}"
            )
        return unread | failed

    def _apply(
        self,
        report: RoundReport,
        plan: SyncPlan,
        choice: GuardChoice,
        listings: pd.DataFrame,
        down: dict[str, str],
    ) -> None:
        if choice.unknown:
            report.skipped.append(f"{plan.show_key}: {choice.unknown}")
            return
        box = self.box
        note = (
            f"guard {plan.show_key}: {plan.policy.describe()} "
            f"(exposure {_seats(plan.exposure_now)} → {_seats(plan.exposure)})"
        )
        for row in choice.apply:
            if row.channel == Channel.EVENTBRITE and row.channel not in down:
                left = box.eventbrite.calls_left_this_hour() - box.settings.eb_write_reserve
                if left < EVENTBRITE_CALLS_PER_CHANGE:
                    down[row.channel] = (
                        "stopped at the calls kept for capacity changes this hour "
                        f"(BRCC_EB_WRITE_RESERVE {box.settings.eb_write_reserve:,})"
                    )
            if row.channel in down:
                report.skipped.append(f"{row.listing_key}: {row.channel} {down[row.channel]}")
                continue
            change = Change(
                row.listing_key,
                seen_remaining=row.remaining,
                value=int(row.target_remaining or 0),
                field="remaining",
                note=f"{note}: lowers remaining {_seats(row.remaining)} → {row.target_remaining}",
                event_level=True,
            )
            result = box.capacity.apply_change(
                change,
                listings,
                who=self.actor,
                action="guard",
                down=down,
                venue_capacity=plan.venue_capacity,
                lock_wait=self.lock_wait,
            )
            report.results.append((row, result))
            if result.status in ("ok", "reconciled"):
                report.changes += 1
            elif result.message.startswith(IN_FLIGHT):
                report.skipped.append(f"{row.listing_key}: a change in flight; next round")
            elif result.channel_down:
                down.setdefault(row.channel, result.message.split(". ")[0])
            elif not result.ok:
                report.problems.append(f"{row.listing_key}: {result.message}")

    # --- the round's record and the next one ---------------------------------------------
    def _finish(
        self, report: RoundReport, calls_before: int, *, record: bool = True
    ) -> RoundReport:
        report.eventbrite_calls = self.box.eventbrite.calls - calls_before
        wait = timedelta(seconds=self.every)
        if report.failures:
            self._failed_rounds += 1
            wait = min(wait * 2 ** min(self._failed_rounds, 6), max(MAX_BACKOFF, wait))
            report.summary = (
                f"{report.summary or 'round stopped'}; backing off: "
                f"{', '.join(report.failures)} failed, "
                f"next round {wait_words(wait.total_seconds())}"
            )
        else:
            self._failed_rounds = 0
        report.next_round_at = clock.now() + wait
        if record and report.ran:
            try:
                GuardRecords(self.box.state.engine).record_round(
                    RoundRecord(
                        at=report.at,
                        changes=report.changes,
                        eventbrite_calls=report.eventbrite_calls,
                        summary=report.summary,
                        error=report.error,
                        next_round_at=report.next_round_at,
                        runner=self.runner,
                    )
                )
            except StateUnavailable as exc:
                log.warning("guard round not recorded: %s", exc)
        return report

    def seconds_to_next(self, report: RoundReport) -> float:
        if report.next_round_at is None:
            return self.every
        return max(0.0, (report.next_round_at - clock.now()).total_seconds())

    def run(
        self,
        *,
        rounds: int | None = None,
        stop: Callable[[], bool] = lambda: False,
        say: Callable[[RoundReport], None] = lambda report: None,
    ) -> list[RoundReport]:
        """Rounds until ``stop()`` (or ``rounds`` of them); the lease is given back at the end."""
        done: list[RoundReport] = []
        try:
            while not stop() and (rounds is None or len(done) < rounds):
                report = self.round()
                done.append(report)
                say(report)
                if rounds is not None and len(done) >= rounds:
                    break
                deadline = time.monotonic() + self.seconds_to_next(report)
                while not stop() and time.monotonic() < deadline:
                    time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        finally:
            self.release()
        return done


def _event_ids(listings: pd.DataFrame, keys: object) -> list[str]:
    """The Eventbrite events of these listings (classes of one event share its seats)."""
    rows = listings[listings["listing_key"].isin(list(keys))]  # type: ignore[arg-type]
    rows = rows[rows["channel"] == Channel.EVENTBRITE]
    return [str(e) for e in rows["event_id"] if known(e)]


def _seats(value: int | None) -> str:
    return "unbounded" if value is None else str(value)
