"""Who sits when, and what the assembly looks like: for operators, for sortition's
rotation-aware quotas and, with small cells suppressed, for the public."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date

from common.db import UnitOfWork
from common.errors import Conflict, Invalid
from membership.adapters.repositories import People, Person
from membership.context import Context, today
from membership.domain import lifecycle as states
from membership.domain.assemblies import Cohort, calendar, resolve_cohort
from membership.service.assemblies import get_assembly, policy_of

SMALLEST_PUBLIC_CELL = 5


async def cohorts(
    assembly_id: uuid.UUID, *, start: date, end: date, uow: UnitOfWork
) -> list[Cohort]:
    assembly = await get_assembly(assembly_id, uow=uow)
    return calendar(policy_of(assembly), start=start, end=end)


async def cohort_named(assembly_id: uuid.UUID, label: str, *, uow: UnitOfWork) -> Cohort:
    assembly = await get_assembly(assembly_id, uow=uow)
    policy = policy_of(assembly)
    if policy.first_cohort_starts_on is None:
        raise Conflict(
            "The assembly has no date for its first cohort: no calendar yet.",
            slug="calendar-not-set",
        )
    found = resolve_cohort(policy, label)
    if found is None:
        raise Invalid(
            f"No cohort of the calendar is named {label!r}: use its first month (YYYY-MM) or "
            "its number.",
            slug="unknown-cohort",
        )
    return found


async def sitting(assembly_id: uuid.UUID, day: date, *, uow: UnitOfWork) -> list[Person]:
    """The members whose term covers ``day`` and who hold their seat (confirmed, trained,
    active; or completed, for a day in the past)."""
    await get_assembly(assembly_id, uow=uow)
    held = [*states.SEATED] + ([states.COMPLETED] if day < today() else [])
    return await People(uow).sitting(assembly_id, day, held)


async def continuing(assembly_id: uuid.UUID, day: date, *, uow: UnitOfWork) -> list[Person]:
    """The members who hold a seat and stay past ``day``: those a new cohort joins."""
    await get_assembly(assembly_id, uow=uow)
    return await People(uow).staying_past(assembly_id, day, list(states.SEATED))


def by_feature(rows: list[Person]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {}
    for row in rows:
        for feature, value in row.features.items():
            counts.setdefault(feature, Counter())[value] += 1
    return {f: dict(sorted(c.items())) for f, c in sorted(counts.items())}


def suppressed(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int | None]]:
    """Cells of fewer than five people become null: too few to publish."""
    return {
        f: {v: (n if n >= SMALLEST_PUBLIC_CELL else None) for v, n in values.items()}
        for f, values in counts.items()
    }


async def state_counts(assembly_id: uuid.UUID, *, uow: UnitOfWork) -> dict[str, int]:
    await get_assembly(assembly_id, uow=uow)
    found = await People(uow).count_by_state(assembly_id)
    return {s: found.get(s, 0) for s in states.STATES}


async def listed_members(
    assembly_id: uuid.UUID, *, ctx: Context, uow: UnitOfWork
) -> list[dict[str, str]]:
    """Active members who chose to be listed: first name and Municipio, nothing else."""
    await get_assembly(assembly_id, uow=uow)
    rows = await People(uow).listed_in(assembly_id, states.ACTIVE)
    members = [
        {
            "first_name": ctx.cipher.open(r.personal)["first_name"],
            "municipio": r.features.get("municipio", ""),
        }
        for r in rows
        if r.personal is not None  # the query asks for it: erased people are not listed
    ]
    return sorted(members, key=lambda m: (m["municipio"], m["first_name"]))
