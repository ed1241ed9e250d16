"""Commit, reveal, draw, audit, verify: through the API, with the bad inputs."""

from __future__ import annotations

import hashlib

from sortition_support import OPERATOR, open_round

from devstack.pytest_plugin import auth_header

SEED = "lotto 2027-03-01: 12 34 56 78 90"


async def prepared_round(start_service, *, from_census: bool = False):
    sortition, round_ = await open_round(start_service)
    base = f"/v1/rounds/{round_['id']}"
    if from_census:
        shares = {"shares": {"g": {"x": 52.5, "y": 47.5}}, "tolerance_seats": 5}
        quotas = await sortition.post(
            f"{base}/quotas/from-shares", json=shares, headers={**OPERATOR, "If-Match": '"1"'}
        )
    else:
        quotas = await sortition.put(
            f"{base}/quotas",
            content="feature,value,min,max\ng,x,40,50\ng,y,40,50\n",
            headers={**OPERATOR, "If-Match": '"1"', "Content-Type": "text/csv"},
        )
    assert quotas.status_code == 200, quotas.text
    people = "id,g\n" + "".join(f"r{i},{'x' if i % 2 else 'y'}\n" for i in range(150))
    imported = await sortition.put(
        f"{base}/pool", content=people, headers={**OPERATOR, "Content-Type": "text/csv"}
    )
    assert imported.status_code == 200, imported.text
    return sortition, base


async def test_commit_reveal_draw_audit_verify(start_service):
    sortition, base = await prepared_round(start_service)
    early = await sortition.post(f"{base}/draw", json={"seed": SEED}, headers=OPERATOR)
    assert early.status_code == 409
    assert early.json()["type"].endswith(":not-committed")

    digest = hashlib.sha256(SEED.encode()).hexdigest()
    committed = await sortition.post(
        f"{base}/commitment", json={"seed_sha256": digest}, headers=OPERATOR
    )
    assert committed.status_code == 201, committed.text
    assert committed.json()["seed"] is None
    assert (await sortition.get(base, headers=OPERATOR)).json()["status"] == "committed"
    public = await sortition.get(base.replace("/v1/", "/public/v1/") + "/commitment")
    assert public.json()["seed_sha256"] == digest
    assert public.json()["instance_digest"] == committed.json()["instance_digest"]

    again = await sortition.post(
        f"{base}/commitment", json={"seed_sha256": digest}, headers=OPERATOR
    )
    assert again.status_code == 409
    frozen = await sortition.put(
        f"{base}/pool", content="id,g\nz,x\n", headers={**OPERATOR, "Content-Type": "text/csv"}
    )
    assert frozen.status_code == 409
    assert frozen.json()["type"].endswith(":round-committed")

    wrong = await sortition.post(f"{base}/draw", json={"seed": "guess"}, headers=OPERATOR)
    assert wrong.status_code == 422
    assert wrong.json()["type"].endswith(":seed-mismatch")

    drawn = await sortition.post(f"{base}/draw", json={"seed": SEED}, headers=OPERATOR)
    assert drawn.status_code == 200, drawn.text
    result = drawn.json()
    assert len(result["panel"]) == 90
    assert sorted(result["reserves"] + result["panel"]) == sorted(f"r{i}" for i in range(150))
    assert abs(result["min_probability"] - 0.6) < 1e-6  # 90 of 150, everyone equal
    assert result["seed"] == SEED
    assert (await sortition.get(base, headers=OPERATOR)).json()["status"] == "drawn"

    twice = await sortition.post(f"{base}/draw", json={"seed": SEED}, headers=OPERATOR)
    assert twice.status_code == 409

    audit = (await sortition.get(f"{base}/audit", headers=auth_header("auditor"))).json()
    assert audit["panel"] == result["panel"]
    assert audit["reserves"] == result["reserves"]
    assert audit["algorithm"] == "leximin"
    verified = await sortition.post(f"{base}/verify", headers=auth_header("auditor"))
    assert verified.json() == {"identical": True, "panel": result["panel"]}
    public = (await sortition.get(base.replace("/v1/", "/public/v1/") + "/commitment")).json()
    assert public["seed"] == SEED
    assert "panel" not in public


async def test_a_round_committed_to_another_algorithm_version_is_neither_drawn_nor_verified(
    start_service, monkeypatch
):
    """The commitment names the algorithm's version: a service upgraded since could give
    another panel from the same inputs and seed, so it says so instead of drawing."""
    from sortition.service import draws

    sortition, base = await prepared_round(start_service)
    digest = hashlib.sha256(SEED.encode()).hexdigest()
    with monkeypatch.context() as older:
        older.setattr(draws, "ALGORITHM_VERSION", "1")
        committed = await sortition.post(
            f"{base}/commitment", json={"seed_sha256": digest}, headers=OPERATOR
        )
    assert committed.status_code == 201, committed.text
    drawn = await sortition.post(f"{base}/draw", json={"seed": SEED}, headers=OPERATOR)
    assert drawn.status_code == 409
    problem = drawn.json()
    assert problem["type"].endswith(":algorithm-changed")
    assert "version 1" in problem["detail"]
    assert f"version {draws.ALGORITHM_VERSION}" in problem["detail"]

    # Drawn under version 1 (the same code here), then verified by a later version.
    with monkeypatch.context() as older:
        older.setattr(draws, "ALGORITHM_VERSION", "1")
        drawn = await sortition.post(f"{base}/draw", json={"seed": SEED}, headers=OPERATOR)
    assert drawn.status_code == 200, drawn.text
    verified = await sortition.post(f"{base}/verify", headers=auth_header("auditor"))
    assert verified.status_code == 409
    assert verified.json()["type"].endswith(":algorithm-changed")


async def test_commitment_needs_a_real_hash_and_a_pool(start_service):
    sortition, round_ = await open_round(start_service)
    base = f"/v1/rounds/{round_['id']}"
    bad = await sortition.post(f"{base}/commitment", json={"seed_sha256": "abc"}, headers=OPERATOR)
    assert bad.status_code == 422
    digest = hashlib.sha256(b"x").hexdigest()
    no_pool = await sortition.post(
        f"{base}/commitment", json={"seed_sha256": digest}, headers=OPERATOR
    )
    assert no_pool.status_code == 409
    assert (await sortition.get(f"{base}/audit", headers=OPERATOR)).status_code == 404


async def test_replacements_keep_the_quotas_by_api_and_by_event(start_service, nats_server):
    import nats

    from common.events.envelope import Event
    from common.events.streams import ensure_stream
    from devstack.pytest_plugin import eventually

    sortition, base = await prepared_round(start_service)
    digest = hashlib.sha256(SEED.encode()).hexdigest()
    await sortition.post(f"{base}/commitment", json={"seed_sha256": digest}, headers=OPERATOR)
    panel = (await sortition.post(f"{base}/draw", json={"seed": SEED}, headers=OPERATOR)).json()[
        "panel"
    ]
    before = await sortition.post(
        f"{base}/replacements",
        json={"respondent_id": "nobody", "reason": "declined"},
        headers=OPERATOR,
    )
    assert before.status_code == 409
    leaving = panel[0]
    replaced = await sortition.post(
        f"{base}/replacements",
        json={"respondent_id": leaving, "reason": "declined"},
        headers=OPERATOR,
    )
    assert replaced.status_code == 201, replaced.text
    first = replaced.json()
    assert first["joining"] not in panel
    assert first["deviation"] == 0
    # the quota is 40-50 per value with 45/45 drawn: the replacement may be of either value
    again = await sortition.post(
        f"{base}/replacements",
        json={"respondent_id": leaving, "reason": "declined"},
        headers=OPERATOR,
    )
    assert again.status_code == 409

    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        await ensure_stream(js, "membership")
        for _ in range(2):  # told twice, replaced once
            event = Event(
                source="/membership",
                type="membership.member.withdrew.v1",
                data={"round_id": base.rsplit("/", 1)[1], "respondent_id": panel[1]},
            )
            await js.publish(event.type, event.model_dump_json().encode())
    finally:
        await nc.close()

    async def two():
        items = (await sortition.get(f"{base}/replacements", headers=OPERATOR)).json()["items"]
        return items if len(items) == 2 else None

    items = await eventually(two)
    assert [i["leaving"] for i in items] == [leaving, panel[1]]
    assert items[1]["reason"] == "withdrew"
    assert items[1]["joining"] not in {*panel, first["joining"]}
    dead = (await sortition.get("/v1/dead-letters", headers=OPERATOR)).json()["items"]
    assert dead == []


async def test_public_result_shows_composition_and_probabilities_without_ids(start_service):
    sortition, base = await prepared_round(start_service)
    public = base.replace("/v1/", "/public/v1/") + "/result"
    assert (await sortition.get(public)).status_code == 409  # not drawn yet
    digest = hashlib.sha256(SEED.encode()).hexdigest()
    await sortition.post(f"{base}/commitment", json={"seed_sha256": digest}, headers=OPERATOR)
    panel = (await sortition.post(f"{base}/draw", json={"seed": SEED}, headers=OPERATOR)).json()[
        "panel"
    ]
    result = await sortition.get(public)
    assert result.status_code == 200, result.text
    body = result.json()
    assert body["commitment"]["seed"] == SEED
    assert {(c["value"], c["pool"]) for c in body["composition"]} == {("x", 75), ("y", 75)}
    assert sum(c["panel"] for c in body["composition"]) == 90
    assert all(c["min"] <= c["panel"] <= c["max"] for c in body["composition"])
    assert body["probabilities"]["pool"] == 150
    assert sum(h["respondents"] for h in body["probabilities"]["histogram"]) == 150
    assert not any(person in result.text for person in panel)
    assert all(c["population_share"] is None for c in body["composition"])  # not from shares


async def test_a_draw_reports_its_progress(start_service):
    sortition, base = await prepared_round(start_service)
    assert (await sortition.get(f"{base}/draw/progress", headers=OPERATOR)).status_code == 404
    digest = hashlib.sha256(SEED.encode()).hexdigest()
    await sortition.post(f"{base}/commitment", json={"seed_sha256": digest}, headers=OPERATOR)
    drawn = await sortition.post(f"{base}/draw", json={"seed": SEED}, headers=OPERATOR)
    assert drawn.status_code == 200
    progress = await sortition.get(f"{base}/draw/progress", headers=auth_header("auditor"))
    assert progress.status_code == 200, progress.text
    body = progress.json()
    assert body["phase"] == "done"
    assert body["done"] == 1.0
    assert body["panels"] >= 1  # panels in the lottery
    assert body["started_at"] <= body["updated_at"]


async def test_public_result_reads_the_panel_against_the_population(start_service):
    sortition, base = await prepared_round(start_service, from_census=True)
    digest = hashlib.sha256(SEED.encode()).hexdigest()
    await sortition.post(f"{base}/commitment", json={"seed_sha256": digest}, headers=OPERATOR)
    await sortition.post(f"{base}/draw", json={"seed": SEED}, headers=OPERATOR)
    body = (await sortition.get(base.replace("/v1/", "/public/v1/") + "/result")).json()
    shares = {c["value"]: c["population_share"] for c in body["composition"]}
    assert shares == {"x": 0.525, "y": 0.475}


async def test_a_uniform_lottery_is_committed_to_by_its_count_of_panels(start_service):
    sortition, base = await prepared_round(start_service)
    digest = hashlib.sha256(SEED.encode()).hexdigest()
    # the former name of the field is still understood
    committed = await sortition.post(
        f"{base}/commitment", json={"seed_sha256": digest, "transparent": 20}, headers=OPERATOR
    )
    assert committed.status_code == 201, committed.text
    assert committed.json()["uniform_panels"] == 20
    drawn = await sortition.post(f"{base}/draw", json={"seed": SEED}, headers=OPERATOR)
    assert drawn.status_code == 200, drawn.text
    assert 1 <= drawn.json()["lottery_size"] <= 20  # equal panels are kept once
    verified = await sortition.post(f"{base}/verify", headers=OPERATOR)
    assert verified.json()["identical"] is True
