"""Use cases for the PAC actions catalogue."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from common.db import UnitOfWork
from common.errors import Conflict, Invalid, NotFound
from common.http.pagination import PageParams, keyset_page, page_of
from deliberation.adapters.tables import pac_actions


async def add_action(code: str, title: dict[str, str], *, uow: UnitOfWork) -> Any:
    ambito = int(code.split(".", 1)[0])
    if not 1 <= ambito <= 5:
        raise Invalid(f"Action {code} is outside the PAC's five ambiti.", slug="unknown-ambito")
    try:
        row = (
            await uow.session.execute(
                sa.insert(pac_actions)
                .values(id=uuid.uuid4(), code=code, ambito=ambito, title=title, version=1)
                .returning(pac_actions)
            )
        ).one()
    except IntegrityError as exc:
        raise Conflict(f"Action {code} is already in the catalogue.", slug="action-exists") from exc
    await uow.commit()
    return row


async def get_action(code: str, *, uow: UnitOfWork) -> Any:
    row = (
        await uow.session.execute(sa.select(pac_actions).where(pac_actions.c.code == code))
    ).first()
    if row is None:
        raise NotFound(f"No PAC action {code}.")
    return row


async def list_actions(params: PageParams, *, uow: UnitOfWork) -> tuple[list[Any], str | None]:
    stmt = keyset_page(
        sa.select(pac_actions),
        created_at=pac_actions.c.created_at,
        id=pac_actions.c.id,
        params=params,
    )
    return page_of((await uow.session.execute(stmt)).all(), params)
