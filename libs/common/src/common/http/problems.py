"""RFC 9457 problem details for every error, with a stable ``type`` per kind of error."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from common.errors import DomainError, InvalidValue, RuleBroken, StateConflict
from common.http.operations import allowed_methods
from common.logs import request_id_var

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:assemblea-clima:problem:"

_SLUG_FOR_STATUS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    412: "precondition-failed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-failed",
    428: "precondition-required",
    429: "too-many-requests",
    500: "internal-error",
    503: "service-unavailable",
}


#: The status of each kind of broken domain rule, decided here, once.
RULE_STATUSES: dict[type[RuleBroken], tuple[int, str]] = {
    InvalidValue: (422, "Invalid request"),
    StateConflict: (409, "Conflict"),
}


def problem_type(slug: str) -> str:
    return PROBLEM_TYPE_PREFIX + slug


class InvalidParam(BaseModel):
    location: list[str | int] = Field(examples=[["body", "panel_size"]])
    message: str = Field(examples=["Input should be greater than 0"])
    code: str = Field(examples=["greater_than"])
    row: int | None = Field(
        default=None, description="In an imported file, the row (from 1) the error is in."
    )


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=[problem_type("not-found")])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str | None = Field(default=None, examples=["No selection round with that id"])
    instance: str | None = Field(default=None, examples=["/v1/rounds/3f0c..."])
    request_id: str | None = None
    errors: list[InvalidParam] | None = None


def problem_response(
    status: int,
    *,
    slug: str | None = None,
    title: str | None = None,
    detail: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    slug = slug or _SLUG_FOR_STATUS.get(status, "error")
    body: dict[str, Any] = {
        "type": problem_type(slug),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if (request_id := request_id_var.get()) is not None:
        body["request_id"] = request_id
    body.update({k: v for k, v in extensions.items() if v is not None})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def problem_responses(
    *statuses: int, slugs: Mapping[int, Sequence[str]] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting the problems a route can answer; ``slugs``
    names, per status, the problem types a client may meet (``…:problem:<slug>``)."""
    named = slugs or {}
    return {
        status: {
            "description": HTTPStatus(status).phrase
            + (
                ": " + ", ".join(f"`{slug}`" for slug in named[status]) if named.get(status) else ""
            ),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def install_problem_handlers(app: FastAPI) -> None:
    async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return problem_response(
            exc.status,
            slug=exc.slug,
            title=exc.title,
            detail=exc.detail,
            instance=request.url.path,
            headers=exc.headers,
            **exc.extensions,
        )

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        detail: str | None = exc.detail if isinstance(exc.detail, str) else None
        if detail == HTTPStatus(exc.status_code).phrase:
            detail = None
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names only the first matching route's methods; the document has all.
            methods = allowed_methods(request.app.openapi(), request.url.path)
            if methods:
                headers["Allow"] = ", ".join(methods)
                detail = f"{request.method} is not allowed here: use {', '.join(methods)}."
        return problem_response(
            exc.status_code,
            detail=detail,
            instance=request.url.path,
            headers=headers,
        )

    async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {
                "location": [str(p) if not isinstance(p, int) else p for p in e.get("loc", ())],
                "message": e.get("msg", "invalid"),
                "code": e.get("type", "invalid"),
            }
            for e in exc.errors()
        ]
        return problem_response(
            422,
            title="Invalid request",
            detail=f"The request has {len(errors)} invalid field(s).",
            instance=request.url.path,
            errors=errors,
        )

    def on_rule_broken(status: int, title: str) -> Any:
        async def handle(request: Request, exc: Exception) -> JSONResponse:
            assert isinstance(exc, RuleBroken)
            return problem_response(
                status, slug=exc.slug, title=title, detail=exc.detail, instance=request.url.path
            )

        return handle

    for kind, (status, title) in RULE_STATUSES.items():
        app.add_exception_handler(kind, on_rule_broken(status, title))
    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
