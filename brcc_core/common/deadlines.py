"""Waiting on several systems at once, no longer than a deadline."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K", bound=str)
T = TypeVar("T")


def within_deadline(calls: dict[K, Callable[[], T]], deadline: float) -> dict[K, T]:
    """Run the calls in parallel daemon threads; return the answers of those done within
    ``deadline`` (a call still running then finishes unheard). A call that raised
    raises here, on the caller's thread."""
    results: dict[K, T] = {}
    raised: list[BaseException] = []
    done = threading.Event()
    lock = threading.Lock()

    def run(name: K, call: Callable[[], T]) -> None:
        try:
            result = call()
        except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread
            with lock:
                raised.append(exc)
            done.set()
            return
        with lock:
            results[name] = result
            if len(results) == len(calls):
                done.set()

    for name, call in calls.items():
        threading.Thread(target=run, args=(name, call), daemon=True, name=f"within-{name}").start()
    done.wait(deadline)
    with lock:
        if raised:
            raise raised[0]
        return dict(results)
