"""Each service's role uses its own schema only; every migration goes up and down."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from common.events.streams import SERVICES
from devstack.provision import downgrade, migrate


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@pytest.mark.parametrize("service", SERVICES)
async def test_a_service_role_cannot_read_another_services_schema(service_urls, service):
    connection = await asyncpg.connect(plain(service_urls[service]))
    try:
        assert await connection.fetchval("SELECT count(*) FROM outbox") == 0
        for other in SERVICES:
            if other == service:
                continue
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connection.fetch(f"SELECT * FROM {other}.outbox")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await connection.execute(f"CREATE TABLE {other}.intruder (id int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.execute("CREATE TABLE public.intruder (id int)")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await connection.execute(f"SET ROLE {next(s for s in SERVICES if s != service)}")
    finally:
        await connection.close()


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_downgrade_to_nothing_and_upgrade_again(service_urls, service):
    url = service_urls[service]

    async def tables() -> set[str]:
        connection = await asyncpg.connect(plain(url))
        try:
            rows = await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = $1", service
            )
            return {r["tablename"] for r in rows}
        finally:
            await connection.close()

    migrated = await tables()
    assert {"outbox", "inbox", "dead_letters", "idempotency_keys", "alembic_version"} <= migrated
    await asyncio.to_thread(downgrade, service, url, "base")
    assert await tables() == {"alembic_version"}
    await asyncio.to_thread(migrate, service, url)
    assert await tables() == migrated
