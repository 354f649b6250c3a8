"""Sales over time as the Sales & pace and Tonight pages read them: WordPress tickets and
orders live, Eventbrite orders from the app-state copy that ``sync_eventbrite_sales``
keeps up to date; reads only."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

import pandas as pd

from brcc_core.catalog.build import Catalog
from brcc_core.catalog.keeper import CatalogKeeper, empty_catalog
from brcc_core.channels.connections import Connections
from brcc_core.channels.http import IntegrationError
from brcc_core.common import clock
from brcc_core.common.club import Channel
from brcc_core.common.keys import event_id_of, is_eventbrite_key, occurrence_of_listing
from brcc_core.live.service import LiveReads
from brcc_core.live.shared_reads import SharedValues
from brcc_core.people.access import Access, Actor, record_read
from brcc_core.sales.door import count_attendees, door_rows, tonight_shows
from brcc_core.sales.eventbrite_orders import EventbriteSales, SyncResult
from brcc_core.sales.history import SalesHistory, read_sales
from brcc_core.sales.pace import pace_table
from brcc_core.sales.site_copy import Progress, SiteSalesCopy
from brcc_core.sales.site_history import WooCommerceHistory
from brcc_core.store.state import AuditEntry, State, StateUnavailable


class SalesReads:
    """Both channels' sales history (shared by every session for minutes), pace, tonight
    at the door, and the Eventbrite order sync that feeds them."""

    def __init__(
        self,
        systems: Connections,
        *,
        live: LiveReads,
        catalogs: CatalogKeeper,
        state: Callable[[], State],
        access: Callable[[], Access],
        audit: Callable[[AuditEntry], None],
    ):
        self.systems = systems
        self.live = live
        self.catalogs = catalogs
        self._state = state
        self._access = access
        self._audit = audit
        self._lock = threading.Lock()
        self._eb_sales: EventbriteSales | None = None
        self._wc_history: WooCommerceHistory | None = None
        self._site_copy: SiteSalesCopy | None = None
        # The sales history (a year: tens of seconds to read) serves every rerun and
        # session for minutes; a sale moves pace by a seat, a write or sync clears it.
        self.shared_history: SharedValues[SalesHistory] = SharedValues(
            systems.settings.history_share_seconds
        )

    @property
    def eventbrite_sales(self) -> EventbriteSales:
        state = self._state()
        with self._lock:
            if self._eb_sales is None:
                self._eb_sales = EventbriteSales(state.engine)
            return self._eb_sales

    @property
    def woocommerce_history(self) -> WooCommerceHistory:
        with self._lock:
            if self._wc_history is None:
                self._wc_history = WooCommerceHistory(
                    self.systems.wordpress.engine, self.systems.settings.wp_table_prefix
                )
            return self._wc_history

    @property
    def site_sales(self) -> SiteSalesCopy:
        """The website's sales kept in the app-state database (read in full from
        WordPress, with a warning, when that database cannot be used)."""
        history = self.woocommerce_history
        with self._lock:
            if self._site_copy is None:
                self._site_copy = SiteSalesCopy(history, lambda: self._state().engine)
            return self._site_copy

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
            actor = self._access().require(
                who, "viewer", "sync Eventbrite orders", key="eventbrite orders"
            )
        calls_before = self.systems.eventbrite.calls
        outcome, error = "failed", None
        after = None
        try:
            result = self.eventbrite_sales.sync(
                self.systems.eventbrite,
                progress=progress,
                reserve=self.systems.settings.eb_write_reserve,
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
                record_read(
                    self._audit,
                    actor,
                    ("order sync", "eventbrite orders", Channel.EVENTBRITE),
                    "Eventbrite orders sync",
                    after,
                    outcome,
                    error,
                    f"{self.systems.eventbrite.calls - calls_before} Eventbrite calls",
                )

    def sales_history(
        self,
        catalog: Catalog | None = None,
        listings: pd.DataFrame | None = None,
        progress: Progress | None = None,
    ) -> SalesHistory:
        """Both channels' sales, shared by every rerun and session for
        ``systems.settings.history_share_seconds`` (``history.read_at`` says when it was read).
        The website's first read copies its sales into the app-state database in batches,
        calling ``progress(copied, total)`` after each (tickets and order items)."""
        catalog = (
            catalog or self.catalogs.catalog() or empty_catalog(self.systems.settings.timezone)
        )
        ids = tuple(sorted(p.product_id for p in catalog.event_products))
        history = self.shared_history.get(
            (ids, catalog.fetched_at),
            lambda: self._read_sales_history(catalog, listings, progress),
        )
        if history.failed:  # an outage is not kept for minutes: the next view tries again
            self.shared_history.clear()
        return history

    def _read_sales_history(
        self, catalog: Catalog, listings: pd.DataFrame | None, progress: Progress | None = None
    ) -> SalesHistory:
        listings = self.live.listings(catalog) if listings is None else listings
        try:
            store: EventbriteSales | None = self.eventbrite_sales
        except StateUnavailable:
            store = None
        return read_sales(
            catalog,
            listings,
            self.site_sales,
            store,
            timezone=self.systems.settings.timezone,
            progress=progress,
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
        listings = self.live.listings() if listings is None else listings
        shows = self.live.shows(listings) if shows is None else shows
        history = history or self.sales_history(listings=listings)
        return pace_table(
            shows,
            listings,
            history.frame,
            now=now or clock.now(),
            n=self.systems.settings.pace_occurrences,
            unknown=history.unknown,
            horizon_days=horizon_days,
            by_key=history.occurrences,
        )

    def tonight(self, catalog: Catalog | None = None, now: datetime | None = None) -> pd.DataFrame:
        """The door view (``door.DOOR_COLUMNS``) for tonight's shows: live WordPress
        numbers and the attendees of tonight's Eventbrite events, read now. ``catalog``:
        the page's (``ui.catalog.current_catalog``, built there when none exists), else
        the cached one; never refreshed here."""
        now = now or clock.now()
        catalog = catalog or self.catalogs.catalog()
        listings = self.live.listings(catalog)
        shows = tonight_shows(
            self.live.shows(listings), pd.Timestamp(now).tz_convert(self.systems.settings.timezone)
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
                    for page in self.systems.eventbrite.walk_attendees(event_id=event_id_of(key))
                    for a in page
                ]
            except IntegrationError as exc:
                errors[key] = f"Eventbrite check-ins unknown: {exc}"
                continue
            counts[key] = count_attendees(seats)
        return door_rows(shows, listings, counts, errors)
