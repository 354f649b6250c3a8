"""Dashboard render time in AppTest from a warm cache, at club scale.

    python benchmarks/dashboard_render.py [--runs 7] [--scale club|large] [--history-weeks N]

Seeds the sandbox in a temporary data dir, warms the cache (the first build plus one
press of Refresh data), then times the dashboard: a manager opening it (a new session,
which also measures health) and a rerun in the same session (what every click costs).
Also prints what the page's BoxOffice calls take. Figures against the 1.5 s goal, not
assertions.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from brcc_core.common.windows import listings_between, local_now  # noqa: E402
from brcc_core.settings import load_settings  # noqa: E402
from brcc_core.ui.app import _boxoffice  # noqa: E402

GOAL_SECONDS = 1.5
APP = str(ROOT / "streamlit_app.py")


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def figures(label: str, seconds: list[float]) -> str:
    median = statistics.median(seconds)
    verdict = "within" if median < GOAL_SECONDS else "OVER"
    return (
        f"{label:<34} median {median:6.3f} s   min {min(seconds):6.3f} s   "
        f"max {max(seconds):6.3f} s   ({verdict} the {GOAL_SECONDS} s goal, {len(seconds)} runs)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--scale", choices=["club", "large"], default="club")
    parser.add_argument(
        "--history-weeks", type=int, default=None, help="past weeks of sales (demo default)"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="brcc-bench-") as tmp:
        for name in [n for n in os.environ if n.startswith("BRCC_")]:
            del os.environ[name]
        os.environ["BRCC_DATA_DIR"] = tmp
        os.environ["BRCC_SANDBOX_SCALE"] = args.scale
        if args.history_weeks is not None:  # benchmarks/pace.py: the render with a year
            os.environ["BRCC_SANDBOX_HISTORY_WEEKS"] = str(args.history_weeks)
        os.chdir(tmp)  # no .env from a checkout

        settings = load_settings()
        seed_s, box = timed(lambda: _boxoffice(settings.fingerprint(), settings))
        print(
            f"seeded the {args.scale} sandbox ({settings.sandbox_history_weeks} weeks of "
            f"history) in {seed_s:.1f} s"
        )

        warm = AppTest.from_file(APP, default_timeout=300)
        first_s, _ = timed(warm.run)
        refresh_s, _ = timed(lambda: warm.button(key="refresh_data").click().run())
        assert not warm.exception, warm.exception
        catalog = warm.session_state["catalog"]
        print(
            f"first page with the first catalog build: {first_s:.2f} s; "
            f"Refresh data: {refresh_s:.2f} s; catalog {catalog.counts()}"
        )

        opened, reruns = [], []
        for _ in range(args.runs):
            at = AppTest.from_file(APP, default_timeout=120)
            seconds, _ = timed(at.run)
            assert not at.exception, at.exception
            opened.append(seconds)
            seconds, _ = timed(at.run)
            reruns.append(seconds)
        shows_in_table = len(at.dataframe[0].value) if at.dataframe else 0

        listings_s = [timed(lambda: box.listings(catalog))[0] for _ in range(5)]
        listings = box.listings(catalog)
        now = local_now(settings.timezone)
        window = listings_between(listings, now, now + timedelta(days=14))
        shows_s = [timed(lambda: box.shows(window))[0] for _ in range(5)]
        all_shows_s = [timed(lambda: box.shows(listings))[0] for _ in range(3)]
        health_s = [timed(box.health)[0] for _ in range(3)]

        print()
        print(f"{len(listings)} listings; {shows_in_table} shows in the 14-day table")
        print(figures("dashboard, a manager opens it", opened))
        print(figures("dashboard, rerun in the session", reruns))
        print()
        print(f"  BoxOffice.listings()            median {statistics.median(listings_s):.3f} s")
        print(f"  BoxOffice.shows(14-day window)  median {statistics.median(shows_s):.3f} s")
        print(
            f"  BoxOffice.shows(all listings)   median {statistics.median(all_shows_s):.3f} s"
            "  (the pages group only their window)"
        )
        print(
            f"  BoxOffice.health()              median {statistics.median(health_s):.3f} s"
            "  (once a minute per session)"
        )


if __name__ == "__main__":
    main()
