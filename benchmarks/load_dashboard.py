"""Twenty managers open the dashboard at once: server CPU per view and time to the table.

    python benchmarks/load_dashboard.py [--sessions 20] [--scale club|large]
                                        [--share-seconds 0,5] [--client websocket|browser]

Starts one ``streamlit run streamlit_app.py`` on the sandbox (loopback only, its own
temporary data dir), warms it with one session (seeding and the first catalog build), then,
once per ``--share-seconds`` value (0 = every session reads the live numbers itself, as
before sharing existed; 5 = the default), restarts the server with that setting, opens
one warm-up session, and opens ``--sessions`` dashboard sessions at the same moment.
Prints per setting: the server process's CPU seconds per view (user + system from /proc,
the clients excluded) and the p50 / p95 time to the dashboard's table (and, with the
websocket client, to the end of the run). Bounded: every session has a timeout, the server
(and browser) are always stopped.

Clients:

- ``websocket`` (default): what Streamlit's own frontend says to the server, without the
  browser. Per session: ``GET /_stcore/health`` and ``/_stcore/host-config`` (the
  frontend asks both before it connects), a websocket to ``/_stcore/stream`` with the
  ``streamlit`` subprotocol (no Origin header and no cookies: Streamlit 1.67 then skips
  its XSRF/auth-cookie check, as it only guards reading a signed-in user's cookie), one
  ``BackMsg.rerun_script`` with a ``ClientState`` for the default page (empty query
  string and page hash, as a freshly opened tab sends), then ForwardMsgs are read until
  the first ``delta.new_element.dataframe`` (``st.dataframe`` in 1.67 emits the
  ``Element.dataframe`` field; there is no ``arrow_data_frame`` any more) = time to the
  table, and on until ``script_finished`` = time to done. Streamlit 1.67 serves on
  Starlette/uvicorn (no tornado), so the client is the ``websockets`` package Streamlit
  itself depends on; it offers permessage-deflate as Chromium does, so the server
  compresses as it would for a browser. Message caching: the server only sends a
  ``ref_hash`` for a message whose hash the client listed in
  ``ClientState.cached_message_hashes``; a new tab lists none, nor does this client, so
  every element arrives in full, exactly as for a browser's first visit (``ref_hash``
  messages are counted anyway and reported if any come). Not done: the static files
  (index.html and the JavaScript bundles, cached by a returning browser) and the
  frontend's heartbeats. The 20 sessions are started together with ``asyncio.gather``.
- ``browser``: headless Chromium (Playwright, ``/usr/bin/chromium``), one context (fresh
  cache) per page, timed from navigation to the first ``stDataFrame``. On 2 shared cores
  the 20 pages take minutes to arrive, far beyond the 5 s share window, so this mostly
  measures browsers arriving late.
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import served_app  # noqa: E402 - the app served as the browser tests serve it

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
TABLE = '[data-testid="stDataFrame"]'
PAGE_TIMEOUT_MS = 240_000
SESSION_TIMEOUT_S = 120  # a websocket session's whole run, connect to script_finished
TICKS = os.sysconf("SC_CLK_TCK")
TODAY_CPU_PER_VIEW = 0.55  # issue 12: server CPU per session before live numbers were shared
GOAL_FACTOR = 5
# A desktop Chromium's User-Agent: the app lays a "Mobile" browser out for a phone.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36"
)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    """The process's resident memory now, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def streamlit_server(data_dir: Path, scale: str, share_seconds: int):
    settings = {"BRCC_SANDBOX_SCALE": scale, "BRCC_LIVE_SHARE_SECONDS": str(share_seconds)}
    with served_app.streamlit_server(
        data_dir, settings, log_name=f"streamlit-{share_seconds}.log", start_seconds=120
    ) as running:
        yield running


@dataclass
class Session:
    """One dashboard session as the client saw it (seconds from its start)."""

    table: float | None = None  # the dashboard's table arrived
    done: float | None = None  # the script run finished
    runs: int = 0  # script runs the server started for this session (new_session)
    refs: int = 0  # ForwardMsgs sent as a ref_hash to a message the client had cached
    error: str | None = None


# --- the websocket client ------------------------------------------------------------------


async def http_get(host: str, port: int, path: str) -> None:
    """One HTTP/1.1 GET on its own connection, answer read and dropped (what the frontend
    asks before it opens the websocket)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: {USER_AGENT}\r\n"
            "Connection: close\r\n\r\n".encode()
        )
        await writer.drain()
        await reader.read()
    finally:
        writer.close()


def rerun_request(base: str) -> bytes:
    """The BackMsg a freshly opened tab sends for the default page."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = ""
    state.page_script_hash = ""
    state.context_info.timezone = "Europe/London"
    state.context_info.timezone_offset = 0
    state.context_info.locale = "en-GB"
    state.context_info.url = f"{base}/"
    state.context_info.is_embedded = False
    state.context_info.color_scheme = "light"
    return msg.SerializeToString()


async def ws_session(base: str) -> Session:
    """Open the dashboard over Streamlit's websocket; bounded by ``SESSION_TIMEOUT_S``."""
    session = Session()
    try:
        await asyncio.wait_for(_ws_session(base, session), SESSION_TIMEOUT_S)
    except TimeoutError:
        session.error = f"no end of run after {SESSION_TIMEOUT_S} s"
    except Exception as exc:  # noqa: BLE001 - counted and reported, the run stays bounded
        session.error = f"{type(exc).__name__}: {exc}"
    return session


async def _ws_session(base: str, session: Session) -> None:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    host, port = base.removeprefix("http://").split(":")
    started = time.perf_counter()
    await http_get(host, int(port), "/_stcore/health")
    await http_get(host, int(port), "/_stcore/host-config")
    async with connect(
        f"ws://{host}:{port}/_stcore/stream",
        subprotocols=["streamlit"],
        user_agent_header=USER_AGENT,
        max_size=None,
        open_timeout=SESSION_TIMEOUT_S,
        ping_interval=None,
    ) as ws:
        await ws.send(rerun_request(base))
        async for data in ws:
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                session.runs += 1
            elif kind == "ref_hash":
                session.refs += 1
            elif kind == "delta" and session.table is None:
                element = msg.delta.new_element
                if msg.delta.WhichOneof("type") == "new_element" and (
                    element.WhichOneof("type") == "dataframe"
                ):
                    session.table = time.perf_counter() - started
            elif kind == "script_finished" and msg.script_finished in (
                ForwardMsg.FINISHED_SUCCESSFULLY,
                ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
            ):
                session.done = time.perf_counter() - started
                return


async def ws_load(base: str, sessions: int, pid: int) -> tuple[float, list[Session]]:
    await ws_session(base)  # warm: modules imported, catalog loaded
    before = cpu_seconds(pid)
    seen = await asyncio.gather(*(ws_session(base) for _ in range(sessions)))
    # Let the server close the sessions before reading the CPU counter.
    await asyncio.sleep(1)
    return cpu_seconds(pid) - before, list(seen)


# --- the browser client --------------------------------------------------------------------


async def open_dashboard(browser, url: str) -> Session:
    """Seconds from navigation to the dashboard's table; no time when it did not show
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
            return Session(error=f"no table after {PAGE_TIMEOUT_MS // 1000} s")
        return Session(table=time.perf_counter() - started)
    finally:
        await context.close()


async def browser_load(url: str, sessions: int, pid: int) -> tuple[float, list[Session]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            await open_dashboard(browser, url)  # warm: modules imported, catalog loaded
            before = cpu_seconds(pid)
            seen = await asyncio.gather(*(open_dashboard(browser, url) for _ in range(sessions)))
            # Let the sessions' last reruns finish before reading the CPU counter.
            await asyncio.sleep(1)
            cpu = cpu_seconds(pid) - before
        finally:
            await browser.close()
    return cpu, list(seen)


async def browser_once(base: str) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            await open_dashboard(browser, base)
        finally:
            await browser.close()


async def ws_once(base: str) -> None:
    session = await ws_session(base)
    if session.error:
        raise SystemExit(f"warm-up session failed: {session.error}")


# --- the report ----------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, round(p * (len(values) - 1)))]


def spread(label: str, values: list[float | None]) -> str:
    shown = sorted(v for v in values if v is not None)
    if not shown:
        return f"{label}: none"
    return (
        f"{label} p50 {statistics.median(shown):.2f} s, p95 {percentile(shown, 0.95):.2f} s, "
        f"max {shown[-1]:.2f} s"
    )


def report(share: int, cpu: float, seen: list[Session], client: str) -> str:
    sessions = len(seen)
    per_view = cpu / sessions
    parts = [
        f"BRCC_LIVE_SHARE_SECONDS={share}: server CPU {per_view:.3f} s per view "
        f"({cpu:.2f} s for {sessions}; today's {TODAY_CPU_PER_VIEW} s is "
        f"{TODAY_CPU_PER_VIEW / per_view:.1f}x this)"
        if per_view
        else f"BRCC_LIVE_SHARE_SECONDS={share}: server CPU 0 s ({sessions} sessions)",
        spread("time to the table", [s.table for s in seen]),
    ]
    if client == "websocket":
        parts.append(spread("to the end of the run", [s.done for s in seen]))
        runs = sorted({s.runs for s in seen})
        parts.append(f"script runs per session {'/'.join(map(str, runs))}")
        refs = sum(s.refs for s in seen)
        if refs:
            parts.append(f"{refs} ref_hash message(s)")
    failed = [s.error for s in seen if s.error]
    if failed:
        parts.append(f"{len(failed)} session(s) failed: {failed[0]}")
    return "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--scale", choices=("club", "large"), default="club")
    parser.add_argument("--share-seconds", default="0,5")
    parser.add_argument("--client", choices=("websocket", "browser"), default="websocket")
    args = parser.parse_args()
    sessions = max(1, min(args.sessions, 40))  # bounded: one server, one machine
    load, once = (ws_load, ws_once) if args.client == "websocket" else (browser_load, browser_once)

    with tempfile.TemporaryDirectory(prefix="brcc-load-") as tmp:
        data_dir = Path(tmp)
        print(
            f"{sessions} dashboard sessions at once, {args.scale} scale, one server, "
            f"{args.client} client"
        )
        started = time.perf_counter()
        with streamlit_server(data_dir, args.scale, 0) as (base, _pid):
            asyncio.run(once(base))
        print(f"seeded and built the catalog in {time.perf_counter() - started:.0f} s")
        results = {}
        for share in (int(s) for s in args.share_seconds.split(",")):
            with streamlit_server(data_dir, args.scale, share) as (base, pid):
                cpu, seen = asyncio.run(load(base, sessions, pid))
                memory = rss_mb(pid)
            results[share] = cpu / sessions
            print(
                f"{report(share, cpu, seen, args.client)}; server RSS after {memory:.0f} MB",
                flush=True,
            )
        goal = TODAY_CPU_PER_VIEW / GOAL_FACTOR
        for share, per_view in results.items():
            if share and 0 in results and per_view:
                print(
                    f"server CPU per view: {results[0] / per_view:.1f}x lower with "
                    f"{share} s sharing than without"
                )
            if share:
                verdict = "met" if per_view <= goal else "NOT met"
                print(
                    f"goal ({GOAL_FACTOR}x below today's {TODAY_CPU_PER_VIEW} s, at most "
                    f"{goal:.2f} s per view) with {share} s sharing: {verdict} "
                    f"({per_view:.3f} s)"
                )


if __name__ == "__main__":
    main()
