"""The read path: routes that only read use a read-only, autocommit connection; nothing on
it can write; connections the database drops are replaced; no dependency runs on a thread."""

from __future__ import annotations

import inspect

import asyncpg
import pytest
import sqlalchemy as sa
from fastapi.dependencies.models import Dependant

from common.contracts.sortition import RoundOpened
from common.service import _routes
from devstack.provision import with_database
from devstack.pytest_plugin import auth_header

OPERATOR = auth_header("operator")
ACTION = {"code": "4.2.8", "title": {"it": "Azione", "en": "Action"}}


async def test_a_unit_of_reads_cannot_write(start_service):
    app, _ = await start_service("deliberation")
    async with app.state.read_uow_factory() as uow:
        assert uow.read_only
        with pytest.raises(sa.exc.DBAPIError) as refused:
            await uow.session.execute(
                sa.text(
                    "INSERT INTO pac_actions (id, code, ambito, title, version) VALUES "
                    "(gen_random_uuid(), '1.1.1', 1, '{}', 1)"
                )
            )
        assert getattr(refused.value.orig, "sqlstate", None) == "25006"  # read-only
    async with app.state.read_uow_factory() as uow:
        with pytest.raises(RuntimeError, match="ReadTx"):
            uow.emit(RoundOpened.model_construct())
        with pytest.raises(RuntimeError, match="ReadTx"):
            uow.after_commit(lambda: None)


async def test_reads_see_what_was_committed_and_survive_dropped_connections(
    start_service, pg_admin_url, database
):
    _, client = await start_service("deliberation")
    assert (await client.post("/v1/pac-actions", json=ACTION, headers=OPERATOR)).status_code == 201
    listed = await client.get("/public/v1/pac-actions")
    assert [a["code"] for a in listed.json()["items"]][-1] == "4.2.8"  # after the seeded ones

    # The database drops every connection of the service (a restart, a failover).
    admin = await asyncpg.connect(with_database(pg_admin_url, database))
    try:
        dropped = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = $1 AND usename = 'deliberation'",
            database,
        )
    finally:
        await admin.close()
    assert dropped >= 1
    first = await client.get("/public/v1/pac-actions")
    assert first.status_code in (200, 503)  # a stale connection found: retry later
    if first.status_code == 503:
        assert int(first.headers["retry-after"]) > 0
    for _ in range(3):
        again = await client.get("/public/v1/pac-actions")
        assert again.status_code == 200
        assert [a["code"] for a in again.json()["items"]][-1] == "4.2.8"
    written = await client.post(
        "/v1/pac-actions", json={**ACTION, "code": "4.2.9"}, headers=OPERATOR
    )
    assert written.status_code in (201, 503)


def _dependencies(dependant: Dependant) -> list[Dependant]:
    found = []
    for dependency in dependant.dependencies:
        found += [dependency, *_dependencies(dependency)]
    return found


@pytest.mark.parametrize("service", ["sortition", "membership", "deliberation", "responses"])
def test_no_dependency_runs_on_the_thread_pool(service):
    """A plain ``def`` dependency is run on a worker thread for every request: a hop that
    costs more than most dependencies do. Every dependency of every route is async."""
    import importlib

    app = importlib.import_module(f"{service}.main").create_app()
    sync = sorted(
        {
            f"{route.path}: {getattr(d.call, '__qualname__', d.call)}"
            for route in _routes(app.routes)
            for d in _dependencies(route.dependant)
            if d.call is not None
            and not (
                inspect.iscoroutinefunction(d.call)
                or inspect.isasyncgenfunction(d.call)
                or inspect.iscoroutinefunction(type(d.call).__call__)
            )
        }
    )
    assert sync == []
