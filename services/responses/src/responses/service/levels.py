"""Service levels for the Comune's dashboards: how many answers came on time, how long
they took, what is open and overdue, by department and by cycle; late milestones."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from common.db import UnitOfWork
from responses.adapters.repositories import Cases, Departments, Milestone, Milestones
from responses.adapters.tables import deadlines
from responses.domain import levels as figures


@dataclass(frozen=True)
class ServiceLevels:
    today: date
    overall: figures.Levels
    by_department: dict[str, figures.Levels]
    by_cycle: dict[str, figures.Levels]
    late_milestones: list[tuple[Milestone, uuid.UUID, int]]


async def service_levels(
    assembly_id: uuid.UUID | None, *, today: date, uow: UnitOfWork
) -> ServiceLevels:
    """The first answer of each case against the due date of its first round (with its
    extensions): a follow-up answer after a contested reply does not make a late answer
    on time, nor an early one late."""
    rows = await Cases(uow).every(assembly_id)
    codes = (
        {
            d.id: d.code
            for d in await Departments(uow).by_ids(
                [c.lead_department_id for c in rows if c.lead_department_id]
            )
        }
        if rows
        else {}
    )
    first_due: dict[uuid.UUID, tuple[date, bool]] = {}
    if rows:
        found = await uow.session.execute(
            sa.select(deadlines.c.case_id, deadlines.c.due_on, deadlines.c.kind)
            .where(deadlines.c.round == 1, deadlines.c.case_id.in_([c.id for c in rows]))
            .order_by(deadlines.c.case_id, deadlines.c.seq)
        )
        for case_id, due_on, kind in found:
            extended = first_due.get(case_id, (due_on, False))[1] or kind == "extension"
            first_due[case_id] = (due_on, extended)
    facts = [
        figures.CaseFacts(
            department=codes.get(c.lead_department_id) if c.lead_department_id else None,
            cycle=c.cycle,
            opened_on=c.adopted_on,
            due_on=first_due.get(c.id, (c.due_on, False))[0],
            answered_on=c.answered_on,
            extended=first_due.get(c.id, (c.due_on, False))[1],
        )
        for c in rows
    ]
    case_ids = {c.id for c in rows}
    late = []
    for milestone, case_id in await Milestones(uow).every():
        if case_id not in case_ids:
            continue
        m = figures.MilestoneFacts(planned_on=milestone.planned_on, actual_on=milestone.actual_on)
        if figures.late(m, today):
            late.append((milestone, case_id, figures.days_late(m, today)))
    return ServiceLevels(
        today=today,
        overall=figures.levels(facts, today),
        by_department=figures.by(facts, today, lambda f: f.department),
        by_cycle=figures.by(facts, today, lambda f: f.cycle),
        late_milestones=late,
    )
