"""Capacity changes as a manager makes them: one listing at a time or a show's sync,
through the change engine (lease, fresh read, one write, verify, audit), and the show
mappings, venue capacities and recurring rules they are judged against."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pandas as pd

from brcc_core.capacity.engine import ChangeResult, InventoryEngine, catalog_reads
from brcc_core.capacity.guard_choice import GuardUndo, as_sync_policy, guard_undo
from brcc_core.capacity.locks import WAIT_SECONDS, Locks
from brcc_core.capacity.preview import (
    Change,
    ListingState,
    Preview,
    preview_change,
    venue_capacity_refusal,
)
from brcc_core.capacity.sync import SyncPlan, SyncPolicy, SyncRow, plan_sync, sync_show
from brcc_core.catalog.keeper import CatalogKeeper
from brcc_core.channels.connections import Connections
from brcc_core.common import clock
from brcc_core.common.club import Channel
from brcc_core.common.values import known_cells, unknown_cells
from brcc_core.live.service import LiveReads
from brcc_core.people.access import Access, Actor, Role, app_audit_entry
from brcc_core.store.guard_records import GuardPolicy, GuardRecords, GuardStatus
from brcc_core.store.saved_shows import RecurringRule, SavedShow
from brcc_core.store.state import State, StateUnavailable


class CapacityDesk:
    """Where capacity is changed: every write re-reads the person's role here, whatever
    the page showed, and every change is on record."""

    def __init__(
        self,
        systems: Connections,
        *,
        live: LiveReads,
        catalogs: CatalogKeeper,
        state: Callable[[], State],
        locks: Callable[[], Locks],
        access: Callable[[], Access],
        changed: Callable[[], None],
        mappings_changed: Callable[[], None],
    ):
        self.systems = systems
        self.live = live
        self.catalogs = catalogs
        self._state = state
        self._locks = locks
        self._access = access
        self._changed = changed  # a write: nobody may see numbers read before it
        self._mappings_changed = mappings_changed
        # How long a change waits for another manager's change to the same listing.
        self.lock_wait = WAIT_SECONDS

    def _require(
        self, who: Actor | None, role: Role, doing: str, *, key: str = "app", tried: str = ""
    ) -> Actor:
        """The acting person if they hold ``role`` now; AccessDenied otherwise (on record
        in the audit log). Every write below starts here, whatever the page showed."""
        return self._access().require(who, role, doing, key=key, tried=tried)

    def _record(self, actor: Actor, *row: Any, note: str | None = None) -> None:
        """An audit row for a change to the app's own records (shows, rules): ``row`` is
        action, key, what, before, after (and a refusal), as ``app_audit_entry`` takes them;
        ``note`` says in full what before and after (40 characters) can only sum up."""
        self._state().append_audit(replace(app_audit_entry(actor, *row), note=note))

    @property
    def inventory(self) -> InventoryEngine:
        return InventoryEngine(
            self.systems.woocommerce,
            self.systems.eventbrite,
            self.systems.wordpress,
            self._state(),
            self._locks(),
            lock_wait=self.lock_wait,
            max_capacity=self.systems.settings.max_capacity,
        )

    def listing_state(self, listing_key: str, listings: pd.DataFrame) -> ListingState:
        """One listing as the manager sees it; KeyError when it is not in ``listings``."""
        rows = listings[listings["listing_key"] == listing_key]
        if rows.empty:
            raise KeyError(listing_key)
        row = rows.iloc[0].to_dict()
        others: tuple[str, ...] = ()
        taken: int | None = None
        event_id = row.get("event_id")
        if row.get("channel") == Channel.EVENTBRITE and isinstance(event_id, str):
            event = listings[listings["event_id"] == event_id]
            siblings = event[event["listing_key"] != listing_key]
            others = tuple(str(s) for s in siblings["slot_label"].dropna())
            # What the event's seats left were counted from: the engine tells sales since
            # then from another manager's change by it (a sync on a shared series date).
            if known_cells(event["sold"]).all() and known_cells(event["pending"]).all():
                taken = int(event["sold"].sum()) + int(event["pending"].sum())
        listing = replace(
            ListingState.from_row(row, other_classes=others), event_sold_pending=taken
        )
        if listing.channel == Channel.EVENTBRITE and listing.event_id:
            listing = replace(listing, event_capacity=self._fixed_event_capacity(event_id))
        return listing

    def _fixed_event_capacity(self, event_id: str) -> int | None:
        """An Eventbrite event's capacity when it is set on its own (custom): raising a
        class does not raise it. None when it is the sum of its classes, or not known."""
        catalog = self.catalogs.catalog()
        events = catalog.events if catalog is not None else ()
        event = next((e for e in events if e.event_id == event_id), None)
        if event is None or not event.capacity_is_custom:
            return None
        if event.tier is not None and event.tier.capacity_total is not None:
            return event.tier.capacity_total
        return event.capacity

    def _venue_capacity_of(self, listing_key: str, listings: pd.DataFrame) -> int:
        try:
            shows = self.live.saved_shows(listings)
        except StateUnavailable:
            return self.systems.settings.venue_capacity  # a preview still works without the DB
        for row in shows.itertuples():
            if listing_key in row.listing_keys:
                return int(row.venue_capacity)
        return self.systems.settings.venue_capacity

    def preview_change(self, change: Change, listings: pd.DataFrame | None = None) -> Preview:
        """old → new with warnings, or why it is refused; reads nothing from the platforms."""
        listings = self.live.listings() if listings is None else listings
        listing = self.listing_state(change.listing_key, listings)
        venue = self._venue_capacity_of(change.listing_key, listings)
        return preview_change(
            change, listing, venue_capacity=venue, max_capacity=self.systems.settings.max_capacity
        )

    def apply_change(
        self,
        change: Change,
        listings: pd.DataFrame | None = None,
        *,
        who: Actor | None = None,
        action: str = "change",
        down: dict[str, str] | None = None,
        venue_capacity: int | None = None,
        lock_wait: float | None = None,
    ) -> ChangeResult:
        """Apply one change through the engine (fresh read, write, verify, restore) with an
        audit row per attempt. Refused without touching a platform when the audit log
        cannot be written: every change must be on record. AccessDenied unless ``who``
        is a manager now. ``lock_wait``: how long to wait for another change to the same
        listing (the guard waits little: a manager's change in flight wins)."""
        actor = self._require(
            who, "manager", "change capacity", key=change.listing_key, tried=_tried(change)
        )
        listings = self.live.listings() if listings is None else listings
        listing = self.listing_state(change.listing_key, listings)
        try:
            self._state().ping()
        except StateUnavailable as exc:
            return ChangeResult(
                change.listing_key,
                "refused",
                f"{exc} Nothing was written: every change must be recorded first.",
                preview_change(
                    change, listing, venue_capacity=self.systems.settings.venue_capacity
                ),
            )
        venue = venue_capacity or self._venue_capacity_of(change.listing_key, listings)
        engine = self.inventory
        if lock_wait is not None:
            engine.lock_wait = lock_wait
        try:
            result = engine.apply(
                change, listing, who=actor.email, venue_capacity=venue, action=action, down=down
            )
        finally:
            self._changed()
            if listing.channel == Channel.EVENTBRITE and listing.event_id:
                self.catalogs.forget_class_read(listing.event_id)
        self.catalogs.remember_ticket_classes(*catalog_reads([result]))
        return result

    def save_show_mapping(
        self,
        show_key: str,
        listing_keys: list[str] | tuple[str, ...],
        *,
        venue_capacity: int | None = None,
        title: str | None = None,
        who: Actor | None = None,
        listings: pd.DataFrame | None = None,
    ) -> None:
        """Confirm a show: these listings, this venue capacity (None = the default).

        Managers only. A venue capacity below what is sold + pending on those listings,
        or above ``BRCC_MAX_CAPACITY``, is refused (ValueError with the reason); every
        venue capacity change, refusals included, is audited with before and after."""
        actor = self._require(
            who, "manager", "change show mappings and venue capacities", key=show_key
        )
        keys = tuple(listing_keys)
        saved = next((s for s in self._state().saved_shows() if s.show_key == show_key), None)
        before: int | None = saved.venue_capacity if saved else None
        if venue_capacity is not None:
            listings = self.live.listings() if listings is None else listings
            if before is None:  # what the show uses now: a rule's, or the default
                before = self._saved_venue_capacity(show_key, listings)
            refusal = venue_capacity_refusal(
                venue_capacity, _sold_pending(listings, keys), self.systems.settings.max_capacity
            )
            if refusal:
                self._record(
                    actor, "venue", show_key, "venue capacity", before, venue_capacity, refusal
                )
                raise ValueError(refusal)
        self._state().save_show(
            SavedShow(show_key, keys, venue_capacity, title or None), who=actor.email
        )
        self._mappings_changed()
        if venue_capacity is not None and before != venue_capacity:
            shown = "not saved" if before is None else before
            self._record(actor, "venue", show_key, "venue capacity", shown, venue_capacity)
        else:
            self._record(
                actor,
                "mapping",
                show_key,
                f"show of {len(keys)} listing(s), venue capacity",
                _venue(saved.venue_capacity) if saved else "not saved",
                _venue(venue_capacity),
            )

    def _saved_venue_capacity(self, show_key: str, listings: pd.DataFrame) -> int | None:
        shows = self.live.saved_shows(listings)
        row = shows[shows["show_key"] == show_key]
        return None if row.empty else int(row["venue_capacity"].iloc[0])

    def forget_show_mapping(self, show_key: str, *, who: Actor | None = None) -> None:
        actor = self._require(who, "manager", "change show mappings", key=show_key)
        self._state().forget_show(show_key)
        self._mappings_changed()
        self._record(actor, "mapping", show_key, "show mapping", "saved", "forgotten")

    def recurring_rules(self) -> list[RecurringRule]:
        return self._state().recurring_rules()

    def save_recurring_rule(self, rule: RecurringRule, *, who: Actor | None = None) -> int:
        actor = self._require(who, "manager", "change recurring rules")
        rule_id = self._state().save_rule(rule, who=actor.email)
        self._mappings_changed()
        self._record(actor, "rule", f"rule:{rule_id}", "recurring rule", None, rule.name)
        return rule_id

    def delete_recurring_rule(self, rule_id: int, *, who: Actor | None = None) -> None:
        actor = self._require(who, "manager", "change recurring rules")
        self._state().delete_rule(rule_id)
        self._mappings_changed()
        self._record(actor, "rule", f"rule:{rule_id}", "recurring rule", "saved", "deleted")

    # --- the unattended guard's policies and pause (brcc_core/guard runs the rounds) ---
    @property
    def guard_records(self) -> GuardRecords:
        return GuardRecords(self._state().engine)

    def guard_policies(self) -> dict[str, SyncPolicy]:
        """show key -> the policy the guard plans it with (shows without one: left alone)."""
        return {k: as_sync_policy(p) for k, p in self.guard_records.policies().items()}

    def guard_raises(self) -> set[str]:
        """Shows whose saved policy lets the guard raise what is on sale, not only lower it."""
        return {k for k, p in self.guard_records.policies().items() if p.allow_raise}

    def save_guard_policy(
        self,
        show_key: str,
        policy: SyncPolicy,
        *,
        allow_raise: bool = False,
        who: Actor | None = None,
    ) -> None:
        """Guard ``show_key`` with ``policy`` from the next round on. Managers only; audited
        with the policy before and after."""
        actor = self._require(who, "manager", "save a guard policy", key=show_key)
        saved = GuardPolicy(
            show_key, policy.kind, dict(policy.ratio), policy.buffer, allow_raise=allow_raise
        )
        before = self.guard_records.save_policy(saved, who=actor.email)
        self._record(
            actor,
            "policy",
            show_key,
            "guard policy",
            before.kind if before else "none",
            saved.kind,
            note=f"guarded by: {_policy_words(saved)} (before: {_policy_words(before)})",
        )

    def forget_guard_policy(self, show_key: str, *, who: Actor | None = None) -> None:
        """The guard leaves ``show_key`` alone from the next round on. Managers only; audited."""
        actor = self._require(who, "manager", "forget a guard policy", key=show_key)
        before = self.guard_records.forget_policy(show_key)
        self._record(
            actor,
            "policy",
            show_key,
            "guard policy",
            before.kind if before else "none",
            "none",
            note=f"no longer guarded (was: {_policy_words(before)})",
        )

    def guard_status(self) -> GuardStatus:
        return self.guard_records.status()

    def pause_guard(self, *, who: Actor | None = None, paused: bool = True) -> None:
        """A paused guard does rounds of nothing (and says so) until resumed. Managers
        only; audited."""
        doing = "pause the guard" if paused else "resume the guard"
        actor = self._require(who, "manager", doing, key="guard")
        before = self.guard_records.set_paused(paused, who=actor.email)
        words = {True: "paused", False: "running"}
        self._record(actor, "pause", "guard", "unattended guard", words[before], words[paused])

    def guard_undo(self, change: Change, listings: pd.DataFrame | None = None) -> GuardUndo | None:
        """The guard's write that would undo ``change`` once confirmed (``guard_undo``: the
        show's saved policy, the guard not paused, planned on the numbers the change
        leaves); None when it would not, or when that cannot be read (the preview still
        works without the app-state database)."""
        listings = self.live.listings() if listings is None else listings
        preview = self.preview_change(change, listings)
        if not preview.allowed:
            return None
        try:
            saved = self.guard_records.policies()
            status = self.guard_status()
            shows = self.live.saved_shows(listings)
        except StateUnavailable:
            return None
        show = next(
            (s for s in shows.to_dict("records") if change.listing_key in s["listing_keys"]),
            None,
        )
        if show is None or show["show_key"] not in saved:
            return None
        listing = self.listing_state(change.listing_key, listings)
        return guard_undo(
            sync_show(show, listings),
            change.listing_key,
            remaining_after=preview.remaining_after,
            capacity_after=preview.capacity_after,
            saved=saved[show["show_key"]],
            status=status,
            now=clock.now(),
            guard_days=self.systems.settings.guard_days,
            event_capacity_fixed=listing.event_capacity is not None,
        )

    def plan_sync(
        self,
        show_keys: list[str] | tuple[str, ...],
        policy: SyncPolicy,
        listings: pd.DataFrame | None = None,
    ) -> list[SyncPlan]:
        """Dry run: one plan per show, in the order given (unknown keys are skipped)."""
        listings = self.live.listings() if listings is None else listings
        shows = self.live.saved_shows(listings).set_index("show_key", drop=False)
        return [
            plan_sync(sync_show(shows.loc[key].to_dict(), listings), policy)
            for key in show_keys
            if key in shows.index
        ]

    def apply_sync(
        self,
        plans: list[SyncPlan],
        row_keys: set[str] | None = None,
        *,
        listings: pd.DataFrame | None = None,
        who: Actor | None = None,
    ) -> list[tuple[SyncRow, ChangeResult]]:
        """Run the chosen "change" rows (``SyncRow.row_key``; None = all) through the
        change engine, one at a time, and report per row. Once a channel stops answering,
        its remaining rows are refused without calling it again. Managers only."""
        self._require(who, "manager", "run Sync")
        listings = self.live.listings() if listings is None else listings
        down: dict[str, str] = {}
        outcomes: list[tuple[SyncRow, ChangeResult]] = []
        for plan in plans:
            note = f"sync {plan.show_key}: {plan.policy.describe()}"
            for row in plan.changes:
                if row_keys is not None and row.row_key not in row_keys:
                    continue
                change = Change(
                    row.listing_key,
                    seen_remaining=row.remaining,
                    value=int(row.target_remaining),
                    field="remaining",
                    note=note,
                    event_level=True,
                )
                result = self.apply_change(
                    change,
                    listings,
                    who=who,
                    action="sync",
                    down=down,
                    venue_capacity=plan.venue_capacity,
                )
                if result.channel_down:
                    down.setdefault(row.channel, _first_sentence(result.message))
                outcomes.append((row, result))
        self._changed()
        return outcomes


def _policy_words(saved: GuardPolicy | None) -> str:
    if saved is None:
        return "none"
    raise_words = "; may raise" if saved.allow_raise else ""
    return f"{as_sync_policy(saved).describe()}{raise_words}"


def _tried(change: Change) -> str:
    """What a change asked for, in the audit's words."""
    return f"{change.field} → {change.value}"


def _venue(capacity: int | None) -> str:
    return "default" if capacity is None else str(capacity)


def _sold_pending(listings: pd.DataFrame, keys: tuple[str, ...]) -> int | None:
    """Sold + pending over these listings; None when any of them is unknown."""
    rows = listings[listings["listing_key"].isin(keys)]
    if unknown_cells(rows["sold"]).any():
        return None
    return int(rows["sold"].sum()) + int(rows["pending"].fillna(0).sum())


def _first_sentence(text: str) -> str:
    return text.split(". ")[0].rstrip(".")
