"""Live numbers for every page: listings and shows with what the WordPress database
says now, read once and shared by every session for a few seconds, and the health of
each system the numbers come from."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from brcc_core.catalog.build import Catalog
from brcc_core.catalog.keeper import CatalogKeeper, empty_catalog
from brcc_core.channels.connections import Connections
from brcc_core.channels.http import IntegrationError, no_answer_within
from brcc_core.channels.wordpress import WordPressUnavailable
from brcc_core.common import clock
from brcc_core.common.deadlines import within_deadline
from brcc_core.common.formats import age_label
from brcc_core.live.health import Check, Health, disk_health, memory_health, with_call_budget
from brcc_core.live.listings import build_listings
from brcc_core.live.shared_reads import SharedValues
from brcc_core.live.shows import map_shows, suggest_shows
from brcc_core.store.saved_shows import RecurringRule, SavedShow
from brcc_core.store.state import State, StateUnavailable

log = logging.getLogger(__name__)

SAVED_SHOWS_ERROR = "saved_shows_error"
"""``shows().attrs`` key: why saved shows (and their venue capacities) are not in use."""
SLOW_SECONDS = 2.0
LIVE_READ_AT = "live_read_at"  # listings.attrs key: when its live numbers were read (UTC)
# listings.attrs key: why its live numbers are older than this view (a stuck read)
LIVE_HELD_UP = "live_held_up"


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


class LiveReads:
    """Listings, shows and health as every page reads them: one read of each shared by
    the sessions of this process for ``systems.settings.live_share_seconds``."""

    def __init__(
        self,
        systems: Connections,
        *,
        catalogs: CatalogKeeper,
        state: Callable[[], State],
    ):
        self.systems = systems
        self.catalogs = catalogs
        self._state = state  # the app-state DB, opened on first use by the facade
        # One read of the live numbers serves every session for a few seconds; cleared
        # by every write and refresh (``changed``).
        self.shared_live: SharedValues[LiveNumbers] = SharedValues(
            systems.settings.live_share_seconds
        )
        self._listings_memo: tuple[Catalog, LiveNumbers, pd.DataFrame] | None = None
        # The health checks are shared for as long as the read: twenty viewers measure
        # them once (``shared_health``).
        self.shared_health_checks: SharedValues[tuple[float, list[Health]]] = SharedValues(
            systems.settings.live_share_seconds
        )
        # Saved shows and recurring rules, read on every view: shared for as long as the
        # live numbers, so a stuck app-state database holds one view, not every one.
        self.shared_mappings: SharedValues[_Mappings] = SharedValues(
            systems.settings.live_share_seconds
        )

    def changed(self) -> None:
        """A write or refresh happened: no session may see numbers read before it."""
        self.shared_live.clear()
        self.shared_health_checks.clear()

    def live_numbers(self, catalog: Catalog) -> LiveNumbers:
        """Sold/pending/checked-in and remaining stock from the WordPress DB: 3 statements
        whatever the catalog size."""
        ids = tuple(sorted(p.product_id for p in catalog.event_products))
        return self.shared_live.get(
            ids,
            lambda: self._read_live_numbers(ids),
            wait_seconds=float(self.systems.settings.page_deadline_seconds),
            waited=self._live_held_up,
            good=lambda live: live.error is None,
        )

    def _live_held_up(self, last: LiveNumbers | None, age: float | None) -> LiveNumbers:
        """What a view gets while another view's read of the WordPress database is stuck:
        the last good numbers with their age, or unknown with why."""
        why = (
            "the WordPress database has not answered another page's read within "
            f"{self.systems.settings.page_deadline_seconds:g} s (timed out)"
        )
        if last is None:
            return LiveNumbers(None, None, f"{why}, and no earlier numbers are kept", 0, None)
        return replace(last, statements=0, held_up=f"{why}; these are the last numbers it gave")

    def _read_live_numbers(self, ids: tuple[int, ...]) -> LiveNumbers:
        read_at = clock.now()
        before = self.systems.wordpress.statements
        try:
            stock = self.systems.wordpress.current_stock(ids)
            counts = self.systems.wordpress.ticket_counts(ids, slot_dates=stock)
        except WordPressUnavailable as exc:
            return LiveNumbers(
                None, None, str(exc), self.systems.wordpress.statements - before, read_at
            )
        return LiveNumbers(counts, stock, None, self.systems.wordpress.statements - before, read_at)

    def listings(self, catalog: Catalog | None = None) -> pd.DataFrame:
        """One row per listing on both channels, with live WordPress numbers."""
        catalog = catalog or self.catalogs.catalog()
        if catalog is None:
            return build_listings(empty_catalog(self.systems.settings.timezone), None, None)
        return self.listings_of(catalog, self.live_numbers(catalog))

    def listings_of(self, catalog: Catalog, live: LiveNumbers) -> pd.DataFrame:
        memo = self._listings_memo  # sessions sharing a read share its listings too
        if memo is not None and memo[0] is catalog and memo[1] is live:
            return memo[2].copy()
        frame = build_listings(catalog, live.ticket_counts, live.stock, live_error=live.error)
        frame.attrs[LIVE_READ_AT] = live.read_at
        frame.attrs[LIVE_HELD_UP] = live.held_up
        if self.shared_live.ttl_seconds > 0:
            self._listings_memo = (catalog, live, frame.copy())
        return frame

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
            venue = self.systems.settings.venue_capacity
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

    def saved_shows(self, listings: pd.DataFrame | None = None) -> pd.DataFrame:
        """Shows with the saved mappings first, then recurring rules, then suggestions
        (``MAPPED_SHOW_COLUMNS``: ``source`` says which)."""
        listings = self.listings() if listings is None else listings
        mappings = self._saved_mappings()
        shows = map_shows(
            listings,
            saved=mappings.saved,
            rules=mappings.rules,
            venue_capacity=self.systems.settings.venue_capacity,
        )
        if mappings.held_up:
            shows.attrs[SAVED_SHOWS_ERROR] = mappings.held_up
        return shows

    def _saved_mappings(self) -> _Mappings:
        """Saved shows and rules, shared between views for a few seconds; while another
        view's read of the app-state database is stuck, the last ones read (with their
        age), or StateUnavailable."""
        deadline = float(self.systems.settings.page_deadline_seconds)

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
            lambda: _Mappings(self._state().saved_shows(), self._state().recurring_rules()),
            wait_seconds=deadline,
            waited=held_up,
        )

    def health(self) -> list[Health]:
        """One measured result per integration, plus the cache, disk and memory.

        The three systems are measured at once, and a page waits for them no longer than
        ``settings.page_deadline_seconds``: a system still silent then is reported as
        timed out (its check finishes in the background), so a hanging API never holds
        up the page."""
        deadline = float(self.systems.settings.page_deadline_seconds)
        checks = {
            Check.WOOCOMMERCE: lambda: self._timed(
                Check.WOOCOMMERCE, self.systems.woocommerce.ping
            ),
            Check.EVENTBRITE: self._eventbrite_health,
            Check.WORDPRESS: lambda: self._timed(Check.WORDPRESS, self._db_ping),
        }
        results = within_deadline(checks, deadline)
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
            systems[1] = with_call_budget(
                systems[1], self.systems.eventbrite.calls_left_this_hour()
            )
        return [
            *systems,
            self._cache_health(),
            disk_health(self.systems.settings.data_dir),
            memory_health(),
        ]

    def shared_health(self) -> tuple[list[Health], float]:
        """``health()`` shared by every session for ``systems.settings.live_share_seconds`` (twenty
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
        result = self._timed(Check.EVENTBRITE, self.systems.eventbrite.ping)
        return with_call_budget(result, self.systems.eventbrite.calls_left_this_hour())

    def _db_ping(self) -> None:
        engine: Engine = self.systems.wordpress.engine
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise WordPressUnavailable(
                f"WordPress database unreachable ({type(exc).__name__})"
            ) from None

    def _cache_health(self) -> Health:
        info = self.catalogs.cache.info()
        catalog = self.catalogs.catalog()
        unsaved = self.catalogs.unsaved
        if catalog is not None and unsaved:
            return Health(Check.CATALOG, "degraded", unsaved)
        if info is None or catalog is None:
            reason = self.catalogs.catalog_warning or "no catalog yet: press Refresh data"
            return Health(Check.CATALOG, "degraded", reason)
        age = clock.now() - catalog.fetched_at
        reason = f"{age_label(age)} old, {info.size_bytes / 1024:.0f} KiB"
        if catalog.errors:
            return Health(Check.CATALOG, "degraded", f"{reason}; last refresh had errors")
        return Health(Check.CATALOG, "ok", reason)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _seconds_ago(age: float | None) -> str:
    return age_label(timedelta(seconds=age or 0), seconds=True)
