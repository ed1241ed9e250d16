"""A working-group meeting keeps its group's members as they were when it opened.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "deliberation"


def upgrade() -> None:
    op.add_column("sessions", sa.Column("group_members", JSONB, nullable=True), schema=SCHEMA)
    # Meetings already opened: their group as it is now, the closest record there is.
    op.execute(
        f"""
        UPDATE {SCHEMA}.sessions s SET group_members = COALESCE(
            (SELECT jsonb_agg(m.member_id ORDER BY m.member_id)
               FROM {SCHEMA}.working_group_members m
              WHERE m.working_group_id = s.working_group_id),
            '[]'::jsonb)
        WHERE s.working_group_id IS NOT NULL AND s.opened_at IS NOT NULL
        """
    )


def downgrade() -> None:
    op.drop_column("sessions", "group_members", schema=SCHEMA)
