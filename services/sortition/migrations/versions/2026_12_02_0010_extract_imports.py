"""An extract's import attempts apart from the extract in use.

A failed or interrupted upload used to overwrite the one row per round that also said
which extract a draw would use: the previous extract stayed in the tables but was marked
failed. The attempt now has a row of its own; ``extracts`` holds only the extract in use,
written in the same transaction as its rows.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sortition"


def upgrade() -> None:
    op.create_table(
        "extract_imports",
        sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("rows_read", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("bytes_read", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("bytes_total", sa.BigInteger),
        sa.Column("error", JSONB),
        sa.Column(
            "started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.execute(
        "INSERT INTO sortition.extract_imports (round_id, status, rows_read, bytes_read, "
        "bytes_total, error, started_at, finished_at) SELECT round_id, status, rows_read, "
        "bytes_read, bytes_total, error, started_at, finished_at FROM sortition.extracts"
    )
    op.execute("DELETE FROM sortition.extracts WHERE status <> 'ready'")


def downgrade() -> None:
    op.execute(
        "INSERT INTO sortition.extracts (round_id, status, rows_read, bytes_read, bytes_total, "
        "error, started_at, finished_at) SELECT round_id, status, rows_read, bytes_read, "
        "bytes_total, error, started_at, finished_at FROM sortition.extract_imports "
        "WHERE status <> 'ready' ON CONFLICT (round_id) DO UPDATE SET status = excluded.status, "
        "error = excluded.error"
    )
    op.drop_table("extract_imports", schema=SCHEMA)
