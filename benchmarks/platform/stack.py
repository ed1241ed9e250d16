"""The real parts a platform benchmark runs on, started for the run and stopped after it.

An embedded PostgreSQL and nats-server (the local stack's, on free ports, in a temporary
directory) and services under uvicorn as ``make run`` starts them: one process each, JSON
logs at INFO (the access log included) written to a file in that directory.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from common.auth import mint_token
from common.settings import AuthSettings
from devstack.nats import EmbeddedNats, free_port
from devstack.postgres import EmbeddedPostgres
from devstack.provision import prepare

HOST = "127.0.0.1"


def bearer(*roles: str) -> dict[str, str]:
    return {
        "Authorization": "Bearer " + mint_token(AuthSettings(), subject="bench", roles=list(roles))
    }


@dataclass
class Stack:
    directory: Path
    postgres: EmbeddedPostgres
    nats: EmbeddedNats
    urls: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def serve(
        self, app: str, *, port: int, env: dict[str, str], log: str, ready: str = "/health/ready"
    ) -> subprocess.Popen[bytes]:
        """``uvicorn app`` on ``port``, with uvicorn's defaults as ``make run`` uses them."""
        output = open(self.directory / log, "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                app,
                *(["--factory"] if app.endswith("create_app") else []),
                "--host",
                HOST,
                "--port",
                str(port),
                "--no-server-header",
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env={**os.environ, **env},
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parent,
        )
        self.processes.append(process)
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://{HOST}:{port}{ready}").status_code < 500:
                    return process
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{app} did not start; see {self.directory / log}")
            time.sleep(0.2)

    def service(self, name: str, **settings: str) -> int:
        """Start one of the four services; returns its port."""
        port = free_port()
        prefix = name.upper()
        env = {
            f"{prefix}_DATABASE_URL": self.urls[name],
            f"{prefix}_NATS_URL": self.nats.url,
            **{f"{prefix}_{key.upper()}": value for key, value in settings.items()},
        }
        self.serve(f"{name}.main:create_app", port=port, env=env, log=f"{name}.log")
        return port


@contextlib.contextmanager
def stack(services: Sequence[str]) -> Iterator[Stack]:
    with tempfile.TemporaryDirectory(prefix="platform-bench-") as tmp:
        directory = Path(tmp)
        postgres = EmbeddedPostgres(directory / "pg", free_port(), durable=False)
        postgres.start(log_file=directory / "pg.log")
        nats = EmbeddedNats(directory / "nats", free_port())
        try:
            postgres.wait_ready()
            nats.start(log_file=directory / "nats.log")
            nats.wait_ready()
            running = Stack(
                directory, postgres, nats, prepare(postgres.admin_url, "bench", services)
            )
            try:
                yield running
            finally:
                for process in running.processes:
                    process.terminate()
                for process in running.processes:
                    try:
                        process.wait(15)
                    except subprocess.TimeoutExpired:
                        process.kill()
        finally:
            nats.stop()
            postgres.stop()
