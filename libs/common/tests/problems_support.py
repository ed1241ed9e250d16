"""An assertion the platform tests share: a response is the RFC 9457 problem expected."""

from __future__ import annotations

import httpx

PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int, slug: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:assemblea-clima:problem:")
    assert body["title"]
    assert body["request_id"] == response.headers["x-request-id"]
    if slug is not None:
        assert body["type"].endswith(":" + slug), body
    return body
