"""The event hop, registration → sortition's pool, at a steady rate; and the bare broker's.

    .venv/bin/python benchmarks/platform/event_hop.py

Starts the real stack (embedded PostgreSQL and nats-server, membership and sortition under
uvicorn as ``make run`` starts them, see ``stack.py``), opens a round through the APIs,
draws and exports its letters, then sends ``--rate`` registrations a second for
``--seconds`` to ``POST /v1/registrations`` (open loop: each request leaves on its
schedule whether or not the previous ones answered). Each registration commits a
``membership.respondent.registered.v1`` event in membership's outbox; the relay publishes
it; sortition's consumer adds the respondent to the pool and records the event in its
inbox, in one transaction.

The hop is timed by PostgreSQL's own clock, with ``track_commit_timestamp`` on: from the
commit of the registration (the commit timestamp of its row in ``membership.transitions``,
written in the same transaction as the outbox row and never updated) to the commit of
sortition's effect (the commit timestamp of its ``sortition.inbox`` row). The relay's
share is to the commit that marks the outbox row published (after its PubAck).

The baseline, in the same invocation, on the same nats-server: the minimal hop, a bare
nats-py JetStream publish (waiting for the PubAck) to a durable pull consumer that
fetches one message at a time and acks it, timed from before the publish to after the
ack, at the same rate for the same time.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx
import nats
from nats.js.api import AckPolicy, ConsumerConfig, StorageType, StreamConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services/sortition/tests/api"))

from sortition_support import extract
from stack import bearer, stack

OPERATOR = bearer("operator")
PANEL = 10
QUOTAS = (
    "feature,value,min,max\n"
    "gender,F,4,6\ngender,M,4,6\n"
    "municipio,M1,2,5\nmunicipio,M2,2,5\nmunicipio,M3,2,5\n"
    "age_band,16-39,2,7\nage_band,40+,3,8\n"
)
REGISTERED = "membership.respondent.registered.v1"


def figures(name: str, millis: list[float]) -> str:
    if not millis:
        return f"{name}: no samples"
    ordered = sorted(millis)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return (
        f"{name}: n={len(ordered)}  p50 {q[49]:.1f} ms  p90 {q[89]:.1f} ms  "
        f"p99 {q[98]:.1f} ms  max {ordered[-1]:.1f} ms"
    )


async def eventually(probe, *, seconds: float = 120.0, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = await probe()
        if result:
            return result
        await asyncio.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


async def letter_codes(client: httpx.AsyncClient, urls: dict[str, str], count: int) -> list[str]:
    """A round of an assembly, its quotas, an extract and ``count`` letters issued and
    exported: the codes to register with."""
    membership, sortition = urls["membership"], urls["sortition"]
    first_cohort = date.today() + timedelta(days=60)
    assembly = await client.post(
        f"{membership}/v1/assemblies",
        json={
            "name": {"it": "Assemblea", "en": "Assembly"},
            "seats": PANEL,
            "min_age": 16,
            "rotation": {
                "cohort_size": PANEL,
                "cohort_interval_months": 12,
                "term_months": 12,
                "training_weeks": 2,
                "first_cohort_starts_on": first_cohort.isoformat(),
            },
        },
        headers=OPERATOR,
    )
    assembly.raise_for_status()
    body = {
        "assembly_id": assembly.json()["id"],
        "cohort": f"{first_cohort:%Y-%m}",
        "panel_size": PANEL,
    }

    async def opened():
        response = await client.post(f"{sortition}/v1/rounds", json=body, headers=OPERATOR)
        return response.json() if response.status_code == 201 else None

    round_id = (await eventually(opened, what="the round"))["id"]
    base = f"{sortition}/v1/rounds/{round_id}"
    quotas = await client.put(
        f"{base}/quotas",
        content=QUOTAS,
        headers={**OPERATOR, "If-Match": '"1"', "Content-Type": "text/csv"},
    )
    quotas.raise_for_status()
    uploaded = await client.put(
        f"{base}/extract",
        content=extract(count * 2, seed=3),
        headers={**OPERATOR, "Content-Type": "text/csv"},
    )
    uploaded.raise_for_status()
    drawn = await client.post(
        f"{base}/invitations", json={"count": count, "seed": "letters"}, headers=OPERATOR
    )
    drawn.raise_for_status()

    async def issued():
        r = await client.get(f"{membership}/v1/rounds/{round_id}/invitations", headers=OPERATOR)
        return r.status_code == 200 and r.json()["issued"] == count

    await eventually(issued, what="the letters")
    started = await client.post(f"{membership}/v1/rounds/{round_id}/exports", headers=OPERATOR)
    started.raise_for_status()

    async def ready():
        job = (await client.get(membership + started.headers["Location"], headers=OPERATOR)).json()
        return job if job["status"] == "ready" else None

    job = await eventually(ready, what="the export")
    file = await client.get(membership + job["file"], headers=OPERATOR)
    return [row["code"] for row in csv.DictReader(io.StringIO(file.text))]


def registration(code: str, n: int, rng: random.Random) -> dict:
    age = rng.randint(18, 80)
    return {
        "code": code,
        "first_name": f"Nome{n}",
        "last_name": f"Cognome{n}",
        "email": f"persona{n}@example.org",
        "date_of_birth": (date(2026, 1, 1) - timedelta(days=365 * age + 30)).isoformat(),
        "features": {"gender": "FM"[n % 2], "citizenship": "IT", "municipio": f"M{1 + n % 3}"},
        "consents": {"participation": True},
    }


async def drive(url: str, codes: list[str], rate: float) -> tuple[list[float], int]:
    """POST one registration every 1/rate s: the requests' latencies (ms), and how many
    registered."""
    rng = random.Random(11)
    integration = bearer("integration")
    latencies: list[float] = []
    failures: list[str] = []
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def one(n: int, code: str) -> None:
            body = registration(code, n, rng)
            headers = {**integration, "X-Client-Identity": f"bench-{n}"}
            started = time.perf_counter()
            try:
                response = await client.post(f"{url}/v1/registrations", json=body, headers=headers)
            except httpx.TransportError:  # a kept-alive connection the server just closed
                response = await client.post(f"{url}/v1/registrations", json=body, headers=headers)
            if response.status_code not in (200, 201):  # 200: the retry of a registration
                failures.append(f"{response.status_code} {response.text[:200]}")
            latencies.append((time.perf_counter() - started) * 1000)

        loop = asyncio.get_running_loop()
        start = loop.time()
        tasks = []
        for n, code in enumerate(codes):
            await asyncio.sleep(max(0.0, start + n / rate - loop.time()))
            tasks.append(asyncio.create_task(one(n, code)))
        await asyncio.gather(*tasks)
    if failures:  # a producer overloaded (its pool's timeout): the hop is of those committed
        print(f"{len(failures)} registrations failed, the first: {failures[0]}")
    return latencies, len(codes) - len(failures)


HOP = f"""
SELECT extract(epoch FROM pg_xact_commit_timestamp(i.xmin)
                         - pg_xact_commit_timestamp(t.xmin)) * 1000 AS hop,
       extract(epoch FROM pg_xact_commit_timestamp(o.xmin)
                         - pg_xact_commit_timestamp(t.xmin)) * 1000 AS relay,
       extract(epoch FROM o.published_at - pg_xact_commit_timestamp(t.xmin)) * 1000 AS woken
FROM membership.outbox o
JOIN sortition.inbox i ON i.event_id = o.id
JOIN membership.transitions t
  ON t.respondent_id = (o.envelope -> 'data' ->> 'respondent_id')::uuid
 AND t.from_state IS NULL
WHERE o.type = '{REGISTERED}'
"""


async def hop_times(dsn: str, expected: int) -> dict[str, list[float]]:
    connection = await asyncpg.connect(dsn)
    try:

        async def arrived():
            count = await connection.fetchval(
                "SELECT count(*) FROM sortition.inbox WHERE type = $1", REGISTERED
            )
            return count >= expected

        await eventually(arrived, what="sortition's inbox")
        rows = await connection.fetch(HOP)
        return {key: [float(r[key]) for r in rows] for key in ("hop", "relay", "woken")}
    finally:
        await connection.close()


async def baseline(nats_url: str, rate: float, count: int) -> list[float]:
    """Bare JetStream: publish (PubAck awaited) → durable pull consumer → ack."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream(timeout=5)
        await js.add_stream(
            StreamConfig(name="HOPBASE", subjects=["hopbase.>"], storage=StorageType.FILE)
        )
        await js.add_consumer(
            "HOPBASE", ConsumerConfig(durable_name="hopbase", ack_policy=AckPolicy.EXPLICIT)
        )
        subscription = await js.pull_subscribe_bind("hopbase", stream="HOPBASE")
        latencies: list[float] = []

        async def consume() -> None:
            while len(latencies) < count:
                try:
                    messages = await subscription.fetch(1, timeout=2.0)
                except (TimeoutError, nats.errors.TimeoutError):
                    continue
                for message in messages:
                    await message.ack()
                    sent = json.loads(message.data)["sent"]
                    latencies.append((time.time() - sent) * 1000)

        consumer = asyncio.create_task(consume())
        loop = asyncio.get_running_loop()
        start = loop.time()
        for n in range(count):
            await asyncio.sleep(max(0.0, start + n / rate - loop.time()))
            await js.publish("hopbase.event", json.dumps({"n": n, "sent": time.time()}).encode())
        await asyncio.wait_for(consumer, 60)
        return latencies
    finally:
        await nc.close()


async def measure(running, urls: dict[str, str], rate: float, count: int) -> None:
    async with httpx.AsyncClient(timeout=300) as client:
        codes = await letter_codes(client, urls, count)
    print(f"{count} letters issued; logs in {running.directory}")
    broker = await baseline(running.nats.url, rate, count)
    await asyncio.sleep(2)
    requests, registered = await drive(urls["membership"], codes, rate)
    bench_dsn = running.postgres.admin_url.rsplit("/", 1)[0] + "/bench"
    hop = await hop_times(bench_dsn, registered)
    print(f"at {rate:g} events/s for {count / rate:g} s:")
    print(figures("baseline  (bare JetStream publish → pull consumer ack)", broker))
    print(figures("event hop (registration commit → sortition's pool commit)", hop["hop"]))
    print(figures("  commit → the relay's pass begins", hop["woken"]))
    print(figures("  commit → the relay's pass commits (published)", hop["relay"]))
    print(figures("  the registrations' HTTP requests", requests))


async def track_commit_timestamps(admin_url: str) -> None:
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute("ALTER SYSTEM SET track_commit_timestamp = on")
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="events a second")
    parser.add_argument("--seconds", type=float, default=25.0)
    args = parser.parse_args()
    count = int(args.rate * args.seconds)

    with stack(["membership", "sortition"]) as running:
        postgres = running.postgres
        asyncio.run(track_commit_timestamps(postgres.admin_url))
        postgres.stop()  # the setting needs a restart; no service is connected yet
        postgres.start(log_file=running.directory / "pg.log")
        postgres.wait_ready()
        membership = running.service("membership")
        urls = {"membership": f"http://127.0.0.1:{membership}"}
        sortition = running.service("sortition", membership_url=urls["membership"])
        urls["sortition"] = f"http://127.0.0.1:{sortition}"
        asyncio.run(measure(running, urls, args.rate, count))


if __name__ == "__main__":
    main()
