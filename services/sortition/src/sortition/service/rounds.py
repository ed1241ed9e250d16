"""Use cases for selection rounds."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa

from common.contracts.sortition import QuotaBounds, QuotasSet, RoundOpened
from common.db import UnitOfWork
from common.errors import Conflict, Invalid
from common.http.etag import check_if_match
from common.http.pagination import PageParams
from common.rotation import RotationPolicy, cohort, parse_cohort, resolve_cohort
from sortition.adapters.repositories import Assemblies, Quotas, Round, Rounds
from sortition.domain.instance import Quota, check_quotas, quotas_from_shares
from sortition.service.assemblies import rotation_of


class RoundStatus(StrEnum):
    OPEN = "open"  # quotas and pool may change
    COMMITTED = "committed"  # pool, quotas and the seed's hash are fixed
    DRAWN = "drawn"  # the panel is selected


@dataclass(frozen=True)
class OpenRound:
    assembly_id: uuid.UUID
    cohort: str
    panel_size: int


def cohort_label(given: str, policy: RotationPolicy | None) -> str:
    """The one spelling a round's cohort is kept under, so that ``18``, ``018`` and the
    cohort's first month name one cohort: its first month (``YYYY-MM``) when the calendar
    is known, else the number or month as given. A name the calendar lacks is refused."""
    name = parse_cohort(given)
    if policy is None or policy.first_cohort_starts_on is None:
        return name.label
    found = resolve_cohort(policy, name.label)
    if found is None:
        first = cohort(policy, 1)
        last = f"; the last is number {policy.cohorts}" if policy.cohorts else ""
        raise Invalid(
            f"The assembly's calendar has no cohort {given!r}: cohorts start every "
            f"{policy.cohort_interval_months} month(s) from {first.label}{last}.",
            slug="cohort-not-in-calendar",
        )
    return found.label


async def ensure_open(round_id: uuid.UUID, *, uow: UnitOfWork) -> None:
    """The pool and quotas are frozen once the round is committed."""
    if await Rounds(uow).is_committed(round_id):
        raise Conflict(
            "The round is committed: its pool and quotas can no longer change.",
            slug="round-committed",
        )


async def open_round(cmd: OpenRound, *, uow: UnitOfWork) -> Round:
    assembly = await Assemblies(uow).find(cmd.assembly_id)
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
    if cmd.panel_size != assembly.cohort_size:
        raise Invalid(
            f"A cohort of this assembly has {assembly.cohort_size} seats: its round draws a "
            f"panel of {assembly.cohort_size}, not {cmd.panel_size}.",
            slug="panel-size-not-cohort",
        )
    label = cohort_label(cmd.cohort, rotation_of(assembly.rotation, assembly.cohort_size))
    row = await Rounds(uow).add(
        id=uuid.uuid4(),
        assembly_id=cmd.assembly_id,
        cohort=label,
        panel_size=cmd.panel_size,
        status=RoundStatus.OPEN,
        version=1,
        exists=Conflict(
            f"The assembly already has a round for cohort {label!r}"
            + (f" (which {cmd.cohort!r} names)." if label != cmd.cohort else "."),
            slug="round-exists",
        ),
    )
    uow.emit(
        RoundOpened(
            round_id=row.id,
            assembly_id=row.assembly_id,
            cohort=row.cohort,
            panel_size=row.panel_size,
        ),
        subject=f"round/{row.id}",
    )
    return row


async def get_round(round_id: uuid.UUID, *, uow: UnitOfWork) -> Round:
    return await Rounds(uow).get(round_id)


async def list_rounds(params: PageParams, *, uow: UnitOfWork) -> tuple[list[Round], str | None]:
    return await Rounds(uow).page(params)


async def set_quotas(
    round_id: uuid.UUID,
    read: Callable[[], list[Quota]],
    *,
    if_match: str | None,
    uow: UnitOfWork,
    shares: dict[tuple[str, str], float] | None = None,
) -> tuple[Round, list[Quota]]:
    """Replace a round's quotas, after checking they could ever be met; with the population
    shares they came from, if they came from some. ``read`` gives the new quotas; it is
    called once the round exists, its ETag matches and it is still open."""
    current = await Rounds(uow).get(round_id, lock=True)
    check_if_match(if_match, version=current.version)
    await ensure_open(round_id, uow=uow)
    new = read()
    check_quotas(current.panel_size, new)
    await Quotas(uow).replace(
        round_id,
        [
            {
                "feature": q.feature,
                "value": q.value,
                "min": q.min,
                "max": q.max,
                "population_share": (shares or {}).get((q.feature, q.value)),
            }
            for q in new
        ],
    )
    row = await Rounds(uow).update(round_id, version=current.version + 1, updated_at=sa.func.now())
    uow.emit(
        QuotasSet(
            round_id=round_id,
            version=row.version,
            quotas=[
                QuotaBounds(feature=q.feature, value=q.value, min=q.min, max=q.max) for q in new
            ],
        ),
        subject=f"round/{round_id}",
    )
    return row, new


#: Who continues when a round's cohort starts: per feature, per value, a count of members.
Continuing = Callable[[uuid.UUID, str], Awaitable[dict[str, dict[str, int]]]]


async def set_quotas_from_shares(
    round_id: uuid.UUID,
    shares: dict[str, dict[str, float]],
    *,
    tolerance_seats: float,
    continuing: Continuing | None,
    if_match: str | None,
    uow: UnitOfWork,
) -> tuple[Round, list[Quota]]:
    """Proportional quotas from population shares (any scale: each feature's shares are
    normalised). With ``continuing`` (membership's answer for the round's assembly and
    cohort), the targets are shares of the whole body less the members who continue."""
    round_ = await get_round(round_id, uow=uow)
    counts = None if continuing is None else await continuing(round_.assembly_id, round_.cohort)
    items = quotas_from_shares(
        round_.panel_size, shares, tolerance_seats=tolerance_seats, continuing=counts
    )
    normalised = {
        (feature, value): share / sum(values.values())
        for feature, values in shares.items()
        for value, share in values.items()
    }
    return await set_quotas(round_id, lambda: items, if_match=if_match, uow=uow, shares=normalised)


async def get_quotas(round_id: uuid.UUID, *, uow: UnitOfWork) -> tuple[Round, list[Quota]]:
    row = await get_round(round_id, uow=uow)
    found = await Quotas(uow).of_round(round_id)
    return row, [Quota(q.feature, q.value, q.min, q.max) for q in found]


async def population_shares(
    round_id: uuid.UUID, *, uow: UnitOfWork
) -> dict[tuple[str, str], float]:
    return {
        (q.feature, q.value): q.population_share
        for q in await Quotas(uow).of_round(round_id)
        if q.population_share is not None
    }
