"""Cursor pagination: ``?limit=&page_token=`` in, ``{items, next_page_token}`` out.

Tokens are opaque to clients (base64url of the last row's sort key) and checked on the way
back in. Lists are ordered by a creation time and an id, which never change for a row, so
that pages neither skip nor repeat rows while others are written. The two columns may have
any names (``registered_at``, ``respondent_id``): :func:`keyset_page` selects them again
under fixed labels, which :func:`page_of` reads back.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, Self, TypeVar

import sqlalchemy as sa
from fastapi import Query, Response
from pydantic import BaseModel, Field, TypeAdapter

from common.errors import Invalid

T = TypeVar("T")
MAX_LIMIT = 200
_AT, _ID = "page_key_at", "page_key_id"


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_page_token: str | None = Field(
        default=None, description="Pass as `page_token` to get the next page; absent on the last."
    )

    @classmethod
    def of(cls, items: Sequence[Any], next_page_token: str | None) -> Self:
        """The page of ``items`` (records, or any objects with the item schema's fields as
        attributes), converted in one validation pass rather than item by item."""
        return cls.model_validate(
            {"items": items, "next_page_token": next_page_token}, from_attributes=True
        )


class RecordPage(Response):
    """A page of records written straight to JSON, for a list whose item schema is the
    record itself (the same fields, the same types): no model is built per item and none
    is validated again on the way out. The route keeps ``response_model=Page[Item]`` for
    its documentation; :func:`record_page_adapter` refuses a record whose fields differ
    from the schema's, so nothing the schema leaves out can be written."""

    media_type = "application/json"


def record_page(
    records: Sequence[Any], next_page_token: str | None, *, record: type[Any], item: type[BaseModel]
) -> RecordPage:
    items = record_page_adapter(record, item).dump_json(list(records))
    token = json.dumps(next_page_token).encode()
    return RecordPage(b'{"items":' + items + b',"next_page_token":' + token + b"}")


_ADAPTERS: dict[tuple[type[Any], type[BaseModel]], TypeAdapter[Any]] = {}


def record_page_adapter(record: type[Any], item: type[BaseModel]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get((record, item))
    if adapter is None:
        names = [f.name for f in dataclasses.fields(record)]
        if sorted(names) != sorted(item.model_fields):
            raise TypeError(f"{record.__name__} is not {item.__name__}'s fields: {names}")
        adapter = _ADAPTERS[record, item] = TypeAdapter(list[record])  # type: ignore[valid-type]
    return adapter


@dataclass(frozen=True)
class PageParams:
    limit: int
    page_token: str | None


async def page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="How many items per page (1–200).")
    ] = 50,
    page_token: Annotated[
        str | None,
        Query(max_length=512, description="The `next_page_token` of the previous page."),
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, page_token=page_token)


def _encode(created_at: datetime, row_id: Any) -> str:
    raw = json.dumps([created_at.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, id_type: type[Any]) -> tuple[datetime, Any]:
    """The sort key a token carries, the id as the column's own type (UUID, int)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        created_at, row_id = json.loads(raw)
        return datetime.fromisoformat(created_at), id_type(row_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise Invalid(
            "page_token is not a token this list returned", slug="invalid-page-token"
        ) from exc


def keyset_page(
    stmt: sa.Select[Any],
    *,
    created_at: sa.ColumnElement[Any],
    id: sa.ColumnElement[Any],
    params: PageParams,
) -> sa.Select[Any]:
    """Restrict and order ``stmt`` to one page (one extra row tells if another page exists).

    The sort key is selected again under fixed labels, whatever the columns are called."""
    if params.page_token is not None:
        after = _decode(params.page_token, id.type.python_type)
        stmt = stmt.where(sa.tuple_(created_at, id) > sa.tuple_(*after))
    return (
        stmt.add_columns(created_at.label(_AT), id.label(_ID))
        .order_by(created_at, id)
        .limit(params.limit + 1)
    )


def page_of(rows: Sequence[Any], params: PageParams) -> tuple[list[Any], str | None]:
    """Split the fetched rows into the page and the next page's token."""
    items = list(rows[: params.limit])
    if len(rows) > params.limit:
        last = items[-1]
        return items, _encode(getattr(last, _AT), getattr(last, _ID))
    return items, None
