"""``Idempotency-Key`` on POST: a retried request returns the first response.

The key is scoped to the caller (the token's subject). The same key with the same method,
path and body returns the stored response with ``Idempotent-Replayed: true``; with another
body it is a 422. A retry that arrives while the first request is still running waits for
it (up to ``wait_for``) and then replays its response; only past that wait is it a 409
with ``Retry-After``. Only successful responses (below 400) are stored: a refusal (a 409
because the record was not ready, a 412, a 5xx) depends on a state that may change, so a
retry with the same key runs the request again (a retry waiting on one runs it itself).
Keys expire after the configured TTL. Paths a service declares ``unremembered`` are passed
through: nothing of them is stored.

The stored response is written after the handler's own transaction commits; if the process
dies in between, the key stays "in progress" until it goes stale (``stale_after``), after
which a retry runs again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.auth import TokenVerifier
from common.db.platform_tables import PlatformTables
from common.errors import DomainError
from common.http.problems import problem_response

log = logging.getLogger(__name__)
HEADER = b"idempotency-key"
_REPLAYED_HEADERS = {"content-type", "location", "etag"}


class IdempotencyMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        engine_of: Callable[[], AsyncEngine],
        tables: PlatformTables,
        verifier: TokenVerifier,
        ttl: timedelta,
        stale_after: timedelta = timedelta(minutes=2),
        wait_for: timedelta = timedelta(seconds=30),
        poll_seconds: float = 0.05,
        unremembered: Sequence[str] = (),
    ) -> None:
        self.app = app
        self.unremembered = [re.compile(p) for p in unremembered]
        self.engine_of = engine_of
        self.table = tables.idempotency_keys
        self.verifier = verifier
        self.ttl = ttl
        self.stale_after = stale_after
        self.wait_for = wait_for
        self.poll_seconds = poll_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or []) if scope["type"] == "http" else {}
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or HEADER not in headers
            or any(p.match(scope["path"]) for p in self.unremembered)
        ):
            await self.app(scope, receive, send)
            return
        key = headers[HEADER].decode("latin-1")
        if not 1 <= len(key) <= 200 or not key.isprintable():
            await problem_response(
                422,
                slug="invalid-idempotency-key",
                detail="Idempotency-Key must be 1 to 200 printable characters.",
            )(scope, receive, send)
            return
        principal = await self._principal(headers)
        if principal is None:  # the route will answer 401; nothing to remember
            await self.app(scope, receive, send)
            return

        body = await _read_body(receive)
        digest = hashlib.sha256()
        for part in (
            scope["method"].encode(),
            scope["path"].encode(),
            scope.get("query_string", b""),
            body,
        ):
            digest.update(len(part).to_bytes(8, "big") + part)
        request_hash = digest.hexdigest()

        deadline = time.monotonic() + self.wait_for.total_seconds()
        while True:
            stored = await self._claim(principal, key, request_hash, scope["path"])
            if stored is None:
                break  # ours to run
            if not isinstance(stored, _InProgress) or time.monotonic() >= deadline:
                await stored(scope, receive, send)
                return
            await asyncio.sleep(self.poll_seconds)

        captured: dict[str, Any] = {"status": 500, "headers": [], "body": b""}

        async def replay_body() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, replay_body, capture)
        finally:
            await self._store(principal, key, captured)

    async def _principal(self, headers: dict[bytes, bytes]) -> str | None:
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            return (await self.verifier.verify(token)).subject
        except DomainError:
            return None

    async def _claim(
        self, principal: str, key: str, request_hash: str, path: str
    ) -> ASGIApp | None:
        table = self.table
        async with self.engine_of().begin() as connection:
            await connection.execute(
                sa.delete(table).where(
                    table.c.principal == principal,
                    table.c.key == key,
                    sa.or_(
                        table.c.created_at < sa.func.now() - self.ttl,
                        sa.and_(
                            table.c.status.is_(None),
                            table.c.created_at < sa.func.now() - self.stale_after,
                        ),
                    ),
                )
            )
            claimed = await connection.execute(
                insert(table)
                .values(principal=principal, key=key, request_hash=request_hash)
                .on_conflict_do_nothing()
                .returning(table.c.key)
            )
            if claimed.first() is not None:
                return None
            row = (
                await connection.execute(
                    sa.select(table).where(table.c.principal == principal, table.c.key == key)
                )
            ).first()
        if row is None:
            # The claim we collided with was released in between (its request was refused,
            # and refusals are not remembered): wait a moment and claim again.
            return _InProgress()
        if row.request_hash != request_hash:
            return problem_response(
                422,
                slug="idempotency-key-reused",
                title="Idempotency key reused",
                detail="This Idempotency-Key was used for a different request; use a new key.",
                instance=path,
            )
        if row.status is None:
            return _InProgress()
        headers = dict(row.headers or {})
        headers["idempotent-replayed"] = "true"
        return _StoredResponse(row.status, headers, row.body or b"")

    async def _store(self, principal: str, key: str, captured: dict[str, Any]) -> None:
        table = self.table
        where = sa.and_(table.c.principal == principal, table.c.key == key)
        async with self.engine_of().begin() as connection:
            if captured["status"] >= 400:
                await connection.execute(sa.delete(table).where(where))
                return
            headers = {
                name.decode("latin-1"): value.decode("latin-1")
                for name, value in captured["headers"]
                if name.decode("latin-1").lower() in _REPLAYED_HEADERS
            }
            await connection.execute(
                sa.update(table)
                .where(where)
                .values(status=captured["status"], headers=headers, body=captured["body"])
            )


class _InProgress:
    """The first request with this key is still running (answered once the wait is over)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await problem_response(
            409,
            slug="request-in-progress",
            detail="A request with this Idempotency-Key is still being handled; retry shortly.",
            instance=scope["path"],
            headers={"Retry-After": "1"},
        )(scope, receive, send)


class _StoredResponse:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in self.headers.items()]
        raw.append((b"content-length", str(len(self.body)).encode()))
        await send({"type": "http.response.start", "status": self.status, "headers": raw})
        await send({"type": "http.response.body", "body": self.body})


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
