"""Dead letters: events a consumer could not handle, kept for an operator to list and replay."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from common.auth import Principal, require_roles
from common.db.uow import UnitOfWorkFactory, transaction
from common.errors import Conflict, NotFound, PermanentEventError
from common.events.consumer import HandlerMap, UndecodableEvent, apply_once, decode
from common.http.pagination import Page, PageParams, keyset_page, page_of, page_params
from common.http.problems import problem_responses


class DeadLetter(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID | None = Field(description="Absent when the message was not an event.")
    subject: str = Field(examples=["membership.member.declined.v1"])
    stream: str = Field(examples=["MEMBERSHIP"])
    consumer: str = Field(examples=["sortition-from-membership"])
    stream_sequence: int | None
    error: str
    deliveries: int
    created_at: datetime
    replayed_at: datetime | None
    replay_attempts: int
    last_replay_error: str | None


class ReplayResult(BaseModel):
    dead_letter: DeadLetter
    took_effect: bool = Field(
        description="False when the event had already taken effect (it is never applied twice)."
    )


def _view(row: Any) -> DeadLetter:
    return DeadLetter.model_validate(row, from_attributes=True)


async def list_dead_letters(
    *, uow_factory: UnitOfWorkFactory, params: PageParams, pending_only: bool
) -> tuple[list[DeadLetter], str | None]:
    async with transaction(uow_factory) as uow:
        table = uow.tables.dead_letters
        stmt = sa.select(table)
        if pending_only:
            stmt = stmt.where(table.c.replayed_at.is_(None))
        stmt = keyset_page(stmt, created_at=table.c.created_at, id=table.c.id, params=params)
        rows = (await uow.session.execute(stmt)).all()
    items, token = page_of(rows, params)
    return [_view(r) for r in items], token


async def replay_dead_letter(
    dead_letter_id: uuid.UUID, *, uow_factory: UnitOfWorkFactory, handlers: HandlerMap
) -> ReplayResult:
    async with transaction(uow_factory) as uow:
        table = uow.tables.dead_letters
        row = (
            await uow.session.execute(sa.select(table).where(table.c.id == dead_letter_id))
        ).first()
    if row is None:
        raise NotFound("No dead letter with that id.")
    if row.replayed_at is not None:
        raise Conflict("This dead letter was already replayed.", slug="already-replayed")
    error: str | None = None
    took_effect = False
    try:
        event = decode(row.payload)
        handler = handlers.get(event.type)
        if handler is None:
            raise PermanentEventError(f"no handler for event type {event.type}")
        took_effect = await apply_once(
            event, handler, uow_factory=uow_factory, consumer=row.consumer
        )
    except UndecodableEvent as exc:
        error = str(exc)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    async with transaction(uow_factory) as uow:
        table = uow.tables.dead_letters
        values: dict[str, Any] = {"replay_attempts": table.c.replay_attempts + 1}
        if error is None:
            values["replayed_at"] = sa.func.now()
        else:
            values["last_replay_error"] = error[:4000]
        updated = (
            await uow.session.execute(
                sa.update(table)
                .where(table.c.id == dead_letter_id)
                .values(**values)
                .returning(table)
            )
        ).one()
    if error is not None:
        raise Conflict(
            f"The event still fails: {error[:500]}",
            slug="replay-failed",
            title="Replay failed",
        )
    return ReplayResult(dead_letter=_view(updated), took_effect=took_effect)


operator = require_roles("operator")


def dead_letters_router() -> APIRouter:
    router = APIRouter(prefix="/v1/dead-letters", tags=["operations"])

    @router.get(
        "",
        operation_id="dead-letters-list",
        summary="List dead letters",
        description=(
            "Events this service received but could not handle, oldest first. By default only "
            "those not yet replayed."
        ),
        response_model=Page[DeadLetter],
        responses=problem_responses(401, 403, 422),
    )
    async def list_(
        request: Request,
        params: Annotated[PageParams, Depends(page_params)],
        _: Annotated[Principal, Depends(operator)],
        include_replayed: bool = False,
    ) -> Page[DeadLetter]:
        items, token = await list_dead_letters(
            uow_factory=request.app.state.uow_factory,
            params=params,
            pending_only=not include_replayed,
        )
        return Page[DeadLetter](items=items, next_page_token=token)

    @router.post(
        "/{dead_letter_id}/replay",
        operation_id="dead-letters-replay",
        summary="Replay a dead letter",
        description=(
            "Runs the event's handler again, once the cause is fixed. The inbox still "
            "guarantees a single effect: an event that already took effect is not applied "
            "again. A replay that fails again answers 409 and keeps the dead letter."
        ),
        response_model=ReplayResult,
        responses=problem_responses(401, 403, 404, 409, 422),
    )
    async def replay(
        request: Request,
        dead_letter_id: Annotated[uuid.UUID, Path(description="The dead letter's id.")],
        _: Annotated[Principal, Depends(operator)],
    ) -> ReplayResult:
        return await replay_dead_letter(
            dead_letter_id,
            uow_factory=request.app.state.uow_factory,
            handlers=request.app.state.handlers,
        )

    return router
