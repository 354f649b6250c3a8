"""``BoxOffice``: the one facade the pages call.

It owns the connections to the club's systems (or to the sandbox in demo mode), keeps
the catalog (memory + signed pickle, changed only by ``refresh_catalog``), and answers
the pages' questions; pages never do HTTP or SQL themselves.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from brcc_core.capacity.engine import ChangeResult, InventoryEngine, catalog_reads, patch_catalog
from brcc_core.capacity.locks import WAIT_SECONDS, Locks
from brcc_core.capacity.preview import (
    Change,
    ListingState,
    Preview,
    preview_change,
    venue_capacity_refusal,
)
from brcc_core.capacity.sync import SyncPlan, SyncPolicy, SyncRow, plan_sync, sync_show
from brcc_core.catalog.build import (
    Catalog,
    build_catalog,
    eventbrite_drop,
    keep_unreadable_booking_dates,
    woocommerce_drop,
)
from brcc_core.catalog.cache import CatalogCache, data_dir_problem, disk_problem
from brcc_core.catalog.refresh_plan import (
    UNREAD_LATER,
    ClassReadPlan,
    KeptClasses,
    ReadBudget,
    kept_classes_valid,
    plan_class_reads,
    plan_read_budget,
)
from brcc_core.channels.eventbrite import (
    READS_IN_FLIGHT,
    SELLING_STATUSES,
    EventbriteClient,
    TicketClassesResult,
)
from brcc_core.channels.eventbrite_records import CapacityTier, TicketClass
from brcc_core.channels.http import AuthError, IntegrationError, RateLimited, no_answer_within
from brcc_core.channels.woocommerce import WooCommerceClient
from brcc_core.channels.wordpress import WordPressReader, WordPressUnavailable, wordpress_engine
from brcc_core.common import clock
from brcc_core.common.club import HOURLY_LIMIT, Channel, seat_number
from brcc_core.common.formats import age_label
from brcc_core.common.keys import event_id_of, is_eventbrite_key, occurrence_of_listing
from brcc_core.common.values import known_cells, unknown_cells
from brcc_core.live.health import Check, Health, disk_health, memory_health, with_call_budget
from brcc_core.live.listings import build_listings
from brcc_core.live.shared_reads import SharedValues
from brcc_core.live.shows import map_shows, suggest_shows
from brcc_core.people.access import Access, Actor, MeetingLink, Role, app_audit_entry
from brcc_core.sales.door import count_attendees, door_rows, tonight_shows
from brcc_core.sales.eventbrite_orders import EventbriteSales, SyncResult
from brcc_core.sales.history import SalesHistory, read_sales
from brcc_core.sales.pace import pace_table
from brcc_core.sales.site_history import WooCommerceHistory
from brcc_core.settings import Settings
from brcc_core.store.saved_shows import RecurringRule, SavedShow
from brcc_core.store.state import AuditEntry, StateUnavailable
from brcc_core.store.state import State as AppState
from brcc_core.store.systems import StateRefused, claim, move_legacy_demo
from brcc_core.views.dashboard import DashboardView, build_dashboard_view

if TYPE_CHECKING:
    from brcc_core.sandbox.twin import Sandbox

log = logging.getLogger(__name__)
K = TypeVar("K", bound=str)
T = TypeVar("T")

RefreshProgress = Callable[[str, int, int | None], None]
"""``progress(step, done, total)``: step is "WooCommerce pages", "Eventbrite events" or
"Ticket classes"; total is None when the API does not say."""

SAVED_SHOWS_ERROR = "saved_shows_error"
"""``shows().attrs`` key: why saved shows (and their venue capacities) are not in use."""
SLOW_SECONDS = 2.0
LIVE_READ_AT = "live_read_at"  # listings.attrs key: when its live numbers were read (UTC)
# listings.attrs key: why its live numbers are older than this view (a stuck read)
LIVE_HELD_UP = "live_held_up"
# Events whose ticket classes are read between two looks at the hour's calls left: the
# most a refresh can overspend the write reserve by (twice this, with holds). A whole
# number of rounds of the client's reads in flight, so no round waits half empty.
CLASS_BATCH = 2 * READS_IN_FLIGHT


class StartupError(RuntimeError):
    """The club's systems (in demo mode, the sandbox) cannot be opened; the message says
    what to do and holds no secret."""


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


@dataclass(frozen=True)
class _Mappings:
    """What a manager confirmed: saved shows and recurring rules, as last read."""

    saved: list[SavedShow]
    rules: list[RecurringRule]
    held_up: str | None = None  # why these were not read for this view


@dataclass(frozen=True)
class LiveNumbers:
    """What ``listings()`` read from the WordPress DB this render (or why it could not)."""

    ticket_counts: pd.DataFrame | None
    stock: pd.DataFrame | None
    error: str | None
    statements: int
    # When the database was read (UTC); shared between sessions for a few seconds.
    read_at: datetime | None = None
    # Why these are not numbers read for this view: another view's read of the database
    # is stuck, and these are the last good ones (their age is read_at's).
    held_up: str | None = None


class BoxOffice:
    def __init__(
        self,
        settings: Settings,
        *,
        woocommerce: WooCommerceClient,
        eventbrite: EventbriteClient,
        wordpress: WordPressReader,
        cache: CatalogCache,
        sandbox: Sandbox | None = None,
        state: AppState | None = None,
    ):
        self.settings = settings
        self.woocommerce = woocommerce
        self.eventbrite = eventbrite
        self.wordpress = wordpress
        self.cache = cache
        self.sandbox = sandbox
        self._catalog: Catalog | None = None
        self._catalog_warning: str | None = None
        self._unsaved: str | None = None  # why the catalog in use is not on disk
        self._lock = threading.Lock()
        self._state = state  # the app-state DB, opened on first use (see ``state``)
        self._state_claimed = False  # checked to belong to settings.systems (systems.py)
        self._state_lock = threading.Lock()
        # Eventbrite's hour belongs to the token: every server counts its calls in the
        # app-state database, so the write reserve holds with several of them.
        eventbrite.share_budget(lambda: self.state.engine)
        # One read of the live numbers serves every session for a few seconds; cleared
        # by every write and refresh (``_live_changed``).
        self.shared_live: SharedValues[LiveNumbers] = SharedValues(settings.live_share_seconds)
        self._listings_memo: tuple[Catalog, LiveNumbers, pd.DataFrame] | None = None
        # What the dashboard draws from one read (shows, key figures, table, chart) and
        # the health checks are shared for as long as the read: twenty viewers build and
        # measure them once (``dashboard_view``, ``shared_health``).
        self.shared_views: SharedValues[DashboardView] = SharedValues(settings.live_share_seconds)
        self.shared_health_checks: SharedValues[tuple[float, list[Health]]] = SharedValues(
            settings.live_share_seconds
        )
        # The sales history (a year: tens of seconds to read) serves every rerun and
        # session for minutes; a sale moves pace by a seat, a write or sync clears it.
        self.shared_history: SharedValues[SalesHistory] = SharedValues(
            settings.history_share_seconds
        )
        # Saved shows and recurring rules, read on every view: shared for as long as the
        # live numbers, so a stuck app-state database holds one view, not every one.
        self.shared_mappings: SharedValues[_Mappings] = SharedValues(settings.live_share_seconds)
        self._kept_classes: dict[str, KeptClasses] | None = None  # loaded on first refresh
        self._access: Access | None = None
        self._last_refresh_eventbrite_calls: int | None = None
        self._eb_sales: EventbriteSales | None = None
        self._wc_history: WooCommerceHistory | None = None
        self._locks: Locks | None = None
        # How long a change waits for another manager's change to the same listing.
        self.lock_wait = WAIT_SECONDS

    @classmethod
    def from_settings(cls, settings: Settings, *, state: AppState | None = None) -> BoxOffice:
        """Connect to the club's systems, or to the sandbox in demo mode (seeding it on
        first use). Nothing is fetched yet."""
        key = settings.cache_key.reveal().encode() if settings.cache_key else None
        move_legacy_demo(settings)  # a demo's files in data/, from before data/demo/
        cache = CatalogCache(settings.data_dir, key=key, stamp=settings.systems)
        if settings.is_demo:
            # The one place production code loads the sandbox: only demo mode needs it.
            from brcc_core.sandbox.twin import Sandbox, SandboxError

            try:
                sandbox = Sandbox.open(
                    settings.sandbox_db_url,
                    scale=settings.sandbox_scale,
                    seed_number=settings.sandbox_seed,
                    history_weeks=settings.sandbox_history_weeks,
                    table_prefix=settings.wp_table_prefix,
                    lock_dir=settings.data_dir,
                )
            except SandboxError as exc:
                raise StartupError(str(exc)) from exc
            return cls.on_sandbox(sandbox, settings, cache=cache, state=state)
        engine = wordpress_engine(
            settings.wp_db_url.reveal(), deadline_seconds=settings.db_deadline_seconds
        )
        return cls(
            settings,
            woocommerce=WooCommerceClient(
                settings.wc_url, settings.wc_consumer_key, settings.wc_consumer_secret
            ),
            eventbrite=EventbriteClient(
                settings.eb_token, settings.eb_organization_id, base_url=settings.eb_api_url
            ),
            wordpress=WordPressReader(engine, settings.wp_table_prefix),
            cache=cache,
            state=state,
        )

    @classmethod
    def on_sandbox(
        cls,
        sandbox: Sandbox,
        settings: Settings,
        *,
        cache: CatalogCache | None = None,
        state: AppState | None = None,
    ) -> BoxOffice:
        """A BoxOffice whose real clients talk to ``sandbox`` in process."""
        return cls(
            settings,
            woocommerce=WooCommerceClient(
                sandbox.wc_url,
                sandbox.wc_consumer_key,
                sandbox.wc_consumer_secret,
                session=sandbox.session(),
            ),
            eventbrite=EventbriteClient(
                sandbox.eb_token,
                sandbox.eb_organization_id,
                base_url=sandbox.eb_api_url,
                session=sandbox.session(),
            ),
            wordpress=WordPressReader(sandbox.engine, settings.wp_table_prefix),
            cache=cache or CatalogCache(settings.data_dir, stamp=settings.systems),
            sandbox=sandbox,
            state=state,
        )

    # --- catalog ---------------------------------------------------------------------
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

    def refresh_catalog(
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
            actor = self._require(who, "viewer", "refresh the catalog", key="catalog")
        result = self._refresh_catalog(progress, accept_drops)
        if actor is not None:
            self._record_read(
                actor,
                ("refresh", "catalog", "app"),
                "first catalog build" if first_build else "catalog refresh",
                f"{result.eventbrite_calls} Eventbrite calls",
                "failed" if result.errors else "ok",
                "; ".join(f"{c}: {e}" for c, e in result.errors.items()) or None,
                f"{result.seconds:.1f} s",
            )
        return result

    def _refresh_catalog(
        self, progress: RefreshProgress | None, accept_drops: bool = False
    ) -> RefreshResult:
        started = time.perf_counter()
        previous = self.catalog()
        now = clock.now()
        errors: dict[str, str] = {}
        deadline = float(self.settings.refresh_deadline_seconds)
        late = threading.Event()  # set when the deadline passed: a late reader stops

        def step(name: str) -> Callable[[int, int | None], None]:
            return lambda done, total: progress(name, done, total) if progress else None

        calls_before = self.eventbrite.calls
        refusal = self.eventbrite_refresh_refusal(previous)
        reads: dict[str, Callable[[], object]] = {
            Channel.WOOCOMMERCE: lambda: self._read_products(step("WooCommerce pages"))
        }
        if not refusal:
            reads[Channel.EVENTBRITE] = lambda: self._read_eventbrite(now, previous, step, late)
        answered = _within_deadline(reads, deadline)
        late.set()
        for channel in reads.keys() - answered.keys():
            errors[channel] = _late_reason(channel, deadline, previous)

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
        if not isinstance(eb, _EventbriteRead):
            eb = None
        elif (drop := eventbrite_drop(previous, eb.occurrences, now)) and not accept_drops:
            errors[Channel.EVENTBRITE] = f"{drop}{_kept_part(Channel.EVENTBRITE, previous)}"
            kept_aside.append(Channel.EVENTBRITE)
            eb = None
        else:
            self._keep_class_reads(eb.classes, eb.plan, eb.occurrences, now)
            if eb.message:
                errors[Channel.EVENTBRITE] = eb.message
        if Channel.EVENTBRITE in answered:  # a read cut short would understate the next cost
            made = self.eventbrite.calls - calls_before
            self._last_refresh_eventbrite_calls = (
                eb.budget.next_refresh_calls if eb else 0
            ) or made

        plan = eb.plan if eb else ClassReadPlan()
        budget = eb.budget if eb else ReadBudget([], [], [], 0)
        class_errors = eb.class_errors if eb else {}
        unread = dict.fromkeys(budget.unread, UNREAD_LATER)
        fresh = build_catalog(
            products=products or [],
            events=eb.events if eb else [],
            ticket_classes=eb.classes if eb else {},
            timezone=self.settings.timezone,
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
                errors[Channel.WOOCOMMERCE] = f"{drop}{_kept_part(Channel.WOOCOMMERCE, previous)}"
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
            fresh = _keep_earlier_tiers(fresh, previous, not_reread)
        if previous is not None and (products is None or eb is None):
            fresh = _keep_failed_parts(fresh, previous, products is None, eb is None)
        if previous is not None and class_errors:
            fresh = _keep_earlier_ticket_classes(fresh, previous)
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
        self._live_changed()
        return RefreshResult(
            catalog=fresh,
            changes=catalog_changes(previous, fresh),
            errors=errors,
            seconds=time.perf_counter() - started,
            eventbrite_calls=self.eventbrite.calls - calls_before,
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
            return self.woocommerce.list_products(progress=progress)
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
        calls_before = self.eventbrite.calls
        try:
            events = self.eventbrite.list_events(
                progress=step("Eventbrite events"), keep=self.settings.eb_write_reserve
            )
            occurrences = [e for e in events if not e.get("is_series_parent")]
            plan = self._plan_class_reads(occurrences, now)
            # Holds and carts are read with the classes of events still selling; events
            # whose classes are kept keep the tier read with them (_keep_earlier_tiers).
            budget = plan_read_budget(
                plan,
                [e for e in events if e.get("status") in SELLING_STATUSES],
                list_calls=self.eventbrite.calls - calls_before,
                calls_left=self.eventbrite.calls_left_this_hour(),
                reserve=self.settings.eb_write_reserve,
            )
            classes, stopped = self._read_ticket_classes(
                budget.classes, set(budget.tiers), step("Ticket classes"), late
            )
        except IntegrationError as exc:
            return exc
        class_errors = {event_id: str(exc) for event_id, exc in classes.errors.items()}
        tier_errors = {event_id: str(exc) for event_id, exc in classes.tier_errors.items()}
        class_errors.update(_impossible_seats(classes))
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
        reserve = self.settings.eb_write_reserve
        result = TicketClassesResult()
        pending, total, stopped = list(event_ids), len(event_ids), None
        while pending and stopped is None:
            if late.is_set():
                stopped = "the refresh stopped waiting for Eventbrite"
                break
            room = self.eventbrite.calls_left_this_hour() - reserve
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
            part = self.eventbrite.ticket_classes(
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
        horizon = timedelta(days=self.settings.eb_refresh_days)
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
        since, until = now - timedelta(days=1), now + timedelta(days=self.settings.eb_refresh_days)
        near = sum(1 for e in dates if e.starts_at is None or since <= e.starts_at <= until)
        return 2 + len(dates) // 50 + 2 * near

    def eventbrite_refresh_refusal(self, catalog: Catalog | None = None) -> str | None:
        """Why a refresh must leave Eventbrite alone now, or None: it would eat into the
        calls kept this hour for capacity changes (``BRCC_EB_WRITE_RESERVE``)."""
        reserve = self.settings.eb_write_reserve
        left = self.eventbrite.calls_left_this_hour()
        cost = self.refresh_cost(catalog)
        if left - cost >= reserve:
            return None
        return (
            f"not refreshed: a refresh costs about {cost:,} Eventbrite calls and "
            f"{left:,} of {HOURLY_LIMIT:,} are left this hour, of which {reserve:,} are kept for "
            "capacity changes. Eventbrite numbers stay as they were; try again later "
            "in the hour."
        )

    # --- live numbers ----------------------------------------------------------------
    def live_numbers(self, catalog: Catalog) -> LiveNumbers:
        """Sold/pending/checked-in and remaining stock from the WordPress DB: 3 statements
        whatever the catalog size."""
        ids = tuple(sorted(p.product_id for p in catalog.event_products))
        return self.shared_live.get(
            ids,
            lambda: self._read_live_numbers(ids),
            wait_seconds=float(self.settings.page_deadline_seconds),
            waited=self._live_held_up,
            good=lambda live: live.error is None,
        )

    def _live_held_up(self, last: LiveNumbers | None, age: float | None) -> LiveNumbers:
        """What a view gets while another view's read of the WordPress database is stuck:
        the last good numbers with their age, or unknown with why."""
        why = (
            "the WordPress database has not answered another page's read within "
            f"{self.settings.page_deadline_seconds:g} s (timed out)"
        )
        if last is None:
            return LiveNumbers(None, None, f"{why}, and no earlier numbers are kept", 0, None)
        return replace(last, statements=0, held_up=f"{why}; these are the last numbers it gave")

    def _read_live_numbers(self, ids: tuple[int, ...]) -> LiveNumbers:
        read_at = clock.now()
        before = self.wordpress.statements
        try:
            stock = self.wordpress.current_stock(ids)
            counts = self.wordpress.ticket_counts(ids, slot_dates=stock)
        except WordPressUnavailable as exc:
            return LiveNumbers(None, None, str(exc), self.wordpress.statements - before, read_at)
        return LiveNumbers(counts, stock, None, self.wordpress.statements - before, read_at)

    def _mappings_changed(self) -> None:
        """A show, venue capacity or rule was saved: views built on the old ones go."""
        self.shared_mappings.clear()
        self.shared_views.clear()

    def _live_changed(self) -> None:
        """A write or refresh happened: no session may see numbers read before it."""
        self.shared_live.clear()
        self.shared_history.clear()
        self.shared_views.clear()
        self.shared_health_checks.clear()

    def listings(self, catalog: Catalog | None = None) -> pd.DataFrame:
        """One row per listing on both channels, with live WordPress numbers."""
        catalog = catalog or self.catalog()
        if catalog is None:
            return build_listings(_empty_catalog(self.settings.timezone), None, None)
        return self._listings_of(catalog, self.live_numbers(catalog))

    def _listings_of(self, catalog: Catalog, live: LiveNumbers) -> pd.DataFrame:
        memo = self._listings_memo  # sessions sharing a read share its listings too
        if memo is not None and memo[0] is catalog and memo[1] is live:
            return memo[2].copy()
        frame = build_listings(catalog, live.ticket_counts, live.stock, live_error=live.error)
        frame.attrs[LIVE_READ_AT] = live.read_at
        frame.attrs[LIVE_HELD_UP] = live.held_up
        if self.shared_live.ttl_seconds > 0:
            self._listings_memo = (catalog, live, frame.copy())
        return frame

    def dashboard_view(self, catalog: Catalog | None, now: datetime, days: int) -> DashboardView:
        """The dashboard's listings, shows, key figures, table and chart for ``days``
        ahead: built once per live read and horizon, and shared (read-only) by every
        session until the read is no longer shared (``settings.live_share_seconds``; 0
        builds it for each caller). Its ``now`` is the first caller's."""
        if catalog is None:
            listings = self.listings(None)
            return build_dashboard_view(listings, self.shows, now, days, self.settings.timezone)
        live = self.live_numbers(catalog)
        key = (id(catalog), catalog.fetched_at, id(live), live.read_at, days)
        return self.shared_views.get(
            key,
            lambda: build_dashboard_view(
                self._listings_of(catalog, live), self.shows, now, days, self.settings.timezone
            ),
        )

    def shows(self, listings: pd.DataFrame | None = None) -> pd.DataFrame:
        """Listings of both channels grouped into shows: what a manager confirmed (saved
        mappings, recurring rules, per-show venue capacity) first, suggestions for the
        rest. With the app-state DB unreachable, suggestions only, so the views still work.
        """
        listings = self.listings() if listings is None else listings
        try:
            return self.saved_shows(listings)
        except StateUnavailable as exc:
            log.warning("show mappings unavailable, using suggestions: %s", exc)
            venue = self.settings.venue_capacity
            shows = suggest_shows(listings, venue_capacity=venue)
            # Say which numbers rest on the default, on every row and for the page.
            note = f"venue capacity {venue} is the default: saved shows could not be read"
            shows["errors"] = [(*errors, note) for errors in shows["errors"]]
            shows.attrs[SAVED_SHOWS_ERROR] = (
                f"Saved shows could not be read ({exc}). Every show uses the default venue "
                f"capacity of {venue}, so capacity, remaining and sell-through rest on it "
                "(sold and pending do not). Confirmed shows and venue capacities are "
                "untouched and come back when the app-state database answers."
            )
            return shows

    # --- health ----------------------------------------------------------------------
    def health(self) -> list[Health]:
        """One measured result per integration, plus the cache, disk and memory.

        The three systems are measured at once, and a page waits for them no longer than
        ``settings.page_deadline_seconds``: a system still silent then is reported as
        timed out (its check finishes in the background), so a hanging API never holds
        up the page."""
        deadline = float(self.settings.page_deadline_seconds)
        checks = {
            Check.WOOCOMMERCE: lambda: self._timed(Check.WOOCOMMERCE, self.woocommerce.ping),
            Check.EVENTBRITE: self._eventbrite_health,
            Check.WORDPRESS: lambda: self._timed(Check.WORDPRESS, self._db_ping),
        }
        results = _within_deadline(checks, deadline)
        systems = [
            results.get(check)
            or Health(
                check,
                "down",
                f"{no_answer_within(deadline)}; the page went on without it",
                deadline * 1000,
            )
            for check in checks
        ]
        if Check.EVENTBRITE not in results:
            systems[1] = with_call_budget(systems[1], self.eventbrite.calls_left_this_hour())
        return [
            *systems,
            self._cache_health(),
            disk_health(self.settings.data_dir),
            memory_health(),
        ]

    def shared_health(self) -> tuple[list[Health], float]:
        """``health()`` shared by every session for ``settings.live_share_seconds`` (twenty
        viewers opening the dashboard cost one set of checks), and its age in seconds.
        Cleared by writes and refreshes, and by ``forget_health`` ("Check again")."""
        measured_at, health = self.shared_health_checks.get(
            "health", lambda: (time.monotonic(), self.health())
        )
        return health, time.monotonic() - measured_at

    def forget_health(self) -> None:
        """The next ``shared_health`` measures again."""
        self.shared_health_checks.clear()

    def _timed(self, check: Check, call: Callable[[], object]) -> Health:
        started = time.perf_counter()
        try:
            call()
        except (IntegrationError, WordPressUnavailable) as exc:
            return Health(check, "down", str(exc), _ms(started))
        except Exception as exc:  # noqa: BLE001 - a health check must not raise
            log.exception("health check %s failed", check)
            return Health(check, "down", f"unexpected {type(exc).__name__}", _ms(started))
        latency = _ms(started)
        if latency > SLOW_SECONDS * 1000:
            return Health(check, "degraded", f"slow: answered in {latency / 1000:.1f} s", latency)
        return Health(check, "ok", "answering", latency)

    def _eventbrite_health(self) -> Health:
        result = self._timed(Check.EVENTBRITE, self.eventbrite.ping)
        return with_call_budget(result, self.eventbrite.calls_left_this_hour())

    def _db_ping(self) -> None:
        engine: Engine = self.wordpress.engine
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise WordPressUnavailable(
                f"WordPress database unreachable ({type(exc).__name__})"
            ) from None

    def _cache_health(self) -> Health:
        info = self.cache.info()
        catalog = self.catalog()
        if catalog is not None and self._unsaved:
            return Health(Check.CATALOG, "degraded", self._unsaved)
        if info is None or catalog is None:
            reason = self._catalog_warning or "no catalog yet: press Refresh data"
            return Health(Check.CATALOG, "degraded", reason)
        age = clock.now() - catalog.fetched_at
        reason = f"{age_label(age)} old, {info.size_bytes / 1024:.0f} KiB"
        if catalog.errors:
            return Health(Check.CATALOG, "degraded", f"{reason}; last refresh had errors")
        return Health(Check.CATALOG, "ok", reason)

    # --- inventory, shows and sync -------------------------------------------------------
    # Capacity changes go through brcc_core.capacity.engine (fresh read, one write, verify,
    # restore, audit); show mappings and the audit log live in the app-state DB.

    @property
    def state(self) -> AppState:
        """The app-state DB (audit log, saved shows, recurring rules), opened on first use
        so pages that never need it never touch it."""
        with self._state_lock:
            if self._state is None:
                self._state = AppState.open(
                    self.settings.state_db_url,
                    deadline_seconds=self.settings.db_deadline_seconds,
                )
            if not self._state_claimed:
                state = self._state
                try:
                    # Who wrote to it, read only if it is not stamped yet (an older version's).
                    claim(
                        state,
                        self.settings,
                        lambda: [*state.people_on_record(), *Access(state.engine).demo_traces()],
                    )
                    self._state_claimed = True
                except StateRefused:
                    raise
                except StateUnavailable as exc:
                    # Unreachable now: what the caller does next fails the same way and
                    # says so (a change is refused unrecorded); checked again next time.
                    log.warning("app-state DB not checked for its systems: %s", exc)
            return self._state

    def state_refusal(self) -> str | None:
        """Why the app-state database must not be used by these settings (it belongs to
        other systems: the demo's, or another club's), or None. A database that cannot be
        reached now is not refused here: it is checked on its first use."""
        try:
            self.state  # noqa: B018 - opening it checks its stamp
        except StateRefused as exc:
            return str(exc)
        except StateUnavailable:  # not even opened (a URL it cannot use): said on first use
            return None
        return None

    @property
    def locks(self) -> Locks:
        """Write leases in the app-state DB: one writer per listing across servers."""
        state = self.state
        with self._state_lock:
            if self._locks is None or self._locks.engine is not state.engine:
                self._locks = Locks(state.engine)
            return self._locks

    @property
    def access(self) -> Access:
        """Roles and meeting links, in their own tables on the app-state DB."""
        state = self.state
        with self._state_lock:
            if self._access is None:
                self._access = Access(
                    state.engine,
                    admins=self.settings.admins,
                    demo=self.settings.is_demo,
                    audit=state.append_audit,
                    systems=self.settings.systems,
                    verified_issuers=self.settings.email_verified_issuers,
                    timezone=self.settings.timezone,
                )
            return self._access

    def _require(
        self, who: Actor | None, role: Role, doing: str, *, key: str = "app", tried: str = ""
    ) -> Actor:
        """The acting person if they hold ``role`` now; AccessDenied otherwise (on record
        in the audit log). Every write below starts here, whatever the page showed."""
        return self.access.require(who, role, doing, key=key, tried=tried)

    def _record_read(
        self,
        actor: Actor,
        where: tuple[str, str, str],
        what: str,
        after: str | None,
        result: str,
        error: str | None,
        note: str,
    ) -> None:
        """An audit row for a read that spends the platforms' calls (refresh, order sync;
        ``where``: action, key, channel). Its loss is logged, never a reason to fail what
        was done."""
        action, key, channel = where
        entry = AuditEntry(
            who=actor.email,
            action=action,
            listing_key=key,
            channel=channel,
            what=what,
            before=None,
            after=after,
            result=result,
            error=error,
            note=note,
            batch=uuid.uuid4().hex[:12],
        )
        try:
            self.state.append_audit(entry)
        except StateUnavailable as exc:
            log.warning("%s by %s not audited: %s", what, actor.email, exc)

    def _record(self, actor: Actor, *row: Any) -> None:
        """An audit row for a change to the app's own records (shows, rules): ``row`` is
        action, key, what, before, after (and a refusal), as ``app_audit_entry`` takes them."""
        self.state.append_audit(app_audit_entry(actor, *row))

    @property
    def inventory(self) -> InventoryEngine:
        return InventoryEngine(
            self.woocommerce,
            self.eventbrite,
            self.wordpress,
            self.state,
            self.locks,
            lock_wait=self.lock_wait,
            max_capacity=self.settings.max_capacity,
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
        catalog = self.catalog()
        events = catalog.events if catalog is not None else ()
        event = next((e for e in events if e.event_id == event_id), None)
        if event is None or not event.capacity_is_custom:
            return None
        if event.tier is not None and event.tier.capacity_total is not None:
            return event.tier.capacity_total
        return event.capacity

    def _venue_capacity_of(self, listing_key: str, listings: pd.DataFrame) -> int:
        try:
            shows = self.saved_shows(listings)
        except StateUnavailable:
            return self.settings.venue_capacity  # a preview still works without the DB
        for row in shows.itertuples():
            if listing_key in row.listing_keys:
                return int(row.venue_capacity)
        return self.settings.venue_capacity

    def preview_change(self, change: Change, listings: pd.DataFrame | None = None) -> Preview:
        """old → new with warnings, or why it is refused; reads nothing from the platforms."""
        listings = self.listings() if listings is None else listings
        listing = self.listing_state(change.listing_key, listings)
        venue = self._venue_capacity_of(change.listing_key, listings)
        return preview_change(
            change, listing, venue_capacity=venue, max_capacity=self.settings.max_capacity
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
    ) -> ChangeResult:
        """Apply one change through the engine (fresh read, write, verify, restore) with an
        audit row per attempt. Refused without touching a platform when the audit log
        cannot be written: every change must be on record. AccessDenied unless ``who``
        is a manager now."""
        actor = self._require(
            who, "manager", "change capacity", key=change.listing_key, tried=_tried(change)
        )
        listings = self.listings() if listings is None else listings
        listing = self.listing_state(change.listing_key, listings)
        try:
            self.state.ping()
        except StateUnavailable as exc:
            return ChangeResult(
                change.listing_key,
                "refused",
                f"{exc} Nothing was written: every change must be recorded first.",
                preview_change(change, listing, venue_capacity=self.settings.venue_capacity),
            )
        venue = venue_capacity or self._venue_capacity_of(change.listing_key, listings)
        try:
            result = self.inventory.apply(
                change, listing, who=actor.email, venue_capacity=venue, action=action, down=down
            )
        finally:
            self._live_changed()
            if listing.channel == Channel.EVENTBRITE and listing.event_id:
                self._forget_class_read(listing.event_id)
        self._remember_ticket_classes(*catalog_reads([result]))
        return result

    def _forget_class_read(self, event_id: str) -> None:
        """The engine has just read (and maybe written) this event: the next refresh reads
        it again instead of keeping an earlier answer. Events 8 days out and later are kept
        for up to an hour, and a refresh that brought back the numbers a refused change
        had seen through would have it refused as "changed since you looked" again."""
        with self._lock:
            self._kept_class_reads().pop(str(event_id), None)

    def _remember_ticket_classes(
        self, classes: list[TicketClass | None], tiers: dict[str, CapacityTier] | None = None
    ) -> None:
        """Keep the catalog's Eventbrite numbers as the engine last read them."""
        with self._lock:
            if self._catalog is not None:
                self._catalog = patch_catalog(self._catalog, classes, tiers)

    def audit_log(self, **filters) -> pd.DataFrame:
        """Recent audit rows, newest first (see ``State.audit_log`` for the filters)."""
        return self.state.audit_log(**filters)

    def saved_shows(self, listings: pd.DataFrame | None = None) -> pd.DataFrame:
        """Shows with the saved mappings first, then recurring rules, then suggestions
        (``MAPPED_SHOW_COLUMNS``: ``source`` says which)."""
        listings = self.listings() if listings is None else listings
        mappings = self._saved_mappings()
        shows = map_shows(
            listings,
            saved=mappings.saved,
            rules=mappings.rules,
            venue_capacity=self.settings.venue_capacity,
        )
        if mappings.held_up:
            shows.attrs[SAVED_SHOWS_ERROR] = mappings.held_up
        return shows

    def _saved_mappings(self) -> _Mappings:
        """Saved shows and rules, shared between views for a few seconds; while another
        view's read of the app-state database is stuck, the last ones read (with their
        age), or StateUnavailable."""
        deadline = float(self.settings.page_deadline_seconds)

        def held_up(last: _Mappings | None, age: float | None) -> _Mappings:
            why = (
                "the app-state database has not answered another page's read within "
                f"{deadline:g} s (timed out)"
            )
            if last is None:
                raise StateUnavailable(f"Saved shows could not be read: {why}.", why)
            return replace(
                last,
                held_up=f"Saved shows and venue capacities as read {_seconds_ago(age)} ago: {why}.",
            )

        return self.shared_mappings.get(
            "mappings",
            lambda: _Mappings(self.state.saved_shows(), self.state.recurring_rules()),
            wait_seconds=deadline,
            waited=held_up,
        )

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
        saved = next((s for s in self.state.saved_shows() if s.show_key == show_key), None)
        before: int | None = saved.venue_capacity if saved else None
        if venue_capacity is not None:
            listings = self.listings() if listings is None else listings
            if before is None:  # what the show uses now: a rule's, or the default
                before = self._saved_venue_capacity(show_key, listings)
            refusal = venue_capacity_refusal(
                venue_capacity, _sold_pending(listings, keys), self.settings.max_capacity
            )
            if refusal:
                self._record(
                    actor, "venue", show_key, "venue capacity", before, venue_capacity, refusal
                )
                raise ValueError(refusal)
        self.state.save_show(
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
        shows = self.saved_shows(listings)
        row = shows[shows["show_key"] == show_key]
        return None if row.empty else int(row["venue_capacity"].iloc[0])

    def forget_show_mapping(self, show_key: str, *, who: Actor | None = None) -> None:
        actor = self._require(who, "manager", "change show mappings", key=show_key)
        self.state.forget_show(show_key)
        self._mappings_changed()
        self._record(actor, "mapping", show_key, "show mapping", "saved", "forgotten")

    def recurring_rules(self) -> list[RecurringRule]:
        return self.state.recurring_rules()

    def save_recurring_rule(self, rule: RecurringRule, *, who: Actor | None = None) -> int:
        actor = self._require(who, "manager", "change recurring rules")
        rule_id = self.state.save_rule(rule, who=actor.email)
        self._mappings_changed()
        self._record(actor, "rule", f"rule:{rule_id}", "recurring rule", None, rule.name)
        return rule_id

    def delete_recurring_rule(self, rule_id: int, *, who: Actor | None = None) -> None:
        actor = self._require(who, "manager", "change recurring rules")
        self.state.delete_rule(rule_id)
        self._mappings_changed()
        self._record(actor, "rule", f"rule:{rule_id}", "recurring rule", "saved", "deleted")

    # --- people, roles and meeting links ------------------------------------------------
    def actor_for(self, email: str) -> Actor:
        """A signed-in person with their role now (None: they must ask an admin). For
        scripts and tests; a sign-in goes through ``sign_in``."""
        return self.access.actor(email)

    def sign_in(self, claims: dict) -> Actor:
        """The person a provider's sign-in names (``st.user``), if the app accepts it:
        a verified e-mail, from the account that first signed in with it."""
        return self.access.sign_in(claims)

    def sign_in_accounts(self) -> pd.DataFrame:
        return self.access.sign_in_accounts()

    def forget_sign_in(self, email: str, *, who: Actor | None = None) -> bool:
        """Admins only; audited."""
        return self.access.forget_sign_in(who, email)

    def people(self) -> pd.DataFrame:
        return self.access.people()

    def set_role(self, email: str, role: Role | None, *, who: Actor | None = None) -> None:
        """Admins only; audited."""
        self.access.set_role(who, email, role)

    def create_meeting_link(
        self,
        selection: list[str] | tuple[str, ...],
        lifetime: str,
        *,
        title: str = "",
        who: Actor | None = None,
    ) -> tuple[MeetingLink, str]:
        """A read-only link for a meeting; managers only; returns it and its token."""
        return self.access.create_link(who, selection, lifetime, title)

    def revoke_meeting_link(self, link_id: str, *, who: Actor | None = None) -> None:
        self.access.revoke_link(who, link_id)

    def meeting_links(self) -> pd.DataFrame:
        return self.access.links()

    def open_meeting_link(self, token: str) -> MeetingLink:
        """The selection behind a meeting link, or LinkInvalid with the reason."""
        return self.access.open_link(token)

    def audit_people(self) -> list[str]:
        """Everyone who appears in the audit log, for the Audit tab's filter."""
        return self.state.people_on_record()

    def plan_sync(
        self,
        show_keys: list[str] | tuple[str, ...],
        policy: SyncPolicy,
        listings: pd.DataFrame | None = None,
    ) -> list[SyncPlan]:
        """Dry run: one plan per show, in the order given (unknown keys are skipped)."""
        listings = self.listings() if listings is None else listings
        shows = self.saved_shows(listings).set_index("show_key", drop=False)
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
        listings = self.listings() if listings is None else listings
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
        self._live_changed()
        return outcomes

    # --- sales over time (pace, revenue, check-ins) -----------------------------------
    # Reads only: WordPress tickets and orders live, Eventbrite orders from the app-state
    # copy that ``sync_eventbrite_sales`` keeps up to date.

    @property
    def eventbrite_sales(self) -> EventbriteSales:
        state = self.state  # takes _state_lock itself
        with self._state_lock:
            if self._eb_sales is None:
                self._eb_sales = EventbriteSales(state.engine)
            return self._eb_sales

    @property
    def woocommerce_history(self) -> WooCommerceHistory:
        with self._state_lock:
            if self._wc_history is None:
                self._wc_history = WooCommerceHistory(
                    self.wordpress.engine, self.settings.wp_table_prefix
                )
            return self._wc_history

    def sync_eventbrite_sales(
        self, progress: Callable[[int], None] | None = None, *, who: Actor | None = None
    ) -> SyncResult:
        """Fetch Eventbrite orders and attendees changed since the last sync (all of them
        the first time), going on from a sync that failed or stopped part-way. Stops before
        the hour's calls left reach ``BRCC_EB_WRITE_RESERVE`` (``SyncResult.stopped``).
        Raises IntegrationError / SalesStoreUnavailable with a message. ``who`` pressed
        Sync Eventbrite orders: any role may (it reads), and it is audited with them."""
        actor = who
        if who is not None:
            actor = self._require(who, "viewer", "sync Eventbrite orders", key="eventbrite orders")
        calls_before = self.eventbrite.calls
        outcome, error = "failed", None
        after = None
        try:
            result = self.eventbrite_sales.sync(
                self.eventbrite, progress=progress, reserve=self.settings.eb_write_reserve
            )
            outcome = "ok" if result.complete else "stopped"
            error = result.stopped
            after = f"{result.orders} orders, {result.attendees} attendees"
            return result
        except Exception as exc:
            error = str(exc)
            raise
        finally:  # even a sync that failed half-way may have stored some orders
            self.shared_history.clear()
            if actor is not None:
                self._record_read(
                    actor,
                    ("order sync", "eventbrite orders", Channel.EVENTBRITE),
                    "Eventbrite orders sync",
                    after,
                    outcome,
                    error,
                    f"{self.eventbrite.calls - calls_before} Eventbrite calls",
                )

    def sales_history(
        self, catalog: Catalog | None = None, listings: pd.DataFrame | None = None
    ) -> SalesHistory:
        """Both channels' sales, shared by every rerun and session for
        ``settings.history_share_seconds`` (``history.read_at`` says when it was read)."""
        catalog = catalog or self.catalog() or _empty_catalog(self.settings.timezone)
        ids = tuple(sorted(p.product_id for p in catalog.event_products))
        history = self.shared_history.get(
            (ids, catalog.fetched_at), lambda: self._read_sales_history(catalog, listings)
        )
        if history.failed:  # an outage is not kept for minutes: the next view tries again
            self.shared_history.clear()
        return history

    def _read_sales_history(self, catalog: Catalog, listings: pd.DataFrame | None) -> SalesHistory:
        listings = self.listings(catalog) if listings is None else listings
        try:
            store: EventbriteSales | None = self.eventbrite_sales
        except StateUnavailable:
            store = None
        return read_sales(
            catalog,
            listings,
            self.woocommerce_history,
            store,
            timezone=self.settings.timezone,
        )

    def pace(
        self,
        *,
        listings: pd.DataFrame | None = None,
        shows: pd.DataFrame | None = None,
        history: SalesHistory | None = None,
        now: datetime | None = None,
        horizon_days: int | None = 28,
    ) -> pd.DataFrame:
        """``pace.PACE_COLUMNS`` for every show in the next ``horizon_days`` (None: all
        upcoming), against its last ``settings.pace_occurrences`` past occurrences."""
        listings = self.listings() if listings is None else listings
        shows = self.shows(listings) if shows is None else shows
        history = history or self.sales_history(listings=listings)
        return pace_table(
            shows,
            listings,
            history.frame,
            now=now or clock.now(),
            n=self.settings.pace_occurrences,
            unknown=history.unknown,
            horizon_days=horizon_days,
            by_key=history.occurrences,
        )

    def tonight(self, now: datetime | None = None) -> pd.DataFrame:
        """The door view (``door.DOOR_COLUMNS``) for tonight's shows: live WordPress
        numbers and the attendees of tonight's Eventbrite events, read now; the catalog is
        used as cached, never refreshed here."""
        now = now or clock.now()
        catalog = self.catalog()
        listings = self.listings(catalog)
        shows = tonight_shows(
            self.shows(listings), pd.Timestamp(now).tz_convert(self.settings.timezone)
        )
        counts: dict[str, tuple[int, int]] = {}
        errors: dict[str, str] = {}
        for key in sorted(
            {
                occurrence_of_listing(k)
                for ks in shows["listing_keys"]
                for k in ks
                if is_eventbrite_key(k)
            }
        ):
            try:
                seats = [
                    a
                    for page in self.eventbrite.walk_attendees(event_id=event_id_of(key))
                    for a in page
                ]
            except IntegrationError as exc:
                errors[key] = f"Eventbrite check-ins unknown: {exc}"
                continue
            counts[key] = count_attendees(seats)
        return door_rows(shows, listings, counts, errors)


def _tried(change: Change) -> str:
    """What a change asked for, in the audit's words."""
    return f"{change.field} → {change.value}"


def _venue(capacity: int | None) -> str:
    return "default" if capacity is None else str(capacity)


"""More seats than any room: a number beyond it from an API is a fault, not a fact."""
_SEAT_FIELDS = ("capacity", "quantity_total", "quantity_sold")


def _impossible_seats(classes: dict[str, list[dict]]) -> dict[str, str]:
    """Events whose ticket classes carry a seat number no room has (or not a number):
    their numbers are unknown, rather than a figure that breaks a total or a chart."""
    bad: dict[str, str] = {}
    for event_id, tcs in classes.items():
        for tc in tcs:
            for name in _SEAT_FIELDS:
                _, problem = seat_number(tc.get(name) if isinstance(tc, dict) else None, name)
                if problem:
                    bad[event_id] = f"Eventbrite gave an {problem}; not used"
                    break
            if event_id in bad:
                break
    return bad


def _within_deadline(calls: dict[K, Callable[[], T]], deadline: float) -> dict[K, T]:
    """Run the calls in parallel daemon threads; return the answers of those done within
    ``deadline`` (a call still running then finishes unheard). A call that raised
    raises here, on the caller's thread."""
    results: dict[K, T] = {}
    raised: list[BaseException] = []
    done = threading.Event()
    lock = threading.Lock()

    def run(name: K, call: Callable[[], T]) -> None:
        try:
            result = call()
        except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread
            with lock:
                raised.append(exc)
            done.set()
            return
        with lock:
            results[name] = result
            if len(results) == len(calls):
                done.set()

    for name, call in calls.items():
        threading.Thread(target=run, args=(name, call), daemon=True, name=f"within-{name}").start()
    done.wait(deadline)
    with lock:
        if raised:
            raise raised[0]
        return dict(results)


def _kept_part(channel: str, previous: Catalog | None) -> str:
    """What the catalog shows of a channel instead of a suspect answer."""
    if previous is None:
        return "."
    read_at = (
        previous.eventbrite_fetched_at
        if channel == Channel.EVENTBRITE
        else previous.products_read_at
    )
    age = "" if read_at is None else f", read {age_label(clock.now() - read_at)} ago"
    return (
        f". The numbers shown are the last catalog's{age}; refresh again later, or apply the "
        "answer if that many really are gone."
    )


def _late_reason(channel: str, deadline: float, previous: Catalog | None) -> str:
    """Why a channel's part of the catalog was not refreshed: it did not answer in time."""
    reason = f"{no_answer_within(deadline)}; the refresh went on without it"
    if previous is None:
        return f"{reason}, and there is no earlier catalog to keep: its numbers are unknown."
    read_at = (
        previous.eventbrite_fetched_at
        if channel == Channel.EVENTBRITE
        else previous.products_read_at
    )
    if read_at is None:
        return f"{reason}; it was never read before: its numbers are unknown."
    age = age_label(clock.now() - read_at)
    return f"{reason}, keeping the part read {age} ago."


def _sold_pending(listings: pd.DataFrame, keys: tuple[str, ...]) -> int | None:
    """Sold + pending over these listings; None when any of them is unknown."""
    rows = listings[listings["listing_key"].isin(keys)]
    if unknown_cells(rows["sold"]).any():
        return None
    return int(rows["sold"].sum()) + int(rows["pending"].fillna(0).sum())


def _first_sentence(text: str) -> str:
    return text.split(". ")[0].rstrip(".")


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _seconds_ago(age: float | None) -> str:
    return age_label(timedelta(seconds=age or 0), seconds=True)


def _empty_catalog(timezone: str) -> Catalog:
    return Catalog(fetched_at=clock.now(), timezone=timezone)


def _keep_earlier_tiers(fresh: Catalog, previous: Catalog, kept: set[str]) -> Catalog:
    """Events whose ticket classes this refresh kept (not read again) keep the holds and
    carts read with those classes, rather than showing their seats as not read."""
    earlier = {e.event_id: e for e in previous.events}
    events = tuple(
        replace(e, tier=earlier[e.event_id].tier, tier_error=earlier[e.event_id].tier_error)
        if e.event_id in kept and e.tier is None and e.event_id in earlier
        else e
        for e in fresh.events
    )
    return replace(fresh, events=events)


def _keep_failed_parts(
    fresh: Catalog, previous: Catalog, woocommerce_failed: bool, eventbrite_failed: bool
) -> Catalog:
    if woocommerce_failed:
        fresh = replace(
            fresh, products=previous.products, woocommerce_fetched_at=previous.products_read_at
        )
    if eventbrite_failed:
        fresh = replace(
            fresh,
            events=previous.events,
            ticket_classes=previous.ticket_classes,
            ticket_class_errors=previous.ticket_class_errors,
            eventbrite_fetched_at=previous.eventbrite_fetched_at,
            ticket_classes_read_at=getattr(previous, "ticket_classes_read_at", {}),
            stale_events=previous.stale_events,
        )
    return fresh


def _keep_earlier_ticket_classes(fresh: Catalog, previous: Catalog) -> Catalog:
    """Events whose ticket classes failed this time keep the ones read before, marked
    with when they were read: a known, dated number beats an unknown one."""
    from dataclasses import replace

    earlier_stale = {event_id: read_at for event_id, read_at, _ in previous.stale_events}
    kept, stale, still_failed = [], [], {}
    for event_id, reason in fresh.ticket_class_errors.items():
        classes = [tc for tc in previous.ticket_classes if tc.event_id == event_id]
        read_at = earlier_stale.get(event_id, previous.eventbrite_fetched_at)
        if not classes or read_at is None:
            still_failed[event_id] = reason
            continue
        kept.extend(classes)
        stale.append((event_id, read_at, reason))
    return replace(
        fresh,
        ticket_classes=fresh.ticket_classes + tuple(kept),
        ticket_class_errors=still_failed,
        stale_events=tuple(stale),
    )


def catalog_changes(previous: Catalog | None, fresh: Catalog) -> dict[str, tuple[int, int]]:
    """(added, removed) products, events and listings between two catalogs."""

    def keys(catalog: Catalog | None) -> dict[str, set]:
        if catalog is None:
            return {"products": set(), "events": set(), "listings": set()}
        listings = {
            (p.product_id, sd.slot_id, sd.date_id) for p in catalog.products for sd in p.slot_dates
        }
        listings |= {(p.product_id,) for p in catalog.products if p.kind == "single"}
        listings |= {(tc.event_id, tc.ticket_class_id) for tc in catalog.ticket_classes}
        return {
            "products": {p.product_id for p in catalog.event_products},
            "events": {e.event_id for e in catalog.events if not e.is_series_parent},
            "listings": listings,
        }

    old, new = keys(previous), keys(fresh)
    return {name: (len(new[name] - old[name]), len(old[name] - new[name])) for name in new}
