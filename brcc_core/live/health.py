"""The health of the club's systems as one typed record per check (pure apart from the disk
and memory measures; no Streamlit). The dashboard's reading of it (badges, the overall
state) is ``brcc_core.views.dashboard``'s.

``BoxOffice.health()`` measures each check by a real call; the record carries what was
measured (state, latency, Eventbrite's calls left this hour, the reason) as fields, so the
dashboard never reads a number back out of a sentence and tells checks apart by ``Check``,
not by the name it prints.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal

from brcc_core.catalog.cache import data_dir_problem
from brcc_core.common.club import HOURLY_LIMIT

State = Literal["ok", "degraded", "down"]


class Check(StrEnum):
    """What a health result measures; its value is the name a manager reads."""

    WOOCOMMERCE = "WooCommerce API"
    EVENTBRITE = "Eventbrite API"
    WORDPRESS = "WordPress DB"
    CATALOG = "Catalog cache"
    DISK = "Disk"
    MEMORY = "Memory"


# The checks that talk to one of the club's systems: when all of them are down, nothing the
# pages show can be current.
SYSTEMS = (Check.WOOCOMMERCE, Check.EVENTBRITE, Check.WORDPRESS)
# Below this many Eventbrite calls left this hour a refresh may run out mid-way.
LOW_EVENTBRITE_BUDGET = 200


@dataclass(frozen=True)
class Health:
    """One check's state, measured by a real call, not assumed from settings."""

    check: Check
    state: State
    reason: str
    latency_ms: float | None = None
    calls_left: int | None = None  # Eventbrite only: calls left of its hourly budget

    @property
    def name(self) -> str:
        return str(self.check)


def with_call_budget(result: Health, calls_left: int) -> Health:
    """Eventbrite's result with the calls left this hour: a budget too low for a refresh
    turns an answering API into "degraded" (the reason says why)."""
    budget = f"{calls_left} of {HOURLY_LIMIT:,} calls left this hour"
    if result.state == "ok" and calls_left < LOW_EVENTBRITE_BUDGET:
        return replace(
            result, state="degraded", reason=f"call budget low: {budget}", calls_left=calls_left
        )
    return replace(result, reason=f"{result.reason}; {budget}", calls_left=calls_left)


def disk_health(path: str | os.PathLike[str]) -> Health:
    """Free space where the data (catalog cache, sandbox) lives."""
    target = path if os.path.isdir(path) else "."
    usage = shutil.disk_usage(target)
    free_gb = usage.free / 1024**3
    problem = data_dir_problem(target)
    if problem:
        return Health(Check.DISK, "down", f"{problem}: a refresh is kept but cannot be saved")
    state: State = "ok" if free_gb >= 1 else ("degraded" if free_gb >= 0.1 else "down")
    return Health(Check.DISK, state, f"{free_gb:.1f} GiB free where the data lives")


def memory_health() -> Health:
    """Memory available to the app (Linux ``/proc/meminfo``; elsewhere not measured)."""
    try:
        with open("/proc/meminfo") as fh:
            info = {line.split(":")[0]: int(line.split()[1]) for line in fh if ":" in line}
        available = info["MemAvailable"] / 1024**2
        total = info["MemTotal"] / 1024**2
    except (OSError, KeyError, ValueError):
        return Health(Check.MEMORY, "ok", "not measurable on this system")
    state: State = "ok" if available / total >= 0.1 else "degraded"
    return Health(Check.MEMORY, state, f"{available:.1f} of {total:.1f} GiB available")
