"""What the unattended guard (``brcc_core.guard``) keeps in the app-state database: the
sync policy a manager saved for each show, and the guard's one state row (paused or
not, and how its last round went), so every server's Dashboard shows the same guard.

Plain records: the policy's meaning (``SyncPolicy``) is the capacity package's, and who
may save or pause is checked there (``CapacityDesk``), with an audit row each time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, insert, select, update

from brcc_core.common import clock
from brcc_core.common.moments import aware_utc, naive_utc
from brcc_core.store.schema import guard_policies, guard_state
from brcc_core.store.state import ANONYMOUS, Transactions

GUARD_ROW = "guard"  # the one row of brcc_guard_state


@dataclass(frozen=True)
class GuardPolicy:
    """The policy a manager saved for a show (``SyncPolicy``'s fields) and whether the
    guard may also raise what is on sale under it (by default it only lowers)."""

    show_key: str
    kind: str
    ratio: dict[str, float] = field(default_factory=dict)
    buffer: int = 0
    allow_raise: bool = False
    updated_by: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class GuardStatus:
    """The guard as the Dashboard shows it. ``last_round_at`` None: it never ran."""

    paused: bool = False
    paused_by: str | None = None
    paused_at: datetime | None = None
    rounds: int = 0
    changes: int = 0
    last_round_at: datetime | None = None
    last_changes: int = 0
    last_calls: int = 0
    last_summary: str | None = None
    last_error: str | None = None
    next_round_at: datetime | None = None
    runner: str | None = None


@dataclass(frozen=True)
class RoundRecord:
    """What one round did, as the guard records it."""

    at: datetime
    changes: int
    eventbrite_calls: int
    summary: str
    error: str | None
    next_round_at: datetime | None
    runner: str


class GuardRecords:
    """Saved policies and the guard's state row on the app-state engine."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._tables = Transactions(engine)

    # --- policies ----------------------------------------------------------------------
    def policies(self) -> dict[str, GuardPolicy]:
        with self._tables.begin("reading the guard's policies") as conn:
            rows = conn.execute(select(guard_policies).order_by(guard_policies.c.show_key))
            return {
                row.show_key: GuardPolicy(
                    row.show_key,
                    row.kind,
                    {str(k): float(v) for k, v in json.loads(row.ratio or "{}").items()},
                    int(row.buffer),
                    bool(row.allow_raise),
                    row.updated_by,
                    aware_utc(row.updated_at),
                )
                for row in rows
            }

    def save_policy(self, policy: GuardPolicy, *, who: str = ANONYMOUS) -> GuardPolicy | None:
        """Save (or replace) a show's policy; returns the one it replaced."""
        values = {
            "kind": policy.kind,
            "ratio": json.dumps(dict(sorted(policy.ratio.items()))),
            "buffer": int(policy.buffer),
            "allow_raise": bool(policy.allow_raise),
            "updated_at": clock.now_naive_utc(),
            "updated_by": (who or ANONYMOUS)[:200],
        }
        before = self.policies().get(policy.show_key)
        with self._tables.begin("saving a guard policy") as conn:
            changed = conn.execute(
                update(guard_policies)
                .where(guard_policies.c.show_key == policy.show_key)
                .values(**values)
            ).rowcount
            if not changed:
                conn.execute(insert(guard_policies).values(show_key=policy.show_key, **values))
        return before

    def forget_policy(self, show_key: str) -> GuardPolicy | None:
        before = self.policies().get(show_key)
        with self._tables.begin("forgetting a guard policy") as conn:
            conn.execute(delete(guard_policies).where(guard_policies.c.show_key == show_key))
        return before

    # --- state -------------------------------------------------------------------------
    def status(self) -> GuardStatus:
        with self._tables.begin("reading the guard's state") as conn:
            row = conn.execute(select(guard_state).where(guard_state.c.name == GUARD_ROW)).first()
        if row is None:
            return GuardStatus()
        return GuardStatus(
            paused=bool(row.paused),
            paused_by=row.paused_by,
            paused_at=aware_utc(row.paused_at),
            rounds=int(row.rounds),
            changes=int(row.changes),
            last_round_at=aware_utc(row.last_round_at),
            last_changes=int(row.last_changes),
            last_calls=int(row.last_calls),
            last_summary=row.last_summary,
            last_error=row.last_error,
            next_round_at=aware_utc(row.next_round_at),
            runner=row.runner,
        )

    def set_paused(self, paused: bool, *, who: str = ANONYMOUS) -> bool:
        """Pause or resume; returns whether it was paused before."""
        with self._tables.begin("pausing or resuming the guard") as conn:
            before = self._row(conn)
            conn.execute(
                update(guard_state)
                .where(guard_state.c.name == GUARD_ROW)
                .values(
                    paused=paused,
                    paused_at=clock.now_naive_utc(),
                    paused_by=(who or ANONYMOUS)[:200],
                )
            )
        return before

    def record_round(self, record: RoundRecord) -> None:
        with self._tables.begin("recording the guard's round") as conn:
            self._row(conn)
            conn.execute(
                update(guard_state)
                .where(guard_state.c.name == GUARD_ROW)
                .values(
                    rounds=guard_state.c.rounds + 1,
                    changes=guard_state.c.changes + record.changes,
                    last_round_at=naive_utc(record.at),
                    last_changes=record.changes,
                    last_calls=record.eventbrite_calls,
                    last_summary=record.summary,
                    last_error=record.error,
                    next_round_at=(
                        None if record.next_round_at is None else naive_utc(record.next_round_at)
                    ),
                    runner=record.runner[:200],
                )
            )

    @staticmethod
    def _row(conn: Connection) -> bool:
        """The state row, made on first use; returns whether the guard is paused."""
        paused = conn.execute(
            select(guard_state.c.paused).where(guard_state.c.name == GUARD_ROW)
        ).scalar()
        if paused is None:
            conn.execute(
                insert(guard_state).values(
                    name=GUARD_ROW,
                    paused=False,
                    rounds=0,
                    changes=0,
                    last_changes=0,
                    last_calls=0,
                )
            )
            return False
        return bool(paused)
