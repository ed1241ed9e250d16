"""Across sortition and membership, through their APIs and events: a registry extract goes
through stage 1, membership issues codes and the mail-house export, people register (bad
registrations get clear problems), sortition's pool fills, the draw selects the panel,
members appear as selected, a decline brings a replacement, and confirmation and training
lead to a term that starts by the calendar. Nothing personal reaches a public route, an
event, a log line or a clear-text column."""

from __future__ import annotations

import asyncio
import hashlib
import random
import uuid
from datetime import UTC, date, datetime, timedelta

import asyncpg
from event_helpers import plain
from flow_support import (
    INTEGRATION,
    OPERATOR,
    PANEL,
    all_pages,
    letters,
    registration,
    set_up,
)
from sortition_support import extract

from common.rotation import add_months
from devstack.pytest_plugin import auth_header, eventually
from membership.context import today as milan_today
from membership.domain.codes import new_code


async def test_from_letters_to_a_term(start_service, service_urls, capfd):
    today = milan_today()  # the service's deadlines are Milan's dates, not the machine's
    sortition, membership, assembly_id, round_id = await set_up(
        start_service, first_cohort=today + timedelta(days=60)
    )
    _, deliberation = await start_service("deliberation")  # learns who sits from the events
    rows = await letters(membership, round_id)
    # a code is valid 45 days, but no later than the selected can still answer (15 days)
    # before training starts (2 weeks before the term)
    training = today + timedelta(days=60 - 14)
    assert {r["reply_by"] for r in rows} == {str(training - timedelta(days=16))}
    rng = random.Random(5)

    # bad registrations, each with its problem
    good = registration(rows[0]["code"], rng, 0)
    checks = [
        (
            registration(
                rows[0]["code"][:-1] + "0"
                if not rows[0]["code"].endswith("0")
                else rows[0]["code"][:-1] + "1",
                rng,
                1,
            ),
            422,
            "invalid-code",
        ),
        (registration(new_code(), rng, 1), 422, "unknown-code"),
        (
            registration(
                rows[1]["code"], rng, 1, date_of_birth=str(today.replace(year=today.year - 12))
            ),
            422,
            "under-age",
        ),
        (
            registration(rows[1]["code"], rng, 1, features={**good["features"], "municipio": "M9"}),
            422,
            "unknown-feature-value",
        ),
        (
            registration(rows[1]["code"], rng, 1, consents={"participation": False}),
            422,
            "consent-required",
        ),
        (
            registration(
                rows[1]["code"],
                rng,
                1,
                date_of_birth=str(today.replace(year=today.year - 60)),
                features={**good["features"], "age_band": "16-39"},
            ),
            422,
            "age-band-mismatch",
        ),
        (registration(rows[1]["code"], rng, 1, first_name="   "), 422, "validation-failed"),
        (registration(rows[1]["code"], rng, 1, last_name="Ros\u0007si"), 422, "validation-failed"),
    ]
    for body, status, slug in checks:
        response = await membership.post("/v1/registrations", json=body, headers=INTEGRATION)
        assert response.status_code == status, (slug, response.text)
        assert response.json()["type"].endswith(f":{slug}"), response.text
    first = await membership.post("/v1/registrations", json=good, headers=INTEGRATION)
    assert first.status_code == 201, first.text
    again = await membership.post("/v1/registrations", json=good, headers=INTEGRATION)
    assert again.status_code == 200
    assert again.json()["respondent_id"] == first.json()["respondent_id"]
    other = await membership.post(
        "/v1/registrations", json={**good, "first_name": "Altro"}, headers=INTEGRATION
    )
    assert other.status_code == 409
    assert other.json()["type"].endswith(":code-used")
    connection = await asyncpg.connect(plain(service_urls["membership"]))
    try:
        await connection.execute(
            "UPDATE membership.invitations SET expires_on = current_date - 1 WHERE person_ref = $1",
            rows[2]["person_ref"],
        )
    finally:
        await connection.close()
    expired = await membership.post(
        "/v1/registrations", json=registration(rows[2]["code"], rng, 2), headers=INTEGRATION
    )
    assert expired.status_code == 422
    assert expired.json()["type"].endswith(":code-expired")

    # 59 more register; by phone through an operator too
    for n, row in enumerate(rows[3:62], start=3):
        body = registration(row["code"], rng, n, channel="phone" if n % 10 == 0 else "online")
        if n % 7 == 0:  # the Municipio as people write it
            body["features"]["municipio"] = f"Municipio {1 + n % 3}"
        headers = OPERATOR if body["channel"] == "phone" else INTEGRATION
        response = await membership.post("/v1/registrations", json=body, headers=headers)
        assert response.status_code == 201, response.text

    # sortition's pool fills through the event
    async def pool_full():
        pool = await sortition.get(f"/v1/rounds/{round_id}/pool", headers=OPERATOR)
        return pool.json() if pool.status_code == 200 and pool.json()["respondents"] == 60 else None

    pool = await eventually(pool_full)
    assert pool["households_rule"] is True
    assert set(pool["by_feature"]["age_band"]) == {"16-39", "40+"}  # derived from birth dates
    report = (await sortition.get(f"/v1/rounds/{round_id}/feasibility", headers=OPERATOR)).json()
    assert report["feasible"] is True, report

    seed = "draw-seed"
    digest = hashlib.sha256(seed.encode()).hexdigest()
    committed = await sortition.post(
        f"/v1/rounds/{round_id}/commitment", json={"seed_sha256": digest}, headers=OPERATOR
    )
    assert committed.status_code == 201, committed.text

    # registration closes once membership hears of the commitment, and the citizen is told
    # so in both languages
    async def heard():
        connection = await asyncpg.connect(plain(service_urls["membership"]))
        try:
            return await connection.fetchval(
                "SELECT committed_at FROM membership.rounds WHERE id = $1", uuid.UUID(round_id)
            )
        finally:
            await connection.close()

    await eventually(heard)
    late = await membership.post(
        "/v1/registrations", json=registration(rows[62]["code"], rng, 62), headers=INTEGRATION
    )
    assert late.status_code == 409, late.text
    assert late.json()["type"].endswith(":registration-closed")
    assert set(late.json()["message"]) == {"it", "en"}
    drawn = await sortition.post(
        f"/v1/rounds/{round_id}/draw", json={"seed": seed}, headers=OPERATOR
    )
    assert drawn.status_code == 200, drawn.text
    panel = drawn.json()["panel"]
    assert len(panel) == PANEL

    async def people_in(state: str) -> list[dict]:
        return await all_pages(
            membership, "/v1/people", params={"round_id": round_id, "state": state, "limit": 3}
        )

    async def selected():
        found = await people_in("selected")
        return found if len(found) == PANEL else None

    chosen = await eventually(selected)
    assert {p["respondent_id"] for p in chosen} == set(panel)
    assert all(p["reply_by"] == str(today + timedelta(days=15)) for p in chosen)
    assert len(await people_in("reserve")) + len(await people_in("not_selected")) == 50

    # a decline brings a replacement from sortition
    leaving = panel[0]
    person = await membership.get(f"/v1/people/{leaving}", headers=OPERATOR)
    assert person.json()["personal"]["first_name"].startswith("Nome")
    declined = await membership.post(
        f"/v1/people/{leaving}/transitions",
        json={"to": "declined", "reason": "moving abroad"},
        headers={**OPERATOR, "If-Match": person.headers["ETag"]},
    )
    assert declined.status_code == 200, declined.text

    async def replaced():
        found = await people_in("selected")
        ids = {p["respondent_id"] for p in found}
        return ids if len(found) == PANEL and leaving not in ids else None

    now_selected = await eventually(replaced)
    joining = (now_selected - set(panel)).pop()
    history = await all_pages(membership, f"/v1/people/{joining}/history", params={"limit": 1})
    assert history[-1]["to_state"] == "selected"
    assert history[-1]["reason"] == f"replaces {leaving}"
    # what the operator wrote is sealed, and read by operators only
    left = await all_pages(membership, f"/v1/people/{leaving}/history", params={})
    assert left[-1]["note"] == "moving abroad"
    assert left[-1]["reason"] is None
    audited = await membership.get(f"/v1/people/{leaving}/history", headers=auth_header("auditor"))
    assert audited.json()["items"][-1]["note"] is None
    assert audited.json()["items"][-1]["note_withheld"] is True
    assert "moving abroad" not in audited.text

    # an operator replaces someone membership still counts as selected: their seat ends
    # there too, and no more people hold seats than there are seats
    unanswered = panel[2]
    manual = await sortition.post(
        f"/v1/rounds/{round_id}/replacements",
        json={"respondent_id": unanswered, "reason": "unreachable"},
        headers=OPERATOR,
    )
    assert manual.status_code == 201, manual.text

    async def seat_ended():
        person = (await membership.get(f"/v1/people/{unanswered}", headers=OPERATOR)).json()
        found = await people_in("selected")
        ids = {p["respondent_id"] for p in found}
        done = person["state"] == "unreachable" and len(found) == PANEL
        return ids if done and manual.json()["joining"] in ids else None

    await eventually(seat_ended)
    assert (await sortition.get("/v1/dead-letters", headers=OPERATOR)).json()["items"] == []
    replacements = (
        await sortition.get(f"/v1/rounds/{round_id}/replacements", headers=OPERATOR)
    ).json()
    assert [r["leaving"] for r in replacements["items"]] == [leaving, unanswered]

    # an invalid step is refused; confirm, train, and the term starts by the calendar
    member = panel[1]
    version = '"2"'
    wrong = await membership.post(
        f"/v1/people/{member}/transitions",
        json={"to": "active"},
        headers={**OPERATOR, "If-Match": version},
    )
    assert wrong.status_code == 409
    assert wrong.json()["type"].endswith(":invalid-transition")
    for target in ("confirmed", "trained"):
        moved = await membership.post(
            f"/v1/people/{member}/transitions",
            json={"to": target},
            headers={**OPERATOR, "If-Match": version},
        )
        assert moved.status_code == 200, moved.text
        version = moved.headers["ETag"]
    assert moved.json()["term_starts_on"] == str(today + timedelta(days=60))
    # two months pass: the term starts by the calendar, without anyone pressing a button
    connection = await asyncpg.connect(plain(service_urls["membership"]))
    try:
        await connection.execute(
            "UPDATE membership.people SET term_starts_on = $2, term_ends_on = $3 "
            "WHERE respondent_id = $1",
            uuid.UUID(member),
            today - timedelta(days=20),
            today + timedelta(days=340),
        )
    finally:
        await connection.close()

    async def active():
        found = await people_in("active")
        return found if found else None

    assert [p["respondent_id"] for p in await eventually(active)] == [member]
    history = await all_pages(membership, f"/v1/people/{member}/history", params={"limit": 2})
    assert [h["to_state"] for h in history] == [
        "registered",
        "selected",
        "confirmed",
        "trained",
        "active",
    ]
    assert history[-1]["actor"] == "schedule"
    sitting = await membership.get(f"/v1/assemblies/{assembly_id}/sitting", headers=OPERATOR)
    assert [m["respondent_id"] for m in sitting.json()["items"]] == [member]

    # deliberation's roster, from membership's events, agrees on who sits, day by day
    async def roster_agrees():
        for day in (today, today + timedelta(days=100), today + timedelta(days=400)):
            theirs = await membership.get(
                f"/v1/assemblies/{assembly_id}/sitting", params={"on": str(day)}, headers=OPERATOR
            )
            ours = await deliberation.get(
                f"/v1/assemblies/{assembly_id}/sitting", params={"on": str(day)}, headers=OPERATOR
            )
            if ours.status_code != 200:
                return None
            if ours.json()["members"] != [m["respondent_id"] for m in theirs.json()["items"]]:
                return None
        return True

    assert await eventually(roster_agrees)

    # the member attends a plenary; its attendance reaches membership's stipends ledger
    rules = await membership.put(
        f"/v1/assemblies/{assembly_id}/stipend-rules",
        json={"per_session_cents": 4400, "min_minutes": 0, "term_threshold_percent": 70},
        headers=OPERATOR,
    )
    assert rules.status_code == 200, rules.text
    facilitator = auth_header("facilitator")
    plenary = await deliberation.post(
        "/v1/sessions",
        json={
            "assembly_id": assembly_id,
            "kind": "plenary",
            "title": {"it": "Plenaria", "en": "Plenary"},
            # it opens now: a session opens around its scheduled time
            "starts_at": (datetime.now(UTC) - timedelta(minutes=10)).isoformat(),
            "ends_at": (datetime.now(UTC) + timedelta(hours=3)).isoformat(),
            "place": "Palazzo Marino",
        },
        headers=facilitator,
    )
    assert plenary.status_code == 201, plenary.text
    sid = plenary.json()["id"]
    await deliberation.post(
        f"/v1/sessions/{sid}/state", json={"to": "open"}, headers={**facilitator, "If-Match": '"1"'}
    )
    checked = await deliberation.post(
        f"/v1/sessions/{sid}/attendance", json={"member_id": member}, headers=facilitator
    )
    assert checked.status_code == 200, checked.text
    closed = await deliberation.post(
        f"/v1/sessions/{sid}/state",
        json={"to": "closed"},
        headers={**facilitator, "If-Match": '"2"'},
    )
    assert closed.status_code == 200, closed.text
    period = {"from": str(today - timedelta(days=1)), "until": str(today + timedelta(days=1))}

    async def paid():
        found = await membership.get(
            f"/v1/assemblies/{assembly_id}/stipends", params=period, headers=OPERATOR
        )
        entries = found.json()["entries"] if found.status_code == 200 else []
        return entries or None

    (entry,) = await eventually(paid)
    assert (entry["respondent_id"], entry["counted"], entry["amount_cents"]) == (member, True, 4400)
    claimed = await membership.post(
        "/v1/refund-claims",
        json={
            "respondent_id": member,
            "kind": "travel",
            "amount_cents": 450,
            "incurred_on": str(today),
            "session_id": sid,
            "description": "ATM A/R",
        },
        headers=auth_header("member", subject=member),
    )
    assert claimed.status_code == 201, claimed.text
    for_another = await membership.post(
        "/v1/refund-claims",
        json={
            "respondent_id": panel[2],
            "kind": "travel",
            "amount_cents": 450,
            "incurred_on": str(today),
            "description": "ATM A/R",
        },
        headers=auth_header("member", subject=member),
    )
    assert for_another.status_code == 403
    unexplained = await membership.post(
        f"/v1/refund-claims/{claimed.json()['id']}/decision",
        json={"approve": False},
        headers={**OPERATOR, "If-Match": '"1"'},
    )
    assert unexplained.status_code == 422
    approved = await membership.post(
        f"/v1/refund-claims/{claimed.json()['id']}/decision",
        json={"approve": True},
        headers={**OPERATOR, "If-Match": '"1"'},
    )
    assert approved.status_code == 200, approved.text
    sheet = await membership.get(
        f"/v1/assemblies/{assembly_id}/stipends/payments.csv", params=period, headers=OPERATOR
    )
    assert sheet.status_code == 200, sheet.text
    header, line = sheet.text.splitlines()
    assert header.startswith("respondent_id,first_name,last_name,sessions_counted")
    assert line.startswith(member)
    assert line.endswith(",true,44.00,4.50,48.50")
    refused = await membership.get(
        f"/v1/assemblies/{assembly_id}/stipends/payments.csv",
        params=period,
        headers=auth_header("auditor"),
    )
    assert refused.status_code == 403

    # public routes: counts, no names
    for route in ("composition", "states", "members", "calendar"):
        response = await membership.get(f"/public/v1/assemblies/{assembly_id}/{route}")
        assert response.status_code == 200, (route, response.text)
        assert "Cognome" not in response.text
        assert "@" not in response.text
    composition = await membership.get(f"/public/v1/assemblies/{assembly_id}/composition")
    assert composition.json()["members"] == 1
    assert composition.json()["by_feature"]["gender"] == {
        next(iter(composition.json()["by_feature"]["gender"])): None
    }  # one member: suppressed
    states = (await membership.get(f"/public/v1/assemblies/{assembly_id}/states")).json()
    assert states["active"] == 1
    assert states["declined"] == 1

    # nothing personal in clear text: not in any membership table, nor sortition's
    connection = await asyncpg.connect(plain(service_urls["membership"]))
    try:
        for schema in ("membership",):
            tables = await connection.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
                schema,
            )
            for t in tables:
                dump = await connection.fetchval(
                    f"SELECT coalesce(string_agg(x::text, '\n'), '') FROM {schema}.\"{t[0]}\" x"
                )
                for secret in (
                    "Nome5",
                    "Cognome5",
                    "persona5@example.org",
                    "555 0005",
                    "moving abroad",
                ):
                    assert secret not in dump, (t[0], secret)
    finally:
        await connection.close()
    logs = capfd.readouterr()
    for secret in ("Nome5", "Cognome5", "persona5@example.org", "555 0005"):
        assert secret not in logs.err + logs.out
    reads = await all_pages(membership, "/v1/personal-data-reads", params={"limit": 3})
    assert any(
        r["action"] == "read" and r["respondent_id"] == leaving and r["actor"] == "test-user"
        for r in reads
    )


async def test_brute_force_of_codes_is_throttled_per_citizen(start_service):
    _, membership = await start_service("membership")
    rng = random.Random(1)

    def citizen(name: str) -> dict[str, str]:
        return {**INTEGRATION, "X-Client-Identity": name}

    async def attempt(headers: dict[str, str], n: int = 0) -> int:
        response = await membership.post(
            "/v1/registrations", json=registration(new_code(), rng, n), headers=headers
        )
        if response.status_code == 429:
            assert 0 < int(response.headers["Retry-After"]) <= 600
            assert response.json()["type"].endswith(":too-many-requests")
        return response.status_code

    for n in range(10):
        assert await attempt(citizen("anna"), n) == 422
    assert await attempt(citizen("anna")) == 429
    # another citizen behind the same integration is not held back by Anna's mistakes
    assert await attempt(citizen("bruno")) == 422
    # checked one at a time: twelve at once against a limit of ten check ten codes
    results = await asyncio.gather(*(attempt(citizen("carla"), n) for n in range(12)))
    assert sorted(results) == [422] * 10 + [429] * 2
    # the integration must say whose attempt it is; nobody else may
    anonymous = await membership.post(
        "/v1/registrations",
        json=registration(new_code(), rng, 1),
        headers=auth_header("integration", subject="milano-partecipa"),
    )
    assert anonymous.status_code == 422
    assert anonymous.json()["type"].endswith(":client-identity-required")
    posing = await membership.post(
        "/v1/registrations",
        json=registration(new_code(), rng, 1),
        headers={**OPERATOR, "X-Client-Identity": "anna"},
    )
    assert posing.status_code == 403
    # an operator's counter is theirs at their address; a forged X-Forwarded-For from a
    # peer that is no trusted proxy changes nothing
    for n in range(10):
        assert await attempt(OPERATOR, n) == 422
    assert await attempt(OPERATOR) == 429
    assert await attempt({**OPERATOR, "X-Forwarded-For": "203.0.113.9"}) == 429


async def test_forwarded_addresses_are_read_only_from_trusted_proxies(start_service):
    _, membership = await start_service(
        "membership", trusted_proxies=["127.0.0.1", "10.0.0.0/8"], code_failures_allowed=2
    )
    rng = random.Random(2)

    async def attempt(forwarded: str) -> int:
        response = await membership.post(
            "/v1/registrations",
            json=registration(new_code(), rng, 0),
            headers={**OPERATOR, "X-Forwarded-For": forwarded},
        )
        return response.status_code

    # behind the trusted proxy (httpx's test client is 127.0.0.1), each client has its own
    assert [await attempt("198.51.100.1, 10.1.2.3") for _ in range(3)] == [422, 422, 429]
    assert await attempt("198.51.100.2") == 422


async def register_some(membership, rows, count: int, *, consent_every: int = 0) -> list[str]:
    rng = random.Random(9)
    ids = []
    for n, row in enumerate(rows[:count]):
        body = registration(row["code"], rng, n)
        if consent_every and n % consent_every == 0:
            body["consents"] = {"participation": True, "reserve_list": True}
        response = await membership.post("/v1/registrations", json=body, headers=INTEGRATION)
        assert response.status_code == 201, response.text
        ids.append(response.json()["respondent_id"])
    return ids


async def test_retention_erasure_access_and_key_rotation(start_service, service_urls):
    sortition, membership, _, round_id = await set_up(
        start_service,
        first_cohort=milan_today() + timedelta(days=60),
        retention_not_selected_days=0,
    )
    rows = await letters(membership, round_id)
    ids = await register_some(membership, rows, 40, consent_every=5)

    # key rotation, without downtime: a new key first, the old one after it
    from cryptography.fernet import Fernet

    from common.crypto import DEVELOPMENT_KEY, key_id

    new_key = Fernet.generate_key().decode()
    _, rotating = await start_service(
        "membership", personal_data_keys=[new_key, DEVELOPMENT_KEY], schedule_seconds=0.3
    )

    async def rotated():
        usage = (await rotating.get("/v1/personal-data-keys", headers=OPERATOR)).json()
        return usage if set(usage["values_by_key_id"]) == {key_id(new_key)} else None

    usage = await eventually(rotated)
    assert usage["values_by_key_id"][key_id(new_key)] == 40 + 200  # people and letters
    _, only_new = await start_service("membership", personal_data_keys=[new_key])
    person = await only_new.get(f"/v1/people/{ids[1]}", headers=OPERATOR)
    assert person.json()["personal"]["first_name"] == "Nome1"

    async def pool_full():
        pool = await sortition.get(f"/v1/rounds/{round_id}/pool", headers=OPERATOR)
        return pool.status_code == 200 and pool.json()["respondents"] == 40

    await eventually(pool_full)
    seed = "s"
    await sortition.post(
        f"/v1/rounds/{round_id}/commitment",
        json={"seed_sha256": hashlib.sha256(seed.encode()).hexdigest()},
        headers=OPERATOR,
    )
    drawn = await sortition.post(
        f"/v1/rounds/{round_id}/draw", json={"seed": seed}, headers=OPERATOR
    )
    assert drawn.status_code == 200, drawn.text
    panel = set(drawn.json()["panel"])

    # retention: those not selected lose their personal data, unless they consented
    consenting = {ids[n] for n in range(0, 40, 5)}

    async def retention_done():
        page = await only_new.get(
            "/v1/people", params={"round_id": round_id, "limit": 100}, headers=OPERATOR
        )
        people = page.json()["items"]
        if any(p["state"] == "registered" for p in people):
            return None
        waiting = [
            p
            for p in people
            if p["state"] in ("not_selected", "reserve")
            and p["respondent_id"] not in consenting
            and not p["erased"]
        ]
        return None if waiting else people

    people = await eventually(retention_done)
    for p in people:
        kept = p["respondent_id"] in panel or p["respondent_id"] in consenting
        assert p["erased"] is not kept, p

    # the right of access: everything held, and the record of reads
    member = sorted(panel)[0]
    everything = (await only_new.get(f"/v1/people/{member}/export", headers=OPERATOR)).json()
    assert everything["personal"]["last_name"].startswith("Cognome")
    assert everything["consents"][0]["purpose"] == "participation"
    assert [h["to"] for h in everything["history"]] == ["registered", "selected"]
    assert everything["reads"][-1]["action"] == "access-export"

    # erasure on request keeps the pseudonymous id and tells the other services
    erased = await only_new.post(
        f"/v1/people/{member}/erasure", json={"reason": "asked by e-mail"}, headers=OPERATOR
    )
    assert erased.status_code == 200, erased.text
    assert erased.json()["erased"] is True
    assert (await only_new.get(f"/v1/people/{member}", headers=OPERATOR)).json()["personal"] is None
    twice = await only_new.post(
        f"/v1/people/{member}/erasure", json={"reason": "again"}, headers=OPERATOR
    )
    assert twice.status_code == 409
    connection = await asyncpg.connect(plain(service_urls["membership"]))
    try:
        erased_events = await connection.fetchval(
            "SELECT count(*) FROM membership.outbox WHERE type = 'membership.person.erased.v1'"
        )
    finally:
        await connection.close()
    assert erased_events == sum(1 for p in people if p["erased"]) + 1
    # only operators read personal data
    auditor = await only_new.get(f"/v1/people/{member}", headers=auth_header("auditor"))
    assert auditor.status_code == 403


async def test_rotation_aware_quotas_subtract_the_members_who_stay(start_service):
    pilot = {"cohort_size": PANEL, "cohort_interval_months": 3, "term_months": 6}
    sortition, membership, assembly_id, round_id = await set_up(
        start_service, first_cohort=milan_today() + timedelta(days=60), rotation=pilot
    )
    rows = await letters(membership, round_id)
    await register_some(membership, rows, 40)

    async def pool_full():
        pool = await sortition.get(f"/v1/rounds/{round_id}/pool", headers=OPERATOR)
        return pool.status_code == 200 and pool.json()["respondents"] == 40

    await eventually(pool_full)
    await sortition.post(
        f"/v1/rounds/{round_id}/commitment",
        json={"seed_sha256": hashlib.sha256(b"s").hexdigest()},
        headers=OPERATOR,
    )
    panel = (
        await sortition.post(f"/v1/rounds/{round_id}/draw", json={"seed": "s"}, headers=OPERATOR)
    ).json()["panel"]

    async def selected(respondent_id):
        person = await membership.get(f"/v1/people/{respondent_id}", headers=OPERATOR)
        return person if person.json()["state"] == "selected" else None

    staying = panel[:6]
    genders = []
    for respondent_id in staying:
        person = await eventually(lambda r=respondent_id: selected(r))
        genders.append(person.json()["features"]["gender"])
        confirmed = await membership.post(
            f"/v1/people/{respondent_id}/transitions",
            json={"to": "confirmed"},
            headers={**OPERATOR, "If-Match": person.headers["ETag"]},
        )
        assert confirmed.status_code == 200, confirmed.text

    composition = await membership.get(
        f"/v1/assemblies/{assembly_id}/composition", params={"cohort": "2"}, headers=OPERATOR
    )
    assert composition.status_code == 200, composition.text
    assert composition.json()["members"] == 6
    next_round = await sortition.post(
        "/v1/rounds",
        json={"assembly_id": assembly_id, "cohort": "2", "panel_size": PANEL},
        headers=OPERATOR,
    )
    assert next_round.status_code == 201, next_round.text
    quotas = await sortition.post(
        f"/v1/rounds/{next_round.json()['id']}/quotas/from-shares",
        json={
            "shares": {"gender": {"F": 50, "M": 50}},
            "tolerance_seats": 0,
            "rotation_aware": True,
        },
        headers={**OPERATOR, "If-Match": '"1"'},
    )
    assert quotas.status_code == 200, quotas.text
    body = PANEL + 6  # the whole assembly after the new cohort joins
    expected = {g: max(0, body / 2 - genders.count(g)) for g in ("F", "M")}
    got = {q["value"]: (q["min"], q["max"]) for q in quotas.json()["quotas"]}
    for g, target in expected.items():
        assert got[g][0] <= target <= got[g][1]
        assert got[g][1] - got[g][0] <= 1
    # one open round per cohort, whatever the spelling; no round for what the calendar lacks
    first = (await sortition.get(f"/v1/rounds/{round_id}", headers=OPERATOR)).json()["cohort"]
    for spelling in ("1", "01", first):
        again = await sortition.post(
            "/v1/rounds",
            json={"assembly_id": assembly_id, "cohort": spelling, "panel_size": PANEL},
            headers=OPERATOR,
        )
        assert again.status_code == 409, (spelling, again.text)
        assert again.json()["type"].endswith(":round-exists")
    for cohort, slug in (
        ("spring", "ambiguous-cohort"),
        ("2027", "ambiguous-cohort"),
        (f"{add_months(date.fromisoformat(first + '-01'), 1):%Y-%m}", "cohort-not-in-calendar"),
    ):
        odd = await sortition.post(
            "/v1/rounds",
            json={"assembly_id": assembly_id, "cohort": cohort, "panel_size": PANEL},
            headers=OPERATOR,
        )
        assert odd.status_code == 422, (cohort, odd.text)
        assert odd.json()["type"].endswith(f":{slug}"), odd.text
    wrong_size = await sortition.post(
        "/v1/rounds",
        json={"assembly_id": assembly_id, "cohort": "3", "panel_size": PANEL + 1},
        headers=OPERATOR,
    )
    assert wrong_size.status_code == 422
    assert wrong_size.json()["type"].endswith(":panel-size-not-cohort")


async def test_no_letters_for_a_cohort_about_to_start(start_service):
    _, membership = await start_service("membership")
    _, sortition = await start_service("sortition")
    soon = milan_today() + timedelta(days=30)  # training two weeks before: in 16 days
    assembly = await membership.post(
        "/v1/assemblies",
        json={
            "name": {"it": "Assemblea", "en": "Assembly"},
            "seats": PANEL,
            "rotation": {
                "cohort_size": PANEL,
                "cohort_interval_months": 12,
                "term_months": 12,
                "training_weeks": 2,
                "first_cohort_starts_on": soon.isoformat(),
            },
        },
        headers=OPERATOR,
    )
    body = {"assembly_id": assembly.json()["id"], "cohort": f"{soon:%Y-%m}", "panel_size": PANEL}

    async def opened():
        response = await sortition.post("/v1/rounds", json=body, headers=OPERATOR)
        return response.json() if response.status_code == 201 else None

    round_id = (await eventually(opened))["id"]
    uploaded = await sortition.put(
        f"/v1/rounds/{round_id}/extract",
        content=extract(300, seed=4),
        headers={**OPERATOR, "Content-Type": "text/csv"},
    )
    assert uploaded.status_code == 200, uploaded.text
    late = await sortition.post(
        f"/v1/rounds/{round_id}/invitations", json={"count": 50, "seed": "s"}, headers=OPERATOR
    )
    assert late.status_code == 409, late.text
    assert late.json()["type"].endswith(":too-late-for-letters")


async def test_an_export_whose_process_died_shows_as_interrupted(start_service, service_urls):
    _, membership, _, round_id = await set_up(
        start_service, first_cohort=milan_today() + timedelta(days=60)
    )
    await letters(membership, round_id)
    started = await membership.post(f"/v1/rounds/{round_id}/exports", headers=OPERATOR)
    export_id = started.headers["Location"].rsplit("/", 1)[1]

    async def finished():
        job = (await membership.get(started.headers["Location"], headers=OPERATOR)).json()
        return job if job["status"] != "running" else None

    await eventually(finished)
    # what a process killed while writing the file leaves behind: running, and stale
    connection = await asyncpg.connect(plain(service_urls["membership"]))
    try:
        await connection.execute(
            "UPDATE membership.exports SET status = 'running', updated_at = now() - "
            "interval '1 day' WHERE id = $1",
            uuid.UUID(export_id),
        )
    finally:
        await connection.close()
    job = await membership.get(f"/v1/exports/{export_id}", headers=OPERATOR)
    assert job.status_code == 200, job.text
    assert job.json()["status"] == "interrupted"
    assert job.json()["file"] is None
    file = await membership.get(f"/v1/exports/{export_id}/file", headers=OPERATOR)
    assert file.status_code == 409
    assert file.json()["type"].endswith(":export-not-ready")
