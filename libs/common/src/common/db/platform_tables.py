"""Tables every service has in its own schema: outbox, inbox, dead letters, idempotency keys.

The tables are declared here once; :func:`create_platform_tables_v1` is the frozen DDL that
the services' first migrations run. A later change adds a ``_v2`` beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.schema import SchemaItem


@dataclass(frozen=True)
class PlatformTables:
    outbox: sa.Table
    inbox: sa.Table
    dead_letters: sa.Table
    idempotency_keys: sa.Table

    @classmethod
    def define(cls, metadata: sa.MetaData) -> PlatformTables:
        return cls(
            outbox=sa.Table("outbox", metadata, *_outbox_columns()),
            inbox=sa.Table("inbox", metadata, *_inbox_columns()),
            dead_letters=sa.Table("dead_letters", metadata, *_dead_letter_columns()),
            idempotency_keys=sa.Table("idempotency_keys", metadata, *_idempotency_columns()),
        )

    @property
    def schema(self) -> str:
        assert self.outbox.schema is not None
        return self.outbox.schema

    @property
    def notify_channel(self) -> str:
        return f"{self.schema}_outbox"


def _now() -> sa.TextClause:
    return sa.text("now()")


def _outbox_columns() -> list[SchemaItem]:
    return [
        sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("id", UUID(as_uuid=True), nullable=False, unique=True),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("envelope", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Index("ix_outbox_pending", "seq", postgresql_where=sa.text("published_at IS NULL")),
    ]


def _inbox_columns() -> list[SchemaItem]:
    return [
        sa.Column("event_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("consumer", sa.Text, nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
    ]


def _dead_letter_columns() -> list[SchemaItem]:
    return [
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("event_id", UUID(as_uuid=True)),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("stream", sa.Text, nullable=False),
        sa.Column("consumer", sa.Text, nullable=False),
        sa.Column("stream_sequence", sa.BigInteger),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("deliveries", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.Column("replayed_at", sa.DateTime(timezone=True)),
        sa.Column("replay_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_replay_error", sa.Text),
        sa.Index("ix_dead_letters_created_at_id", "created_at", "id"),
    ]


def _idempotency_columns() -> list[SchemaItem]:
    return [
        sa.Column("principal", sa.Text, primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("request_hash", sa.Text, nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("headers", JSONB),
        sa.Column("body", sa.LargeBinary),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_now()),
        sa.Index("ix_idempotency_keys_created_at", "created_at"),
    ]


def create_platform_tables_v1(schema: str) -> None:
    """Frozen DDL for the platform tables, for a service's first Alembic migration."""
    from alembic import op

    op.create_table("outbox", *_outbox_columns(), schema=schema)
    op.create_table("inbox", *_inbox_columns(), schema=schema)
    op.create_table("dead_letters", *_dead_letter_columns(), schema=schema)
    op.create_table("idempotency_keys", *_idempotency_columns(), schema=schema)


def drop_platform_tables_v1(schema: str) -> None:
    from alembic import op

    for table in ("idempotency_keys", "dead_letters", "inbox", "outbox"):
        op.drop_table(table, schema=schema)
