import httpx

from devstack.pytest_plugin import auth_header

OPERATOR = auth_header("operator")
PILOT = {
    "name": {"it": "Assemblea pilota", "en": "Pilot assembly"},
    "seats": 90,
    "min_age": 16,
    "rotation": {"cohort_size": 45, "cohort_interval_months": 3, "term_months": 6},
}
SINCE_2024 = {
    **PILOT,
    "name": {"it": "Assemblea 2024", "en": "Assembly 2024"},
    "rotation": {"cohort_size": 90, "cohort_interval_months": 12, "term_months": 12},
}


async def test_both_milan_rotation_models_are_accepted(start_service):
    _, client = await start_service("membership")
    for body in (PILOT, SINCE_2024):
        response = await client.post("/v1/assemblies", json=body, headers=OPERATOR)
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["rotation"]["cohort_size"] == body["rotation"]["cohort_size"]
        assert response.headers["etag"] == '"1"'
        assert response.headers["location"] == f"/v1/assemblies/{created['id']}"


async def test_rotation_that_leaves_seats_empty_is_a_problem(start_service):
    _, client = await start_service("membership")
    body = {**PILOT, "rotation": {**PILOT["rotation"], "cohort_size": 40}}
    response = await client.post("/v1/assemblies", json=body, headers=OPERATOR)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith(":rotation-does-not-tile")


async def test_update_needs_the_current_etag(start_service):
    _, client = await start_service("membership")
    created = (await client.post("/v1/assemblies", json=PILOT, headers=OPERATOR)).json()
    url = f"/v1/assemblies/{created['id']}"

    missing = await client.put(url, json=SINCE_2024, headers=OPERATOR)
    assert missing.status_code == 428
    stale = await client.put(url, json=SINCE_2024, headers={**OPERATOR, "If-Match": '"7"'})
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == '"1"'

    updated = await client.put(url, json=SINCE_2024, headers={**OPERATOR, "If-Match": '"1"'})
    assert updated.status_code == 200
    assert updated.headers["etag"] == '"2"'
    assert updated.json()["rotation"]["cohort_size"] == 90

    again = await client.put(url, json=PILOT, headers={**OPERATOR, "If-Match": '"1"'})
    assert again.status_code == 412
    fetched = await client.get(url, headers=OPERATOR)
    assert fetched.json()["version"] == 2


async def test_list_pages_without_repeats(start_service):
    _, client = await start_service("membership")
    ids = set()
    for i in range(5):
        body = {**PILOT, "name": {"it": f"A{i}", "en": f"A{i}"}}
        ids.add((await client.post("/v1/assemblies", json=body, headers=OPERATOR)).json()["id"])
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 2}
    pages = 0
    while True:
        page = (await client.get("/v1/assemblies", params=params, headers=OPERATOR)).json()
        pages += 1
        seen += [item["id"] for item in page["items"]]
        if not page.get("next_page_token"):
            break
        params["page_token"] = page["next_page_token"]
    assert pages == 3
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))

    bad = await client.get("/v1/assemblies", params={"page_token": "nonsense!"}, headers=OPERATOR)
    assert bad.status_code == 422
    assert bad.json()["type"].endswith(":invalid-page-token")
    too_many = await client.get("/v1/assemblies", params={"limit": 1000}, headers=OPERATOR)
    assert too_many.status_code == 422


async def test_idempotency_key_returns_the_first_response(start_service):
    _, client = await start_service("membership")
    headers = {**OPERATOR, "Idempotency-Key": "create-pilot-1"}
    first = await client.post("/v1/assemblies", json=PILOT, headers=headers)
    second = await client.post("/v1/assemblies", json=PILOT, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers["idempotent-replayed"] == "true"
    listed = (await client.get("/v1/assemblies", headers=OPERATOR)).json()["items"]
    assert len(listed) == 1

    other = await client.post("/v1/assemblies", json=SINCE_2024, headers=headers)
    assert other.status_code == 422
    assert other.json()["type"].endswith(":idempotency-key-reused")
    assert other.json()["instance"] == "/v1/assemblies"

    # Keys belong to their caller: someone else's identical key is a new request.
    someone_else = {**auth_header("operator", subject="other"), "Idempotency-Key": "create-pilot-1"}
    assert (
        await client.post("/v1/assemblies", json=PILOT, headers=someone_else)
    ).status_code == 201


async def test_roles_are_enforced(start_service):
    _, client = await start_service("membership")
    assert (await client.post("/v1/assemblies", json=PILOT)).status_code == 401
    member = auth_header("member")
    forbidden = await client.post("/v1/assemblies", json=PILOT, headers=member)
    assert forbidden.status_code == 403
    assert forbidden.json()["required_roles"] == ["operator"]
    facilitator_reads = await client.get("/v1/assemblies", headers=auth_header("facilitator"))
    assert facilitator_reads.status_code == 200


async def test_health_ready_reports_both_dependencies(start_service, nats_server):
    _, client = await start_service("membership")
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "nats": "ok"}
    nats_server.stop()
    down = await client.get("/health/ready")
    assert down.status_code == 503
    assert down.headers["content-type"] == "application/problem+json"
    assert down.json()["checks"]["nats"].startswith("unavailable")
    assert down.json()["checks"]["database"] == "ok"
    assert (await client.get("/health/live")).status_code == 200


async def test_metrics_are_exposed(start_service):
    _, client = await start_service("membership")
    await client.get("/health/live")
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert 'http_requests_total{method="GET",route="/health/live",service="membership"' in (
        metrics.text
    )


async def test_openapi_documents_every_route(start_service):
    _, client = await start_service("membership")
    spec = (await client.get("/openapi.json")).json()
    assert spec["info"]["title"].startswith("Membership")
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            assert operation.get("operationId"), f"{method} {path} has no operationId"
    assert (await client.get("/docs")).status_code == 200


async def test_response_carries_request_id(start_service):
    _, client = await start_service("membership")
    response = await client.get("/health/live", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    generated = await client.get("/health/live", headers={"X-Request-ID": "bad id\n"})
    assert generated.headers["x-request-id"] != "bad id\n"
    assert isinstance(client, httpx.AsyncClient)


async def test_dates_are_iso_dates_not_numbers(start_service):
    _, client = await start_service("membership")
    created = (await client.post("/v1/assemblies", json=SINCE_2024, headers=OPERATOR)).json()
    url = f"/v1/assemblies/{created['id']}/sitting"
    for odd in ("0", "1700000000", "20270131", "2027-02-30"):
        response = await client.get(url, params={"on": odd}, headers=OPERATOR)
        assert response.status_code == 422, (odd, response.text)
        assert response.json()["errors"][0]["location"] == ["query", "on"]
    assert (await client.get(url, params={"on": "2027-01-31"}, headers=OPERATOR)).status_code == 200
    numbered = {**SINCE_2024, "rotation": {**SINCE_2024["rotation"], "first_cohort_starts_on": 0}}
    refused = await client.post("/v1/assemblies", json=numbered, headers=OPERATOR)
    assert refused.status_code == 422, refused.text


async def test_a_nul_in_a_text_is_a_422(start_service):
    _, client = await start_service("membership")
    body = {**PILOT, "name": {"it": "Assemblea\u0000", "en": "Assembly"}}
    response = await client.post("/v1/assemblies", json=body, headers=OPERATOR)
    assert response.status_code == 422, response.text
    assert response.json()["type"].endswith(":invalid-character")


async def test_a_calendar_stays_within_its_years(start_service):
    _, client = await start_service("membership")
    for first in ("0001-01-01", "9999-12-20", "1999-12-31", "2101-01-01"):
        rotation = {**SINCE_2024["rotation"], "first_cohort_starts_on": first}
        refused = await client.post(
            "/v1/assemblies", json={**SINCE_2024, "rotation": rotation}, headers=OPERATOR
        )
        assert refused.status_code == 422, (first, refused.text)
    long = {
        **SINCE_2024,
        "seats": 90,
        "rotation": {
            "cohort_size": 90,
            "cohort_interval_months": 60,
            "term_months": 60,
            "first_cohort_starts_on": "2100-01-01",
        },
    }
    created = await client.post("/v1/assemblies", json=long, headers=OPERATOR)
    assert created.status_code == 201, created.text
    calendar = await client.get(
        f"/v1/assemblies/{created.json()['id']}/calendar",
        params={"from": "2100-01-01", "to": "2119-12-31"},
        headers=OPERATOR,
    )
    assert calendar.status_code == 200, calendar.text
    assert len(calendar.json()["items"]) == 5  # the fifth trains from December 2119
