"""A plenary through the API: the roster from membership's events, attendance by time, a
proposal with versions and an amendment, votes by tally and by secret ballot, and what
the public sees."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, timedelta

import asyncpg
from deliberation_support import FACILITATOR, OPERATOR, TEXT, member, now_on, seat

from devstack.pytest_plugin import auth_header, eventually


async def test_a_plenary_adopts_a_proposal_by_two_thirds_of_those_present(
    start_service, nats_server, service_urls
):
    _, client = await start_service("deliberation")
    assembly, members = await seat(client, nats_server.url, 62)
    proposed = await client.get(
        f"/v1/assemblies/{assembly}/plenary-calendar",
        params={"from": "2027-01-31", "until": "2027-04-30"},
        headers=OPERATOR,
    )
    assert proposed.json()["dates"] == ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]
    backwards = await client.get(
        f"/v1/assemblies/{assembly}/plenary-calendar",
        params={"from": "2027-04-30", "until": "2027-01-31"},
        headers=OPERATOR,
    )
    assert backwards.status_code == 422
    rules = await client.get(f"/v1/assemblies/{assembly}/rules", headers=OPERATOR)
    assert rules.json()["majority_numerator"] == 2
    assert rules.json()["majority_base"] == "present"
    fields = (
        "quorum_numerator",
        "quorum_denominator",
        "quorum_strict",
        "majority_numerator",
        "majority_denominator",
        "majority_base",
        "plenary_every_months",
    )
    same = {k: rules.json()[k] for k in fields}
    unconditional = await client.put(
        f"/v1/assemblies/{assembly}/rules", json=same, headers=OPERATOR
    )
    assert unconditional.status_code == 428
    again = await client.put(
        f"/v1/assemblies/{assembly}/rules",
        json=same,
        headers={**OPERATOR, "If-Match": rules.headers["ETag"]},
    )
    assert again.status_code == 200, again.text
    assert again.json()["version"] == 2
    # 4.2.1 and 1.3.1 are in the catalogue as seeded.

    # A working group of sitting members only.
    group_body = {"assembly_id": assembly, "name": TEXT, "ambito": 4, "pac_codes": ["4.2.1"]}
    refused = await client.post(
        "/v1/working-groups", json={**group_body, "members": ["gone"]}, headers=OPERATOR
    )
    assert refused.status_code == 409  # as at a check-in: the member no longer sits
    assert refused.json()["type"].endswith(":not-sitting")
    for theme, slug in (
        ({"pac_codes": ["2.1.3"]}, "outside-ambito"),
        ({"ambito": None, "pac_codes": []}, "no-theme"),
    ):
        off = await client.post(
            "/v1/working-groups", json={**group_body, **theme}, headers=OPERATOR
        )
        assert off.status_code == 422, off.text
        assert off.json()["type"].endswith(f":{slug}")
    group = await client.post(
        "/v1/working-groups", json={**group_body, "members": members[:3]}, headers=OPERATOR
    )
    assert group.status_code == 201, group.text

    # A proposal, drafted by a member of the group, in two versions.
    wording = {
        "title": {"it": "Zone 30", "en": "30 km/h zones"},
        "paragraphs": [{"it": "Primo.", "en": "First."}, {"it": "Secondo.", "en": "Second."}],
        "rationale": {"it": "Sicurezza.", "en": "Safety."},
    }
    unknown = await client.post(
        "/v1/proposals",
        json={**wording, "working_group_id": group.json()["id"], "pac_codes": ["9.9.9"]},
        headers=member(members[0]),
    )
    assert unknown.status_code == 422
    assert unknown.json()["type"].endswith(":unknown-pac-action")
    outsider = await client.post(
        "/v1/proposals",
        json={**wording, "working_group_id": group.json()["id"], "pac_codes": ["4.2.1"]},
        headers=member(members[10]),
    )
    assert outsider.status_code == 403
    drafted = await client.post(
        "/v1/proposals",
        json={**wording, "working_group_id": group.json()["id"], "pac_codes": ["4.2.1", "1.3.1"]},
        headers=member(members[0]),
    )
    assert drafted.status_code == 201, drafted.text
    proposal = drafted.json()
    pid = proposal["id"]
    assert proposal["current"]["author_role"] == "member"
    assert proposal["current"]["author_id"] == members[0]
    second = {**wording, "paragraphs": [*wording["paragraphs"], {"it": "Terzo.", "en": "Third."}]}
    stale = await client.post(
        f"/v1/proposals/{pid}/versions",
        json={**second, "reason": "a third point"},
        headers={**member(members[1]), "If-Match": '"7"'},
    )
    assert stale.status_code == 412
    revised = await client.post(
        f"/v1/proposals/{pid}/versions",
        json={**second, "reason": "a third point"},
        headers={**member(members[1]), "If-Match": '"1"'},
    )
    assert revised.status_code == 201
    assert revised.json()["number"] == 2
    diff = await client.get(
        f"/v1/proposals/{pid}/versions/compare", params={"from": 1, "to": 2}, headers=OPERATOR
    )
    changes = [c for c in diff.json()["paragraphs"] if c["op"] != "equal"]
    assert [(c["op"], c["paragraph_to"]) for c in changes] == [("insert", 3)]
    submitted = await client.post(
        f"/v1/proposals/{pid}/state",
        json={"to": "submitted"},
        headers={**OPERATOR, "If-Match": revised.headers["etag"]},
    )
    assert submitted.status_code == 200, submitted.text

    # A plenary: 60 check in, one who does not sit is refused, one leaves before the vote.
    plenary = await client.post(
        "/v1/sessions",
        json={
            "assembly_id": assembly,
            "kind": "plenary",
            "title": TEXT,
            **now_on(),
            "place": "Palazzo Marino",
            "agenda": [{"title": TEXT, "pac_codes": ["4.2.1"], "proposal_ids": [pid]}],
        },
        headers=FACILITATOR,
    )
    assert plenary.status_code == 201, plenary.text
    sid = plenary.json()["id"]
    early = await client.post(
        f"/v1/sessions/{sid}/attendance", json={"member_id": members[0]}, headers=FACILITATOR
    )
    assert early.status_code == 409
    assert early.json()["type"].endswith(":session-not-open")
    opened = await client.post(
        f"/v1/sessions/{sid}/state",
        json={"to": "open"},
        headers={**FACILITATOR, "If-Match": '"1"'},
    )
    assert opened.status_code == 200, opened.text
    for m in members[:59]:
        checked = await client.post(
            f"/v1/sessions/{sid}/attendance", json={"member_id": m}, headers=FACILITATOR
        )
        assert checked.status_code == 200, checked.text
    code = await client.get(f"/v1/sessions/{sid}/check-in-code", headers=member(members[59]))
    assert code.status_code == 200
    by_code = await client.post(
        f"/v1/sessions/{sid}/attendance", json={"code": code.json()["code"]}, headers=FACILITATOR
    )
    assert by_code.status_code == 200
    assert members[59] in by_code.json()["present"]
    forged = await client.post(
        f"/v1/sessions/{sid}/attendance",
        json={"code": code.json()["code"][:-3] + "AAA"},
        headers=FACILITATOR,
    )
    assert forged.status_code == 403
    stranger = await client.post(
        f"/v1/sessions/{sid}/attendance", json={"member_id": "gone"}, headers=FACILITATOR
    )
    assert stranger.status_code == 409
    assert stranger.json()["type"].endswith(":not-sitting")
    twice = await client.post(
        f"/v1/sessions/{sid}/attendance", json={"member_id": members[0]}, headers=FACILITATOR
    )
    assert twice.status_code == 409
    left = await client.post(
        f"/v1/sessions/{sid}/attendance",
        json={"member_id": members[59], "direction": "out"},
        headers=FACILITATOR,
    )
    attendance = left.json()
    assert len(attendance["present"]) == 59
    assert attendance["quorum"] == {
        "present": 59,
        "sitting": 62,
        "needed": 32,
        "reached": True,
        "rule": "more than half of the sitting members",
    }

    # An amendment to paragraph 2, voted by show of hands and merged.
    amendment = await client.post(
        f"/v1/proposals/{pid}/amendments",
        json={
            "target_version": 2,
            "operation": "replace",
            "paragraph": 2,
            "text": {"it": "Secondo, meglio.", "en": "Second, better."},
            "rationale": TEXT,
        },
        headers=member(members[2]),
    )
    assert amendment.status_code == 201, amendment.text
    early_final = await client.post(
        "/v1/votes",
        json={"session_id": sid, "proposal_id": pid, "subject": "final_text", "method": "tally"},
        headers=FACILITATOR,
    )
    assert early_final.status_code == 409
    assert early_final.json()["type"].endswith(":amendments-pending")
    on_amendment = await client.post(
        "/v1/votes",
        json={
            "session_id": sid,
            "proposal_id": pid,
            "subject": "amendment",
            "amendment_id": amendment.json()["id"],
            "method": "tally",
        },
        headers=FACILITATOR,
    )
    assert on_amendment.status_code == 201, on_amendment.text
    vote = on_amendment.json()
    assert vote["entitled"] == 59
    too_many = await client.put(
        f"/v1/votes/{vote['id']}/tally",
        json={"yes": 50, "no": 10, "abstain": 0},
        headers={**FACILITATOR, "If-Match": '"1"'},
    )
    assert too_many.status_code == 422
    assert too_many.json()["type"].endswith(":tally-exceeds-entitled")
    counted = await client.put(
        f"/v1/votes/{vote['id']}/tally",
        json={"yes": 45, "no": 10, "abstain": 4},
        headers={**FACILITATOR, "If-Match": '"1"'},
    )
    assert counted.status_code == 200, counted.text
    closed = await client.post(
        f"/v1/votes/{vote['id']}/close", headers={**FACILITATOR, "If-Match": '"2"'}
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["result"]["adopted"] is True
    versions = (await client.get(f"/v1/proposals/{pid}/versions", headers=OPERATOR)).json()
    assert [v["number"] for v in versions] == [1, 2, 3]
    assert versions[2]["paragraphs"][1]["en"] == "Second, better."
    assert versions[2]["amendment_id"] == amendment.json()["id"]
    locked = await client.post(
        f"/v1/proposals/{pid}/amendments",
        json={"target_version": 2, "operation": "delete", "paragraph": 1, "rationale": TEXT},
        headers=member(members[2]),
    )
    assert locked.status_code == 409
    assert locked.json()["type"].endswith(":stale-version")

    # The final vote by secret ballot: 40 yes, 15 no, 4 abstain of 59 present.
    final = await client.post(
        "/v1/votes",
        json={
            "session_id": sid,
            "proposal_id": pid,
            "subject": "final_text",
            "method": "secret_ballot",
        },
        headers=FACILITATOR,
    )
    assert final.status_code == 201, final.text
    fid = final.json()["id"]
    choices = ["yes"] * 40 + ["no"] * 15 + ["abstain"] * 4
    for m, choice in zip(members[:59], choices, strict=True):
        cast = await client.post(
            f"/v1/votes/{fid}/ballots",
            json={"choice": choice},
            headers={**member(m), "Idempotency-Key": f"ballot-{m}"},
        )
        assert cast.status_code == 202, cast.text
        assert cast.json() == {"received": True}
    again = await client.post(
        f"/v1/votes/{fid}/ballots", json={"choice": "no"}, headers=member(members[0])
    )
    assert again.status_code == 409
    assert again.json()["type"].endswith(":already-voted")
    absent = await client.post(
        f"/v1/votes/{fid}/ballots", json={"choice": "yes"}, headers=member(members[59])
    )
    assert absent.status_code == 409
    assert absent.json()["type"].endswith(":not-entitled")
    result = await client.post(f"/v1/votes/{fid}/close", headers={**FACILITATOR, "If-Match": '"1"'})
    assert result.status_code == 200, result.text
    assert result.json()["result"] == {
        "yes": 40,
        "no": 15,
        "abstain": 4,
        "not_voted": 0,
        "entitled": 59,
        "base": 59,
        "threshold": 40,
        "adopted": True,
        "rule": "2/3 of present",
        "rule_version": 2,  # the rules were set again above,
    }
    late = await client.post(
        f"/v1/votes/{fid}/ballots", json={"choice": "yes"}, headers=member(members[58])
    )
    assert late.status_code == 409
    assert late.json()["type"].endswith(":vote-closed")
    adopted = (await client.get(f"/v1/proposals/{pid}", headers=OPERATOR)).json()
    assert adopted["state"] == "adopted"
    assert adopted["adopted_sha256"] == versions[2]["sha256"]

    # Nothing links a secret ballot to a member, in any table of the service.
    db = await asyncpg.connect(service_urls["deliberation"].replace("+asyncpg", ""))
    try:
        assert (
            await db.fetchval(
                "SELECT count(*) FROM vote_ballots WHERE vote_id = $1", uuid.UUID(fid)
            )
            == 0
        )
        assert (
            await db.fetchval("SELECT count(*) FROM vote_voters WHERE vote_id = $1", uuid.UUID(fid))
            == 59
        )
        assert await db.fetchval("SELECT count(*) FROM idempotency_keys") == 0
        xmins = await db.fetchval(
            "SELECT count(DISTINCT xmin::text) FROM vote_voters WHERE vote_id = $1", uuid.UUID(fid)
        )
        assert xmins == 1  # all written again at the close, in one transaction
        published = await db.fetch("SELECT type, envelope FROM outbox ORDER BY seq")
    finally:
        await db.close()
    adoption = [e for t, e in published if t == "deliberation.proposal.adopted.v1"]
    assert len(adoption) == 1

    # The session closes; its attendance is published, with minutes present per member.
    closing = await client.post(
        f"/v1/sessions/{sid}/state",
        json={"to": "closed"},
        headers={**FACILITATOR, "If-Match": '"2"'},
    )
    assert closing.status_code == 200, closing.text
    db = await asyncpg.connect(service_urls["deliberation"].replace("+asyncpg", ""))
    try:
        recorded = await db.fetch(
            "SELECT envelope FROM outbox WHERE type = 'deliberation.attendance.recorded.v1'"
        )
    finally:
        await db.close()
    assert len(recorded) == 1
    after = await client.post(
        f"/v1/sessions/{sid}/attendance", json={"member_id": members[0]}, headers=FACILITATOR
    )
    assert after.status_code == 409

    # The minutes, in both languages, with the tallies and their bases.
    verbale = await client.get(
        f"/v1/sessions/{sid}/minutes", params={"lang": "it"}, headers=OPERATOR
    )
    assert verbale.status_code == 200, verbale.text
    assert verbale.headers["content-type"].startswith("text/markdown")
    assert "Favorevoli" in verbale.text
    assert "40" in verbale.text
    assert "Soglia" in verbale.text
    english = await client.get(
        f"/v1/sessions/{sid}/minutes", params={"lang": "en"}, headers=OPERATOR
    )
    assert "Threshold" in english.text or "threshold" in english.text

    # The public sees counts and numbers, never a member id.
    public = await client.get(f"/public/v1/proposals/{pid}")
    assert public.status_code == 200
    body = public.text
    assert not any(m in body for m in members)
    assert public.json()["votes"][-1]["result"]["threshold"] == 40
    sessions = (await client.get("/public/v1/sessions")).json()["items"]
    assert sessions[0]["attendance"]["attended"] == 60
    assert "m0" not in (await client.get(f"/public/v1/votes/{fid}")).text

    # The Comune answers: responses opened one case from the adoption, and the published
    # answer comes back onto the proposal, for members and for the public.
    _, responses = await start_service("responses")
    await responses.post(
        "/v1/departments",
        json={"code": "DIR_MOBILITA", "name": {"it": "Direzione Mobilità", "en": "Mobility"}},
        headers=OPERATOR,
    )

    async def opened() -> list[dict]:
        return (await responses.get("/v1/cases", headers=OPERATOR)).json()["items"]

    case = (await eventually(opened))[0]
    assert case["proposal_id"] == pid
    assert case["due_on"] == (date.today() + timedelta(days=120)).isoformat()
    cid = case["id"]
    steps = [
        ("assignment", {"lead_department": "DIR_MOBILITA"}, OPERATOR),
        ("review", {"opinion": TEXT}, OPERATOR),
        (
            "drafts",
            {"points": [{"number": 1, "decision": "needs_study"}], "answer": TEXT},
            OPERATOR,
        ),
        ("approval", {"draft_version": 1}, auth_header("operator", subject="approver")),
        ("publication", None, OPERATOR),
    ]
    for step, body, headers in steps:
        etag = (await responses.get(f"/v1/cases/{cid}", headers=OPERATOR)).headers["ETag"]
        done = await responses.post(
            f"/v1/cases/{cid}/{step}", json=body, headers={**headers, "If-Match": etag}
        )
        assert done.status_code in (200, 201), (step, done.text)

    async def answered() -> dict | None:
        found = (await client.get(f"/v1/proposals/{pid}", headers=OPERATOR)).json()
        return found["answer"]

    shown = await eventually(answered)
    assert (shown["case_id"], shown["decision"]) == (cid, "needs_study")
    assert (await client.get(f"/public/v1/proposals/{pid}")).json()["answer"]["decision"] == (
        "needs_study"
    )


async def test_without_quorum_no_vote_opens(start_service, nats_server):
    _, client = await start_service("deliberation")
    assembly, members = await seat(client, nats_server.url, 30)
    group = await client.post(
        "/v1/working-groups",
        json={
            "assembly_id": assembly,
            "name": TEXT,
            "pac_codes": ["4.2.1"],
            "members": members[:2],
        },
        headers=OPERATOR,
    )
    drafted = await client.post(
        "/v1/proposals",
        json={
            "working_group_id": group.json()["id"],
            "pac_codes": ["4.2.1"],
            "title": TEXT,
            "paragraphs": [TEXT],
            "rationale": TEXT,
        },
        headers=OPERATOR,
    )
    pid = drafted.json()["id"]
    await client.post(
        f"/v1/proposals/{pid}/state",
        json={"to": "submitted"},
        headers={**OPERATOR, "If-Match": '"1"'},
    )
    session = await client.post(
        "/v1/sessions",
        json={
            "assembly_id": assembly,
            "kind": "plenary",
            "title": TEXT,
            **now_on(),
            "online_url": "https://meet.example.org/plenaria",
            "agenda": [{"title": TEXT, "proposal_ids": [pid]}],
        },
        headers=FACILITATOR,
    )
    sid = session.json()["id"]
    await client.post(
        f"/v1/sessions/{sid}/state", json={"to": "open"}, headers={**FACILITATOR, "If-Match": '"1"'}
    )
    for m in members[:15]:  # 15 of 30: not more than half
        await client.post(
            f"/v1/sessions/{sid}/attendance", json={"member_id": m}, headers=FACILITATOR
        )
    refused = await client.post(
        "/v1/votes",
        json={"session_id": sid, "proposal_id": pid, "subject": "final_text", "method": "tally"},
        headers=FACILITATOR,
    )
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["type"].endswith(":no-quorum")
    assert (problem["present"], problem["sitting"], problem["needed"]) == (15, 30, 16)
    assert (await client.get(f"/v1/proposals/{pid}", headers=OPERATOR)).json()[
        "state"
    ] == "submitted"


async def test_what_a_new_session_names_must_exist(start_service, nats_server):
    _, client = await start_service("deliberation")
    assembly, _ = await seat(client, nats_server.url, 3)
    session = {
        "assembly_id": assembly,
        "kind": "plenary",
        "title": TEXT,
        **now_on(),
        "place": "Palazzo Marino, Sala Alessi",
    }
    unknown = str(uuid.uuid4())
    four_days = {**session, "ends_at": "2027-03-18T13:00:00+01:00"}
    too_long = await client.post("/v1/sessions", json=four_days, headers=FACILITATOR)
    assert too_long.status_code == 422
    assert "at most 24 hours" in too_long.text
    for body, slug in (
        ({**session, "assembly_id": unknown}, "unknown-assembly"),
        ({**session, "kind": "working_group", "working_group_id": unknown}, "unknown-reference"),
        ({**session, "agenda": [{"title": TEXT, "proposal_ids": [unknown]}]}, "unknown-reference"),
    ):
        refused = await client.post("/v1/sessions", json=body, headers=FACILITATOR)
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"].endswith(f":{slug}"), refused.text
    assert (await client.post("/v1/sessions", json=session, headers=FACILITATOR)).status_code == 201


async def test_a_sessions_documents_and_its_minutes(start_service, nats_server):
    _, client = await start_service("deliberation")
    assembly, members = await seat(client, nats_server.url, 4)
    plenary = {
        "assembly_id": assembly,
        "kind": "plenary",
        "title": TEXT,
        **now_on(),
        "place": "Palazzo Marino, Sala Alessi",
    }
    first = (await client.post("/v1/sessions", json=plenary, headers=FACILITATOR)).json()
    sid = first["id"]
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 40
    uploaded = await client.post(
        f"/v1/sessions/{sid}/documents",
        params={
            "kind": "agenda",
            "title_it": "Ordine del giorno",
            "title_en": "Agenda",
            "public": "true",
        },
        content=pdf,
        headers={**FACILITATOR, "Content-Type": "application/pdf"},
    )
    assert uploaded.status_code == 201, uploaded.text
    document = uploaded.json()
    assert (document["size"], document["sha256"]) == (len(pdf), hashlib.sha256(pdf).hexdigest())
    downloaded = await client.get(document["content_url"].replace("/v1/", "/public/v1/", 1))
    assert downloaded.content == pdf
    assert downloaded.headers["content-type"] == "application/pdf"
    assert downloaded.headers["repr-digest"].startswith("sha-256=:")
    linked = await client.post(
        f"/v1/sessions/{sid}/documents",
        json={
            "kind": "materials",
            "title": {"it": "Parere tecnico", "en": "Technical opinion"},
            "url": "https://www.comune.milano.it/documents/parere.pdf",
            "sha256": "0" * 64,
        },
        headers=FACILITATOR,
    )
    assert linked.status_code == 201, linked.text
    public = (await client.get(f"/public/v1/sessions/{sid}/documents")).json()
    assert [d["kind"] for d in public] == ["agenda"]  # the materials are not public
    staff = (await client.get(f"/v1/sessions/{sid}/documents", headers=OPERATOR)).json()
    assert [(d["kind"], d["public"]) for d in staff] == [("agenda", True), ("materials", False)]
    for params, content, media, slug in (
        (
            {"kind": "agenda", "title_it": "x", "title_en": "x"},
            b"",
            "application/pdf",
            "empty-document",
        ),
        ({"kind": "budget", "title_it": "x", "title_en": "x"}, b"x", "text/plain", "unknown-kind"),
        ({"kind": "agenda"}, b"x", "text/plain", "document-unnamed"),
    ):
        refused = await client.post(
            f"/v1/sessions/{sid}/documents",
            params=params,
            content=content,
            headers={**FACILITATOR, "Content-Type": media},
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"].endswith(f":{slug}")
    exe = await client.post(
        f"/v1/sessions/{sid}/documents",
        params={"kind": "agenda", "title_it": "x", "title_en": "x"},
        content=b"MZ",
        headers={**FACILITATOR, "Content-Type": "application/x-msdownload"},
    )
    assert exe.status_code == 415

    # Closing draws up the minutes; the next plenary approves them.
    for to, etag in (("open", '"1"'), ("closed", '"2"')):
        moved = await client.post(
            f"/v1/sessions/{sid}/state", json={"to": to}, headers={**FACILITATOR, "If-Match": etag}
        )
        assert moved.status_code == 200, moved.text
    minutes = [
        d
        for d in (await client.get(f"/public/v1/sessions/{sid}/documents")).json()
        if d["kind"] == "minutes"
    ]
    assert len(minutes) == 2
    assert all(m["approved_in"] is None for m in minutes)
    verbale = await client.get(minutes[0]["content_url"])
    assert verbale.headers["content-type"].startswith("text/markdown")
    assert hashlib.sha256(verbale.content).hexdigest() == minutes[0]["sha256"]
    second = (await client.post("/v1/sessions", json=plenary, headers=FACILITATOR)).json()
    early = await client.post(
        f"/v1/sessions/{second['id']}/minutes-approval",
        json={"minutes_of": sid},
        headers=FACILITATOR,
    )
    assert early.status_code == 409  # the approving plenary is not open yet
    await client.post(
        f"/v1/sessions/{second['id']}/state",
        json={"to": "open"},
        headers={**FACILITATOR, "If-Match": '"1"'},
    )
    alone = await client.post(
        f"/v1/sessions/{second['id']}/minutes-approval",
        json={"minutes_of": sid},
        headers=FACILITATOR,
    )
    assert alone.status_code == 409  # nobody is there to approve them
    assert alone.json()["type"].endswith(":no-quorum")
    for m in members[:3]:
        await client.post(
            f"/v1/sessions/{second['id']}/attendance", json={"member_id": m}, headers=FACILITATOR
        )
    approved = await client.post(
        f"/v1/sessions/{second['id']}/minutes-approval",
        json={"minutes_of": sid},
        headers=FACILITATOR,
    )
    assert approved.status_code == 200, approved.text
    assert {d["approved_in"] for d in approved.json()} == {second["id"]}
    again = await client.post(
        f"/v1/sessions/{second['id']}/minutes-approval",
        json={"minutes_of": sid},
        headers=FACILITATOR,
    )
    assert again.status_code == 409
