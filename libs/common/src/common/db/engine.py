from __future__ import annotations

from typing import Any

import pydantic_core
import sqlalchemy as sa
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def metadata_for(schema: str) -> MetaData:
    """The one ``MetaData`` of a service: every table in the service's own schema."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


#: How long a request waits for a connection, new or from the pool, before it is a 503.
CONNECT_TIMEOUT_SECONDS = 3.0


def create_engine(
    url: str, *, schema: str, pool_size: int = 5, read_only: bool = False
) -> AsyncEngine:
    """An asyncpg engine whose connections see only the service's schema by default.

    Statements' parameters never reach an error message or a log line (they hold ids and
    free text); a database that does not answer fails a request within seconds.

    Connections are not pinged when taken from the pool (a round trip on every request):
    after the database restarts, the first statement on a stale connection fails, the
    request is a 503 with ``Retry-After``, and SQLAlchemy discards every connection opened
    before it, so the next request connects afresh.

    ``read_only``: for reads (:data:`common.http.deps.ReadTx`). Each statement runs on its
    own (autocommit: no ``BEGIN`` and ``COMMIT`` round trips; under READ COMMITTED a
    statement sees the same data either way) and PostgreSQL refuses any write
    (``default_transaction_read_only``), so a read that writes fails in the tests."""
    settings = {"search_path": schema, "application_name": schema}
    if read_only:
        settings["default_transaction_read_only"] = "on"
    return create_async_engine(
        url,
        pool_size=pool_size * 2 if read_only else pool_size,
        max_overflow=0 if read_only else pool_size,
        pool_timeout=CONNECT_TIMEOUT_SECONDS,
        hide_parameters=True,
        # jsonb values parsed by pydantic's JSON parser: the same values as ``json.loads``
        # gives, several times faster (titles and texts come back in every list).
        json_deserializer=pydantic_core.from_json,
        **({"isolation_level": "AUTOCOMMIT"} if read_only else {}),
        connect_args={"timeout": CONNECT_TIMEOUT_SECONDS, "server_settings": settings},
    )


def created_at() -> sa.Column[Any]:
    """The ``created_at`` column every aggregate's table has, set by the database."""
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


def updated_at() -> sa.Column[Any]:
    """``updated_at``: set at the insert, and by :meth:`Repository.update` at each change."""
    return sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
