"""A consumer of a test-only event that leaves a countable effect: one row per handling."""

from __future__ import annotations

import asyncpg
import sqlalchemy as sa

from common.db import UnitOfWork
from common.errors import PermanentEventError
from common.events.envelope import Event
from common.events.streams import ConsumerSpec

POKED = "membership.test.poked.v1"
SPEC = ConsumerSpec(
    consumer_service="sortition",
    producer_service="membership",
    subjects=(POKED,),
    max_deliver=3,
    ack_wait_seconds=1.0,
)


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def create_effects_table(sortition_url: str) -> None:
    connection = await asyncpg.connect(plain(sortition_url))
    try:
        await connection.execute(
            "CREATE TABLE sortition.effects (n serial PRIMARY KEY, event_id uuid NOT NULL)"
        )
    finally:
        await connection.close()


async def count_rows(url: str, query: str, *args: object) -> int:
    connection = await asyncpg.connect(plain(url))
    try:
        return int(await connection.fetchval(query, *args))
    finally:
        await connection.close()


class Switch:
    """A handler that fails (transiently, or for good) while its switch is on."""

    def __init__(self, *, failing: bool = False, permanent: bool = False) -> None:
        self.failing = failing
        self.permanent = permanent
        self.calls = 0

    async def __call__(self, event: Event, *, uow: UnitOfWork) -> None:
        self.calls += 1
        if self.failing:
            if self.permanent:
                raise PermanentEventError("this event can never be handled")
            raise RuntimeError("a downstream dependency is down")
        await uow.session.execute(
            sa.text("INSERT INTO sortition.effects (event_id) VALUES (:id)"), {"id": event.id}
        )


def poke(**data: object) -> Event:
    return Event(source="/membership", type=POKED, data=dict(data))
