"""Sortition's copy of each assembly's configuration, kept from membership's events."""

from __future__ import annotations

from typing import Any

from common.contracts.membership import AssemblyConfigured, Rotation
from common.db import UnitOfWork
from common.events.contracts import handles
from common.events.envelope import Event
from common.rotation import RotationPolicy
from sortition.adapters.repositories import Assemblies


def _policy(rotation: Rotation) -> RotationPolicy | None:
    """The rotation, when the event carried its calendar (older ones did not)."""
    if rotation.cohort_interval_months is None or rotation.term_months is None:
        return None
    return RotationPolicy(
        cohort_size=rotation.cohort_size,
        cohort_interval_months=rotation.cohort_interval_months,
        term_months=rotation.term_months,
        training_weeks=rotation.training_weeks,
        first_cohort_starts_on=rotation.first_cohort_starts_on,
        cohorts=rotation.cohorts,
    )


def rotation_of(stored: dict[str, Any] | None, cohort_size: int) -> RotationPolicy | None:
    """The rotation policy kept from the assembly's last event, if it had one."""
    if stored is None:
        return None
    return _policy(Rotation.model_validate({**stored, "cohort_size": cohort_size}))


@handles(AssemblyConfigured)
async def on_assembly_configured(data: AssemblyConfigured, event: Event, uow: UnitOfWork) -> None:
    await Assemblies(uow).keep_newest(
        id=data.assembly_id,
        version=data.version,
        seats=data.seats,
        min_age=data.min_age,
        cohort_size=data.rotation.cohort_size,
        rotation=data.rotation.model_dump(mode="json"),
    )
