"""Stipends: the rules per assembly, the ledger from deliberation's attendance, refund
claims.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "membership"


def _now() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


def upgrade() -> None:
    op.create_table(
        "stipend_rules",
        sa.Column("assembly_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("per_session_cents", sa.Integer(), nullable=False),
        sa.Column("min_minutes", sa.Integer(), nullable=False),
        sa.Column("term_threshold_percent", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.Text(), nullable=False),
        _now(),
        sa.CheckConstraint("per_session_cents >= 0", name="ck_stipend_rules_amount"),
        sa.CheckConstraint("min_minutes >= 0", name="ck_stipend_rules_minutes"),
        sa.CheckConstraint(
            "term_threshold_percent BETWEEN 0 AND 100", name="ck_stipend_rules_threshold"
        ),
        sa.PrimaryKeyConstraint("assembly_id", "version", name="pk_stipend_rules"),
        schema=SCHEMA,
    )
    op.create_table(
        "stipend_entries",
        sa.Column("session_id", sa.UUID(), nullable=False),
        sa.Column("respondent_id", sa.UUID(), nullable=False),
        sa.Column("assembly_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("rules_version", sa.Integer(), nullable=False),
        _now(),
        sa.PrimaryKeyConstraint("session_id", "respondent_id", name="pk_stipend_entries"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_stipend_entries_assembly_id_held_on",
        "stipend_entries",
        ["assembly_id", "held_on"],
        schema=SCHEMA,
    )
    op.create_index(
        "ix_stipend_entries_created_at_session_id",
        "stipend_entries",
        ["created_at", "session_id"],
        schema=SCHEMA,
    )
    op.create_table(
        "refund_claims",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("respondent_id", sa.UUID(), nullable=False),
        sa.Column("assembly_id", sa.UUID(), nullable=False),
        sa.Column("session_id", sa.UUID(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("incurred_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("submitted_by", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _now(),
        sa.CheckConstraint("kind IN ('travel', 'childcare')", name="ck_refund_claims_kind"),
        sa.CheckConstraint(
            "state IN ('submitted', 'approved', 'rejected')", name="ck_refund_claims_state"
        ),
        sa.CheckConstraint("amount_cents > 0", name="ck_refund_claims_amount"),
        sa.PrimaryKeyConstraint("id", name="pk_refund_claims"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_refund_claims_created_at_id", "refund_claims", ["created_at", "id"], schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_table("refund_claims", schema=SCHEMA)
    op.drop_table("stipend_entries", schema=SCHEMA)
    op.drop_table("stipend_rules", schema=SCHEMA)
