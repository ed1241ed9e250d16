"""Use cases for assemblies. Each runs in one unit of work and emits its events there."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass

import sqlalchemy as sa

from common.contracts.membership import AssemblyConfigured, Rotation
from common.db import UnitOfWork
from common.http.etag import check_if_match
from common.http.pagination import PageParams
from membership.adapters.repositories import Assemblies, Assembly
from membership.domain.assemblies import RotationPolicy, check_rotation


@dataclass(frozen=True)
class ConfigureAssembly:
    name: dict[str, str]
    seats: int
    min_age: int
    rotation: RotationPolicy


def _configured(row: Assembly) -> AssemblyConfigured:
    return AssemblyConfigured(
        assembly_id=row.id,
        version=row.version,
        seats=row.seats,
        min_age=row.min_age,
        rotation=Rotation(**asdict(policy_of(row))),
    )


async def create_assembly(cmd: ConfigureAssembly, *, uow: UnitOfWork) -> Assembly:
    check_rotation(cmd.seats, cmd.rotation)
    row = await Assemblies(uow).add(
        id=uuid.uuid4(),
        name=cmd.name,
        seats=cmd.seats,
        min_age=cmd.min_age,
        version=1,
        **asdict(cmd.rotation),
    )
    uow.emit(_configured(row), subject=f"assembly/{row.id}")
    return row


async def get_assembly(assembly_id: uuid.UUID, *, uow: UnitOfWork) -> Assembly:
    return await Assemblies(uow).get(assembly_id)


async def list_assemblies(
    params: PageParams, *, uow: UnitOfWork
) -> tuple[list[Assembly], str | None]:
    return await Assemblies(uow).page(params)


async def update_assembly(
    assembly_id: uuid.UUID, cmd: ConfigureAssembly, *, if_match: str | None, uow: UnitOfWork
) -> Assembly:
    current = await Assemblies(uow).get(assembly_id, lock=True)
    check_if_match(if_match, version=current.version)
    check_rotation(cmd.seats, cmd.rotation)
    row = await Assemblies(uow).update(
        assembly_id,
        name=cmd.name,
        seats=cmd.seats,
        min_age=cmd.min_age,
        version=current.version + 1,
        updated_at=sa.func.now(),
        **asdict(cmd.rotation),
    )
    uow.emit(_configured(row), subject=f"assembly/{row.id}")
    return row


def policy_of(row: Assembly) -> RotationPolicy:
    return RotationPolicy(
        cohort_size=row.cohort_size,
        cohort_interval_months=row.cohort_interval_months,
        term_months=row.term_months,
        training_weeks=row.training_weeks,
        first_cohort_starts_on=row.first_cohort_starts_on,
        cohorts=row.cohorts,
    )
