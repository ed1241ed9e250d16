"""An assembly as deliberation knows it: who sits on a day, and the rules it votes by."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from common.auth import Principal, require_roles
from common.dates import IsoDate, milan_today
from common.http.deps import ReadTx, Tx
from common.http.etag import IfMatch, etag_of
from common.http.problems import problem_responses
from deliberation.api import schemas as s
from deliberation.service import roster as service

router = APIRouter(prefix="/v1/assemblies", tags=["assemblies"])
operator = require_roles("operator")
readers = require_roles("operator", "facilitator", "auditor", "integration")
AssemblyId = Annotated[uuid.UUID, Path(description="The assembly's id (membership's).")]


@router.get(
    "/{assembly_id}/sitting",
    operation_id="assemblies-sitting",
    summary="Who sits on a day, as deliberation's roster has it",
    description="Learnt from membership's events; agrees with membership's own "
    "`/v1/assemblies/{id}/sitting?on=D`. Member ids only.",
    response_model=s.Sitting,
    responses=problem_responses(401, 403, 404, 422),
)
async def sitting(
    assembly_id: AssemblyId,
    _: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
    on: Annotated[IsoDate | None, Query(description="The day; default today in Milan.")] = None,
) -> s.Sitting:
    day: date = on or milan_today()
    rows = await service.sitting(assembly_id, day, uow=uow)
    return s.Sitting(assembly_id=assembly_id, on=day, members=[r.member_id for r in rows])


@router.get(
    "/{assembly_id}/rules",
    operation_id="assemblies-rules",
    summary="The rules an assembly votes by (current version)",
    description="The quorum (a fraction of the sitting members, strictly more or at least) and "
    "the majority (a fraction of a base: `present`, `cast` or `yes_no`), with their "
    "version; the ETag is what `PUT` needs. Version 1, written when the assembly is "
    "configured, holds the defaults: more than half, two thirds of those present.",
    response_model=s.Rules,
    responses=problem_responses(401, 403, 404),
)
async def rules(
    assembly_id: AssemblyId,
    response: Response,
    _: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
) -> s.Rules:
    row = await service.rules_of(assembly_id, uow=uow)
    response.headers["ETag"] = etag_of(row.version)
    return s.Rules.model_validate(row, from_attributes=True)


@router.put(
    "/{assembly_id}/rules",
    operation_id="assemblies-rules-set",
    summary="Set the quorum, the majority and the plenary cadence",
    description="A new version of the rules; votes already open keep theirs. Default: a "
    "quorum of more than 1/2 of the sitting members, adoption by 2/3 of those present. "
    "Needs `If-Match` with the rules' `ETag`.",
    response_model=s.Rules,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def set_rules(
    assembly_id: AssemblyId,
    body: s.RulesIn,
    response: Response,
    principal: Annotated[Principal, Depends(operator)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.Rules:
    row = await service.set_rules(
        assembly_id, body.model_dump(), actor=principal.subject, if_match=if_match, uow=uow
    )
    response.headers["ETag"] = etag_of(row.version)
    return s.Rules.model_validate(row, from_attributes=True)


@router.get(
    "/{assembly_id}/plenary-calendar",
    operation_id="assemblies-plenary-calendar",
    summary="The plenary dates the assembly's cadence proposes",
    description="From `from`, every `plenary_every_months` months of the current rules "
    "(monthly by default; the 2022–23 pilot met every two months), up to `until` (at most "
    "five years). A proposal: sessions are scheduled with `POST /v1/sessions`.",
    response_model=s.PlenaryCalendar,
    responses=problem_responses(401, 403, 404, 422),
)
async def plenary_calendar(
    assembly_id: AssemblyId,
    _: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
    from_: Annotated[IsoDate, Query(alias="from", description="The first plenary.")],
    until: Annotated[IsoDate, Query(description="The last day to propose a plenary on.")],
) -> s.PlenaryCalendar:
    rules, dates = await service.plenary_calendar(assembly_id, from_, until, uow=uow)
    return s.PlenaryCalendar(
        assembly_id=assembly_id, every_months=rules.plenary_every_months, dates=dates
    )
