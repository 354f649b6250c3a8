"""The catalog in use: kept in memory and a signed pickle, changed only by a refresh.

A refresh reads both channels at once within a deadline, keeps a channel's earlier part
when it fails or its answer would drop most of the catalog, and reads Eventbrite's ticket
classes only as far as the hour's calls allow (``refresh_plan``)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from brcc_core.catalog.build import (
    Catalog,
    build_catalog,
    eventbrite_drop,
    keep_unreadable_booking_dates,
    woocommerce_drop,
)
from brcc_core.catalog.cache import CatalogCache, data_dir_problem, disk_problem
from brcc_core.catalog.merge import (
    catalog_changes,
    impossible_seats,
    keep_earlier_ticket_classes,
    keep_earlier_tiers,
    keep_failed_parts,
    kept_part,
    late_reason,
    patch_catalog,
)
from brcc_core.catalog.refresh_plan import (
    UNREAD_LATER,
    ClassReadPlan,
    KeptClasses,
    ReadBudget,
    kept_classes_valid,
    plan_class_reads,
    plan_read_budget,
)
from brcc_core.channels.connections import Connections
from brcc_core.channels.eventbrite import (
    READS_IN_FLIGHT,
    SELLING_STATUSES,
    TicketClassesResult,
)
from brcc_core.channels.eventbrite_records import CapacityTier, TicketClass
from brcc_core.channels.http import AuthError, IntegrationError, RateLimited
from brcc_core.common import clock
from brcc_core.common.club import HOURLY_LIMIT, Channel
from brcc_core.common.deadlines import within_deadline
from brcc_core.people.access import Access, Actor, record_read
from brcc_core.store.state import AuditEntry

log = logging.getLogger(__name__)

RefreshProgress = Callable[[str, int, int | None], None]
"""``progress(step, done, total)``: step is "WooCommerce pages", "Eventbrite events" or
"Ticket classes"; total is None when the API does not say."""

# Events whose ticket classes are read between two looks at the hour's calls left: the
# most a refresh can overspend the write reserve by (twice this, with holds). A whole
# number of rounds of the client's reads in flight, so no round waits half empty.
CLASS_BATCH = 2 * READS_IN_FLIGHT


@dataclass(frozen=True)
class RefreshResult:
    catalog: Catalog
    changes: dict[str, tuple[int, int]]  # what -> (added, removed)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    eventbrite_calls: int = 0  # HTTP calls this refresh made to Eventbrite
    classes_read: int = 0  # events whose ticket classes were read
    classes_kept: int = 0  # events whose classes were kept from an earlier read
    classes_unread: int = 0  # later events never read yet: no room in this hour's calls
    # Channels whose answer would have dropped most of what the last catalog had: kept
    # aside (the earlier part stays, marked); ``refresh_catalog(accept_drops=True)`` takes it.
    kept_aside: tuple[str, ...] = ()
    # Why the refreshed catalog could not be saved (a full or read-only disk): it is in use
    # in this process all the same.
    unsaved: str | None = None


@dataclass(frozen=True)
class _EventbriteRead:
    """What the Eventbrite half of a refresh read, before the catalog keeps any of it."""

    events: list[dict]
    occurrences: list[dict]
    plan: ClassReadPlan
    classes: TicketClassesResult
    class_errors: dict[str, str]
    tier_errors: dict[str, str]
    budget: ReadBudget  # what this hour's calls let the refresh read
    message: str | None  # the refresh status for Eventbrite, when not all went well


class CatalogKeeper:
    """The catalog in use and how it is refreshed (the only way it changes, besides the
    Eventbrite numbers a capacity change has just read)."""

    def __init__(
        self,
        systems: Connections,
        *,
        cache: CatalogCache,
        access: Callable[[], Access],
        audit: Callable[[AuditEntry], None],
        changed: Callable[[], None],
    ):
        self.systems = systems
        self.cache = cache
        self._access = access
        self._audit = audit
        self._changed = changed  # a refresh: nobody may see numbers read before it
        self._catalog: Catalog | None = None
        self._catalog_warning: str | None = None
        self._unsaved: str | None = None  # why the catalog in use is not on disk
        self._lock = threading.Lock()
        self._kept_classes: dict[str, KeptClasses] | None = None  # loaded on first refresh
        self._last_refresh_eventbrite_calls: int | None = None

    def catalog(self) -> Catalog | None:
        """The cached catalog (memory, else the signed pickle); None when there is none.
        Never fetches: only ``refresh_catalog`` does."""
        with self._lock:
            if self._catalog is None:
                loaded = self.cache.load(valid=lambda value: isinstance(value, Catalog))
                # Kept until a refresh: the bad file is gone after the first load.
                self._catalog_warning = loaded.warning or self._catalog_warning
                if isinstance(loaded.value, Catalog):
                    self._catalog = loaded.value
            return self._catalog

    @property
    def catalog_warning(self) -> str | None:
        """Why the saved catalog was discarded at load, if it was."""
        return self._catalog_warning

    @property
    def unsaved(self) -> str | None:
        """Why the catalog in use is not on disk (a refresh that could not be saved)."""
        return self._unsaved

    def storage_warning(self) -> str | None:
        """Why a refresh cannot be saved now (a read-only or full data directory), or why
        the catalog in use is not on disk; None when all is well."""
        if self._unsaved:
            return self._unsaved
        problem = data_dir_problem(self.cache.data_dir)
        if problem is None:
            return None
        return (
            f"Nothing can be saved now: {problem}. The saved catalog is read and used; a "
            "refresh is kept until the app restarts."
        )

    def refresh(
        self,
        progress: RefreshProgress | None = None,
        *,
        who: Actor | None = None,
        first_build: bool = False,
        accept_drops: bool = False,
    ) -> RefreshResult:
        """Fetch the catalog from both APIs, save it, and say what changed.

        Both channels are read at once, and the refresh waits for them no longer than
        ``settings.refresh_deadline_seconds``. A channel that fails, or has not answered
        by then, keeps its part of the previous catalog and reports why; the other
        channel is refreshed all the same. So does a channel whose answer would drop most
        of what the last catalog had (``catalog.eventbrite_drop``, ``woocommerce_drop``),
        unless ``accept_drops``: that answer is kept aside and reported.

        ``who`` pressed Refresh data: any role may (it reads, and leaves the calls kept
        for capacity changes), and it is audited with their e-mail. ``first_build``: no
        catalog exists and a page needs one, whoever opened it (audited too).
        """
        actor = who
        if who is not None and not first_build:
            actor = self._access().require(who, "viewer", "refresh the catalog", key="catalog")
        result = self._refresh(progress, accept_drops)
        if actor is not None:
            record_read(
                self._audit,
                actor,
                ("refresh", "catalog", "app"),
                "first catalog build" if first_build else "catalog refresh",
                f"{result.eventbrite_calls} Eventbrite calls",
                "failed" if result.errors else "ok",
                "; ".join(f"{c}: {e}" for c, e in result.errors.items()) or None,
                f"{result.seconds:.1f} s",
            )
        return result

    def _refresh(
        self, progress: RefreshProgress | None, accept_drops: bool = False
    ) -> RefreshResult:
        started = time.perf_counter()
        previous = self.catalog()
        now = clock.now()
        errors: dict[str, str] = {}
        deadline = float(self.systems.settings.refresh_deadline_seconds)
        late = threading.Event()  # set when the deadline passed: a late reader stops

        def step(name: str) -> Callable[[int, int | None], None]:
            return lambda done, total: progress(name, done, total) if progress else None

        calls_before = self.systems.eventbrite.calls
        refusal = self.eventbrite_refresh_refusal(previous)
        reads: dict[str, Callable[[], object]] = {
            Channel.WOOCOMMERCE: lambda: self._read_products(step("WooCommerce pages"))
        }
        if not refusal:
            reads[Channel.EVENTBRITE] = lambda: self._read_eventbrite(now, previous, step, late)
        answered = within_deadline(reads, deadline)
        late.set()
        for channel in reads.keys() - answered.keys():
            errors[channel] = late_reason(channel, deadline, previous)

        products = answered.get(Channel.WOOCOMMERCE)
        if isinstance(products, IntegrationError):
            errors[Channel.WOOCOMMERCE] = str(products)
            products = None
        eb = answered.get(Channel.EVENTBRITE)
        if refusal:
            errors[Channel.EVENTBRITE] = refusal
        elif isinstance(eb, IntegrationError):
            errors[Channel.EVENTBRITE] = str(eb)
        kept_aside: list[str] = []
        if isinstance(eb, _EventbriteRead):
            # What it planned to read again. Not the calls made meanwhile: they are every
            # session's (30 refreshes at once costed the next at up to 957 calls, not 35),
            # and a failed or late read says nothing of the next one.
            self._last_refresh_eventbrite_calls = eb.budget.next_refresh_calls
        if not isinstance(eb, _EventbriteRead):
            eb = None
        elif (drop := eventbrite_drop(previous, eb.occurrences, now)) and not accept_drops:
            errors[Channel.EVENTBRITE] = f"{drop}{kept_part(Channel.EVENTBRITE, previous)}"
            kept_aside.append(Channel.EVENTBRITE)
            eb = None
        else:
            self._keep_class_reads(eb.classes, eb.plan, eb.occurrences, now)
            if eb.message:
                errors[Channel.EVENTBRITE] = eb.message
        plan = eb.plan if eb else ClassReadPlan()
        budget = eb.budget if eb else ReadBudget([], [], [], 0)
        class_errors = eb.class_errors if eb else {}
        unread = dict.fromkeys(budget.unread, UNREAD_LATER)
        fresh = build_catalog(
            products=products or [],
            events=eb.events if eb else [],
            ticket_classes=eb.classes if eb else {},
            timezone=self.systems.settings.timezone,
            fetched_at=now,
            eventbrite_fetched_at=now if eb else None,
            errors=errors,
            ticket_class_errors={**class_errors, **unread},
            capacity_tiers=eb.classes.tiers if eb else None,
            capacity_tier_errors=eb.tier_errors if eb else None,
        )
        if products is not None and not accept_drops:
            drop = woocommerce_drop(previous, fresh)
            if drop:
                errors[Channel.WOOCOMMERCE] = f"{drop}{kept_part(Channel.WOOCOMMERCE, previous)}"
                fresh = replace(fresh, errors=dict(errors))
                kept_aside.append(Channel.WOOCOMMERCE)
                products = None
        fresh = keep_unreadable_booking_dates(fresh, previous)
        if plan.keep:
            read_at = {e: k.read_at for e, k in plan.keep.items()}
            fresh = replace(fresh, ticket_classes_read_at=read_at)
        if previous is not None:
            # Kept classes keep their tier; so do events read again beyond the tier's hours.
            not_reread = set(plan.keep) | (set(budget.classes) - set(budget.tiers))
            fresh = keep_earlier_tiers(fresh, previous, not_reread)
        if previous is not None and (products is None or eb is None):
            fresh = keep_failed_parts(fresh, previous, products is None, eb is None)
        if previous is not None and class_errors:
            fresh = keep_earlier_ticket_classes(fresh, previous)
        unsaved = None
        try:
            self.cache.save(fresh)
        except OSError as exc:
            # The refresh worked (its calls are spent): keep it in use, say why it is
            # not on disk; the next refresh tries to save again.
            unsaved = (
                f"The refreshed catalog could not be saved: {disk_problem(exc)}. It is in "
                "use until the app restarts; the next Refresh data tries to save it again."
            )
            log.warning("catalog not saved: %s", disk_problem(exc))
        with self._lock:
            self._catalog = fresh
            self._catalog_warning = None
            self._unsaved = unsaved
        self._changed()
        return RefreshResult(
            catalog=fresh,
            changes=catalog_changes(previous, fresh),
            errors=errors,
            seconds=time.perf_counter() - started,
            eventbrite_calls=self.systems.eventbrite.calls - calls_before,
            classes_read=len(budget.classes),
            classes_kept=len(plan.keep),
            classes_unread=len(budget.unread),
            kept_aside=tuple(kept_aside),
            unsaved=unsaved,
        )

    def _read_products(self, progress: Callable[[int, int | None], None]) -> object:
        """WooCommerce's products, or the error that stopped the read (returned, so the
        refresh can tell it from a read still under way)."""
        try:
            return self.systems.woocommerce.list_products(progress=progress)
        except IntegrationError as exc:
            return exc

    def _read_eventbrite(
        self,
        now: datetime,
        previous: Catalog | None,
        step: Callable[[str], Callable[[int, int | None], None]],
        late: threading.Event,
    ) -> _EventbriteRead | IntegrationError:
        """Eventbrite's events and the ticket classes due, without touching what the app
        keeps: a read the refresh stopped waiting for is simply dropped."""
        listed = step("Eventbrite events")
        pages = [0]  # this walk's own pages: the process's call count is every session's

        def page_read(done: int, total: int | None) -> None:
            pages[0] = done
            listed(done, total)

        try:
            events = self.systems.eventbrite.list_events(
                progress=page_read, keep=self.systems.settings.eb_write_reserve
            )
            occurrences = [e for e in events if not e.get("is_series_parent")]
            plan = self._plan_class_reads(occurrences, now)
            # Holds and carts are read with the classes of events still selling; events
            # whose classes are kept keep the tier read with them (_keep_earlier_tiers).
            budget = plan_read_budget(
                plan,
                [e for e in events if e.get("status") in SELLING_STATUSES],
                list_calls=pages[0],
                calls_left=self.systems.eventbrite.calls_left_this_hour(),
                reserve=self.systems.settings.eb_write_reserve,
            )
            classes, stopped = self._read_ticket_classes(
                budget.classes, set(budget.tiers), step("Ticket classes"), late
            )
        except IntegrationError as exc:
            return exc
        class_errors = {event_id: str(exc) for event_id, exc in classes.errors.items()}
        tier_errors = {event_id: str(exc) for event_id, exc in classes.tier_errors.items()}
        class_errors.update(impossible_seats(classes))
        for event_id in class_errors:
            classes.pop(event_id, None)
        message = None
        if stopped:
            message = stopped
        elif class_errors:
            first = next(iter(class_errors.values()))
            message = f"ticket classes of {len(class_errors)} event(s) could not be read: {first}"
        elif classes.tier_errors:
            first = next(iter(classes.tier_errors.values()))
            message = (
                f"holds and carts of {len(classes.tier_errors)} event(s) could not be "
                f"read (their seats left are unknown): {first}"
            )
        return _EventbriteRead(
            events, occurrences, plan, classes, class_errors, tier_errors, budget, message
        )

    def _read_ticket_classes(
        self,
        event_ids: list[str],
        selling: set[str],
        progress: Callable[[int, int | None], None],
        late: threading.Event,
    ) -> tuple[TicketClassesResult, str | None]:
        """The classes of ``event_ids`` in batches, each only as large as the calls left
        above ``BRCC_EB_WRITE_RESERVE`` allow: once the hour's calls reach the reserve,
        the events not yet read fail with why (and keep their earlier classes).
        Also stops when the refresh stopped waiting. Returns the classes and, when it
        stopped early, a sentence saying so."""
        reserve = self.systems.settings.eb_write_reserve
        result = TicketClassesResult()
        pending, total, stopped = list(event_ids), len(event_ids), None
        while pending and stopped is None:
            if late.is_set():
                stopped = "the refresh stopped waiting for Eventbrite"
                break
            room = self.systems.eventbrite.calls_left_this_hour() - reserve
            batch: list[str] = []
            for event_id in pending[:CLASS_BATCH]:
                # one call for the classes, one more for the holds of an event selling
                cost = len(batch) + sum(e in selling for e in batch) + 1 + (event_id in selling)
                if cost > room:
                    break
                batch.append(event_id)
            if not batch:
                left = total - len(pending)
                stopped = (
                    f"stopped after reading the ticket classes of {left} of {total} "
                    f"event(s): the Eventbrite calls left this hour reached the {reserve:,} "
                    "kept for capacity changes. The other events keep their earlier numbers "
                    "(with their age), or are unknown if never read; refresh again later "
                    "in the hour."
                )
                break
            done = total - len(pending)
            part = self.systems.eventbrite.ticket_classes(
                batch,
                keep=reserve,
                tiers_for=[e for e in batch if e in selling],
                progress=lambda n, _total, done=done: progress(done + n, total),
            )
            result.update(part)
            result.errors.update(part.errors)
            result.tiers.update(part.tiers)
            result.tier_errors.update(part.tier_errors)
            pending = pending[len(batch) :]
            # A rejected token or a spent rate limit fails the rest too, as within a batch.
            fatal = next(
                (e for e in part.errors.values() if isinstance(e, AuthError | RateLimited)), None
            )
            if fatal is not None:
                result.errors.update(dict.fromkeys(pending, fatal))
                pending = []
        for event_id in pending:
            result.errors[event_id] = IntegrationError(Channel.EVENTBRITE, f"not read: {stopped}")
        return result, stopped

    # Ticket classes are read per event (one call each): past events once, upcoming ones
    # within BRCC_EB_REFRESH_DAYS on every refresh, the rest kept (brcc_core.catalog.refresh_plan).
    def _class_store(self) -> CatalogCache:
        return CatalogCache(
            self.cache.data_dir,
            key=self.cache._key,
            filename="eventbrite-classes.pkl",
            stamp=self.cache.stamp,
        )

    def _kept_class_reads(self) -> dict[str, KeptClasses]:
        if self._kept_classes is None:
            loaded = self._class_store().load(valid=kept_classes_valid).value
            self._kept_classes = loaded if isinstance(loaded, dict) else {}
        return self._kept_classes

    def _plan_class_reads(self, occurrences: list[dict], now: datetime) -> ClassReadPlan:
        horizon = timedelta(days=self.systems.settings.eb_refresh_days)
        return plan_class_reads(occurrences, self._kept_class_reads(), now=now, horizon=horizon)

    def _keep_class_reads(
        self, classes: dict, plan: ClassReadPlan, occurrences: list[dict], now: datetime
    ) -> None:
        """Add the kept answers to this refresh's classes and remember the new ones; an
        event no longer listed is forgotten."""
        kept: dict[str, KeptClasses] = {}
        for event_id, answer in plan.keep.items():
            classes[event_id] = list(answer.classes)
            kept[event_id] = answer
        for event_id in plan.read:
            if event_id in classes:
                kept[event_id] = KeptClasses(now, tuple(classes[event_id]))
        listed = {str(e.get("id")) for e in occurrences}
        self._kept_classes = {e: k for e, k in kept.items() if e in listed}
        try:
            self._class_store().save(self._kept_classes)
        except OSError as exc:  # the next process reads them again: slower, not wrong
            log.warning("could not save the Eventbrite classes read: %s", exc)

    def refresh_cost(self, catalog: Catalog | None = None) -> int:
        """Eventbrite calls a refresh will make: what the last one planned for the next
        (its list pages and the reads it would make again; a first build's one-off reads of
        later events excluded); before this process's first, from the catalog: the pages
        of the events list and, for the event dates within the refresh horizon, their
        classes and tiers (later ones are kept, brcc_core.catalog.refresh_plan). Costing every date
        refused each refresh after a restart at large scale (2,250 dates, 1,700 allowed)."""
        if self._last_refresh_eventbrite_calls:
            return self._last_refresh_eventbrite_calls
        catalog = catalog if catalog is not None else self.catalog()
        if catalog is None:
            return 2
        dates = [e for e in catalog.events if not e.is_series_parent]
        now = clock.now()
        since, until = (
            now - timedelta(days=1),
            now + timedelta(days=self.systems.settings.eb_refresh_days),
        )
        near = sum(1 for e in dates if e.starts_at is None or since <= e.starts_at <= until)
        return 2 + len(dates) // 50 + 2 * near

    def eventbrite_refresh_refusal(self, catalog: Catalog | None = None) -> str | None:
        """Why a refresh must leave Eventbrite alone now, or None: it would eat into the
        calls kept this hour for capacity changes (``BRCC_EB_WRITE_RESERVE``)."""
        reserve = self.systems.settings.eb_write_reserve
        left = self.systems.eventbrite.calls_left_this_hour()
        cost = self.refresh_cost(catalog)
        if left - cost >= reserve:
            return None
        return (
            f"not refreshed: a refresh costs about {cost:,} Eventbrite calls and "
            f"{left:,} of {HOURLY_LIMIT:,} are left this hour, of which {reserve:,} are kept for "
            "capacity changes. Eventbrite numbers stay as they were; try again later "
            "in the hour."
        )

    def forget_class_read(self, event_id: str) -> None:
        """The engine has just read (and maybe written) this event: the next refresh reads
        it again instead of keeping an earlier answer. Events 8 days out and later are kept
        for up to an hour, and a refresh that brought back the numbers a refused change
        had seen through would have it refused as "changed since you looked" again."""
        with self._lock:
            self._kept_class_reads().pop(str(event_id), None)

    def remember_ticket_classes(
        self, classes: list[TicketClass | None], tiers: dict[str, CapacityTier] | None = None
    ) -> None:
        """Keep the catalog's Eventbrite numbers as the engine last read them."""
        with self._lock:
            if self._catalog is not None:
                self._catalog = patch_catalog(self._catalog, classes, tiers)


def empty_catalog(timezone: str) -> Catalog:
    return Catalog(fetched_at=clock.now(), timezone=timezone)
