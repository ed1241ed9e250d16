from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from common.db import PlatformTables, created_at, metadata_for, updated_at
from common.documents import documents_table

SCHEMA = "responses"
metadata = metadata_for(SCHEMA)
platform = PlatformTables.define(metadata)

# The Comune's departments (Direzioni) that answer the assembly's proposals.
departments = sa.Table(
    "departments",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("code", sa.Text, nullable=False, unique=True),
    sa.Column("name", JSONB, nullable=False),
    sa.Column("kind", sa.Text, nullable=False, server_default="direzione"),
    sa.Column("version", sa.Integer, nullable=False),
    created_at(),
    updated_at(),
    sa.Index("ix_departments_created_at_id", "created_at", "id"),
)


def _case_ref() -> sa.Column[Any]:
    return sa.Column(
        "case_id",
        UUID(as_uuid=True),
        sa.ForeignKey(f"{SCHEMA}.cases.id", ondelete="CASCADE"),
        nullable=False,
    )


# The assemblies membership configured: a case or a policy names one of them.
assemblies = sa.Table(
    "assemblies",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("config_version", sa.Integer, nullable=False),
    created_at(),
    updated_at(),
)

# How long the Comune has to answer an assembly's proposals, and when it is reminded and
# escalated: a new version for every change; a case keeps the version it was opened under.
policies = sa.Table(
    "policies",
    metadata,
    sa.Column("assembly_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("days", sa.Integer, nullable=False),
    sa.Column("basis", sa.Text, nullable=False),
    sa.Column("reminders", ARRAY(sa.Integer), nullable=False),
    sa.Column("escalations", JSONB, nullable=False),
    sa.Column("report_months", sa.Integer, nullable=False),
    sa.Column("decidim_states", JSONB, nullable=False),
    sa.Column("set_by", sa.Text, nullable=False),
    created_at(),
)

# One case per adopted proposal: the adopted text as it was adopted, the clock, the state.
cases = sa.Table(
    "cases",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("proposal_id", UUID(as_uuid=True), nullable=False, unique=True),
    sa.Column("assembly_id", UUID(as_uuid=True), nullable=False),
    sa.Column("origin", sa.Text, nullable=False),
    sa.Column("cycle", sa.Text, nullable=False),
    sa.Column("title", JSONB, nullable=False),
    sa.Column("text", JSONB, nullable=False),
    sa.Column("rationale", JSONB, nullable=False),
    sa.Column("pac_codes", ARRAY(sa.Text), nullable=False),
    sa.Column("text_sha256", sa.Text, nullable=False),
    sa.Column("session_id", UUID(as_uuid=True)),
    sa.Column("vote_id", UUID(as_uuid=True)),
    sa.Column("tally", JSONB),
    sa.Column("adopted_on", sa.Date, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("lead_department_id", UUID(as_uuid=True), sa.ForeignKey(f"{SCHEMA}.departments.id")),
    sa.Column("contributing", ARRAY(UUID(as_uuid=True)), nullable=False),
    sa.Column("policy_version", sa.Integer, nullable=False),
    sa.Column("clock_started_on", sa.Date, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("answered_on", sa.Date),
    sa.Column("escalation", sa.Text),
    sa.Column("opinion", JSONB),
    sa.Column("next_report_on", sa.Date),
    sa.Column("progress", sa.Numeric(5, 2)),
    sa.Column("version", sa.Integer, nullable=False),
    created_at(),
    updated_at(),
    sa.Index("ix_cases_created_at_id", "created_at", "id"),
    sa.Index("ix_cases_due_on", "due_on", postgresql_where=sa.text("answered_on IS NULL")),
)

# Every due date a case has had, in order: the first, each extension with its published
# reason, each follow-up answer's after a contested reply.
deadlines = sa.Table(
    "deadlines",
    metadata,
    _case_ref(),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("reason", JSONB),
    sa.Column("set_by", sa.Text, nullable=False),
    created_at(),
    sa.PrimaryKeyConstraint("case_id", "seq"),
)

# The clock's alarms already raised, by their stable key: a redelivery, a restart or a
# second instance never raises one twice.
alarms = sa.Table(
    "alarms",
    metadata,
    _case_ref(),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("about", sa.Text, nullable=False),
    sa.Column("days", sa.Integer, nullable=False),
    sa.Column("level", sa.Text),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("raised_on", sa.Date, nullable=False),
    created_at(),
    sa.PrimaryKeyConstraint("case_id", "key"),
)

# What happened to a case, in order: state moves, assignments, approvals, replies.
history = sa.Table(
    "history",
    metadata,
    _case_ref(),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("from_state", sa.Text),
    sa.Column("to_state", sa.Text, nullable=False),
    sa.Column("actor_role", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("details", JSONB, nullable=False),
    created_at(),
    sa.PrimaryKeyConstraint("case_id", "seq"),
)

# Drafts of the answer, one version per edit, within the answer's round.
drafts = sa.Table(
    "drafts",
    metadata,
    _case_ref(),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("decision", sa.Text, nullable=False),
    sa.Column("points", JSONB, nullable=False),
    sa.Column("answer", JSONB, nullable=False),
    sa.Column("act", JSONB),
    sa.Column("documents", JSONB, nullable=False),
    sa.Column("drafted_by", sa.Text, nullable=False),
    sa.Column("drafter_role", sa.Text, nullable=False),
    sa.Column("approved_by", sa.Text),
    sa.Column("approver_role", sa.Text),
    sa.Column("approved_at", sa.DateTime(timezone=True)),
    created_at(),
    sa.PrimaryKeyConstraint("case_id", "version"),
)

# Published answers: frozen, one per round, with the SHA-256 of their canonical form.
answers = sa.Table(
    "answers",
    metadata,
    _case_ref(),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("draft_version", sa.Integer, nullable=False),
    sa.Column("decision", sa.Text, nullable=False),
    sa.Column("decidim_state", sa.Text, nullable=False),
    sa.Column("body", JSONB, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("published_by", sa.Text, nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("case_id", "round"),
)

# The assembly's formal reply to a published answer.
replies = sa.Table(
    "replies",
    metadata,
    _case_ref(),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("text", JSONB),
    sa.Column("reopened", sa.Boolean, nullable=False),
    sa.Column("recorded_by", sa.Text, nullable=False),
    created_at(),
    sa.PrimaryKeyConstraint("case_id", "round"),
)

# What the answer's accepted points became: results (Decidim accountability's shape),
# their milestones and the progress reported on them.
results = sa.Table(
    "results",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    _case_ref(),
    sa.Column("parent_id", UUID(as_uuid=True), sa.ForeignKey(f"{SCHEMA}.results.id")),
    sa.Column("point", sa.Integer),
    sa.Column("title", JSONB, nullable=False),
    sa.Column("description", JSONB, nullable=False),
    sa.Column("starts_on", sa.Date),
    sa.Column("ends_on", sa.Date),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("progress", sa.Numeric(5, 2)),
    sa.Column("weight", sa.Numeric(8, 2), nullable=False),
    sa.Column("external_id", sa.Text),
    sa.Column("version", sa.Integer, nullable=False),
    created_at(),
    updated_at(),
    sa.UniqueConstraint("case_id", "external_id"),
    sa.Index("ix_results_case_id", "case_id"),
)

milestones = sa.Table(
    "milestones",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column(
        "result_id",
        UUID(as_uuid=True),
        sa.ForeignKey(f"{SCHEMA}.results.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("title", JSONB, nullable=False),
    sa.Column("planned_on", sa.Date, nullable=False),
    sa.Column("actual_on", sa.Date),
    sa.Column("version", sa.Integer, nullable=False),
    created_at(),
    updated_at(),
    sa.Index("ix_milestones_result_id", "result_id"),
)

progress_reports = sa.Table(
    "progress_reports",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column(
        "result_id",
        UUID(as_uuid=True),
        sa.ForeignKey(f"{SCHEMA}.results.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("progress", sa.Numeric(5, 2), nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("note", JSONB, nullable=False),
    sa.Column("reported_on", sa.Date, nullable=False),
    sa.Column("reported_by", sa.Text, nullable=False),
    created_at(),
    sa.Index("ix_progress_reports_result_id", "result_id", "created_at"),
)

# A case's documents: the technical opinion, the formal act, attachments of the answer.
documents = documents_table(metadata)
