"""Replacements of panel members.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sortition"


def upgrade() -> None:
    op.create_table(
        "replacements",
        sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("sequence", sa.Integer, primary_key=True),
        sa.Column("leaving", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("joining", sa.Text),
        sa.Column("deviation", sa.Integer),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.UniqueConstraint("round_id", "leaving", name="uq_replacements_round_id_leaving"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("replacements", schema=SCHEMA)
