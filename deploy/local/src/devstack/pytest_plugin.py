"""Pytest fixtures: a real PostgreSQL and a real nats-server for every test run.

``DATABASE_URL`` (an admin URL) points the tests at a running PostgreSQL; unset, the run
starts an embedded one on a free port. Four roles and schemas are provisioned and migrated
once into a template database; each test gets its own copy of it, and its own
nats-server with a fresh JetStream store, so tests never see each other's rows or events.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from common.auth import mint_token
from common.settings import AuthSettings
from devstack.config import REPO_ROOT
from devstack.nats import EmbeddedNats, free_port
from devstack.postgres import EmbeddedPostgres
from devstack.provision import prepare, service_url, with_database

TEST_ROOT = REPO_ROOT / ".data" / "test"


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    if url := os.environ.get("DATABASE_URL"):
        yield url
        return
    TEST_ROOT.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="pg-", dir=TEST_ROOT))
    server = EmbeddedPostgres(workdir / "data", free_port(), durable=False)
    server.start(log_file=workdir.parent / f"{workdir.name}.log")
    try:
        server.wait_ready()
        yield server.admin_url
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            (workdir.parent / f"{workdir.name}.log").unlink()


@pytest.fixture(scope="session")
def template_database(pg_admin_url: str) -> Iterator[str]:
    name = f"tmpl_{uuid.uuid4().hex[:12]}"
    prepare(pg_admin_url, name)
    yield name
    asyncio.run(_drop_database(pg_admin_url, name))


async def _drop_database(admin_url: str, name: str) -> None:
    connection = await asyncpg.connect(with_database(admin_url, "postgres"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture
async def database(pg_admin_url: str, template_database: str) -> AsyncIterator[str]:
    """A fresh, migrated database for one test; its name."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    connection = await asyncpg.connect(with_database(pg_admin_url, "postgres"))
    try:
        await connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
    finally:
        await connection.close()
    yield name
    await _drop_database(pg_admin_url, name)


@pytest.fixture
def service_urls(pg_admin_url: str, database: str) -> dict[str, str]:
    """Each service's URL (as its own role) into this test's database."""
    from common.events.streams import SERVICES

    return {s: service_url(pg_admin_url, database, s) for s in SERVICES}


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A nats-server -js of this test's own (stop and start it at will).

    Always started here, whatever ``NATS_URL`` says: tests stop and restart it."""
    server = EmbeddedNats(tmp_path / "jetstream", free_port())
    server.start()
    server.wait_ready()
    yield server
    server.stop()


def token_for(*roles: str, subject: str = "test-user") -> str:
    return mint_token(AuthSettings(), subject=subject, roles=list(roles))


def auth_header(*roles: str, subject: str = "test-user") -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(*roles, subject=subject)}"}


AppFactory = Callable[..., Awaitable[tuple[FastAPI, httpx.AsyncClient]]]


@pytest.fixture
async def start_service(
    service_urls: dict[str, str], nats_server: EmbeddedNats
) -> AsyncIterator[AppFactory]:
    """``app, client = await start_service("sortition", **settings)``: the real app with its
    lifespan (database, NATS, relay, consumers) and an HTTP client bound to it."""
    import importlib

    async with contextlib.AsyncExitStack() as stack:

        async def start(
            service: str, *, definition: Any = None, **overrides: Any
        ) -> tuple[FastAPI, httpx.AsyncClient]:
            main = importlib.import_module(f"{service}.main")
            config = importlib.import_module(f"{service}.config")
            settings_class = next(
                v
                for k, v in vars(config).items()
                if k.endswith("Settings") and k != "ServiceSettings"
            )
            settings = settings_class(
                environment="test",
                database_url=service_urls[service],
                nats_url=nats_server.url,
                outbox_poll_seconds=0.5,
                **overrides,
            )
            if definition is None:
                app = main.create_app(settings)
            else:
                from common.service import create_app

                app = create_app(definition, settings)
            await stack.enter_async_context(app.router.lifespan_context(app))
            client = await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url=f"http://{service}"
                )
            )
            return app, client

        yield start


async def eventually(
    check: Callable[[], Awaitable[Any]], *, timeout: float = 30.0, interval: float = 0.1
) -> Any:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last: {result!r})")
        await asyncio.sleep(interval)
