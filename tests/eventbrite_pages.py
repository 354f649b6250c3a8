"""How many calls an incremental Eventbrite order sync takes, from the sandbox's own rows:
one page (50 rows) or more for the orders changed since the orders cursor, and as many for
the attendees changed since theirs, each cursor less the sync's overlap. How many seeded
orders fall in that overlap depends on the seed's day, so tests compute it, never assume
one page each."""

from __future__ import annotations

import math

from sqlalchemy import func, select

from brcc_core.sales.eventbrite_orders import EventbriteSales
from brcc_core.sandbox.eventbrite_api import DEFAULT_PAGE_SIZE
from brcc_core.sandbox.eventbrite_orders import ATTENDEES, ORDERS
from brcc_core.sandbox.twin import Sandbox


def incremental_sync_calls(sandbox: Sandbox, store: EventbriteSales) -> int:
    """The calls the next sync of ``store`` makes when nothing is part-way."""
    calls = 0
    for name, table in (("orders", ORDERS), ("attendees", ATTENDEES)):
        cursor = store.cursor(name)
        assert cursor is not None, f"a complete sync came first ({name} has no cursor)"
        since = (cursor - store.OVERLAP).replace(tzinfo=None)
        with sandbox.engine.connect() as conn:
            rows = conn.execute(
                select(func.count()).select_from(table).where(table.c.changed >= since)
            ).scalar_one()
        calls += max(1, math.ceil(rows / DEFAULT_PAGE_SIZE))
    return calls
