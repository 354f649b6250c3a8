"""Fixed identities of the sandbox club. These demo credentials only open the embedded
sandbox; they are not secrets and never work against a real site."""

from __future__ import annotations

SANDBOX_WC_CONSUMER_KEY = "ck_sandbox_demo_key"
SANDBOX_WC_CONSUMER_SECRET = "cs_sandbox_demo_secret"
SANDBOX_EB_TOKEN = "SANDBOX-DEMO-TOKEN"
# The club's real organization id shape (digits), from the May 2025 capture.
SANDBOX_EB_ORGANIZATION_ID = "698566935713"
SANDBOX_TIMEZONE = "America/Toronto"
SANDBOX_VENUE_CAPACITY = 55
