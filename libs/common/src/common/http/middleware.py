"""Request ids, trace context and one structured log line per request."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.db.failures import Failure, classify
from common.http.problems import problem_response
from common.logs import request_id_var
from common.tracing import parse_or_start, traceparent_var

log = logging.getLogger("common.http.access")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestContextMiddleware:
    """Give every request an id (``X-Request-ID``: the caller's if sane, else a new one)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        traceparent = parse_or_start(headers.get(b"traceparent", b"").decode("latin-1"))
        id_token = request_id_var.set(request_id)
        trace_token = traceparent_var.set(traceparent)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            if response_started:
                raise
            # Answer here, inside the request's context, so the problem carries its id.
            await _failure_response(exc, scope["path"])(scope, receive, send_with_id)
        finally:
            # The path only: query strings may carry personal data and are not logged.
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            request_id_var.reset(id_token)
            traceparent_var.reset(trace_token)


def _failure_response(exc: Exception, path: str) -> Response:
    """A 503 while the database is away, a 422 for a value it cannot store, else a 500."""
    failure = classify(exc)
    if failure is Failure.UNAVAILABLE:
        log.warning("database unavailable", extra={"error": type(exc).__name__})
        return problem_response(
            503,
            slug="service-unavailable",
            title="Service unavailable",
            detail="The service's database does not answer; try again shortly.",
            instance=path,
            headers={"Retry-After": "5"},
        )
    if failure is Failure.UNSTORABLE:
        return problem_response(
            422,
            slug="invalid-character",
            title="Invalid request",
            detail="A value holds a character that cannot be stored (such as U+0000).",
            instance=path,
        )
    log.exception("unhandled error")
    return problem_response(
        500,
        slug="internal-error",
        title="Internal error",
        detail="The server failed to handle the request; quote the request id to report it.",
        instance=path,
    )
