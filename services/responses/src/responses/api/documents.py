"""A case's documents: upload or register, list, download."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status

from common.auth import Principal
from common.documents import Document, DocumentLink, DocumentView, upload_body, view
from common.http.deps import ReadTx, Tx
from common.http.documents import CONTENT, DocumentNaming, download, incoming
from common.http.problems import problem_responses
from responses.api.cases import CaseId, caller_scope, drafters, readers
from responses.service import documents as service

router = APIRouter(tags=["cases"])
public = APIRouter(tags=["public"])
DocumentId = Annotated[uuid.UUID, Path(description="The document's id.")]


def _view(document: Document, *, public_path: bool = False) -> DocumentView:
    prefix = "/public/v1" if public_path else "/v1"
    return view(document, content_url=f"{prefix}/documents/{document.id}/content")


@router.post(
    "/v1/cases/{case_id}/documents",
    operation_id="cases-documents-add",
    summary="Add a document to a case: upload it, or register it by URL",
    description="By the lead department: the technical opinion (`opinion`), the formal act "
    "(`act`) or an `attachment`. Upload the bytes with their media type as `Content-Type` "
    "(PDF, Markdown, plain text, PNG, JPEG, ODT, DOCX; at most 20 MB) and `kind`, "
    "`title_it`, `title_en` in the query, or send a JSON `DocumentLink` (URL and SHA-256). "
    "A document is private unless `public=true`; a public one is shown with the published "
    "answer. The bytes must be what `Content-Type` says (422 `content-mismatch`).",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentView,
    responses=problem_responses(
        401, 403, 404, 413, 415, 422, slugs={422: ["content-mismatch", "empty-document"]}
    ),
    openapi_extra=upload_body(),
)
async def add(
    case_id: CaseId,
    request: Request,
    response: Response,
    principal: Annotated[Principal, Depends(drafters)],
    uow: Tx,
    named: DocumentNaming,
) -> DocumentView:
    scope = await caller_scope(principal, uow)
    found = await incoming(request, named)
    if isinstance(found, DocumentLink):
        document = await service.register(case_id, found, public=named.public, scope=scope, uow=uow)
    else:
        document = await service.upload(
            case_id,
            kind=found.kind,
            title=found.title,
            media_type=found.media_type,
            content=found.content,
            public=named.public,
            scope=scope,
            uow=uow,
        )
    response.headers["Location"] = f"/v1/documents/{document.id}/content"
    return _view(document)


@router.get(
    "/v1/cases/{case_id}/documents",
    operation_id="cases-documents",
    summary="A case's documents",
    description="The technical opinion, the formal act and attachments, each with its SHA-256 and "
    "whether it is public.",
    response_model=list[DocumentView],
    responses=problem_responses(401, 403, 404, 422),
)
async def documents(
    case_id: CaseId,
    principal: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
) -> list[DocumentView]:
    rows = await service.of_case(case_id, await caller_scope(principal, uow), uow=uow)
    return [_view(d) for d in rows]


@router.get(
    "/v1/documents/{document_id}/content",
    operation_id="documents-content",
    summary="Download an uploaded document",
    description="The bytes, their media type and `Repr-Digest` (SHA-256, RFC 9530). Another "
    "department's document is a 404.",
    response_class=Response,
    responses={**CONTENT, **problem_responses(401, 403, 404, 422)},
)
async def content(
    document_id: DocumentId,
    principal: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
) -> Response:
    document, body = await service.content(document_id, await caller_scope(principal, uow), uow=uow)
    return download(document, body)


@public.get(
    "/public/v1/documents/{document_id}/content",
    operation_id="public-documents-content",
    summary="Download a public document of an answered case",
    description="The bytes with their media type and `Repr-Digest` (SHA-256, RFC 9530), once the "
    "answer is published.",
    response_class=Response,
    responses={**CONTENT, **problem_responses(404, 422)},
)
async def public_content(document_id: DocumentId, uow: ReadTx) -> Response:
    document, body = await service.content(document_id, None, uow=uow)
    return download(document, body)
