"""Sortition's copy of each assembly's configuration, kept from membership's events."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy.dialects.postgresql import insert

from common.db import UnitOfWork
from common.errors import PermanentEventError
from common.events.envelope import Event
from common.rotation import RotationPolicy
from sortition.adapters.tables import assemblies


class _Rotation(BaseModel):
    cohort_size: int
    cohort_interval_months: int | None = None
    term_months: int | None = None
    training_weeks: int = 0
    first_cohort_starts_on: date | None = None
    cohorts: int | None = None

    def policy(self) -> RotationPolicy | None:
        """The rotation, when the event carried its calendar (older ones did not)."""
        if self.cohort_interval_months is None or self.term_months is None:
            return None
        return RotationPolicy(
            cohort_size=self.cohort_size,
            cohort_interval_months=self.cohort_interval_months,
            term_months=self.term_months,
            training_weeks=self.training_weeks,
            first_cohort_starts_on=self.first_cohort_starts_on,
            cohorts=self.cohorts,
        )


def rotation_of(stored: dict[str, Any] | None, cohort_size: int) -> RotationPolicy | None:
    """The rotation policy kept from the assembly's last event, if it had one."""
    if stored is None:
        return None
    return _Rotation.model_validate({**stored, "cohort_size": cohort_size}).policy()


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
        "rotation": data.rotation.model_dump(mode="json"),
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
