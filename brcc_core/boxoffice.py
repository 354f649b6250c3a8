"""``BoxOffice``: the one facade the pages call.

It owns the connections to the club's systems (or to the sandbox in demo mode) and
answers the pages' questions; pages never do HTTP or SQL themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from brcc_core.sandbox.schema import eventbrite_metadata, wordpress_metadata
from brcc_core.sandbox.twin import Sandbox
from brcc_core.settings import Settings


@dataclass(frozen=True)
class SourceSummary:
    """What the connected systems hold, in a manager's words."""

    products: int
    tickets: int
    eventbrite_events: int


class BoxOffice:
    def __init__(self, settings: Settings, sandbox: Sandbox | None = None):
        self.settings = settings
        self.sandbox = sandbox

    @classmethod
    def from_settings(cls, settings: Settings) -> BoxOffice:
        """Connect to the sandbox in demo mode (seeding it on first use)."""
        if settings.is_demo:
            sandbox = Sandbox.open(
                settings.sandbox_db_url,
                scale=settings.sandbox_scale,
                seed_number=settings.sandbox_seed,
                table_prefix=settings.wp_table_prefix,
                lock_dir=settings.data_dir,
            )
            return cls(settings, sandbox)
        return cls(settings)

    def source_summary(self) -> SourceSummary | None:
        """Counts of the demo club's records; None in live mode (the catalog answers there)."""
        if self.sandbox is None:
            return None
        prefix = self.settings.wp_table_prefix
        posts = wordpress_metadata(prefix).tables[f"{prefix}posts"]
        events = eventbrite_metadata().tables["sandbox_eb_events"]
        with self.sandbox.engine.connect() as conn:
            counts = dict(
                conn.execute(
                    select(posts.c.post_type, func.count())
                    .where(posts.c.post_type.in_(["product", "event_magic_tickets"]))
                    .group_by(posts.c.post_type)
                ).all()
            )
            n_events = conn.execute(select(func.count()).select_from(events)).scalar_one()
        return SourceSummary(
            products=counts.get("product", 0),
            tickets=counts.get("event_magic_tickets", 0),
            eventbrite_events=n_events,
        )
