"""A round's pool imported as CSV, and the feasibility check with its relaxation."""

from __future__ import annotations

from sortition_support import OPERATOR, open_round

from devstack.pytest_plugin import auth_header


async def test_pool_import_and_feasibility(start_service):
    sortition, round_ = await open_round(start_service)
    base = f"/v1/rounds/{round_['id']}"
    # a panel of 90 in the round; give it a small pool with quotas that conflict
    quotas = "feature,value,min,max\ng,x,50,60\ng,y,30,40\n"
    set_quotas = await sortition.put(
        f"{base}/quotas",
        content=quotas,
        headers={**OPERATOR, "If-Match": '"1"', "Content-Type": "text/csv"},
    )
    assert set_quotas.status_code == 200, set_quotas.text
    people = "id,g,home\n" + "".join(f"r{i},{'x' if i < 45 else 'y'},h{i}\n" for i in range(200))
    csv = {**OPERATOR, "Content-Type": "text/csv"}
    imported = await sortition.put(
        f"{base}/pool", content=people, params={"household_column": "home"}, headers=csv
    )
    assert imported.status_code == 200, imported.text
    assert imported.json() == {
        "respondents": 200,
        "households_rule": True,
        "by_feature": {"g": {"x": 45, "y": 155}},
    }
    summary = await sortition.get(f"{base}/pool", headers=auth_header("auditor"))
    assert summary.json()["respondents"] == 200
    assert "r1" not in summary.text  # counts only, no ids

    report = (await sortition.get(f"{base}/feasibility", headers=OPERATOR)).json()
    assert report["feasible"] is False
    assert report["relaxed_seats"] == 10
    assert {
        (r["value"], r["relaxed_min"], r["relaxed_max"], r["available"])
        for r in report["relaxations"]
    } == {("x", 45, 60, 45), ("y", 30, 45, 155)}

    fixed = await sortition.put(
        f"{base}/quotas",
        content="feature,value,min,max\ng,x,40,45\ng,y,45,50\n",
        headers={**OPERATOR, "If-Match": '"2"', "Content-Type": "text/csv"},
    )
    assert fixed.status_code == 200
    report = (await sortition.get(f"{base}/feasibility", headers=OPERATOR)).json()
    assert report == {"feasible": True, "relaxed_seats": 0, "relaxations": [], "detail": None}


async def test_bad_pools_are_named(start_service):
    sortition, round_ = await open_round(start_service)
    base = f"/v1/rounds/{round_['id']}"
    csv = {**OPERATOR, "Content-Type": "text/csv"}
    early = await sortition.put(f"{base}/pool", content="id,g\nr1,x\n", headers=csv)
    assert early.status_code == 409
    assert early.json()["type"].endswith(":quotas-missing")
    assert (await sortition.get(f"{base}/feasibility", headers=OPERATOR)).status_code == 409

    await sortition.put(
        f"{base}/quotas",
        content="feature,value,min,max\ng,x,0,90\ng,y,0,90\n",
        headers={**OPERATOR, "If-Match": '"1"', "Content-Type": "text/csv"},
    )
    many = "id,g\n" + "".join(f"r{i},x\n" for i in range(100))

    async def problem(content: str, **kwargs) -> str:
        response = await sortition.put(f"{base}/pool", content=content, **kwargs)
        assert response.status_code == 422, response.text
        return response.json()["type"].rsplit(":", 1)[1]

    assert await problem(many + "r100,z\n", headers=csv) == "unknown-feature-value"
    assert await problem(many + "r1,x\n", headers=csv) == "duplicate-id"
    assert await problem("id,g\nr1,x\n", headers=csv) == "pool-too-small"
    assert await problem(many.replace("id,g", "who,g"), headers=csv) == "missing-id"
    json_body = await sortition.put(
        f"{base}/pool", content=many, headers={**OPERATOR, "Content-Type": "application/json"}
    )
    assert json_body.status_code == 415, json_body.text
    assert json_body.json()["type"].endswith(":unsupported-media-type")
    assert await problem(many, params={"household_column": "home"}, headers=csv) == (
        "missing-household-column"
    )
    assert (
        await sortition.put(
            f"{base}/pool",
            content=many,
            headers={**auth_header("auditor"), "Content-Type": "text/csv"},
        )
    ).status_code == 403
    ok = await sortition.put(f"{base}/pool", content=many + "r100,y\n", headers=csv)
    assert ok.status_code == 200


async def test_registrations_fill_the_pool_through_the_event(start_service, nats_server):
    import nats

    from common.events.envelope import Event
    from common.events.streams import ensure_stream
    from devstack.pytest_plugin import eventually

    sortition, round_ = await open_round(start_service)
    base = f"/v1/rounds/{round_['id']}"
    await sortition.put(
        f"{base}/quotas",
        content="feature,value,min,max\ng,x,0,90\ng,y,0,90\n",
        headers={**OPERATOR, "If-Match": '"1"', "Content-Type": "text/csv"},
    )
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        await ensure_stream(js, "membership")
        for i in range(95):
            event = Event(
                source="/membership",
                type="membership.respondent.registered.v1",
                subject=f"respondent/r{i}",
                data={
                    "round_id": round_["id"],
                    "respondent_id": f"r{i}",
                    "household": f"h{i // 2}",
                    "features": {"g": "x" if i % 3 else "y"},
                },
            )
            await js.publish(
                event.type, event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.id)}
            )
        stranger = Event(
            source="/membership",
            type="membership.respondent.registered.v1",
            data={
                "round_id": "00000000-0000-0000-0000-000000000000",
                "respondent_id": "z",
                "features": {},
            },
        )
        await js.publish(stranger.type, stranger.model_dump_json().encode())
    finally:
        await nc.close()

    async def pool_size():
        response = await sortition.get(f"{base}/pool", headers=OPERATOR)
        return response.status_code == 200 and response.json()["respondents"] == 95

    await eventually(pool_size)
    summary = (await sortition.get(f"{base}/pool", headers=OPERATOR)).json()
    assert summary["households_rule"] is True
    assert summary["by_feature"] == {"g": {"x": 63, "y": 32}}
    report = (await sortition.get(f"{base}/feasibility", headers=OPERATOR)).json()
    assert report["feasible"] is False  # 48 households cannot seat 90
    assert report["relaxations"] == []
    assert "households cannot fill" in report["detail"]

    async def dead_letter():
        items = (await sortition.get("/v1/dead-letters", headers=OPERATOR)).json()["items"]
        return items

    [letter] = await eventually(dead_letter)
    assert "round sortition does not know" in letter["error"]


async def test_a_registration_after_the_commitment_is_recorded_not_dead_lettered(
    start_service, nats_server, service_urls
):
    import hashlib

    import asyncpg
    import nats
    from event_helpers import plain

    from common.events.envelope import Event
    from common.events.streams import ensure_stream
    from devstack.pytest_plugin import eventually

    sortition, round_ = await open_round(start_service)
    base = f"/v1/rounds/{round_['id']}"
    await sortition.put(
        f"{base}/quotas",
        content="feature,value,min,max\ng,x,0,90\ng,y,0,90\n",
        headers={**OPERATOR, "If-Match": '"1"', "Content-Type": "text/csv"},
    )
    many = "id,g\n" + "".join(f"r{i},{'xy'[i % 2]}\n" for i in range(100))
    imported = await sortition.put(
        f"{base}/pool", content=many, headers={**OPERATOR, "Content-Type": "text/csv"}
    )
    assert imported.status_code == 200, imported.text
    committed = await sortition.post(
        f"{base}/commitment",
        json={"seed_sha256": hashlib.sha256(b"s").hexdigest()},
        headers=OPERATOR,
    )
    assert committed.status_code == 201, committed.text
    late = Event(
        source="/membership",
        type="membership.respondent.registered.v1",
        data={"round_id": round_["id"], "respondent_id": "late-1", "features": {"g": "x"}},
    )
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        await ensure_stream(js, "membership")
        await js.publish(late.type, late.model_dump_json().encode())
    finally:
        await nc.close()

    async def recorded():
        connection = await asyncpg.connect(plain(service_urls["sortition"]))
        try:
            return await connection.fetchval(
                "SELECT respondent_id FROM sortition.late_registrations"
            )
        finally:
            await connection.close()

    assert await eventually(recorded) == "late-1"
    assert (await sortition.get("/v1/dead-letters", headers=OPERATOR)).json()["items"] == []
    pool = (await sortition.get(f"{base}/pool", headers=OPERATOR)).json()
    assert pool["respondents"] == 100
