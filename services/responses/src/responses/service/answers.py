"""The answer: drafted by the lead department, approved by another person, published
frozen; the assembly's reply may reopen the case for a follow-up answer."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from common.contracts.responses import ResponsePublished
from common.db import UnitOfWork
from common.errors import Conflict
from common.http.etag import check_if_match
from common.texts import Text
from responses.adapters.repositories import (
    Answer,
    Answers,
    Case,
    Cases,
    Deadlines,
    Draft,
    Drafts,
    History,
    Replies,
    Reply,
)
from responses.domain import answers as workflow
from responses.domain import clock
from responses.service import policies
from responses.service.cases import Scope, advance, require_lead, visible


def points_of(raw: list[dict[str, Any]]) -> list[workflow.Point]:
    return [
        workflow.Point(
            number=p["number"],
            decision=workflow.Decision(p["decision"]),
            reasons=Text(**p["reasons"]) if p.get("reasons") else None,
            cost_eur=p.get("cost_eur"),
            starts_on=p.get("starts_on"),
            ends_on=p.get("ends_on"),
            office=p.get("office"),
        )
        for p in raw
    ]


async def draft(
    case_id: uuid.UUID,
    values: dict[str, Any],
    *,
    if_match: str | None,
    scope: Scope,
    uow: UnitOfWork,
) -> tuple[Case, Draft]:
    """A new version of the draft answer; it voids an approval not yet published."""
    case = await visible(case_id, scope, uow=uow, lock=True)
    require_lead(case, scope, "draft the answer")
    check_if_match(if_match, version=case.version)
    workflow.transition(case.state, str(workflow.State.DRAFTED))
    points = points_of(values["points"])
    workflow.check_points(points, paragraphs=len(case.text))
    decision = workflow.overall(points)
    latest = await Drafts(uow).latest(case.id)
    version = (latest.version if latest else 0) + 1
    row = await Drafts(uow).add(
        case_id=case.id,
        version=version,
        round=case.round,
        decision=str(decision),
        points=values["points_json"],
        answer=values["answer"],
        act=values.get("act"),
        documents=values.get("documents", []),
        drafted_by=scope.principal.subject,
        drafter_role=scope.role,
    )
    moved = await advance(
        case,
        workflow.State.DRAFTED,
        action="drafted",
        scope=scope,
        details={"version": version, "decision": str(decision)},
        uow=uow,
    )
    return moved, row


async def drafts_of(case_id: uuid.UUID, scope: Scope, *, uow: UnitOfWork) -> list[Draft]:
    await visible(case_id, scope, uow=uow)
    return await Drafts(uow).of_case(case_id)


async def approve(
    case_id: uuid.UUID,
    version: int,
    *,
    now: datetime,
    if_match: str | None,
    scope: Scope,
    uow: UnitOfWork,
) -> tuple[Case, Draft]:
    """Four eyes: the approver is another person than the draft's author."""
    case = await visible(case_id, scope, uow=uow, lock=True)
    require_lead(case, scope, "approve the answer")
    check_if_match(if_match, version=case.version)
    latest = await Drafts(uow).latest(case.id)
    if latest is None or latest.version != version or latest.round != case.round:
        raise Conflict(
            f"Draft {version} is not this case's latest draft.",
            slug="stale-draft",
            latest=latest.version if latest else None,
        )
    workflow.check_four_eyes(latest.drafted_by, scope.principal.subject)
    moved = await advance(
        case,
        workflow.State.APPROVED,
        action="approved",
        scope=scope,
        details={"version": version},
        uow=uow,
    )
    approved = await Drafts(uow).approve(
        case.id,
        version,
        approved_by=scope.principal.subject,
        approver_role=scope.role,
        approved_at=now,
    )
    return moved, approved


def answer_body(case: Case, draft: Draft, published_at: datetime) -> dict[str, Any]:
    """The published answer as it is frozen and hashed."""
    return {
        "case_id": str(case.id),
        "proposal_id": str(case.proposal_id),
        "round": case.round,
        "proposal_sha256": case.text_sha256,
        "decision": draft.decision,
        "points": draft.points,
        "answer": draft.answer,
        "act": draft.act,
        "documents": draft.documents,
        "draft_version": draft.version,
        "drafter_role": draft.drafter_role,
        "approver_role": draft.approver_role,
        "published_at": published_at.isoformat(),
    }


async def publish(
    case_id: uuid.UUID,
    *,
    now: datetime,
    today: date,
    if_match: str | None,
    scope: Scope,
    uow: UnitOfWork,
) -> tuple[Case, Answer]:
    case = await visible(case_id, scope, uow=uow, lock=True)
    require_lead(case, scope, "publish the answer")
    check_if_match(if_match, version=case.version)
    workflow.transition(case.state, str(workflow.State.PUBLISHED))  # before anything is written
    draft = await Drafts(uow).latest(case.id)
    if draft is None or draft.approved_at is None:
        raise Conflict("Only an approved draft is published.", slug="not-approved")
    body = answer_body(case, draft, now)
    _, digest = workflow.frozen(body)
    policy = await policies.at(case.assembly_id, case.policy_version, uow=uow)
    state = workflow.decidim_state(workflow.Decision(draft.decision), policy.decidim_states)
    answer = await Answers(uow).add(
        case_id=case.id,
        round=case.round,
        draft_version=draft.version,
        decision=draft.decision,
        decidim_state=state,
        body=body,
        sha256=digest,
        published_by=scope.principal.subject,
        published_at=now,
    )
    reports = None
    if any(p["decision"] in ("accepted", "partially_accepted") for p in draft.points):
        reports = clock.next_report_due(today, policies.as_clock(policy))
    moved = await advance(
        case,
        workflow.State.PUBLISHED,
        action="published",
        scope=scope,
        details={"round": case.round, "sha256": digest},
        uow=uow,
        answered_on=case.answered_on or today,
        escalation=None,
        next_report_on=case.next_report_on or reports,
    )
    uow.emit(
        ResponsePublished(
            proposal_id=case.proposal_id,
            case_id=case.id,
            decision=draft.decision,
            answer=Text(**draft.answer),
            published_at=now,
        )
    )
    return moved, answer


async def reply(
    case_id: uuid.UUID,
    kind: str,
    text: Text | None,
    *,
    today: date,
    if_match: str | None,
    scope: Scope,
    uow: UnitOfWork,
) -> tuple[Case, Reply]:
    """The assembly's formal reply to the published answer; a contested one reopens the
    case for a follow-up answer with a due date of its own, counted from the reply."""
    case = await visible(case_id, scope, uow=uow, lock=True)
    check_if_match(if_match, version=case.version)
    if case.state != str(workflow.State.PUBLISHED):
        raise Conflict("The assembly replies to a published answer.", slug="not-published")
    kind_ = workflow.Reply(kind)
    workflow.check_reply(kind_, text)
    if await Replies(uow).find_round(case.id, case.round) is not None:
        raise Conflict("The assembly has replied to this answer already.", slug="replied")
    reopens = workflow.reopens(kind_)
    row = await Replies(uow).add(
        case_id=case.id,
        round=case.round,
        kind=str(kind_),
        text=text.model_dump() if text else None,
        reopened=reopens,
        recorded_by=scope.principal.subject,
    )
    if not reopens:
        await History(uow).append(
            "case_id",
            case.id,
            action="replied",
            from_state=case.state,
            to_state=case.state,
            actor_role=scope.role,
            actor=scope.principal.subject,
            details={"kind": str(kind_)},
        )
        return await Cases(uow).update(case.id, version=case.version + 1), row
    policy = await policies.at(case.assembly_id, case.policy_version, uow=uow)
    due = clock.due_on(today, policies.as_clock(policy))
    await Deadlines(uow).append(
        "case_id",
        case.id,
        round=case.round + 1,
        kind="follow_up",
        due_on=due,
        set_by=scope.principal.subject,
    )
    moved = await advance(
        case,
        workflow.State.IN_REVIEW,
        action="reopened",
        scope=scope,
        details={"kind": str(kind_), "round": case.round + 1},
        uow=uow,
        round=case.round + 1,
        due_on=due,
        clock_started_on=today,
        escalation=None,
    )
    return moved, row
