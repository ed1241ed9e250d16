"""A case's documents: the technical opinion, the formal act, attachments of the answer;
uploaded or registered by URL with their SHA-256. Public once the case's answer is."""

from __future__ import annotations

import uuid

from common.db import UnitOfWork
from common.documents import Document, DocumentLink, check_content, check_link
from common.errors import Invalid, NotFound
from common.texts import Text
from responses.adapters.repositories import Cases, Documents
from responses.service.cases import Scope, require_lead, visible

OWNER = "case"
KINDS = ("opinion", "act", "attachment")


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise Invalid(f"A case's document is one of {', '.join(KINDS)}.", slug="unknown-kind")


async def upload(
    case_id: uuid.UUID,
    *,
    kind: str,
    title: Text,
    media_type: str,
    content: bytes,
    public: bool,
    scope: Scope,
    uow: UnitOfWork,
) -> Document:
    _check_kind(kind)
    check_content(media_type, content)
    case = await visible(case_id, scope, uow=uow)
    require_lead(case, scope, "add the case's documents")
    return await Documents(uow).upload(
        owner=OWNER,
        owner_id=case.id,
        kind=kind,
        title=title,
        media_type=media_type,
        content=content,
        public=public,
        created_by=scope.principal.subject,
    )


async def register(
    case_id: uuid.UUID, link: DocumentLink, *, public: bool, scope: Scope, uow: UnitOfWork
) -> Document:
    _check_kind(link.kind)
    check_link(link)
    case = await visible(case_id, scope, uow=uow)
    require_lead(case, scope, "add the case's documents")
    return await Documents(uow).register(
        owner=OWNER, owner_id=case.id, link=link, public=public, created_by=scope.principal.subject
    )


async def of_case(case_id: uuid.UUID, scope: Scope | None, *, uow: UnitOfWork) -> list[Document]:
    """Every document for those who see the case; for the public (``scope`` None) the
    public ones of a case whose answer is published."""
    if scope is not None:
        await visible(case_id, scope, uow=uow)
        return await Documents(uow).of(OWNER, case_id)
    case = await Cases(uow).get(case_id)
    if case.answered_on is None:
        return []
    return await Documents(uow).of(OWNER, case_id, public_only=True)


async def content(
    document_id: uuid.UUID, scope: Scope | None, *, uow: UnitOfWork
) -> tuple[Document, bytes]:
    document = await Documents(uow).get(document_id)
    if scope is not None:
        await visible(document.owner_id, scope, uow=uow)
    elif document not in await of_case(document.owner_id, None, uow=uow):
        raise NotFound(f"No document {document_id}.")
    if document.url is not None:
        raise NotFound(f"Document {document_id} is held at {document.url}.", slug="held-elsewhere")
    body = await Documents(uow).content(document.id)
    assert body is not None
    return document, body
