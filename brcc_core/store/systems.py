"""Demo and live never share state: which systems the app's stored state belongs to.

The app keeps three things that give powers or show numbers: the app-state database
(roles, meeting links and their signing key, the audit log), the catalog cache and the
Eventbrite classes kept between refreshes. Each is stamped with ``Settings.systems``:
``demo`` for the sandbox, or ``live:`` and a digest of the club's WooCommerce site and
Eventbrite organization (public names, never a secret). A start for other systems refuses
what it finds, so an admin added, or a meeting link made, by anyone who reached the demo
never becomes a power on the club's data.

The defaults keep them apart too (``data/demo/`` for the demo, ``data/`` for the club);
``move_legacy_demo`` moves what a demo left in ``data/`` before that into ``data/demo/``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy import make_url

from brcc_core.settings import DEMO_DATA_DIR, DEMO_SYSTEMS, LIVE_DATA_DIR, Settings
from brcc_core.store.state import State, StateUnavailable

log = logging.getLogger(__name__)

GUIDE = 'README, "Sign-in and roles" → "Moving from the demo to the club\'s systems"'
# Files a demo started before data/demo/ existed left in data/ (SQLite keeps its journal,
# or its write-ahead log and shared memory, beside each database).
LEGACY_DEMO_FILES = ("sandbox.db", "catalog.pkl", "eventbrite-classes.pkl", "cache.key")
SQLITE_COMPANIONS = ("", "-journal", "-wal", "-shm")


class StateRefused(StateUnavailable):
    """The app-state database belongs to other systems; the message says what to do.
    A ``StateUnavailable``, so every page that copes without the database refuses the
    same way, reading and writing nothing in it."""


def where(url: str) -> str:
    """The database as a person finds it: a SQLite file's path, or the URL without its
    password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return parsed.database
    return parsed.render_as_string(hide_password=True)


def refusal(found: str, found_label: str, settings: Settings) -> str:
    """Why a start refuses a database stamped for ``found``, and what to do."""
    place = where(settings.state_db_url)
    if not settings.is_demo:
        return (
            f"The app-state database ({place}) belongs to {found_label}, not to "
            f"{settings.systems_label}: its people, roles, meeting links and audit log must "
            "not become powers on the club's data, so the app has not read them. Move that "
            "database away (or delete it), or point BRCC_STATE_DB_URL (or BRCC_DATA_DIR) at "
            "a new one, and start again: BRCC_ADMINS are the first admins and give everyone "
            f"else their role anew. See {GUIDE}."
        )
    return (
        f"The app-state database ({place}) belongs to {found_label}, and this start runs the "
        "demo sandbox: demo identities must not write into it, so the app has not used it. "
        "Unset BRCC_STATE_DB_URL and BRCC_DATA_DIR for the demo (its files go to "
        f"{DEMO_DATA_DIR}/), and start again."
    )


def demo_trace_refusal(settings: Settings) -> str:
    """Why a live start refuses an unstamped database that the demo has written to."""
    return (
        f"The app-state database ({where(settings.state_db_url)}) was used by the demo "
        "sandbox before this version stamped it (changes by demo identities are in its audit "
        "log): its roles and meeting links may have been made by anyone who reached the demo, "
        "so the app has not read them. Move that database away (or delete it), or point "
        "BRCC_STATE_DB_URL (or BRCC_DATA_DIR) at a new one, and start again: BRCC_ADMINS are "
        f"the first admins. See {GUIDE}."
    )


def claim(state: State, settings: Settings, writers: Callable[[], Iterable[str]]) -> None:
    """Make sure ``state`` belongs to ``settings.systems``: stamp it on first use, or
    raise ``StateRefused``. ``writers``: who wrote to it (people and links' e-mails, the
    audit's ``who``), asked only when a live start finds it not stamped yet (an older
    version's); demo identities end in ``@sandbox``. StateUnavailable when the database
    cannot be read."""
    found = state.systems()
    if found is None:
        if not settings.is_demo and any(is_demo_identity(who) for who in writers()):
            raise StateRefused(demo_trace_refusal(settings))
        found = state.stamp_systems(settings.systems, settings.systems_label)
        log.info("Stamped the app-state database for %s.", found[1])
    if found[0] != settings.systems:
        log.warning("Refused the app-state database: stamped %s, running %s", *found)
        raise StateRefused(refusal(found[0], found[1], settings))


def is_demo_identity(email: str | None) -> bool:
    """A demo identity's e-mail (``Actor.demo``: ``demo-<role>@sandbox``)."""
    return isinstance(email, str) and email.lower().endswith("@sandbox")


def move_legacy_demo(settings: Settings) -> list[Path]:
    """Before ``data/demo/`` existed the demo kept its files in ``data/``, where the club's
    now go. On a demo start with the default places, move them to ``data/demo/`` once (the
    sandbox database is what marks a demo's ``data/``); the app-state database only when
    no live start has stamped it. Nothing moves when BRCC_DATA_DIR or
    BRCC_SANDBOX_DB_URL choose other places. Returns the files moved."""
    if not settings.is_demo or settings.data_dir != DEMO_DATA_DIR:
        return []
    if settings.sandbox_db_url != _sqlite_url(DEMO_DATA_DIR / "sandbox.db"):
        return []
    old, new = LIVE_DATA_DIR, DEMO_DATA_DIR
    if not (old / "sandbox.db").is_file() or (new / "sandbox.db").exists():
        return []
    names = list(LEGACY_DEMO_FILES)
    default_state = settings.state_db_url == _sqlite_url(DEMO_DATA_DIR / "state.db")
    legacy_state = old / "state.db"
    if default_state and legacy_state.is_file() and _stamp_of(legacy_state) in (None, DEMO_SYSTEMS):
        names.append("state.db")
    new.mkdir(parents=True, exist_ok=True)
    moved: list[Path] = []
    for name in names:
        for suffix in SQLITE_COMPANIONS if name.endswith(".db") else ("",):
            source = old / f"{name}{suffix}"
            if source.is_file() and not (new / source.name).exists():
                os.replace(source, new / source.name)
                moved.append(new / source.name)
    if moved:
        log.warning(
            "Moved the demo's files from %s/ to %s/ (the club's state goes to %s/): %s",
            old,
            new,
            old,
            ", ".join(p.name for p in moved),
        )
    return moved


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _stamp_of(path: Path) -> str | None:
    """The systems a SQLite app-state file is stamped for (None: not stamped, or not an
    app-state database at all)."""
    state = State.open(f"sqlite:///{path}")
    try:
        found = state.systems()
    except StateUnavailable:
        return None
    finally:
        state.engine.dispose()
    return None if found is None else found[0]
