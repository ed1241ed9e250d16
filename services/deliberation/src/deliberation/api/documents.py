"""A session's documents: upload or register, list, download; the minutes' approval."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from common.auth import Principal, require_roles
from common.dates import milan_day
from common.documents import (
    Document,
    DocumentLink,
    DocumentView,
    upload_body,
    view,
)
from common.http.deps import ReadTx, Tx
from common.http.documents import CONTENT, DocumentNaming, download, incoming
from common.http.problems import problem_responses
from deliberation.service import session_documents as service

router = APIRouter(tags=["sessions"])
public = APIRouter(tags=["public"])
staff = require_roles("operator", "facilitator")
readers = require_roles("operator", "facilitator", "auditor", "integration", "member")
SessionId = Annotated[uuid.UUID, Path(description="The session's id.")]
DocumentId = Annotated[uuid.UUID, Path(description="The document's id.")]


def _member(principal: Principal) -> str | None:
    """The member a caller reads as, if they read as a member only (staff, auditors and
    the integration read every document)."""
    if principal.has_any({"operator", "facilitator", "auditor", "integration"}):
        return None
    return principal.subject


def _today() -> date:
    return milan_day(datetime.now(UTC))


def _view(document: Document, *, public_path: bool = False) -> DocumentView:
    prefix = "/public/v1" if public_path else "/v1"
    return view(document, content_url=f"{prefix}/documents/{document.id}/content")


@router.post(
    "/v1/sessions/{session_id}/documents",
    operation_id="sessions-documents-add",
    summary="Add a document to a session: upload it, or register it by URL",
    description="Upload: the bytes as the body, with their media type as `Content-Type` "
    "(PDF, Markdown, plain text, PNG, JPEG, ODT, DOCX; at most 20 MB) and `kind`, "
    "`title_it`, `title_en` in the query; the service keeps the bytes, their size and "
    "SHA-256. Register: a JSON `DocumentLink` with the URL and the SHA-256 of the bytes "
    "there. A document is private unless `public=true`, which shows it in the public "
    "calendar. The bytes must be what `Content-Type` says (422 `content-mismatch`).",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentView,
    responses=problem_responses(
        401,
        403,
        404,
        409,
        413,
        415,
        422,
        slugs={
            409: ["session-final"],
            422: [
                "content-mismatch",
                "empty-document",
                "document-too-large",
                "document-unnamed",
                "unknown-kind",
                "minutes-generated",
                "invalid-document-link",
                "unsupported-document-type",
            ],
        },
    ),
    openapi_extra=upload_body(),
)
async def add(
    session_id: SessionId,
    request: Request,
    response: Response,
    principal: Annotated[Principal, Depends(staff)],
    uow: Tx,
    named: DocumentNaming,
) -> DocumentView:
    found = await incoming(request, named)
    if isinstance(found, DocumentLink):
        document = await service.register(
            session_id, found, public=named.public, actor=principal.subject, uow=uow
        )
    else:
        document = await service.upload(
            session_id,
            kind=found.kind,
            title=found.title,
            media_type=found.media_type,
            content=found.content,
            public=named.public,
            actor=principal.subject,
            uow=uow,
        )
    response.headers["Location"] = f"/v1/documents/{document.id}/content"
    return _view(document)


@router.get(
    "/v1/sessions/{session_id}/documents",
    operation_id="sessions-documents",
    summary="A session's documents",
    description="Agendas, materials and minutes, uploaded or registered by URL, each with its "
    "SHA-256 and whether it is public. A member sees the private ones only while they sit "
    "in the session's assembly.",
    response_model=list[DocumentView],
    responses=problem_responses(401, 403, 404, 422),
)
async def documents(
    session_id: SessionId,
    principal: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
) -> list[DocumentView]:
    rows = await service.of_session(
        session_id, public_only=False, member=_member(principal), today=_today(), uow=uow
    )
    return [_view(d) for d in rows]


class Publication(BaseModel):
    model_config = ConfigDict(extra="forbid")

    public: bool = Field(
        description="`true` shows it to the public, `false` no longer.", examples=[True]
    )


@router.put(
    "/v1/sessions/{session_id}/documents/{document_id}/publication",
    operation_id="sessions-documents-publish",
    summary="Show a session's document to the public, or no longer",
    description="Also after the session closes: what the public sees is not part of the "
    "record. A session's minutes stay public (409 `minutes-public`).",
    response_model=DocumentView,
    responses=problem_responses(401, 403, 404, 409, 422, slugs={409: ["minutes-public"]}),
)
async def publish(
    session_id: SessionId,
    document_id: DocumentId,
    body: Publication,
    _: Annotated[Principal, Depends(staff)],
    uow: Tx,
) -> DocumentView:
    return _view(await service.publish(session_id, document_id, body.public, uow=uow))


@router.get(
    "/v1/documents/{document_id}/content",
    operation_id="documents-content",
    summary="Download an uploaded document",
    description="The bytes as uploaded, with their media type and a `Repr-Digest` header "
    "holding their SHA-256 (RFC 9530). A registered document is read at its URL (404).",
    response_class=Response,
    responses={**CONTENT, **problem_responses(401, 403, 404, 422)},
)
async def content(
    document_id: DocumentId,
    principal: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
) -> Response:
    document, body = await service.content(
        document_id, public_only=False, member=_member(principal), today=_today(), uow=uow
    )
    return download(document, body)


class MinutesApproval(BaseModel):
    model_config = ConfigDict(extra="forbid")

    minutes_of: uuid.UUID = Field(
        description="The earlier session whose minutes are approved.",
        examples=["3f1d2c4b-8a6e-4f0d-9c7b-2e5a1b3c4d5e"],
    )


@router.post(
    "/v1/sessions/{session_id}/minutes-approval",
    operation_id="sessions-approve-minutes",
    summary="The plenary approves the minutes of an earlier session",
    description="By an open plenary of the same assembly, for a closed session; each set "
    "of minutes is approved once.",
    response_model=list[DocumentView],
    responses=problem_responses(
        401,
        403,
        404,
        409,
        422,
        slugs={409: ["not-an-open-plenary", "no-quorum", "no-minutes", "minutes-approved"]},
    ),
)
async def approve_minutes(
    session_id: SessionId,
    body: MinutesApproval,
    _: Annotated[Principal, Depends(staff)],
    uow: Tx,
) -> list[DocumentView]:
    approved = await service.approve_minutes(
        session_id, body.minutes_of, now=datetime.now(UTC), uow=uow
    )
    return [_view(d) for d in approved]


@public.get(
    "/public/v1/sessions/{session_id}/documents",
    operation_id="public-sessions-documents",
    summary="A session's public documents",
    description="Agenda, materials and minutes (with the session that approved them).",
    response_model=list[DocumentView],
    responses=problem_responses(404, 422),
)
async def public_documents(session_id: SessionId, uow: ReadTx) -> list[DocumentView]:
    rows = await service.of_session(session_id, public_only=True, uow=uow)
    return [_view(d, public_path=True) for d in rows]


@public.get(
    "/public/v1/documents/{document_id}/content",
    operation_id="public-documents-content",
    summary="Download a public document",
    description="The bytes with their media type and `Repr-Digest` (SHA-256, RFC 9530), for "
    "anyone.",
    response_class=Response,
    responses={**CONTENT, **problem_responses(404, 422)},
)
async def public_content(document_id: DocumentId, uow: ReadTx) -> Response:
    document, body = await service.content(document_id, public_only=True, uow=uow)
    return download(document, body)
