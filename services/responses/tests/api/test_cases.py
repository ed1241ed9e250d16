"""Cases through the API: opened by deliberation's event (once), scoped to departments,
on the clock by themselves, answered with four eyes, replied to, implemented; and the
service levels against a hand count."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, timedelta

import asyncpg
import nats

from common.contracts.deliberation import ProposalAdopted, Tally
from common.contracts.membership import AssemblyConfigured, Rotation
from common.dates import milan_today
from common.events.envelope import Event
from common.events.streams import ensure_stream
from devstack.pytest_plugin import auth_header, eventually

OPERATOR = auth_header("operator", subject="op-1")
OTHER_OPERATOR = auth_header("operator", subject="op-2")
FACILITATOR = auth_header("facilitator", subject="fac-1")
TEXT = {"it": "Testo", "en": "Text"}
REASON = {"it": "Non è di competenza comunale.", "en": "Not within the Comune's remit."}


def department(*codes: str, subject: str = "dept-user") -> dict[str, str]:
    from common.auth import mint_token
    from common.settings import AuthSettings

    token = mint_token(
        AuthSettings(), subject=subject, roles=["department"], extra={"departments": list(codes)}
    )
    return {"Authorization": f"Bearer {token}"}


def adopted(proposal_id: uuid.UUID, assembly_id: uuid.UUID, on: date, paragraphs: int = 2):
    return ProposalAdopted(
        proposal_id=proposal_id,
        assembly_id=assembly_id,
        version=3,
        title={"it": "Zone 30", "en": "30 km/h zones"},
        text=[{"it": f"Punto {n}", "en": f"Point {n}"} for n in range(1, paragraphs + 1)],
        rationale=TEXT,
        pac_codes=["2.1.3"],
        text_sha256="ab" * 32,
        session_id=uuid.uuid4(),
        vote_id=uuid.uuid4(),
        adopted_on=on,
        tally=Tally(
            yes=40,
            no=15,
            abstain=4,
            entitled=59,
            base=59,
            threshold=40,
            rule="2/3 of present",
            rule_version=1,
        ),
    )


async def publish(url: str, *events: Event) -> None:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        await ensure_stream(js, "deliberation")
        for event in events:
            await js.publish(
                event.type, event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.id)}
            )
    finally:
        await nc.close()


def event_of(data: ProposalAdopted) -> Event:
    return Event(source="/deliberation", type=data.TYPE, data=data.model_dump(mode="json"))


async def departments(client) -> None:
    csv = (
        "code,kind,name_it,name_en\n"
        "DIR_MOBILITA,direzione,Direzione Mobilità,Mobility\n"
        "DIR_VERDE,direzione,Direzione Verde e Ambiente,Green and Environment\n"
        "ASS_AMBIENTE,assessorato,Assessorato Ambiente,Environment councillor\n"
    )
    imported = await client.post(
        "/v1/departments/import", content=csv, headers={**OPERATOR, "Content-Type": "text/csv"}
    )
    assert imported.status_code == 200, imported.text
    assert imported.json() == {"created": 3, "updated": 0, "unchanged": 0}


async def known_assembly(client, nats_url: str) -> uuid.UUID:
    """An assembly as membership configures it: responses learns it from the event."""
    assembly = uuid.uuid4()
    configured = AssemblyConfigured(
        assembly_id=assembly, version=1, seats=90, min_age=16, rotation=Rotation(cohort_size=90)
    )
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await ensure_stream(js, "membership")
        event = Event(
            source="/membership", type=configured.TYPE, data=configured.model_dump(mode="json")
        )
        await js.publish(
            event.type, event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.id)}
        )
    finally:
        await nc.close()

    async def learnt() -> bool:
        found = await client.get(f"/v1/assemblies/{assembly}/response-policy", headers=OPERATOR)
        return found.status_code == 200

    await eventually(learnt)
    return assembly


async def outbox(url: str, type_: str) -> list[dict]:
    db = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        rows = await db.fetch("SELECT envelope FROM outbox WHERE type = $1 ORDER BY seq", type_)
    finally:
        await db.close()
    return [json.loads(r["envelope"])["data"] for r in rows]


async def open_case(
    client,
    *,
    adopted_on: date,
    assembly: uuid.UUID,
    lead: str | None = "DIR_MOBILITA",
    paragraphs: int = 1,
) -> dict:
    body = {
        "assembly_id": str(assembly),
        "title": TEXT,
        "text": [TEXT] * paragraphs,
        "rationale": TEXT,
        "pac_codes": ["4.2.1"],
        "adopted_on": adopted_on.isoformat(),
        **({"lead_department": lead} if lead else {}),
    }
    created = await client.post("/v1/cases", json=body, headers=OPERATOR)
    assert created.status_code == 201, created.text
    return created.json()


ACCEPTED = {
    "number": 1,
    "decision": "accepted",
    "cost_eur": "250000.00",
    "starts_on": "2027-01-01",
    "ends_on": "2027-12-31",
    "office": "Area Mobilità Sostenibile",
}


async def answer(
    client, case: dict, points: list[dict], *, drafter=None, approver=None, key: str | None = None
) -> dict:
    """Review, draft, approve, publish: the answer as published."""
    drafter = drafter or department("DIR_MOBILITA", subject="drafter")
    approver = approver or department("DIR_MOBILITA", subject="head-of-office")
    cid = case["id"]
    etag = (await client.get(f"/v1/cases/{cid}", headers=OPERATOR)).headers["ETag"]
    if case["state"] in ("assigned",):
        reviewed = await client.post(
            f"/v1/cases/{cid}/review", json={"opinion": TEXT}, headers={**drafter, "If-Match": etag}
        )
        assert reviewed.status_code == 200, reviewed.text
        etag = reviewed.headers["ETag"]
    drafted = await client.post(
        f"/v1/cases/{cid}/drafts",
        json={"points": points, "answer": TEXT},
        headers={**drafter, "If-Match": etag},
    )
    assert drafted.status_code == 201, drafted.text
    approved = await client.post(
        f"/v1/cases/{cid}/approval",
        json={"draft_version": drafted.json()["version"]},
        headers={**approver, "If-Match": drafted.headers["ETag"]},
    )
    assert approved.status_code == 200, approved.text
    headers = {**approver, "If-Match": approved.headers["ETag"]}
    if key:
        headers["Idempotency-Key"] = key
    published = await client.post(f"/v1/cases/{cid}/publication", headers=headers)
    assert published.status_code == 200, published.text
    return published.json()


async def test_an_adopted_proposal_opens_one_case_that_only_its_departments_see(
    start_service, nats_server
):
    _, client = await start_service("responses")
    await departments(client)
    proposal, assembly = uuid.uuid4(), uuid.uuid4()
    first = event_of(adopted(proposal, assembly, milan_today() - timedelta(days=3)))
    again = event_of(adopted(proposal, assembly, milan_today() - timedelta(days=3)))
    await publish(nats_server.url, first, first, again)  # a redelivery and a second event

    async def opened() -> list[dict]:
        found = await client.get("/v1/cases", headers=OPERATOR)
        return found.json()["items"]

    await eventually(opened)
    await asyncio.sleep(0.5)
    cases = await opened()
    assert len(cases) == 1
    case = cases[0]
    assert case["proposal_id"] == str(proposal)
    assert (case["state"], case["origin"], case["round"]) == ("received", "deliberation", 1)
    assert case["due_on"] == (milan_today() - timedelta(days=3) + timedelta(days=120)).isoformat()
    assert case["days_left"] == 117

    cid = case["id"]
    etag = (await client.get(f"/v1/cases/{cid}", headers=OPERATOR)).headers["ETag"]
    unknown = await client.post(
        f"/v1/cases/{cid}/assignment",
        json={"lead_department": "DIR_NESSUNA"},
        headers={**OPERATOR, "If-Match": etag},
    )
    assert unknown.status_code == 422
    assert unknown.json()["type"].endswith(":unknown-department")
    assigned = await client.post(
        f"/v1/cases/{cid}/assignment",
        json={"lead_department": "DIR_MOBILITA", "contributing": ["ASS_AMBIENTE"]},
        headers={**OPERATOR, "If-Match": etag},
    )
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["state"] == "assigned"
    assert assigned.json()["lead_department"] == "DIR_MOBILITA"
    stale = await client.post(
        f"/v1/cases/{cid}/assignment",
        json={"lead_department": "DIR_VERDE"},
        headers={**OPERATOR, "If-Match": etag},
    )
    assert stale.status_code == 412

    mobility, green = department("DIR_MOBILITA"), department("DIR_VERDE")
    assert (await client.get(f"/v1/cases/{cid}", headers=mobility)).status_code == 200
    assert (await client.get(f"/v1/cases/{cid}", headers=green)).status_code == 404
    assert (await client.get("/v1/cases", headers=green)).json()["items"] == []
    assert len((await client.get("/v1/cases", headers=mobility)).json()["items"]) == 1
    contributing = department("ASS_AMBIENTE")
    assert (await client.get(f"/v1/cases/{cid}", headers=contributing)).status_code == 200
    drafts = await client.post(
        f"/v1/cases/{cid}/review",
        json={"opinion": TEXT},
        headers={**contributing, "If-Match": assigned.headers["ETag"]},
    )
    assert drafts.status_code == 403  # a contributing department does not lead the answer


async def test_an_answer_with_four_eyes_reaches_the_public_and_stays_frozen(
    start_service, nats_server, service_urls
):
    _, client = await start_service("responses")
    await departments(client)
    assembly = await known_assembly(client, nats_server.url)
    case = await open_case(
        client, adopted_on=milan_today() - timedelta(days=10), assembly=assembly, paragraphs=2
    )
    cid = case["id"]
    drafter = department("DIR_MOBILITA", subject="drafter")
    etag = case_etag = (await client.get(f"/v1/cases/{cid}", headers=OPERATOR)).headers["ETag"]
    early = await client.post(
        f"/v1/cases/{cid}/drafts",
        json={"points": [ACCEPTED], "answer": TEXT},
        headers={**drafter, "If-Match": etag},
    )
    assert early.status_code == 409  # the technical opinion comes first
    reviewed = await client.post(
        f"/v1/cases/{cid}/review",
        json={
            "opinion": TEXT,
            "documents": [
                {
                    "title": TEXT,
                    "url": "https://www.comune.milano.it/parere.pdf",
                    "sha256": "0" * 64,
                }
            ],
        },
        headers={**drafter, "If-Match": case_etag},
    )
    assert reviewed.status_code == 200, reviewed.text
    etag = reviewed.headers["ETag"]
    opinion_pdf = b"%PDF-1.7 parere tecnico"
    uploaded = await client.post(
        f"/v1/cases/{cid}/documents",
        params={
            "kind": "opinion",
            "title_it": "Parere tecnico",
            "title_en": "Opinion",
            "public": "true",
        },
        content=opinion_pdf,
        headers={**drafter, "Content-Type": "application/pdf"},
    )
    assert uploaded.status_code == 201, uploaded.text
    opinion = uploaded.json()
    green = department("DIR_VERDE")
    assert (await client.get(f"/v1/cases/{cid}/documents", headers=green)).status_code == 404
    assert (await client.get(opinion["content_url"], headers=green)).status_code == 404
    own = await client.get(opinion["content_url"], headers=drafter)
    assert own.content == opinion_pdf
    public_url = opinion["content_url"].replace("/v1/", "/public/v1/", 1)
    assert (await client.get(public_url)).status_code == 404  # not before the answer
    no_reason = await client.post(
        f"/v1/cases/{cid}/drafts",
        json={"points": [ACCEPTED, {"number": 2, "decision": "rejected"}], "answer": TEXT},
        headers={**drafter, "If-Match": etag},
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["type"].endswith(":reasons-required")
    no_cost = await client.post(
        f"/v1/cases/{cid}/drafts",
        json={"points": [{"number": 1, "decision": "accepted"}], "answer": TEXT},
        headers={**drafter, "If-Match": etag},
    )
    assert no_cost.status_code == 422
    drafted = await client.post(
        f"/v1/cases/{cid}/drafts",
        json={
            "points": [ACCEPTED, {"number": 2, "decision": "rejected", "reasons": REASON}],
            "answer": TEXT,
            "act": {"kind": "Delibera di Giunta", "number": "1234", "adopted_on": "2025-01-20"},
        },
        headers={**drafter, "If-Match": etag},
    )
    assert drafted.status_code == 201, drafted.text
    assert drafted.json()["decision"] == "partially_accepted"
    own = await client.post(
        f"/v1/cases/{cid}/approval",
        json={"draft_version": 1},
        headers={**drafter, "If-Match": drafted.headers["ETag"]},
    )
    assert own.status_code == 409
    assert own.json()["type"].endswith(":same-person")
    head = department("DIR_MOBILITA", subject="head-of-office")
    too_soon = await client.post(
        f"/v1/cases/{cid}/publication",
        headers={**head, "If-Match": drafted.headers["ETag"], "Idempotency-Key": "pub-1"},
    )
    assert too_soon.status_code == 409  # not approved: a refusal is not remembered
    approved = await client.post(
        f"/v1/cases/{cid}/approval",
        json={"draft_version": 1},
        headers={**head, "If-Match": drafted.headers["ETag"]},
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["approver_role"] == "department"

    headers = {**head, "If-Match": approved.headers["ETag"], "Idempotency-Key": "pub-1"}
    published = await client.post(f"/v1/cases/{cid}/publication", headers=headers)
    assert published.status_code == 200, published.text
    again = await client.post(f"/v1/cases/{cid}/publication", headers=headers)
    assert again.status_code == 200
    assert again.json() == published.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    twice = await client.post(
        f"/v1/cases/{cid}/publication",
        headers={**head, "If-Match": published.headers["ETag"], "Idempotency-Key": "pub-2"},
    )
    assert twice.status_code == 409  # published once; the answer is frozen
    body = published.json()
    assert (body["decision"], body["decidim_state"], body["round"]) == (
        "partially_accepted",
        "partially_accepted",
        1,
    )
    assert len(body["sha256"]) == 64
    events = await outbox(service_urls["responses"], "responses.response.published.v1")
    assert len(events) == 1
    assert events[0]["case_id"] == cid
    assert events[0]["decision"] == "partially_accepted"

    current = await client.get(f"/v1/cases/{cid}", headers=OPERATOR)
    assert current.json()["state"] == "published"
    edit = await client.post(
        f"/v1/cases/{cid}/drafts",
        json={"points": [ACCEPTED], "answer": TEXT},
        headers={**drafter, "If-Match": current.headers["ETag"]},
    )
    assert edit.status_code == 409  # a published answer is not edited

    public = await client.get(f"/public/v1/cases/{cid}")
    assert public.status_code == 200
    assert [d["kind"] for d in public.json()["documents"]] == ["opinion"]
    assert (await client.get(public_url)).content == opinion_pdf
    assert public.json()["answers"][0]["sha256"] == body["sha256"]
    assert "drafter" not in public.text
    assert "head-of-office" not in public.text
    assert (await client.get("/public/v1/cases")).json()["items"][0]["decision"] == (
        "partially_accepted"
    )

    # The assembly contests it: a follow-up answer, on a clock of its own.
    no_text = await client.post(
        f"/v1/cases/{cid}/reply",
        json={"kind": "contested"},
        headers={**FACILITATOR, "If-Match": current.headers["ETag"]},
    )
    assert no_text.status_code == 422
    reopened = await client.post(
        f"/v1/cases/{cid}/reply",
        json={"kind": "contested", "text": TEXT},
        headers={**FACILITATOR, "If-Match": current.headers["ETag"]},
    )
    assert reopened.status_code == 200, reopened.text
    detail = reopened.json()
    assert (detail["state"], detail["round"]) == ("in_review", 2)
    assert detail["due_on"] == (milan_today() + timedelta(days=120)).isoformat()
    assert [d["kind"] for d in detail["deadlines"]] == ["initial", "follow_up"]
    second = await answer(
        client,
        detail,
        [
            ACCEPTED,
            {
                "number": 2,
                "decision": "accepted",
                **{k: v for k, v in ACCEPTED.items() if k != "number"},
            },
        ],
    )
    assert (second["round"], second["decision"]) == (2, "accepted")
    public = (await client.get(f"/public/v1/cases/{cid}")).json()
    assert [a["round"] for a in public["answers"]] == [1, 2]
    assert public["answers"][0]["sha256"] == body["sha256"]
    assert public["replies"][0]["kind"] == "contested"


async def test_the_clock_reminds_and_escalates_by_itself(start_service, service_urls, nats_server):
    _, client = await start_service("responses", clock_seconds=0.2)
    await departments(client)
    assembly = await known_assembly(client, nats_server.url)
    today = milan_today()
    near = await open_case(client, adopted_on=today - timedelta(days=115), assembly=assembly)
    late = await open_case(client, adopted_on=today - timedelta(days=121), assembly=assembly)
    # due in 5 days, and due yesterday
    assert near["days_left"] == 5
    assert late["days_left"] == -1

    async def raised() -> tuple[list[dict], list[dict]] | None:
        reminders = await outbox(service_urls["responses"], "responses.case.reminder_due.v1")
        overdue = await outbox(service_urls["responses"], "responses.case.overdue.v1")
        return (reminders, overdue) if reminders and overdue else None

    reminders, overdue = await eventually(raised)
    await asyncio.sleep(0.6)  # a few more ticks raise nothing twice
    reminders, overdue = await raised()
    assert [(r["case_id"], r["days_left"]) for r in reminders] == [(near["id"], 5)]
    assert [(o["case_id"], o["days_overdue"], o["level"]) for o in overdue] == [
        (late["id"], 1, "coordination")
    ]
    assert reminders[0]["lead_department"] == "DIR_MOBILITA"
    found = await client.get(f"/v1/cases/{late['id']}", headers=OPERATOR)
    assert found.json()["history"][-1]["action"] == "escalated"
    assert [(a["kind"], a["days"], a["level"]) for a in found.json()["alarms"]] == [
        ("overdue", 1, "coordination")
    ]
    reminded = (await client.get(f"/v1/cases/{near['id']}", headers=OPERATOR)).json()
    assert [(a["kind"], a["days"]) for a in reminded["alarms"]] == [("reminder", 7)]
    assert found.json()["clock"] == {
        "due_on": late["due_on"],
        "days_left": -1,
        "overdue": True,
        "escalation": "coordination",
    }
    listed = await client.get("/v1/cases?overdue=true", headers=OPERATOR)
    assert [c["id"] for c in listed.json()["items"]] == [late["id"]]

    etag = found.headers["ETag"]
    new_date = (today + timedelta(days=30)).isoformat()
    refused = await client.post(
        f"/v1/cases/{late['id']}/extension",
        json={"due_on": new_date},
        headers={**OPERATOR, "If-Match": etag},
    )
    assert refused.status_code == 422
    assert refused.json()["type"].endswith(":extension-without-reason")
    extended = await client.post(
        f"/v1/cases/{late['id']}/extension",
        json={"due_on": new_date, "reason": REASON},
        headers={**OPERATOR, "If-Match": etag},
    )
    assert extended.status_code == 200, extended.text
    detail = extended.json()
    assert (detail["due_on"], detail["days_left"], detail["clock"]["escalation"]) == (
        new_date,
        30,
        None,
    )
    assert [(d["kind"], d["due_on"]) for d in detail["deadlines"]] == [
        ("initial", late["due_on"]),
        ("extension", new_date),
    ]
    public = (await client.get(f"/public/v1/cases/{late['id']}")).json()
    assert public["deadlines"][1]["reason"] == REASON


async def test_results_roll_up_and_bad_input_is_refused(start_service, service_urls, nats_server):
    _, client = await start_service("responses")
    await departments(client)
    assembly = await known_assembly(client, nats_server.url)
    case = await open_case(client, adopted_on=milan_today() - timedelta(days=20), assembly=assembly)
    cid = case["id"]
    lead = department("DIR_MOBILITA", subject="drafter")
    early = await client.post(
        f"/v1/cases/{cid}/results", json={"title": TEXT, "description": TEXT}, headers=lead
    )
    assert early.status_code == 409  # results follow a published answer
    await answer(client, case, [ACCEPTED])
    parent = await client.post(
        f"/v1/cases/{cid}/results",
        json={
            "title": TEXT,
            "description": TEXT,
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "external_id": "PAC-4.2.1-01",
        },
        headers=lead,
    )
    assert parent.status_code == 201, parent.text
    pid = parent.json()["id"]
    children = []
    for weight, progress in (("1", "20"), ("3", "60")):
        child = await client.post(
            f"/v1/cases/{cid}/results",
            json={
                "title": TEXT,
                "description": TEXT,
                "parent_id": pid,
                "weight": weight,
                "status": "in_progress",
                "progress": progress,
                "starts_on": "2027-01-01",
            },
            headers=lead,
        )
        assert child.status_code == 201, child.text
        children.append(child.json())
    implementation = (await client.get(f"/v1/cases/{cid}/results", headers=OPERATOR)).json()
    rolled = {r["id"]: r["rolled_up"] for r in implementation["results"]}
    assert rolled[pid] == "50.00"  # (1 × 20 + 3 × 60) / 4
    assert implementation["progress"] == "50.00"

    twice = await client.post(
        f"/v1/cases/{cid}/results",
        json={"title": TEXT, "description": TEXT, "external_id": "PAC-4.2.1-01"},
        headers=lead,
    )
    assert twice.status_code == 409
    rid = children[0]["id"]
    too_much = await client.post(
        f"/v1/results/{rid}/progress",
        json={"progress": 150, "status": "in_progress", "note": TEXT},
        headers={**lead, "If-Match": '"1"'},
    )
    assert too_much.status_code == 422
    before_start = await client.post(
        f"/v1/results/{rid}/milestones",
        json={"title": TEXT, "planned_on": "2027-03-01", "actual_on": "2026-12-01"},
        headers=lead,
    )
    assert before_start.status_code == 422
    assert before_start.json()["type"].endswith(":milestone-before-start")
    milestone = await client.post(
        f"/v1/results/{rid}/milestones",
        json={"title": TEXT, "planned_on": "2027-03-01"},
        headers=lead,
    )
    assert milestone.status_code == 201, milestone.text
    reported = await client.post(
        f"/v1/results/{rid}/progress",
        json={"progress": 100, "status": "completed", "note": TEXT},
        headers={**lead, "If-Match": '"1"'},
    )
    assert reported.status_code == 201, reported.text
    stale = await client.post(
        f"/v1/results/{rid}/progress",
        json={"progress": 90, "status": "in_progress", "note": TEXT},
        headers={**lead, "If-Match": '"1"'},
    )
    assert stale.status_code == 412
    implementation = (await client.get(f"/v1/cases/{cid}/results", headers=OPERATOR)).json()
    assert implementation["progress"] == "70.00"  # (1 × 100 + 3 × 60) / 4
    assert implementation["next_report_on"] is not None
    updates = await outbox(service_urls["responses"], "responses.implementation.updated.v1")
    assert updates[-1]["progress"] == 70.0
    assert updates[-1]["case_id"] == cid
    public = (await client.get(f"/public/v1/cases/{cid}")).json()
    assert public["implementation"]["progress"] == "70.00"
    assert len(public["implementation"]["results"]) == 3


async def test_service_levels_match_a_hand_count(start_service, nats_server):
    _, client = await start_service("responses")
    await departments(client)
    today = milan_today()
    assembly = await known_assembly(client, nats_server.url)
    # (days since adoption, lead, answered today?): the policy gives 120 days.
    plan = (
        [(30, "DIR_MOBILITA", True)] * 6  # on time, 30 days each
        + [(100, "DIR_MOBILITA", True)] * 4  # on time, 100 days
        + [(150, "DIR_VERDE", True)] * 3  # late, 150 days
        + [(200, "DIR_VERDE", True)] * 2  # late, 200 days
        + [(10, "DIR_VERDE", False)] * 5  # open, not overdue
        + [(130, "DIR_MOBILITA", False)] * 3  # open, overdue
        + [(125, None, False)] * 2  # open, overdue, unassigned
    )
    for days, lead, answered in plan:
        case = await open_case(
            client, adopted_on=today - timedelta(days=days), lead=lead, assembly=assembly
        )
        if answered:
            drafter = department(lead, subject="drafter")
            approver = department(lead, subject="approver")
            await answer(client, case, [ACCEPTED], drafter=drafter, approver=approver)
    found = await client.get(
        f"/v1/statistics/service-levels?assembly_id={assembly}", headers=OPERATOR
    )
    assert found.status_code == 200, found.text
    levels = found.json()
    overall = levels["overall"]
    assert (overall["cases"], overall["answered"], overall["on_time"], overall["late"]) == (
        25,
        15,
        10,
        5,
    )
    assert overall["on_time_rate"] == 10 / 15
    # Days to answer, sorted: 30 ×6, 100 ×4, 150 ×3, 200 ×2: the 8th is 100.
    assert overall["median_days"] == 100
    assert overall["p90_days"] == 200  # the ⌈13.5⌉ = 14th of 15
    assert (overall["open"], overall["overdue"]) == (10, 5)
    mobility = levels["by_department"]["DIR_MOBILITA"]
    assert (mobility["cases"], mobility["answered"], mobility["on_time"], mobility["overdue"]) == (
        13,
        10,
        10,
        3,
    )
    green = levels["by_department"]["DIR_VERDE"]
    assert (green["cases"], green["late"], green["open"], green["overdue"]) == (10, 5, 5, 0)
    assert levels["by_department"]["unassigned"]["overdue"] == 2
    assert set(levels["by_cycle"]) == {
        str(y) for y in {(today - timedelta(days=d)).year for d, _, _ in plan}
    }
    other = department("DIR_VERDE")
    assert (await client.get("/v1/statistics/service-levels", headers=other)).status_code == 200


async def test_a_policy_is_versioned_and_a_case_keeps_its_own(start_service, nats_server):
    _, client = await start_service("responses")
    await departments(client)
    unknown = await client.get(f"/v1/assemblies/{uuid.uuid4()}/response-policy", headers=OPERATOR)
    assert unknown.status_code == 404
    stranger = {
        "assembly_id": str(uuid.uuid4()),
        "title": TEXT,
        "text": [TEXT],
        "rationale": TEXT,
        "adopted_on": "2026-11-02",
    }
    refused = await client.post("/v1/cases", json=stranger, headers=OPERATOR)
    assert refused.status_code == 422
    assert refused.json()["type"].endswith(":unknown-assembly")
    future = await client.post(
        "/v1/cases",
        json={**stranger, "adopted_on": (milan_today() + timedelta(days=3)).isoformat()},
        headers=OPERATOR,
    )
    assert future.status_code == 422
    assert future.json()["type"].endswith(":adopted-in-future")
    assembly = await known_assembly(client, nats_server.url)
    url = f"/v1/assemblies/{assembly}/response-policy"
    default = await client.get(url, headers=OPERATOR)
    assert default.status_code == 200, default.text
    assert (default.json()["days"], default.json()["version"]) == (120, 1)
    first = await open_case(client, adopted_on=date(2026, 12, 1), assembly=assembly)
    assert first["due_on"] == "2027-03-31"
    business = {
        **{k: default.json()[k] for k in ("reminders", "escalations", "decidim_states")},
        "days": 60,
        "basis": "business_days",
        "report_months": 3,
    }
    bad = await client.put(
        url,
        json={**business, "reminders": [61]},
        headers={**OPERATOR, "If-Match": default.headers["ETag"]},
    )
    assert bad.status_code == 422, bad.text
    changed = await client.put(
        url, json=business, headers={**OPERATOR, "If-Match": default.headers["ETag"]}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    stale = await client.put(
        url, json=business, headers={**OPERATOR, "If-Match": default.headers["ETag"]}
    )
    assert stale.status_code == 412
    second = await open_case(client, adopted_on=date(2026, 12, 1), assembly=assembly)
    # 60 business days from 1 December 2026, without weekends, Sant'Ambrogio (7 December),
    # the Immacolata, Christmas, Santo Stefano, New Year's Day and the Epiphany.
    assert second["due_on"] == "2027-03-02"
    again = (await client.get(f"/v1/cases/{first['id']}", headers=OPERATOR)).json()
    assert again["due_on"] == "2027-03-31"


async def test_progress_reports_fall_due_on_the_same_clock(
    start_service, service_urls, nats_server
):
    """The clock is a function of the day: run on days to come, it reminds the lead
    department of the next progress report, then escalates it, each alarm once."""
    from responses.service.schedule import run_clock

    app, client = await start_service("responses", clock_seconds=3600)
    await departments(client)
    assembly = await known_assembly(client, nats_server.url)
    case = await open_case(client, adopted_on=milan_today() - timedelta(days=20), assembly=assembly)
    await answer(client, case, [ACCEPTED])
    detail = (await client.get(f"/v1/cases/{case['id']}/results", headers=OPERATOR)).json()
    due = date.fromisoformat(detail["next_report_on"])
    assert (due - milan_today()).days in range(181, 185)  # six months after publication
    factory = app.state.uow_factory
    assert await run_clock(today=due - timedelta(days=31), uow_factory=factory) == 0
    assert await run_clock(today=due - timedelta(days=30), uow_factory=factory) == 1
    assert await run_clock(today=due - timedelta(days=7), uow_factory=factory) == 1
    assert await run_clock(today=due - timedelta(days=7), uow_factory=factory) == 0
    assert await run_clock(today=due + timedelta(days=30), uow_factory=factory) == 2
    reminders = await outbox(service_urls["responses"], "responses.case.reminder_due.v1")
    overdue = await outbox(service_urls["responses"], "responses.case.overdue.v1")
    assert [(r["about"], r["days_left"]) for r in reminders] == [
        ("progress_report", 30),
        ("progress_report", 7),
    ]
    assert [(o["about"], o["level"]) for o in overdue] == [
        ("progress_report", "coordination"),
        ("progress_report", "political"),
    ]
    # A report moves the next one on: the old alarms do not come back.
    result = await client.post(
        f"/v1/cases/{case['id']}/results",
        json={"title": TEXT, "description": TEXT},
        headers=department("DIR_MOBILITA", subject="drafter"),
    )
    assert result.status_code == 201, result.text
    reported = await client.post(
        f"/v1/results/{result.json()['id']}/progress",
        json={"progress": 10, "status": "in_progress", "note": TEXT},
        headers={**department("DIR_MOBILITA", subject="drafter"), "If-Match": '"1"'},
    )
    assert reported.status_code == 201, reported.text
    assert await run_clock(today=due + timedelta(days=30), uow_factory=factory) == 0
