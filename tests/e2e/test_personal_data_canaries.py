"""Personal data goes nowhere it should not. People register with canary names, e-mails,
phones, dates of birth and accessibility needs, an operator writes a canary note about one
of them, the round is drawn; then every public response, every response to a role other
than operator, /metrics, every NATS message, every table of every schema (the sealed
columns included: they hold ciphertext) and every log line are searched for the canaries."""

from __future__ import annotations

import hashlib
import random
import re
import uuid
from datetime import date, timedelta

import asyncpg
import nats
from event_helpers import plain
from flow_support import INTEGRATION, OPERATOR, PANEL, all_pages, letters, set_up

from common.events.streams import SERVICES, stream_name
from devstack.pytest_plugin import auth_header, eventually
from membership.context import today as milan_today

REGISTERED = 30
DUMP = "SELECT coalesce(string_agg(x::text, E'\\n'), '') FROM {} x"
OTHER_ROLES = ("facilitator", "department", "member", "integration", "auditor")


def canaries(n: int) -> dict[str, str]:
    return {
        "first_name": f"Kanarinfirst{n:02d}",
        "last_name": f"Kanarinlast{n:02d}",
        "email": f"kanarin{n:02d}@canary.example",
        "phone": f"+39 02 9876 {n:04d}",
        "date_of_birth": (date(1950 + 45 * (n % 2), 1, 1) + timedelta(days=7 * n + 3)).isoformat(),
        "accessibility_needs": f"Kanarinaccess{n:02d} sign language",
    }


def secrets() -> list[str]:
    found = []
    for n in range(REGISTERED):
        c = canaries(n)
        found += [c["first_name"], c["last_name"], c["email"], c["phone"], "Kanarinaccess"]
        found.append(c["date_of_birth"])
    return [*found, "Kanarinnote"]


def leaks(text: str, where: str) -> list[str]:
    return [f"{where}: {s}" for s in secrets() if s in text]


async def test_no_canary_leaves_where_it_belongs(start_service, service_urls, nats_server, capfd):
    today = milan_today()
    sortition, membership, assembly_id, round_id = await set_up(
        start_service, first_cohort=today + timedelta(days=90)
    )
    rows = await letters(membership, round_id)
    rng = random.Random(11)
    people = []
    for n, row in enumerate(rows[:REGISTERED]):
        body = {
            "code": row["code"],
            **canaries(n),
            "features": {
                "gender": "FM"[n % 2],
                "citizenship": "IT",
                "municipio": f"M{1 + n % 3}",
            },
            "consents": {"participation": True, "public_listing": rng.random() < 0.5},
            "availability": ["weekday evenings"],
        }
        registered = await membership.post("/v1/registrations", json=body, headers=INTEGRATION)
        assert registered.status_code == 201, registered.text
        people.append(registered.json()["respondent_id"])

    async def pool_full():
        pool = await sortition.get(f"/v1/rounds/{round_id}/pool", headers=OPERATOR)
        return pool.status_code == 200 and pool.json()["respondents"] == REGISTERED

    await eventually(pool_full)
    digest = hashlib.sha256(b"canary-seed").hexdigest()
    committed = await sortition.post(
        f"/v1/rounds/{round_id}/commitment", json={"seed_sha256": digest}, headers=OPERATOR
    )
    assert committed.status_code == 201, committed.text
    drawn = await sortition.post(
        f"/v1/rounds/{round_id}/draw", json={"seed": "canary-seed"}, headers=OPERATOR
    )
    assert drawn.status_code == 200, drawn.text
    panel = drawn.json()["panel"]

    async def selected():
        found = await all_pages(
            membership, "/v1/people", params={"round_id": round_id, "state": "selected"}
        )
        return found if len(found) == PANEL else None

    await eventually(selected)
    person = await membership.get(f"/v1/people/{panel[0]}", headers=OPERATOR)
    assert person.json()["personal"]["first_name"].startswith("Kanarinfirst")
    noted = await membership.post(
        f"/v1/people/{panel[0]}/transitions",
        json={"to": "declined", "reason": "Kanarinnote: told us by phone"},
        headers={**OPERATOR, "If-Match": person.headers["ETag"]},
    )
    assert noted.status_code == 200, noted.text
    export = await membership.post(f"/v1/rounds/{round_id}/exports", headers=OPERATOR)
    export_id = export.headers["Location"].rsplit("/", 1)[1]

    found: list[str] = []
    ids = {
        "round_id": round_id,
        "assembly_id": assembly_id,
        "respondent_id": panel[1],
        "export_id": export_id,
    }
    clients = {"sortition": sortition, "membership": membership}
    for service, client in clients.items():
        schema = (await client.get("/openapi.json")).json()
        for path, item in schema["paths"].items():
            if "get" not in item:
                continue
            url = re.sub(r"\{([^}]+)\}", lambda m: ids.get(m[1], str(uuid.uuid4())), path)
            if path.startswith("/public/"):
                response = await client.get(url)
                found += leaks(response.text, f"{service} GET {path}")
            elif path.startswith("/v1/"):
                for role in OTHER_ROLES:
                    response = await client.get(url, headers=auth_header(role))
                    found += leaks(response.text, f"{service} GET {path} as {role}")
        found += leaks((await client.get("/metrics")).text, f"{service} /metrics")

    connection = await nats.connect(nats_server.url)
    try:
        js = connection.jetstream()
        messages = 0
        for service in SERVICES:
            try:
                info = await js.stream_info(stream_name(service))
            except Exception:  # noqa: S112 (a stream nobody published to yet)
                continue
            if not info.state.messages:
                continue  # created by a consumer, nothing published yet
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                try:
                    message = await js.get_msg(stream_name(service), seq)
                except nats.js.errors.NotFoundError:
                    continue  # a sequence whose message was deleted
                messages += 1
                found += leaks(message.data.decode(), f"NATS {message.subject}")
        assert messages > 0
    finally:
        await connection.close()

    database = await asyncpg.connect(plain(service_urls["membership"]).rsplit("?", 1)[0])
    try:
        tables = await database.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema = 'membership' AND table_type = 'BASE TABLE'"
        )
        assert len(tables) > 5
        for schema_name, table in tables:
            dump = await database.fetchval(DUMP.format(f'"{schema_name}"."{table}"'))
            found += leaks(dump, f"table {schema_name}.{table}")
    finally:
        await database.close()
    sortition_db = await asyncpg.connect(plain(service_urls["sortition"]))
    try:
        for (table,) in await sortition_db.fetch(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'sortition' AND table_type = 'BASE TABLE'"
        ):
            dump = await sortition_db.fetchval(DUMP.format(f'sortition."{table}"'))
            found += leaks(dump, f"table sortition.{table}")
    finally:
        await sortition_db.close()

    logs = capfd.readouterr()
    found += leaks(logs.out + logs.err, "logs")
    assert not found, "\n".join(sorted(set(found)))
