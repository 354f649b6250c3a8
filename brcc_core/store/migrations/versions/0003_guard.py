"""The unattended guard: the sync policy saved per show, and the guard's state.

Comes after 0002 (the website sales copy). Tables are copied here, not imported from
``schema.py`` (a revision is the schema at that step).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_guard"
down_revision = "0002"
branch_labels = None
depends_on = None


def _stamped(what: str, *, nullable: bool = False) -> tuple[sa.Column, sa.Column]:
    return (
        sa.Column(f"{what}_at", sa.DateTime, nullable=nullable),
        sa.Column(f"{what}_by", sa.String(200), nullable=nullable),
    )


def _tables() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(
        "brcc_guard_policies",
        md,
        sa.Column("show_key", sa.String(60), primary_key=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("ratio", sa.Text, nullable=False),
        sa.Column("buffer", sa.Integer, nullable=False),
        sa.Column("allow_raise", sa.Boolean, nullable=False),
        *_stamped("updated"),
    )
    sa.Table(
        "brcc_guard_state",
        md,
        sa.Column("name", sa.String(20), primary_key=True),
        sa.Column("paused", sa.Boolean, nullable=False),
        *_stamped("paused", nullable=True),
        sa.Column("rounds", sa.Integer, nullable=False),
        sa.Column("changes", sa.Integer, nullable=False),
        sa.Column("last_round_at", sa.DateTime, nullable=True),
        sa.Column("last_changes", sa.Integer, nullable=False),
        sa.Column("last_calls", sa.Integer, nullable=False),
        sa.Column("last_summary", sa.Text, nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("next_round_at", sa.DateTime, nullable=True),
        sa.Column("runner", sa.String(200), nullable=True),
    )
    return md


def upgrade() -> None:
    _tables().create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    raise NotImplementedError("The app-state history is never dropped by a migration.")
