"""Policies, cases with their deadlines, alarms and history, drafts, published answers,
replies, results, milestones and progress reports; departments get a kind.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "departments",
        sa.Column("kind", sa.Text(), server_default="direzione", nullable=False),
        schema="responses",
    )
    op.create_table(
        "policies",
        sa.Column("assembly_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("reminders", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("escalations", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("report_months", sa.Integer(), nullable=False),
        sa.Column("decidim_states", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("assembly_id", "version", name=op.f("pk_policies")),
        schema="responses",
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("proposal_id", sa.UUID(), nullable=False),
        sa.Column("assembly_id", sa.UUID(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("cycle", sa.Text(), nullable=False),
        sa.Column("title", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("text", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("rationale", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("pac_codes", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("text_sha256", sa.Text(), nullable=False),
        sa.Column("session_id", sa.UUID(), nullable=True),
        sa.Column("vote_id", sa.UUID(), nullable=True),
        sa.Column("tally", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("adopted_on", sa.Date(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("lead_department_id", sa.UUID(), nullable=True),
        sa.Column("contributing", postgresql.ARRAY(sa.UUID()), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("clock_started_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("escalation", sa.Text(), nullable=True),
        sa.Column("opinion", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("next_report_on", sa.Date(), nullable=True),
        sa.Column("progress", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["lead_department_id"],
            ["responses.departments.id"],
            name=op.f("fk_cases_lead_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("proposal_id", name=op.f("uq_cases_proposal_id")),
        schema="responses",
    )
    op.create_index(
        "ix_cases_created_at_id", "cases", ["created_at", "id"], unique=False, schema="responses"
    )
    op.create_index(
        "ix_cases_due_on",
        "cases",
        ["due_on"],
        unique=False,
        schema="responses",
        postgresql_where=sa.text("answered_on IS NULL"),
    )
    op.create_table(
        "alarms",
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("about", sa.Text(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("level", sa.Text(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("raised_on", sa.Date(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["responses.cases.id"],
            name=op.f("fk_alarms_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "key", name=op.f("pk_alarms")),
        schema="responses",
    )
    op.create_table(
        "answers",
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("draft_version", sa.Integer(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("decidim_state", sa.Text(), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("published_by", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["responses.cases.id"],
            name=op.f("fk_answers_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "round", name=op.f("pk_answers")),
        schema="responses",
    )
    op.create_table(
        "deadlines",
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reason", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["responses.cases.id"],
            name=op.f("fk_deadlines_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "seq", name=op.f("pk_deadlines")),
        schema="responses",
    )
    op.create_table(
        "drafts",
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("points", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("answer", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("act", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("documents", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("drafted_by", sa.Text(), nullable=False),
        sa.Column("drafter_role", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.Text(), nullable=True),
        sa.Column("approver_role", sa.Text(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["responses.cases.id"],
            name=op.f("fk_drafts_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "version", name=op.f("pk_drafts")),
        schema="responses",
    )
    op.create_table(
        "history",
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("from_state", sa.Text(), nullable=True),
        sa.Column("to_state", sa.Text(), nullable=False),
        sa.Column("actor_role", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["responses.cases.id"],
            name=op.f("fk_history_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "seq", name=op.f("pk_history")),
        schema="responses",
    )
    op.create_table(
        "replies",
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("text", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("reopened", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["responses.cases.id"],
            name=op.f("fk_replies_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "round", name=op.f("pk_replies")),
        schema="responses",
    )
    op.create_table(
        "results",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("parent_id", sa.UUID(), nullable=True),
        sa.Column("point", sa.Integer(), nullable=True),
        sa.Column("title", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("description", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("progress", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("weight", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["responses.cases.id"],
            name=op.f("fk_results_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["responses.results.id"], name=op.f("fk_results_parent_id_results")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_results")),
        sa.UniqueConstraint("case_id", "external_id", name=op.f("uq_results_case_id_external_id")),
        schema="responses",
    )
    op.create_index("ix_results_case_id", "results", ["case_id"], unique=False, schema="responses")
    op.create_table(
        "milestones",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("result_id", sa.UUID(), nullable=False),
        sa.Column("title", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("actual_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["responses.results.id"],
            name=op.f("fk_milestones_result_id_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestones")),
        schema="responses",
    )
    op.create_index(
        "ix_milestones_result_id", "milestones", ["result_id"], unique=False, schema="responses"
    )
    op.create_table(
        "progress_reports",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("result_id", sa.UUID(), nullable=False),
        sa.Column("progress", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("note", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("reported_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["responses.results.id"],
            name=op.f("fk_progress_reports_result_id_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_reports")),
        schema="responses",
    )
    op.create_index(
        "ix_progress_reports_result_id",
        "progress_reports",
        ["result_id", "created_at"],
        unique=False,
        schema="responses",
    )


def downgrade() -> None:
    op.drop_index(
        "ix_progress_reports_result_id", table_name="progress_reports", schema="responses"
    )
    op.drop_table("progress_reports", schema="responses")
    op.drop_index("ix_milestones_result_id", table_name="milestones", schema="responses")
    op.drop_table("milestones", schema="responses")
    op.drop_index("ix_results_case_id", table_name="results", schema="responses")
    op.drop_table("results", schema="responses")
    op.drop_table("replies", schema="responses")
    op.drop_table("history", schema="responses")
    op.drop_table("drafts", schema="responses")
    op.drop_table("deadlines", schema="responses")
    op.drop_table("answers", schema="responses")
    op.drop_table("alarms", schema="responses")
    op.drop_index(
        "ix_cases_due_on",
        table_name="cases",
        schema="responses",
        postgresql_where=sa.text("answered_on IS NULL"),
    )
    op.drop_index("ix_cases_created_at_id", table_name="cases", schema="responses")
    op.drop_table("cases", schema="responses")
    op.drop_table("policies", schema="responses")
    op.drop_column("departments", "kind", schema="responses")
