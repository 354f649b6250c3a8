"""Settings from the environment and ``.env``, declared once.

Every setting is one field of ``Settings``: its environment variable, type, default,
bounds and a line of help, in one place. ``load_settings`` reads the environment into
that declaration; the README's Configuration table is checked against it
(tests/test_settings.py).

No credentials at all means demo mode on the embedded sandbox. Any live credential
means live mode, and then every live setting must be present and well formed: a half
configured live mode would show some channels from the real club and others from
nowhere. All problems are collected and reported in one ``SettingsError`` whose message
names the variables, never their secret values.

Run ``python -m brcc_core.settings`` to check a configuration (exit 2 on problems).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from annotated_types import Ge, Le
from dotenv import dotenv_values
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
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
# Default bound on any capacity written: this many times the venue capacity.
MAX_CAPACITY_FACTOR = 4
# Where the app keeps its own files by default: the club's systems and the demo sandbox
# apart, so demo roles, links and catalog can never be read as the club's
# (brcc_core/store/systems.py).
LIVE_DATA_DIR = Path("data")
DEMO_DATA_DIR = LIVE_DATA_DIR / "demo"

# How a setting relates to live mode:
# - "required": a live credential live mode cannot do without; setting it means live mode.
# - "credential": a live credential that may be left out; setting it means live mode.
# - "option": read in live mode only, and does not by itself mean live mode.
Live = Literal["required", "credential", "option"]


class SettingsError(ValueError):
    """Every configuration problem at once, phrased for the person editing ``.env``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"BRCC Box Office cannot start: fix these settings (.env):\n{lines}")


def setting(
    default: Any = ...,
    *,
    env: str,
    help: str,
    ge: int | None = None,
    le: int | None = None,
    live: Live | None = None,
    default_factory: Callable[[dict[str, Any]], Any] | None = None,
    shown_default: str | None = None,
) -> Any:
    """One setting's declaration. ``shown_default`` says in words a default that is
    worked out (from the mode or another setting) rather than written here."""
    extra = {"live": live, "shown_default": shown_default}
    if default_factory is not None:
        return Field(
            default_factory=default_factory,
            alias=env,
            description=help,
            ge=ge,
            le=le,
            json_schema_extra=extra,
        )
    return Field(default, alias=env, description=help, ge=ge, le=le, json_schema_extra=extra)


def _extra(field: FieldInfo, key: str) -> Any:
    extra = field.json_schema_extra
    return extra.get(key) if isinstance(extra, dict) else None


def _quoted(raw: str) -> str:
    """A setting's value in a message: short, whatever was pasted into it."""
    return repr(raw[:40]) + ("…" if len(raw) > 40 else "")


# --- the checks a declaration names --------------------------------------------------------
# Each raises ValueError with the rest of a sentence that starts with the variable's name.
# None means "not set" and passes: whether a setting is needed is the mode's question.


def _as_secret(value: Any) -> Any:
    return Secret(value) if isinstance(value, str) else value


def _known_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long
        raise ValueError(
            f"is not a known timezone, e.g. America/Toronto (got {_quoted(value)})."
        ) from None
    return value


def _database_url(value: str) -> str:
    # Never quoted: a database URL may carry a password.
    try:
        make_url(value)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise ValueError("is not a database URL (e.g. sqlite:///data/state.db).") from None
    return value


def _table_prefix(value: str) -> str:
    if not (value.isascii() and value.replace("_", "").isalnum()):
        raise ValueError("may hold only letters, digits and '_'.")
    return value


def _cache_key(value: Secret | None) -> Secret | None:
    if value is not None and len(value.reveal()) < 16:
        raise ValueError("must be at least 16 characters (or leave it unset).")
    return value


def _admins(value: Any) -> Any:
    return parse_admins(value) if isinstance(value, str) else value


def _issuers(value: Any) -> Any:
    """``BRCC_EMAIL_VERIFIED_ISSUERS``: issuer URLs (the ``iss`` claim), comma-separated."""
    if not isinstance(value, str):
        return value
    found = tuple(dict.fromkeys(p.strip().rstrip("/") for p in value.split(",")))
    found = tuple(p for p in found if p)
    bad = [issuer for issuer in found if not _is_site(issuer, schemes=("https", "http"))]
    if bad:
        more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
        raise ValueError(
            "must list issuer URLs as the provider's discovery document gives them "
            f"(e.g. https://login.example/v2.0); got {_quoted(bad[0])}{more}."
        )
    return found


def _is_site(url: str, schemes: tuple[str, ...]) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return parts.scheme in schemes and bool(parts.netloc)


def _site_address(value: str | None) -> str | None:
    # Never quoted: a pasted site address may carry credentials.
    if value is None:
        return None
    if not _is_site(value, schemes=("http", "https")):
        raise ValueError("must be a site address like https://club.example.")
    parts = urlsplit(value)
    if parts.username or parts.password or parts.query:
        raise ValueError(
            "must not carry credentials or a query; "
            "use BRCC_WC_CONSUMER_KEY / BRCC_WC_CONSUMER_SECRET."
        )
    return value.rstrip("/")


def _digits(value: str | None) -> str | None:
    if value is not None and not (value.isascii() and value.isdigit()):
        raise ValueError("must be digits only.")
    return value


def _without_trailing_slash(value: str) -> str:
    return value.rstrip("/")


def _max_capacity(value: int | None, info: ValidationInfo) -> int | None:
    venue = info.data.get("venue_capacity")  # absent when it is itself malformed
    if value is not None and venue is not None and value < venue:
        raise ValueError(f"({value}) must be at least the venue capacity ({venue}).")
    return value


def _wordpress_db_url(value: Secret | None, info: ValidationInfo) -> Secret | None:
    """The WordPress DB as an SQLAlchemy URL, from BRCC_WP_DB_URL or its parts."""
    if info.data.get("mode") != "live":
        return value
    if value is not None:
        try:
            url = make_url(value.reveal())
        except (ArgumentError, ValueError):
            raise ValueError(
                "is not a database URL (e.g. mysql+pymysql://user:password@host:3306/wordpress)."
            ) from None
        return Secret(url.render_as_string(hide_password=False))
    if "wp_db_port" not in info.data:  # a malformed port is reported on its own
        return None
    parts = {name: info.data.get(name) for name in ("wp_db_host", "wp_db_user", "wp_db_name")}
    missing = [Settings.model_fields[name].alias for name, v in parts.items() if v is None]
    if missing:
        raise ValueError(
            "is missing: set it, or "
            + ", ".join(str(name) for name in missing)
            + " (and BRCC_WP_DB_PASSWORD, BRCC_WP_DB_PORT if needed)."
        )
    password = info.data.get("wp_db_password")
    url = URL.create(
        "mysql+pymysql",
        username=parts["wp_db_user"],
        password=password.reveal() if password is not None else None,
        host=parts["wp_db_host"],
        port=info.data["wp_db_port"],
        database=parts["wp_db_name"],
        query={"charset": "utf8mb4"},
    )
    return Secret(url.render_as_string(hide_password=False))


def _whole_text(value: Any) -> Any:
    # Whole numbers are read by the app's one rule (common/values.whole_number: "12.0" is
    # 12, "12.7" is not a seat count); what it cannot read goes on to pydantic, whose
    # error becomes the variable's sentence.
    if isinstance(value, str):
        number = whole_number(value)
        return value if number is None else number
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_text)]
SecretValue = Annotated[Secret, BeforeValidator(_as_secret)]
DatabaseURL = Annotated[str, AfterValidator(_database_url)]


def _demo_or_live_dir(data: dict[str, Any]) -> Path:
    # The demo keeps its files apart from the club's unless BRCC_DATA_DIR says otherwise.
    return LIVE_DATA_DIR if data.get("mode") == "live" else DEMO_DATA_DIR


def _sqlite_in_data_dir(file_name: str) -> Callable[[dict[str, Any]], str]:
    return lambda data: f"sqlite:///{Path(data.get('data_dir', DEMO_DATA_DIR)) / file_name}"


class Settings(BaseModel):
    """The app's settings: each field is declared once, with its variable, default,
    bounds and help; ``load_settings`` fills it from the environment."""

    # Frozen: one process-wide BoxOffice is keyed by ``fingerprint()``. Errors never
    # show their input: a pydantic message that escapes must not carry a secret.
    model_config = ConfigDict(
        frozen=True,
        arbitrary_types_allowed=True,
        validate_by_alias=True,
        validate_by_name=True,
        validate_default=True,
        hide_input_in_errors=True,
        extra="ignore",
    )

    # First: the defaults and checks below depend on the mode.
    mode: Mode = setting(
        env="BRCC_MODE",
        help="force `demo` or `live`",
        shown_default="automatic: `live` once any live credential is set",
    )
    # --- live credentials (declared before the mode-dependent checks that read them) ---
    wc_url: Annotated[str | None, AfterValidator(_site_address)] = setting(
        None,
        env="BRCC_WC_URL",
        help="the WordPress site, e.g. https://club.example",
        live="required",
    )
    wc_consumer_key: SecretValue | None = setting(
        None, env="BRCC_WC_CONSUMER_KEY", help="WooCommerce REST API consumer key", live="required"
    )
    wc_consumer_secret: SecretValue | None = setting(
        None,
        env="BRCC_WC_CONSUMER_SECRET",
        help="WooCommerce REST API consumer secret",
        live="required",
    )
    eb_token: SecretValue | None = setting(
        None, env="BRCC_EB_TOKEN", help="Eventbrite private token", live="required"
    )
    eb_organization_id: Annotated[str | None, AfterValidator(_digits)] = setting(
        None,
        env="BRCC_EB_ORGANIZATION_ID",
        help="Eventbrite organization id, digits",
        live="required",
    )
    eb_api_url: Annotated[str, AfterValidator(_without_trailing_slash)] = setting(
        EVENTBRITE_API_URL, env="BRCC_EB_API_URL", help="Eventbrite API base", live="option"
    )
    wp_db_host: str | None = setting(
        None, env="BRCC_WP_DB_HOST", help="WordPress DB host", live="credential"
    )
    wp_db_port: WholeNumber = setting(
        3306, env="BRCC_WP_DB_PORT", help="WordPress DB port", ge=1, le=65535, live="option"
    )
    wp_db_user: str | None = setting(
        None, env="BRCC_WP_DB_USER", help="WordPress DB user", live="credential"
    )
    wp_db_password: SecretValue | None = setting(
        None, env="BRCC_WP_DB_PASSWORD", help="WordPress DB password", live="credential"
    )
    wp_db_name: str | None = setting(
        None, env="BRCC_WP_DB_NAME", help="WordPress DB name", live="credential"
    )
    # After its parts: without BRCC_WP_DB_URL the URL is made from them.
    wp_db_url: Annotated[SecretValue | None, AfterValidator(_wordpress_db_url)] = setting(
        None,
        env="BRCC_WP_DB_URL",
        help="WordPress DB as an SQLAlchemy URL, read-only use",
        live="credential",
    )
    # --- every mode ---
    wp_table_prefix: Annotated[str, AfterValidator(_table_prefix)] = setting(
        "wp_", env="BRCC_WP_TABLE_PREFIX", help="WordPress table prefix"
    )
    timezone: Annotated[str, AfterValidator(_known_timezone)] = setting(
        CLUB_TIMEZONE, env="BRCC_TIMEZONE", help="the club's timezone for every date shown"
    )
    venue_capacity: WholeNumber = setting(
        DEFAULT_VENUE_CAPACITY,
        env="BRCC_VENUE_CAPACITY",
        help="default venue capacity of a show",
        ge=1,
    )
    # The largest capacity the app writes anywhere (listing or show); a typo beyond it is
    # refused before it reaches a platform. None: MAX_CAPACITY_FACTOR x venue capacity.
    max_capacity_setting: Annotated[int | None, AfterValidator(_max_capacity)] = setting(
        None,
        env="BRCC_MAX_CAPACITY",
        help="the largest capacity the app writes (listing or show)",
        ge=1,
        shown_default=f"{MAX_CAPACITY_FACTOR} x venue capacity",
    )
    data_dir: Path = setting(
        env="BRCC_DATA_DIR",
        help="where the catalog cache, its signing key and SQLite files live",
        default_factory=_demo_or_live_dir,
        shown_default=f"`{DEMO_DATA_DIR}` (demo), `{LIVE_DATA_DIR}` (live)",
    )
    sandbox_db_url: DatabaseURL = setting(
        env="BRCC_SANDBOX_DB_URL",
        help="demo: the sandbox database",
        default_factory=_sqlite_in_data_dir("sandbox.db"),
        shown_default="`sqlite:///<data dir>/sandbox.db`",
    )
    state_db_url: DatabaseURL = setting(
        env="BRCC_STATE_DB_URL",
        help="app state (show mappings, audit log)",
        default_factory=_sqlite_in_data_dir("state.db"),
        shown_default="`sqlite:///<data dir>/state.db`",
    )
    sandbox_scale: Literal["club", "large"] = setting(
        "club", env="BRCC_SANDBOX_SCALE", help="demo: size of the first seed (large: 10x)"
    )
    sandbox_seed: WholeNumber = setting(
        1, env="BRCC_SANDBOX_SEED", help="demo: random seed of the first seed", ge=0
    )
    # A quarter: enough for pace against 8 past weeks, and a quick first start (a year
    # adds about 25 s at club scale).
    sandbox_history_weeks: WholeNumber = setting(
        12,
        env="BRCC_SANDBOX_HISTORY_WEEKS",
        help="demo: weeks of past weekly shows in the first seed",
        ge=0,
    )
    pace_occurrences: WholeNumber = setting(
        8,
        env="BRCC_PACE_OCCURRENCES",
        help="past dates of the same recurring show its pace is compared with",
        ge=2,
    )
    cache_key: Annotated[SecretValue | None, AfterValidator(_cache_key)] = setting(
        None,
        env="BRCC_CACHE_KEY",
        help="HMAC key signing the catalog cache",
        shown_default="generated into the data dir",
    )
    live_share_seconds: WholeNumber = setting(
        5,
        env="BRCC_LIVE_SHARE_SECONDS",
        help="seconds every session shares one read of the live numbers (0: off)",
        ge=0,
    )
    history_share_seconds: WholeNumber = setting(
        300,
        env="BRCC_HISTORY_SHARE_SECONDS",
        help="seconds every session shares one read of the sales history (0: off)",
        ge=0,
    )
    eb_refresh_days: WholeNumber = setting(
        14,
        env="BRCC_EB_REFRESH_DAYS",
        help="days ahead whose Eventbrite ticket classes every refresh reads",
        ge=0,
    )
    guard_days: WholeNumber = setting(
        14,
        env="BRCC_GUARD_DAYS",
        help="days ahead whose shows the unattended guard watches (python -m brcc_core.guard)",
        ge=1,
        le=366,
    )
    admins: Annotated[tuple[str, ...], BeforeValidator(_admins)] = setting(
        (), env="BRCC_ADMINS", help="e-mails that are always admins (no lock-out possible)"
    )
    # Providers that verify every e-mail they hand out but send no ``email_verified``
    # claim (brcc_core/people/access.py).
    email_verified_issuers: Annotated[tuple[str, ...], BeforeValidator(_issuers)] = setting(
        (),
        env="BRCC_EMAIL_VERIFIED_ISSUERS",
        help="sign-in providers (their iss) that verify every e-mail",
    )
    page_deadline_seconds: WholeNumber = setting(
        5,
        env="BRCC_PAGE_DEADLINE_SECONDS",
        help="how long a page view waits for a slow system before moving on",
        ge=1,
        le=60,
    )
    # 1,900: Eventbrite's 2,000 calls an hour less a refresh's worth.
    eb_write_reserve: WholeNumber = setting(
        300,
        env="BRCC_EB_WRITE_RESERVE",
        help="Eventbrite calls a refresh leaves unspent this hour, for capacity changes",
        ge=0,
        le=1900,
    )
    refresh_deadline_seconds: WholeNumber = setting(
        45,
        env="BRCC_REFRESH_DEADLINE_SECONDS",
        help="how long Refresh data waits for a channel before keeping its earlier part",
        ge=1,
        le=600,
    )
    # A server that takes the connection and never answers holds no page.
    db_deadline_seconds: WholeNumber = setting(
        10,
        env="BRCC_DB_DEADLINE_SECONDS",
        help="how long one statement on the WordPress or app-state database may take",
        ge=1,
        le=600,
    )

    @model_validator(mode="before")
    @classmethod
    def _mode_first(cls, data: Any) -> Any:
        """The mode, from BRCC_MODE or the credentials given; in demo mode the live
        settings are not read at all (a forced demo ignores the credentials)."""
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        mode = _mode_of(data)
        data.pop("BRCC_MODE", None)
        data["mode"] = mode
        if mode == "demo":
            for name, field in cls.model_fields.items():
                if _extra(field, "live"):
                    data.pop(name, None)
                    data.pop(field.alias, None)
        return data

    @field_validator("*")
    @classmethod
    def _required_when_live(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields[info.field_name]
        live = info.data.get("mode") == "live"
        if value is None and live and _extra(field, "live") == "required":
            raise ValueError(f"is missing ({field.description}).")
        return value

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
        parts = []
        for name in sorted(type(self).model_fields):
            value = getattr(self, name)
            parts.append(f"{name}={value.reveal() if isinstance(value, Secret) else value}")
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


def _live_credentials() -> set[str]:
    """The variables (and, for a Settings made in code, field names) that, when any is
    set, switch the app to live mode."""
    return {
        key
        for name, field in Settings.model_fields.items()
        if _extra(field, "live") in ("required", "credential")
        for key in (name, str(field.alias))
    }


def _mode_of(data: Mapping[str, Any]) -> Any:
    """BRCC_MODE when given (checked as the mode field), else live once any live
    credential is given."""
    forced = data.get("BRCC_MODE", data.get("mode"))
    if forced is not None:
        return forced
    return "live" if not _live_credentials().isdisjoint(data) else "demo"


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


def _problem(error: Mapping[str, Any], values: Mapping[str, str]) -> str | None:
    """One pydantic error as a sentence about the variable, quoting only what is safe."""
    if error["type"] == "default_factory_not_called":
        return None  # a default that waits on another setting, reported on its own
    key = error["loc"][0] if error["loc"] else ""
    name = next((n for n, f in Settings.model_fields.items() if key in (n, f.alias)), str(key))
    field = Settings.model_fields.get(name)
    if field is None:
        return f"{key} is not valid."
    env = str(field.alias)
    raw = values.get(env, "")
    cause = (error.get("ctx") or {}).get("error")
    if error["type"] == "value_error" and isinstance(cause, ValueError):
        return f"{env} {cause}"
    kinds = get_args(field.annotation) or (field.annotation,)
    if int in kinds:
        bounds = [f"at least {m.ge:,}" for m in field.metadata if isinstance(m, Ge)]
        bounds += [f"at most {m.le:,}" for m in field.metadata if isinstance(m, Le)]
        within = f", {' and '.join(bounds)}" if bounds else ""
        return f"{env} must be a whole number{within} (got {_quoted(raw)})."
    if error["type"] == "literal_error":
        choices = " or ".join(repr(choice) for choice in get_args(field.annotation))
        return f"{env} must be {choices} (got {_quoted(raw)})."
    return f"{env} is not valid."  # no quote: it may be a secret


def _clean(raw: Mapping[str, str | None]) -> dict[str, str]:
    return {
        k: v.strip()
        for k, v in raw.items()
        if k.startswith("BRCC_") and v is not None and v.strip() != ""
    }


def load_settings(
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | os.PathLike | None = ".env",
) -> Settings:
    """Read settings; the process environment wins over ``.env``.

    Raises ``SettingsError`` listing every problem.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, str] = {}
    if dotenv_path is not None and Path(dotenv_path).is_file():
        values.update(_clean(dotenv_values(dotenv_path)))
    values.update(_clean(environ))
    problems: list[str] = []
    settings: Settings | None = None
    try:
        settings = Settings.model_validate(values)
    except ValidationError as exc:
        problems += [p for p in map(lambda e: _problem(e, values), exc.errors()) if p]

    # The clock reads BRCC_NOW from the process environment itself (brcc_core.common.clock);
    # here it is checked, and refused where the club's real systems are read.
    now_text = environ.get(clock.NOW_VARIABLE, "").strip()
    if now_text:
        try:
            clock.parse_moment(now_text)
        except clock.ClockError as exc:
            problems.append(str(exc))
        if _mode_of(values) == "live":
            problems.append(
                f"{clock.NOW_VARIABLE} sets the app's clock for the demo and tests only; "
                "unset it to run on the club's systems."
            )
    if problems or settings is None:
        raise SettingsError(problems)
    return settings


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
