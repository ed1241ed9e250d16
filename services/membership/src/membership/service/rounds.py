"""What membership keeps of sortition's rounds, from sortition's events."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.dialects.postgresql import insert

from common.db import UnitOfWork
from common.errors import NotFound, PermanentEventError
from common.events.envelope import Event
from membership.adapters.tables import assemblies, rounds
from membership.domain.assemblies import Cohort, resolve_cohort
from membership.service.assemblies import policy_of


class _Opened(BaseModel):
    model_config = ConfigDict(extra="ignore")

    round_id: uuid.UUID
    assembly_id: uuid.UUID
    cohort: str
    panel_size: int


class _Quota(BaseModel):
    feature: str
    value: str


class _QuotasSet(BaseModel):
    model_config = ConfigDict(extra="ignore")

    round_id: uuid.UUID
    quotas: list[_Quota]


def _parse(model: type[BaseModel], event: Event) -> Any:
    try:
        return model.model_validate(event.data)
    except ValidationError as exc:
        raise PermanentEventError(f"invalid {event.type}: {exc.error_count()} error(s)") from exc


async def on_round_opened(event: Event, *, uow: UnitOfWork) -> None:
    data = _parse(_Opened, event)
    stmt = insert(rounds).values(
        id=data.round_id,
        assembly_id=data.assembly_id,
        cohort=data.cohort,
        panel_size=data.panel_size,
    )
    await uow.session.execute(stmt.on_conflict_do_nothing(index_elements=[rounds.c.id]))


async def on_quotas_set(event: Event, *, uow: UnitOfWork) -> None:
    """The features a round asks registrants for, and the values each may take."""
    data = _parse(_QuotasSet, event)
    features: dict[str, list[str]] = {}
    for q in data.quotas:
        features.setdefault(q.feature, []).append(q.value)
    updated = await uow.session.execute(
        sa.update(rounds).where(rounds.c.id == data.round_id).values(features=features)
    )
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        raise PermanentEventError("quotas for a round membership does not know")


class _Committed(BaseModel):
    model_config = ConfigDict(extra="ignore")

    round_id: uuid.UUID


async def on_round_committed(event: Event, *, uow: UnitOfWork) -> None:
    """Sortition committed to the round's pool: registration closes."""
    data = _parse(_Committed, event)
    await uow.session.execute(
        sa.update(rounds)
        .where(rounds.c.id == data.round_id, rounds.c.committed_at.is_(None))
        .values(committed_at=event.time)
    )


async def get_round(round_id: uuid.UUID, *, uow: UnitOfWork) -> Any:
    row = (await uow.session.execute(sa.select(rounds).where(rounds.c.id == round_id))).first()
    if row is None:
        raise NotFound("No round with that id is known to membership.", slug="round-not-found")
    return row


async def round_cohort(round_: Any, *, uow: UnitOfWork) -> tuple[Any, Cohort | None]:
    """The round's assembly and, when its calendar names it, the cohort it fills."""
    assembly = (
        await uow.session.execute(
            sa.select(assemblies).where(assemblies.c.id == round_.assembly_id)
        )
    ).one()
    return assembly, resolve_cohort(policy_of(assembly), round_.cohort)
