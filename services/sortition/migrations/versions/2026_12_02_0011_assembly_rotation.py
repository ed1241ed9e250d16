"""Sortition keeps an assembly's whole rotation, to check a round's cohort and panel size;
and records registrations that arrive after a round's pool was committed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sortition"


def upgrade() -> None:
    op.add_column("assemblies", sa.Column("rotation", JSONB), schema=SCHEMA)
    op.create_table(
        "late_registrations",
        sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("respondent_id", sa.Text, primary_key=True),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("late_registrations", schema=SCHEMA)
    op.drop_column("assemblies", "rotation", schema=SCHEMA)
