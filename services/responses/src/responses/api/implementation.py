"""Implementation: results per case, their milestones and progress reports; the
assembly's answer policy; the service levels."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from common.auth import Principal, require_roles
from common.dates import milan_today
from common.db import UnitOfWork
from common.http.deps import ReadTx, Tx
from common.http.etag import IfMatch, etag_of
from common.http.problems import problem_responses
from common.texts import Text
from responses.adapters import repositories as records
from responses.adapters.repositories import Milestones
from responses.api import schemas as s
from responses.api import views
from responses.api.cases import CaseId, caller_scope, drafters, readers
from responses.service import implementation as service
from responses.service import levels, policies
from responses.service.cases import Scope

router = APIRouter(tags=["implementation"])
operator = require_roles("operator")
dashboards = require_roles("operator", "auditor", "integration", "department")
ResultId = Annotated[uuid.UUID, Path(description="The result's id.")]


def _now() -> datetime:
    return datetime.now(UTC)


async def implementation_of(
    case_id: uuid.UUID, scope: Scope | None, uow: UnitOfWork
) -> s.Implementation:
    case, rows = await service.results_of(case_id, scope, uow=uow)
    milestones = await Milestones(uow).of_results([r.id for r in rows])
    return views.implementation_view(case, rows, milestones, milan_today())


@router.get(
    "/v1/cases/{case_id}/results",
    operation_id="results-list",
    summary="What became of the answer: results, progress, milestones",
    description="Results are shaped like Decidim's accountability module; a parent's "
    "progress is its children's, by weight; `progress` on the case is the top level's.",
    response_model=s.Implementation,
    responses=problem_responses(401, 403, 404, 422),
    tags=["implementation"],
)
async def results(
    case_id: CaseId,
    principal: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
) -> s.Implementation:
    return await implementation_of(case_id, await caller_scope(principal, uow), uow)


@router.post(
    "/v1/cases/{case_id}/results",
    operation_id="results-create",
    summary="Add a result to an answered case",
    description="After publication, by the lead department. `parent_id` nests it under "
    "another result of the case; `external_id` is unique within the case. Publishes "
    "`responses.implementation.updated.v1` with the rolled-up progress.",
    status_code=status.HTTP_201_CREATED,
    response_model=s.ResultView,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_result(
    case_id: CaseId,
    body: s.ResultIn,
    response: Response,
    principal: Annotated[Principal, Depends(drafters)],
    uow: Tx,
) -> s.ResultView:
    scope = await caller_scope(principal, uow)
    row = await service.add_result(case_id, body.model_dump(), now=_now(), scope=scope, uow=uow)
    response.headers["Location"] = f"/v1/cases/{case_id}/results"
    response.headers["ETag"] = etag_of(row.version)
    found = await implementation_of(case_id, scope, uow)
    return next(r for r in found.results if r.id == row.id)


@router.get(
    "/v1/results/{result_id}",
    operation_id="results-get",
    summary="One result, with its rolled-up progress and milestones",
    description="Its `ETag` is what a progress report's `If-Match` names.",
    response_model=s.ResultView,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_result(
    result_id: ResultId,
    response: Response,
    principal: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
) -> s.ResultView:
    scope = await caller_scope(principal, uow)
    row = await service.result_of(result_id, scope, uow=uow)
    response.headers["ETag"] = etag_of(row.version)
    found = await implementation_of(row.case_id, scope, uow)
    return next(r for r in found.results if r.id == row.id)


@router.post(
    "/v1/results/{result_id}/milestones",
    operation_id="milestones-create",
    summary="Add a milestone to a result",
    description="A planned date (and the actual one, once reached), neither before the "
    "result's start; an actual date cannot be in the future. A milestone past its planned "
    "date without an actual one, or reached after it, is late.",
    status_code=status.HTTP_201_CREATED,
    response_model=s.MilestoneView,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_milestone(
    result_id: ResultId,
    body: s.MilestoneIn,
    response: Response,
    principal: Annotated[Principal, Depends(drafters)],
    uow: Tx,
) -> s.MilestoneView:
    scope = await caller_scope(principal, uow)
    row = await service.add_milestone(
        result_id, body.model_dump(mode="python"), today=milan_today(), scope=scope, uow=uow
    )
    response.headers["ETag"] = etag_of(row.version)
    return views.milestone_view(row, milan_today())


@router.get(
    "/v1/results/{result_id}/milestones",
    operation_id="milestones-list",
    summary="A result's milestones",
    description="Each milestone with its title, planned and actual dates, and how late it is.",
    response_model=list[s.MilestoneView],
    responses=problem_responses(401, 403, 404, 422),
)
async def milestones(
    result_id: ResultId,
    principal: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
) -> list[s.MilestoneView]:
    rows = await service.milestones_of(result_id, await caller_scope(principal, uow), uow=uow)
    return [views.milestone_view(m, milan_today()) for m in rows]


@router.post(
    "/v1/results/{result_id}/milestones/{milestone_id}/reached",
    operation_id="milestones-reach",
    summary="Record the day a milestone was reached",
    description="Needs the milestone's `If-Match`.",
    response_model=s.MilestoneView,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def reach(
    result_id: ResultId,
    milestone_id: Annotated[uuid.UUID, Path(description="The milestone's id.")],
    body: s.ReachedIn,
    response: Response,
    principal: Annotated[Principal, Depends(drafters)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.MilestoneView:
    scope = await caller_scope(principal, uow)
    row = await service.reach_milestone(
        result_id,
        milestone_id,
        body.actual_on,
        today=milan_today(),
        if_match=if_match,
        scope=scope,
        uow=uow,
    )
    response.headers["ETag"] = etag_of(row.version)
    return views.milestone_view(row, milan_today())


@router.post(
    "/v1/results/{result_id}/progress",
    operation_id="progress-report",
    summary="Report progress on a result",
    description="Progress (0–100) and status, with a note in Italian and English. The "
    "case's progress rolls up, the next report falls due after the policy's months, and "
    "`responses.implementation.updated.v1` is published. Needs the result's `If-Match`.",
    status_code=status.HTTP_201_CREATED,
    response_model=s.ResultView,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def report(
    result_id: ResultId,
    body: s.ProgressIn,
    response: Response,
    principal: Annotated[Principal, Depends(drafters)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.ResultView:
    scope = await caller_scope(principal, uow)
    row, _, case = await service.report(
        result_id,
        body.model_dump(mode="python"),
        now=_now(),
        today=milan_today(),
        if_match=if_match,
        scope=scope,
        uow=uow,
    )
    response.headers["ETag"] = etag_of(row.version)
    found = await implementation_of(case.id, scope, uow)
    return next(r for r in found.results if r.id == row.id)


@router.get(
    "/v1/results/{result_id}/progress",
    operation_id="progress-list",
    summary="A result's progress reports",
    description="Each report with its progress, status, note and date.",
    response_model=list[s.ReportView],
    responses=problem_responses(401, 403, 404, 422),
)
async def reports(
    result_id: ResultId,
    principal: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
) -> list[s.ReportView]:
    rows = await service.reports_of(result_id, await caller_scope(principal, uow), uow=uow)
    return [
        s.ReportView(
            progress=r.progress,
            status=r.status,
            note=Text(**r.note),
            reported_on=r.reported_on,
            created_at=r.created_at,
        )
        for r in rows
    ]


def _policy_view(row: records.Policy) -> s.Policy:
    data = {f: getattr(row, f) for f in s.Policy.model_fields}
    data["escalations"] = [{"after_days": d, "level": level} for d, level in row.escalations]
    return s.Policy.model_validate(data)


@router.get(
    "/v1/assemblies/{assembly_id}/response-policy",
    operation_id="policy-get",
    summary="The answer policy in force for an assembly",
    description="Days to answer (calendar or business days, Milan's holidays excluded), "
    "reminders before the due date, escalations after it, the months between progress "
    "reports, and how decisions map to Decidim's proposal states.",
    response_model=s.Policy,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_policy(
    assembly_id: Annotated[uuid.UUID, Path(description="The assembly's id.")],
    response: Response,
    _: Annotated[Principal, Depends(dashboards)],
    uow: Tx,
) -> s.Policy:
    row = await policies.of_known(assembly_id, uow=uow)
    response.headers["ETag"] = etag_of(row.version)
    return _policy_view(row)


@router.put(
    "/v1/assemblies/{assembly_id}/response-policy",
    operation_id="policy-set",
    summary="Set a new version of the answer policy",
    description="Cases already open keep the version they were opened under. Needs `If-Match`.",
    response_model=s.Policy,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def set_policy(
    assembly_id: Annotated[uuid.UUID, Path(description="The assembly's id.")],
    body: s.PolicyIn,
    response: Response,
    principal: Annotated[Principal, Depends(operator)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.Policy:
    row = await policies.set_policy(
        assembly_id,
        body.model_dump(mode="json"),
        actor=principal.subject,
        if_match=if_match,
        uow=uow,
    )
    response.headers["ETag"] = etag_of(row.version)
    return _policy_view(row)


@router.get(
    "/v1/statistics/service-levels",
    operation_id="service-levels",
    summary="Service levels: on time, how long, open and overdue",
    description="The first answer of each case against its first due date (extensions "
    "counted); median days to answer and the 90th percentile (nearest rank); open and "
    "overdue cases; by lead department and by cycle; late milestones.",
    response_model=s.ServiceLevels,
    responses=problem_responses(401, 403, 422),
)
async def service_levels(
    _: Annotated[Principal, Depends(dashboards)],
    uow: ReadTx,
    assembly_id: Annotated[uuid.UUID | None, Query()] = None,
) -> s.ServiceLevels:
    found = await levels.service_levels(assembly_id, today=milan_today(), uow=uow)
    return s.ServiceLevels(
        today=found.today,
        overall=views.levels_view(found.overall),
        by_department={k: views.levels_view(v) for k, v in found.by_department.items()},
        by_cycle={k: views.levels_view(v) for k, v in found.by_cycle.items()},
        late_milestones=[
            s.LateMilestone(
                case_id=case_id,
                milestone_id=m.id,
                title=Text(**m.title),
                planned_on=m.planned_on,
                actual_on=m.actual_on,
                days_late=days,
            )
            for m, case_id, days in found.late_milestones
        ],
    )
