"""What the deliberation service's API tests share: callers' headers, and an assembly whose
members sit, made from membership's events as the service consumes them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import nats

from common.contracts.membership import (
    AssemblyConfigured,
    MemberActivated,
    MemberWithdrew,
    Rotation,
)
from common.events.contracts import Contract
from common.events.envelope import Event
from common.events.streams import ensure_stream
from devstack.pytest_plugin import auth_header, eventually

OPERATOR = auth_header("operator")
FACILITATOR = auth_header("facilitator")
TEXT = {"it": "Testo", "en": "Text"}


def now_on(hours: float = 3) -> dict[str, str]:
    """A session's times that let it open now: from a few minutes ago for ``hours``."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=hours)).isoformat(),
    }


def member(member_id: str) -> dict[str, str]:
    return auth_header("member", subject=member_id)


async def publish(url: str, *contracts: Contract) -> None:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        await ensure_stream(js, "membership")
        for data in contracts:
            event = Event(source="/membership", type=data.TYPE, data=data.model_dump(mode="json"))
            await js.publish(
                event.type, event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.id)}
            )
    finally:
        await nc.close()


async def seat(client, nats_url: str, count: int) -> tuple[str, list[str]]:
    """An assembly whose ``count`` members sit today (and one who withdrew)."""
    assembly = uuid.uuid4()
    today = date.today()
    members = [f"m{i:03d}" for i in range(count)]
    events: list[Contract] = [
        AssemblyConfigured(
            assembly_id=assembly,
            version=1,
            seats=90,
            min_age=16,
            rotation=Rotation(cohort_size=90),
        )
    ]
    round_id = uuid.uuid4()
    for m in [*members, "gone"]:
        events.append(
            MemberActivated(
                round_id=round_id,
                respondent_id=m,
                assembly_id=assembly,
                term_starts_on=today - timedelta(days=30),
                term_ends_on=today + timedelta(days=300),
            )
        )
    events.append(MemberWithdrew(round_id=round_id, respondent_id="gone"))
    await publish(nats_url, *events)

    async def seated() -> bool:
        found = await client.get(f"/v1/assemblies/{assembly}/sitting", headers=OPERATOR)
        return found.status_code == 200 and found.json()["members"] == members

    await eventually(seated)
    return str(assembly), members
