"""The assembly's rules, its roster, working groups, sessions, attendance, proposals with
their versions and amendments, and votes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
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
    op.create_table(
        "assemblies",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("config_version", sa.Integer(), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assemblies")),
        schema="deliberation",
    )
    op.create_table(
        "assembly_rules",
        sa.Column("assembly_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("quorum_numerator", sa.Integer(), nullable=False),
        sa.Column("quorum_denominator", sa.Integer(), nullable=False),
        sa.Column("quorum_strict", sa.Boolean(), nullable=False),
        sa.Column("majority_numerator", sa.Integer(), nullable=False),
        sa.Column("majority_denominator", sa.Integer(), nullable=False),
        sa.Column("majority_base", sa.Text(), nullable=False),
        sa.Column("plenary_every_months", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "majority_base IN ('present', 'cast', 'yes_no')",
            name=op.f("ck_assembly_rules_majority_base"),
        ),
        sa.CheckConstraint(
            "0 < majority_numerator AND majority_numerator <= majority_denominator",
            name=op.f("ck_assembly_rules_majority_fraction"),
        ),
        sa.CheckConstraint(
            "0 < quorum_numerator AND quorum_numerator <= quorum_denominator",
            name=op.f("ck_assembly_rules_quorum_fraction"),
        ),
        sa.CheckConstraint(
            "plenary_every_months BETWEEN 1 AND 12", name=op.f("ck_assembly_rules_cadence")
        ),
        sa.PrimaryKeyConstraint("assembly_id", "version", name=op.f("pk_assembly_rules")),
        schema="deliberation",
    )
    op.create_table(
        "roster",
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("assembly_id", sa.UUID(), nullable=False),
        sa.Column("round_id", sa.UUID(), nullable=False),
        sa.Column("sits_from", sa.Date(), nullable=True),
        sa.Column("sits_until", sa.Date(), nullable=True),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("erased", sa.Boolean(), server_default=sa.text("false"), nullable=False),
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
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_roster")),
        schema="deliberation",
    )
    op.create_index(
        "ix_roster_assembly_id", "roster", ["assembly_id"], unique=False, schema="deliberation"
    )
    op.create_table(
        "working_groups",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("assembly_id", sa.UUID(), nullable=False),
        sa.Column("name", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("ambito", sa.Integer(), nullable=True),
        sa.Column("pac_codes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
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
        sa.CheckConstraint(
            "ambito IS NULL OR ambito BETWEEN 1 AND 5", name=op.f("ck_working_groups_ambito_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_groups")),
        schema="deliberation",
    )
    op.create_index(
        "ix_working_groups_created_at_id",
        "working_groups",
        ["created_at", "id"],
        unique=False,
        schema="deliberation",
    )
    op.create_table(
        "proposals",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("assembly_id", sa.UUID(), nullable=False),
        sa.Column("working_group_id", sa.UUID(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("pac_codes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("adopted_sha256", sa.Text(), nullable=True),
        sa.Column("adopted_vote_id", sa.UUID(), nullable=True),
        sa.Column("answer", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("implementation", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
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
        sa.CheckConstraint(
            "state IN ('draft', 'submitted', 'voting', 'adopted', 'rejected', 'withdrawn')",
            name=op.f("ck_proposals_state"),
        ),
        sa.ForeignKeyConstraint(
            ["working_group_id"],
            ["deliberation.working_groups.id"],
            name=op.f("fk_proposals_working_group_id_working_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
        schema="deliberation",
    )
    op.create_index(
        "ix_proposals_created_at_id",
        "proposals",
        ["created_at", "id"],
        unique=False,
        schema="deliberation",
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("assembly_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("working_group_id", sa.UUID(), nullable=True),
        sa.Column("title", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("online_url", sa.Text(), nullable=True),
        sa.Column("agenda", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
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
        sa.CheckConstraint("kind IN ('plenary', 'working_group')", name=op.f("ck_sessions_kind")),
        sa.CheckConstraint(
            "state IN ('scheduled', 'open', 'closed', 'cancelled')", name=op.f("ck_sessions_state")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_sessions_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["working_group_id"],
            ["deliberation.working_groups.id"],
            name=op.f("fk_sessions_working_group_id_working_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
        schema="deliberation",
    )
    op.create_index(
        "ix_sessions_assembly_id_starts_at",
        "sessions",
        ["assembly_id", "starts_at"],
        unique=False,
        schema="deliberation",
    )
    op.create_index(
        "ix_sessions_created_at_id",
        "sessions",
        ["created_at", "id"],
        unique=False,
        schema="deliberation",
    )
    op.create_table(
        "working_group_members",
        sa.Column("working_group_id", sa.UUID(), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["working_group_id"],
            ["deliberation.working_groups.id"],
            name=op.f("fk_working_group_members_working_group_id_working_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "working_group_id", "member_id", name=op.f("pk_working_group_members")
        ),
        schema="deliberation",
    )
    op.create_table(
        "amendments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("proposal_id", sa.UUID(), nullable=False),
        sa.Column("target_version", sa.Integer(), nullable=False),
        sa.Column("operation", sa.Text(), nullable=False),
        sa.Column("paragraph", sa.Integer(), nullable=True),
        sa.Column("content", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("rationale", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("author_role", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Text(), nullable=False),
        sa.Column("result_version", sa.Integer(), nullable=True),
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
        sa.CheckConstraint(
            "operation IN ('replace', 'insert', 'delete', 'whole')",
            name=op.f("ck_amendments_operation"),
        ),
        sa.CheckConstraint(
            "state IN ('proposed', 'voting', 'accepted', 'rejected', 'withdrawn')",
            name=op.f("ck_amendments_state"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["deliberation.proposals.id"],
            name=op.f("fk_amendments_proposal_id_proposals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amendments")),
        schema="deliberation",
    )
    op.create_index(
        "ix_amendments_proposal_id_created_at",
        "amendments",
        ["proposal_id", "created_at"],
        unique=False,
        schema="deliberation",
    )
    op.create_table(
        "attendance",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("session_id", sa.UUID(), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("direction", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.CheckConstraint("direction IN ('in', 'out')", name=op.f("ck_attendance_direction")),
        sa.CheckConstraint("method IN ('facilitator', 'code')", name=op.f("ck_attendance_method")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["deliberation.sessions.id"],
            name=op.f("fk_attendance_session_id_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        schema="deliberation",
    )
    op.create_index(
        "ix_attendance_session_id_at",
        "attendance",
        ["session_id", "at"],
        unique=False,
        schema="deliberation",
    )
    op.create_table(
        "proposal_versions",
        sa.Column("proposal_id", sa.UUID(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("paragraphs", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("rationale", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("author_role", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("amendment_id", sa.UUID(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["deliberation.proposals.id"],
            name=op.f("fk_proposal_versions_proposal_id_proposals"),
        ),
        sa.PrimaryKeyConstraint("proposal_id", "number", name=op.f("pk_proposal_versions")),
        schema="deliberation",
    )
    op.create_table(
        "votes",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("session_id", sa.UUID(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("proposal_id", sa.UUID(), nullable=False),
        sa.Column("amendment_id", sa.UUID(), nullable=True),
        sa.Column("text_version", sa.Integer(), nullable=False),
        sa.Column("text_sha256", sa.Text(), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("entitled", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("rule", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("yes", sa.Integer(), server_default="0", nullable=False),
        sa.Column("no", sa.Integer(), server_default="0", nullable=False),
        sa.Column("abstain", sa.Integer(), server_default="0", nullable=False),
        sa.Column("result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "method IN ('tally', 'open_ballot', 'secret_ballot')", name=op.f("ck_votes_method")
        ),
        sa.CheckConstraint("state IN ('open', 'closed')", name=op.f("ck_votes_state")),
        sa.CheckConstraint("subject IN ('amendment', 'final_text')", name=op.f("ck_votes_subject")),
        sa.ForeignKeyConstraint(
            ["amendment_id"],
            ["deliberation.amendments.id"],
            name=op.f("fk_votes_amendment_id_amendments"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["deliberation.proposals.id"],
            name=op.f("fk_votes_proposal_id_proposals"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["deliberation.sessions.id"], name=op.f("fk_votes_session_id_sessions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
        schema="deliberation",
    )
    op.create_index(
        "ix_votes_created_at_id", "votes", ["created_at", "id"], unique=False, schema="deliberation"
    )
    op.create_table(
        "vote_ballots",
        sa.Column("vote_id", sa.UUID(), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.Column("choice", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "choice IN ('yes', 'no', 'abstain')", name=op.f("ck_vote_ballots_choice")
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["deliberation.votes.id"], name=op.f("fk_vote_ballots_vote_id_votes")
        ),
        sa.PrimaryKeyConstraint("vote_id", "member_id", name=op.f("pk_vote_ballots")),
        schema="deliberation",
    )
    op.create_table(
        "vote_voters",
        sa.Column("vote_id", sa.UUID(), nullable=False),
        sa.Column("member_id", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["deliberation.votes.id"], name=op.f("fk_vote_voters_vote_id_votes")
        ),
        sa.PrimaryKeyConstraint("vote_id", "member_id", name=op.f("pk_vote_voters")),
        schema="deliberation",
    )


def downgrade() -> None:
    op.drop_table("vote_voters", schema="deliberation")
    op.drop_table("vote_ballots", schema="deliberation")
    op.drop_index("ix_votes_created_at_id", table_name="votes", schema="deliberation")
    op.drop_table("votes", schema="deliberation")
    op.drop_table("proposal_versions", schema="deliberation")
    op.drop_index("ix_attendance_session_id_at", table_name="attendance", schema="deliberation")
    op.drop_table("attendance", schema="deliberation")
    op.drop_index(
        "ix_amendments_proposal_id_created_at", table_name="amendments", schema="deliberation"
    )
    op.drop_table("amendments", schema="deliberation")
    op.drop_table("working_group_members", schema="deliberation")
    op.drop_index("ix_sessions_created_at_id", table_name="sessions", schema="deliberation")
    op.drop_index("ix_sessions_assembly_id_starts_at", table_name="sessions", schema="deliberation")
    op.drop_table("sessions", schema="deliberation")
    op.drop_index("ix_proposals_created_at_id", table_name="proposals", schema="deliberation")
    op.drop_table("proposals", schema="deliberation")
    op.drop_index(
        "ix_working_groups_created_at_id", table_name="working_groups", schema="deliberation"
    )
    op.drop_table("working_groups", schema="deliberation")
    op.drop_index("ix_roster_assembly_id", table_name="roster", schema="deliberation")
    op.drop_table("roster", schema="deliberation")
    op.drop_table("assembly_rules", schema="deliberation")
    op.drop_table("assemblies", schema="deliberation")
