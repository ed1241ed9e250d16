from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from common.db import PlatformTables, metadata_for

SCHEMA = "deliberation"
metadata = metadata_for(SCHEMA)
platform = PlatformTables.define(metadata)

# The Piano Aria e Clima: 5 ambiti, 49 actions with codes like "4.2.1".
pac_actions = sa.Table(
    "pac_actions",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("code", sa.Text, nullable=False, unique=True),
    sa.Column("ambito", sa.Integer, nullable=False),
    sa.Column("title", JSONB, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.CheckConstraint("ambito BETWEEN 1 AND 5", name="ambito_range"),
    sa.Index("ix_pac_actions_created_at_id", "created_at", "id"),
)
