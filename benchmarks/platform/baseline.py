"""The bare baseline: Starlette and asyncpg, the same keyset query on the same table.

What a minimal Python service does to answer ``/public/v1/pac-actions?limit=N``: take a
pooled connection, run the keyset query, shape the rows as the service does (id, code,
ambito, title, version, times, ``next_page_token``) and write JSON. No middleware, no
validation, no logging: the floor that the service's conventions are measured against.

    BASELINE_DSN=postgresql://... uvicorn baseline:app  (run by request_path.py)
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

QUERY = (
    "SELECT id, code, ambito, title, version, created_at, updated_at FROM pac_actions "
    "ORDER BY created_at, id LIMIT $1"
)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(
        os.environ["BASELINE_DSN"],
        min_size=1,
        max_size=10,
        server_settings={"search_path": os.environ.get("BASELINE_SCHEMA", "deliberation")},
    )
    yield
    await app.state.pool.close()


async def pac_actions(request: Request) -> Response:
    limit = int(request.query_params.get("limit", "50"))
    async with request.app.state.pool.acquire() as connection:
        rows = await connection.fetch(QUERY, limit + 1)
    items: list[dict[str, Any]] = [
        {
            "id": str(r["id"]),
            "code": r["code"],
            "ambito": r["ambito"],
            "title": json.loads(r["title"]),
            "version": r["version"],
            "created_at": r["created_at"].isoformat(),
            "updated_at": r["updated_at"].isoformat(),
        }
        for r in rows[:limit]
    ]
    body = {"items": items, "next_page_token": None if len(rows) <= limit else "more"}
    return Response(json.dumps(body), media_type="application/json")


app = Starlette(routes=[Route("/public/v1/pac-actions", pac_actions)], lifespan=lifespan)
