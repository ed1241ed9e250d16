"""The rules around a vote that a plenary run through the API must not be able to bend:
votes are held in plenaries, on items of the agenda; a working group's meeting is for its
members; amendments lapse when the text they target changes, and may be withdrawn; a show
of hands closes only once counted; a ballot vote's running count is not shown; uploads
are what they declare; the public sees no member id."""

from __future__ import annotations

import uuid

import asyncpg
from deliberation_support import FACILITATOR, OPERATOR, TEXT, member, now_on, publish, seat

from common.contracts.membership import MemberWithdrew
from devstack.pytest_plugin import eventually

WORDING = {
    "title": {"it": "Tetti verdi", "en": "Green roofs"},
    "paragraphs": [{"it": "Primo.", "en": "First."}, {"it": "Secondo.", "en": "Second."}],
    "rationale": {"it": "Clima.", "en": "Climate."},
}


async def _group(client, assembly: str, members: list[str]) -> str:
    made = await client.post(
        "/v1/working-groups",
        json={
            "assembly_id": assembly,
            "name": TEXT,
            "ambito": 4,
            "pac_codes": ["4.2.1"],
            "members": members,
        },
        headers=OPERATOR,
    )
    assert made.status_code == 201, made.text
    return made.json()["id"]


async def _submitted(client, group: str, drafter: str) -> str:
    drafted = await client.post(
        "/v1/proposals",
        json={**WORDING, "working_group_id": group, "pac_codes": ["4.2.1"]},
        headers=member(drafter),
    )
    assert drafted.status_code == 201, drafted.text
    pid = drafted.json()["id"]
    moved = await client.post(
        f"/v1/proposals/{pid}/state",
        json={"to": "submitted"},
        headers={**OPERATOR, "If-Match": drafted.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.text
    return pid


async def _open_session(client, assembly: str, **values) -> dict:
    body = {
        "assembly_id": assembly,
        "kind": "plenary",
        "title": TEXT,
        **now_on(),
        "place": "Palazzo Marino",
        **values,
    }
    made = await client.post("/v1/sessions", json=body, headers=FACILITATOR)
    assert made.status_code == 201, made.text
    opened = await client.post(
        f"/v1/sessions/{made.json()['id']}/state",
        json={"to": "open"},
        headers={**FACILITATOR, "If-Match": made.headers["ETag"]},
    )
    assert opened.status_code == 200, opened.text
    return {**opened.json(), "etag": opened.headers["ETag"]}


async def _check_in(client, sid: str, members: list[str]) -> None:
    for m in members:
        checked = await client.post(
            f"/v1/sessions/{sid}/attendance", json={"member_id": m}, headers=FACILITATOR
        )
        assert checked.status_code == 200, checked.text


async def _vote(client, sid: str, pid: str, *, amendment: str | None = None, method="tally"):
    subject = {"subject": "amendment", "amendment_id": amendment} if amendment else {}
    return await client.post(
        "/v1/votes",
        json={
            "session_id": sid,
            "proposal_id": pid,
            "subject": "final_text",
            "method": method,
            **subject,
        },
        headers=FACILITATOR,
    )


def _slug(response) -> str:
    return response.json()["type"].rsplit(":", 1)[-1]


async def test_a_working_group_meeting_is_for_its_members_and_adopts_nothing(
    start_service, nats_server
):
    _, client = await start_service("deliberation")
    assembly, members = await seat(client, nats_server.url, 12)
    group = await _group(client, assembly, members[:4])
    pid = await _submitted(client, group, members[0])
    meeting = await _open_session(
        client,
        assembly,
        kind="working_group",
        working_group_id=group,
        agenda=[{"title": TEXT, "proposal_ids": [pid]}],
    )
    outsider = await client.post(
        f"/v1/sessions/{meeting['id']}/attendance",
        json={"member_id": members[8]},
        headers=FACILITATOR,
    )
    assert outsider.status_code == 409
    assert _slug(outsider) == "not-in-group"
    no_code = await client.get(
        f"/v1/sessions/{meeting['id']}/check-in-code", headers=member(members[8])
    )
    assert no_code.status_code == 409
    assert _slug(no_code) == "not-in-group"
    await _check_in(client, meeting["id"], members[:3])
    attendance = (
        await client.get(f"/v1/sessions/{meeting['id']}/attendance", headers=OPERATOR)
    ).json()
    # The quorum is of the group's four members, not of the assembly's twelve.
    assert attendance["quorum"]["sitting"] == 4
    assert attendance["quorum"]["needed"] == 3
    assert attendance["quorum"]["reached"] is True
    # The meeting keeps its group as it was when it opened, whatever the group becomes.
    group_now = await client.get("/v1/working-groups", headers=OPERATOR)
    version = next(g for g in group_now.json()["items"] if g["id"] == group)["version"]
    etag = f'"{version}"'
    changed = await client.put(
        f"/v1/working-groups/{group}/members",
        json={"members": [*members[:2], members[8]]},
        headers={**OPERATOR, "If-Match": etag},
    )
    assert changed.status_code == 200, changed.text
    later = (await client.get(f"/v1/sessions/{meeting['id']}/attendance", headers=OPERATOR)).json()
    assert later["quorum"]["sitting"] == 4
    newcomer = await client.post(
        f"/v1/sessions/{meeting['id']}/attendance",
        json={"member_id": members[8]},
        headers=FACILITATOR,
    )
    assert _slug(newcomer) == "not-in-group"
    final = await _vote(client, meeting["id"], pid)
    assert final.status_code == 409
    assert _slug(final) == "plenary-only"
    assert (await client.get(f"/v1/proposals/{pid}", headers=OPERATOR)).json()[
        "state"
    ] == "submitted"


async def test_amendments_lapse_when_their_version_changes_and_may_be_withdrawn(
    start_service, nats_server
):
    _, client = await start_service("deliberation")
    assembly, members = await seat(client, nats_server.url, 9)
    group = await _group(client, assembly, members[:3])
    pid = await _submitted(client, group, members[0])

    async def amend(author: str, paragraph: int, en: str):
        return await client.post(
            f"/v1/proposals/{pid}/amendments",
            json={
                "target_version": 1,
                "operation": "replace",
                "paragraph": paragraph,
                "text": {"it": en, "en": en},
                "rationale": TEXT,
            },
            headers=member(author),
        )

    gone = await amend("gone", 1, "From someone who left.")
    assert gone.status_code == 409
    assert _slug(gone) == "not-sitting"
    first, second, third = (
        await amend(members[4], 1, "One."),
        await amend(members[5], 2, "Two."),
        await amend(members[6], 2, "Three."),
    )
    assert {first.status_code, second.status_code, third.status_code} == {201}

    future = await client.post(
        f"/v1/proposals/{pid}/amendments",
        json={"target_version": 9, "operation": "delete", "paragraph": 1, "rationale": TEXT},
        headers=member(members[4]),
    )
    assert future.status_code == 422
    assert _slug(future) == "no-such-version"

    # Only its author (or staff) withdraws an amendment, with its ETag.
    aid = third.json()["id"]
    one = await client.get(f"/v1/proposals/{pid}/amendments/{aid}", headers=OPERATOR)
    assert (one.headers["ETag"], one.json()["version"]) == ('"1"', 1)
    path = f"/v1/proposals/{pid}/amendments/{aid}/withdrawal"
    unconditional = await client.post(path, headers=member(members[6]))
    assert unconditional.status_code == 428
    stranger = await client.post(path, headers={**member(members[5]), "If-Match": '"9"'})
    assert stranger.status_code == 403  # whoever they are, before whether their copy is fresh
    withdrawn = await client.post(path, headers={**member(members[6]), "If-Match": '"1"'})
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["state"] == "withdrawn"
    again = await client.post(path, headers={**member(members[6]), "If-Match": '"2"'})
    assert again.status_code == 409
    assert again.json()["detail"] == (
        "An amendment that is withdrawn cannot become withdrawn: withdrawn is final."
    )

    # A vote on the first, accepted: the second targeted the old version and lapses.
    plenary = await _open_session(client, assembly, agenda=[{"title": TEXT, "proposal_ids": [pid]}])
    sid = plenary["id"]
    await _check_in(client, sid, members)
    opened = await _vote(client, sid, pid, amendment=first.json()["id"])
    assert opened.status_code == 201, opened.text
    vid = opened.json()["id"]
    meanwhile = await _vote(client, sid, pid, amendment=second.json()["id"])
    assert meanwhile.status_code == 409  # one vote at a time: each may change the text
    assert _slug(meanwhile) == "vote-in-progress"
    assert meanwhile.json()["votes"] == [vid]
    open_now = await client.get(
        "/v1/votes", params={"session_id": sid, "state": "open"}, headers=FACILITATOR
    )
    assert [v["id"] for v in open_now.json()["items"]] == [vid]
    bogus = await client.get("/v1/votes", params={"state": "pending"}, headers=FACILITATOR)
    assert bogus.status_code == 422
    current = await client.get(f"/v1/proposals/{pid}", headers=OPERATOR)
    pulled = await client.post(
        f"/v1/proposals/{pid}/state",
        json={"to": "withdrawn"},
        headers={**OPERATOR, "If-Match": current.headers["ETag"]},
    )
    assert pulled.status_code == 409  # not while the plenary is voting on it
    assert _slug(pulled) == "vote-in-progress"
    uncounted = await client.post(
        f"/v1/votes/{vid}/close", headers={**FACILITATOR, "If-Match": opened.headers["ETag"]}
    )
    assert uncounted.status_code == 409
    assert _slug(uncounted) == "no-tally"
    counted = await client.put(
        f"/v1/votes/{vid}/tally",
        json={"yes": 9, "no": 0, "abstain": 0},
        headers={**FACILITATOR, "If-Match": opened.headers["ETag"]},
    )
    assert counted.status_code == 200, counted.text
    closed = await client.post(
        f"/v1/votes/{vid}/close", headers={**FACILITATOR, "If-Match": counted.headers["ETag"]}
    )
    assert closed.status_code == 200, closed.text
    states = {
        a["id"]: a["state"]
        for a in (await client.get(f"/v1/proposals/{pid}/amendments", headers=OPERATOR)).json()
    }
    assert states == {
        first.json()["id"]: "accepted",
        second.json()["id"]: "lapsed",
        third.json()["id"]: "withdrawn",
    }
    lapsed = await _vote(client, sid, pid, amendment=second.json()["id"])
    assert lapsed.status_code == 409
    assert _slug(lapsed) == "amendment-not-votable"
    # Nothing is pending any more: the final vote opens.
    final = await _vote(client, sid, pid)
    assert final.status_code == 201, final.text


async def test_votes_are_on_the_agenda_and_ballot_counts_are_hidden_until_the_close(
    start_service, nats_server, service_urls
):
    _, client = await start_service("deliberation")
    assembly, members = await seat(client, nats_server.url, 6)
    group = await _group(client, assembly, members[:2])
    pid = await _submitted(client, group, members[0])
    plenary = await _open_session(client, assembly)
    sid = plenary["id"]
    await _check_in(client, sid, members)
    # One of the six withdraws while checked in: she no longer counts, nor votes.
    await publish(nats_server.url, MemberWithdrew(round_id=uuid.uuid4(), respondent_id=members[5]))

    async def withdrawn() -> bool:
        found = await client.get(f"/v1/assemblies/{assembly}/sitting", headers=OPERATOR)
        return found.json()["members"] == members[:5]

    await eventually(withdrawn)
    quorum = (await client.get(f"/v1/sessions/{sid}/attendance", headers=OPERATOR)).json()
    assert (quorum["quorum"]["present"], quorum["quorum"]["sitting"]) == (5, 5)
    off_agenda = await _vote(client, sid, pid, method="open_ballot")
    assert off_agenda.status_code == 409
    assert _slug(off_agenda) == "not-on-agenda"
    agenda = {"agenda": [{"title": TEXT, "pac_codes": ["4.2.1"], "proposal_ids": [pid]}]}
    unconditional = await client.put(f"/v1/sessions/{sid}/agenda", json=agenda, headers=OPERATOR)
    assert unconditional.status_code == 428
    set_ = await client.put(
        f"/v1/sessions/{sid}/agenda",
        json=agenda,
        headers={**OPERATOR, "If-Match": plenary["etag"]},
    )
    assert set_.status_code == 200, set_.text
    opened = await _vote(client, sid, pid, method="open_ballot")
    assert opened.status_code == 201, opened.text
    vid = opened.json()["id"]
    for m, choice in zip(members[:5], ["yes", "yes", "yes", "yes", "no"], strict=True):
        cast = await client.post(
            f"/v1/votes/{vid}/ballots", json={"choice": choice}, headers=member(m)
        )
        assert cast.status_code == 202, cast.text
    gone = await client.post(
        f"/v1/votes/{vid}/ballots", json={"choice": "yes"}, headers=member(members[5])
    )
    assert gone.status_code == 409
    assert _slug(gone) == "not-entitled"
    running = (await client.get(f"/v1/votes/{vid}", headers=OPERATOR)).json()
    assert (running["yes"], running["no"], running["abstain"]) == (None, None, None)
    assert running["voted"] == 5
    dropped = await client.put(
        f"/v1/sessions/{sid}/agenda",
        json={"agenda": []},
        headers={**OPERATOR, "If-Match": set_.headers["ETag"]},
    )
    assert dropped.status_code == 409
    assert _slug(dropped) == "voted-item"
    closed = await client.post(
        f"/v1/votes/{vid}/close", headers={**FACILITATOR, "If-Match": opened.headers["ETag"]}
    )
    assert closed.status_code == 200, closed.text
    assert (closed.json()["yes"], closed.json()["no"]) == (4, 1)
    assert closed.json()["entitled"] == 5
    assert closed.json()["result"]["adopted"] is True  # 3 × 4 = 12 ≥ 2 × 5

    slides = await client.post(
        f"/v1/sessions/{sid}/documents",
        params={"kind": "materials", "title_it": "Slide", "title_en": "Slides"},
        content=b"%PDF-1.7 slides",
        headers={**FACILITATOR, "Content-Type": "application/pdf"},
    )
    assert slides.status_code == 201, slides.text

    # Closed: the record is final, everyone's stay ends at the close.
    session = await client.get(f"/v1/sessions/{sid}", headers=OPERATOR)
    ended = await client.post(
        f"/v1/sessions/{sid}/state",
        json={"to": "closed"},
        headers={**FACILITATOR, "If-Match": session.headers["ETag"]},
    )
    assert ended.status_code == 200, ended.text
    attendance = (await client.get(f"/v1/sessions/{sid}/attendance", headers=OPERATOR)).json()
    assert attendance["present"] == []
    assert len(attendance["stays"]) == 6
    assert all(s["last_out"] is not None and not s["present"] for s in attendance["stays"])
    late_agenda = await client.put(
        f"/v1/sessions/{sid}/agenda",
        json=agenda,
        headers={**OPERATOR, "If-Match": ended.headers["ETag"]},
    )
    assert late_agenda.status_code == 409
    assert _slug(late_agenda) == "session-final"
    late_upload = await client.post(
        f"/v1/sessions/{sid}/documents",
        params={"kind": "materials", "title_it": "Slide", "title_en": "Slides"},
        content=b"%PDF-1.7 slides",
        headers={**FACILITATOR, "Content-Type": "application/pdf"},
    )
    assert late_upload.status_code == 409
    assert _slug(late_upload) == "session-final"
    staff_documents = (await client.get(f"/v1/sessions/{sid}/documents", headers=OPERATOR)).json()
    slides = next(d for d in staff_documents if d["kind"] == "materials")
    assert slides["public"] is False  # uploaded without ?public=true
    content = slides["content_url"]
    sitting_member = await client.get(content, headers=member(members[0]))
    assert sitting_member.status_code == 200  # materials are for the assembly's members
    for outsider in (member("sits-nowhere"), member(members[5])):  # [5] withdrew
        assert (await client.get(content, headers=outsider)).status_code == 404
        listed = await client.get(f"/v1/sessions/{sid}/documents", headers=outsider)
        assert slides["id"] not in [d["id"] for d in listed.json()]
    published = await client.put(
        f"/v1/sessions/{sid}/documents/{slides['id']}/publication",
        json={"public": True},
        headers=FACILITATOR,
    )
    assert published.status_code == 200, published.text
    minutes = next(d for d in staff_documents if d["kind"] == "minutes")
    hidden = await client.put(
        f"/v1/sessions/{sid}/documents/{minutes['id']}/publication",
        json={"public": False},
        headers=FACILITATOR,
    )
    assert hidden.status_code == 409
    assert _slug(hidden) == "minutes-public"

    # The public sees no member id: not in the proposal, its votes, or the minutes.
    public = [
        (await client.get(f"/public/v1/proposals/{pid}")).text,
        (await client.get(f"/public/v1/votes/{vid}")).text,
        (await client.get("/public/v1/proposals")).text,
    ]
    documents = (await client.get(f"/public/v1/sessions/{sid}/documents")).json()
    for d in documents:
        public.append((await client.get(d["content_url"])).text)
    assert len(public) == 6  # the minutes in two languages and the slides, published
    for text in public:
        assert not any(m in text for m in members), text
    db = await asyncpg.connect(service_urls["deliberation"].replace("+asyncpg", ""))
    try:
        named = await db.fetchval("SELECT count(*) FROM vote_ballots WHERE vote_id = $1", vid)
    finally:
        await db.close()
    assert named == 5  # an open ballot is named, for staff


async def test_uploads_are_what_they_declare_and_lists_filter_by_known_states(
    start_service, nats_server
):
    _, client = await start_service("deliberation")
    assembly, members = await seat(client, nats_server.url, 3)
    group = await _group(client, assembly, members[:2])
    pid = await _submitted(client, group, members[0])
    plenary = await _open_session(client, assembly)
    one_at_a_time = await client.post(
        "/v1/sessions",
        json={
            "assembly_id": assembly,
            "kind": "plenary",
            "title": TEXT,
            **now_on(),
            "place": "Palazzo Marino",
        },
        headers=FACILITATOR,
    )
    refused = await client.post(
        f"/v1/sessions/{one_at_a_time.json()['id']}/state",
        json={"to": "open"},
        headers={**FACILITATOR, "If-Match": one_at_a_time.headers["ETag"]},
    )
    assert refused.status_code == 409  # the assembly meets in one plenary at a time
    assert _slug(refused) == "plenary-open"
    # A working group can meet meanwhile; a member is in one session at a time.
    other = await _open_session(
        client, assembly, kind="working_group", working_group_id=group, title=TEXT
    )
    await _check_in(client, plenary["id"], members[:1])
    twice = await client.post(
        f"/v1/sessions/{other['id']}/attendance",
        json={"member_id": members[0]},
        headers=FACILITATOR,
    )
    assert twice.status_code == 409
    assert _slug(twice) == "present-elsewhere"
    assert twice.json()["sessions"] == [plenary["id"]]
    left = await client.post(
        f"/v1/sessions/{plenary['id']}/attendance",
        json={"member_id": members[0], "direction": "out"},
        headers=FACILITATOR,
    )
    assert left.status_code == 200, left.text
    await _check_in(client, other["id"], members[:1])
    disguised = await client.post(
        f"/v1/sessions/{plenary['id']}/documents",
        params={"kind": "agenda", "title_it": "Ordine del giorno", "title_en": "Agenda"},
        content=b"MZ\x90\x00\x03 not a PDF",
        headers={**FACILITATOR, "Content-Type": "application/pdf"},
    )
    assert disguised.status_code == 422
    assert _slug(disguised) == "content-mismatch"
    bad_link = await client.post(
        f"/v1/sessions/{plenary['id']}/documents",
        json={
            "kind": "materials",
            "title": TEXT,
            "url": "https://example.org/a.pdf",
            "sha256": "x",
        },
        headers=FACILITATOR,
    )
    assert bad_link.status_code == 422
    assert _slug(bad_link) == "invalid-document-link"
    assert [e["location"] for e in bad_link.json()["errors"]] == [["sha256"]]
    for path in ("/v1/proposals", "/v1/sessions"):
        bogus = await client.get(path, params={"state": "bogus"}, headers=OPERATOR)
        assert bogus.status_code == 422, (path, bogus.text)
    for path in ("/public/v1/proposals", "/public/v1/sessions"):
        assert (await client.get(path, params={"state": "bogus"})).status_code == 422
    submitted = await client.get("/v1/proposals", params={"state": "submitted"}, headers=OPERATOR)
    assert [p["id"] for p in submitted.json()["items"]] == [pid]
    elsewhere = {"assembly_id": str(uuid.uuid4())}
    for path in ("/v1/proposals", "/v1/working-groups"):
        assert (await client.get(path, params=elsewhere, headers=OPERATOR)).json()["items"] == []
        ours = await client.get(path, params={"assembly_id": assembly}, headers=OPERATOR)
        assert {x["assembly_id"] for x in ours.json()["items"]} == {assembly}
    open_ = await client.get("/v1/sessions", params={"state": "open"}, headers=OPERATOR)
    assert {plenary["id"], other["id"]} <= {s["id"] for s in open_.json()["items"]}

    # A proposal is about its working group's theme, though it may touch others too.
    off_theme = await client.post(
        "/v1/proposals",
        json={**WORDING, "working_group_id": group, "pac_codes": ["1.3.1"]},
        headers=member(members[0]),
    )
    assert off_theme.status_code == 422
    assert _slug(off_theme) == "outside-theme"
    also = await client.post(
        "/v1/proposals",
        json={**WORDING, "working_group_id": group, "pac_codes": ["4.2.1", "1.3.1"]},
        headers=member(members[0]),
    )
    assert also.status_code == 201, also.text
    draft = also.json()["id"]

    # A draft is the working group's own: not public, even once withdrawn unsubmitted.
    for state in (None, "draft"):
        listed = await client.get("/public/v1/proposals", params={"state": state} if state else {})
        assert draft not in [p["id"] for p in listed.json()["items"]]
    assert pid in [p["id"] for p in (await client.get("/public/v1/proposals")).json()["items"]]
    assert (await client.get(f"/public/v1/proposals/{draft}")).status_code == 404
    withdrawn = await client.post(
        f"/v1/proposals/{draft}/state",
        json={"to": "withdrawn"},
        headers={**OPERATOR, "If-Match": also.headers["ETag"]},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["submitted_at"] is None
    assert (await client.get(f"/public/v1/proposals/{draft}")).status_code == 404
    listed = (await client.get("/public/v1/proposals")).json()["items"]
    assert draft not in [p["id"] for p in listed]


async def test_a_withdrawn_proposal_takes_no_more_votes_and_its_amendments_lapse(
    start_service, nats_server
):
    _, client = await start_service("deliberation")
    assembly, members = await seat(client, nats_server.url, 4)
    group = await _group(client, assembly, members[:2])
    pid = await _submitted(client, group, members[0])
    filed = await client.post(
        f"/v1/proposals/{pid}/amendments",
        json={"target_version": 1, "operation": "delete", "paragraph": 2, "rationale": TEXT},
        headers=member(members[2]),
    )
    assert filed.status_code == 201, filed.text
    current = await client.get(f"/v1/proposals/{pid}", headers=OPERATOR)
    pulled = await client.post(
        f"/v1/proposals/{pid}/state",
        json={"to": "withdrawn"},
        headers={**member(members[0]), "If-Match": current.headers["ETag"]},
    )
    assert pulled.status_code == 200, pulled.text
    amendment = await client.get(
        f"/v1/proposals/{pid}/amendments/{filed.json()['id']}", headers=OPERATOR
    )
    assert amendment.json()["state"] == "lapsed"
    plenary = await _open_session(client, assembly, agenda=[{"title": TEXT, "proposal_ids": [pid]}])
    await _check_in(client, plenary["id"], members)
    refused = await _vote(client, plenary["id"], pid, amendment=filed.json()["id"])
    assert refused.status_code == 409
    assert _slug(refused) == "not-submitted"
    versions = (await client.get(f"/v1/proposals/{pid}/versions", headers=OPERATOR)).json()
    assert [v["number"] for v in versions] == [1]
    # Submitted once, so public (withdrawn, with its record); its drafter stays anonymous.
    public = await client.get(f"/public/v1/proposals/{pid}")
    assert public.status_code == 200
    assert public.json()["state"] == "withdrawn"


async def test_what_a_plenary_refuses_to_take_on(start_service, nats_server):
    _, client = await start_service("deliberation")
    assembly, members = await seat(client, nats_server.url, 3)
    group = await _group(client, assembly, members[:2])
    pid = await _submitted(client, group, members[0])
    draft = await client.post(
        "/v1/proposals",
        json={**WORDING, "working_group_id": group, "pac_codes": ["4.2.1"]},
        headers=member(members[0]),
    )
    did = draft.json()["id"]
    session = {
        "assembly_id": assembly,
        "kind": "plenary",
        "title": TEXT,
        **now_on(),
        "place": "Palazzo Marino",
    }
    for agenda, status, slug in (
        ([{"title": TEXT, "proposal_ids": [pid, pid]}], 422, "duplicate-agenda-proposal"),
        ([{"title": TEXT, "proposal_ids": [did]}], 409, "not-submitted"),
    ):
        refused = await client.post(
            "/v1/sessions", json={**session, "agenda": agenda}, headers=FACILITATOR
        )
        assert refused.status_code == status, refused.text
        assert _slug(refused) == slug
    # A working group's own meeting may discuss its draft; the public does not see its id.
    meeting = await _open_session(
        client,
        assembly,
        kind="working_group",
        working_group_id=group,
        agenda=[{"title": TEXT, "proposal_ids": [did, pid]}],
    )
    shown = (await client.get(f"/public/v1/sessions/{meeting['id']}")).json()
    assert shown["agenda"][0]["proposal_ids"] == [pid]
    staff = (await client.get(f"/v1/sessions/{meeting['id']}", headers=OPERATOR)).json()
    assert staff["agenda"][0]["proposal_ids"] == [did, pid]
    typed_minutes = await client.post(
        f"/v1/sessions/{meeting['id']}/documents",
        params={"kind": "minutes", "title_it": "Verbale", "title_en": "Minutes"},
        content=b"%PDF-1.7 not drawn up from the record",
        headers={**FACILITATOR, "Content-Type": "application/pdf"},
    )
    assert typed_minutes.status_code == 422
    assert _slug(typed_minutes) == "minutes-generated"
    ended = await client.post(
        f"/v1/sessions/{meeting['id']}/state",
        json={"to": "closed"},
        headers={**FACILITATOR, "If-Match": meeting["etag"]},
    )
    assert ended.status_code == 200, ended.text
    code = await client.get(
        f"/v1/sessions/{meeting['id']}/check-in-code", headers=member(members[0])
    )
    assert code.status_code == 409
    assert _slug(code) == "session-final"

    # A session opens around its scheduled time, not months early (nor late).
    later = await client.post(
        "/v1/sessions",
        json={
            **session,
            "starts_at": "2027-03-14T09:30:00+01:00",
            "ends_at": "2027-03-14T13:00:00+01:00",
        },
        headers=FACILITATOR,
    )
    early = await client.post(
        f"/v1/sessions/{later.json()['id']}/state",
        json={"to": "open"},
        headers={**FACILITATOR, "If-Match": later.headers["ETag"]},
    )
    assert early.status_code == 409
    assert _slug(early) == "outside-schedule"
    stale = await client.put(
        f"/v1/sessions/{later.json()['id']}/schedule",
        json=now_on(),
        headers={**FACILITATOR, "If-Match": '"9"'},
    )
    assert stale.status_code == 412
    moved = await client.put(
        f"/v1/sessions/{later.json()['id']}/schedule",
        json=now_on(),
        headers={**FACILITATOR, "If-Match": later.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.text
    etag = moved.headers["ETag"]
    for to in ("open", "closed"):
        done = await client.post(
            f"/v1/sessions/{later.json()['id']}/state",
            json={"to": to},
            headers={**FACILITATOR, "If-Match": etag},
        )
        assert done.status_code == 200, done.text
        etag = done.headers["ETag"]
    once_held = await client.put(
        f"/v1/sessions/{later.json()['id']}/schedule",
        json=now_on(),
        headers={**FACILITATOR, "If-Match": etag},
    )
    assert once_held.status_code == 409
    assert _slug(once_held) == "not-scheduled"

    # A show of hands counts somebody; a majority is at least one half.
    plenary = await _open_session(client, assembly, agenda=[{"title": TEXT, "proposal_ids": [pid]}])
    await _check_in(client, plenary["id"], members)
    opened = await _vote(client, plenary["id"], pid)
    nobody = await client.put(
        f"/v1/votes/{opened.json()['id']}/tally",
        json={"yes": 0, "no": 0, "abstain": 0},
        headers={**FACILITATOR, "If-Match": opened.headers["ETag"]},
    )
    assert nobody.status_code == 422
    assert _slug(nobody) == "empty-tally"
    rules = await client.get(f"/v1/assemblies/{assembly}/rules", headers=OPERATOR)
    third = {
        k: rules.json()[k]
        for k in ("quorum_numerator", "quorum_denominator", "quorum_strict", "plenary_every_months")
    } | {"majority_numerator": 1, "majority_denominator": 3, "majority_base": "cast"}
    low = await client.put(
        f"/v1/assemblies/{assembly}/rules",
        json=third,
        headers={**OPERATOR, "If-Match": rules.headers["ETag"]},
    )
    assert low.status_code == 422
    assert "at least one half" in low.text
