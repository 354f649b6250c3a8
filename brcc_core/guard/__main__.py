"""Command line for the unattended guard.

    python -m brcc_core.guard --every 2m        rounds every 2 minutes until stopped
    python -m brcc_core.guard --once            one round (for cron), then exit

It reads the same settings as the app (environment and ``.env``; the demo when no live
credential is set) and the same app-state database, so it sees the policies managers
save and the pause they press. One line per round on stdout. Exit status with
``--once``: 0 when the round ran or stood by, 1 when a platform failed, 2 on bad
settings.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import re
import signal
import sys
import threading

from brcc_core.boxoffice import BoxOffice, StartupError
from brcc_core.boxoffice.api import SettingsError, load_settings
from brcc_core.guard.rounds import Guard, RoundReport

_UNITS = {"s": 1, "m": 60, "h": 3600}


def duration(text: str) -> float:
    """``10s``, ``2m``, ``1h`` or plain seconds, as seconds (at least 1)."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not found:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration such as 10s, 2m or 1h")
    seconds = float(found.group(1)) * _UNITS[found.group(2) or "s"]
    if seconds < 1:
        raise argparse.ArgumentTypeError("rounds cannot be less than 1 s apart")
    return seconds


def line(report: RoundReport) -> str:
    """One round as the log shows it."""
    when = report.at.strftime("%Y-%m-%d %H:%M:%S %Z")
    said = report.summary or ("paused" if report.paused else "done")
    extra = f" | EB calls {report.eventbrite_calls}"
    if report.error:
        extra += f" | {report.error}"
    return f"{when} guard: {said}{extra}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m brcc_core.guard",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--every", type=duration, help="time between rounds: 10s, 2m, 1h")
    how.add_argument("--once", action="store_true", help="one round, then exit")
    parser.add_argument("--rounds", type=int, default=None, help="stop after this many rounds")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        box = BoxOffice.from_settings(load_settings())
    except (SettingsError, StartupError) as exc:
        print(f"guard: cannot start: {exc}", file=sys.stderr)
        return 2
    guard = Guard(box, every=args.every or 120.0)
    if args.once:
        try:
            report = guard.round()
        finally:
            guard.release()
        print(line(report), flush=True)
        return 1 if report.failures else 0
    stopping = threading.Event()
    # systemd stops a service with SIGTERM: finish the write under way, give the lease back.
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: the lease is given back by run
        guard.run(
            rounds=args.rounds,
            stop=stopping.is_set,
            say=lambda report: print(line(report), flush=True),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
