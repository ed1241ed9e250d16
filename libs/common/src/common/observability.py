"""Prometheus metrics, shared by all services (labelled with the service's name)."""

from __future__ import annotations

import time

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests handled", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "Time to handle an HTTP request", ["service", "route"]
)
OUTBOX_PUBLISHED = Counter("outbox_events_published_total", "Events relayed to NATS", ["service"])
OUTBOX_PUBLISH_ERRORS = Counter(
    "outbox_publish_errors_total", "Failed attempts to relay an event", ["service"]
)
EVENTS_HANDLED = Counter(
    "events_handled_total", "Events consumed, by outcome", ["service", "type", "outcome"]
)


class MetricsMiddleware:
    """Counts and times every HTTP request by its route template (a plain ASGI middleware:
    the body streams through untouched, and errors reach the middleware that answers them)."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def measured(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, measured)
        finally:
            template = getattr(scope.get("route"), "path", "unmatched")
            HTTP_REQUESTS.labels(self.service, scope["method"], template, str(status)).inc()
            HTTP_LATENCY.labels(self.service, template).observe(time.perf_counter() - started)


def install_metrics(app: FastAPI, service: str) -> None:
    app.add_middleware(MetricsMiddleware, service=service)

    @app.get(
        "/metrics",
        tags=["operations"],
        operation_id="metrics",
        summary="Prometheus metrics",
        description="Counters and histograms in the Prometheus text format, for scraping.",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
    )
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
