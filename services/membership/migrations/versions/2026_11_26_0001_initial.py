"""Platform tables and assemblies.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

from common.db.platform_tables import create_platform_tables_v1, drop_platform_tables_v1

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "membership"


def upgrade() -> None:
    create_platform_tables_v1(SCHEMA)
    op.create_table(
        "assemblies",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("name", JSONB, nullable=False),
        sa.Column("seats", sa.Integer, nullable=False),
        sa.Column("min_age", sa.Integer, nullable=False),
        sa.Column("cohort_size", sa.Integer, nullable=False),
        sa.Column("cohort_interval_months", sa.Integer, nullable=False),
        sa.Column("term_months", sa.Integer, nullable=False),
        sa.Column("training_weeks", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint("seats > 0", name="ck_assemblies_seats_positive"),
        sa.CheckConstraint("min_age BETWEEN 14 AND 120", name="ck_assemblies_min_age_range"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_assemblies_created_at_id", "assemblies", ["created_at", "id"], schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_table("assemblies", schema=SCHEMA)
    drop_platform_tables_v1(SCHEMA)
