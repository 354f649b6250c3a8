"""The sandbox: an embedded twin of the club's WordPress database, WooCommerce REST API and
Eventbrite API, so the app runs and is tested end to end with no credentials.

``Sandbox.open(url)`` gives the database (seeded on first use), the emulated services
and a ``requests`` session whose calls to ``SANDBOX_BASE_URL`` they answer in process.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import requests
from filelock import FileLock
from sqlalchemy import Engine, inspect, make_url, select
from sqlalchemy.exc import SQLAlchemyError

from brcc_core.sandbox.app import SANDBOX_BASE_URL, SandboxApp, make_http_server, mount
from brcc_core.sandbox.constants import (
    SANDBOX_EB_ORGANIZATION_ID,
    SANDBOX_EB_TOKEN,
    SANDBOX_WC_CONSUMER_KEY,
    SANDBOX_WC_CONSUMER_SECRET,
)
from brcc_core.sandbox.eventbrite_api import EventbriteService
from brcc_core.sandbox.faults import Faults
from brcc_core.sandbox.schema import make_engine, wordpress_metadata
from brcc_core.sandbox.seed import SeedSummary, seed
from brcc_core.sandbox.woocommerce_api import WooCommerceService

EB_CLASSES = "sandbox_eb_ticket_classes"

__all__ = [
    "SANDBOX_BASE_URL",
    "Sandbox",
    "SandboxError",
    "make_http_server",
]


class SandboxError(RuntimeError):
    """The sandbox database cannot be opened or seeded; the message says what to do."""


class Sandbox:
    """The three emulated systems over one database."""

    wc_url = SANDBOX_BASE_URL
    eb_api_url = f"{SANDBOX_BASE_URL}/v3"
    wc_consumer_key = SANDBOX_WC_CONSUMER_KEY
    wc_consumer_secret = SANDBOX_WC_CONSUMER_SECRET
    eb_token = SANDBOX_EB_TOKEN
    eb_organization_id = SANDBOX_EB_ORGANIZATION_ID

    def __init__(
        self,
        engine: Engine,
        *,
        table_prefix: str = "wp_",
        faults: Faults | None = None,
        clock: Callable[[], datetime] | None = None,
        eventbrite_hourly_limit: int = 2000,
    ):
        self.engine = engine
        self.table_prefix = table_prefix
        self.faults = faults or Faults()
        self.woocommerce = WooCommerceService(
            consumer_key=SANDBOX_WC_CONSUMER_KEY,
            consumer_secret=SANDBOX_WC_CONSUMER_SECRET,
            table_prefix=table_prefix,
            site_url=SANDBOX_BASE_URL,
        )
        self.eventbrite = EventbriteService(
            token=SANDBOX_EB_TOKEN,
            organization_id=SANDBOX_EB_ORGANIZATION_ID,
            hourly_limit=eventbrite_hourly_limit,
            clock=clock,
        )
        self.app = SandboxApp(engine, [self.woocommerce, self.eventbrite], self.faults)

    @classmethod
    def open(
        cls,
        db_url: str,
        *,
        seed_if_empty: bool = True,
        scale: str = "club",
        seed_number: int = 1,
        table_prefix: str = "wp_",
        lock_dir: Path | None = None,
        history_weeks: int = 0,
    ) -> Sandbox:
        """Open the sandbox on ``db_url``, seeding it first when it has no club yet.

        Seeding takes a file lock so two app processes starting together seed once.
        """
        try:
            url = make_url(db_url)
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several kinds
            raise SandboxError("The sandbox database URL is not valid.") from exc
        if url.get_backend_name() == "sqlite" and url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            lock_path = Path(f"{url.database}.lock")
        else:
            lock_dir = lock_dir or Path("data")
            lock_dir.mkdir(parents=True, exist_ok=True)
            lock_path = lock_dir / "sandbox-seed.lock"
        engine = make_engine(db_url)
        sandbox = cls(engine, table_prefix=table_prefix)
        # Seeded already: no lock file needed (a read-only data directory still opens).
        if seed_if_empty and not sandbox.is_seeded():
            with FileLock(str(lock_path), timeout=600):
                if not sandbox.is_seeded():
                    sandbox.seed(scale=scale, seed_number=seed_number, history_weeks=history_weeks)
        return sandbox

    def is_seeded(self) -> bool:
        """True when the database holds the WordPress tables and at least one product."""
        safe = self.engine.url.render_as_string(hide_password=True)
        try:
            posts = wordpress_metadata(self.table_prefix).tables[f"{self.table_prefix}posts"]
            if not inspect(self.engine).has_table(posts.name):
                return False
            # A database seeded before the Eventbrite seat shapes (category, holds) is
            # seeded afresh: the emulation reads those columns.
            inspector = inspect(self.engine)
            if not inspector.has_table(EB_CLASSES):
                return False
            columns = {c["name"] for c in inspector.get_columns(EB_CLASSES)}
            if "category" not in columns:
                return False
            with self.engine.connect() as conn:
                query = select(posts.c.ID).where(posts.c.post_type == "product").limit(1)
                return conn.execute(query).first() is not None
        except SQLAlchemyError as exc:
            raise SandboxError(
                f"Cannot open the sandbox database {safe}: {type(exc).__name__}. "
                "Check BRCC_SANDBOX_DB_URL, or delete the file to start afresh."
            ) from exc

    def seed(
        self,
        *,
        scale: str = "club",
        seed_number: int = 1,
        today: date | None = None,
        history_weeks: int = 0,
    ) -> SeedSummary:
        """Rebuild the club from scratch (idempotent for the same seed and day)."""
        return seed(
            self.engine,
            scale=scale,
            seed=seed_number,
            today=today,
            table_prefix=self.table_prefix,
            history_weeks=history_weeks,
        )

    def mount(self, session: requests.Session) -> requests.Session:
        """Let ``session`` reach the sandbox in process; returns it for chaining."""
        mount(session, self.app)
        return session

    def session(self) -> requests.Session:
        return self.mount(requests.Session())
