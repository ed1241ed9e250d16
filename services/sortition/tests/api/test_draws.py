"""Commit, reveal, draw, audit, verify: through the API, with the bad inputs."""

from __future__ import annotations

import hashlib

from test_quotas import OPERATOR, open_round

from devstack.pytest_plugin import auth_header

SEED = "lotto 2027-03-01: 12 34 56 78 90"


async def prepared_round(start_service):
    sortition, round_ = await open_round(start_service)
    base = f"/v1/rounds/{round_['id']}"
    await sortition.put(
        f"{base}/quotas",
        content="feature,value,min,max\ng,x,40,50\ng,y,40,50\n",
        headers={**OPERATOR, "If-Match": '"1"', "Content-Type": "text/csv"},
    )
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
    assert abs(result["min_probability"] - 0.6) < 1e-6  # 90 of 150, everyone equal
    assert result["seed"] == SEED

    twice = await sortition.post(f"{base}/draw", json={"seed": SEED}, headers=OPERATOR)
    assert twice.status_code == 409

    audit = (await sortition.get(f"{base}/audit", headers=auth_header("auditor"))).json()
    assert audit["panel"] == result["panel"]
    assert audit["algorithm"] == "leximin"
    verified = await sortition.post(f"{base}/verify", headers=auth_header("auditor"))
    assert verified.json() == {"identical": True, "panel": result["panel"]}
    public = (await sortition.get(base.replace("/v1/", "/public/v1/") + "/commitment")).json()
    assert public["seed"] == SEED
    assert "panel" not in public


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
