"""Injected faults for tests and benchmarks: the things real hosts do to our clients.

Latency is a standing setting per service; other faults are queued with a count and an
optional method/path filter, and fire on the next matching calls. Call hooks
(``on_call``) run a callback at the Nth matching call, so a test can commit a sale or
another manager's change at an exact point between two of the engine's calls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal[
    "429",
    "5xx",
    "timeout",
    "malformed_json",
    "drop_write",
    "repeat_items",
    "endless_pages",
    "empty_list",
    "drop_field",
]
FAULT_KINDS: tuple[str, ...] = (
    "429",
    "5xx",
    "timeout",
    "malformed_json",
    "drop_write",
    "repeat_items",
    "endless_pages",
    "empty_list",
    "drop_field",
)
# Faults that reshape a good answer (status 200) instead of replacing it.
RESHAPING_FAULTS = frozenset({"repeat_items", "endless_pages", "empty_list", "drop_field"})


@dataclass
class Fault:
    """One queued fault.

    - ``429``: the service's rate-limit error, with ``Retry-After: retry_after``.
    - ``5xx``: an upstream error with ``status`` (default 503).
    - ``timeout``: no answer in time; in process the client gets ``ReadTimeout``, over
      HTTP the server holds the answer for ``hold_seconds``.
    - ``malformed_json``: status 200 with a truncated JSON body.
    - ``drop_write``: the write is answered as if it succeeded but not stored (what a
      caching proxy or a failed plugin hook looks like); verification must catch it.
    - ``repeat_items``: a list answer lists every item twice (a page served twice).
    - ``endless_pages``: a walk never ends: the continuation sent is ignored (the first
      page comes again) and the answer always offers a new one.
    - ``empty_list``: a list answer with nothing in it, status 200 (no events, no products).
    - ``drop_field``: every item of a list answer without ``field`` (a product JSON
      without ``meta_data``).
    """

    service: str
    kind: FaultKind
    times: int = 1
    method: str | None = None
    path_contains: str | None = None
    status: int = 503
    retry_after: float = 1.0
    hold_seconds: float = 30.0
    field: str = ""

    def matches(self, service: str, method: str, path: str) -> bool:
        if self.service not in (service, "*"):
            return False
        if self.method and self.method.upper() != method.upper():
            return False
        return not (self.path_contains and self.path_contains not in path)


@dataclass
class CallHook:
    """Run ``callback`` before (or after) the ``nth`` call matching service, method and
    path, outside that call's transaction: a sale, or another manager's change, committed
    at an exact point between two of the engine's calls. "after" runs once the call's
    answer is stored, before the client sees it."""

    service: str
    callback: Callable[[], object]
    when: Literal["before", "after"] = "before"
    nth: int = 1
    method: str | None = None
    path_contains: str | None = None
    seen: int = 0
    ran: bool = False

    def matches(self, service: str, method: str, path: str) -> bool:
        return Fault.matches(self, service, method, path)  # type: ignore[arg-type]


@dataclass
class Faults:
    """Fault settings shared by every transport of one sandbox app (thread-safe)."""

    latency: dict[str, float] = field(default_factory=dict)
    # Some hosts strip the Authorization header before PHP sees it; WooCommerce then
    # needs query-string auth. When True, the sandbox drops the header on WooCommerce calls.
    strip_authorization: bool = False
    _queue: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    fired: list[Fault] = field(default_factory=list)
    hooks: list[CallHook] = field(default_factory=list)

    def inject(self, service: str, kind: FaultKind, **options) -> Fault:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; choose from {', '.join(FAULT_KINDS)}")
        fault = Fault(service=service, kind=kind, **options)
        with self._lock:
            self._queue.append(fault)
        return fault

    def take(self, service: str, method: str, path: str) -> Fault | None:
        """The first queued fault matching this call, consuming one of its ``times``."""
        with self._lock:
            for fault in self._queue:
                if fault.matches(service, method, path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._queue.remove(fault)
                    self.fired.append(fault)
                    return fault
        return None

    def on_call(
        self,
        service: str,
        callback: Callable[[], object],
        *,
        when: Literal["before", "after"] = "before",
        nth: int = 1,
        method: str | None = None,
        path_contains: str | None = None,
    ) -> CallHook:
        """Run ``callback`` at the ``nth`` matching call (see ``CallHook``); once."""
        if when not in ("before", "after"):
            raise ValueError("when must be 'before' or 'after'")
        hook = CallHook(service, callback, when, nth, method, path_contains)
        with self._lock:
            self.hooks.append(hook)
        return hook

    def count_call(self, service: str, method: str, path: str) -> list[CallHook]:
        """Count this call for every hook it matches; the hooks whose turn it is."""
        due = []
        with self._lock:
            for hook in self.hooks:
                if not hook.ran and hook.matches(service, method, path):
                    hook.seen += 1
                    if hook.seen == hook.nth:
                        hook.ran = True
                        due.append(hook)
        return due

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self.fired.clear()
            self.hooks.clear()
        self.latency.clear()
        self.strip_authorization = False

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._queue)
