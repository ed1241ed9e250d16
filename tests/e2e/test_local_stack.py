"""`make run` as a newcomer gets it: embedded PostgreSQL and NATS, four ready services,
a token they accept, a clean stop on SIGTERM, and the data still there the second time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from devstack.nats import free_port

SERVICES = ("sortition", "membership", "deliberation", "responses")


def start_stack(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "devstack", "run"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_restarted(names, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while not all(f"{name} exited (signal 9); restarting" in log.read_text() for name in names):
        if process.poll() is not None:
            pytest.fail(f"the stack exited ({process.returncode}):\n{log.read_text()[-4000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"not restarted: {names}\n{log.read_text()[-4000:]}")
        time.sleep(0.3)


def wait_ready(
    ports: dict[str, int], process: subprocess.Popen[bytes], log: Path, *, announce: bool = True
) -> None:
    """Every service answers ready, and the stack has said so (the announcement)."""
    deadline = time.monotonic() + 180
    pending = dict(ports)
    announced = log.read_text().count("All four services are ready") + int(announce)
    while pending or log.read_text().count("All four services are ready") < announced:
        if process.poll() is not None:
            pytest.fail(f"the stack exited ({process.returncode}):\n{log.read_text()[-4000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"not ready: {sorted(pending)}\n{log.read_text()[-4000:]}")
        for service, port in list(pending.items()):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health/ready").status_code == 200:
                    del pending[service]
            except httpx.HTTPError:
                pass
        time.sleep(0.5)


def stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def token(env: dict[str, str]) -> str:
    return subprocess.run(
        [sys.executable, "-m", "common.auth", "--roles", "operator"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_the_local_stack_starts_serves_stops_and_keeps_its_data(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NATS_URL")}
    ports = {s: free_port() for s in SERVICES}
    env.update(
        DATA_DIR=str(tmp_path / "data"),
        EMBEDDED_POSTGRES_PORT=str(free_port()),
        EMBEDDED_NATS_PORT=str(free_port()),
        **{f"{s.upper()}_PORT": str(p) for s, p in ports.items()},
    )
    log = tmp_path / "stack.log"
    bearer = {"Authorization": f"Bearer {token(env)}"}
    assembly = {
        "name": {"it": "Assemblea", "en": "Assembly"},
        "seats": 90,
        "rotation": {"cohort_size": 90, "cohort_interval_months": 12, "term_months": 12},
    }
    membership = f"http://127.0.0.1:{ports['membership']}"

    process = start_stack(env, log)
    try:
        wait_ready(ports, process, log)
        created = httpx.post(f"{membership}/v1/assemblies", json=assembly, headers=bearer)
        assert created.status_code == 201, created.text
        for service, port in ports.items():
            docs = httpx.get(f"http://127.0.0.1:{port}/openapi.json")
            assert docs.json()["info"]["title"].lower().startswith(service)
            assert "server" not in docs.headers
        # a process that dies is restarted, and the stack goes on
        for name in ("nats", "membership"):
            pid = int((tmp_path / "data" / "pids" / f"{name}.pid").read_text())
            os.kill(pid, signal.SIGKILL)
        wait_restarted(("nats", "membership"), process, log)
        wait_ready(ports, process, log, announce=False)
        again = httpx.post(f"{membership}/v1/assemblies", json=assembly, headers=bearer)
        assert again.status_code == 201, again.text
    finally:
        code = stop(process)
    output = log.read_text()
    assert "SIGKILL" not in output, output[-3000:]
    assert code == 0, output[-3000:]
    for port in ports.values():
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{port}/health/live")

    process = start_stack(env, log)
    try:
        wait_ready(ports, process, log)
        listed = httpx.get(f"{membership}/v1/assemblies", headers=bearer).json()["items"]
        assert [a["id"] for a in listed] == [created.json()["id"], again.json()["id"]]
    finally:
        stop(process)
