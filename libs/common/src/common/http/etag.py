"""Optimistic concurrency for shared records: ``ETag`` out, ``If-Match`` required in."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

from common.errors import PreconditionFailed, PreconditionRequired


def etag_of(version: int) -> str:
    return f'"{version}"'


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The `ETag` of the version you are changing. Required; a stale one is a 412.",
    ),
]


def check_if_match(if_match: str | None, *, version: int) -> None:
    if if_match is None:
        raise PreconditionRequired(
            "Send If-Match with the ETag you read, so that no one else's change is overwritten."
        )
    current = etag_of(version)
    offered = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    if "*" not in offered and current not in offered:
        raise PreconditionFailed(
            "The record changed since you read it; fetch it again and retry.",
            current_etag=current,
        )
