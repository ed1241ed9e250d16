"""Create the database, one role and one schema per service, and migrate: safe to repeat.

Each service's role owns its schema and nothing else; it cannot use another service's
schema, and no role but the services' may connect to the database.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg
from alembic import command
from alembic.config import Config

from common.events.streams import SERVICES

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not a safe identifier: {name!r}")
    return f'"{name}"'


def role_password(service: str) -> str:
    """``<SERVICE>_DB_PASSWORD``, or a local default (the embedded server trusts 127.0.0.1)."""
    return os.environ.get(f"{service.upper()}_DB_PASSWORD", f"{service}-local")


def with_database(
    url: str,
    database: str,
    *,
    user: str | None = None,
    password: str | None = None,
    driver: str | None = None,
) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if user is not None:
        credentials = quote(user, safe="")
        if password:
            credentials += ":" + quote(password, safe="")
        netloc = f"{credentials}@{netloc}"
    elif "@" in parts.netloc:
        netloc = parts.netloc
    scheme = parts.scheme.split("+", 1)[0]
    if driver:
        scheme = f"{scheme}+{driver}"
    return urlunsplit((scheme, netloc, "/" + database, parts.query, parts.fragment))


def service_url(admin_url: str, database: str, service: str) -> str:
    """The URL a service connects with: its own role, the stack's database."""
    return with_database(
        admin_url, database, user=service, password=role_password(service), driver="asyncpg"
    )


async def _provision(admin_url: str, database: str, services: Iterable[str]) -> None:
    services = list(services)
    admin = await asyncpg.connect(with_database(admin_url, "postgres"))
    try:
        # Several processes may provision at once: serialise on an advisory lock.
        await admin.execute("SELECT pg_advisory_lock(724501)")
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await admin.execute(f"CREATE DATABASE {_ident(database)}")
        for service in services:
            exists = await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", service)
            verb = "ALTER" if exists else "CREATE"
            password = role_password(service).replace("'", "''")
            await admin.execute(
                f"{verb} ROLE {_ident(service)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                f"PASSWORD '{password}'"
            )
        await admin.execute("SELECT pg_advisory_unlock(724501)")
    finally:
        await admin.close()
    db = await asyncpg.connect(with_database(admin_url, database))
    try:
        await db.execute("SELECT pg_advisory_lock(724502)")
        await db.execute(f"REVOKE ALL ON DATABASE {_ident(database)} FROM PUBLIC")
        await db.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        for service in services:
            await db.execute(
                f"GRANT CONNECT, TEMPORARY ON DATABASE {_ident(database)} TO {_ident(service)}"
            )
            await db.execute(
                f"CREATE SCHEMA IF NOT EXISTS {_ident(service)} AUTHORIZATION {_ident(service)}"
            )
            await db.execute(f"ALTER SCHEMA {_ident(service)} OWNER TO {_ident(service)}")
            await db.execute(
                f"ALTER ROLE {_ident(service)} IN DATABASE {_ident(database)} "
                f"SET search_path = {_ident(service)}"
            )
        await db.execute("SELECT pg_advisory_unlock(724502)")
    finally:
        await db.close()


def provision(admin_url: str, database: str, services: Iterable[str] = SERVICES) -> None:
    asyncio.run(_provision(admin_url, database, services))


def migrations_dir(service: str) -> Path:
    package = importlib.import_module(service)
    assert package.__file__ is not None
    return Path(package.__file__).resolve().parents[2] / "migrations"


def alembic_config(service: str, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir(service)))
    config.attributes["url"] = url
    return config


def migrate(service: str, url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(service, url), revision)


def downgrade(service: str, url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(service, url), revision)


def prepare(admin_url: str, database: str, services: Iterable[str] = SERVICES) -> dict[str, str]:
    """Provision and migrate; returns each service's database URL."""
    services = list(services)
    provision(admin_url, database, services)
    urls = {}
    for service in services:
        urls[service] = service_url(admin_url, database, service)
        migrate(service, urls[service])
    return urls
