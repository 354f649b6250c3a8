"""The Inventory page's view-model (pure: no Streamlit, no I/O; ``brcc_core.ui.inventory``
and its tabs render it): the note beside an Eventbrite listing, the Sync dry run as a
table, and the session's catalog once a change has read Eventbrite's numbers afresh."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from brcc_core.capacity.engine import ChangeResult, catalog_reads
from brcc_core.capacity.sync import SYNC_ROW_COLUMNS, SyncPlan, plans_frame
from brcc_core.catalog.build import Catalog
from brcc_core.catalog.merge import patch_catalog
from brcc_core.channels.eventbrite_seats import seats_note
from brcc_core.common.club import Channel, channel_name
from brcc_core.common.formats import SYNC_ACTIONS

# The dry run's own columns in its order, the listing by name instead of by key (a
# manager never reads a key alone).
DRY_RUN_COLUMNS = [
    "listing" if c == "title" else c
    for c in SYNC_ROW_COLUMNS
    if c not in ("show_key", "listing_key")
]


def seats_caption(row: Mapping | pd.Series) -> str | None:
    """What an Eventbrite listing adds under its numbers: the event's seats left, shared by
    its ticket types, and what this class sells once its sales open. None for a listing
    that has no such note (WooCommerce, or an event whose seats were not read)."""
    if row["channel"] != Channel.EVENTBRITE or "event_seats_left" not in row:
        return None
    return seats_note(row["event_seats_left"], row.get("available_later"))


def dry_run_frame(plans: Sequence[SyncPlan]) -> pd.DataFrame:
    """One row per listing of these plans: the show, the channel and the listing by name,
    what it has now, what the sync would make it (the action in words), and why."""
    table = plans_frame(plans)
    return table.assign(
        channel=table["channel"].map(channel_name),
        listing=table["title"],
        action=table["action"].map(SYNC_ACTIONS),
    )


def catalog_after(catalog: Catalog, results: Iterable[ChangeResult]) -> Catalog:
    """``catalog`` with Eventbrite's numbers as these changes just read them, so the page
    shows what the engine saw, not the last refresh's numbers."""
    return patch_catalog(catalog, *catalog_reads(results))
