"""Events against the real PostgreSQL and nats-server: once, whatever fails."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path

import nats
import pytest
from event_helpers import POKED, SPEC, Switch, count_rows, create_effects_table, poke

from common.db import create_engine, uow_factory
from common.events.consumer import EventConsumer
from common.events.streams import ensure_stream
from common.tasks import cancel_and_wait
from devstack.pytest_plugin import auth_header, eventually
from sortition.adapters.tables import platform as sortition_tables

ASSEMBLY = {
    "name": {"it": "Assemblea", "en": "Assembly"},
    "seats": 90,
    "rotation": {"cohort_size": 90, "cohort_interval_months": 12, "term_months": 12},
}


async def test_event_written_while_nats_is_down_is_delivered_once_after_restart(
    start_service, nats_server, service_urls
):
    await start_service("sortition")
    _, membership = await start_service("membership")
    nats_server.stop()

    created = await membership.post(
        "/v1/assemblies", json=ASSEMBLY, headers=auth_header("operator")
    )
    assert created.status_code == 201
    assembly_id = created.json()["id"]
    pending = "SELECT count(*) FROM membership.outbox WHERE published_at IS NULL"
    await asyncio.sleep(1.5)  # the relay tries, and fails, meanwhile
    assert await count_rows(service_urls["membership"], pending) == 1
    assert await count_rows(service_urls["sortition"], "SELECT count(*) FROM assemblies") == 0

    nats_server.start()
    nats_server.wait_ready()

    async def replicated() -> bool:
        return (
            await count_rows(
                service_urls["sortition"],
                "SELECT count(*) FROM assemblies WHERE id = $1::uuid",
                assembly_id,
            )
            == 1
        )

    await eventually(replicated)
    assert await count_rows(service_urls["membership"], pending) == 0
    assert await count_rows(service_urls["sortition"], "SELECT count(*) FROM inbox") == 1
    nc = await nats.connect(nats_server.url)
    try:
        info = await nc.jetstream().stream_info("MEMBERSHIP")
        assert info.state.messages == 1
    finally:
        await nc.close()


@contextlib.asynccontextmanager
async def running_consumer(service_urls, nats_url, handler, **options):
    engine = create_engine(service_urls["sortition"], schema="sortition")
    nc = await nats.connect(nats_url)
    consumer = EventConsumer(
        js=nc.jetstream(),
        spec=SPEC,
        handlers={POKED: handler},
        uow_factory=uow_factory(engine, tables=sortition_tables, source="sortition"),
        **options,
    )
    task = asyncio.create_task(consumer.run())
    try:
        yield consumer
    finally:
        await cancel_and_wait([task])
        await nc.close()
        await engine.dispose()


async def publish(nats_url: str, payload: bytes) -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await ensure_stream(js, "membership")
        await js.publish(POKED, payload)
    finally:
        await nc.close()


async def consumer_settled(nats_url: str) -> bool:
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().consumer_info(SPEC.stream, SPEC.durable)
        return info.num_pending == 0 and info.num_ack_pending == 0
    finally:
        await nc.close()


async def test_consumer_killed_between_commit_and_ack_redelivers_with_a_single_effect(
    nats_server, service_urls
):
    await create_effects_table(service_urls["sortition"])
    event = poke(note="crash")
    await publish(nats_server.url, event.model_dump_json().encode())

    crash = await asyncio.create_subprocess_exec(
        sys.executable,
        str(Path(__file__).with_name("crash_consumer.py")),
        service_urls["sortition"],
        nats_server.url,
    )
    assert await asyncio.wait_for(crash.wait(), timeout=120) == 17
    effects = "SELECT count(*) FROM effects"
    assert await count_rows(service_urls["sortition"], effects) == 1  # committed, never acked

    handler = Switch()
    async with running_consumer(service_urls, nats_server.url, handler):
        await eventually(lambda: consumer_settled(nats_server.url))
    assert await count_rows(service_urls["sortition"], effects) == 1
    assert await count_rows(service_urls["sortition"], "SELECT count(*) FROM inbox") == 1
    assert handler.calls == 0  # redelivered, recognised in the inbox, acked without effect


async def test_transient_failures_are_retried_until_they_succeed(nats_server, service_urls):
    await create_effects_table(service_urls["sortition"])
    handler = Switch(failing=True)
    await publish(nats_server.url, poke().model_dump_json().encode())
    async with running_consumer(service_urls, nats_server.url, handler, backoff_seconds=[0.2]):
        await eventually(lambda: asyncio.sleep(0, result=handler.calls >= 1))
        handler.failing = False
        await eventually(lambda: consumer_settled(nats_server.url))
    assert await count_rows(service_urls["sortition"], "SELECT count(*) FROM effects") == 1
    assert await count_rows(service_urls["sortition"], "SELECT count(*) FROM dead_letters") == 0


@pytest.mark.parametrize("permanent", [False, True], ids=["retries-exhausted", "permanent"])
async def test_poison_event_lands_in_dead_letters_and_can_be_replayed(
    start_service, nats_server, service_urls, permanent
):
    from common.service import ServiceDefinition, Subscription
    from sortition.main import DEFINITION

    await create_effects_table(service_urls["sortition"])
    handler = Switch(failing=True, permanent=permanent)
    definition = ServiceDefinition(
        **{
            **DEFINITION.__dict__,
            "subscriptions": [Subscription(producer="membership", handlers={POKED: handler})],
        }
    )
    _, client = await start_service(
        "sortition",
        definition=definition,
        consumer_max_deliver=3,
        consumer_backoff_seconds=[0.1],
    )
    operator = auth_header("operator")
    event = poke(case="poison")
    await publish(nats_server.url, event.model_dump_json().encode())

    async def dead_letters():
        return (await client.get("/v1/dead-letters", headers=operator)).json()["items"]

    [letter] = await eventually(dead_letters)
    assert letter["event_id"] == str(event.id)
    assert letter["deliveries"] == (1 if permanent else 3)
    assert letter["subject"] == POKED
    assert handler.calls == letter["deliveries"]

    still_failing = await client.post(f"/v1/dead-letters/{letter['id']}/replay", headers=operator)
    assert still_failing.status_code == 409
    assert still_failing.json()["type"].endswith(":replay-failed")

    handler.failing = False  # the cause is fixed
    replayed = await client.post(f"/v1/dead-letters/{letter['id']}/replay", headers=operator)
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["took_effect"] is True
    assert replayed.json()["dead_letter"]["replay_attempts"] == 2
    assert await count_rows(service_urls["sortition"], "SELECT count(*) FROM effects") == 1

    twice = await client.post(f"/v1/dead-letters/{letter['id']}/replay", headers=operator)
    assert twice.status_code == 409
    assert await dead_letters() == []
    everything = await client.get(
        "/v1/dead-letters", params={"include_replayed": "true"}, headers=operator
    )
    assert len(everything.json()["items"]) == 1
    assert (await client.get("/v1/dead-letters", headers=auth_header("auditor"))).status_code == 403


async def test_undecodable_message_is_dead_lettered_at_once(
    start_service, nats_server, service_urls
):
    _, client = await start_service("sortition")
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        await ensure_stream(js, "membership")
        await js.publish("membership.assembly.configured.v1", b"{not json")
    finally:
        await nc.close()
    operator = auth_header("operator")

    async def dead_letters():
        return (await client.get("/v1/dead-letters", headers=operator)).json()["items"]

    [letter] = await eventually(dead_letters)
    assert letter["event_id"] is None
    assert letter["deliveries"] == 1
    assert "not an event envelope" in letter["error"]
    replay = await client.post(f"/v1/dead-letters/{letter['id']}/replay", headers=operator)
    assert replay.status_code == 409
    missing = await client.post(
        "/v1/dead-letters/00000000-0000-0000-0000-000000000000/replay", headers=operator
    )
    assert missing.status_code == 404
