"""A document in a request (its bytes, or a JSON link to it) and in a response (its bytes
with their digest): the same for every service that keeps documents."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response
from pydantic import TypeAdapter

from common.documents import Document, DocumentLink, read_upload
from common.errors import Invalid
from common.http.imports import validated
from common.texts import Text


@dataclass(frozen=True)
class Naming:
    """How an upload names itself, in the query (a JSON link carries its own)."""

    kind: str | None
    title_it: str | None
    title_en: str | None
    public: bool


async def naming(
    kind: Annotated[str | None, Query(max_length=30, examples=["agenda"])] = None,
    title_it: Annotated[str | None, Query(min_length=1, max_length=300)] = None,
    title_en: Annotated[str | None, Query(min_length=1, max_length=300)] = None,
    public: Annotated[
        bool, Query(description="Shown to the public; a document is private unless asked.")
    ] = False,
) -> Naming:
    return Naming(kind=kind, title_it=title_it, title_en=title_en, public=public)


DocumentNaming = Annotated[Naming, Depends(naming)]
_LINK = TypeAdapter(DocumentLink)


@dataclass(frozen=True)
class Upload:
    kind: str
    title: Text
    media_type: str
    content: bytes


async def incoming(request: Request, named: Naming) -> Upload | DocumentLink:
    """A JSON body is a :class:`DocumentLink`; any other is the document's bytes, whose
    ``kind`` and titles come in the query."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/json":
        body = await request.body()
        return validated(_LINK, body, slug="invalid-document-link", rows_at=None)
    kind, title_it, title_en = named.kind, named.title_it, named.title_en
    if kind is None or title_it is None or title_en is None:
        raise Invalid(
            "An upload names its `kind`, `title_it` and `title_en`.", slug="document-unnamed"
        )
    return Upload(
        kind=kind,
        title=Text(it=title_it, en=title_en),
        media_type=media_type,
        content=await read_upload(request.stream()),
    )


def download(document: Document, body: bytes) -> Response:
    """The bytes with their media type, and their SHA-256 as ``Repr-Digest`` (RFC 9530)."""
    digest = base64.b64encode(bytes.fromhex(document.sha256)).decode()
    return Response(
        body,
        media_type=document.media_type,
        headers={"ETag": f'"{document.sha256}"', "Repr-Digest": f"sha-256=:{digest}:"},
    )


CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        "description": "The bytes, with `Repr-Digest` (SHA-256).",
    }
}
