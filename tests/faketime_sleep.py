"""``time.sleep`` that works under Debian's libfaketime 0.9.10.

The suite must pass with the machine's clock at another date, and ``faketime`` is how
one sets it. Its 0.9.10 library breaks Python's sleep either way: with the monotonic
clock faked, every timed wait sleeps for the months between the dates; left alone
(``FAKETIME_DONT_FAKE_MONOTONIC=1``, what the README says), ``time.sleep`` raises
``OSError: [Errno 22]``, because Python sleeps with ``clock_nanosleep(CLOCK_MONOTONIC,
TIMER_ABSTIME)`` and libfaketime rejects an absolute monotonic deadline (libfaketime
issue 426). Timed waits on locks and events, ``select`` and the event loops work. So,
only while libfaketime is preloaded, ``time.sleep`` waits in ``select`` instead; the app
itself is unchanged. Chromium does not start at all under libfaketime; the browser
tests start it without (``without_faketime``): it only shows what the app serves, and
the app runs on the suite's clock either way.
"""

from __future__ import annotations

import os
import select
import time

_real_sleep = time.sleep


def under_faketime(environ: os._Environ[str] | dict[str, str] = os.environ) -> bool:
    """Whether this process runs with libfaketime preloaded."""
    return "faketime" in environ.get("LD_PRELOAD", "")


def _sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    # select retries with the time left when a signal interrupts it (PEP 475).
    select.select([], [], [], seconds)


def install() -> bool:
    """Replace ``time.sleep`` in this process when it runs under libfaketime."""
    if not under_faketime():
        return False
    time.sleep = _sleep
    return True


def without_faketime(environ: os._Environ[str] | dict[str, str] = os.environ) -> dict[str, str]:
    """``environ`` with libfaketime taken out of ``LD_PRELOAD`` and its settings."""
    env = {k: v for k, v in environ.items() if not k.startswith("FAKETIME")}
    kept = [p for p in env.get("LD_PRELOAD", "").split(":") if p and "faketime" not in p]
    env.pop("LD_PRELOAD", None)
    if kept:
        env["LD_PRELOAD"] = ":".join(kept)
    return env


def with_repo_on_path(
    root: object, environ: os._Environ[str] | dict[str, str] = os.environ
) -> dict[str, str]:
    """``environ`` for a Python process the suite starts: the repository first on
    ``PYTHONPATH``, keeping what is already there (under libfaketime, the sleep shim the
    conftest puts there; a child given only the repository could not sleep)."""
    env = dict(environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(root), env.get("PYTHONPATH"))))
    return env
