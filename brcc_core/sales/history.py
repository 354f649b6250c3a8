"""Both channels' sales history in one frame, with the reason for any part that could not
be read (an unreadable channel is unknown, never an empty history that looks like no
sales). Used by the facade for pace, revenue and check-ins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import pandas as pd

from brcc_core.catalog.build import Catalog
from brcc_core.channels.wordpress import WordPressUnavailable
from brcc_core.common import clock
from brcc_core.common.club import Channel
from brcc_core.common.values import known
from brcc_core.sales.eventbrite_orders import EventbriteSales, SalesStoreUnavailable, sync_state
from brcc_core.sales.pace import Occurrences, occurrences
from brcc_core.sales.site_copy import Progress, SiteSalesCopy
from brcc_core.sales.site_history import WooCommerceHistory, empty_sales


@dataclass
class SalesHistory:
    """``frame`` (``history.SALES_COLUMNS``), ``unknown`` channel → reason, the WordPress
    statements spent, and when Eventbrite orders were last synced (None: never)."""

    frame: pd.DataFrame
    unknown: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    statements: int = 0
    eventbrite_synced_at: datetime | None = None
    read_at: datetime | None = None  # UTC
    # A channel could not be read (not "never synced"): worth reading again at once.
    failed: bool = False

    @cached_property
    def occurrences(self) -> Occurrences:
        """The frame as pace curves, built once per read (pace and its chart on every
        rerun use the same)."""
        return occurrences(self.frame)


def read_sales(
    catalog: Catalog,
    listings: pd.DataFrame,
    woocommerce: WooCommerceHistory | SiteSalesCopy,
    eventbrite: EventbriteSales | None,
    *,
    timezone: str,
    progress: Progress | None = None,
) -> SalesHistory:
    """Read both channels; each failure is recorded against its channel only. The
    website's part comes from the app-state copy when ``woocommerce`` is one (its first
    build reports ``progress(copied, total)``), else straight from WordPress."""
    read_at = clock.now()
    failed = False
    parts: list[pd.DataFrame] = []
    unknown: dict[str, str] = {}
    starts: dict[str, datetime] = {}
    titles: dict[str, str] = {}
    if not listings.empty:
        for r in listings[listings["channel"] == Channel.WOOCOMMERCE].itertuples(index=False):
            if known(r.starts_at):
                starts[r.listing_key] = r.starts_at.to_pydatetime()
            label = r.slot_label if isinstance(r.slot_label, str) and r.slot_label else r.title
            titles[r.listing_key] = label
    before = woocommerce.statements
    extra = {"progress": progress} if isinstance(woocommerce, SiteSalesCopy) else {}
    try:
        parts.append(
            woocommerce.sales(
                [p.product_id for p in catalog.event_products],
                timezone=timezone,
                starts=starts,
                titles=titles,
                **extra,
            )
        )
    except WordPressUnavailable as exc:
        failed = True
        unknown[Channel.WOOCOMMERCE] = exc.message.replace(
            "Live WordPress numbers", "WooCommerce sales history"
        )
    synced_at = None
    warnings = list(woocommerce.warnings)
    if eventbrite is None:
        unknown[Channel.EVENTBRITE] = "Eventbrite orders are not available in this mode"
    else:
        try:
            synced_at = eventbrite.last_sync()
            partial = eventbrite.partial()
            state = sync_state(synced_at, partial, timezone)
            if synced_at is None:
                # Never complete: a part must not pass for the whole.
                unknown[Channel.EVENTBRITE] = f"{state}: press Sync Eventbrite orders"
            else:
                parts.append(eventbrite.sales(timezone=timezone))
                if partial is not None:
                    warnings.append(
                        f"{state}: Eventbrite numbers are those of the last complete sync and "
                        "part of what changed since; press Sync Eventbrite orders to continue"
                    )
        except SalesStoreUnavailable as exc:
            failed = True
            unknown[Channel.EVENTBRITE] = str(exc)
    frame = pd.concat(parts, ignore_index=True) if parts else empty_sales()
    return SalesHistory(
        frame=frame,
        unknown=unknown,
        warnings=warnings,
        statements=woocommerce.statements - before,
        eventbrite_synced_at=synced_at,
        read_at=read_at,
        failed=failed,
    )
