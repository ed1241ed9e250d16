"""Every error, whatever its cause, is an RFC 9457 problem document."""

from __future__ import annotations

import uuid

import httpx
import jwt
import pytest
from fastapi import APIRouter
from problems_support import assert_problem

from common.http.deps import Tx
from common.settings import AuthSettings
from devstack.pytest_plugin import auth_header, eventually


async def test_errors_of_every_kind_are_problems(start_service):
    _, membership = await start_service("membership")
    _, sortition = await start_service("sortition")
    operator = auth_header("operator")

    assert_problem(await sortition.get("/v1/rounds"), 401, "unauthorized")
    garbage = {"Authorization": "Bearer not-a-jwt"}
    assert_problem(await sortition.get("/v1/rounds", headers=garbage), 401, "invalid-token")
    forged = jwt.encode(
        {
            "sub": "x",
            "roles": ["operator"],
            "iss": "assemblea-clima-local",
            "aud": "assemblea-clima",
            "exp": 4_000_000_000,
        },
        "some-other-secret-of-sufficient-length-0123456789",
        algorithm="HS256",
    )
    forged_response = await sortition.get(
        "/v1/rounds", headers={"Authorization": f"Bearer {forged}"}
    )
    assert_problem(forged_response, 401, "invalid-token")
    assert forged_response.headers["www-authenticate"].startswith("Bearer")
    expired = jwt.encode(
        {
            "sub": "x",
            "roles": ["operator"],
            "iss": "assemblea-clima-local",
            "aud": "assemblea-clima",
            "exp": 1_000_000_000,
        },
        AuthSettings().jwt_secret.get_secret_value(),
        algorithm="HS256",
    )
    assert_problem(
        await sortition.get("/v1/rounds", headers={"Authorization": f"Bearer {expired}"}), 401
    )
    assert_problem(
        await sortition.post("/v1/rounds", json={}, headers=auth_header("member")), 403, "forbidden"
    )
    assert_problem(await sortition.get("/v1/nowhere", headers=operator), 404, "not-found")
    assert_problem(
        await sortition.get(f"/v1/rounds/{uuid.uuid4()}", headers=operator), 404, "not-found"
    )
    assert_problem(await sortition.delete("/v1/rounds", headers=operator), 405)

    invalid = assert_problem(
        await sortition.post(
            "/v1/rounds", json={"assembly_id": "x", "panel_size": 0}, headers=operator
        ),
        422,
        "validation-failed",
    )
    locations = {tuple(e["location"]) for e in invalid["errors"]}
    assert {("body", "assembly_id"), ("body", "panel_size"), ("body", "cohort")} <= locations
    assert_problem(
        await sortition.post(
            "/v1/rounds", content=b"{oops", headers={**operator, "content-type": "application/json"}
        ),
        422,
    )
    assert_problem(await sortition.get("/v1/rounds/not-a-uuid", headers=operator), 422)
    assert_problem(
        await sortition.post(
            "/v1/rounds",
            json={"assembly_id": str(uuid.uuid4()), "cohort": "1", "panel_size": 90},
            headers=operator,
        ),
        422,
        "unknown-assembly",
    )

    assembly = await membership.post(
        "/v1/assemblies",
        json={
            "name": {"it": "A", "en": "A"},
            "seats": 90,
            "rotation": {"cohort_size": 90, "cohort_interval_months": 12, "term_months": 12},
        },
        headers=operator,
    )
    assembly_id = assembly.json()["id"]
    round_ = {"assembly_id": assembly_id, "cohort": "1", "panel_size": 90}

    async def opened() -> httpx.Response | None:
        response = await sortition.post("/v1/rounds", json=round_, headers=operator)
        return response if response.status_code == 201 else None

    await eventually(opened)  # once membership's event has reached sortition
    assert_problem(
        await sortition.post("/v1/rounds", json=round_, headers=operator), 409, "round-exists"
    )
    too_big = {**round_, "cohort": "2", "panel_size": 91}
    assert_problem(
        await sortition.post("/v1/rounds", json=too_big, headers=operator),
        422,
        "panel-larger-than-assembly",
    )
    url = f"/v1/assemblies/{assembly_id}"
    body = assembly.json()
    change = {k: body[k] for k in ("name", "seats", "min_age", "rotation")}
    assert_problem(await membership.put(url, json=change, headers=operator), 428)
    assert_problem(
        await membership.put(url, json=change, headers={**operator, "If-Match": '"9"'}), 412
    )
    assert_problem(
        await membership.post(
            "/v1/assemblies", json=change, headers={**operator, "Idempotency-Key": "x" * 300}
        ),
        422,
        "invalid-idempotency-key",
    )


async def test_an_unexpected_failure_is_a_problem_without_details(start_service):
    from common.service import ServiceDefinition
    from responses.main import DEFINITION

    broken = APIRouter()

    @broken.get("/v1/broken", summary="Fails", operation_id="broken")
    async def fail() -> None:
        raise RuntimeError("secret internals")

    definition = ServiceDefinition(**{**DEFINITION.__dict__, "routers": [broken]})
    app, _ = await start_service("responses", definition=definition)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://responses") as client:
        response = await client.get("/v1/broken")
    body = assert_problem(response, 500, "internal-error")
    assert "secret internals" not in response.text
    assert body["detail"]


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("sortition", "/public/v1/rounds"),
        ("deliberation", "/public/v1/sessions"),
        ("responses", "/public/v1/departments"),
    ],
)
async def test_public_routes_need_no_token(start_service, service, path):
    _, client = await start_service(service)
    response = await client.get(path)
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_page_token": None}
    if service == "deliberation":  # the PAC catalogue is seeded
        assert (await client.get("/public/v1/pac-actions")).json()["items"]


async def test_a_database_error_logs_no_value_it_was_given(start_service, capfd):
    import sqlalchemy as sa

    from common.service import ServiceDefinition
    from responses.main import DEFINITION

    broken = APIRouter()

    @broken.get("/v1/cast", summary="Casts", operation_id="cast")
    async def cast(uow: Tx) -> None:
        await uow.session.execute(
            sa.text("SELECT CAST(CAST(:v AS text) AS integer)"), {"v": "Kanarinparam Rossi"}
        )

    definition = ServiceDefinition(**{**DEFINITION.__dict__, "routers": [broken]})
    app, _ = await start_service("responses", definition=definition)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://responses") as client:
        response = await client.get("/v1/cast", headers=auth_header("operator"))
    assert_problem(response, 500, "internal-error")
    logs = capfd.readouterr()
    assert "(message withheld: it may quote values) SQLSTATE 22" in logs.err
    assert "Kanarinparam" not in logs.err + logs.out
    assert "Kanarinparam" not in response.text
