"""Live numbers shared by every session of the process for a few seconds.

Why: every rerun of every page re-read the WordPress database (0.6 s at large scale), so
a manager clicking, several managers and a projector in a meeting each paid a full read,
and twenty viewers made the server read twenty times at once. One process-wide
``SharedValues`` (on the one ``BoxOffice``) hands the same read to all of them for
``BRCC_LIVE_SHARE_SECONDS`` (default 5; 0 turns sharing off), while the pages still
say when the numbers were read.

Rules that keep the numbers honest:

- One read at a time per key: sessions that ask while it runs wait for it and take its
  result, instead of starting their own (a dashboard opened on twenty screens costs one).
- ``clear()`` (after any write or catalog refresh, in any session) drops everything at
  once, and a read that was already running when it was called is handed to its callers
  but never kept: it may predate the write.
- A failed read (an exception) is never kept.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["DEFAULT_SHARE_SECONDS", "SharedValues"]

DEFAULT_SHARE_SECONDS = 5.0

V = TypeVar("V")


@dataclass
class _Entry(Generic[V]):
    value: V
    stored_at: float


class SharedValues(Generic[V]):
    """A small per-process store of values read for ``ttl_seconds`` (monotonic clock)."""

    def __init__(
        self,
        ttl_seconds: float = DEFAULT_SHARE_SECONDS,
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.ttl_seconds = max(0.0, float(ttl_seconds))
        self._clock = clock or time.monotonic
        self._lock = threading.Lock()
        self._entries: dict[Hashable, _Entry[V]] = {}
        self._reading: dict[Hashable, threading.Lock] = {}
        self._generation = 0
        self.reads = 0  # reads actually run (the rest were shared)
        self.shared = 0  # answers served from a read another call ran

    def get(self, key: Hashable, read: Callable[[], V]) -> V:
        """The value for ``key``: the kept one while younger than ``ttl_seconds``, else
        the result of ``read()`` (run once even when many threads ask at the same time)."""
        if self.ttl_seconds <= 0:
            self.reads += 1
            return read()
        with self._lock:
            hit = self._fresh(key)
            if hit is not None:
                self.shared += 1
                return hit.value
            gate = self._reading.setdefault(key, threading.Lock())
        with gate:  # one reader per key; the others wait here for its result
            with self._lock:
                hit = self._fresh(key)
                if hit is not None:
                    self.shared += 1
                    return hit.value
                generation = self._generation
            value = read()
            with self._lock:
                self.reads += 1
                if generation == self._generation:
                    self._entries[key] = _Entry(value, self._clock())
            return value

    def clear(self) -> None:
        """Forget every kept value now; a read under way is not kept either."""
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def _fresh(self, key: Hashable) -> _Entry[V] | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._clock() - entry.stored_at >= self.ttl_seconds:
            del self._entries[key]
            return None
        return entry
