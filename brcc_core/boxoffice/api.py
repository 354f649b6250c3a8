"""The names a page may hand to the facade or catch from it.

``BoxOffice`` takes and returns records (a ``Change``, an ``Actor``, a ``SyncPlan``...) and
raises errors (``AccessDenied``, ``StateUnavailable``...) that are defined in the packages
that own them. A page names them from here, so ``ui/`` reads the facade, the view-models
and the shared core only (tests/test_package_layers.py), and a newcomer finds the facade's
whole vocabulary in one list. Each name keeps its one home: this module re-exports, it
defines nothing.
"""

from brcc_core.capacity.engine import EVENTBRITE_CALLS_PER_CHANGE, ChangeResult
from brcc_core.capacity.preview import Change, parse_seats
from brcc_core.capacity.sync import SyncPlan, SyncPolicy, SyncRow
from brcc_core.catalog.build import Catalog
from brcc_core.channels.http import IntegrationError
from brcc_core.live.health import Health
from brcc_core.people.access import (
    LINK_LIFETIMES,
    ROLE_LABELS,
    ROLES,
    AccessDenied,
    Actor,
    LinkInvalid,
    MeetingLink,
    Role,
    a_role,
)
from brcc_core.sales.eventbrite_orders import SalesStoreUnavailable
from brcc_core.sales.history import SalesHistory
from brcc_core.sales.takings import Takings
from brcc_core.settings import Settings, SettingsError, load_settings
from brcc_core.store.saved_shows import RecurringRule, RuleMember
from brcc_core.store.state import StateUnavailable

__all__ = [
    # Who acts, and the roles' vocabulary (the people page and the sidebar print it).
    "ROLES",
    "ROLE_LABELS",
    "AccessDenied",
    "Actor",
    "Role",
    "a_role",
    # Meeting links.
    "LINK_LIFETIMES",
    "LinkInvalid",
    "MeetingLink",
    # Settings: a page reads them to build (and name) the one BoxOffice.
    "Settings",
    "SettingsError",
    "load_settings",
    # The catalog a page keeps in its session, and the health the dashboard shows.
    "Catalog",
    "Health",
    # Capacity changes and Sync: what a page builds from a manager's input, and the
    # outcome it reports. parse_seats reads the Seats box into the number a Change takes.
    "EVENTBRITE_CALLS_PER_CHANGE",
    "Change",
    "ChangeResult",
    "SyncPlan",
    "SyncPolicy",
    "SyncRow",
    "parse_seats",
    # Saved shows' recurring rules.
    "RecurringRule",
    "RuleMember",
    # Sales.
    "SalesHistory",
    "Takings",
    # What a call to the club's systems or the app's own database may raise.
    "IntegrationError",
    "SalesStoreUnavailable",
    "StateUnavailable",
]
