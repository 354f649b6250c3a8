"""Fixed identities of the sandbox club. These demo credentials only open the embedded
sandbox; they are not secrets and never work against a real site."""

from __future__ import annotations

from brcc_core.common.club import CLUB_TIMEZONE, DEFAULT_VENUE_CAPACITY

SANDBOX_WC_CONSUMER_KEY = "ck_sandbox_demo_key"
SANDBOX_WC_CONSUMER_SECRET = "cs_sandbox_demo_secret"
SANDBOX_EB_TOKEN = "SANDBOX-DEMO-TOKEN"
# The club's real organization id shape (digits), from the May 2025 capture.
SANDBOX_EB_ORGANIZATION_ID = "698566935713"
# The sandbox club lives where the real one does and has the same room.
SANDBOX_TIMEZONE = CLUB_TIMEZONE
SANDBOX_VENUE_CAPACITY = DEFAULT_VENUE_CAPACITY
# Weeks of past weekly shows `python -m brcc_core.sandbox seed` adds (sandbox/history.py).
SANDBOX_HISTORY_WEEKS = 52
