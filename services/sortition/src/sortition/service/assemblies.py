"""Sortition's copy of each assembly's configuration, kept from membership's events."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy.dialects.postgresql import insert

from common.db import UnitOfWork
from common.errors import PermanentEventError
from common.events.envelope import Event
from sortition.adapters.tables import assemblies


class _Rotation(BaseModel):
    cohort_size: int


class AssemblyConfigured(BaseModel):
    assembly_id: uuid.UUID
    version: int
    seats: int
    min_age: int
    rotation: _Rotation


async def on_assembly_configured(event: Event, *, uow: UnitOfWork) -> None:
    try:
        data = AssemblyConfigured.model_validate(event.data)
    except ValidationError as exc:
        raise PermanentEventError(f"invalid assembly data: {exc.error_count()} error(s)") from exc
    values = {
        "id": data.assembly_id,
        "version": data.version,
        "seats": data.seats,
        "min_age": data.min_age,
        "cohort_size": data.rotation.cohort_size,
    }
    stmt = insert(assemblies).values(**values)
    # Events may arrive out of order: keep the newest version.
    await uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[assemblies.c.id],
            set_={
                **{k: stmt.excluded[k] for k in values if k != "id"},
                "updated_at": sa.func.now(),
            },
            where=assemblies.c.version < stmt.excluded.version,
        )
    )
