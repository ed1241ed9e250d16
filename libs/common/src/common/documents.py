"""Documents a service keeps for its records: an agenda, materials, minutes, a technical
opinion. Either uploaded into the service's own database (bytes, media type, size and
SHA-256, within a size limit) or registered by address with the SHA-256 of the bytes found
there, so that a changed file is noticed. One table per service (``documents``), one
repository, one way to read an upload.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, HttpUrl
from sqlalchemy.dialects.postgresql import JSONB, UUID

from common.db.repository import Record, Repository
from common.errors import Invalid
from common.texts import Text

#: What a document may be: the formats a Comune office and a facilitator produce.
MEDIA_TYPES = frozenset(
    {
        "application/pdf",
        "text/markdown",
        "text/plain",
        "image/png",
        "image/jpeg",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
)
#: The default limit of one uploaded document.
MAX_BYTES = 20 * 1024 * 1024
SHA256 = r"^[0-9a-f]{64}$"


def _columns() -> list[Any]:
    return [
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("owner_id", UUID(as_uuid=True), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("title", JSONB, nullable=False),
        sa.Column("media_type", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("content", sa.LargeBinary),
        sa.Column("url", sa.Text),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("approved_in", UUID(as_uuid=True)),
        sa.Column("approved_at", sa.DateTime(timezone=True)),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint("(content IS NULL) <> (url IS NULL)", name="content_or_url"),
    ]


def documents_table(metadata: sa.MetaData) -> sa.Table:
    """``owner`` names the record a document belongs to (``session``, ``case``) and
    ``owner_id`` its id; ``content`` is null for a document registered by ``url``."""
    return sa.Table(
        "documents",
        metadata,
        *_columns(),
        sa.Index("ix_documents_owner", "owner", "owner_id", "created_at"),
    )


def create_documents_v1(schema: str) -> None:
    """The DDL of the documents table, for the migration that adds it to a service."""
    from alembic import op

    op.create_table("documents", *_columns(), schema=schema)
    op.create_index(
        "ix_documents_owner", "documents", ["owner", "owner_id", "created_at"], schema=schema
    )


@dataclass(frozen=True, slots=True)
class Document(Record):
    """A document without its bytes (read them with :meth:`Documents.content`)."""

    id: uuid.UUID
    owner: str
    owner_id: uuid.UUID
    kind: str
    title: dict[str, str]
    media_type: str
    size: int | None
    sha256: str
    url: str | None
    public: bool
    approved_in: uuid.UUID | None
    approved_at: datetime | None
    created_by: str
    created_at: datetime


class Documents(Repository[Document]):
    """Subclassed by each service with its ``table = documents_table(metadata)``."""

    record = Document
    not_found = ("No document {key}.", None)

    async def of(
        self, owner: str, owner_id: uuid.UUID, *, public_only: bool = False
    ) -> list[Document]:
        stmt = self.select().where(self.table.c.owner == owner, self.table.c.owner_id == owner_id)
        if public_only:
            stmt = stmt.where(self.table.c.public.is_(True))
        return await self.all(stmt.order_by(self.table.c.created_at, self.table.c.id))

    async def approve(
        self, owner: str, owner_id: uuid.UUID, kind: str, *, approved_in: uuid.UUID
    ) -> list[Document]:
        """Mark the owner's documents of ``kind`` approved (the minutes of a session, by
        the next plenary); the ones approved already keep their approval."""
        rows = await self.session.execute(
            sa.update(self.table)
            .where(
                self.table.c.owner == owner,
                self.table.c.owner_id == owner_id,
                self.table.c.kind == kind,
                self.table.c.approved_in.is_(None),
            )
            .values(approved_in=approved_in, approved_at=sa.func.now())
            .returning(*self._columns())
        )
        return self._records(rows.all())

    async def publish(self, document_id: uuid.UUID, public: bool) -> Document:
        """Show the document to the public, or no longer."""
        return await self.update(document_id, public=public)

    async def content(self, document_id: uuid.UUID) -> bytes | None:
        found = await self.session.execute(
            sa.select(self.table.c.content).where(self.table.c.id == document_id)
        )
        return found.scalar_one_or_none()

    async def upload(
        self,
        *,
        owner: str,
        owner_id: uuid.UUID,
        kind: str,
        title: Text,
        media_type: str,
        content: bytes,
        public: bool,
        created_by: str,
    ) -> Document:
        return await self.add(
            id=uuid.uuid4(),
            owner=owner,
            owner_id=owner_id,
            kind=kind,
            title=title.model_dump(),
            media_type=media_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            url=None,
            public=public,
            created_by=created_by,
        )

    async def register(
        self, *, owner: str, owner_id: uuid.UUID, link: DocumentLink, public: bool, created_by: str
    ) -> Document:
        return await self.add(
            id=uuid.uuid4(),
            owner=owner,
            owner_id=owner_id,
            kind=link.kind,
            title=link.title.model_dump(),
            media_type=link.media_type,
            size=link.size,
            sha256=link.sha256,
            content=None,
            url=str(link.url),
            public=public,
            created_by=created_by,
        )


class DocumentLink(BaseModel):
    """A document held elsewhere (the Comune's site, its register of acts): its address
    and the SHA-256 of its bytes."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(pattern=r"^[a-z_]{1,30}$", examples=["materials"])
    title: Text
    url: HttpUrl = Field(examples=["https://www.comune.milano.it/documents/parere.pdf"])
    sha256: str = Field(
        pattern=SHA256,
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    )
    media_type: str = Field(default="application/pdf", examples=["application/pdf"])
    size: int | None = Field(default=None, ge=0, le=16 * 1024**3)


class DocumentView(BaseModel):
    id: uuid.UUID
    kind: str = Field(examples=["agenda"])
    title: Text
    media_type: str = Field(examples=["application/pdf"])
    size: int | None = Field(examples=[48213])
    sha256: str
    url: str | None = Field(description="Where it is held, for a registered document.")
    content_url: str | None = Field(description="Where to download it, for an uploaded one.")
    approved_in: uuid.UUID | None = Field(
        default=None, description="The session (or act) that approved it, for minutes."
    )
    approved_at: datetime | None = None
    public: bool = Field(description="Whether the public API shows it.")
    created_at: datetime


def view(document: Document, *, content_url: str) -> DocumentView:
    return DocumentView(
        id=document.id,
        kind=document.kind,
        title=Text(**document.title),
        media_type=document.media_type,
        size=document.size,
        sha256=document.sha256,
        url=document.url,
        content_url=None if document.url else content_url,
        approved_in=document.approved_in,
        approved_at=document.approved_at,
        public=document.public,
        created_at=document.created_at,
    )


def check_media_type(media_type: str) -> str:
    if media_type not in MEDIA_TYPES:
        raise Invalid(
            f"A document is one of {', '.join(sorted(MEDIA_TYPES))}, not {media_type or 'none'}.",
            slug="unsupported-document-type",
        )
    return media_type


#: How each binary format begins (its "magic number"); text must be UTF-8 without NULs.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    # OpenDocument and Office Open XML files are ZIP archives.
    "application/vnd.oasis.opendocument.text": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
}


def check_content(media_type: str, content: bytes) -> None:
    """An upload is what it declares: a PDF starts as a PDF does, a text is UTF-8 text.
    A mismatch is a 422 ``content-mismatch``, so that nothing is served under a type it
    is not."""
    check_media_type(media_type)
    signatures = _SIGNATURES.get(media_type)
    if signatures is not None:
        matches = content.startswith(signatures)
    else:
        try:
            matches = "\x00" not in content.decode("utf-8")
        except UnicodeDecodeError:
            matches = False
    if not matches:
        raise Invalid(
            f"The content is not {media_type}: declare the type the file really has.",
            slug="content-mismatch",
            media_type=media_type,
        )


def check_link(link: DocumentLink) -> DocumentLink:
    check_media_type(link.media_type)
    return link


async def read_upload(chunks: AsyncIterator[bytes], *, max_bytes: int = MAX_BYTES) -> bytes:
    """The whole upload, refused as soon as it passes ``max_bytes`` (an empty one too)."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise Invalid(
                f"A document is at most {max_bytes // (1024 * 1024)} MB.",
                slug="document-too-large",
                limit=max_bytes,
            )
        parts.append(chunk)
    if size == 0:
        raise Invalid("The document is empty.", slug="empty-document")
    return b"".join(parts)


def upload_body(example: str = "%PDF-1.7 …") -> dict[str, Any]:
    """The OpenAPI request body of a route that takes a document as its bytes or a link."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                **{
                    m: {"schema": {"type": "string", "format": "binary"}}
                    for m in sorted(MEDIA_TYPES)
                },
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/DocumentLink"},
                    "example": {
                        "kind": "materials",
                        "title": {"it": "Parere tecnico", "en": "Technical opinion"},
                        "url": "https://www.comune.milano.it/documents/parere.pdf",
                        "sha256": "9f86d081884c7d659a2feaa0c55ad015"
                        "a3bf4f1b2b0b822cd15d6c15b0f00a08",
                        "media_type": "application/pdf",
                    },
                },
            },
        }
    }
