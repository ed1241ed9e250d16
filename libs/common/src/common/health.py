"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio
import logging

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from common.http.problems import problem_response, problem_responses

log = logging.getLogger(__name__)


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    checks: dict[str, str] = Field(
        default_factory=dict, examples=[{"database": "ok", "nats": "ok"}]
    )


async def _check_database(request: Request) -> str:
    try:
        async with asyncio.timeout(2):
            async with request.app.state.engine.connect() as connection:
                await connection.execute(sa.text("SELECT 1"))
        return "ok"
    except Exception as exc:
        return f"unavailable ({type(exc).__name__})"


async def _check_nats(request: Request) -> str:
    nc = getattr(request.app.state, "nats", None)
    if nc is None or not nc.is_connected:
        return "unavailable (not connected)"
    try:
        async with asyncio.timeout(2):
            await request.app.state.jetstream.account_info()
        return "ok"
    except Exception as exc:
        return f"unavailable ({type(exc).__name__})"


def health_router() -> APIRouter:
    router = APIRouter(prefix="/health", tags=["operations"])

    @router.get(
        "/live",
        operation_id="health-live",
        summary="Liveness",
        description="200 while the process serves requests.",
        response_model=Health,
    )
    async def live() -> Health:
        return Health(status="ok")

    @router.get(
        "/ready",
        operation_id="health-ready",
        summary="Readiness",
        description="200 when the database and NATS JetStream both answer, else 503.",
        response_model=Health,
        responses=problem_responses(503),
    )
    async def ready(request: Request) -> Health | JSONResponse:
        database, nats = await asyncio.gather(_check_database(request), _check_nats(request))
        checks = {"database": database, "nats": nats}
        if all(value == "ok" for value in checks.values()):
            return Health(status="ok", checks=checks)
        return problem_response(
            503,
            slug="not-ready",
            title="Not ready",
            detail="A dependency does not answer: "
            + ", ".join(f"{k} {v}" for k, v in checks.items() if v != "ok"),
            checks=checks,
        )

    return router
