"""Replacements: a panel member declines or withdraws, the pool gives the next one."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from common.db import UnitOfWork
from common.errors import Conflict, PermanentEventError
from common.events.envelope import Event
from sortition.adapters.tables import draws, replacements
from sortition.domain.replacement import choose_replacement
from sortition.service.pool import load_instance

REPLACEMENT_DRAWN = "sortition.replacement.drawn.v1"


async def current_panel(round_id: uuid.UUID, *, uow: UnitOfWork) -> tuple[Any, list[str]]:
    row = (
        await uow.session.execute(
            sa.select(draws).where(draws.c.round_id == round_id).with_for_update()
        )
    ).first()
    if row is None or row.seed is None:
        raise Conflict("The round is not drawn yet.", slug="not-drawn")
    panel = list(row.panel)
    for r in (
        await uow.session.execute(
            sa.select(replacements)
            .where(replacements.c.round_id == round_id)
            .order_by(replacements.c.sequence)
        )
    ).all():
        panel.remove(r.leaving)
        if r.joining is not None:
            panel.append(r.joining)
    return row, sorted(panel)


async def replace_member(
    round_id: uuid.UUID, respondent_id: str, *, reason: str, uow: UnitOfWork
) -> Any:
    row, panel = await current_panel(round_id, uow=uow)
    if respondent_id not in panel:
        raise Conflict(f"{respondent_id} is not on the panel.", slug="not-on-panel")
    instance = await load_instance(round_id, uow=uow)
    index = {person: i for i, person in enumerate(instance.ids)}
    earlier = (
        (
            await uow.session.execute(
                sa.select(replacements.c.leaving).where(replacements.c.round_id == round_id)
            )
        )
        .scalars()
        .all()
    )
    sequence = len(earlier) + 1
    chosen = choose_replacement(
        instance,
        [index[p] for p in panel],
        index[respondent_id],
        excluded=[index[p] for p in earlier],
        seed=row.seed,
        sequence=sequence,
    )
    joining, deviation = (instance.ids[chosen[0]], chosen[1]) if chosen else (None, None)
    recorded = (
        await uow.session.execute(
            sa.insert(replacements)
            .values(
                round_id=round_id,
                sequence=sequence,
                leaving=respondent_id,
                reason=reason,
                joining=joining,
                deviation=deviation,
            )
            .returning(replacements)
        )
    ).one()
    uow.emit(
        REPLACEMENT_DRAWN,
        {
            "round_id": str(round_id),
            "leaving": respondent_id,
            "joining": joining,
            "reason": reason,
            "deviation": deviation,
            "sequence": sequence,
        },
        subject=f"round/{round_id}",
    )
    await uow.commit()
    return recorded


async def list_replacements(round_id: uuid.UUID, *, uow: UnitOfWork) -> list[Any]:
    return list(
        (
            await uow.session.execute(
                sa.select(replacements)
                .where(replacements.c.round_id == round_id)
                .order_by(replacements.c.sequence)
            )
        ).all()
    )


class _MemberLeft(BaseModel):
    model_config = ConfigDict(extra="ignore")

    round_id: uuid.UUID
    respondent_id: str = Field(min_length=1, max_length=200)


def _on_left(reason: str):  # type: ignore[no-untyped-def]
    async def handler(event: Event, *, uow: UnitOfWork) -> None:
        try:
            data = _MemberLeft.model_validate(event.data)
        except ValidationError as exc:
            raise PermanentEventError(f"invalid event: {exc.error_count()} error(s)") from exc
        already = (
            await uow.session.execute(
                sa.select(replacements.c.sequence).where(
                    replacements.c.round_id == data.round_id,
                    replacements.c.leaving == data.respondent_id,
                )
            )
        ).first()
        if already is not None:
            return  # the same departure told twice: one replacement
        try:
            await replace_member(data.round_id, data.respondent_id, reason=reason, uow=uow)
        except Conflict as exc:
            raise PermanentEventError(exc.detail) from exc

    return handler


on_member_declined = _on_left("declined")
on_member_withdrew = _on_left("withdrew")
