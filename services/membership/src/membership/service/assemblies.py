"""Use cases for assemblies. Each runs in one unit of work and emits its events there."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from common.db import UnitOfWork
from common.errors import NotFound
from common.http.etag import check_if_match
from common.http.pagination import PageParams, keyset_page, page_of
from membership.adapters.tables import assemblies
from membership.domain.assemblies import RotationPolicy, check_rotation

ASSEMBLY_CONFIGURED = "membership.assembly.configured.v1"


@dataclass(frozen=True)
class ConfigureAssembly:
    name: dict[str, str]
    seats: int
    min_age: int
    rotation: RotationPolicy


def _event_data(row: Any) -> dict[str, Any]:
    return {
        "assembly_id": str(row.id),
        "version": row.version,
        "seats": row.seats,
        "min_age": row.min_age,
        "rotation": {
            "cohort_size": row.cohort_size,
            "cohort_interval_months": row.cohort_interval_months,
            "term_months": row.term_months,
            "training_weeks": row.training_weeks,
            "first_cohort_starts_on": (
                row.first_cohort_starts_on.isoformat() if row.first_cohort_starts_on else None
            ),
            "cohorts": row.cohorts,
        },
    }


async def create_assembly(cmd: ConfigureAssembly, *, uow: UnitOfWork) -> Any:
    check_rotation(cmd.seats, cmd.rotation)
    row = (
        await uow.session.execute(
            sa.insert(assemblies)
            .values(
                id=uuid.uuid4(),
                name=cmd.name,
                seats=cmd.seats,
                min_age=cmd.min_age,
                version=1,
                **asdict(cmd.rotation),
            )
            .returning(assemblies)
        )
    ).one()
    uow.emit(ASSEMBLY_CONFIGURED, _event_data(row), subject=f"assembly/{row.id}")
    await uow.commit()
    return row


async def get_assembly(assembly_id: uuid.UUID, *, uow: UnitOfWork) -> Any:
    row = (
        await uow.session.execute(sa.select(assemblies).where(assemblies.c.id == assembly_id))
    ).first()
    if row is None:
        raise NotFound("No assembly with that id.")
    return row


async def list_assemblies(params: PageParams, *, uow: UnitOfWork) -> tuple[list[Any], str | None]:
    stmt = keyset_page(
        sa.select(assemblies),
        created_at=assemblies.c.created_at,
        id=assemblies.c.id,
        params=params,
    )
    return page_of((await uow.session.execute(stmt)).all(), params)


async def update_assembly(
    assembly_id: uuid.UUID, cmd: ConfigureAssembly, *, if_match: str | None, uow: UnitOfWork
) -> Any:
    current = (
        await uow.session.execute(
            sa.select(assemblies).where(assemblies.c.id == assembly_id).with_for_update()
        )
    ).first()
    if current is None:
        raise NotFound("No assembly with that id.")
    check_if_match(if_match, version=current.version)
    check_rotation(cmd.seats, cmd.rotation)
    row = (
        await uow.session.execute(
            sa.update(assemblies)
            .where(assemblies.c.id == assembly_id)
            .values(
                name=cmd.name,
                seats=cmd.seats,
                min_age=cmd.min_age,
                version=current.version + 1,
                updated_at=sa.func.now(),
                **asdict(cmd.rotation),
            )
            .returning(assemblies)
        )
    ).one()
    uow.emit(ASSEMBLY_CONFIGURED, _event_data(row), subject=f"assembly/{row.id}")
    await uow.commit()
    return row


def policy_of(row: Any) -> RotationPolicy:
    return RotationPolicy(
        cohort_size=row.cohort_size,
        cohort_interval_months=row.cohort_interval_months,
        term_months=row.term_months,
        training_weeks=row.training_weeks,
        first_cohort_starts_on=row.first_cohort_starts_on,
        cohorts=row.cohorts,
    )
