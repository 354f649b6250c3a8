"""E-mail addresses as the app compares them: a person is their e-mail, in any case."""

from __future__ import annotations


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def parse_admins(raw: str | None) -> tuple[str, ...]:
    """``BRCC_ADMINS``: e-mails separated by commas (or spaces), any case."""
    parts = (raw or "").replace(";", ",").replace(" ", ",").split(",")
    return tuple(dict.fromkeys(normalize_email(p) for p in parts if p.strip()))
