"""The clock, by itself: reminders before a due date, escalation after it, for answers
and for implementation progress reports. Each alarm is raised once, recorded by its key
(a restart, a second instance or a retried step never raises it twice)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from common.contracts.responses import CaseOverdue, CaseReminderDue
from common.db import UnitOfWork, UnitOfWorkFactory, transaction
from responses.adapters.repositories import Alarms, Case, Cases, Departments, History
from responses.adapters.tables import alarms
from responses.domain import answers as workflow
from responses.domain import clock
from responses.service import policies

ANSWER, REPORT = "answer", "progress_report"


def _watched(case: Case) -> list[tuple[str, date]]:
    """The due dates a case's clock watches: the answer's until it is published, the next
    progress report's once an answer accepted something."""
    watched = []
    if case.state != str(workflow.State.PUBLISHED):
        watched.append((ANSWER, case.due_on))
    if case.next_report_on is not None:
        watched.append((REPORT, case.next_report_on))
    return watched


async def run_clock(*, today: date, uow_factory: UnitOfWorkFactory, batch: int = 200) -> int:
    """Raise what is due by ``today``; the number of alarms raised."""
    raised = 0
    after = None
    known: dict[tuple[object, int], clock.Policy] = {}  # a policy version never changes
    while True:
        async with transaction(uow_factory) as uow:
            cases = await Cases(uow).with_clock(after, batch)
            keys = await _keys(uow, [c.id for c in cases])
            due = []
            for case in cases:
                version = (case.assembly_id, case.policy_version)
                if version not in known:
                    known[version] = policies.as_clock(
                        await policies.at(case.assembly_id, case.policy_version, uow=uow)
                    )
                policy = known[version]
                for about, on in _watched(case):
                    sent = {
                        k.removeprefix(f"{about}:")
                        for k in keys.get(case.id, set())
                        if k.startswith(f"{about}:")
                    }
                    if clock.pending(on, policy, today, sent):
                        due.append(case.id)
                        break
        for case_id in due:
            async with transaction(uow_factory) as uow:
                raised += await _raise(case_id, today, uow=uow)
        if len(cases) < batch:
            return raised
        after = cases[-1].id


async def _keys(uow: UnitOfWork, case_ids: list[object]) -> dict[object, set[str]]:
    if not case_ids:
        return {}
    rows = await uow.session.execute(
        sa.select(alarms.c.case_id, alarms.c.key).where(alarms.c.case_id.in_(case_ids))
    )
    found: dict[object, set[str]] = {}
    for case_id, key in rows:
        found.setdefault(case_id, set()).add(key)
    return found


async def _raise(case_id: object, today: date, *, uow: UnitOfWork) -> int:
    case = await Cases(uow).find(case_id, lock=True)
    if case is None:
        return 0
    policy = policies.as_clock(await policies.at(case.assembly_id, case.policy_version, uow=uow))
    lead = None
    if case.lead_department_id is not None:
        found = await Departments(uow).find(case.lead_department_id)
        lead = found.code if found else None
    sent_all = await Alarms(uow).keys(case.id)
    raised = 0
    escalation = case.escalation
    for about, on in _watched(case):
        sent = {k.removeprefix(f"{about}:") for k in sent_all if k.startswith(f"{about}:")}
        for alarm in clock.pending(on, policy, today, sent):
            fresh = await Alarms(uow).raise_once(
                case.id,
                key=f"{about}:{alarm.key}",
                kind=str(alarm.kind),
                about=about,
                days=alarm.days,
                level=str(alarm.level) if alarm.level else None,
                due_on=alarm.due,
                raised_on=today,
            )
            if not fresh:
                continue
            raised += 1
            common = {
                "case_id": case.id,
                "proposal_id": case.proposal_id,
                "assembly_id": case.assembly_id,
                "about": about,
                "due_on": alarm.due,
                "lead_department": lead,
            }
            if alarm.kind == clock.AlarmKind.REMINDER:
                uow.emit(CaseReminderDue(days_left=clock.days_left(alarm.due, today), **common))
            else:
                assert alarm.level is not None
                uow.emit(
                    CaseOverdue(
                        days_overdue=-clock.days_left(alarm.due, today),
                        level=str(alarm.level),
                        **common,
                    )
                )
                if about == ANSWER:
                    escalation = str(alarm.level)
                await History(uow).append(
                    "case_id",
                    case.id,
                    action="escalated",
                    from_state=case.state,
                    to_state=case.state,
                    actor_role="system",
                    actor="clock",
                    details={
                        "about": about,
                        "level": str(alarm.level),
                        "due_on": alarm.due.isoformat(),
                    },
                )
    if escalation != case.escalation:
        await Cases(uow).update(case.id, escalation=escalation)
    return raised
