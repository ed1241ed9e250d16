"""A request's operation, found in the service's own OpenAPI document: what it accepts
(the guard's media types) and which methods its path has (a 405's ``Allow``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Operation:
    pattern: re.Pattern[str]
    method: str
    #: The request media types the operation documents; None when it takes no body.
    media_types: frozenset[str] | None


def _path_pattern(path: str) -> str:
    return "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$"


def allowed_methods(openapi: dict[str, Any], path: str) -> list[str]:
    """Every method the OpenAPI document has for a request path (for ``Allow``)."""
    methods: set[str] = set()
    for template, item in openapi.get("paths", {}).items():
        if re.match(_path_pattern(template), path):
            methods |= {m.upper() for m, op in item.items() if isinstance(op, dict)}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def operations_of(openapi: dict[str, Any], methods: frozenset[str]) -> list[Operation]:
    """The operations of an OpenAPI document with one of ``methods``, literal paths
    before templated ones (so that ``/v1/rounds/drafts`` wins over ``/v1/rounds/{id}``)."""
    found: list[tuple[int, Operation]] = []
    for path, item in openapi.get("paths", {}).items():
        regex = _path_pattern(path)
        for method, operation in item.items():
            if not isinstance(operation, dict) or method.upper() not in methods:
                continue
            content = operation.get("requestBody", {}).get("content")
            found.append(
                (
                    path.count("{"),
                    Operation(
                        re.compile(regex), method.upper(), frozenset(content) if content else None
                    ),
                )
            )
    return [operation for _, operation in sorted(found, key=lambda pair: pair[0])]
