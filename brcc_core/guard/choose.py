"""Which rows of a sync plan the guard may apply by itself: pure, table-tested.

A plan (``capacity.sync.plan_sync``) gives absolute targets. Unattended, the guard only
takes the rows that *lower* what a listing has on sale (target remaining below the
remaining now; an unlimited listing is lowered by any target): closing exposure cannot
sell a seat the room does not have. Raising seats is a manager's decision, unless the
show's saved policy allows the guard to (``allow_raise``). A plan made on numbers that
are not known (sold or pending unread) has no rows to take at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from brcc_core.capacity.sync import SyncPlan, SyncRow


@dataclass(frozen=True)
class GuardChoice:
    """The rows to apply, and the ones held back with why (for the round's summary)."""

    apply: tuple[SyncRow, ...] = ()
    held: tuple[tuple[SyncRow, str], ...] = ()
    unknown: str | None = None  # why nothing of the show may be acted on

    @property
    def lowers(self) -> bool:
        return bool(self.apply)


def lowers(row: SyncRow) -> bool:
    """Whether applying ``row`` leaves its listing with fewer seats on sale."""
    if row.target_remaining is None:
        return False
    return row.remaining is None or row.target_remaining < row.remaining


def choose(plan: SyncPlan, *, allow_raise: bool = False) -> GuardChoice:
    """The rows of ``plan`` the guard applies: the lowering ones (all, with ``allow_raise``)."""
    if plan.room_remaining is None:
        note = next(iter(plan.notes), "the room's remaining seats are unknown")
        return GuardChoice(unknown=note)
    take: list[SyncRow] = []
    held: list[tuple[SyncRow, str]] = []
    for row in plan.changes:
        if lowers(row) or (allow_raise and row.target_remaining is not None):
            take.append(row)
        else:
            held.append((row, "raising what is on sale stays a manager's decision"))
    return GuardChoice(tuple(take), tuple(held))
