from __future__ import annotations

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


def create_engine(url: str, *, schema: str, pool_size: int = 5) -> AsyncEngine:
    """An asyncpg engine whose connections see only the service's schema by default.

    Statements' parameters never reach an error message or a log line (they hold ids and
    free text); a database that does not answer fails a request within seconds."""
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_timeout=CONNECT_TIMEOUT_SECONDS,
        hide_parameters=True,
        connect_args={
            "timeout": CONNECT_TIMEOUT_SECONDS,
            "server_settings": {"search_path": schema, "application_name": schema},
        },
    )
