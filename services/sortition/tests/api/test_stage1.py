"""Stage 1 through the API: a streamed extract with progress, then the invitation letters."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from event_helpers import plain
from sortition_support import CSV, HEADER, OPERATOR, drawn_events, extract, open_round

from devstack.pytest_plugin import auth_header


async def test_extract_upload_with_progress_then_invitations(start_service, nats_server):
    sortition, round_ = await open_round(start_service)
    # progress every 500 rows, so that a small extract shows it
    _, sortition = await start_service("sortition", extract_progress_every=500)
    base = f"/v1/rounds/{round_['id']}"
    body = extract(6000).encode()
    seen: list[dict] = []

    async def slowly():
        for at in range(0, len(body), 16_000):
            yield body[at : at + 16_000]
            await asyncio.sleep(0.05)

    async def watch():
        while True:
            status = await sortition.get(f"{base}/extract", headers=auth_header("auditor"))
            if status.status_code == 200:
                seen.append(status.json())
                if status.json()["status"] != "importing":
                    return
            await asyncio.sleep(0.02)

    watcher = asyncio.create_task(watch())
    uploaded = await sortition.put(
        f"{base}/extract",
        content=slowly(),
        headers={**CSV, "Content-Length": str(len(body))},
    )
    await asyncio.wait_for(watcher, 20)
    assert uploaded.status_code == 200, uploaded.text
    done = uploaded.json()
    assert done["status"] == "ready"
    assert done["rows_read"] == 6000
    in_use = done["in_use"]
    assert 0 < in_use["eligible"] < 6000  # the under-16s are counted, not eligible
    assert sum(s["size"] for s in in_use["strata"]) == in_use["eligible"]
    assert in_use["rows_read"] == 6000
    assert done["percent"] == 100.0
    # the operator saw the import move while it ran
    moving = [s["rows_read"] for s in seen if s["status"] == "importing"]
    assert len(set(moving)) >= 2, seen
    assert moving == sorted(moving)

    drawn = await sortition.post(
        f"{base}/invitations",
        json={
            "count": 400,
            "seed": "Lotto 2027-01-09",
            "oversampling": [{"where": {"citizenship": "NONEU"}, "factor": 2}],
        },
        headers=OPERATOR,
    )
    assert drawn.status_code == 201, drawn.text
    result = drawn.json()
    assert result["drawn"] == 400
    assert result["households_exhausted"] is False
    strata = result["strata"]
    assert sum(s["invited"] for s in strata) == 400
    noneu = sum(s["invited"] for s in strata if s["citizenship"] == "NONEU")
    noneu_share = sum(s["size"] for s in strata if s["citizenship"] == "NONEU") / sum(
        s["size"] for s in strata
    )
    # doubled: about twice its share of the letters
    assert abs(noneu / 400 - 2 * noneu_share / (1 + noneu_share)) < 0.03

    events = await drawn_events(nats_server.url, round_["id"], batches=1)
    letters = [i for e in events for i in e["invitations"]]
    assert len(letters) == 400
    assert events[0]["total"] == 400
    assert len({x["household_ref"] for x in letters}) == 400  # one letter per household
    public = await sortition.get(f"/public/v1/rounds/{round_['id']}/invitations")
    assert public.json()["seed"] == "Lotto 2027-01-09"
    assert "P0" not in public.text  # no references in public

    again = await sortition.post(f"{base}/invitations", json={"seed": "other"}, headers=OPERATOR)
    assert again.status_code == 409
    assert again.json()["type"].endswith(":invitations-drawn")
    replaced = await sortition.put(f"{base}/extract", content=HEADER, headers=CSV)
    assert replaced.status_code == 409


async def test_same_extract_and_seed_same_letters(start_service, nats_server):
    sortition, first = await open_round(start_service)
    membership_round = {"assembly_id": first["assembly_id"], "cohort": "2", "panel_size": 90}
    second = (await sortition.post("/v1/rounds", json=membership_round, headers=OPERATOR)).json()
    body = extract(3000, seed=11)
    orders = []
    for round_ in (first, second):
        base = f"/v1/rounds/{round_['id']}"
        assert (
            await sortition.put(f"{base}/extract", content=body, headers=CSV)
        ).status_code == 200
        drawn = await sortition.post(
            f"{base}/invitations", json={"count": 300, "seed": "s"}, headers=OPERATOR
        )
        assert drawn.status_code == 201
        events = await drawn_events(nats_server.url, round_["id"], batches=1)
        orders.append([x["person_ref"] for x in events[0]["invitations"]])
    assert orders[0] == orders[1]


async def test_bad_extracts_are_named_and_leave_the_previous_one_in_use(start_service):
    sortition, round_ = await open_round(start_service)
    base = f"/v1/rounds/{round_['id']}"
    missing = await sortition.put(f"{base}/extract", content="person_ref,age\nP1,30\n", headers=CSV)
    assert missing.status_code == 422
    assert missing.json()["type"].endswith(":missing-columns")
    status = (await sortition.get(f"{base}/extract", headers=OPERATOR)).json()
    assert status["status"] == "failed"
    assert status["error"]["slug"] == "missing-columns"
    assert status["in_use"] is None
    # nothing to draw from yet
    early = await sortition.post(f"{base}/invitations", json={"seed": "s"}, headers=OPERATOR)
    assert early.status_code == 409
    assert early.json()["type"].endswith(":extract-not-ready")

    good = extract(200)
    accepted = await sortition.put(f"{base}/extract", content=good, headers=CSV)
    assert accepted.status_code == 200
    in_use = accepted.json()["in_use"]
    bad_rows = {
        "Row 202": good + "P9,H9,old,F,IT,M1\n",
        "Line 2 ": good.replace("\n", "\r", 2).replace("\r", "\n", 1),  # a bare CR
        "128 KiB": good + "P9,H9,30,F,IT," + "M" * 200_000 + "\n",
    }
    for words, bad in bad_rows.items():
        rejected = await sortition.put(f"{base}/extract", content=bad, headers=CSV)
        assert rejected.status_code == 422, rejected.text
        assert words in rejected.json()["detail"], rejected.text
        # the failed upload rolled back, and the previous extract is still the one in use
        status = (await sortition.get(f"{base}/extract", headers=OPERATOR)).json()
        assert status["status"] == "failed"
        assert status["in_use"] == in_use
    unknown = await sortition.post(
        f"{base}/invitations",
        json={"seed": "s", "oversampling": [{"where": {"religion": "x"}, "factor": 2}]},
        headers=OPERATOR,
    )
    assert unknown.status_code == 422
    assert unknown.json()["type"].endswith(":invalid-oversampling")
    wrong_media = await sortition.put(f"{base}/extract", content=good, headers=OPERATOR)
    assert wrong_media.status_code == 415
    nobody = await sortition.get(
        "/v1/rounds/00000000-0000-0000-0000-000000000000/extract", headers=OPERATOR
    )
    assert nobody.status_code == 404
    drawn = await sortition.post(
        f"{base}/invitations", json={"count": 5000, "seed": "s"}, headers=OPERATOR
    )
    assert drawn.status_code == 201, drawn.text
    assert drawn.json()["extract_sha256"] == in_use["sha256"]
    # more letters asked than there are households: one each, and the response says why
    assert drawn.json()["drawn"] == in_use["households"] < 5000
    assert drawn.json()["households_exhausted"] is True


async def test_an_upload_whose_process_died_shows_as_interrupted(start_service, service_urls):
    sortition, round_ = await open_round(start_service)
    base = f"/v1/rounds/{round_['id']}"
    good = extract(200)
    accepted = await sortition.put(f"{base}/extract", content=good, headers=CSV)
    assert accepted.status_code == 200
    # what a process killed in the middle of an upload leaves: its progress row says
    # importing, its transaction rolled back, and nobody holds the round's lock
    connection = await asyncpg.connect(plain(service_urls["sortition"]))
    try:
        await connection.execute(
            "UPDATE sortition.extract_imports SET status = 'importing', rows_read = 100, "
            "finished_at = NULL WHERE round_id = $1",
            uuid.UUID(round_["id"]),
        )
    finally:
        await connection.close()
    status = await sortition.get(f"{base}/extract", headers=OPERATOR)
    assert status.status_code == 200, status.text
    assert status.json()["status"] == "interrupted"
    assert status.json()["in_use"] == accepted.json()["in_use"]
    drawn = await sortition.post(
        f"{base}/invitations", json={"count": 50, "seed": "s"}, headers=OPERATOR
    )
    assert drawn.status_code == 201, drawn.text


async def test_people_without_a_household_are_households_of_one(start_service):
    sortition, round_ = await open_round(start_service)
    base = f"/v1/rounds/{round_['id']}"
    rows = "".join(f"P{i},,{20 + i % 60},{'FM'[i % 2]},IT,M{1 + i % 9}\n" for i in range(120))
    uploaded = await sortition.put(f"{base}/extract", content=HEADER + rows, headers=CSV)
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["in_use"]["households"] == 120
    drawn = await sortition.post(
        f"{base}/invitations", json={"count": 120, "seed": "s"}, headers=OPERATOR
    )
    assert drawn.status_code == 201, drawn.text
    assert drawn.json()["drawn"] == 120
