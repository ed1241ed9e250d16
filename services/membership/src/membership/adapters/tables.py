from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from common.db import PlatformTables, metadata_for

SCHEMA = "membership"
metadata = metadata_for(SCHEMA)
platform = PlatformTables.define(metadata)

assemblies = sa.Table(
    "assemblies",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", JSONB, nullable=False),
    sa.Column("seats", sa.Integer, nullable=False),
    sa.Column("min_age", sa.Integer, nullable=False),
    sa.Column("cohort_size", sa.Integer, nullable=False),
    sa.Column("cohort_interval_months", sa.Integer, nullable=False),
    sa.Column("term_months", sa.Integer, nullable=False),
    sa.Column("training_weeks", sa.Integer, nullable=False),
    sa.Column("first_cohort_starts_on", sa.Date),
    sa.Column("cohorts", sa.Integer),  # in all; null: the rotation goes on
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.CheckConstraint("seats > 0", name="seats_positive"),
    sa.CheckConstraint("min_age BETWEEN 14 AND 120", name="min_age_range"),
    sa.Index("ix_assemblies_created_at_id", "created_at", "id"),
)

# What membership knows of sortition's rounds (from its events): the cohort a round fills
# and the features (with their values) its quotas ask for.
rounds = sa.Table(
    "rounds",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("assembly_id", UUID(as_uuid=True), nullable=False),
    sa.Column("cohort", sa.Text, nullable=False),
    sa.Column("panel_size", sa.Integer, nullable=False),
    sa.Column("features", JSONB, nullable=False, server_default="{}"),
    # When sortition committed to the pool: registration is closed from then on.
    sa.Column("committed_at", sa.DateTime(timezone=True)),
    sa.Column("drawn_at", sa.DateTime(timezone=True)),
    sa.Column(
        "opened_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)

# One per letter. The code is kept as a digest (to check it) and sealed (for the mail house).
invitations = sa.Table(
    "invitations",
    metadata,
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
)

# Failed code attempts, per client, for throttling.
code_failures = sa.Table(
    "code_failures",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("client", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index("ix_code_failures_client_at", "client", "at"),
)

# A registered person. ``personal`` holds name, contacts, date of birth, accessibility
# needs and availability, encrypted; the rest is pseudonymous.
people = sa.Table(
    "people",
    metadata,
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
        "registered_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
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
)

consents = sa.Table(
    "consents",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("respondent_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("granted", sa.Boolean, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# Every change of a person's lifecycle state: who, when, why.
transitions = sa.Table(
    "transitions",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("respondent_id", UUID(as_uuid=True), nullable=False, index=True),
    sa.Column("from_state", sa.Text),
    sa.Column("to_state", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("reason", sa.Text),  # the system's own words ("the draw"), never an operator's
    # What the operator wrote, sealed: it may say anything about the person.
    sa.Column("note_sealed", sa.Text),
    sa.Column("key_id", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# Every read of personal data: who, when, which record, how.
personal_data_reads = sa.Table(
    "personal_data_reads",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("respondent_id", UUID(as_uuid=True)),
    sa.Column("round_id", UUID(as_uuid=True)),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("note_sealed", sa.Text),  # an erasure's reason as the operator wrote it, sealed
    sa.Column("key_id", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# Mail-house exports of a round's letters, built in the background with progress.
exports = sa.Table(
    "exports",
    metadata,
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
)

# Stipends: what an assembly pays per session attended, versioned; the ledger filled from
# deliberation's attendance; refund claims (travel, childcare) an operator decides.
stipend_rules = sa.Table(
    "stipend_rules",
    metadata,
    sa.Column("assembly_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("per_session_cents", sa.Integer, nullable=False),
    sa.Column("min_minutes", sa.Integer, nullable=False),
    sa.Column("term_threshold_percent", sa.Integer, nullable=False),
    sa.Column("set_by", sa.Text, nullable=False),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.CheckConstraint("per_session_cents >= 0", name="amount"),
    sa.CheckConstraint("min_minutes >= 0", name="minutes"),
    sa.CheckConstraint("term_threshold_percent BETWEEN 0 AND 100", name="threshold"),
)

stipend_entries = sa.Table(
    "stipend_entries",
    metadata,
    sa.Column("session_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("respondent_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("assembly_id", UUID(as_uuid=True), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("held_on", sa.Date, nullable=False),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("counted", sa.Boolean, nullable=False),
    sa.Column("amount_cents", sa.Integer, nullable=False),
    sa.Column("rules_version", sa.Integer, nullable=False),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Index("ix_stipend_entries_assembly_id_held_on", "assembly_id", "held_on"),
    sa.Index("ix_stipend_entries_created_at_session_id", "created_at", "session_id"),
)

refund_claims = sa.Table(
    "refund_claims",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("respondent_id", UUID(as_uuid=True), nullable=False),
    sa.Column("assembly_id", UUID(as_uuid=True), nullable=False),
    sa.Column("session_id", UUID(as_uuid=True)),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("amount_cents", sa.Integer, nullable=False),
    sa.Column("incurred_on", sa.Date, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
    sa.Column("submitted_by", sa.Text, nullable=False),
    sa.Column("decided_by", sa.Text),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
    sa.Column("decision_reason", sa.Text),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.CheckConstraint("kind IN ('travel', 'childcare')", name="kind"),
    sa.CheckConstraint("state IN ('submitted', 'approved', 'rejected')", name="state"),
    sa.CheckConstraint("amount_cents > 0", name="amount"),
    sa.Index("ix_refund_claims_created_at_id", "created_at", "id"),
)
