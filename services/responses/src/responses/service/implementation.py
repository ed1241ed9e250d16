"""What an answer's accepted points became: results (shaped like Decidim's accountability
module), their milestones and progress reports. Every change rolls the progress up and
publishes ``responses.implementation.updated.v1``."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from common.contracts.responses import ImplementationUpdated
from common.db import UnitOfWork
from common.errors import Conflict, Invalid, NotFound
from common.http.etag import check_if_match
from responses.adapters.repositories import (
    Case,
    Cases,
    Milestone,
    Milestones,
    ProgressReport,
    ProgressReports,
    Result,
    Results,
)
from responses.domain import clock
from responses.domain import results as tree
from responses.service import policies
from responses.service.cases import Scope, require_lead, visible


def nodes_of(rows: list[Result]) -> list[tree.Node]:
    return [
        tree.Node(
            id=str(r.id),
            parent_id=str(r.parent_id) if r.parent_id else None,
            weight=r.weight,
            progress=r.progress,
            status=tree.Status(r.status),
        )
        for r in rows
    ]


def rolled_up(rows: list[Result]) -> tuple[dict[str, Decimal], Decimal, tree.Status]:
    nodes = nodes_of(rows)
    if not nodes:
        return {}, Decimal("0.00"), tree.Status.PLANNED
    return tree.rolled_up(nodes), tree.overall(nodes), tree.overall_status(nodes)


async def _changed(case: Case, *, now: datetime, uow: UnitOfWork) -> Case:
    rows = await Results(uow).of_case(case.id)
    _, progress, status = rolled_up(rows)
    uow.emit(
        ImplementationUpdated(
            proposal_id=case.proposal_id,
            case_id=case.id,
            progress=float(progress),
            status=str(status),
            updated_at=now,
        )
    )
    return await Cases(uow).update(case.id, progress=progress)


async def _writable_case(case_id: uuid.UUID, scope: Scope, *, uow: UnitOfWork) -> Case:
    case = await visible(case_id, scope, uow=uow, lock=True)
    require_lead(case, scope, "report on the implementation")
    if case.answered_on is None:
        raise Conflict("Results follow a published answer.", slug="not-published")
    return case


async def add_result(
    case_id: uuid.UUID, values: dict[str, Any], *, now: datetime, scope: Scope, uow: UnitOfWork
) -> Result:
    case = await _writable_case(case_id, scope, uow=uow)
    tree.check_period(values.get("starts_on"), values.get("ends_on"))
    if values.get("progress") is not None:
        values["progress"] = tree.check_progress(values["progress"])
    rows = await Results(uow).of_case(case.id)
    parent = values.get("parent_id")
    if parent is not None and all(r.id != parent for r in rows):
        raise Invalid("The parent result belongs to no result of this case.", slug="unknown-parent")
    if values.get("point") is not None and values["point"] > len(case.text):
        raise Invalid(f"The proposal has {len(case.text)} points.", slug="unknown-point")
    result_id = uuid.uuid4()
    candidate = tree.Node(
        id=str(result_id),
        parent_id=str(parent) if parent else None,
        weight=values["weight"],
        progress=values.get("progress"),
        status=tree.Status(values["status"]),
    )
    tree.check_tree([*nodes_of(rows), candidate])
    row = await Results(uow).add(
        id=result_id,
        case_id=case.id,
        version=1,
        exists=Conflict("A result of this case has that external id.", slug="external-id-taken"),
        **values,
    )
    await _changed(case, now=now, uow=uow)
    return row


async def results_of(
    case_id: uuid.UUID, scope: Scope | None, *, uow: UnitOfWork
) -> tuple[Case, list[Result]]:
    case = await (visible(case_id, scope, uow=uow) if scope else Cases(uow).get(case_id))
    return case, await Results(uow).of_case(case.id)


async def _result(result_id: uuid.UUID, scope: Scope, *, uow: UnitOfWork) -> tuple[Case, Result]:
    result = await Results(uow).get(result_id, lock=True)
    case = await _writable_case(result.case_id, scope, uow=uow)
    return case, result


async def add_milestone(
    result_id: uuid.UUID, values: dict[str, Any], *, today: date, scope: Scope, uow: UnitOfWork
) -> Milestone:
    _, result = await _result(result_id, scope, uow=uow)
    tree.check_milestone(
        result.starts_on, values["planned_on"], values.get("actual_on"), today=today
    )
    return await Milestones(uow).add(id=uuid.uuid4(), result_id=result.id, version=1, **values)


async def reach_milestone(
    result_id: uuid.UUID,
    milestone_id: uuid.UUID,
    actual_on: date,
    *,
    today: date,
    if_match: str | None,
    scope: Scope,
    uow: UnitOfWork,
) -> Milestone:
    _, result = await _result(result_id, scope, uow=uow)
    milestone = await Milestones(uow).get(milestone_id, lock=True)
    if milestone.result_id != result.id:
        raise NotFound(f"No milestone {milestone_id} on result {result_id}.")
    check_if_match(if_match, version=milestone.version)
    tree.check_milestone(result.starts_on, milestone.planned_on, actual_on, today=today)
    return await Milestones(uow).update(
        milestone.id, actual_on=actual_on, version=milestone.version + 1
    )


async def result_of(result_id: uuid.UUID, scope: Scope, *, uow: UnitOfWork) -> Result:
    result = await Results(uow).get(result_id)
    await visible(result.case_id, scope, uow=uow)
    return result


async def milestones_of(result_id: uuid.UUID, scope: Scope, *, uow: UnitOfWork) -> list[Milestone]:
    result = await Results(uow).get(result_id)
    await visible(result.case_id, scope, uow=uow)
    return await Milestones(uow).of_results([result.id])


async def report(
    result_id: uuid.UUID,
    values: dict[str, Any],
    *,
    now: datetime,
    today: date,
    if_match: str | None,
    scope: Scope,
    uow: UnitOfWork,
) -> tuple[Result, ProgressReport, Case]:
    """A progress report on one result: its progress and status change, the case's
    progress rolls up, and the next report falls due ``report_months`` later."""
    case, result = await _result(result_id, scope, uow=uow)
    check_if_match(if_match, version=result.version)
    progress = tree.check_progress(values["progress"])
    status = tree.Status(values["status"])
    if status == tree.Status.COMPLETED and progress != 100:
        raise Invalid("A completed result is at 100 %.", slug="completed-below-100")
    updated = await Results(uow).update(
        result.id, progress=progress, status=str(status), version=result.version + 1
    )
    row = await ProgressReports(uow).add(
        id=uuid.uuid4(),
        result_id=result.id,
        progress=progress,
        status=str(status),
        note=values["note"],
        reported_on=today,
        reported_by=scope.principal.subject,
    )
    policy = await policies.at(case.assembly_id, case.policy_version, uow=uow)
    await Cases(uow).update(
        case.id, next_report_on=clock.next_report_due(today, policies.as_clock(policy))
    )
    case = await _changed(case, now=now, uow=uow)
    return updated, row, case


async def reports_of(
    result_id: uuid.UUID, scope: Scope, *, uow: UnitOfWork
) -> list[ProgressReport]:
    result = await Results(uow).get(result_id)
    await visible(result.case_id, scope, uow=uow)
    return await ProgressReports(uow).of_results([result.id])
