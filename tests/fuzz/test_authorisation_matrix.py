"""The authorisation matrix, generated from each service's own OpenAPI document.

Every ``/v1`` operation declares the roles it admits (``x-roles``); an operation without
one fails the test. Each is called with no token, a malformed one, an expired one, one
signed with another key, one for another audience, and a valid token for each role: the
first five must be a 401, a role the operation does not name a 403, and a role it names
must get past authorisation (any answer but 401 and 403: a 404 for the random ids, a 422
for the empty body, and so on)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from common.auth import ROLES
from common.settings import AuthSettings
from devstack.pytest_plugin import token_for

SERVICES = ("sortition", "membership", "deliberation", "responses")


def _claims(**changes) -> dict:
    settings = AuthSettings()
    now = datetime.now(UTC)
    return {
        "sub": "matrix",
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": now,
        "exp": now + timedelta(hours=1),
        "roles": list(ROLES),
        **changes,
    }


SECRET = AuthSettings().jwt_secret.get_secret_value()
REFUSED = {
    "no token": None,
    "malformed": "Bearer not.a.jwt",
    "expired": "Bearer "
    + jwt.encode(_claims(exp=datetime.now(UTC) - timedelta(hours=1)), SECRET, "HS256"),
    "another key": "Bearer "
    + jwt.encode(_claims(), "another-secret-of-sufficient-length-0123456789", "HS256"),
    "another audience": "Bearer " + jwt.encode(_claims(aud="elsewhere"), SECRET, "HS256"),
    "not bearer": "Basic b3BlcmF0b3I6c2VjcmV0",
}


def _request(path: str, operation: dict) -> tuple[str, dict[str, str], bytes | None]:
    url = re.sub(r"\{[^}]+\}", str(uuid.UUID(int=0)), path)
    content = operation.get("requestBody", {}).get("content", {})
    if not content:
        return url, {}, None
    media = "application/json" if "application/json" in content else sorted(content)[0]
    body = b"{}" if media == "application/json" else b"a,b\n1,2\n"
    return url, {"Content-Type": media}, body


@pytest.mark.parametrize("service", SERVICES)
async def test_every_operation_admits_exactly_its_roles(start_service, service):
    _, client = await start_service(service)
    schema = (await client.get("/openapi.json")).json()
    operations = [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        if path.startswith("/v1/")
        for method, operation in item.items()
    ]
    assert operations
    undeclared = [f"{m} {p}" for m, p, op in operations if not op.get("x-roles")]
    assert not undeclared, f"operations without declared roles: {undeclared}"
    wrong: list[str] = []
    for method, path, operation in operations:
        url, headers, body = _request(path, operation)
        for name, authorization in REFUSED.items():
            sent = {**headers, **({"Authorization": authorization} if authorization else {})}
            response = await client.request(method, url, headers=sent, content=body)
            if response.status_code != 401:
                wrong.append(f"{method} {path} with {name}: {response.status_code}")
        admitted = set(operation["x-roles"])
        for role in ROLES:
            sent = {**headers, "Authorization": f"Bearer {token_for(role, subject='matrix')}"}
            response = await client.request(method, url, headers=sent, content=body)
            expected_refusal = "any" not in admitted and role not in admitted
            if expected_refusal and response.status_code != 403:
                wrong.append(f"{method} {path} as {role}: {response.status_code}, not 403")
            if not expected_refusal and response.status_code in (401, 403):
                body_text = response.text[:200]
                wrong.append(f"{method} {path} as {role}: {response.status_code} {body_text}")
    assert not wrong, "\n".join(wrong)
