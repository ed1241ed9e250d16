"""A session's documents: its agenda and materials (uploaded or registered by URL with
their SHA-256) and its minutes, drawn up from the record when it closes and approved by
the next plenary."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from common.db import UnitOfWork
from common.documents import Document, DocumentLink, check_content, check_link
from common.errors import Conflict, Invalid, NotFound
from common.texts import Text
from deliberation.adapters.repositories import Documents, Roster, Session, Sessions
from deliberation.domain import sessions as calendar
from deliberation.service import minutes as drawn_up
from deliberation.service import sessions

OWNER = "session"
KINDS = ("agenda", "materials", "minutes", "other")
TITLES = {"it": "Verbale della seduta", "en": "Minutes of the session"}


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise Invalid(f"A session's document is one of {', '.join(KINDS)}.", slug="unknown-kind")
    if kind == "minutes":
        raise Invalid(
            "The minutes are drawn up from the record when the session closes; add other "
            "documents as agenda, materials or other.",
            slug="minutes-generated",
        )


async def upload(
    session_id: uuid.UUID,
    *,
    kind: str,
    title: Text,
    media_type: str,
    content: bytes,
    public: bool,
    actor: str,
    uow: UnitOfWork,
) -> Document:
    _check_kind(kind)
    check_content(media_type, content)
    session = await Sessions(uow).get(session_id)
    calendar.require_editable(session.state, "add a document")
    return await Documents(uow).upload(
        owner=OWNER,
        owner_id=session_id,
        kind=kind,
        title=title,
        media_type=media_type,
        content=content,
        public=public,
        created_by=actor,
    )


async def register(
    session_id: uuid.UUID, link: DocumentLink, *, public: bool, actor: str, uow: UnitOfWork
) -> Document:
    _check_kind(link.kind)
    check_link(link)
    session = await Sessions(uow).get(session_id)
    calendar.require_editable(session.state, "add a document")
    return await Documents(uow).register(
        owner=OWNER, owner_id=session_id, link=link, public=public, created_by=actor
    )


async def publish(
    session_id: uuid.UUID, document_id: uuid.UUID, public: bool, *, uow: UnitOfWork
) -> Document:
    """Show a session's document to the public, or withdraw it from view; also after the
    close (what the public sees is not part of the record). The minutes stay public."""
    await Sessions(uow).get(session_id)
    document = await Documents(uow).get(document_id, lock=True)
    if document.owner != OWNER or document.owner_id != session_id:
        raise NotFound(f"No document {document_id} of session {session_id}.")
    if document.kind == "minutes" and not public:
        raise Conflict("A session's minutes are public.", slug="minutes-public")
    return await Documents(uow).publish(document_id, public)


async def _public_only(
    session: Session, member: str | None, public_only: bool, *, today: date, uow: UnitOfWork
) -> bool:
    """Whether a reader sees only public documents: the public; a member (``member``: the
    caller reads as a member only) unless they sit in the session's assembly."""
    if public_only:
        return True
    if member is None:
        return False
    return not await Roster(uow).sits(session.assembly_id, member, today)


async def of_session(
    session_id: uuid.UUID,
    *,
    public_only: bool,
    member: str | None = None,
    today: date | None = None,
    uow: UnitOfWork,
) -> list[Document]:
    session = await Sessions(uow).get(session_id)
    only = await _public_only(session, member, public_only, today=today or date.min, uow=uow)
    return await Documents(uow).of(OWNER, session_id, public_only=only)


async def content(
    document_id: uuid.UUID,
    *,
    public_only: bool,
    member: str | None = None,
    today: date | None = None,
    uow: UnitOfWork,
) -> tuple[Document, bytes]:
    """An uploaded document and its bytes (a registered one is read where it is held)."""
    document = await Documents(uow).get(document_id)
    if not document.public:
        session = await Sessions(uow).get(document.owner_id)
        if await _public_only(session, member, public_only, today=today or date.min, uow=uow):
            raise NotFound(f"No document {document_id}.")
    if document.url is not None:
        raise NotFound(f"Document {document_id} is held at {document.url}.", slug="held-elsewhere")
    body = await Documents(uow).content(document.id)
    assert body is not None  # the table holds content or a URL
    return document, body


async def move(
    session_id: uuid.UUID,
    target: str,
    *,
    if_match: str | None,
    reason: str | None,
    now: datetime,
    actor: str,
    uow: UnitOfWork,
) -> Session:
    """A session's move (see :func:`deliberation.service.sessions.move`); at its close the
    minutes are drawn up from the record, in Italian and English, as public documents of
    the session, for the next plenary to approve."""
    moved = await sessions.move(
        session_id, target, if_match=if_match, reason=reason, now=now, uow=uow
    )
    if target == "closed":
        for lang in ("it", "en"):
            text = await drawn_up.minutes(session_id, lang, now=now, uow=uow)
            await Documents(uow).upload(
                owner=OWNER,
                owner_id=session_id,
                kind="minutes",
                title=Text(it=f"{TITLES['it']} ({lang})", en=f"{TITLES['en']} ({lang})"),
                media_type="text/markdown",
                content=text.encode(),
                public=True,
                created_by=actor,
            )
    return moved


async def approve_minutes(
    session_id: uuid.UUID, of_session: uuid.UUID, *, now: datetime, uow: UnitOfWork
) -> list[Document]:
    """The plenary ``session_id``, open, approves the minutes of an earlier closed session
    of its assembly."""
    approving = await Sessions(uow).get(session_id, lock=True)
    earlier = await Sessions(uow).referenced(of_session)
    if approving.kind != "plenary" or approving.state != "open":
        raise Conflict("Minutes are approved by an open plenary.", slug="not-an-open-plenary")
    reached = await sessions.quorum(approving, now=now, uow=uow)
    if not reached.reached:
        raise Conflict(
            f"No quorum: {reached.present} present of {reached.sitting} sitting members; "
            f"{reached.needed} are needed to approve minutes ({reached.rule}).",
            slug="no-quorum",
            present=reached.present,
            sitting=reached.sitting,
            needed=reached.needed,
        )
    if earlier.assembly_id != approving.assembly_id or earlier.state != "closed":
        raise Conflict(
            "Only the closed sessions of the same assembly have minutes to approve.",
            slug="no-minutes",
        )
    approved = await Documents(uow).approve(OWNER, of_session, "minutes", approved_in=approving.id)
    if not approved:
        raise Conflict("Those minutes are approved already.", slug="minutes-approved")
    return approved
