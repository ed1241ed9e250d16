"""Platform tables and the PAC actions catalogue.

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

SCHEMA = "deliberation"


def upgrade() -> None:
    create_platform_tables_v1(SCHEMA)
    op.create_table(
        "pac_actions",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("ambito", sa.Integer, nullable=False),
        sa.Column("title", JSONB, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.UniqueConstraint("code", name="uq_pac_actions_code"),
        sa.CheckConstraint("ambito BETWEEN 1 AND 5", name="ck_pac_actions_ambito_range"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_pac_actions_created_at_id", "pac_actions", ["created_at", "id"], schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_table("pac_actions", schema=SCHEMA)
    drop_platform_tables_v1(SCHEMA)
