"""Platform tables, the assemblies replica and selection rounds.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

from common.db.platform_tables import create_platform_tables_v1, drop_platform_tables_v1

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sortition"


def upgrade() -> None:
    create_platform_tables_v1(SCHEMA)
    op.create_table(
        "assemblies",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("seats", sa.Integer, nullable=False),
        sa.Column("min_age", sa.Integer, nullable=False),
        sa.Column("cohort_size", sa.Integer, nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "rounds",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("assembly_id", UUID(as_uuid=True), nullable=False),
        sa.Column("cohort", sa.Text, nullable=False),
        sa.Column("panel_size", sa.Integer, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.UniqueConstraint("assembly_id", "cohort", name="uq_rounds_assembly_id_cohort"),
        sa.CheckConstraint("panel_size > 0", name="ck_rounds_panel_size_positive"),
        schema=SCHEMA,
    )
    op.create_index("ix_rounds_created_at_id", "rounds", ["created_at", "id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("rounds", schema=SCHEMA)
    op.drop_table("assemblies", schema=SCHEMA)
    drop_platform_tables_v1(SCHEMA)
