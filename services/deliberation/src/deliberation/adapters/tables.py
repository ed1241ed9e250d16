from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from common.db import PlatformTables, created_at, metadata_for, updated_at
from common.documents import documents_table

SCHEMA = "deliberation"
metadata = metadata_for(SCHEMA)
platform = PlatformTables.define(metadata)

# The Piano Aria e Clima: five ambiti, their objectives (a.o) and actions (a.o.n), titles
# in Italian and English; each change of a title is a new version, kept in pac_revisions.
pac_ambiti = sa.Table(
    "pac_ambiti",
    metadata,
    sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("title", JSONB, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    created_at(),
    updated_at(),
    sa.CheckConstraint("number BETWEEN 1 AND 5", name="ambito_range"),
)

pac_objectives = sa.Table(
    "pac_objectives",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("ambito", sa.Integer, sa.ForeignKey(f"{SCHEMA}.pac_ambiti.number"), nullable=False),
    sa.Column("title", JSONB, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    created_at(),
    updated_at(),
)

pac_actions = sa.Table(
    "pac_actions",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("code", sa.Text, nullable=False, unique=True),
    sa.Column("ambito", sa.Integer, nullable=False),
    sa.Column("objective", sa.Text, nullable=False),
    sa.Column("title", JSONB, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    created_at(),
    updated_at(),
    sa.CheckConstraint("ambito BETWEEN 1 AND 5", name="ambito_range"),
    sa.Index("ix_pac_actions_created_at_id", "created_at", "id"),
)

pac_revisions = sa.Table(
    "pac_revisions",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("level", sa.Text, nullable=False),
    sa.Column("title", JSONB, nullable=False),
    sa.Column("changed_by", sa.Text, nullable=False),
    created_at(),
)


# An assembly as membership configured it, and the rules it votes by: a new version of the
# rules for every change, so that a vote records the version it was decided under.
assemblies = sa.Table(
    "assemblies",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("seats", sa.Integer, nullable=False),
    sa.Column("config_version", sa.Integer, nullable=False),
    created_at(),
    updated_at(),
)

assembly_rules = sa.Table(
    "assembly_rules",
    metadata,
    sa.Column("assembly_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("quorum_numerator", sa.Integer, nullable=False),
    sa.Column("quorum_denominator", sa.Integer, nullable=False),
    sa.Column("quorum_strict", sa.Boolean, nullable=False),
    sa.Column("majority_numerator", sa.Integer, nullable=False),
    sa.Column("majority_denominator", sa.Integer, nullable=False),
    sa.Column("majority_base", sa.Text, nullable=False),
    sa.Column("plenary_every_months", sa.Integer, nullable=False),
    sa.Column("set_by", sa.Text, nullable=False),
    created_at(),
    sa.CheckConstraint(
        "0 < quorum_numerator AND quorum_numerator <= quorum_denominator", name="quorum_fraction"
    ),
    sa.CheckConstraint(
        "0 < majority_numerator AND majority_numerator <= majority_denominator",
        name="majority_fraction",
    ),
    sa.CheckConstraint("majority_base IN ('present', 'cast', 'yes_no')", name="majority_base"),
    sa.CheckConstraint("plenary_every_months BETWEEN 1 AND 12", name="cadence"),
)

# Who sits, from membership's events: a pseudonymous member id, never a name.
roster = sa.Table(
    "roster",
    metadata,
    sa.Column("member_id", sa.Text, primary_key=True),
    sa.Column("assembly_id", UUID(as_uuid=True), nullable=False),
    sa.Column("round_id", UUID(as_uuid=True), nullable=False),
    sa.Column("sits_from", sa.Date, nullable=True),
    sa.Column("sits_until", sa.Date, nullable=True),
    sa.Column("left_on", sa.Date, nullable=True),
    sa.Column("erased", sa.Boolean, nullable=False, server_default=sa.false()),
    created_at(),
    updated_at(),
    sa.Index("ix_roster_assembly_id", "assembly_id"),
)

working_groups = sa.Table(
    "working_groups",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("assembly_id", UUID(as_uuid=True), nullable=False),
    sa.Column("name", JSONB, nullable=False),
    sa.Column("ambito", sa.Integer, nullable=True),
    sa.Column("pac_codes", JSONB, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    created_at(),
    updated_at(),
    sa.CheckConstraint("ambito IS NULL OR ambito BETWEEN 1 AND 5", name="ambito_range"),
    sa.Index("ix_working_groups_created_at_id", "created_at", "id"),
)

working_group_members = sa.Table(
    "working_group_members",
    metadata,
    sa.Column(
        "working_group_id",
        UUID(as_uuid=True),
        sa.ForeignKey("working_groups.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("member_id", sa.Text, primary_key=True),
    created_at(),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("assembly_id", UUID(as_uuid=True), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column(
        "working_group_id", UUID(as_uuid=True), sa.ForeignKey("working_groups.id"), nullable=True
    ),
    sa.Column("title", JSONB, nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("place", sa.Text, nullable=True),
    sa.Column("online_url", sa.Text, nullable=True),
    sa.Column("agenda", JSONB, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("cancel_reason", sa.Text, nullable=True),
    # A working-group meeting's group as it was when the meeting opened: who may check in
    # and whom its quorum counts, fixed for the record.
    sa.Column("group_members", JSONB, nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    created_at(),
    updated_at(),
    sa.CheckConstraint("kind IN ('plenary', 'working_group')", name="kind"),
    sa.CheckConstraint("state IN ('scheduled', 'open', 'closed', 'cancelled')", name="state"),
    sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    sa.Index("ix_sessions_created_at_id", "created_at", "id"),
    sa.Index("ix_sessions_assembly_id_starts_at", "assembly_id", "starts_at"),
)

# Check-ins and check-outs as they happened; presence is computed from them.
attendance = sa.Table(
    "attendance",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("session_id", UUID(as_uuid=True), sa.ForeignKey("sessions.id"), nullable=False),
    sa.Column("member_id", sa.Text, nullable=False),
    sa.Column("direction", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recorded_by", sa.Text, nullable=False),
    sa.Column("method", sa.Text, nullable=False),
    sa.CheckConstraint("direction IN ('in', 'out')", name="direction"),
    sa.CheckConstraint("method IN ('facilitator', 'code')", name="method"),
    sa.Index("ix_attendance_session_id_at", "session_id", "at"),
)

proposals = sa.Table(
    "proposals",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("assembly_id", UUID(as_uuid=True), nullable=False),
    sa.Column(
        "working_group_id", UUID(as_uuid=True), sa.ForeignKey("working_groups.id"), nullable=False
    ),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("pac_codes", JSONB, nullable=False),
    sa.Column("current_version", sa.Integer, nullable=False),
    # When the working group submitted it: until then it is the group's own, not public.
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("adopted_sha256", sa.Text, nullable=True),
    sa.Column("adopted_vote_id", UUID(as_uuid=True), nullable=True),
    sa.Column("answer", JSONB, nullable=True),
    sa.Column("implementation", JSONB, nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    created_at(),
    updated_at(),
    sa.CheckConstraint(
        "state IN ('draft', 'submitted', 'voting', 'adopted', 'rejected', 'withdrawn')",
        name="state",
    ),
    sa.Index("ix_proposals_created_at_id", "created_at", "id"),
)

proposal_versions = sa.Table(
    "proposal_versions",
    metadata,
    sa.Column("proposal_id", UUID(as_uuid=True), sa.ForeignKey("proposals.id"), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("title", JSONB, nullable=False),
    sa.Column("paragraphs", JSONB, nullable=False),
    sa.Column("rationale", JSONB, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("author_role", sa.Text, nullable=False),
    sa.Column("author_id", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("amendment_id", UUID(as_uuid=True), nullable=True),
    created_at(),
)

amendments = sa.Table(
    "amendments",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("proposal_id", UUID(as_uuid=True), sa.ForeignKey("proposals.id"), nullable=False),
    sa.Column("target_version", sa.Integer, nullable=False),
    sa.Column("operation", sa.Text, nullable=False),
    sa.Column("paragraph", sa.Integer, nullable=True),
    sa.Column("content", JSONB, nullable=False),
    sa.Column("rationale", JSONB, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("author_role", sa.Text, nullable=False),
    sa.Column("author_id", sa.Text, nullable=False),
    sa.Column("result_version", sa.Integer, nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    created_at(),
    updated_at(),
    sa.CheckConstraint("operation IN ('replace', 'insert', 'delete', 'whole')", name="operation"),
    sa.CheckConstraint(
        "state IN ('proposed', 'voting', 'accepted', 'rejected', 'withdrawn', 'lapsed')",
        name="state",
    ),
    sa.Index("ix_amendments_proposal_id_created_at", "proposal_id", "created_at"),
)

# A vote: its entitled snapshot (who was present when it opened), the rule it is decided
# by, and its counts. Secret ballots add to the counts and to ``vote_voters`` (who has
# voted) and nowhere else: no row holds a choice beside a voter.
votes = sa.Table(
    "votes",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("session_id", UUID(as_uuid=True), sa.ForeignKey("sessions.id"), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("proposal_id", UUID(as_uuid=True), sa.ForeignKey("proposals.id"), nullable=False),
    sa.Column("amendment_id", UUID(as_uuid=True), sa.ForeignKey("amendments.id"), nullable=True),
    sa.Column("text_version", sa.Integer, nullable=False),
    sa.Column("text_sha256", sa.Text, nullable=False),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("entitled", JSONB, nullable=False),
    sa.Column("rule", JSONB, nullable=False),
    sa.Column("yes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("no", sa.Integer, nullable=False, server_default="0"),
    sa.Column("abstain", sa.Integer, nullable=False, server_default="0"),
    sa.Column("tallied_at", sa.DateTime(timezone=True), nullable=True),  # a show of hands
    sa.Column("result", JSONB, nullable=True),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    created_at(),
    sa.CheckConstraint("subject IN ('amendment', 'final_text')", name="subject"),
    sa.CheckConstraint("method IN ('tally', 'open_ballot', 'secret_ballot')", name="method"),
    sa.CheckConstraint("state IN ('open', 'closed')", name="state"),
    sa.Index("ix_votes_created_at_id", "created_at", "id"),
)

vote_voters = sa.Table(
    "vote_voters",
    metadata,
    sa.Column("vote_id", UUID(as_uuid=True), sa.ForeignKey("votes.id"), primary_key=True),
    sa.Column("member_id", sa.Text, primary_key=True),
)

# Named ballots of open votes only: a secret vote never writes here.
vote_ballots = sa.Table(
    "vote_ballots",
    metadata,
    sa.Column("vote_id", UUID(as_uuid=True), sa.ForeignKey("votes.id"), primary_key=True),
    sa.Column("member_id", sa.Text, primary_key=True),
    sa.Column("choice", sa.Text, nullable=False),
    sa.CheckConstraint("choice IN ('yes', 'no', 'abstain')", name="choice"),
)

# Agendas, materials and minutes of sessions: uploaded, or registered by URL and SHA-256.
documents = documents_table(metadata)
