"""The request path: a public list through the whole service against a bare baseline.

``.venv/bin/python benchmarks/platform/request_path.py``: starts an embedded PostgreSQL
and nats-server, the deliberation service under uvicorn (as ``make run`` does, JSON access
log written), loads 49 PAC actions through its API, and starts a bare Starlette + asyncpg
app (``baseline.py``) on the same table. Then, in the same run, it loads both with the same
client (16 keep-alive connections, 10 s each, alternating, ``--rounds`` times) on
``/public/v1/pac-actions?limit=50`` and prints requests per second, p50/p99 latency and
the service's share of the baseline (the target is at least 50 %).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import LoadResult, run_load
from stack import HOST, bearer, stack

from devstack.nats import free_port
from devstack.provision import with_database

PATH = "/public/v1/pac-actions?limit=50"


def pac_codes(count: int = 49) -> list[str]:
    """``count`` codes ``a.o.n`` spread over the five ambiti."""
    codes = [f"{a}.{o}.{n}" for a in range(1, 6) for o in range(1, 4) for n in range(1, 5)]
    return codes[:count]


def seed(port: int) -> None:
    with httpx.Client(base_url=f"http://{HOST}:{port}", headers=bearer("operator")) as client:
        for code in pac_codes():
            answer = client.post(
                "/v1/pac-actions",
                json={"code": code, "title": {"it": f"Azione {code}", "en": f"Action {code}"}},
            )
            if answer.status_code not in (201, 409):
                raise SystemExit(f"seeding {code}: {answer.status_code} {answer.text}")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def line(name: str, result: LoadResult, cpu: float) -> str:
    return (
        f"  {name:<9} {result.per_second:8.0f} req/s  server CPU {cpu / result.seconds:4.0%}  "
        f"{cpu / result.requests * 1e6:5.0f} µs/request  p50 {result.p50_ms:6.1f} ms  "
        f"p99 {result.p99_ms:6.1f} ms  {result.requests} requests, statuses {result.statuses}, "
        f"{result.body_bytes} bytes"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--path", default=PATH, help="another path of the service, to compare")
    args = parser.parse_args()
    with stack(["deliberation"]) as running:
        service = running.service("deliberation")
        seed(service)
        baseline = free_port()
        dsn = with_database(running.postgres.admin_url, "bench")
        servers = {"service": running.processes[0].pid}
        running.serve(
            "baseline:app",
            port=baseline,
            env={"BASELINE_DSN": dsn},
            log="baseline.log",
            ready="/public/v1/pac-actions?limit=1",
        )
        servers["baseline"] = running.processes[1].pid
        for port in (service, baseline):  # warm both: connections, caches, JIT of nothing
            run_load(HOST, port, PATH, connections=args.connections, seconds=2)
        results: dict[str, list[LoadResult]] = {"service": [], "baseline": []}
        print(f"GET {args.path}, {args.connections} connections, {args.seconds:.0f} s per run")
        for _ in range(args.rounds):
            for name, port in (("baseline", baseline), ("service", service)):
                path = PATH if name == "baseline" else args.path
                before = cpu_seconds(servers[name])
                result = run_load(
                    HOST, port, path, connections=args.connections, seconds=args.seconds
                )
                cpu = cpu_seconds(servers[name]) - before
                results[name].append(result)
                print(line(name, result, cpu), flush=True)
        best = {name: max(r.per_second for r in runs) for name, runs in results.items()}
        share = best["service"] / best["baseline"]
        logged = (running.directory / "deliberation.log").read_text().count('"message": "request"')
        print(
            f"service / baseline: {best['service']:.0f} / {best['baseline']:.0f} req/s = "
            f"{share:.0%} (target ≥ 50 %); access log lines written: {logged}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
