"""Domain errors. Raised below the API, turned into RFC 9457 problems at the edge."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """An error a client can act upon. ``slug`` names its stable problem type."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        slug: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if slug is not None:
            self.slug = slug
        if title is not None:
            self.title = title
        self.headers = headers or {}
        self.extensions = extensions


class Unauthorized(DomainError):
    status, slug, title = 401, "unauthorized", "Authentication required"


class Forbidden(DomainError):
    status, slug, title = 403, "forbidden", "Not allowed"


class NotFound(DomainError):
    status, slug, title = 404, "not-found", "Not found"


class NotAcceptable(DomainError):
    status, slug, title = 406, "not-acceptable", "Not acceptable"


class Conflict(DomainError):
    status, slug, title = 409, "conflict", "Conflict"


class PreconditionFailed(DomainError):
    status, slug, title = 412, "precondition-failed", "Precondition failed"


class PreconditionRequired(DomainError):
    status, slug, title = 428, "precondition-required", "Precondition required"


class Invalid(DomainError):
    status, slug, title = 422, "validation-failed", "Invalid request"


class TooManyRequests(DomainError):
    status, slug, title = 429, "too-many-requests", "Too many requests"


class ServiceUnavailable(DomainError):
    status, slug, title = 503, "service-unavailable", "Service unavailable"


class PermanentEventError(Exception):
    """An event that can never be handled as it is: dead-letter it at once, do not retry."""
