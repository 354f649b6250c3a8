"""The copy of the website's tickets and order lines the sales history keeps
(``sales/site_copy.py``), so opening the history reads only what changed on WordPress.

New tables only: every existing row stays as it is. Copied here, not imported from
``schema.py``: a revision is what the database looked like at that step.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wc_sales_tickets",
        sa.Column("ticket_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("product_id", sa.String(255), nullable=True),
        sa.Column("order_id", sa.String(255), nullable=True),
        sa.Column("variation_id", sa.String(255), nullable=True),
        sa.Column("status", sa.String(255), nullable=True),
        sa.Column("slot_id", sa.String(255), nullable=True),
        sa.Column("date_id", sa.String(255), nullable=True),
        sa.Column("slot_label", sa.String(255), nullable=True),
        sa.Column("date_label", sa.String(255), nullable=True),
        sa.Column("created", sa.DateTime, nullable=True),
        sa.Column("status_meta_id", sa.BigInteger, nullable=True),
        sa.Column("live", sa.Boolean, nullable=False),
    )
    op.create_index("ix_wc_sales_tickets_product_id", "wc_sales_tickets", ["product_id"])
    op.create_index("ix_wc_sales_tickets_order_id", "wc_sales_tickets", ["order_id"])
    op.create_index("ix_wc_sales_tickets_live", "wc_sales_tickets", ["live"])
    op.create_table(
        "wc_sales_lines",
        sa.Column("item_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("order_ref", sa.String(32), nullable=False),
        sa.Column("product_id", sa.String(255), nullable=True),
        sa.Column("variation_id", sa.String(255), nullable=True),
        sa.Column("qty", sa.String(255), nullable=True),
        sa.Column("line_total", sa.String(255), nullable=True),
        sa.Column("status", sa.String(20), nullable=True),
    )
    op.create_index("ix_wc_sales_lines_order_ref", "wc_sales_lines", ["order_ref"])
    op.create_table(
        "wc_sales_cursor",
        sa.Column("name", sa.String(16), primary_key=True),
        sa.Column("last_ticket", sa.BigInteger, nullable=False),
        sa.Column("last_item", sa.BigInteger, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("built_at", sa.DateTime, nullable=True),
        sa.Column("since", sa.DateTime, nullable=True),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    for name in ("wc_sales_cursor", "wc_sales_lines", "wc_sales_tickets"):
        op.drop_table(name)
