"""What a request must be before its body is read.

FastAPI reads a body before it runs a route's dependencies, authentication included: an
anonymous client could make a service buffer any number of large bodies. This middleware
stands in front of every route and, for a request that carries a body to a ``/v1`` route:

- asks for a valid bearer token first (401, the body unread);
- checks the media type against what the route documents (415);
- caps the size as the body streams (413): JSON bodies at a small limit, uploads (``text/csv``)
  at a larger one, whether or not the client sent a ``Content-Length``;
- refuses a JSON body with a NUL character (``\\u0000``), which PostgreSQL's text and jsonb
  cannot store (422); NULs in the query string are refused likewise.

The roles a route needs are still checked by the route (403).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.auth import TokenVerifier
from common.documents import MEDIA_TYPES
from common.errors import DomainError
from common.http.operations import Operation, operations_of
from common.http.problems import problem_response

JSON = "application/json"
UPLOADS = frozenset({"text/csv"}) | MEDIA_TYPES  # streamed, counted as they come
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A JSON escape of U+0000 that is not itself an escaped backslash followed by "u0000".
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000", re.IGNORECASE)


class PayloadTooLarge(DomainError):
    status, slug, title = 413, "payload-too-large", "Payload too large"


@dataclass(frozen=True)
class BodyLimits:
    json_bytes: int
    upload_bytes: int


def media_type(scope: Scope) -> str:
    for name, value in scope.get("headers") or []:
        if name == b"content-type":
            return str(value.decode("latin-1")).split(";")[0].strip().lower()
    return ""


class RequestGuardMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        openapi_of: Callable[[], dict[str, Any]],
        verifier: TokenVerifier,
        limits: BodyLimits,
    ) -> None:
        self.app = app
        self.openapi_of = openapi_of
        self._operations: list[Operation] | None = None
        self.verifier = verifier
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if b"%00" in scope.get("query_string", b"") or "\x00" in scope["path"]:
            await _problem(422, "invalid-character", "The URL holds a NUL character (%00).")(
                scope, receive, send
            )
            return
        if scope["method"] not in _BODY_METHODS or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        operation = self._operation(scope)
        if operation is None:  # the router answers 404 or 405 without reading the body
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/v1/") and (refused := await self._authenticate(scope)):
            await refused(scope, receive, send)
            return
        accepted = operation.media_types
        media = media_type(scope) or (JSON if accepted and JSON in accepted else "")
        if accepted is not None and media not in accepted:
            await _problem(
                415,
                "unsupported-media-type",
                f"Send {' or '.join(sorted(accepted))}, not {media or 'no Content-Type'}.",
                accepted=sorted(accepted),
            )(scope, receive, send)
            return
        upload = media in UPLOADS
        limit = self.limits.upload_bytes if upload else self.limits.json_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(limit)(scope, receive, send)
            return
        if upload:  # streamed to the route, counted as it goes
            await self.app(scope, _capped(receive, limit), send)
            return
        try:
            body = await _read(receive, limit)
        except PayloadTooLarge:
            await _too_large(limit)(scope, receive, send)
            return
        if media == JSON and _NUL_ESCAPE.search(body):
            await _problem(
                422,
                "invalid-character",
                "A string in the body holds a NUL character (\\u0000), which cannot be stored.",
            )(scope, receive, send)
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()  # only a disconnect can come now
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def _operation(self, scope: Scope) -> Operation | None:
        if self._operations is None:
            self._operations = operations_of(self.openapi_of(), _BODY_METHODS)
        for operation in self._operations:
            if operation.method == scope["method"] and operation.pattern.match(scope["path"]):
                return operation
        return None

    async def _authenticate(self, scope: Scope) -> ASGIApp | None:
        authorization = ""
        for name, value in scope.get("headers") or []:
            if name == b"authorization":
                authorization = value.decode("latin-1")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _problem(
                401,
                "unauthorized",
                "Send a bearer token in the Authorization header.",
                title="Authentication required",
                headers={"WWW-Authenticate": "Bearer"},
            )
        try:
            await self.verifier.verify(token.strip())
        except DomainError as exc:
            return _problem(
                exc.status, exc.slug, exc.detail, title=exc.title, headers=exc.headers or None
            )
        return None


def _problem(
    status: int,
    slug: str,
    detail: str,
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: object,
) -> ASGIApp:
    """A problem answer for the request it is called with (its ``instance`` is the path)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            status,
            slug=slug,
            title=title,
            detail=detail,
            instance=scope["path"],
            headers=headers,
            **extensions,
        )
        await response(scope, receive, send)

    return app


def _too_large(limit: int) -> ASGIApp:
    return _problem(413, "payload-too-large", _too_large_detail(limit), max_bytes=limit)


def _too_large_detail(limit: int) -> str:
    return f"The body is larger than this route takes ({limit:,} bytes at most)."


def _has_body(scope: Scope) -> bool:
    length = _content_length(scope)
    if length is not None:
        return length > 0
    return any(
        name == b"transfer-encoding" and b"chunked" in value.lower()
        for name, value in scope.get("headers") or []
    )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or []:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _read(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(_too_large_detail(limit), max_bytes=limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _capped(receive: Receive, limit: int) -> Receive:
    size = 0

    async def capped() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise PayloadTooLarge(_too_large_detail(limit), max_bytes=limit)
        return message

    return capped
