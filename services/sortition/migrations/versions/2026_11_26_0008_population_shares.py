"""The population share behind each quota, when quotas come from census shares.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sortition"


def upgrade() -> None:
    op.add_column("quotas", sa.Column("population_share", sa.Float), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("quotas", "population_share", schema=SCHEMA)
