"""Records into the API's shapes, shared by the routers."""

from __future__ import annotations

from datetime import date
from typing import Any

from common.texts import Text
from responses.adapters import repositories as records
from responses.api import schemas as s
from responses.domain import clock
from responses.domain import levels as figures
from responses.service import implementation


def clock_of(case: records.Case, today: date) -> s.Clock:
    """Days left to the due date in force; once the answer of the round is published the
    clock stops at the day it was published."""
    stopped = case.state == "published"
    left = clock.days_left(case.due_on, (case.answered_on or today) if stopped else today)
    return s.Clock(
        due_on=case.due_on,
        days_left=left,
        overdue=left < 0 and not stopped,
        escalation=case.escalation,
    )


def case_view(case: records.Case, codes: dict[Any, str], today: date) -> s.CaseView:
    timer = clock_of(case, today)
    return s.CaseView(
        id=case.id,
        proposal_id=case.proposal_id,
        assembly_id=case.assembly_id,
        origin=case.origin,
        cycle=case.cycle,
        title=Text(**case.title),
        pac_codes=case.pac_codes,
        adopted_on=case.adopted_on,
        state=case.state,
        round=case.round,
        lead_department=codes.get(case.lead_department_id),
        contributing=sorted(codes[c] for c in case.contributing if c in codes),
        due_on=case.due_on,
        days_left=timer.days_left,
        clock=timer,
        answered_on=case.answered_on,
        progress=case.progress,
        version=case.version,
        created_at=case.created_at,
        updated_at=case.updated_at,
    )


def deadline_view(d: records.Deadline) -> s.DeadlineView:
    return s.DeadlineView(
        round=d.round,
        kind=d.kind,
        due_on=d.due_on,
        reason=Text(**d.reason) if d.reason else None,
        set_at=d.created_at,
    )


def draft_view(d: records.Draft) -> s.DraftView:
    return s.DraftView(
        version=d.version,
        round=d.round,
        decision=d.decision,
        points=d.points,
        answer=Text(**d.answer),
        act=d.act,
        documents=d.documents,
        drafter_role=d.drafter_role,
        approved=d.approved_at is not None,
        approver_role=d.approver_role,
        approved_at=d.approved_at,
        created_at=d.created_at,
    )


def answer_view(a: records.Answer) -> s.AnswerView:
    body = a.body
    return s.AnswerView(
        round=a.round,
        decision=a.decision,
        decidim_state=a.decidim_state,
        answer=Text(**body["answer"]),
        points=body["points"],
        act=body["act"],
        documents=body["documents"],
        sha256=a.sha256,
        published_at=a.published_at,
    )


def reply_view(r: records.Reply) -> s.ReplyView:
    return s.ReplyView(
        round=r.round,
        kind=r.kind,
        text=Text(**r.text) if r.text else None,
        reopened=r.reopened,
        created_at=r.created_at,
    )


def milestone_view(m: records.Milestone, today: date) -> s.MilestoneView:
    facts = figures.MilestoneFacts(planned_on=m.planned_on, actual_on=m.actual_on)
    return s.MilestoneView(
        id=m.id,
        title=Text(**m.title),
        planned_on=m.planned_on,
        actual_on=m.actual_on,
        late=figures.late(facts, today),
        days_late=figures.days_late(facts, today),
        version=m.version,
    )


def implementation_view(
    case: records.Case,
    rows: list[records.Result],
    milestones: list[records.Milestone],
    today: date,
) -> s.Implementation:
    rolled, progress, status = implementation.rolled_up(rows)
    by_result: dict[Any, list[records.Milestone]] = {}
    for m in milestones:
        by_result.setdefault(m.result_id, []).append(m)
    return s.Implementation(
        case_id=case.id,
        progress=progress,
        status=status,
        next_report_on=case.next_report_on,
        results=[
            s.ResultView(
                id=r.id,
                case_id=r.case_id,
                parent_id=r.parent_id,
                point=r.point,
                title=Text(**r.title),
                description=Text(**r.description),
                starts_on=r.starts_on,
                ends_on=r.ends_on,
                status=r.status,
                progress=r.progress,
                rolled_up=rolled[str(r.id)],
                weight=r.weight,
                external_id=r.external_id,
                milestones=[milestone_view(m, today) for m in by_result.get(r.id, [])],
                version=r.version,
            )
            for r in rows
        ],
    )


def levels_view(levels: figures.Levels) -> s.LevelsView:
    return s.LevelsView(
        cases=levels.cases,
        answered=levels.answered,
        on_time=levels.on_time,
        late=levels.late,
        on_time_rate=float(levels.on_time_rate) if levels.on_time_rate is not None else None,
        median_days=float(levels.median_days) if levels.median_days is not None else None,
        p90_days=levels.p90_days,
        open=levels.open,
        overdue=levels.overdue,
        extended=levels.extended,
    )
