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
from typing import Literal

import pandas as pd
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from brcc_core.catalog import Catalog, build_catalog
from brcc_core.catalog_cache import CatalogCache
from brcc_core.eventbrite import EventbriteClient
from brcc_core.http import IntegrationError
from brcc_core.listings import build_listings
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import Settings
from brcc_core.shows import suggest_shows
from brcc_core.woocommerce import WooCommerceClient
from brcc_core.wordpress import WordPressReader, WordPressUnavailable

log = logging.getLogger(__name__)

State = Literal["ok", "degraded", "down"]
RefreshProgress = Callable[[str, int, int | None], None]
"""``progress(step, done, total)``: step is "WooCommerce pages", "Eventbrite events" or
"Ticket classes"; total is None when the API does not say."""

SLOW_SECONDS = 2.0
LOW_EVENTBRITE_BUDGET = 200


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

    @classmethod
    def from_settings(cls, settings: Settings) -> BoxOffice:
        """Connect to the club's systems, or to the sandbox in demo mode (seeding it on
        first use). Nothing is fetched yet."""
        key = settings.cache_key.reveal().encode() if settings.cache_key else None
        cache = CatalogCache(settings.data_dir, key=key)
        if settings.is_demo:
            sandbox = Sandbox.open(
                settings.sandbox_db_url,
                scale=settings.sandbox_scale,
                seed_number=settings.sandbox_seed,
                table_prefix=settings.wp_table_prefix,
                lock_dir=settings.data_dir,
            )
            return cls.on_sandbox(sandbox, settings, cache=cache)
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
        )

    @classmethod
    def on_sandbox(
        cls, sandbox: Sandbox, settings: Settings, *, cache: CatalogCache | None = None
    ) -> BoxOffice:
        """A BoxOffice whose real clients talk to ``sandbox`` in process."""
        return cls(
            settings,
            woocommerce=WooCommerceClient(
                Sandbox.wc_url,
                Sandbox.wc_consumer_key,
                Sandbox.wc_consumer_secret,
                session=sandbox.session(),
            ),
            eventbrite=EventbriteClient(
                Sandbox.eb_token,
                Sandbox.eb_organization_id,
                base_url=Sandbox.eb_api_url,
                session=sandbox.session(),
            ),
            wordpress=WordPressReader(sandbox.engine, settings.wp_table_prefix),
            cache=cache or CatalogCache(settings.data_dir),
            sandbox=sandbox,
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
        try:
            events = self.eventbrite.list_events(progress=step("Eventbrite events"))
            occurrences = [e["id"] for e in events if not e.get("is_series_parent")]
            classes = self.eventbrite.ticket_classes(occurrences, progress=step("Ticket classes"))
            class_errors = {event_id: str(exc) for event_id, exc in classes.errors.items()}
            if classes.errors:
                first = next(iter(classes.errors.values()))
                errors["eventbrite"] = (
                    f"ticket classes of {len(classes.errors)} event(s) could not be read: {first}"
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
        """Listings of both channels grouped into shows with the venue capacity."""
        listings = self.listings() if listings is None else listings
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
