"""A small HTTP/1.1 load generator: ``connections`` keep-alive connections, each sending
its next GET as soon as the previous answer is read, for ``seconds``.

Written on raw asyncio streams (with uvloop) so that the client costs far less CPU per
request than the servers it measures, which share the machine with it; both the service
and its baseline are measured with the same client in the same run, so what the client
costs weighs on both alike.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from dataclasses import dataclass

import uvloop


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    statuses: dict[int, int]
    p50_ms: float
    p99_ms: float
    body_bytes: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


async def _one_connection(
    host: str,
    port: int,
    request: bytes,
    until: float,
    latencies: list[float],
    statuses: Counter[int],
) -> int:
    reader, writer = await asyncio.open_connection(host, port)
    body_bytes = 0
    try:
        while (started := time.perf_counter()) < until:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            chunked = False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"transfer-encoding" and b"chunked" in value.lower():
                    chunked = True
            if chunked:
                while True:
                    size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                    await reader.readexactly(size + 2)
                    body_bytes += size
                    if size == 0:
                        break
            else:
                await reader.readexactly(length)
                body_bytes = length
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
    finally:
        writer.close()
    return body_bytes


async def _run(host: str, port: int, path: str, connections: int, seconds: float) -> LoadResult:
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    started = time.perf_counter()
    until = started + seconds
    sizes = await asyncio.gather(
        *(
            _one_connection(host, port, request, until, latencies, statuses)
            for _ in range(connections)
        )
    )
    took = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return LoadResult(
        requests=len(latencies),
        seconds=took,
        statuses=dict(statuses),
        p50_ms=quantiles[49] * 1000,
        p99_ms=quantiles[98] * 1000,
        body_bytes=max(sizes),
    )


def run_load(
    host: str, port: int, path: str, *, connections: int = 16, seconds: float = 10.0
) -> LoadResult:
    return uvloop.run(_run(host, port, path, connections, seconds))
