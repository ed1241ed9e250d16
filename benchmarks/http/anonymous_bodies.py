"""What large anonymous bodies cost a service: its resident memory before and after.

Starts membership under uvicorn (embedded PostgreSQL and NATS, like `make run`, in a
temporary directory), measures its RSS, sends ``--clients`` concurrent anonymous POSTs of
``--mb`` MB each to ``/v1/registrations`` (streamed, without reading the answers first),
and measures again; then the same with an operator's token and a JSON body over the cap.

    .venv/bin/python benchmarks/http/anonymous_bodies.py --clients 8 --mb 50
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from common.auth import mint_token
from common.settings import AuthSettings
from devstack.nats import EmbeddedNats, free_port
from devstack.postgres import EmbeddedPostgres
from devstack.provision import prepare


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def flood(url: str, clients: int, mb: int, headers: dict[str, str]) -> list[int]:
    chunk = b" " * (1024 * 1024)

    async def body():
        for _ in range(mb):
            yield chunk

    async with httpx.AsyncClient(timeout=120) as client:

        async def one() -> int:
            try:
                response = await client.post(
                    url, content=body(), headers={"Content-Type": "application/json", **headers}
                )
                return response.status_code
            except httpx.HTTPError:
                return -1  # the server answered and closed before the body was sent

        return await asyncio.gather(*(one() for _ in range(clients)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--mb", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        postgres = EmbeddedPostgres(Path(tmp) / "pg", free_port(), durable=False)
        postgres.start(log_file=Path(tmp) / "pg.log")
        postgres.wait_ready()
        nats = EmbeddedNats(Path(tmp) / "nats", free_port())
        nats.start()
        nats.wait_ready()
        urls = prepare(postgres.admin_url, "bench", ["membership"])
        port = free_port()
        env = {
            **os.environ,
            "MEMBERSHIP_DATABASE_URL": urls["membership"],
            "MEMBERSHIP_NATS_URL": nats.url,
            "MEMBERSHIP_LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "membership.main:create_app",
                "--factory",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/health/ready").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("membership did not start")
                time.sleep(0.3)
            operator = {
                "Authorization": "Bearer "
                + mint_token(AuthSettings(), subject="bench", roles=["operator"])
            }
            print(f"membership RSS at rest: {rss_mb(server.pid):.0f} MB")
            for name, headers in (("anonymous", {}), ("operator, over the cap", operator)):
                started = time.perf_counter()
                codes = asyncio.run(
                    flood(f"{base}/v1/registrations", args.clients, args.mb, headers)
                )
                took = time.perf_counter() - started
                print(
                    f"{args.clients} x {args.mb} MB {name}: answers {sorted(set(codes))} "
                    f"in {took:.1f} s; RSS after: {rss_mb(server.pid):.0f} MB"
                )
        finally:
            server.terminate()
            server.wait(30)
            nats.stop()
            postgres.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
