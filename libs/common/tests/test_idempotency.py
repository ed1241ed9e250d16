"""A retry with the same Idempotency-Key while the first request still runs waits for it
and gets its response, instead of a 409."""

from __future__ import annotations

import asyncio
import itertools

from fastapi import APIRouter

from devstack.pytest_plugin import auth_header

OPERATOR = auth_header("operator")


async def test_a_retry_during_the_first_request_gets_its_response(start_service):
    from common.service import ServiceDefinition
    from responses.main import DEFINITION

    slow = APIRouter()
    started = asyncio.Event()
    counter = itertools.count(1)

    @slow.post("/v1/slow", summary="Slow", operation_id="slow", status_code=201)
    async def handle() -> dict[str, int]:
        started.set()
        await asyncio.sleep(0.5)
        return {"run": next(counter)}

    definition = ServiceDefinition(**{**DEFINITION.__dict__, "routers": [slow]})
    _, client = await start_service("responses", definition=definition)
    headers = {**OPERATOR, "Idempotency-Key": "once"}
    first = asyncio.create_task(client.post("/v1/slow", json={}, headers=headers))
    await started.wait()
    retry = await client.post("/v1/slow", json={}, headers=headers)
    original = await first
    assert original.status_code == 201
    assert original.json() == {"run": 1}
    assert retry.status_code == 201, retry.text
    assert retry.json() == {"run": 1}
    assert retry.headers["idempotent-replayed"] == "true"
    assert next(counter) == 2  # the handler ran once
