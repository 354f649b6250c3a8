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
- A stuck read holds nobody else for long: a caller that has waited ``wait_seconds`` for
  another caller's read takes ``waited(last, age)`` instead, built from the last good
  value of that key (kept past its sharing time and past ``clear()``, so it is shown with
  its age, never as fresh) or, when there is none, from nothing (unknown, with why).
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
        # The last good value of each key and when it was read: what a caller held up
        # by a stuck read is given, with its age.
        self._last: dict[Hashable, _Entry[V]] = {}
        self._generation = 0
        self.reads = 0  # reads actually run (the rest were shared)
        self.shared = 0  # answers served from a read another call ran

    def get(
        self,
        key: Hashable,
        read: Callable[[], V],
        *,
        wait_seconds: float | None = None,
        waited: Callable[[V | None, float | None], V] | None = None,
        good: Callable[[V], bool] | None = None,
    ) -> V:
        """The value for ``key``: the kept one while younger than ``ttl_seconds``, else
        the result of ``read()`` (run once even when many threads ask at the same time).

        With ``wait_seconds`` and ``waited``, a caller does not wait longer than that for
        another caller's read: it gets ``waited(last good value, its age in seconds)``
        (``(None, None)`` when there is none). ``good`` says which values count as good
        (default: every value read)."""
        if self.ttl_seconds <= 0:
            self.reads += 1
            return read()
        with self._lock:
            hit = self._fresh(key)
            if hit is not None:
                self.shared += 1
                return hit.value
            gate = self._reading.setdefault(key, threading.Lock())
        timeout = -1 if wait_seconds is None or waited is None else max(0.0, wait_seconds)
        if not gate.acquire(timeout=timeout):
            assert waited is not None
            with self._lock:
                last = self._last.get(key)
                age = None if last is None else self._clock() - last.stored_at
            return waited(None if last is None else last.value, age)
        try:  # one reader per key; the others wait above for its result
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
                if waited is not None and (good is None or good(value)):
                    self._last[key] = _Entry(value, self._clock())
            return value
        finally:
            gate.release()

    def last(self, key: Hashable) -> tuple[V, float] | None:
        """The last good value of ``key`` and its age in seconds, if any."""
        with self._lock:
            entry = self._last.get(key)
            return None if entry is None else (entry.value, self._clock() - entry.stored_at)

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
