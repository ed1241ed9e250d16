from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from common.db import PlatformTables, metadata_for

SCHEMA = "sortition"
metadata = metadata_for(SCHEMA)
platform = PlatformTables.define(metadata)

# What sortition knows of the assemblies, from membership.assembly.configured.v1.
assemblies = sa.Table(
    "assemblies",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("seats", sa.Integer, nullable=False),
    sa.Column("min_age", sa.Integer, nullable=False),
    sa.Column("cohort_size", sa.Integer, nullable=False),
    # The event's rotation as sent: interval, term, training, first start, cohorts in all.
    sa.Column("rotation", JSONB),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)

rounds = sa.Table(
    "rounds",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("assembly_id", UUID(as_uuid=True), nullable=False),
    sa.Column("cohort", sa.Text, nullable=False),
    sa.Column("panel_size", sa.Integer, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.UniqueConstraint("assembly_id", "cohort"),
    sa.CheckConstraint("panel_size > 0", name="panel_size_positive"),
    sa.Index("ix_rounds_created_at_id", "created_at", "id"),
)

# A round's quotas: per feature value, how many panel members must have it.
quotas = sa.Table(
    "quotas",
    metadata,
    sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("feature", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("min", sa.Integer, nullable=False),
    sa.Column("max", sa.Integer, nullable=False),
    # The value's share of the population (0-1), when the quotas came from census shares.
    sa.Column("population_share", sa.Float),
)

# The respondents a round draws its panel from: pseudonymous ids and features, no names.
respondents = sa.Table(
    "respondents",
    metadata,
    sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("respondent_id", sa.Text, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("household", sa.Text),
    sa.Column("features", JSONB, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)

# A round's commitment and, once the seed is revealed, the panel drawn with it: all a
# re-run needs.
commitments = sa.Table(
    "commitments",
    metadata,
    sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("algorithm", sa.Text, nullable=False),
    sa.Column("algorithm_version", sa.Text, nullable=False),
    # How many panels the uniform lottery has, when one was asked for (null: LEXIMIN's own).
    sa.Column("uniform_panels", sa.Integer),
    sa.Column("seed_sha256", sa.Text, nullable=False),
    sa.Column("instance_digest", sa.Text, nullable=False),
    sa.Column(
        "committed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Column("seed", sa.Text),
    sa.Column("drawn_at", sa.DateTime(timezone=True)),
    sa.Column("panel", JSONB),
    sa.Column("probabilities", JSONB),
    sa.Column("min_probability", sa.Float),
    sa.Column("lottery_size", sa.Integer),
    sa.Column("seconds", sa.Float),
    sa.Column("reserves", JSONB),
)

# Who left a drawn panel and who replaced them, in order.
replacements = sa.Table(
    "replacements",
    metadata,
    sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("sequence", sa.Integer, primary_key=True),
    sa.Column("leaving", sa.Text, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("joining", sa.Text),
    sa.Column("deviation", sa.Integer),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.UniqueConstraint("round_id", "leaving"),
)

# Stage 1. A round's registry extract (pseudonymous: references, household, stratum), its
# import's progress, and the invitations drawn from it.
# The extract in use: written in the transaction that writes its rows and strata.
extracts = sa.Table(
    "extracts",
    metadata,
    sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("status", sa.Text, nullable=False),  # always ready
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
)

# The latest upload, with its progress, in short transactions of its own.
extract_imports = sa.Table(
    "extract_imports",
    metadata,
    sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("status", sa.Text, nullable=False),  # importing | ready | failed
    sa.Column("rows_read", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("bytes_read", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("bytes_total", sa.BigInteger),
    sa.Column("error", JSONB),
    sa.Column(
        "started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
)

extract_strata = sa.Table(
    "extract_strata",
    metadata,
    sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("stratum", sa.Integer, primary_key=True),
    sa.Column("age_band", sa.Text, nullable=False),
    sa.Column("gender", sa.Text, nullable=False),
    sa.Column("citizenship", sa.Text, nullable=False),
    sa.Column("municipio", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
)

extract_rows = sa.Table(
    "extract_rows",
    metadata,
    sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("row", sa.BigInteger, primary_key=True),
    sa.Column("person_ref", sa.Text, nullable=False),
    sa.Column("household_ref", sa.Text, nullable=False),
    sa.Column("household", sa.BigInteger, nullable=False),
    sa.Column("stratum", sa.Integer, nullable=False),
)

invitation_draws = sa.Table(
    "invitation_draws",
    metadata,
    sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("seed", sa.Text, nullable=False),
    sa.Column("requested", sa.Integer, nullable=False),
    sa.Column("drawn", sa.Integer, nullable=False),
    sa.Column("oversampling", JSONB, nullable=False),
    sa.Column("seats", JSONB, nullable=False),
    sa.Column("extract_sha256", sa.Text, nullable=False),
    sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

invitations = sa.Table(
    "invitations",
    metadata,
    sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("sequence", sa.Integer, primary_key=True),
    sa.Column("person_ref", sa.Text, nullable=False),
    sa.Column("household_ref", sa.Text, nullable=False),
    sa.Column("stratum", sa.Integer, nullable=False),
)

# Where a draw's computation stands: written in transactions of its own while it runs.
draw_progress = sa.Table(
    "draw_progress",
    metadata,
    sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("phase", sa.Text, nullable=False),
    sa.Column("done", sa.Float),
    sa.Column("panels", sa.Integer, nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# Registrations that reached sortition after the round's pool was committed: kept out of
# the pool (it is frozen), recorded for the audit instead of failing the event.
late_registrations = sa.Table(
    "late_registrations",
    metadata,
    sa.Column("round_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("respondent_id", sa.Text, primary_key=True),
    sa.Column(
        "received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)
