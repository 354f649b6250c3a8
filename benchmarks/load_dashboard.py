"""Twenty managers open the dashboard at once: server CPU per view and time to the table.

    python benchmarks/load_dashboard.py [--sessions 20] [--scale club|large]
                                        [--share-seconds 0,5]

Starts one ``streamlit run streamlit_app.py`` on the sandbox (loopback only, its own
temporary data dir), warms it with one page (seeding and the first catalog build), then,
once per ``--share-seconds`` value (0 = every session reads the live numbers itself, as
before sharing existed; 5 = the default), restarts the server with that setting, opens
one warm-up page, and opens ``--sessions`` dashboard pages at the same moment in headless
Chromium (Playwright, ``/usr/bin/chromium``). Prints per setting: the server process's
CPU seconds per view (user + system from /proc, the browsers excluded) and the p50 / p95
time from navigation to the dashboard's table. Bounded: every page has a timeout, the
server and browser are always stopped. The browsers run on the same machine, so the times
include their CPU; the server CPU figure does not.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import served_app  # noqa: E402 - the app served as the browser tests serve it

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
TABLE = '[data-testid="stDataFrame"]'
PAGE_TIMEOUT_MS = 240_000
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


@contextmanager
def streamlit_server(data_dir: Path, scale: str, share_seconds: int):
    settings = {"BRCC_SANDBOX_SCALE": scale, "BRCC_LIVE_SHARE_SECONDS": str(share_seconds)}
    with served_app.streamlit_server(
        data_dir, settings, log_name=f"streamlit-{share_seconds}.log", start_seconds=120
    ) as running:
        yield running


async def open_dashboard(browser, url: str) -> float | None:
    """Seconds from navigation to the dashboard's table; None when it did not show
    within ``PAGE_TIMEOUT_MS`` (counted and reported, not fatal: the run stays bounded)."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    context = await browser.new_context(viewport={"width": 1400, "height": 1600})
    try:
        page = await context.new_page()
        started = time.perf_counter()
        deadline_ms = PAGE_TIMEOUT_MS
        try:
            await page.goto(url, timeout=deadline_ms)
            left = deadline_ms - (time.perf_counter() - started) * 1000
            await page.locator(TABLE).first.wait_for(timeout=max(1000, left))
        except PlaywrightTimeout:
            return None
        return time.perf_counter() - started
    finally:
        await context.close()


async def load(url: str, sessions: int, pid: int) -> tuple[float, list[float]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            await open_dashboard(browser, url)  # warm: modules imported, catalog loaded
            before = cpu_seconds(pid)
            times = await asyncio.gather(*(open_dashboard(browser, url) for _ in range(sessions)))
            # Let the sessions' last reruns finish before reading the CPU counter.
            await asyncio.sleep(1)
            cpu = cpu_seconds(pid) - before
        finally:
            await browser.close()
    return cpu, times


def percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, round(p * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--scale", choices=("club", "large"), default="club")
    parser.add_argument("--share-seconds", default="0,5")
    args = parser.parse_args()
    sessions = max(1, min(args.sessions, 40))  # bounded: this opens real browsers

    with tempfile.TemporaryDirectory(prefix="brcc-load-") as tmp:
        data_dir = Path(tmp)
        print(f"{sessions} dashboard sessions at once, {args.scale} scale, one server")
        started = time.perf_counter()
        with streamlit_server(data_dir, args.scale, 0) as (base, _pid):
            asyncio.run(load_once(base))
        print(f"seeded and built the catalog in {time.perf_counter() - started:.0f} s")
        results = {}
        for share in (int(s) for s in args.share_seconds.split(",")):
            with streamlit_server(data_dir, args.scale, share) as (base, pid):
                cpu, times = asyncio.run(load(base, sessions, pid))
            shown = sorted(t for t in times if t is not None)
            results[share] = cpu / sessions
            late = len(times) - len(shown)
            timing = (
                f"time to the table p50 {statistics.median(shown):.1f} s, "
                f"p95 {percentile(shown, 0.95):.1f} s, max {shown[-1]:.1f} s"
                if shown
                else "no table shown"
            )
            print(
                f"BRCC_LIVE_SHARE_SECONDS={share}: server CPU {cpu / sessions:.2f} s per view "
                f"({cpu:.1f} s for {sessions}); {timing}"
                + (
                    f"; {late} page(s) without a table after {PAGE_TIMEOUT_MS // 1000} s"
                    if late
                    else ""
                )
            )
        if 0 in results and len(results) > 1:
            for share, per_view in results.items():
                if share:
                    print(
                        f"server CPU per view: {results[0] / per_view:.1f}x lower with "
                        f"{share} s sharing than without"
                    )


async def load_once(base: str) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            await open_dashboard(browser, base)
        finally:
            await browser.close()


if __name__ == "__main__":
    main()
