"""Schemathesis against each service's own OpenAPI document, over real HTTP.

For every service the real app (full lifespan: PostgreSQL, NATS, relay, consumers) runs
under uvicorn in a thread of its own, with its own event loop, for the whole module: the
lifespan's connections belong to that loop, and Hypothesis drives synchronous tests.
Schemathesis loads ``/openapi.json`` from it and, for each operation, sends the
documented examples, the coverage phase's boundary cases and ``MAX_EXAMPLES`` generated
ones (valid and invalid), once with an operator's token and once with none. A response
fails the test if it is a 5xx, or if its status, content type or body is not one that
the document gives for that operation.

One test per service and caller (8 in all); each operation is a pytest subtest, so a
failure names its ``[METHOD /path]`` and shows the curl line that reproduces it. As with
any Hypothesis test, an operation reports the first failure it finds (shrunk), not all.

``FUZZ_MAX_EXAMPLES`` and ``FUZZ_SEED`` change the budget and the seed (fixed by default,
so a run is repeatable; ``FUZZ_SEED=random`` explores).
"""

from __future__ import annotations

import asyncio
import importlib
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
import requests
import schemathesis
import uvicorn
from schemathesis.config import SchemathesisConfig

from devstack.nats import EmbeddedNats, free_port
from devstack.provision import service_url, with_database
from devstack.pytest_plugin import auth_header

SERVICES = ("sortition", "membership", "deliberation", "responses")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "20"))
_SEED = os.environ.get("FUZZ_SEED", "20240601")
SEED = None if _SEED == "random" else int(_SEED)

pytestmark = pytest.mark.slow


def _let_schemathesis_rename_subtests() -> None:
    """schemathesis 4.32.5's lazy schemas rename the running test through ``node._nodeid``,
    which pytest 9.2 replaced with a structured ``node._id``; give it the old name back."""
    from _pytest.nodeid import coerce_node_id
    from _pytest.python import Function

    if not hasattr(Function, "_nodeid"):
        Function._nodeid = property(  # type: ignore[attr-defined]
            lambda self: self.nodeid,
            lambda self, value: setattr(self, "_id", coerce_node_id(value)),
        )


_let_schemathesis_rename_subtests()


@dataclass(frozen=True)
class LiveService:
    name: str
    base_url: str


def _settings(service: str, **values: Any) -> Any:
    config = importlib.import_module(f"{service}.config")
    settings_class = next(
        v for k, v in vars(config).items() if k.endswith("Settings") and k != "ServiceSettings"
    )
    return settings_class(**values)


async def _create_database(admin_url: str, name: str, template: str) -> None:
    connection = await asyncpg.connect(with_database(admin_url, "postgres"))
    try:
        await connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await connection.close()


async def _drop_database(admin_url: str, name: str) -> None:
    connection = await asyncpg.connect(with_database(admin_url, "postgres"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(scope="module", params=SERVICES)
def live_service(
    request: pytest.FixtureRequest,
    pg_admin_url: str,
    template_database: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveService]:
    """The service under uvicorn on a free port, with its own database and nats-server,
    shared by its two tests (the module-scoped twin of ``database`` + ``start_service``)."""
    service: str = request.param
    database = f"f_{uuid.uuid4().hex[:16]}"
    asyncio.run(_create_database(pg_admin_url, database, template_database))
    nats = EmbeddedNats(tmp_path_factory.mktemp(f"nats-{service}") / "jetstream", free_port())
    nats.start()
    try:
        nats.wait_ready()
        # Sortition asks membership for rotation-aware quotas: a closed port, not whatever
        # happens to listen on the default one.
        extra = (
            {"membership_url": f"http://127.0.0.1:{free_port()}"} if service == "sortition" else {}
        )
        settings = _settings(
            service,
            environment="test",
            database_url=service_url(pg_admin_url, database, service),
            nats_url=nats.url,
            outbox_poll_seconds=0.5,
            log_level="WARNING",
            **extra,
        )
        app = importlib.import_module(f"{service}.main").create_app(settings)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning")
        )
        thread = threading.Thread(target=server.run, name=f"uvicorn-{service}", daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                pytest.fail(f"{service} did not start under uvicorn")
            time.sleep(0.05)
        try:
            yield LiveService(service, f"http://127.0.0.1:{port}")
        finally:
            server.should_exit = True
            thread.join(30)
    finally:
        nats.stop()
        asyncio.run(_drop_database(pg_admin_url, database))


@pytest.fixture(params=["operator", "anonymous"])
def caller_headers(request: pytest.FixtureRequest) -> dict[str, str]:
    """The headers every request carries: an operator's bearer token, or nothing."""
    return auth_header("operator") if request.param == "operator" else {}


@pytest.fixture
def http_session() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture
def api_schema(live_service: LiveService, caller_headers: dict[str, str]) -> Any:
    # `caller_headers` is asked for here, not only by the test: schemathesis resolves the
    # test's own arguments at run time, too late for pytest to parametrize over them.
    seed: dict[str, Any] = {} if SEED is None else {"seed": SEED}
    config = SchemathesisConfig.from_dict(
        {
            **seed,
            "generation": {
                "mode": "all",
                "max-examples": MAX_EXAMPLES,
                # Bearer tokens come from `caller_headers` alone: the anonymous run sends none.
                "with-security-parameters": False,
                # No .hypothesis/examples: a run depends on the seed alone.
                "database": "none",
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
            "request-timeout": 30,
        }
    )
    return schemathesis.openapi.from_url(
        f"{live_service.base_url}/openapi.json", config=config, timeout=30
    )


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_openapi_fuzz(
    case: schemathesis.Case,
    live_service: LiveService,
    caller_headers: dict[str, str],
    http_session: requests.Session,
) -> None:
    case.call_and_validate(
        base_url=live_service.base_url, headers=caller_headers, session=http_session
    )
