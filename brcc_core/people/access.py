"""Who may do what: people and their roles, and read-only meeting links.

Roles are ordered: a *viewer* reads (Dashboard, Comparison, read-only Inventory); a
*manager* also changes capacity, show mappings, venue capacities, recurring rules and runs
Sync, and creates meeting links; an *admin* also decides who has which role. People listed
in ``BRCC_ADMINS`` are admins whatever the database says, so a club can never lock itself
out; everyone else's role lives in the app-state database, in this module's own tables.

The facade (``BoxOffice``) calls ``Access.require`` before every write. It never trusts the
role an ``Actor`` carries for a signed-in person: it reads the role again, so a role taken
away applies to the very next write, and an ``Actor`` built by hand gains nothing. Only the
demo identities (demo mode, sandbox data) carry their role themselves. A refused attempt is
an audit row (who, what they tried, the role they lacked), not only a log line.

A sign-in counts only when the provider vouches for the e-mail (``email_verified`` true, or
an issuer listed in ``BRCC_EMAIL_VERIFIED_ISSUERS`` that sends no such claim), and the first
account (issuer and subject) that signs in with an e-mail keeps it: another account claiming
it later is refused until an admin forgets the first (``sign_in``).

A meeting link is ``<link id>.<expiry>.<signature>``: HMAC-SHA256 under a key kept in the
app-state database (made on first use, shared by every app instance on that database, one
per ``Settings.systems``, so a link made on the demo never opens on the club's systems).
The signature stops guessing and tampering; the database row says whether the link was
revoked, so revoking works at once. A token is ASCII: base64url, digits, base64url.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from brcc_core.common import clock as app_clock
from brcc_core.common.club import CLUB_TIMEZONE
from brcc_core.common.emails import normalize_email
from brcc_core.common.formats import day_label, moment_label
from brcc_core.common.keys import link_key
from brcc_core.common.moments import aware_utc, naive_utc
from brcc_core.store.schema import access_keys, meeting_links, people, sign_ins
from brcc_core.store.state import AuditEntry, StateUnavailable, Transactions

log = logging.getLogger(__name__)

Role = Literal["viewer", "manager", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "manager", "admin")  # each includes the ones before
ROLE_LABELS = {
    "viewer": (
        "Viewer: Dashboard, Comparison, Sales & pace, Tonight, read-only Inventory; "
        "Refresh data and Sync Eventbrite orders (audited)"
    ),
    "manager": "Manager: also changes capacity, shows, venue capacities and Sync",
    "admin": "Admin: also decides who has which role and forgets sign-in accounts",
}
Via = Literal["sign-in", "demo", "unsigned", "nobody", "refused", "guard"]
# The unattended guard (brcc_core/guard) acts under this name, and only changes capacity:
# it holds a manager's right for that one thing, so its writes take the same checks,
# leases and audit as a manager's; pausing it or saving its policies stays with people.
GUARD_EMAIL = "guard@brcc"
GUARD_MAY = frozenset({"change capacity"})

# How long a meeting link lives, as offered in the app (label -> lifetime).
LINK_LIFETIMES: dict[str, timedelta] = {
    "1 hour": timedelta(hours=1),
    "4 hours": timedelta(hours=4),
    "1 day": timedelta(days=1),
    "1 week": timedelta(days=7),
}
AUDIT_CHANNEL = "app"  # audit rows about the app itself (roles, links, shows), no platform
APP_KEY = "app"  # the audit's listing key of an attempt on the app as a whole
# A meeting token: link id (secrets.token_urlsafe), expiry (Unix seconds), signature
# (base64url SHA-256). ASCII only: str.isdigit() and int() also read "²" and "１２".
TOKEN = re.compile(r"([A-Za-z0-9_-]{1,40})\.([0-9]{1,12})\.([A-Za-z0-9_-]{43})", re.ASCII)
# How many refused sign-ins a process remembers having put on record (one row each,
# however many page runs the refused person makes).
REFUSED_SIGN_INS_KEPT = 1000


def a_role(role: str) -> str:
    """The role with its article: a viewer, a manager, an admin."""
    return f"an {role}" if role[:1] in "aeiou" else f"a {role}"


def app_audit_entry(
    actor: Actor,
    action: str,
    key: str,
    what: str,
    before: object,
    after: object,
    refusal: str | None = None,
) -> AuditEntry:
    """An audit row for a change to the app's own records (roles, links, shows, rules)."""
    return AuditEntry(
        who=actor.email,
        action=action,
        listing_key=key,
        channel=AUDIT_CHANNEL,
        what=what,
        before=None if before is None else str(before),
        after=None if after is None else str(after),
        result="refused" if refusal else "ok",
        error=refusal,
        batch=uuid.uuid4().hex[:12],
    )


def record_read(
    append: Callable[[AuditEntry], None],
    actor: Actor,
    where: tuple[str, str, str],
    what: str,
    after: str | None,
    result: str,
    error: str | None,
    note: str,
) -> None:
    """Audit a read that spends the platforms' calls (refresh, order sync; ``where``:
    action, key, channel) through ``append``. Its loss is logged, never a reason to fail
    what was done."""
    action, key, channel = where
    entry = AuditEntry(
        who=actor.email,
        action=action,
        listing_key=key,
        channel=channel,
        what=what,
        before=None,
        after=after,
        result=result,
        error=error,
        note=note,
        batch=uuid.uuid4().hex[:12],
    )
    try:
        append(entry)
    except StateUnavailable as exc:
        log.warning("%s by %s not audited: %s", what, actor.email, exc)


LINK_COLUMNS = [
    "link_id",
    "title",
    "selection",
    "created_by",
    "created_at",
    "expires_at",
    "revoked_by",
    "revoked_at",
    "status",
]


class AccessDenied(PermissionError):
    """The acting person may not do this; the message says why and is safe to show."""


class LinkInvalid(ValueError):
    """A meeting link that does not open (malformed, tampered, expired or revoked)."""


@dataclass(frozen=True)
class Actor:
    """The person behind a request. ``role`` is what the page was told; the facade checks
    it again (see ``Access.require``)."""

    email: str
    role: Role | None
    via: Via = "sign-in"
    note: str = ""  # a refused sign-in: why, in words for the person

    @classmethod
    def demo(cls, role: Role) -> Actor:
        """A demo identity: only honoured in demo mode."""
        return cls(f"demo-{role}@sandbox", role, "demo")

    @classmethod
    def nobody(cls, why: str = "nobody") -> Actor:
        """Sees no data: signed out, or a meeting link's reader (which is given its
        selection, not the app)."""
        return cls(why, None, "nobody")

    @classmethod
    def refused(cls, email: str, why: str) -> Actor:
        """A sign-in the app does not accept (e-mail not verified, or another account's):
        no role, whatever the e-mail."""
        return cls(email, None, "refused", why)

    @classmethod
    def guard(cls) -> Actor:
        """The unattended guard: changes capacity (lowering what is on sale), nothing else."""
        return cls(GUARD_EMAIL, "manager", "guard")

    @classmethod
    def unsigned(cls) -> Actor:
        """Live mode with no sign-in configured: reads like a viewer, never writes."""
        return cls("anonymous", "viewer", "unsigned")

    @property
    def on_record(self) -> str:
        """Who the audit names: a refused sign-in is not the person whose e-mail it
        claimed, so the audit's Person filter never mixes the two."""
        return f"unaccepted sign-in as {self.email}" if self.via == "refused" else self.email

    def can(self, role: Role) -> bool:
        return self.role is not None and ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True)
class MeetingLink:
    link_id: str
    title: str
    selection: tuple[str, ...]
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    revoked_by: str | None = None

    def status(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if now >= self.expires_at else "active"


def unverified_reason(verified: object, issuer: str, verified_issuers: Sequence[str]) -> str | None:
    """Why a sign-in's e-mail is not taken as the person's (None: it is). Providers say
    ``email_verified``; some that verify every address send no such claim, and the club
    lists those (``BRCC_EMAIL_VERIFIED_ISSUERS``). A claim saying false is refused always."""
    if verified is True or (isinstance(verified, str) and verified.strip().lower() == "true"):
        return None
    if verified is None and issuer and issuer.rstrip("/") in verified_issuers:
        return None
    if verified is None:
        return (
            "the sign-in provider did not say that this e-mail address is verified "
            "(no email_verified claim). An admin can list a provider that verifies every "
            "address in BRCC_EMAIL_VERIFIED_ISSUERS (README, Sign-in and roles)."
        )
    return (
        "the sign-in provider says this e-mail address is not verified. Verify it with the "
        "provider, then sign in again."
    )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Access:
    """Roles and meeting links on the app-state engine. Thread-safe."""

    def __init__(
        self,
        engine: Engine,
        *,
        admins: Sequence[str] = (),
        demo: bool = False,
        audit: Callable[[AuditEntry], int] | None = None,
        clock: Callable[[], datetime] = app_clock.now,
        systems: str = "demo",
        verified_issuers: Sequence[str] = (),
        timezone: str = CLUB_TIMEZONE,
    ):
        self.engine = engine
        self.admins = tuple(normalize_email(a) for a in admins if a)
        self.demo = demo
        self.systems = systems  # Settings.systems: whose meeting-link key this uses
        self.verified_issuers = tuple(i.rstrip("/") for i in verified_issuers)
        self.timezone = timezone  # the club's: a link's dates are read on its calendar
        self._audit = audit
        self._clock = clock
        self._tables = Transactions(engine)
        self._key: bytes | None = None
        self._refused_on_record: set[tuple[str, str, str, str]] = set()

    def _begin(self, what: str) -> AbstractContextManager[Connection]:
        return self._tables.begin(what)

    # --- roles ---------------------------------------------------------------------------
    def role_of(self, email: str) -> Role | None:
        """The role of a signed-in person now: ``BRCC_ADMINS`` first, then the database."""
        email = normalize_email(email)
        if not email:
            return None
        if email in self.admins:
            return "admin"
        with self._begin("reading roles") as conn:
            role = conn.execute(select(people.c.role).where(people.c.email == email)).scalar()
        return role if role in ROLES else None

    def actor(self, email: str) -> Actor:
        """A signed-in person with their current role (None: ask an admin)."""
        return Actor(normalize_email(email), self.role_of(email), "sign-in")

    def role_now(self, actor: Actor) -> Role | None:
        """What ``actor`` may do at this moment, never taken on trust from the object."""
        if not isinstance(actor, Actor):
            return None
        if actor.via == "demo":
            return actor.role if self.demo and actor.role in ROLES else None
        if actor.via == "sign-in":
            return self.role_of(actor.email)
        if actor.via == "guard":
            return "manager" if actor.email == GUARD_EMAIL else None
        if actor.via == "unsigned":
            return "viewer"  # live without sign-in: everyone reads (and refreshes), nobody writes
        return None

    def require(
        self, actor: object, role: Role, doing: str, *, key: str = APP_KEY, tried: str = ""
    ) -> Actor:
        """The acting person, if they hold ``role`` now; AccessDenied otherwise, with the
        attempt on record: who, ``doing`` on ``key`` (``tried``: the value asked for), the
        role they hold and the one it needs."""
        current: Role | None = None
        if not isinstance(actor, Actor):
            message = f"Only a signed-in {role} can {doing}; nobody is signed in."
        elif actor.via == "demo" and not self.demo:
            message = "Demo identities work only in demo mode. Sign in instead."
        elif actor.via == "guard" and (doing not in GUARD_MAY or actor.email != GUARD_EMAIL):
            message = f"The unattended guard cannot {doing}: only a person can."
        else:
            current = self.role_now(actor)
            if current is not None and ROLES.index(current) >= ROLES.index(role):
                return Actor(actor.email, current, actor.via)
            held = f"your role is {current}" if current else "you have no role yet"
            if actor.via == "unsigned":
                held = "sign-in is not configured, so the app is read-only for everyone"
            message = (
                f"Only {a_role(role)} can {doing}; {held}. Ask an admin of the app if you need it."
            )
        who = actor.on_record if isinstance(actor, Actor) else "nobody"
        log.warning("refused %s for %s (%s)", doing, who, current)
        self._record_refusal(who, key, doing, current, role, message, tried)
        raise AccessDenied(message)

    def _record_refusal(
        self,
        who: str,
        key: str,
        doing: str,
        held: Role | None,
        needed: Role,
        message: str,
        tried: str = "",
    ) -> None:
        """A refused attempt in the audit log; a log line if the log cannot be written
        (the refusal stands either way)."""
        if self._audit is None:
            return
        entry = AuditEntry(
            who=who,
            action="access",
            listing_key=key,
            channel=AUDIT_CHANNEL,
            what=doing,
            before=held or "no role",
            after=f"needs {needed}",
            result="refused",
            error=message,
            note=tried or None,
            batch=uuid.uuid4().hex[:12],
        )
        try:
            self._audit(entry)
        except StateUnavailable as exc:
            log.warning("refusal of %s for %s not audited: %s", doing, who, exc)

    # --- sign-in -------------------------------------------------------------------------
    def sign_in(self, claims: Mapping[str, object]) -> Actor:
        """The person behind a provider's sign-in (``st.user``: the ID token's claims),
        with their role now; ``Actor.refused`` with the reason when the provider does not
        vouch for the e-mail, or another account signed in with it first;
        ``Actor.nobody`` when it carries no e-mail. StateUnavailable when the accounts
        cannot be read."""
        email = normalize_email(str(claims.get("email") or ""))
        if not email:
            return Actor.nobody("no e-mail")
        issuer = str(claims.get("iss") or "").rstrip("/")
        subject = str(claims.get("sub") or "")
        why = unverified_reason(claims.get("email_verified"), issuer, self.verified_issuers)
        if why is None and not subject:
            why = "the sign-in did not say which account it is (no subject)."
        if why is None:
            why = self._bind(email, issuer, subject)
        if why is not None:
            self._record_refused_sign_in(email, issuer, subject, why)
            return Actor.refused(email, why)
        return Actor(email, self.role_of(email), "sign-in")

    def _bind(self, email: str, issuer: str, subject: str) -> str | None:
        """Tie ``email`` to this account on its first sign-in; why not, when another
        account has it."""
        query = select(sign_ins.c.issuer, sign_ins.c.subject).where(sign_ins.c.email == email)
        with self._begin("checking the sign-in") as conn:
            found = conn.execute(query).first()
        if found is None:
            with self._begin("checking the sign-in") as conn:
                try:
                    conn.execute(
                        insert(sign_ins).values(
                            email=email,
                            issuer=issuer[:300],
                            subject=subject[:255],
                            first_at=naive_utc(self._clock(), whole_seconds=True),
                        )
                    )
                except IntegrityError:  # the same e-mail signed in elsewhere at that moment
                    pass
                else:
                    return None
            with self._begin("checking the sign-in") as conn:
                found = conn.execute(query).first()
        if found is None or (found.issuer, found.subject) == (issuer[:300], subject[:255]):
            return None
        return (
            "another account at the sign-in provider signed in with this e-mail first, so "
            "the app does not accept this one. If the account is yours (a new one, or "
            "another provider), ask an admin to forget the old one on People and roles."
        )

    def _record_refused_sign_in(self, email: str, issuer: str, subject: str, why: str) -> None:
        """One audit row per refused sign-in, not one per page run it makes."""
        seen = (email, issuer, subject, why)
        if seen in self._refused_on_record or self._audit is None:
            return
        if len(self._refused_on_record) >= REFUSED_SIGN_INS_KEPT:
            self._refused_on_record.clear()
        entry = AuditEntry(
            who=Actor.refused(email, why).on_record,
            action="sign-in",
            listing_key=email,
            channel=AUDIT_CHANNEL,
            what="sign-in",
            before=None,
            after=None,
            result="refused",
            error=f"Sign-in refused: {why}",
            note=f"issuer {issuer or 'not given'}, subject {subject or 'not given'}",
            batch=uuid.uuid4().hex[:12],
        )
        try:
            self._audit(entry)
        except StateUnavailable as exc:
            log.warning("refused sign-in of %s not audited: %s", email, exc)
            return
        self._refused_on_record.add(seen)

    def sign_in_accounts(self) -> pd.DataFrame:
        """Which account each e-mail is tied to (``email``, ``issuer``, ``first_at``)."""
        with self._begin("reading sign-in accounts") as conn:
            rows = conn.execute(select(sign_ins).order_by(sign_ins.c.email)).all()
        return pd.DataFrame(
            [
                {"email": r.email, "issuer": r.issuer, "first_at": aware_utc(r.first_at)}
                for r in rows
            ],
            columns=["email", "issuer", "first_at"],
        )

    def forget_sign_in(self, by: Actor, email: str) -> bool:
        """Untie ``email`` from the account that first signed in with it, so the next
        sign-in with it ties it anew (a new account, another provider). Admins only;
        audited. False when it was not tied to any."""
        admin = self.require(by, "admin", "forget a sign-in account", key=normalize_email(email))
        email = normalize_email(email)
        with self._begin("forgetting a sign-in account") as conn:
            gone = conn.execute(delete(sign_ins).where(sign_ins.c.email == email)).rowcount
        if gone:
            self._record(admin, "sign-in", email, "sign-in account", "tied", "forgotten")
        return bool(gone)

    def demo_traces(self) -> list[str]:
        """Who gave roles and made meeting links (e-mails), to tell demo-made records."""
        with self._begin("reading roles") as conn:
            givers = conn.execute(select(people.c.updated_by).distinct()).scalars().all()
            makers = conn.execute(select(meeting_links.c.created_by).distinct()).scalars().all()
        return [str(x) for x in (*givers, *makers) if x]

    def people(self) -> pd.DataFrame:
        """Everyone with a role: the ``BRCC_ADMINS`` first (``source`` says so)."""
        with self._begin("reading roles") as conn:
            rows = conn.execute(select(people).order_by(people.c.email)).all()
        stored = [
            {
                "email": r.email,
                "role": r.role,
                "source": "app",
                "updated_by": r.updated_by,
                "updated_at": aware_utc(r.updated_at),
            }
            for r in rows
            if r.email not in self.admins
        ]
        fixed = [
            {
                "email": e,
                "role": "admin",
                "source": "BRCC_ADMINS",
                "updated_by": None,
                "updated_at": None,
            }
            for e in self.admins
        ]
        columns = ["email", "role", "source", "updated_by", "updated_at"]
        return pd.DataFrame(fixed + stored, columns=columns)

    def set_role(self, by: Actor, email: str, role: Role | None) -> None:
        """Give ``email`` a role, or take it away (None). Admins only; audited."""
        admin = self.require(
            by, "admin", "change who has which role", key=normalize_email(email), tried=str(role)
        )
        email = normalize_email(email)
        if "@" not in email or len(email) > 200:
            raise ValueError("Enter the person's e-mail address, as their sign-in shows it.")
        if role is not None and role not in ROLES:
            raise ValueError(f"Unknown role {role!r}.")
        if email in self.admins:
            raise AccessDenied(
                f"{email} is an admin through BRCC_ADMINS; change that setting instead."
            )
        if email == admin.email:
            raise AccessDenied("You cannot change your own role; ask another admin.")
        now = naive_utc(self._clock(), whole_seconds=True)
        with self._begin("changing a role") as conn:
            before = conn.execute(select(people.c.role).where(people.c.email == email)).scalar()
            if role is None:
                conn.execute(delete(people).where(people.c.email == email))
            elif before is None:
                conn.execute(
                    insert(people).values(
                        email=email, role=role, updated_at=now, updated_by=admin.email
                    )
                )
            else:
                conn.execute(
                    update(people)
                    .where(people.c.email == email)
                    .values(role=role, updated_at=now, updated_by=admin.email)
                )
        if before != role:
            self._record(admin, "role", email, "role", before or "none", role or "none")

    def _record(
        self, actor: Actor, action: str, key: str, what: str, before: str | None, after: str | None
    ) -> None:
        if self._audit is None:
            return
        self._audit(app_audit_entry(actor, action, key, what, before, after))

    # --- meeting links -------------------------------------------------------------------
    def _signing_key(self) -> bytes:
        if self._key is None:
            fresh = secrets.token_urlsafe(32)
            # One key per systems: a link signed on the demo is not valid on the club's.
            name = f"meeting_links:{self.systems}"[:40]
            with self._begin("preparing meeting links") as conn:
                stored = conn.execute(
                    select(access_keys.c.value).where(access_keys.c.name == name)
                ).scalar()
                if stored is None:
                    try:
                        conn.execute(insert(access_keys).values(name=name, value=fresh))
                        stored = fresh
                    except IntegrityError:  # another instance made it first
                        stored = None
            if stored is None:
                with self._begin("preparing meeting links") as conn:
                    stored = conn.execute(
                        select(access_keys.c.value).where(access_keys.c.name == name)
                    ).scalar_one()
            self._key = stored.encode()
        return self._key

    def _sign(self, link_id: str, expires: int) -> str:
        digest = hmac.new(self._signing_key(), f"{link_id}.{expires}".encode(), hashlib.sha256)
        return _b64(digest.digest())

    def token_for(self, link: MeetingLink) -> str:
        expires = int(link.expires_at.timestamp())
        return f"{link.link_id}.{expires}.{self._sign(link.link_id, expires)}"

    def create_link(
        self, by: Actor, selection: Sequence[str], lifetime: str, title: str = ""
    ) -> tuple[MeetingLink, str]:
        """A read-only link to Dashboard and Comparison for ``selection``; returns the link
        and its token. Managers only; audited."""
        manager = self.require(by, "manager", "create a meeting link")
        if lifetime not in LINK_LIFETIMES:
            raise ValueError(f"Choose how long the link works: {', '.join(LINK_LIFETIMES)}.")
        keys = tuple(dict.fromkeys(str(k) for k in selection))
        now = self._clock().astimezone(UTC).replace(microsecond=0)
        link = MeetingLink(
            link_id=secrets.token_urlsafe(9),
            title=(title.strip() or f"Meeting of {day_label(now, self.timezone)}")[:200],
            selection=keys,
            created_by=manager.email,
            created_at=now,
            expires_at=now + LINK_LIFETIMES[lifetime],
        )
        with self._begin("creating a meeting link") as conn:
            conn.execute(
                insert(meeting_links).values(
                    link_id=link.link_id,
                    title=link.title,
                    selection=json.dumps(list(keys)),
                    created_at=naive_utc(link.created_at, whole_seconds=True),
                    created_by=link.created_by,
                    expires_at=naive_utc(link.expires_at, whole_seconds=True),
                )
            )
        self._record(manager, "link", link_key(link.link_id), "meeting link", None, lifetime)
        return link, self.token_for(link)

    def revoke_link(self, by: Actor, link_id: str) -> None:
        """Stop a link working at once. Managers only; audited."""
        manager = self.require(by, "manager", "revoke a meeting link")
        with self._begin("revoking a meeting link") as conn:
            changed = conn.execute(
                update(meeting_links)
                .where(meeting_links.c.link_id == link_id, meeting_links.c.revoked_at.is_(None))
                .values(
                    revoked_at=naive_utc(self._clock(), whole_seconds=True),
                    revoked_by=manager.email,
                )
            ).rowcount
        if changed:
            self._record(manager, "link", link_key(link_id), "meeting link", "active", "revoked")

    def _links(self, conn: Connection, link_id: str | None = None) -> list[MeetingLink]:
        query = select(meeting_links).order_by(meeting_links.c.created_at.desc())
        if link_id is not None:
            query = query.where(meeting_links.c.link_id == link_id)
        return [
            MeetingLink(
                link_id=r.link_id,
                title=r.title,
                selection=tuple(json.loads(r.selection)),
                created_by=r.created_by,
                created_at=aware_utc(r.created_at),
                expires_at=aware_utc(r.expires_at),
                revoked_at=aware_utc(r.revoked_at),
                revoked_by=r.revoked_by,
            )
            for r in conn.execute(query)
        ]

    def links(self) -> pd.DataFrame:
        """Every meeting link, newest first, with its status now."""
        with self._begin("reading meeting links") as conn:
            found = self._links(conn)
        now = self._clock()
        rows = [
            {
                "link_id": x.link_id,
                "title": x.title,
                "selection": ", ".join(x.selection),
                "created_by": x.created_by,
                "created_at": x.created_at,
                "expires_at": x.expires_at,
                "revoked_by": x.revoked_by,
                "revoked_at": x.revoked_at,
                "status": x.status(now),
            }
            for x in found
        ]
        return pd.DataFrame(rows, columns=LINK_COLUMNS)

    def open_link(self, token: str) -> MeetingLink:
        """The link behind ``token`` if it works now; LinkInvalid with the reason if not."""
        text = token.strip() if isinstance(token, str) else ""
        if text.count(".") != 2:
            raise LinkInvalid("This meeting link is not complete: copy it again from the app.")
        parsed = TOKEN.fullmatch(text)
        if parsed is None:
            raise LinkInvalid("This meeting link is not valid: copy it again from the app.")
        link_id, expires, signature = parsed.groups()
        if not hmac.compare_digest(signature, self._sign(link_id, int(expires))):
            raise LinkInvalid("This meeting link is not valid: copy it again from the app.")
        with self._begin("opening a meeting link") as conn:
            found = self._links(conn, link_id)
        if not found:
            raise LinkInvalid("This meeting link is not valid: copy it again from the app.")
        link = found[0]
        status = link.status(self._clock())
        if status == "revoked":
            # Whoever holds the link learns that, not which manager did it.
            raise LinkInvalid("This meeting link was revoked. Ask a manager for a new one.")
        if status == "expired":
            raise LinkInvalid(
                f"This meeting link expired on {moment_label(link.expires_at, self.timezone)}. "
                "Ask a manager for a new one."
            )
        return link
