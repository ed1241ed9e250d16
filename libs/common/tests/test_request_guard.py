"""Requests are judged before their bodies are read: the token first, then the media type
and the size; a value PostgreSQL cannot store, or a database that is away, is a problem a
client can act on, never a 500."""

from __future__ import annotations

import asyncio

import pytest
from problems_support import assert_problem

from common.db.engine import create_engine
from common.db.uow import uow_factory
from devstack.pytest_plugin import auth_header

OPERATOR = auth_header("operator")
DEPARTMENT = {"code": "DIR_AMBIENTE", "name": {"it": "Ambiente", "en": "Environment"}}


class Body:
    """A streamed request body that counts how much of it the server pulled."""

    def __init__(self, chunks: int, size: int = 64 * 1024) -> None:
        self.chunks, self.size, self.pulled = chunks, size, 0

    async def __aiter__(self):
        for _ in range(self.chunks):
            self.pulled += 1
            yield b"x" * self.size


async def test_an_anonymous_body_is_refused_before_it_is_read(start_service):
    _, responses = await start_service("responses")
    body = Body(chunks=800)  # 50 MB, if it were read
    response = await responses.post(
        "/v1/departments", content=body, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"
    assert body.pulled == 0
    forged = await responses.post(
        "/v1/departments",
        content=Body(chunks=800),
        headers={"Content-Type": "application/json", "Authorization": "Bearer nonsense"},
    )
    assert_problem(forged, 401, "invalid-token")


async def test_bodies_are_capped_as_they_stream(start_service):
    _, responses = await start_service("responses", max_json_body_bytes=4096)
    declared = await responses.post(
        "/v1/departments",
        content=b"{" + b" " * 5000 + b"}",
        headers={**OPERATOR, "Content-Type": "application/json"},
    )
    body = assert_problem(declared, 413, "payload-too-large")
    assert body["max_bytes"] == 4096
    streamed = Body(chunks=800, size=1024)  # no Content-Length: chunked
    response = await responses.post(
        "/v1/departments",
        content=streamed,
        headers={**OPERATOR, "Content-Type": "application/json"},
    )
    assert_problem(response, 413, "payload-too-large")
    assert streamed.pulled < 10
    fine = await responses.post("/v1/departments", json=DEPARTMENT, headers=OPERATOR)
    assert fine.status_code == 201, fine.text


async def test_an_upload_is_capped_while_it_streams(start_service):
    from sortition_support import open_round

    sortition, round_ = await open_round(start_service)
    _, sortition = await start_service("sortition", max_upload_bytes=200 * 1024)
    base = f"/v1/rounds/{round_['id']}"
    header = b"person_ref,household_ref,age,gender,citizenship,municipio\n"

    async def rows():
        yield header
        for block in range(100):
            yield b"".join(f"P{block}-{i},H{block}-{i},40,F,IT,M1\n".encode() for i in range(1000))

    response = await sortition.put(
        f"{base}/extract", content=rows(), headers={**OPERATOR, "Content-Type": "text/csv"}
    )
    assert_problem(response, 413, "payload-too-large")
    status = (await sortition.get(f"{base}/extract", headers=OPERATOR)).json()
    assert status["status"] == "failed"
    assert status["error"]["slug"] == "payload-too-large"


async def test_media_types_are_the_documented_ones(start_service):
    _, responses = await start_service("responses")
    wrong = await responses.post(
        "/v1/departments",
        content=b"code=X",
        headers={**OPERATOR, "Content-Type": "application/x-www-form-urlencoded"},
    )
    body = assert_problem(wrong, 415, "unsupported-media-type")
    assert body["accepted"] == ["application/json"]


@pytest.mark.parametrize(
    "name", ["Ambiente\u0000", "\u0000", "a\u0000b"], ids=["end", "alone", "middle"]
)
async def test_a_nul_character_is_a_422_not_a_500(start_service, name):
    _, responses = await start_service("responses")
    response = await responses.post(
        "/v1/departments",
        json={**DEPARTMENT, "name": {"it": name, "en": "x"}},
        headers=OPERATOR,
    )
    assert_problem(response, 422, "invalid-character")
    # an escaped backslash before "u0000" is no NUL
    fine = await responses.post(
        "/v1/departments",
        json={**DEPARTMENT, "name": {"it": "\\u0000", "en": "x"}},
        headers=OPERATOR,
    )
    assert fine.status_code == 201, fine.text
    query = await responses.get(
        "/v1/departments", params={"page_token": "a\u0000"}, headers=OPERATOR
    )
    assert_problem(query, 422, "invalid-character")


async def test_while_the_database_is_away_requests_get_a_503_with_retry_after(start_service):
    app, responses = await start_service("responses")
    from responses.main import DEFINITION

    away = create_engine("postgresql+asyncpg://nobody@127.0.0.1:9/nothing", schema="responses")
    working = app.state.uow_factory, app.state.read_uow_factory
    app.state.uow_factory = uow_factory(away, tables=DEFINITION.tables, source="responses")
    app.state.read_uow_factory = uow_factory(
        away, tables=DEFINITION.tables, source="responses", read_only=True
    )
    try:
        for call in (
            responses.get("/v1/departments", headers=OPERATOR),
            responses.post("/v1/departments", json=DEPARTMENT, headers=OPERATOR),
            responses.get("/public/v1/departments"),
        ):
            response = await asyncio.wait_for(call, 30)
            if response.status_code == 404:  # a route this service does not have
                continue
            assert_problem(response, 503, "service-unavailable")
            assert int(response.headers["retry-after"]) > 0
    finally:
        app.state.uow_factory, app.state.read_uow_factory = working
        await away.dispose()
    back = await responses.get("/v1/departments", headers=OPERATOR)
    assert back.status_code == 200
