"""Settings from the environment and ``.env``.

No credentials at all means demo mode on the embedded sandbox. Any live credential
means live mode, and then every live setting must be present and well formed: a half
configured live mode would show some channels from the real club and others from
nowhere. All problems are collected and reported in one ``SettingsError`` whose message
names the variables, never their secret values.

Run ``python -m brcc_core.settings`` to check a configuration (exit 2 on problems).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from brcc_core.common import clock
from brcc_core.common.club import CLUB_TIMEZONE, DEFAULT_VENUE_CAPACITY
from brcc_core.common.emails import parse_admins
from brcc_core.common.secret import Secret
from brcc_core.common.values import whole_number

Mode = Literal["demo", "live"]
DEMO_SYSTEMS = "demo"
DEMO_SYSTEMS_LABEL = "the demo sandbox"

EVENTBRITE_API_URL = "https://www.eventbriteapi.com/v3"
# Weeks of past weekly shows the demo sandbox is seeded with: a quarter, enough for pace
# against 8 past weeks, and a quick first start (a year adds about 25 s at club scale).
DEMO_HISTORY_WEEKS = 12
# How many past occurrences of a recurring show its pace is compared with.
PACE_OCCURRENCES = 8
# Default bound on any capacity written: this many times the venue capacity.
MAX_CAPACITY_FACTOR = 4
# Where the app keeps its own files by default: the club's systems and the demo sandbox
# apart, so demo roles, links and catalog can never be read as the club's
# (brcc_core/store/systems.py).
LIVE_DATA_DIR = Path("data")
DEMO_DATA_DIR = LIVE_DATA_DIR / "demo"

# Variables that, when any is set, switch the app to live mode.
LIVE_VARIABLES = (
    "BRCC_WC_URL",
    "BRCC_WC_CONSUMER_KEY",
    "BRCC_WC_CONSUMER_SECRET",
    "BRCC_EB_TOKEN",
    "BRCC_EB_ORGANIZATION_ID",
    "BRCC_WP_DB_URL",
    "BRCC_WP_DB_HOST",
    "BRCC_WP_DB_USER",
    "BRCC_WP_DB_PASSWORD",
    "BRCC_WP_DB_NAME",
)


class SettingsError(ValueError):
    """Every configuration problem at once, phrased for the person editing ``.env``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"BRCC Box Office cannot start: fix these settings (.env):\n{lines}")


@dataclass(frozen=True)
class Settings:
    mode: Mode
    timezone: str = CLUB_TIMEZONE
    venue_capacity: int = DEFAULT_VENUE_CAPACITY
    # The largest capacity the app writes anywhere (listing or show); a typo beyond it is
    # refused before it reaches a platform. None: MAX_CAPACITY_FACTOR x venue capacity.
    max_capacity_setting: int | None = None
    data_dir: Path = DEMO_DATA_DIR
    sandbox_db_url: str = f"sqlite:///{DEMO_DATA_DIR / 'sandbox.db'}"
    sandbox_scale: str = "club"
    sandbox_seed: int = 1
    sandbox_history_weeks: int = DEMO_HISTORY_WEEKS
    # Past occurrences of the same recurring show a pace is compared with.
    pace_occurrences: int = PACE_OCCURRENCES
    state_db_url: str = f"sqlite:///{DEMO_DATA_DIR / 'state.db'}"
    wc_url: str | None = None
    wc_consumer_key: Secret | None = None
    wc_consumer_secret: Secret | None = field(default=None)
    eb_token: Secret | None = None
    eb_organization_id: str | None = None
    eb_api_url: str = EVENTBRITE_API_URL
    wp_db_url: Secret | None = None
    wp_table_prefix: str = "wp_"
    cache_key: Secret | None = None
    # Seconds every session of the process shares one read of the live numbers (0: off).
    live_share_seconds: int = 5
    # Seconds every session shares one read of the sales history (pace, revenue; 0: off).
    history_share_seconds: int = 300
    # Days ahead whose Eventbrite ticket classes every refresh reads (see class_reads.py).
    eb_refresh_days: int = 14
    # BRCC_ADMINS: e-mails that are always admins (the first admin; no lock-out possible).
    admins: tuple[str, ...] = ()
    # BRCC_EMAIL_VERIFIED_ISSUERS: sign-in providers (their ``iss``) that verify every
    # e-mail they hand out but send no ``email_verified`` claim (brcc_core/people/access.py).
    email_verified_issuers: tuple[str, ...] = ()
    # How long a page view waits for a slow system before saying so and moving on.
    page_deadline_seconds: int = 5
    # Eventbrite calls a refresh must leave unspent this hour, for capacity changes.
    eb_write_reserve: int = 300
    # How long Refresh data waits for a channel before keeping its earlier part.
    refresh_deadline_seconds: int = 45
    # How long one statement on the WordPress or app-state database may take before it is
    # given up (a server that takes the connection and never answers holds no page).
    db_deadline_seconds: int = 10

    @property
    def max_capacity(self) -> int:
        """``BRCC_MAX_CAPACITY``, by default a small multiple of the venue capacity."""
        if self.max_capacity_setting is not None:
            return self.max_capacity_setting
        return MAX_CAPACITY_FACTOR * self.venue_capacity

    @property
    def is_demo(self) -> bool:
        return self.mode == "demo"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def systems(self) -> str:
        """Which systems this app's state belongs to: ``demo``, or ``live:`` and a digest
        of the WooCommerce site and Eventbrite organization (public names, no secret).
        Stamped on the app-state DB, the catalog cache and the meeting-link key."""
        if self.is_demo:
            return DEMO_SYSTEMS
        import hashlib

        club = f"{(self.wc_url or '').lower()}|{self.eb_organization_id or ''}"
        return "live:" + hashlib.sha256(club.encode()).hexdigest()[:16]

    @property
    def systems_label(self) -> str:
        """The same in words, for a person deciding what to do with stamped state."""
        if self.is_demo:
            return DEMO_SYSTEMS_LABEL
        return (
            f"the club's systems (WooCommerce site {self.wc_url}, Eventbrite organization "
            f"{self.eb_organization_id})"
        )

    def fingerprint(self) -> str:
        """A stable digest of every setting, secrets included, that reveals none of them
        (a cache key for the process-wide BoxOffice)."""
        import hashlib

        parts = [
            f"{name}={value.reveal() if isinstance(value, Secret) else value}"
            for name, value in sorted(self.__dict__.items())
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def summary(self) -> list[tuple[str, str]]:
        """(setting, value) pairs safe to show: secrets masked, URLs without passwords."""
        rows = [
            ("mode", self.mode),
            ("timezone", self.timezone),
            ("venue capacity", str(self.venue_capacity)),
            ("largest capacity written", str(self.max_capacity)),
            ("data dir", str(self.data_dir)),
            ("app-state DB", _safe_db_url(self.state_db_url)),
            ("admins (BRCC_ADMINS)", ", ".join(self.admins) or "none"),
            ("state belongs to", f"{self.systems_label} [{self.systems}]"),
        ]
        if self.is_demo:
            rows += [
                ("sandbox DB", _safe_db_url(self.sandbox_db_url)),
                ("sandbox scale", f"{self.sandbox_scale} (seed {self.sandbox_seed})"),
            ]
        else:
            rows += [
                ("WooCommerce site", self.wc_url or ""),
                ("WooCommerce key", _mask(self.wc_consumer_key)),
                ("Eventbrite organization", self.eb_organization_id or ""),
                ("Eventbrite token", _mask(self.eb_token)),
                ("WordPress DB", _safe_db_url(self.wp_db_url.reveal()) if self.wp_db_url else ""),
                ("table prefix", self.wp_table_prefix),
            ]
        return rows


def _mask(secret: Secret | None) -> str:
    if secret is None:
        return "(not set)"
    value = secret.reveal()
    return f"****{value[-4:]}" if len(value) >= 12 else "****"


def _safe_db_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(unreadable URL)"


def _quoted(raw: str) -> str:
    """A setting's value in a message: short, whatever was pasted into it."""
    return repr(raw[:40]) + ("…" if len(raw) > 40 else "")


def _issuers(raw: str | None, problems: list[str]) -> tuple[str, ...]:
    """``BRCC_EMAIL_VERIFIED_ISSUERS``: issuer URLs (the ``iss`` claim), comma-separated."""
    found = tuple(dict.fromkeys(p.strip().rstrip("/") for p in (raw or "").split(",")))
    found = tuple(p for p in found if p)
    for issuer in found:
        try:
            parts = urlsplit(issuer)
        except ValueError:  # e.g. an unclosed IPv6 bracket
            parts = urlsplit("")
        if parts.scheme not in ("https", "http") or not parts.netloc:
            problems.append(
                "BRCC_EMAIL_VERIFIED_ISSUERS must list issuer URLs as the provider's "
                f"discovery document gives them (e.g. https://login.example/v2.0); got "
                f"{_quoted(issuer)}."
            )
    return found


def _clean(raw: Mapping[str, str | None]) -> dict[str, str]:
    return {k: v.strip() for k, v in raw.items() if v is not None and v.strip() != ""}


def load_settings(
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | os.PathLike | None = ".env",
) -> Settings:
    """Read settings; the process environment wins over ``.env``.

    Raises ``SettingsError`` listing every problem.
    """
    values: dict[str, str] = {}
    if dotenv_path is not None and Path(dotenv_path).is_file():
        values.update(_clean(dotenv_values(dotenv_path)))
    values.update(_clean(os.environ if environ is None else environ))
    problems: list[str] = []

    def get_int(name: str, default: int, minimum: int, maximum: int | None = None) -> int:
        raw = values.get(name)
        if raw is None:
            return default
        number = whole_number(raw)
        if number is None:
            problems.append(f"{name} must be a whole number (got {_quoted(raw)}).")
            return default
        if number < minimum:
            problems.append(f"{name} must be at least {minimum} (got {raw[:40]}).")
        elif maximum is not None and number > maximum:
            problems.append(f"{name} must be at most {maximum:,} (got {raw[:40]}).")
        return number

    timezone = values.get("BRCC_TIMEZONE", CLUB_TIMEZONE)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long
        problems.append(
            f"BRCC_TIMEZONE {_quoted(timezone)} is not a known timezone (e.g. America/Toronto)."
        )
        timezone = CLUB_TIMEZONE

    venue_capacity = get_int("BRCC_VENUE_CAPACITY", DEFAULT_VENUE_CAPACITY, 1)
    max_capacity = get_int("BRCC_MAX_CAPACITY", 0, 1) if values.get("BRCC_MAX_CAPACITY") else None
    if max_capacity is not None and max_capacity < venue_capacity:
        problems.append(
            f"BRCC_MAX_CAPACITY ({max_capacity}) must be at least the venue capacity "
            f"({venue_capacity})."
        )
    live = any(name in values for name in LIVE_VARIABLES)
    forced = values.get("BRCC_MODE")
    if forced is not None and forced not in ("demo", "live"):
        problems.append(f"BRCC_MODE must be 'demo' or 'live' (got {_quoted(forced)}).")
    elif forced is not None:
        live = forced == "live"
    # The demo keeps its files apart from the club's unless BRCC_DATA_DIR says otherwise.
    data_dir = Path(values.get("BRCC_DATA_DIR", LIVE_DATA_DIR if live else DEMO_DATA_DIR))
    sandbox_db_url = values.get("BRCC_SANDBOX_DB_URL", f"sqlite:///{data_dir / 'sandbox.db'}")
    state_db_url = values.get("BRCC_STATE_DB_URL", f"sqlite:///{data_dir / 'state.db'}")
    for name, url in (("BRCC_SANDBOX_DB_URL", sandbox_db_url), ("BRCC_STATE_DB_URL", state_db_url)):
        try:
            make_url(url)
        except (ArgumentError, ValueError):  # ValueError: a port that is not a number
            problems.append(f"{name} is not a database URL (e.g. sqlite:///data/state.db).")
    sandbox_scale = values.get("BRCC_SANDBOX_SCALE", "club")
    if sandbox_scale not in ("club", "large"):
        problems.append(
            f"BRCC_SANDBOX_SCALE must be 'club' or 'large' (got {_quoted(sandbox_scale)})."
        )
    sandbox_seed = get_int("BRCC_SANDBOX_SEED", 1, 0)
    live_share_seconds = get_int("BRCC_LIVE_SHARE_SECONDS", 5, 0)
    history_share_seconds = get_int("BRCC_HISTORY_SHARE_SECONDS", 300, 0)
    eb_refresh_days = get_int("BRCC_EB_REFRESH_DAYS", 14, 0)
    page_deadline_seconds = get_int("BRCC_PAGE_DEADLINE_SECONDS", 5, 1, 60)
    eb_write_reserve = get_int("BRCC_EB_WRITE_RESERVE", 300, 0, 1900)
    refresh_deadline_seconds = get_int("BRCC_REFRESH_DEADLINE_SECONDS", 45, 1, 600)
    db_deadline_seconds = get_int("BRCC_DB_DEADLINE_SECONDS", 10, 1, 600)
    sandbox_history_weeks = get_int("BRCC_SANDBOX_HISTORY_WEEKS", DEMO_HISTORY_WEEKS, 0)
    pace_occurrences = get_int("BRCC_PACE_OCCURRENCES", PACE_OCCURRENCES, 2)
    table_prefix = values.get("BRCC_WP_TABLE_PREFIX", "wp_")
    if not table_prefix.replace("_", "").isalnum():
        problems.append("BRCC_WP_TABLE_PREFIX may hold only letters, digits and '_'.")
    cache_key = Secret(values["BRCC_CACHE_KEY"]) if "BRCC_CACHE_KEY" in values else None
    if cache_key is not None and len(cache_key.reveal()) < 16:
        problems.append("BRCC_CACHE_KEY must be at least 16 characters (or leave it unset).")

    # The clock reads BRCC_NOW from the process environment itself (brcc_core.common.clock);
    # here it is checked, and refused where the club's real systems are read.
    now_text = (os.environ if environ is None else environ).get(clock.NOW_VARIABLE, "").strip()
    if now_text:
        try:
            clock.parse_moment(now_text)
        except clock.ClockError as exc:
            problems.append(str(exc))
        if live:
            problems.append(
                f"{clock.NOW_VARIABLE} sets the app's clock for the demo and tests only; "
                "unset it to run on the club's systems."
            )

    common = dict(
        timezone=timezone,
        venue_capacity=venue_capacity,
        max_capacity_setting=max_capacity,
        data_dir=data_dir,
        sandbox_db_url=sandbox_db_url,
        sandbox_scale=sandbox_scale,
        sandbox_seed=sandbox_seed,
        sandbox_history_weeks=sandbox_history_weeks,
        pace_occurrences=pace_occurrences,
        state_db_url=state_db_url,
        wp_table_prefix=table_prefix,
        cache_key=cache_key,
        live_share_seconds=live_share_seconds,
        history_share_seconds=history_share_seconds,
        eb_refresh_days=eb_refresh_days,
        admins=parse_admins(values.get("BRCC_ADMINS")),
        email_verified_issuers=_issuers(values.get("BRCC_EMAIL_VERIFIED_ISSUERS"), problems),
        page_deadline_seconds=page_deadline_seconds,
        eb_write_reserve=eb_write_reserve,
        refresh_deadline_seconds=refresh_deadline_seconds,
        db_deadline_seconds=db_deadline_seconds,
    )
    if not live:
        if problems:
            raise SettingsError(problems)
        return Settings(mode="demo", **common)

    wc_url = values.get("BRCC_WC_URL")
    if wc_url is None:
        problems.append("BRCC_WC_URL is missing (the WordPress site, e.g. https://club.example).")
    else:
        try:
            parts = urlsplit(wc_url)
        except ValueError:  # e.g. an unclosed IPv6 bracket
            parts = urlsplit("")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append("BRCC_WC_URL must be a site address like https://club.example.")
        elif parts.username or parts.password or parts.query:
            problems.append(
                "BRCC_WC_URL must not carry credentials or a query; "
                "use BRCC_WC_CONSUMER_KEY / BRCC_WC_CONSUMER_SECRET."
            )
        wc_url = wc_url.rstrip("/")
    for name in ("BRCC_WC_CONSUMER_KEY", "BRCC_WC_CONSUMER_SECRET", "BRCC_EB_TOKEN"):
        if name not in values:
            problems.append(f"{name} is missing.")
    eb_org = values.get("BRCC_EB_ORGANIZATION_ID")
    if eb_org is None:
        problems.append("BRCC_EB_ORGANIZATION_ID is missing (digits, from Eventbrite).")
    elif not eb_org.isdigit():
        problems.append("BRCC_EB_ORGANIZATION_ID must be digits only.")
    eb_api_url = values.get("BRCC_EB_API_URL", EVENTBRITE_API_URL).rstrip("/")

    wp_db_url = _wordpress_db_url(values, problems)
    if problems:
        raise SettingsError(problems)
    return Settings(
        mode="live",
        wc_url=wc_url,
        wc_consumer_key=Secret(values["BRCC_WC_CONSUMER_KEY"]),
        wc_consumer_secret=Secret(values["BRCC_WC_CONSUMER_SECRET"]),
        eb_token=Secret(values["BRCC_EB_TOKEN"]),
        eb_organization_id=eb_org,
        eb_api_url=eb_api_url,
        wp_db_url=wp_db_url,
        **common,
    )


def _wordpress_db_url(values: dict[str, str], problems: list[str]) -> Secret | None:
    """The WordPress DB as an SQLAlchemy URL, from BRCC_WP_DB_URL or its parts."""
    if "BRCC_WP_DB_URL" in values:
        try:
            url = make_url(values["BRCC_WP_DB_URL"])
        except (ArgumentError, ValueError):
            problems.append(
                "BRCC_WP_DB_URL is not a database URL "
                "(e.g. mysql+pymysql://user:password@host:3306/wordpress)."
            )
            return None
        return Secret(url.render_as_string(hide_password=False))
    missing = [
        name
        for name in ("BRCC_WP_DB_HOST", "BRCC_WP_DB_USER", "BRCC_WP_DB_NAME")
        if name not in values
    ]
    if missing:
        problems.append(
            "The WordPress database is not configured: set BRCC_WP_DB_URL, or "
            + ", ".join(missing)
            + " (and BRCC_WP_DB_PASSWORD, BRCC_WP_DB_PORT if needed)."
        )
        return None
    port = values.get("BRCC_WP_DB_PORT", "3306")
    if not (port.isascii() and port.isdigit() and len(port) <= 5 and 0 < int(port) <= 65535):
        problems.append(f"BRCC_WP_DB_PORT must be a port number, 1 to 65535 (got {_quoted(port)}).")
        return None
    url = URL.create(
        "mysql+pymysql",
        username=values["BRCC_WP_DB_USER"],
        password=values.get("BRCC_WP_DB_PASSWORD"),
        host=values["BRCC_WP_DB_HOST"],
        port=int(port),
        database=values["BRCC_WP_DB_NAME"],
        query={"charset": "utf8mb4"},
    )
    return Secret(url.render_as_string(hide_password=False))


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    width = max(len(name) for name, _ in settings.summary())
    for name, value in settings.summary():
        print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
