"""``BoxOffice``: the composition root, and the one facade the pages call.

It builds the services from settings (or around the sandbox in demo mode), owns the
app-state database they share, and hands the pages their operations: the catalog
(``catalog.keeper``), live listings, shows and health (``live.service``), capacity
changes and sync (``capacity.service``), sales, pace and the door (``sales.service``),
people, roles and meeting links (``people.access``). Pages never do HTTP or SQL.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from brcc_core.capacity.locks import Locks
from brcc_core.capacity.service import CapacityDesk
from brcc_core.catalog.build import Catalog
from brcc_core.catalog.cache import CatalogCache
from brcc_core.catalog.keeper import CatalogKeeper
from brcc_core.channels.connections import Connections
from brcc_core.channels.eventbrite import EventbriteClient
from brcc_core.channels.woocommerce import WooCommerceClient
from brcc_core.channels.wordpress import WordPressReader, wordpress_engine
from brcc_core.live.service import LiveReads
from brcc_core.live.shared_reads import SharedValues
from brcc_core.people.access import Access, Actor, MeetingLink, Role
from brcc_core.sales.service import SalesReads
from brcc_core.settings import Settings
from brcc_core.store.state import AuditEntry, StateUnavailable
from brcc_core.store.state import State as AppState
from brcc_core.store.systems import StateRefused, claim, move_legacy_demo
from brcc_core.views.dashboard import DashboardView, build_dashboard_view

if TYPE_CHECKING:
    from brcc_core.sandbox.twin import Sandbox


log = logging.getLogger(__name__)


class StartupError(RuntimeError):
    """The club's systems (in demo mode, the sandbox) cannot be opened; the message says
    what to do and holds no secret."""


class _Shared:
    """A connection every service reads through ``Connections``: setting it on the facade
    (a reconnect, a test cutting a system) is seen by all of them."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, box: BoxOffice, owner: type | None = None) -> Any:
        return getattr(box.systems, self.name)

    def __set__(self, box: BoxOffice, value: Any) -> None:
        setattr(box.systems, self.name, value)


class BoxOffice:
    settings = _Shared()
    woocommerce = _Shared()
    eventbrite = _Shared()
    wordpress = _Shared()

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
        self.systems = Connections(settings, woocommerce, eventbrite, wordpress)
        self.sandbox = sandbox
        self._state = state  # the app-state DB, opened on first use (see ``state``)
        self._state_claimed = False  # checked to belong to settings.systems (systems.py)
        self._state_lock = threading.Lock()
        self._access: Access | None = None
        self._locks: Locks | None = None
        # Eventbrite's hour belongs to the token: every server counts its calls in the
        # app-state database, so the write reserve holds with several of them.
        eventbrite.share_budget(lambda: self.state.engine)
        audit = self._append_audit
        self.catalogs = CatalogKeeper(
            self.systems,
            cache=cache,
            access=lambda: self.access,
            audit=audit,
            changed=self._live_changed,
        )
        self.live = LiveReads(self.systems, catalogs=self.catalogs, state=lambda: self.state)
        self.sales = SalesReads(
            self.systems,
            live=self.live,
            catalogs=self.catalogs,
            state=lambda: self.state,
            access=lambda: self.access,
            audit=audit,
        )
        self.capacity = CapacityDesk(
            self.systems,
            live=self.live,
            catalogs=self.catalogs,
            state=lambda: self.state,
            locks=lambda: self.locks,
            access=lambda: self.access,
            changed=self._live_changed,
            mappings_changed=self._mappings_changed,
        )
        # What the dashboard draws from one read (shows, key figures, table, chart) is
        # shared for as long as the read: twenty viewers build it once.
        self.shared_views: SharedValues[DashboardView] = SharedValues(settings.live_share_seconds)
        # The services' operations, as the pages call them.
        self.catalog = self.catalogs.catalog
        self.storage_warning = self.catalogs.storage_warning
        self.refresh_catalog = self.catalogs.refresh
        self.refresh_cost = self.catalogs.refresh_cost
        self.eventbrite_refresh_refusal = self.catalogs.eventbrite_refresh_refusal
        self.live_numbers = self.live.live_numbers
        self.listings = self.live.listings
        self.shows = self.live.shows
        self.saved_shows = self.live.saved_shows
        self.health = self.live.health
        self.shared_health = self.live.shared_health
        self.forget_health = self.live.forget_health
        self.listing_state = self.capacity.listing_state
        self.preview_change = self.capacity.preview_change
        self.guard_undo = self.capacity.guard_undo
        self.apply_change = self.capacity.apply_change
        self.plan_sync = self.capacity.plan_sync
        self.apply_sync = self.capacity.apply_sync
        self.save_show_mapping = self.capacity.save_show_mapping
        self.forget_show_mapping = self.capacity.forget_show_mapping
        self.guard_policies = self.capacity.guard_policies
        self.save_guard_policy = self.capacity.save_guard_policy
        self.forget_guard_policy = self.capacity.forget_guard_policy
        self.guard_status = self.capacity.guard_status
        self.guard_raises = self.capacity.guard_raises
        self.recurring_rules = self.capacity.recurring_rules
        self.save_recurring_rule = self.capacity.save_recurring_rule
        self.delete_recurring_rule = self.capacity.delete_recurring_rule
        self.sync_eventbrite_sales = self.sales.sync_eventbrite_sales
        self.sales_history = self.sales.sales_history
        self.pace = self.sales.pace
        self.tonight = self.sales.tonight

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

    @property
    def catalog_warning(self) -> str | None:
        """Why the saved catalog was discarded at load, if it was."""
        return self.catalogs.catalog_warning

    @property
    def cache(self) -> CatalogCache:
        return self.catalogs.cache

    def _append_audit(self, entry: AuditEntry) -> None:
        self.state.append_audit(entry)

    def _mappings_changed(self) -> None:
        """A show, venue capacity or rule was saved: views built on the old ones go."""
        self.live.shared_mappings.clear()
        self.shared_views.clear()

    def _live_changed(self) -> None:
        """A write or refresh happened: no session may see numbers read before it."""
        self.live.changed()
        self.sales.shared_history.clear()
        self.shared_views.clear()

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
                self.live.listings_of(catalog, live), self.shows, now, days, self.settings.timezone
            ),
        )

    # --- the unattended guard (brcc_core.guard runs it; these are the managers' say) ----
    def pause_guard(self, *, who: Actor | None = None) -> None:
        """Managers only; audited. A paused guard does rounds of nothing and says so."""
        self.capacity.pause_guard(who=who, paused=True)

    def resume_guard(self, *, who: Actor | None = None) -> None:
        self.capacity.pause_guard(who=who, paused=False)

    def audit_log(self, **filters: Any) -> pd.DataFrame:
        """Recent audit rows, newest first (see ``State.audit_log`` for the filters)."""
        return self.state.audit_log(**filters)

    # --- people, roles and meeting links (people.access) ------------------------------
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
