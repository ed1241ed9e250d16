"""What the sortition API tests share: an operator, a round opened through membership's
event, a synthetic registry extract, and the letters' events read back from NATS."""

from __future__ import annotations

import json
import random

import httpx

from devstack.pytest_plugin import auth_header, eventually

OPERATOR = auth_header("operator")
#: A yearly assembly of 90 without a calendar: enough to open rounds for it.
ASSEMBLY = {
    "name": {"it": "Assemblea", "en": "Assembly"},
    "seats": 90,
    "rotation": {"cohort_size": 90, "cohort_interval_months": 12, "term_months": 12},
}


async def open_round(start_service) -> tuple[httpx.AsyncClient, dict]:
    _, sortition = await start_service("sortition")
    _, membership = await start_service("membership")
    assembly = await membership.post("/v1/assemblies", json=ASSEMBLY, headers=OPERATOR)
    body = {"assembly_id": assembly.json()["id"], "cohort": "1", "panel_size": 90}

    async def opened() -> dict | None:
        response = await sortition.post("/v1/rounds", json=body, headers=OPERATOR)
        return response.json() if response.status_code == 201 else None

    return sortition, await eventually(opened)


CSV = {**OPERATOR, "Content-Type": "text/csv"}
HEADER = "person_ref,household_ref,age,gender,citizenship,municipio\n"


def extract(rows: int, *, seed: int = 7) -> str:
    rng = random.Random(seed)
    lines, household = [HEADER], 0
    for i in range(rows):
        if rng.random() < 0.6:
            household += 1
        lines.append(
            f"P{i:06d},H{household:06d},{rng.randint(5, 95)},{rng.choice('FM')},"
            f"{rng.choices(['IT', 'EU', 'NONEU'], [80, 5, 15])[0]},M{rng.randint(1, 9)}\n"
        )
    return "".join(lines)


async def drawn_events(nats_url: str, round_id: str, batches: int) -> list[dict]:
    import nats

    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        sub = await js.subscribe("sortition.invitations.drawn.v1", ordered_consumer=True)
        events = []
        while len(events) < batches:
            message = await sub.next_msg(timeout=20)
            data = json.loads(message.data)["data"]
            if data["round_id"] == round_id:
                events.append(data)
        return events
    finally:
        await nc.close()
