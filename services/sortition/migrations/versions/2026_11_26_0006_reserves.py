"""The ordered reserve list of a draw.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sortition"


def upgrade() -> None:
    op.add_column("draws", sa.Column("reserves", JSONB), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("draws", "reserves", schema=SCHEMA)
