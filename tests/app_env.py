"""The app's settings as a test starts it: none of the developer's ``BRCC_*`` variables,
except the app's clock (``BRCC_NOW``), which the suite sets (conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Mapping

import pytest

from brcc_core.common import clock


def is_setting(name: str) -> bool:
    """An app setting a test must not inherit (the clock is the suite's, so it stays)."""
    return name.startswith("BRCC_") and name != clock.NOW_VARIABLE


def clear_settings(mp: pytest.MonkeyPatch) -> None:
    """Remove the developer's settings from this process for the test."""
    for name in list(os.environ):
        if is_setting(name):
            mp.delenv(name)


def without_settings(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """An environment for a process a test starts: no settings, the suite's clock."""
    environ = os.environ if environ is None else environ
    return {k: v for k, v in environ.items() if not is_setting(k)}
