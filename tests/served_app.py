"""A real ``streamlit run streamlit_app.py`` on the sandbox at a free loopback port, for
the browser tests and benchmarks/load_dashboard.py: one way to start it, wait for it and
always stop it (with its whole process group)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from brcc_core.common import clock
from tests.app_env import without_settings

ROOT = Path(__file__).resolve().parents[1]


class ServerDidNotStart(RuntimeError):
    """The server exited or did not answer in time; the message ends with its log."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(
    data_dir: Path,
    settings: Mapping[str, str | None] | None = None,
    *,
    log_name: str = "streamlit.log",
    start_seconds: float = 60,
) -> Iterator[tuple[str, int]]:
    """Serve the app from ``data_dir`` (no stray .env from a checkout; the caller's
    ``BRCC_*`` variables replaced by ``settings``, where None removes one: a live server
    runs without BRCC_NOW); yields (base URL, server pid)."""
    port = free_port()
    env = without_settings()
    env["BRCC_DATA_DIR"] = str(data_dir)
    if os.environ.get(clock.NOW_VARIABLE):
        # The server's clock goes on from this process's: the same moment, not the suite's
        # start, so data seeded here and the pages served there agree on "now".
        env[clock.NOW_VARIABLE] = clock.now().isoformat()
    for name, value in (settings or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    log_path = data_dir / log_name
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "streamlit_app.py"),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=data_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_seconds
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-3000:]
                raise ServerDidNotStart(f"streamlit did not start:\n{tail}")
            time.sleep(0.3)
        yield base, proc.pid
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
