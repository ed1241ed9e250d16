"""Rounds, invitations, people, consents, lifecycle, audit of reads, exports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "membership"


def upgrade() -> None:
    op.add_column("assemblies", sa.Column("first_cohort_starts_on", sa.Date), schema=SCHEMA)
    op.create_table(
        "rounds",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("assembly_id", UUID(as_uuid=True), nullable=False),
        sa.Column("cohort", sa.Text, nullable=False),
        sa.Column("panel_size", sa.Integer, nullable=False),
        sa.Column("features", JSONB, nullable=False, server_default="{}"),
        sa.Column("drawn_at", sa.DateTime(timezone=True)),
        sa.Column(
            "opened_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "invitations",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("round_id", UUID(as_uuid=True), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("person_ref", sa.Text, nullable=False),
        sa.Column("household_ref", sa.Text, nullable=False),
        sa.Column("code_digest", sa.Text, nullable=False, unique=True),
        sa.Column("code_sealed", sa.Text, nullable=False),
        sa.Column("key_id", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),  # issued | undeliverable | used
        sa.Column("expires_on", sa.Date, nullable=False),
        sa.Column("respondent_id", UUID(as_uuid=True)),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("round_id", "person_ref"),
        sa.Index("ix_invitations_round_id_sequence", "round_id", "sequence"),
        schema=SCHEMA,
    )
    op.create_table(
        "code_failures",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("client", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Index("ix_code_failures_client_at", "client", "at"),
        schema=SCHEMA,
    )
    op.create_table(
        "people",
        sa.Column("respondent_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("round_id", UUID(as_uuid=True), nullable=False),
        sa.Column("assembly_id", UUID(as_uuid=True), nullable=False),
        sa.Column("invitation_id", UUID(as_uuid=True), nullable=False, unique=True),
        sa.Column("household_ref", sa.Text, nullable=False),
        sa.Column("features", JSONB, nullable=False),
        sa.Column("personal", sa.Text),
        sa.Column("key_id", sa.Text),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("listed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("reserve_consent", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("request_digest", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("reply_by", sa.Date),
        sa.Column("term_starts_on", sa.Date),
        sa.Column("term_ends_on", sa.Date),
        sa.Column(
            "registered_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
        sa.Column(
            "state_changed_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.func.now(),
        ),
        sa.Column("erased_at", sa.DateTime(timezone=True)),
        sa.Index("ix_people_round_id", "round_id"),
        sa.Index("ix_people_assembly_id_state", "assembly_id", "state"),
        sa.Index("ix_people_registered_at_respondent_id", "registered_at", "respondent_id"),
        schema=SCHEMA,
    )
    op.create_table(
        "consents",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("respondent_id", UUID(as_uuid=True), nullable=False, index=True),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_table(
        "transitions",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("respondent_id", UUID(as_uuid=True), nullable=False, index=True),
        sa.Column("from_state", sa.Text),
        sa.Column("to_state", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_table(
        "personal_data_reads",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("respondent_id", UUID(as_uuid=True)),
        sa.Column("round_id", UUID(as_uuid=True)),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_table(
        "exports",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("round_id", UUID(as_uuid=True), nullable=False),
        sa.Column("status", sa.Text, nullable=False),  # running | ready | failed
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("content", sa.Text),
        sa.Column("requested_by", sa.Text, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in (
        "exports",
        "personal_data_reads",
        "transitions",
        "consents",
        "people",
        "code_failures",
        "invitations",
        "rounds",
    ):
        op.drop_table(table, schema=SCHEMA)
    op.drop_column("assemblies", "first_cohort_starts_on", schema=SCHEMA)
