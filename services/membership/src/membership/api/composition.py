"""The cohort calendar, who sits on a date, the composition of the members who continue
(for sortition's rotation-aware quotas), and the public views of the assembly."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from common.auth import Principal, require_roles
from common.dates import IsoDate
from common.db import UnitOfWork
from common.errors import Invalid
from common.http.deps import ReadTx
from common.http.pagination import Page
from common.http.problems import problem_responses
from membership.api.deps import get_ctx
from membership.context import Context, today
from membership.domain.assemblies import Cohort
from membership.service import composition as service

router = APIRouter(prefix="/v1/assemblies", tags=["assemblies"])
public = APIRouter(prefix="/public/v1/assemblies", tags=["public"])
read_roles = require_roles("operator", "facilitator", "auditor")

AssemblyId = Annotated[uuid.UUID, Path(description="The assembly's id.")]


class CohortView(BaseModel):
    number: int = Field(description="1 for the first cohort.")
    label: str = Field(
        description="Its first month: what a selection round names as its cohort.",
        examples=["2027-01"],
    )
    size: int
    training_starts_on: date
    starts_on: date
    ends_on: date = Field(description="The term's last day.")


def _cohort(c: Cohort) -> CohortView:
    return CohortView(**c.__dict__)


async def _calendar(
    assembly_id: uuid.UUID, start: date | None, end: date | None, uow: UnitOfWork
) -> list[CohortView]:
    start = start or today()
    end = end or start + timedelta(days=2 * 366)
    if end < start or (end - start).days > 20 * 366:
        raise Invalid("Ask for a period of at most 20 years, end after start.", slug="period")
    found = await service.cohorts(assembly_id, start=start, end=end, uow=uow)
    return [_cohort(c) for c in found]


@router.get(
    "/{assembly_id}/calendar",
    operation_id="assemblies-calendar",
    summary="The cohort calendar",
    description="The cohorts whose training or term meets the period (by default, from "
    "today for two years): when each trains, starts and ends.",
    response_model=Page[CohortView],
    responses=problem_responses(401, 403, 404, 422),
)
async def calendar(
    assembly_id: AssemblyId,
    _: Annotated[Principal, Depends(read_roles)],
    uow: ReadTx,
    start: Annotated[IsoDate | None, Query(alias="from")] = None,
    end: Annotated[IsoDate | None, Query(alias="to")] = None,
) -> Page[CohortView]:
    return Page[CohortView](items=await _calendar(assembly_id, start, end, uow))


class SittingMember(BaseModel):
    respondent_id: uuid.UUID
    state: str
    term_starts_on: date
    term_ends_on: date
    features: dict[str, str]


@router.get(
    "/{assembly_id}/sitting",
    operation_id="assemblies-sitting",
    summary="Who sits on a date",
    description="The members whose term covers the date and who hold their seat. "
    "Pseudonymous ids and features only.",
    response_model=Page[SittingMember],
    responses=problem_responses(401, 403, 404, 422),
)
async def sitting(
    assembly_id: AssemblyId,
    _: Annotated[Principal, Depends(read_roles)],
    uow: ReadTx,
    on: Annotated[IsoDate | None, Query(description="The date; today by default.")] = None,
) -> Page[SittingMember]:
    rows = await service.sitting(assembly_id, on or today(), uow=uow)
    return Page[SittingMember](
        items=[
            SittingMember(
                respondent_id=r.respondent_id,
                state=r.state,
                term_starts_on=r.term_starts_on,
                term_ends_on=r.term_ends_on,
                features=r.features,
            )
            for r in rows
        ]
    )


class Composition(BaseModel):
    date: date
    members: int
    by_feature: dict[str, dict[str, int]] = Field(
        examples=[{"gender": {"F": 23, "M": 22}}],
    )


@router.get(
    "/{assembly_id}/composition",
    operation_id="assemblies-composition",
    summary="The composition of the members who continue past a date",
    description=(
        "Counts by feature value of the members holding a seat whose term ends after the "
        "date: those a cohort starting the next day joins. Give either `continuing_past` "
        "or `cohort` (a cohort's label or number: the day before it starts). Sortition "
        "subtracts them for rotation-aware quotas. Exact counts, for authenticated callers."
    ),
    response_model=Composition,
    responses=problem_responses(401, 403, 404, 422),
)
async def composition(
    assembly_id: AssemblyId,
    _: Annotated[Principal, Depends(require_roles("operator", "auditor", "facilitator"))],
    uow: ReadTx,
    continuing_past: Annotated[
        IsoDate | None, Query(description="Members whose term ends after it.")
    ] = None,
    cohort: Annotated[
        str | None,
        Query(max_length=100, description="A cohort's label (`2027-01`) or number."),
    ] = None,
) -> Composition:
    if (continuing_past is None) == (cohort is None):
        raise Invalid("Give continuing_past or cohort, one of them.", slug="composition-date")
    if cohort is not None:
        starts = (await service.cohort_named(assembly_id, cohort, uow=uow)).starts_on
        continuing_past = starts - timedelta(days=1)
    assert continuing_past is not None
    rows = await service.continuing(assembly_id, continuing_past, uow=uow)
    return Composition(date=continuing_past, members=len(rows), by_feature=service.by_feature(rows))


@public.get(
    "/{assembly_id}/calendar",
    operation_id="public-assemblies-calendar",
    summary="The cohort calendar, in public",
    description="When each cohort's term starts and ends; no personal data.",
    response_model=Page[CohortView],
    responses=problem_responses(404, 422),
)
async def public_calendar(
    assembly_id: AssemblyId,
    uow: ReadTx,
    start: Annotated[IsoDate | None, Query(alias="from")] = None,
    end: Annotated[IsoDate | None, Query(alias="to")] = None,
) -> Page[CohortView]:
    return Page[CohortView](items=await _calendar(assembly_id, start, end, uow))


class PublicComposition(BaseModel):
    date: date
    members: int
    by_feature: dict[str, dict[str, int | None]] = Field(
        description="Counts of the members sitting today; null where fewer than 5 people "
        "would be shown.",
        examples=[{"citizenship": {"EU": None, "IT": 70, "NONEU": 16}}],
    )


@public.get(
    "/{assembly_id}/composition",
    operation_id="public-assemblies-composition",
    summary="The assembly's composition today",
    description="By feature, for the members sitting today. Cells of fewer than 5 people "
    "are suppressed (null).",
    response_model=PublicComposition,
    responses=problem_responses(404),
)
async def public_composition(assembly_id: AssemblyId, uow: ReadTx) -> PublicComposition:
    day = today()
    rows = await service.sitting(assembly_id, day, uow=uow)
    return PublicComposition(
        date=day, members=len(rows), by_feature=service.suppressed(service.by_feature(rows))
    )


@public.get(
    "/{assembly_id}/states",
    operation_id="public-assemblies-states",
    summary="How many people are in each lifecycle state",
    description="Counts only, per state; no personal data.",
    response_model=dict[str, int],
    responses=problem_responses(404),
)
async def public_states(assembly_id: AssemblyId, uow: ReadTx) -> dict[str, int]:
    return await service.state_counts(assembly_id, uow=uow)


class ListedMember(BaseModel):
    first_name: str
    municipio: str


@public.get(
    "/{assembly_id}/members",
    operation_id="public-assemblies-members",
    summary="Members who chose to be listed",
    description="Active members who consented to `public_listing`: first name and Municipio only.",
    response_model=Page[ListedMember],
    responses=problem_responses(404),
)
async def public_members(
    assembly_id: AssemblyId,
    uow: ReadTx,
    ctx: Annotated[Context, Depends(get_ctx)],
) -> Page[ListedMember]:
    members = await service.listed_members(assembly_id, ctx=ctx, uow=uow)
    return Page[ListedMember](items=[ListedMember(**m) for m in members])
