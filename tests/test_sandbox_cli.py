"""``python -m brcc_core.sandbox``: seed and serve, as a newcomer or another tool uses them."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from brcc_core.sandbox.constants import (
    SANDBOX_EB_ORGANIZATION_ID,
    SANDBOX_EB_TOKEN,
    SANDBOX_WC_CONSUMER_KEY,
    SANDBOX_WC_CONSUMER_SECRET,
)
from tests import faketime_sleep

ROOT = Path(__file__).parents[1]
ENV = faketime_sleep.with_repo_on_path(ROOT)


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "brcc_core.sandbox", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=ENV,
        cwd=ROOT,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_seed_prints_the_club_and_can_run_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'club.db'}"
    first = cli("seed", "--db", url, "--scale", "club", "--seed", "3", "--today", "2026-01-05")
    assert first.returncode == 0, first.stderr
    assert "WooCommerce products" in first.stdout and "Eventbrite" in first.stdout
    again = cli("seed", "--db", url, "--scale", "club", "--seed", "3", "--today", "2026-01-05")
    assert again.returncode == 0
    strip = lambda out: [line for line in out.splitlines() if "seeded in" not in line]  # noqa: E731
    assert strip(first.stdout) == strip(again.stdout)


def test_bad_database_url_is_a_message_not_a_traceback():
    proc = cli("seed", "--db", "nonsense://nowhere")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "sandbox:" in proc.stderr


def test_serve_answers_the_real_paths_on_loopback(tmp_path):
    url = f"sqlite:///{tmp_path / 'club.db'}"
    assert cli("seed", "--db", url).returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "brcc_core.sandbox", "serve", "--db", url, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=ENV,
        cwd=ROOT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                products = requests.get(
                    f"{base}/wp-json/wc/v3/products",
                    params={"per_page": 100},
                    auth=(SANDBOX_WC_CONSUMER_KEY, SANDBOX_WC_CONSUMER_SECRET),
                    timeout=5,
                )
                break
            except requests.ConnectionError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "sandbox server did not start"
                time.sleep(0.2)
        assert products.status_code == 200
        assert int(products.headers["X-WP-Total"]) >= 10
        assert any(p["meta_data"] for p in products.json())
        events = requests.get(
            f"{base}/v3/organizations/{SANDBOX_EB_ORGANIZATION_ID}/events/",
            headers={"Authorization": f"Bearer {SANDBOX_EB_TOKEN}"},
            timeout=5,
        )
        assert events.status_code == 200
        assert events.json()["events"] and "pagination" in events.json()
        denied = requests.get(f"{base}/wp-json/wc/v3/products", timeout=5)
        assert denied.status_code == 401 and denied.json()["code"].startswith("woocommerce_rest")
    finally:
        server.terminate()
        server.wait(timeout=10)
