"""The composition root shared by the four services: one FastAPI app per service.

A service declares what it is (:class:`ServiceDefinition`); :func:`create_app` wires the
database, NATS, the outbox relay, the consumers, the HTTP conventions and the docs.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from http import HTTPStatus
from typing import Any

import nats
from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from nats.aio.client import Client as NATS

from common.auth import TokenVerifier
from common.db.engine import create_engine
from common.db.platform_tables import PlatformTables
from common.db.uow import uow_factory
from common.events.consumer import EventConsumer, Handler
from common.events.contracts import ContractHandler
from common.events.dead_letters import dead_letters_router
from common.events.relay import OutboxRelay
from common.events.streams import ConsumerSpec, ensure_stream
from common.health import health_router
from common.http.docs import install_docs
from common.http.guard import BodyLimits, RequestGuardMiddleware
from common.http.idempotency import IdempotencyMiddleware
from common.http.middleware import RequestContextMiddleware
from common.http.problems import PROBLEM_MEDIA_TYPE, Problem, install_problem_handlers
from common.http.security import SecurityHeadersMiddleware
from common.logs import configure_logging
from common.observability import install_metrics
from common.settings import ServiceSettings
from common.tasks import cancel_and_wait

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subscription:
    """The events a service consumes from one other service, with their handlers."""

    producer: str
    handlers: dict[str, Handler]

    @classmethod
    def of(cls, *handlers: ContractHandler[Any]) -> Subscription:
        """The subscription of handlers for one producer's contracts, by their types."""
        producers = {h.contract.producer() for h in handlers}
        if len(producers) != 1:
            raise ValueError(f"one producer per subscription, not {sorted(producers)}")
        return cls(producer=producers.pop(), handlers={h.contract.TYPE: h for h in handlers})


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    title: str
    description: str
    version: str
    tables: PlatformTables
    routers: Sequence[APIRouter]
    tags: Sequence[dict[str, str]] = ()
    subscriptions: Sequence[Subscription] = field(default_factory=tuple)
    #: Long-running background work (schedules, retention), started with the relay and
    #: the consumers when ``run_workers`` is set and cancelled on shutdown.
    workers: Sequence[Callable[[FastAPI], Coroutine[Any, Any, None]]] = field(default_factory=tuple)
    #: Clients the service holds for its whole life (another service's API): entered when
    #: the app starts, closed when it stops.
    resources: Sequence[Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]] = field(
        default_factory=tuple
    )
    #: Paths (regular expressions) whose POSTs are never remembered for ``Idempotency-Key``
    #: (a secret ballot: the stored request would sit beside its voter).
    unremembered: Sequence[str] = ()

    def consumer_specs(self, settings: ServiceSettings) -> list[tuple[ConsumerSpec, Subscription]]:
        return [
            (
                ConsumerSpec(
                    consumer_service=self.name,
                    producer_service=s.producer,
                    subjects=tuple(s.handlers),
                    max_deliver=settings.consumer_max_deliver,
                    ack_wait_seconds=settings.consumer_ack_wait_seconds,
                ),
                s,
            )
            for s in self.subscriptions
        ]


COMMON_TAGS = [
    {"name": "operations", "description": "Health, metrics and dead letters, for operators."},
]


def plain_dsn(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def connect_nats(url: str, *, name: str, timeout: float = 30.0) -> NATS:
    """Connect, retrying until ``timeout``; once connected, reconnect forever."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            return await nats.connect(
                url,
                name=name,
                connect_timeout=2,
                max_reconnect_attempts=-1,
                reconnect_time_wait=1,
            )
        except Exception:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)


def create_app(definition: ServiceDefinition, settings: ServiceSettings) -> FastAPI:
    name = definition.name
    handlers: dict[str, Handler] = {}
    for subscription in definition.subscriptions:
        handlers.update(subscription.handlers)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(name, settings.log_level)
        engine = create_engine(
            settings.sqlalchemy_url, schema=name, pool_size=settings.database_pool_size
        )
        reads = create_engine(
            settings.sqlalchemy_url,
            schema=name,
            pool_size=settings.database_pool_size,
            read_only=True,
        )
        app.state.engine, app.state.read_engine = engine, reads
        app.state.uow_factory = uow_factory(engine, tables=definition.tables, source=name)
        app.state.read_uow_factory = uow_factory(
            reads, tables=definition.tables, source=name, read_only=True
        )
        nc = await connect_nats(settings.nats_url, name=name)
        js = nc.jetstream(timeout=5)
        app.state.nats, app.state.jetstream = nc, js
        tasks: list[asyncio.Task[Any]] = []
        resources = contextlib.AsyncExitStack()
        thresholds = gc.get_threshold()
        try:
            for resource in definition.resources:
                await resources.enter_async_context(resource(app))
            await ensure_stream(js, name)
            if settings.run_workers:
                relay = OutboxRelay(
                    engine=engine,
                    tables=definition.tables,
                    js=js,
                    listen_dsn=plain_dsn(settings.sqlalchemy_url),
                    poll_seconds=settings.outbox_poll_seconds,
                )
                tasks.append(asyncio.create_task(relay.run(), name=f"{name}-outbox-relay"))
                for spec, subscription in definition.consumer_specs(settings):
                    consumer = EventConsumer(
                        js=js,
                        spec=spec,
                        handlers=subscription.handlers,
                        uow_factory=app.state.uow_factory,
                        backoff_seconds=settings.consumer_backoff_seconds,
                    )
                    tasks.append(asyncio.create_task(consumer.run(), name=spec.durable))
                for worker in definition.workers:
                    tasks.append(asyncio.create_task(worker(app), name=f"{name}-{worker.__name__}"))
            # What start-up built (the app, its schemas, the mapped tables) lives as long
            # as the process: keep it out of the collector's full passes, which would
            # otherwise walk it again and again while requests wait.
            gc.freeze()
            # A request allocates thousands of short-lived objects: collect the young
            # generation every 20,000 allocations rather than every 700.
            gc.set_threshold(20_000, 10, 10)
            log.info("service started", extra={"workers": len(tasks)})
            yield
        finally:
            gc.unfreeze()
            gc.set_threshold(*thresholds)
            await cancel_and_wait(tasks)
            await resources.aclose()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(5):
                    await nc.drain()
            await engine.dispose()
            await reads.dispose()
            log.info("service stopped")

    app = FastAPI(
        title=definition.title,
        description=definition.description,
        version=definition.version,
        openapi_tags=[*definition.tags, *COMMON_TAGS],
        lifespan=lifespan,
        responses={},
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.verifier = TokenVerifier(settings.auth)
    app.state.handlers = handlers
    app.state.definition = definition

    install_problem_handlers(app)
    install_metrics(app, name)
    app.add_middleware(
        IdempotencyMiddleware,
        engine_of=lambda: app.state.engine,
        tables=definition.tables,
        verifier=app.state.verifier,
        ttl=timedelta(hours=settings.idempotency_ttl_hours),
        unremembered=definition.unremembered,
    )
    app.add_middleware(
        RequestGuardMiddleware,
        openapi_of=lambda: app.openapi(),
        verifier=app.state.verifier,
        limits=BodyLimits(
            json_bytes=settings.max_json_body_bytes, upload_bytes=settings.max_upload_bytes
        ),
    )
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.environment == "production")
    install_docs(app)
    app.include_router(health_router())
    app.include_router(dead_letters_router())
    for router in definition.routers:
        app.include_router(router)
    _register_problem_schema(app)
    return app


def _register_problem_schema(app: FastAPI) -> None:
    """Make sure ``#/components/schemas/Problem`` exists for the problem responses."""
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault(
            "Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        )
        for name, sub in (
            Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            .get("$defs", {})
            .items()
        ):
            components.setdefault(name, sub)
        components["Problem"].pop("$defs", None)
        _document_common_problems(schema)
        _document_roles(schema, app)
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Retry safely: the same key with the same body returns the first response "
    "(marked `Idempotent-Replayed: true`), also while the first is still running; the same "
    "key with another body is a 422. 1 to 200 printable characters; kept 24 hours.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "example": "registration-7f3c2a",
}


def _document_common_problems(schema: dict[str, Any]) -> None:
    """What every route may answer whatever it does, documented on every operation as
    the problem documents they are (FastAPI's own 422 is a plain JSON schema of its own):
    a 401 and 403 on authenticated routes, the body's 400, 413, 415 and 422 where a route
    takes a body, a 422 for bad parameters, a 404 where the path names a record, and a
    503 while the database is away."""
    problem = {
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    }
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = [503]
            if path.startswith("/v1/"):
                statuses += [401, 403]
            if operation.get("parameters"):
                statuses.append(422)
            if method == "post" and path.startswith("/v1/"):
                operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "header" and parameter.get("name") == "If-Match":
                    # Optional to FastAPI (so that a missing one is our 428, not a 422),
                    # required to a client.
                    parameter["required"] = True
                    parameter["schema"] = {"type": "string", "examples": ['"3"']}
                    statuses += [412, 428]
            if "{" in path:
                statuses.append(404)  # the named record does not exist
            if "requestBody" in operation:
                statuses += [400, 413, 415, 422]
            responses = operation["responses"]
            for status in statuses:
                entry = responses.get(str(status))
                if entry is None:
                    responses[str(status)] = {"description": HTTPStatus(status).phrase, **problem}
                elif PROBLEM_MEDIA_TYPE not in entry.get("content", {}):
                    entry["content"] = problem["content"]
            for status, entry in responses.items():
                if status.startswith(("4", "5")):
                    entry["content"] = problem["content"]


def _routes(routes: Sequence[Any]) -> list[APIRoute]:
    """Every API route, through the routers included in the app."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif (inner := getattr(route, "original_router", None)) is not None:
            found += _routes(inner.routes)
    return found


def _roles_of(dependant: Dependant) -> frozenset[str] | None:
    for dependency in dependant.dependencies:
        roles = getattr(dependency.call, "roles", None)
        if roles is not None:
            return frozenset(roles)
        if (inner := _roles_of(dependency)) is not None:
            return inner
    return None


def _document_roles(schema: dict[str, Any], app: FastAPI) -> None:
    """Each operation says which roles it admits (``x-roles``, and a line in its
    description): the operators' manual, and what the authorisation tests hold it to."""
    for route in _routes(app.routes):
        roles = _roles_of(route.dependant)
        if roles is None:
            continue
        listed = sorted(roles) or ["any"]
        for method in route.methods or ():
            operation = schema["paths"].get(route.path, {}).get(method.lower())
            if operation is None:
                continue
            operation["x-roles"] = listed
            line = f"Roles: {', '.join(listed)}."
            operation["description"] = "\n\n".join(
                part for part in (operation.get("description"), line) if part
            )
