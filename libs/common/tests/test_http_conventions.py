"""What every response carries, the docs served from the service itself, and content
negotiation that honours q-values."""

from __future__ import annotations

import pytest

from common.http.negotiation import choose
from devstack.pytest_plugin import auth_header

OPERATOR = auth_header("operator")


async def test_the_docs_load_nothing_from_elsewhere(start_service):
    _, client = await start_service("deliberation")
    for page in ("/docs", "/redoc"):
        html = await client.get(page)
        assert html.status_code == 200
        assert "http://" not in html.text.replace("http://deliberation", "")
        assert "https://" not in html.text
        assert "/docs/assets/" in html.text
        assert "'self'" in html.headers["content-security-policy"]
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        response = await client.get(f"/docs/assets/{asset}")
        assert response.status_code == 200, asset
        assert len(response.content) > 10_000


async def test_security_headers_on_every_response(start_service):
    _, client = await start_service("deliberation")
    private = await client.get("/v1/pac-actions", headers=OPERATOR)
    public = await client.get("/public/v1/pac-actions")
    refused = await client.get("/v1/pac-actions")
    for response in (private, public, refused):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        assert "server" not in response.headers
        assert "strict-transport-security" not in response.headers  # only in production
    assert private.headers["cache-control"] == "no-store"
    assert "no-store" not in public.headers.get("cache-control", "")


async def test_every_error_is_documented_as_a_problem(start_service):
    for service in ("sortition", "membership", "deliberation", "responses"):
        _, client = await start_service(service)
        schema = (await client.get("/openapi.json")).json()
        assert "HTTPValidationError" not in str(schema)
        for path, item in schema["paths"].items():
            for method, operation in item.items():
                for status, response in operation["responses"].items():
                    if status.startswith(("4", "5")):
                        assert "application/problem+json" in response["content"], (
                            service,
                            method,
                            path,
                            status,
                        )
                if "requestBody" in operation:
                    assert {"400", "413", "415", "422"} <= set(operation["responses"])
                if path.startswith("/v1/"):
                    assert {"401", "403"} <= set(operation["responses"]), (method, path)


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/json"),
        ("application/json, text/csv;q=0.5", "application/json"),
        ("text/csv, application/json;q=0.5", "text/csv"),
        ("text/*", "text/csv"),
        ("*/*", "application/json"),
        ("application/json;q=0, text/csv;q=0.1", "text/csv"),
        ("image/png", None),
    ],
)
def test_accept_q_values_decide(accept, chosen):
    assert choose(accept, ["application/json", "text/csv"]) == chosen


async def test_quotas_follow_the_q_values(start_service):
    from sortition_support import open_round

    sortition, round_ = await open_round(start_service)
    url = f"/v1/rounds/{round_['id']}/quotas"
    preferring_json = await sortition.get(
        url, headers={**OPERATOR, "Accept": "application/json, text/csv;q=0.5"}
    )
    assert preferring_json.headers["content-type"].startswith("application/json")
    preferring_csv = await sortition.get(
        url, headers={**OPERATOR, "Accept": "application/json;q=0.4, text/csv"}
    )
    assert preferring_csv.headers["content-type"].startswith("text/csv")
    neither = await sortition.get(url, headers={**OPERATOR, "Accept": "application/xml"})
    assert neither.status_code == 406


async def test_a_405_names_every_method_of_the_path(start_service):
    _, client = await start_service("membership")
    from sortition_support import ASSEMBLY

    created = await client.post("/v1/assemblies", json=ASSEMBLY, headers=OPERATOR)
    response = await client.delete(f"/v1/assemblies/{created.json()['id']}", headers=OPERATOR)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, PUT"
    assert response.headers["content-type"] == "application/problem+json"
