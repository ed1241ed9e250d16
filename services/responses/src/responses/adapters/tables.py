from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from common.db import PlatformTables, metadata_for

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
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Index("ix_departments_created_at_id", "created_at", "id"),
)
