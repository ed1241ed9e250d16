"""A round's commitment and draw.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sortition"


def upgrade() -> None:
    op.create_table(
        "draws",
        sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("algorithm", sa.Text, nullable=False),
        sa.Column("algorithm_version", sa.Text, nullable=False),
        sa.Column("transparent", sa.Integer),
        sa.Column("seed_sha256", sa.Text, nullable=False),
        sa.Column("instance_digest", sa.Text, nullable=False),
        sa.Column(
            "committed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("seed", sa.Text),
        sa.Column("drawn_at", sa.DateTime(timezone=True)),
        sa.Column("panel", JSONB),
        sa.Column("probabilities", JSONB),
        sa.Column("min_probability", sa.Float),
        sa.Column("lottery_size", sa.Integer),
        sa.Column("seconds", sa.Float),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("draws", schema=SCHEMA)
