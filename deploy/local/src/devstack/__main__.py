"""The local stack: ``python -m devstack run`` starts everything; see ``--help``."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sys
import time
from typing import Any

import asyncpg
import httpx

from common.events.streams import SERVICES
from devstack.config import REPO_ROOT, SERVICE_PORTS, StackSettings
from devstack.nats import EmbeddedNats
from devstack.postgres import EmbeddedPostgres
from devstack.provision import prepare
from devstack.supervisor import Program, supervise


def _say(message: str) -> None:
    print(message, flush=True)


def _service_port(service: str) -> int:
    return int(os.environ.get(f"{service.upper()}_PORT", SERVICE_PORTS[service]))


def _port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def cmd_run(settings: StackSettings, _: argparse.Namespace) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    programs: list[Program] = []
    busy = [_service_port(s) for s in SERVICE_PORTS if _port_in_use(_service_port(s))]
    if settings.database_url is None:
        pg_data = settings.data_dir / "postgres"
        if (
            _port_in_use(settings.embedded_postgres_port)
            and not (pg_data / "postmaster.pid").exists()
        ):
            busy.append(settings.embedded_postgres_port)
        programs.append(
            Program("postgres", [python, "-m", "devstack", "postgres"], infrastructure=True)
        )
    if settings.nats_url is None:
        if _port_in_use(settings.embedded_nats_port):
            busy.append(settings.embedded_nats_port)
        programs.append(Program("nats", [python, "-m", "devstack", "nats"], infrastructure=True))
    if busy:
        _say(f"Ports already in use: {', '.join(map(str, busy))}. Is another `make run` going?")
        return 1
    for service in SERVICES:
        programs.append(Program(service, [python, "-m", "devstack", "serve", service]))
    programs.append(Program("ready", [python, "-m", "devstack", "announce"]))
    _say(
        "Starting PostgreSQL, NATS and the four services (a process that dies is restarted; "
        "Ctrl-C stops them all)..."
    )
    return supervise(programs, cwd=str(REPO_ROOT), pid_dir=settings.data_dir / "pids")


def cmd_postgres(settings: StackSettings, _: argparse.Namespace) -> int:
    server = EmbeddedPostgres(settings.data_dir / "postgres", settings.embedded_postgres_port)
    process = server.start()

    def fast_shutdown(signum: int, frame: Any) -> None:
        # Only signal here: waiting inside a handler would deadlock with the wait below.
        process.send_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, fast_shutdown)
    signal.signal(signal.SIGINT, fast_shutdown)
    return process.wait()


def cmd_nats(settings: StackSettings, _: argparse.Namespace) -> int:
    server = EmbeddedNats(settings.data_dir / "nats", settings.embedded_nats_port)
    command = server.command()
    os.execv(command[0], command)  # noqa: S606


async def _wait_for_database(admin_url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection = await asyncpg.connect(admin_url, timeout=2)
            await connection.close()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.3)


def cmd_serve(settings: StackSettings, args: argparse.Namespace) -> int:
    import uvicorn

    service = args.service
    asyncio.run(_wait_for_database(settings.admin_url, timeout=120))
    urls = prepare(settings.admin_url, settings.database_name, [service])
    prefix = service.upper()
    os.environ.setdefault(f"{prefix}_DATABASE_URL", urls[service])
    os.environ.setdefault(f"{prefix}_NATS_URL", settings.broker_url)
    port = _service_port(service)
    os.environ[f"{prefix}_PORT"] = str(port)
    uvicorn.run(
        f"{service}.main:create_app",
        factory=True,
        host=os.environ.get(f"{prefix}_HOST", "127.0.0.1"),
        port=port,
        log_config=None,
        access_log=False,  # the service writes its own, with the request id
        timeout_graceful_shutdown=3,
        server_header=False,
    )
    return 0


def cmd_announce(settings: StackSettings, _: argparse.Namespace) -> int:
    started = time.monotonic()
    pending = {s: _service_port(s) for s in SERVICE_PORTS}
    with httpx.Client(timeout=2) as client:
        while pending:
            for service, port in list(pending.items()):
                try:
                    if client.get(f"http://127.0.0.1:{port}/health/ready").status_code == 200:
                        del pending[service]
                except httpx.HTTPError:
                    pass
            time.sleep(0.5)
    _say(f"All four services are ready after {time.monotonic() - started:.1f} s:")
    for service in SERVICE_PORTS:
        _say(f"  {service:<13} http://127.0.0.1:{_service_port(service)}/docs")
    _say("A token for the docs' Authorize button: make -s token ROLES=operator")
    while True:  # stays, so that the supervisor does not take its end for a failure
        time.sleep(3600)


def cmd_prepare(settings: StackSettings, _: argparse.Namespace) -> int:
    for service, url in prepare(settings.admin_url, settings.database_name).items():
        _say(f"{service}: migrated ({url.split('@')[-1]})")
    return 0


def cmd_asyncapi(_settings: StackSettings, _: argparse.Namespace) -> int:
    from devstack.catalogue import PATH, render

    PATH.write_text(render())
    _say(f"wrote {PATH.relative_to(REPO_ROOT)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start the whole stack (what `make run` does)")
    sub.add_parser("postgres", help="run the embedded PostgreSQL in the foreground")
    sub.add_parser("nats", help="run the embedded nats-server -js in the foreground")
    serve = sub.add_parser("serve", help="provision, migrate and serve one service")
    serve.add_argument("service", choices=SERVICES)
    sub.add_parser("announce", help="wait for every service to be ready and say where they are")
    sub.add_parser("prepare", help="provision schemas and roles and migrate every service")
    sub.add_parser("asyncapi", help="write the event catalogue to deploy/asyncapi.yaml")
    args = parser.parse_args(argv)
    settings = StackSettings()
    handler = {
        "run": cmd_run,
        "postgres": cmd_postgres,
        "nats": cmd_nats,
        "serve": cmd_serve,
        "announce": cmd_announce,
        "prepare": cmd_prepare,
        "asyncapi": cmd_asyncapi,
    }[args.command]
    return handler(settings, args)


if __name__ == "__main__":
    raise SystemExit(main())
