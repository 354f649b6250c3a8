"""A data directory on a disk of its own that a test can make read-only or full, and
healthy again: a small tmpfs mounted on the folder (Linux, as root; the test is skipped
with the reason elsewhere). Real errors (EROFS, ENOSPC), not patched functions."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

SIZE = "64m"


class DataDisk:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._filler = path / ".filler"

    def _mount(self, *options: str) -> None:
        subprocess.run(["mount", *options, str(self.path)], check=True, capture_output=True)

    def read_only(self) -> None:
        self._mount("-o", "remount,ro")

    def writable(self) -> None:
        self._mount("-o", "remount,rw")

    def fill(self) -> None:
        """Leave no space: writes fail with ENOSPC."""
        with contextlib.suppress(OSError), open(self._filler, "ab", buffering=0) as handle:
            for size in (1 << 20, 4096, 1):
                with contextlib.suppress(OSError):
                    while True:
                        handle.write(b"\0" * size)

    def free(self) -> None:
        self._filler.unlink(missing_ok=True)


@contextlib.contextmanager
def data_disk(path: Path) -> Iterator[DataDisk]:
    """``path`` (created) on a tmpfs of its own for the test."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("a read-only or full disk is made with a tmpfs mount: needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(path)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield DataDisk(path)
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)
