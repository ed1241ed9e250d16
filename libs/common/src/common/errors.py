"""Errors a client can act upon, turned into RFC 9457 problems at the edge.

Two families. Domain modules (pure: no framework, no HTTP) raise a :class:`RuleBroken`
kind, which says what rule the input or the state breaks, with a stable slug and no
status; :func:`common.http.problems.install_problem_handlers` maps each kind to its
status, once. The use cases and routes may also raise a :class:`DomainError`, which
carries its status itself (a 404 for a missing record, a 412 for a stale ETag).
"""

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


class RuleBroken(Exception):
    """A domain rule the request breaks. ``slug`` names it; the edge chooses the status."""

    slug: str = "rule-broken"

    def __init__(self, detail: str, *, slug: str) -> None:
        super().__init__(detail)
        self.slug = slug
        self.detail = detail

    @property
    def code(self) -> str:  # the name the sortition domain has always used
        return self.slug


class InvalidValue(RuleBroken):
    """The input itself cannot be: a quota that cannot sum up, a cohort that names none."""


class StateConflict(RuleBroken):
    """The input is fine, but not now: a transition the lifecycle does not allow."""


class PermanentEventError(Exception):
    """An event that can never be handled as it is: dead-letter it at once, do not retry."""


class FailAfterCommit(Exception):
    """A request that fails although what it wrote must stay: a wrong invitation code is
    counted against its client. The transaction's owner
    (:func:`common.db.uow.transaction`) commits, then raises ``error``. The one way to keep
    a failed request's writes, and explicit where it is used."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(error.detail)
        self.error = error
