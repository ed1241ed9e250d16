"""A rotation may have a number of cohorts in all (the 2022–23 pilot had two); a round
knows when sortition committed to its pool, which closes registration.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "membership"


def upgrade() -> None:
    op.add_column("assemblies", sa.Column("cohorts", sa.Integer), schema=SCHEMA)
    op.add_column("rounds", sa.Column("committed_at", sa.DateTime(timezone=True)), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("rounds", "committed_at", schema=SCHEMA)
    op.drop_column("assemblies", "cohorts", schema=SCHEMA)
