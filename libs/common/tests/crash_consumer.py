"""Run a consumer that dies (as if killed) after its transaction commits, before the ack.

``python crash_consumer.py DATABASE_URL NATS_URL``; exits with status 17 at the crash.
"""

from __future__ import annotations

import asyncio
import os
import sys

import nats

from common.db import create_engine, uow_factory
from common.events.consumer import EventConsumer
from common.events.envelope import Event
from sortition.adapters.tables import platform

sys.path.insert(0, os.path.dirname(__file__))
from event_helpers import POKED, SPEC, Switch


async def main(database_url: str, nats_url: str) -> None:
    engine = create_engine(database_url, schema="sortition")
    nc = await nats.connect(nats_url)

    async def die(event: Event) -> None:
        os._exit(17)  # no ack, no cleanup: like a SIGKILL

    consumer = EventConsumer(
        js=nc.jetstream(),
        spec=SPEC,
        handlers={POKED: Switch()},
        uow_factory=uow_factory(engine, tables=platform, source="sortition"),
        after_commit=die,
    )
    await consumer.run()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
