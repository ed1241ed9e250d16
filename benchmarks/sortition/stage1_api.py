"""Stage 1 through the service: upload the 1.4-million-row extract, then draw 10,000 letters.

``.venv/bin/python benchmarks/sortition/stage1_api.py``: starts its own PostgreSQL and
nats-server (the embedded ones of the local stack, on free ports), runs the sortition and
membership services with uvicorn, streams ``.data/bench/extract.csv`` (made by stage1.py
if missing) to ``PUT /v1/rounds/{id}/extract`` while following ``GET …/extract``, draws
the invitations, and reports the times and the sortition process's peak memory (VmHWM).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from stage1 import EXTRACT, make_extract  # noqa: E402

from devstack.nats import EmbeddedNats, free_port, wait_for_port  # noqa: E402
from devstack.postgres import EmbeddedPostgres  # noqa: E402
from devstack.provision import prepare  # noqa: E402
from devstack.pytest_plugin import auth_header  # noqa: E402

OPERATOR = auth_header("operator")


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def measure(urls: dict[str, str]) -> dict[str, float | int | str]:
    sortition = urls["sortition"]
    async with httpx.AsyncClient(timeout=300) as client:
        assembly = await client.post(
            f"{urls['membership']}/v1/assemblies",
            json={
                "name": {"it": "Assemblea", "en": "Assembly"},
                "seats": 90,
                "rotation": {"cohort_size": 90, "cohort_interval_months": 12, "term_months": 12},
            },
            headers=OPERATOR,
        )
        assembly.raise_for_status()
        body = {"assembly_id": assembly.json()["id"], "cohort": "1", "panel_size": 90}
        for _ in range(200):
            opened = await client.post(f"{sortition}/v1/rounds", json=body, headers=OPERATOR)
            if opened.status_code == 201:
                break
            await asyncio.sleep(0.1)
        base = f"{sortition}/v1/rounds/{opened.json()['id']}"
        progress: list[tuple[float, int]] = []

        async def follow() -> None:
            while True:
                await asyncio.sleep(1)
                status = await client.get(f"{base}/extract", headers=OPERATOR)
                if status.status_code == 200:
                    progress.append((time.perf_counter(), status.json()["rows_read"]))
                    print(
                        f"  {status.json()['percent']}%  {status.json()['rows_read']} rows",
                        file=sys.stderr,
                    )

        started = time.perf_counter()
        follower = asyncio.create_task(follow())

        async def chunks():
            with EXTRACT.open("rb") as f:
                while chunk := f.read(1 << 20):
                    yield chunk

        if True:
            uploaded = await client.put(
                f"{base}/extract",
                content=chunks(),
                headers={
                    **OPERATOR,
                    "Content-Type": "text/csv",
                    "Content-Length": str(EXTRACT.stat().st_size),
                },
            )
        follower.cancel()
        uploaded.raise_for_status()
        imported = time.perf_counter()
        drawn = await client.post(
            f"{base}/invitations", json={"count": 10_000, "seed": "benchmark"}, headers=OPERATOR
        )
        drawn.raise_for_status()
        done = time.perf_counter()
        return {
            "rows": uploaded.json()["rows_read"],
            "eligible": uploaded.json()["in_use"]["eligible"],
            "letters": drawn.json()["drawn"],
            "progress_reports": len(progress),
            "import_s": round(imported - started, 2),
            "draw_s": round(done - imported, 2),
            "total_s": round(done - started, 2),
        }


def main() -> int:
    if not EXTRACT.exists():
        make_extract()
    work = Path(tempfile.mkdtemp(prefix="stage1-", dir=EXTRACT.parent))
    postgres = EmbeddedPostgres(work / "pg", free_port(), durable=False)
    nats = EmbeddedNats(work / "js", free_port())
    processes: list[subprocess.Popen[bytes]] = []
    try:
        postgres.start(log_file=work / "pg.log")
        nats.start()
        postgres.wait_ready()
        nats.wait_ready()
        database = prepare(postgres.admin_url, "bench")
        urls = {}
        for service in ("sortition", "membership"):
            port = free_port()
            prefix = service.upper()
            env = {
                **os.environ,
                f"{prefix}_DATABASE_URL": database[service],
                f"{prefix}_NATS_URL": nats.url,
                "LOG_LEVEL": "WARNING",
            }
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        f"{service}.main:create_app",
                        "--factory",
                        "--port",
                        str(port),
                        "--log-level",
                        "warning",
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=(work / f"{service}.log").open("wb"),
                )
            )
            wait_for_port("127.0.0.1", port, timeout=60)
            urls[service] = f"http://127.0.0.1:{port}"
        result = asyncio.run(measure(urls))
        result["sortition_peak_mb"] = round(peak_mb(processes[0].pid), 1)
        print(json.dumps(result, indent=2))
        return 0
    finally:
        for p in processes:
            p.terminate()
        for p in processes:
            p.wait(timeout=20)
        nats.stop()
        postgres.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
