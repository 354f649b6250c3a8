"""``BoxOffice``: the one facade the pages call.

It owns the connections to the club's systems (or to the sandbox in demo mode), keeps
the catalog (memory + signed pickle, changed only by ``refresh_catalog``), and answers
the pages' questions; pages never do HTTP or SQL themselves.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

import pandas as pd
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from brcc_core.catalog import Catalog, build_catalog
from brcc_core.catalog_cache import CatalogCache
from brcc_core.eventbrite import SELLING_STATUSES, EventbriteClient
from brcc_core.http import IntegrationError
from brcc_core.inventory import (
    Change,
    ChangeResult,
    InventoryEngine,
    ListingState,
    Preview,
    patch_catalog,
    preview_change,
)
from brcc_core.listings import build_listings
from brcc_core.settings import Settings
from brcc_core.shows import RecurringRule, SavedShow, map_shows, suggest_shows
from brcc_core.state import ANONYMOUS, StateUnavailable
from brcc_core.state import State as AppState
from brcc_core.sync import SyncPlan, SyncPolicy, SyncRow, plan_sync, sync_show
from brcc_core.woocommerce import WooCommerceClient
from brcc_core.wordpress import WordPressReader, WordPressUnavailable

if TYPE_CHECKING:
    from brcc_core.sandbox.twin import Sandbox

log = logging.getLogger(__name__)

State = Literal["ok", "degraded", "down"]
RefreshProgress = Callable[[str, int, int | None], None]
"""``progress(step, done, total)``: step is "WooCommerce pages", "Eventbrite events" or
"Ticket classes"; total is None when the API does not say."""

SLOW_SECONDS = 2.0
LOW_EVENTBRITE_BUDGET = 200


class StartupError(RuntimeError):
    """The club's systems (in demo mode, the sandbox) cannot be opened; the message says
    what to do and holds no secret."""


@dataclass(frozen=True)
class Health:
    """One integration's state, measured by a real call, not assumed from settings."""

    name: str
    state: State
    reason: str
    latency_ms: float | None = None


@dataclass(frozen=True)
class RefreshResult:
    catalog: Catalog
    changes: dict[str, tuple[int, int]]  # what -> (added, removed)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class LiveNumbers:
    """What ``listings()`` read from the WordPress DB this render (or why it could not)."""

    ticket_counts: pd.DataFrame | None
    stock: pd.DataFrame | None
    error: str | None
    statements: int


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
        self._lock = threading.Lock()
        self._state = state  # the app-state DB, opened on first use (see ``state``)
        self._state_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, *, state: AppState | None = None) -> BoxOffice:
        """Connect to the club's systems, or to the sandbox in demo mode (seeding it on
        first use). Nothing is fetched yet."""
        key = settings.cache_key.reveal().encode() if settings.cache_key else None
        cache = CatalogCache(settings.data_dir, key=key)
        if settings.is_demo:
            # The one place production code loads the sandbox: only demo mode needs it.
            from brcc_core.sandbox.twin import Sandbox, SandboxError

            try:
                sandbox = Sandbox.open(
                    settings.sandbox_db_url,
                    scale=settings.sandbox_scale,
                    seed_number=settings.sandbox_seed,
                    table_prefix=settings.wp_table_prefix,
                    lock_dir=settings.data_dir,
                )
            except SandboxError as exc:
                raise StartupError(str(exc)) from exc
            return cls.on_sandbox(sandbox, settings, cache=cache, state=state)
        engine = create_engine(
            settings.wp_db_url.reveal(),
            pool_pre_ping=True,
            pool_recycle=3600,
            connect_args={"connect_timeout": 5},
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
            cache=cache or CatalogCache(settings.data_dir),
            sandbox=sandbox,
            state=state,
        )

    # --- catalog ---------------------------------------------------------------------
    def catalog(self) -> Catalog | None:
        """The cached catalog (memory, else the signed pickle); None when there is none.
        Never fetches: only ``refresh_catalog`` does."""
        with self._lock:
            if self._catalog is None:
                loaded = self.cache.load()
                self._catalog_warning = loaded.warning
                if isinstance(loaded.value, Catalog):
                    self._catalog = loaded.value
            return self._catalog

    @property
    def catalog_warning(self) -> str | None:
        """Why the saved catalog was discarded at load, if it was."""
        return self._catalog_warning

    def refresh_catalog(self, progress: RefreshProgress | None = None) -> RefreshResult:
        """Fetch the catalog from both APIs, save it, and say what changed.

        A channel that fails keeps its part of the previous catalog and reports why; the
        other channel is refreshed all the same.
        """
        started = time.perf_counter()
        previous = self.catalog()
        now = datetime.now(UTC)
        errors: dict[str, str] = {}

        def step(name: str) -> Callable[[int, int | None], None]:
            return lambda done, total: progress(name, done, total) if progress else None

        try:
            products = self.woocommerce.list_products(progress=step("WooCommerce pages"))
        except IntegrationError as exc:
            errors["woocommerce"] = str(exc)
            products = None
        eventbrite_fetched_at: datetime | None = now
        class_errors: dict[str, str] = {}
        tier_errors: dict[str, str] = {}
        try:
            events = self.eventbrite.list_events(progress=step("Eventbrite events"))
            occurrences = [e["id"] for e in events if not e.get("is_series_parent")]
            selling = [e["id"] for e in events if e.get("status") in SELLING_STATUSES]
            classes = self.eventbrite.ticket_classes(
                occurrences, tiers_for=selling, progress=step("Ticket classes")
            )
            class_errors = {event_id: str(exc) for event_id, exc in classes.errors.items()}
            tier_errors = {event_id: str(exc) for event_id, exc in classes.tier_errors.items()}
            if classes.errors:
                first = next(iter(classes.errors.values()))
                errors["eventbrite"] = (
                    f"ticket classes of {len(classes.errors)} event(s) could not be read: {first}"
                )
            elif classes.tier_errors:
                first = next(iter(classes.tier_errors.values()))
                errors["eventbrite"] = (
                    f"holds and carts of {len(classes.tier_errors)} event(s) could not be "
                    f"read (their seats left are unknown): {first}"
                )
        except IntegrationError as exc:
            errors["eventbrite"] = str(exc)
            events, classes, eventbrite_fetched_at = None, None, None

        fresh = build_catalog(
            products=products or [],
            events=events or [],
            ticket_classes=classes or {},
            timezone=self.settings.timezone,
            fetched_at=now,
            eventbrite_fetched_at=eventbrite_fetched_at,
            errors=errors,
            ticket_class_errors=class_errors,
            capacity_tiers=getattr(classes, "tiers", None),
            capacity_tier_errors=tier_errors,
        )
        if previous is not None and (products is None or events is None):
            fresh = _keep_failed_parts(fresh, previous, products is None, events is None)
        self.cache.save(fresh)
        with self._lock:
            self._catalog = fresh
            self._catalog_warning = None
        return RefreshResult(
            catalog=fresh,
            changes=catalog_changes(previous, fresh),
            errors=errors,
            seconds=time.perf_counter() - started,
        )

    # --- live numbers ----------------------------------------------------------------
    def live_numbers(self, catalog: Catalog) -> LiveNumbers:
        """Sold/pending/checked-in and remaining stock from the WordPress DB: 3 statements
        whatever the catalog size."""
        ids = [p.product_id for p in catalog.event_products]
        before = self.wordpress.statements
        try:
            stock = self.wordpress.current_stock(ids)
            counts = self.wordpress.ticket_counts(ids, slot_dates=stock)
        except WordPressUnavailable as exc:
            return LiveNumbers(None, None, str(exc), self.wordpress.statements - before)
        return LiveNumbers(counts, stock, None, self.wordpress.statements - before)

    def listings(self, catalog: Catalog | None = None) -> pd.DataFrame:
        """One row per listing on both channels, with live WordPress numbers."""
        catalog = catalog or self.catalog()
        if catalog is None:
            return build_listings(_empty_catalog(self.settings.timezone), None, None)
        live = self.live_numbers(catalog)
        return build_listings(catalog, live.ticket_counts, live.stock, live_error=live.error)

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
            return suggest_shows(listings, venue_capacity=self.settings.venue_capacity)

    # --- health ----------------------------------------------------------------------
    def health(self) -> list[Health]:
        """One measured result per integration, plus the cache, disk and memory."""
        return [
            self._timed("WooCommerce API", self.woocommerce.ping),
            self._eventbrite_health(),
            self._timed("WordPress DB", self._db_ping),
            self._cache_health(),
            _disk_health(self.settings.data_dir),
            _memory_health(),
        ]

    def _timed(self, name: str, call: Callable[[], object]) -> Health:
        started = time.perf_counter()
        try:
            call()
        except (IntegrationError, WordPressUnavailable) as exc:
            return Health(name, "down", str(exc), _ms(started))
        except Exception as exc:  # noqa: BLE001 - a health check must not raise
            log.exception("health check %s failed", name)
            return Health(name, "down", f"unexpected {type(exc).__name__}", _ms(started))
        latency = _ms(started)
        if latency > SLOW_SECONDS * 1000:
            return Health(name, "degraded", f"slow: answered in {latency / 1000:.1f} s", latency)
        return Health(name, "ok", "answering", latency)

    def _eventbrite_health(self) -> Health:
        result = self._timed("Eventbrite API", self.eventbrite.ping)
        left = self.eventbrite.calls_left_this_hour()
        budget = f"{left} of 2,000 calls left this hour"
        if result.state == "ok" and left < LOW_EVENTBRITE_BUDGET:
            return Health(result.name, "degraded", f"call budget low: {budget}", result.latency_ms)
        return Health(result.name, result.state, f"{result.reason}; {budget}", result.latency_ms)

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
        if info is None or catalog is None:
            reason = self._catalog_warning or "no catalog yet: press Refresh data"
            return Health("Catalog cache", "degraded", reason)
        age = datetime.now(UTC) - catalog.fetched_at
        reason = f"{_age(age)} old, {info.size_bytes / 1024:.0f} KiB"
        if catalog.errors:
            return Health("Catalog cache", "degraded", f"{reason}; last refresh had errors")
        return Health("Catalog cache", "ok", reason)

    # --- inventory, shows and sync -------------------------------------------------------
    # Capacity changes go through brcc_core.inventory (fresh read, one write, verify,
    # restore, audit); show mappings and the audit log live in the app-state DB.

    @property
    def state(self) -> AppState:
        """The app-state DB (audit log, saved shows, recurring rules), opened on first use
        so pages that never need it never touch it."""
        with self._state_lock:
            if self._state is None:
                self._state = AppState.open(self.settings.state_db_url)
            return self._state

    @property
    def inventory(self) -> InventoryEngine:
        return InventoryEngine(self.woocommerce, self.eventbrite, self.state.append_audit)

    def listing_state(self, listing_key: str, listings: pd.DataFrame) -> ListingState:
        """One listing as the manager sees it; KeyError when it is not in ``listings``."""
        rows = listings[listings["listing_key"] == listing_key]
        if rows.empty:
            raise KeyError(listing_key)
        row = rows.iloc[0].to_dict()
        others: tuple[str, ...] = ()
        event_id = row.get("event_id")
        if row.get("channel") == "eventbrite" and isinstance(event_id, str):
            siblings = listings[
                (listings["event_id"] == event_id) & (listings["listing_key"] != listing_key)
            ]
            others = tuple(str(s) for s in siblings["slot_label"].dropna())
        return ListingState.from_row(row, other_classes=others)

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
        return preview_change(change, listing, venue_capacity=venue)

    def apply_change(
        self,
        change: Change,
        listings: pd.DataFrame | None = None,
        *,
        who: str = ANONYMOUS,
        action: str = "change",
        down: dict[str, str] | None = None,
        venue_capacity: int | None = None,
    ) -> ChangeResult:
        """Apply one change through the engine (fresh read, write, verify, restore) with an
        audit row per attempt. Refused without touching a platform when the audit log
        cannot be written: every change must be on record."""
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
        result = self.inventory.apply(
            change, listing, who=who, venue_capacity=venue, action=action, down=down
        )
        self._remember_ticket_classes([result.ticket_class])
        return result

    def _remember_ticket_classes(self, classes: list[dict | None]) -> None:
        """Keep the catalog's Eventbrite numbers as the engine last read them."""
        with self._lock:
            if self._catalog is not None:
                self._catalog = patch_catalog(self._catalog, classes)

    def audit_log(self, **filters) -> pd.DataFrame:
        """Recent audit rows, newest first (see ``State.audit_log`` for the filters)."""
        return self.state.audit_log(**filters)

    def saved_shows(self, listings: pd.DataFrame | None = None) -> pd.DataFrame:
        """Shows with the saved mappings first, then recurring rules, then suggestions
        (``MAPPED_SHOW_COLUMNS``: ``source`` says which)."""
        listings = self.listings() if listings is None else listings
        return map_shows(
            listings,
            saved=self.state.saved_shows(),
            rules=self.state.recurring_rules(),
            venue_capacity=self.settings.venue_capacity,
        )

    def save_show_mapping(
        self,
        show_key: str,
        listing_keys: list[str] | tuple[str, ...],
        *,
        venue_capacity: int | None = None,
        title: str | None = None,
        who: str = ANONYMOUS,
    ) -> None:
        """Confirm a show: these listings, this venue capacity (None = the default)."""
        self.state.save_show(
            SavedShow(show_key, tuple(listing_keys), venue_capacity, title or None), who=who
        )

    def forget_show_mapping(self, show_key: str) -> None:
        self.state.forget_show(show_key)

    def recurring_rules(self) -> list[RecurringRule]:
        return self.state.recurring_rules()

    def save_recurring_rule(self, rule: RecurringRule, *, who: str = ANONYMOUS) -> int:
        return self.state.save_rule(rule, who=who)

    def delete_recurring_rule(self, rule_id: int) -> None:
        self.state.delete_rule(rule_id)

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
        who: str = ANONYMOUS,
    ) -> list[tuple[SyncRow, ChangeResult]]:
        """Run the chosen "change" rows (``SyncRow.row_key``; None = all) through the
        change engine, one at a time, and report per row. Once a channel stops answering,
        its remaining rows are refused without calling it again."""
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
        return outcomes


def _first_sentence(text: str) -> str:
    return text.split(". ")[0].rstrip(".")


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _age(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"


def _disk_health(path) -> Health:
    target = path if os.path.isdir(path) else "."
    usage = shutil.disk_usage(target)
    free_gb = usage.free / 1024**3
    state: State = "ok" if free_gb >= 1 else ("degraded" if free_gb >= 0.1 else "down")
    return Health("Disk", state, f"{free_gb:.1f} GiB free where the data lives")


def _memory_health() -> Health:
    try:
        with open("/proc/meminfo") as fh:
            info = {line.split(":")[0]: int(line.split()[1]) for line in fh if ":" in line}
        available = info["MemAvailable"] / 1024**2
        total = info["MemTotal"] / 1024**2
    except (OSError, KeyError, ValueError):
        return Health("Memory", "ok", "not measurable on this system")
    state: State = "ok" if available / total >= 0.1 else "degraded"
    return Health("Memory", state, f"{available:.1f} of {total:.1f} GiB available")


def _empty_catalog(timezone: str) -> Catalog:
    return Catalog(fetched_at=datetime.now(UTC), timezone=timezone)


def _keep_failed_parts(
    fresh: Catalog, previous: Catalog, woocommerce_failed: bool, eventbrite_failed: bool
) -> Catalog:
    from dataclasses import replace

    if woocommerce_failed:
        fresh = replace(fresh, products=previous.products)
    if eventbrite_failed:
        fresh = replace(
            fresh,
            events=previous.events,
            ticket_classes=previous.ticket_classes,
            ticket_class_errors=previous.ticket_class_errors,
            eventbrite_fetched_at=previous.eventbrite_fetched_at,
        )
    return fresh


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
