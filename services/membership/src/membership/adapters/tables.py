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
