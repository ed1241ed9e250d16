"""Use cases for selection rounds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from common.db import UnitOfWork
from common.errors import Conflict, Invalid, NotFound
from common.http.pagination import PageParams, keyset_page, page_of
from sortition.adapters.tables import assemblies, rounds

ROUND_OPENED = "sortition.round.opened.v1"


@dataclass(frozen=True)
class OpenRound:
    assembly_id: uuid.UUID
    cohort: str
    panel_size: int


async def open_round(cmd: OpenRound, *, uow: UnitOfWork) -> Any:
    assembly = (
        await uow.session.execute(sa.select(assemblies).where(assemblies.c.id == cmd.assembly_id))
    ).first()
    if assembly is None:
        raise Invalid(
            "No assembly with that id is known to sortition (yet): configure it in the "
            "membership service first.",
            slug="unknown-assembly",
        )
    if cmd.panel_size > assembly.seats:
        raise Invalid(
            f"A panel of {cmd.panel_size} does not fit an assembly of {assembly.seats} seats.",
            slug="panel-larger-than-assembly",
        )
    try:
        row = (
            await uow.session.execute(
                sa.insert(rounds)
                .values(
                    id=uuid.uuid4(),
                    assembly_id=cmd.assembly_id,
                    cohort=cmd.cohort,
                    panel_size=cmd.panel_size,
                    status="open",
                    version=1,
                )
                .returning(rounds)
            )
        ).one()
    except IntegrityError as exc:
        raise Conflict(
            f"The assembly already has a round for cohort {cmd.cohort!r}.",
            slug="round-exists",
        ) from exc
    uow.emit(
        ROUND_OPENED,
        {
            "round_id": str(row.id),
            "assembly_id": str(row.assembly_id),
            "cohort": row.cohort,
            "panel_size": row.panel_size,
        },
        subject=f"round/{row.id}",
    )
    await uow.commit()
    return row


async def get_round(round_id: uuid.UUID, *, uow: UnitOfWork) -> Any:
    row = (await uow.session.execute(sa.select(rounds).where(rounds.c.id == round_id))).first()
    if row is None:
        raise NotFound("No selection round with that id.")
    return row


async def list_rounds(params: PageParams, *, uow: UnitOfWork) -> tuple[list[Any], str | None]:
    stmt = keyset_page(
        sa.select(rounds), created_at=rounds.c.created_at, id=rounds.c.id, params=params
    )
    return page_of((await uow.session.execute(stmt)).all(), params)
