"""Stage 1: registry extracts and the invitations drawn from them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sortition"


def upgrade() -> None:
    op.create_table(
        "extracts",
        sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("rows_read", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("eligible", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("households", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("bytes_read", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("bytes_total", sa.BigInteger),
        sa.Column("sha256", sa.Text),
        sa.Column("error", JSONB),
        sa.Column(
            "started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )
    op.create_table(
        "extract_strata",
        sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("stratum", sa.Integer, primary_key=True),
        sa.Column("age_band", sa.Text, nullable=False),
        sa.Column("gender", sa.Text, nullable=False),
        sa.Column("citizenship", sa.Text, nullable=False),
        sa.Column("municipio", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "extract_rows",
        sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("row", sa.BigInteger, primary_key=True),
        sa.Column("person_ref", sa.Text, nullable=False),
        sa.Column("household_ref", sa.Text, nullable=False),
        sa.Column("household", sa.BigInteger, nullable=False),
        sa.Column("stratum", sa.Integer, nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "invitation_draws",
        sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("seed", sa.Text, nullable=False),
        sa.Column("requested", sa.Integer, nullable=False),
        sa.Column("drawn", sa.Integer, nullable=False),
        sa.Column("oversampling", JSONB, nullable=False),
        sa.Column("seats", JSONB, nullable=False),
        sa.Column("extract_sha256", sa.Text, nullable=False),
        sa.Column(
            "drawn_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "invitations",
        sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("sequence", sa.Integer, primary_key=True),
        sa.Column("person_ref", sa.Text, nullable=False),
        sa.Column("household_ref", sa.Text, nullable=False),
        sa.Column("stratum", sa.Integer, nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in ("invitations", "invitation_draws", "extract_rows", "extract_strata", "extracts"):
        op.drop_table(table, schema=SCHEMA)
