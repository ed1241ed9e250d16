"""Prometheus metrics, shared by all services (labelled with the service's name)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

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


def install_metrics(app: FastAPI, service: str) -> None:
    @app.middleware("http")
    async def _measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        HTTP_REQUESTS.labels(service, request.method, template, str(response.status_code)).inc()
        HTTP_LATENCY.labels(service, template).observe(time.perf_counter() - started)
        return response

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
