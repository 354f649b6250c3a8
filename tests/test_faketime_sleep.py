"""The suite runs under Debian's faketime at another date (README): a process it starts
there sleeps, and reads the faked date, while the browser starts without libfaketime."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import faketime_sleep

ROOT = Path(__file__).resolve().parents[1]
SHIM = ROOT / "tests" / "under_faketime"
CHILD = "import time, datetime\ntime.sleep(0.05)\nprint(datetime.date.today().isoformat())\n"


def test_without_faketime_keeps_other_preloads_and_drops_its_settings() -> None:
    env = {
        "LD_PRELOAD": "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1:/opt/other.so",
        "FAKETIME": "2027-03-14 03:30:00",
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        "PATH": "/usr/bin",
    }
    assert faketime_sleep.under_faketime(env)
    assert faketime_sleep.without_faketime(env) == {
        "LD_PRELOAD": "/opt/other.so",
        "PATH": "/usr/bin",
    }
    only = faketime_sleep.without_faketime({"LD_PRELOAD": env["LD_PRELOAD"].split(":")[0]})
    assert only == {}


def test_nothing_changes_outside_faketime() -> None:
    assert not faketime_sleep.under_faketime({"LD_PRELOAD": ""})
    if not faketime_sleep.under_faketime():
        assert faketime_sleep.install() is False


@pytest.mark.skipif(shutil.which("faketime") is None, reason="faketime is not installed")
@pytest.mark.parametrize("with_shim", [False, True])
def test_a_process_under_faketime_sleeps_with_the_shim_on_its_path(with_shim: bool) -> None:
    """Without the shim Python's sleep fails under libfaketime 0.9.10 (the reason the
    shim exists: if a later libfaketime fixes it, this test says so)."""
    env = faketime_sleep.without_faketime(os.environ)
    env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(SHIM), str(ROOT)] if with_shim else [str(ROOT)])
    done = subprocess.run(
        ["faketime", "2027-03-14 03:30:00", sys.executable, "-c", CHILD],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if with_shim:
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "2027-03-14"
    else:
        assert done.returncode != 0 and "Invalid argument" in done.stderr
