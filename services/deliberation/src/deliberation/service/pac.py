"""Use cases for the PAC actions catalogue."""

from __future__ import annotations

import uuid

from common.db import UnitOfWork
from common.errors import Conflict, Invalid
from common.http.pagination import PageParams
from deliberation.adapters.repositories import PacAction, PacActions


async def add_action(code: str, title: dict[str, str], *, uow: UnitOfWork) -> PacAction:
    ambito = int(code.split(".", 1)[0])
    if not 1 <= ambito <= 5:
        raise Invalid(f"Action {code} is outside the PAC's five ambiti.", slug="unknown-ambito")
    return await PacActions(uow).add(
        id=uuid.uuid4(),
        code=code,
        ambito=ambito,
        title=title,
        version=1,
        exists=Conflict(f"Action {code} is already in the catalogue.", slug="action-exists"),
    )


async def get_action(code: str, *, uow: UnitOfWork) -> PacAction:
    return await PacActions(uow).get(code)


async def list_actions(
    params: PageParams, *, uow: UnitOfWork
) -> tuple[list[PacAction], str | None]:
    return await PacActions(uow).page(params)
