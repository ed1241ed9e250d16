"""Use cases for the Comune's departments."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from common.db import UnitOfWork
from common.errors import Conflict, NotFound
from common.http.pagination import PageParams, keyset_page, page_of
from responses.adapters.tables import departments


async def add_department(code: str, name: dict[str, str], *, uow: UnitOfWork) -> Any:
    try:
        row = (
            await uow.session.execute(
                sa.insert(departments)
                .values(id=uuid.uuid4(), code=code, name=name, version=1)
                .returning(departments)
            )
        ).one()
    except IntegrityError as exc:
        raise Conflict(f"A department with code {code} exists.", slug="department-exists") from exc
    await uow.commit()
    return row


async def get_department(department_id: uuid.UUID, *, uow: UnitOfWork) -> Any:
    row = (
        await uow.session.execute(sa.select(departments).where(departments.c.id == department_id))
    ).first()
    if row is None:
        raise NotFound("No department with that id.")
    return row


async def list_departments(params: PageParams, *, uow: UnitOfWork) -> tuple[list[Any], str | None]:
    stmt = keyset_page(
        sa.select(departments),
        created_at=departments.c.created_at,
        id=departments.c.id,
        params=params,
    )
    return page_of((await uow.session.execute(stmt)).all(), params)
