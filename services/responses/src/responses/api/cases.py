"""Cases: opening, assignment, review, the clock's extension, drafts, approval,
publication and the assembly's reply."""

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
from common.http.pagination import Page, PageParams, page_params
from common.http.problems import problem_responses
from common.texts import Text
from responses.api import schemas as s
from responses.api import views
from responses.service import answers as answering
from responses.service import cases as service

router = APIRouter(prefix="/v1/cases", tags=["cases"])
readers = require_roles("operator", "department", "auditor", "integration", "facilitator")
operator = require_roles("operator")
drafters = require_roles("operator", "department")
repliers = require_roles("operator", "facilitator")
CaseId = Annotated[uuid.UUID, Path(description="The case's id.")]


def _now() -> datetime:
    return datetime.now(UTC)


async def caller_scope(principal: Principal, uow: UnitOfWork) -> service.Scope:
    return await service.scope_of(principal, uow=uow)


async def _detail(
    case_id: uuid.UUID, scope: service.Scope, uow: UnitOfWork, response: Response
) -> s.CaseDetail:
    found = await service.detail(case_id, scope, uow=uow)
    case, deadlines, steps, alarms = found.case, found.deadlines, found.history, found.alarms
    codes = await service.codes_for([case], uow=uow)
    response.headers["ETag"] = etag_of(case.version)
    return s.CaseDetail(
        **views.case_view(case, codes, milan_today()).model_dump(),
        text=[Text(**p) for p in case.text],
        rationale=Text(**case.rationale),
        text_sha256=case.text_sha256,
        session_id=case.session_id,
        vote_id=case.vote_id,
        tally=case.tally,
        opinion=case.opinion,
        deadlines=[views.deadline_view(d) for d in deadlines],
        alarms=[
            s.AlarmView(
                kind=a.kind,
                about=a.about,
                days=a.days,
                level=a.level,
                due_on=a.due_on,
                raised_on=a.raised_on,
            )
            for a in alarms
        ],
        history=[
            s.StepView(
                action=h.action,
                from_state=h.from_state,
                to_state=h.to_state,
                actor_role=h.actor_role,
                at=h.created_at,
            )
            for h in steps
        ],
    )


@router.post(
    "",
    operation_id="cases-open",
    summary="Open a case for a recommendation adopted outside the system",
    description="Cases for proposals adopted in deliberation open by themselves (from "
    "`deliberation.proposal.adopted.v1`). This one is for the earlier cycles' "
    "recommendations, with the same fields. The due date follows the assembly's policy "
    "from `adopted_on`; with a `lead_department` the case starts `assigned`.",
    status_code=status.HTTP_201_CREATED,
    response_model=s.CaseDetail,
    responses=problem_responses(
        401,
        403,
        409,
        422,
        slugs={
            409: ["case-exists"],
            422: ["unknown-assembly", "unknown-department", "adopted-in-future"],
        },
    ),
)
async def open_case(
    body: s.CaseIn,
    response: Response,
    principal: Annotated[Principal, Depends(operator)],
    uow: Tx,
) -> s.CaseDetail:
    values = body.model_dump(exclude={"cycle", "proposal_id"})
    values["proposal_id"] = body.proposal_id or uuid.uuid4()
    if body.cycle:
        values["cycle"] = body.cycle
    values["text_sha256"] = service.text_sha256(body.title, body.text, body.rationale)
    case = await service.open_case(
        values,
        origin="operator",
        actor=principal.subject,
        role="operator",
        uow=uow,
        today=milan_today(),
    )
    response.headers["Location"] = f"/v1/cases/{case.id}"
    scope = await caller_scope(principal, uow)
    return await _detail(case.id, scope, uow, response)


@router.get(
    "",
    operation_id="cases-list",
    summary="List cases",
    description="A `department` token lists the cases its departments lead or contribute "
    "to (its token's `departments` claim); other roles list every case. Each case carries "
    "its clock: `due_on` and `days_left` (negative when overdue).",
    response_model=Page[s.CaseView],
    responses=problem_responses(401, 403, 422),
)
async def list_cases(
    params: Annotated[PageParams, Depends(page_params)],
    principal: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
    state: Annotated[s.CaseState | None, Query(description="Only cases in this state.")] = None,
    assembly_id: Annotated[uuid.UUID | None, Query()] = None,
    overdue: Annotated[bool, Query(description="Only unanswered cases past due.")] = False,
) -> Page[s.CaseView]:
    scope = await caller_scope(principal, uow)
    today = milan_today()
    rows, token = await service.listed(
        params,
        scope,
        state=state,
        assembly_id=assembly_id,
        overdue_on=today if overdue else None,
        uow=uow,
    )
    codes = await service.codes_for(rows, uow=uow)
    return Page[s.CaseView](
        items=[views.case_view(r, codes, today) for r in rows], next_page_token=token
    )


@router.get(
    "/{case_id}",
    operation_id="cases-get",
    summary="Get a case",
    description="The adopted text as adopted, the departments, the clock, every due date "
    "it has had (extensions with their reasons) and its history (roles, never names). "
    "Another department's case is a 404.",
    response_model=s.CaseDetail,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_case(
    case_id: CaseId,
    response: Response,
    principal: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
) -> s.CaseDetail:
    return await _detail(case_id, await caller_scope(principal, uow), uow, response)


@router.post(
    "/{case_id}/assignment",
    operation_id="cases-assign",
    summary="Assign the lead department and the contributing ones",
    description="Unknown department codes are a 422. Needs `If-Match`.",
    response_model=s.CaseDetail,
    responses=problem_responses(
        401,
        403,
        404,
        409,
        412,
        422,
        428,
        slugs={409: ["invalid-transition"], 422: ["unknown-department", "lead-twice"]},
    ),
)
async def assign(
    case_id: CaseId,
    body: s.AssignmentIn,
    response: Response,
    principal: Annotated[Principal, Depends(operator)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.CaseDetail:
    scope = await caller_scope(principal, uow)
    await service.assign(
        case_id, body.lead_department, body.contributing, if_match=if_match, scope=scope, uow=uow
    )
    return await _detail(case_id, scope, uow, response)


@router.post(
    "/{case_id}/review",
    operation_id="cases-review",
    summary="Record the technical opinion",
    description="The lead department's opinion (with documents registered by URL and "
    "SHA-256): the case goes `in_review`, ready for a draft. Needs `If-Match`.",
    response_model=s.CaseDetail,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def review(
    case_id: CaseId,
    body: s.ReviewIn,
    response: Response,
    principal: Annotated[Principal, Depends(drafters)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.CaseDetail:
    scope = await caller_scope(principal, uow)
    await service.review(
        case_id, body.model_dump(mode="json"), if_match=if_match, scope=scope, uow=uow
    )
    return await _detail(case_id, scope, uow, response)


@router.post(
    "/{case_id}/extension",
    operation_id="cases-extend",
    summary="Extend the due date, with a published reason",
    description="Without a reason (in Italian and English) it is refused; the new date "
    "comes after the current one and not in the past. The old date stays in the case's "
    "deadlines, and the clock's reminders start again for the new one. Needs `If-Match`.",
    response_model=s.CaseDetail,
    responses=problem_responses(
        401,
        403,
        404,
        409,
        412,
        422,
        428,
        slugs={
            409: ["case-answered"],
            422: ["extension-without-reason", "extension-not-later", "extension-in-past"],
        },
    ),
)
async def extend(
    case_id: CaseId,
    body: s.ExtensionIn,
    response: Response,
    principal: Annotated[Principal, Depends(operator)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.CaseDetail:
    scope = await caller_scope(principal, uow)
    await service.extend(
        case_id,
        body.due_on,
        body.reason,
        today=milan_today(),
        if_match=if_match,
        scope=scope,
        uow=uow,
    )
    return await _detail(case_id, scope, uow, response)


@router.post(
    "/{case_id}/drafts",
    operation_id="cases-draft",
    summary="Draft the answer (a new version)",
    description="A decision per point of the proposal (a single point 1 answers it "
    "whole). `rejected` and `partially_accepted` need reasons; `accepted` and "
    "`partially_accepted` need the cost, the execution period and the responsible office. "
    "The overall decision follows from the points. A new draft voids an approval not yet "
    "published; a published answer is never edited. Needs the case's `If-Match`.",
    status_code=status.HTTP_201_CREATED,
    response_model=s.DraftView,
    responses=problem_responses(
        401,
        403,
        404,
        409,
        412,
        422,
        428,
        slugs={
            409: ["invalid-transition"],
            422: [
                "reasons-required",
                "implementation-required",
                "no-such-point",
                "duplicate-point",
                "invalid-cost",
                "invalid-period",
            ],
        },
    ),
)
async def draft(
    case_id: CaseId,
    body: s.DraftIn,
    response: Response,
    principal: Annotated[Principal, Depends(drafters)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.DraftView:
    scope = await caller_scope(principal, uow)
    values = body.model_dump(mode="json")
    values["points"] = [p.model_dump() for p in body.points]
    values["points_json"] = body.model_dump(mode="json")["points"]
    case, row = await answering.draft(case_id, values, if_match=if_match, scope=scope, uow=uow)
    response.headers["ETag"] = etag_of(case.version)
    response.headers["Location"] = f"/v1/cases/{case_id}/drafts"
    return views.draft_view(row)


@router.get(
    "/{case_id}/drafts",
    operation_id="cases-drafts",
    summary="The drafts of the answer, every version",
    description="Every version of the draft answer, with its round, decision, points, formal act, "
    "and the roles of who drafted and who approved it.",
    response_model=list[s.DraftView],
    responses=problem_responses(401, 403, 404, 422),
)
async def drafts(
    case_id: CaseId,
    principal: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
) -> list[s.DraftView]:
    rows = await answering.drafts_of(case_id, await caller_scope(principal, uow), uow=uow)
    return [views.draft_view(d) for d in rows]


@router.post(
    "/{case_id}/approval",
    operation_id="cases-approve",
    summary="Approve the latest draft (four eyes)",
    description="By another person than the draft's author (the token's subject); the "
    "approver's role is recorded. Names the draft version approved. Needs `If-Match`.",
    response_model=s.DraftView,
    responses=problem_responses(
        401,
        403,
        404,
        409,
        412,
        422,
        428,
        slugs={409: ["same-person", "stale-draft", "invalid-transition"]},
    ),
)
async def approve(
    case_id: CaseId,
    body: s.ApprovalIn,
    response: Response,
    principal: Annotated[Principal, Depends(drafters)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.DraftView:
    scope = await caller_scope(principal, uow)
    case, row = await answering.approve(
        case_id, body.draft_version, now=_now(), if_match=if_match, scope=scope, uow=uow
    )
    response.headers["ETag"] = etag_of(case.version)
    return views.draft_view(row)


@router.post(
    "/{case_id}/publication",
    operation_id="cases-publish",
    summary="Publish the approved answer",
    description="Freezes the answer (the SHA-256 of its canonical JSON is recorded), stops "
    "the clock and publishes `responses.response.published.v1`, which deliberation shows "
    "on the proposal. Retry with the same `Idempotency-Key` to get the same answer. Needs "
    "`If-Match`.",
    response_model=s.AnswerView,
    responses=problem_responses(
        401,
        403,
        404,
        409,
        412,
        422,
        428,
        slugs={409: ["not-approved", "invalid-transition"]},
    ),
)
async def publish(
    case_id: CaseId,
    response: Response,
    principal: Annotated[Principal, Depends(drafters)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.AnswerView:
    scope = await caller_scope(principal, uow)
    case, answer = await answering.publish(
        case_id, now=_now(), today=milan_today(), if_match=if_match, scope=scope, uow=uow
    )
    response.headers["ETag"] = etag_of(case.version)
    return views.answer_view(answer)


@router.post(
    "/{case_id}/reply",
    operation_id="cases-reply",
    summary="Record the assembly's reply to the published answer",
    description="`satisfied`, `partially_satisfied` or `contested` (the last two with a "
    "text). A contested reply takes the case back into review (`in_review`, the same lead "
    "department) for a follow-up answer, with a due date of its own counted from the "
    "reply; the published answer stays as it was. Needs `If-Match`.",
    response_model=s.CaseDetail,
    responses=problem_responses(
        401,
        403,
        404,
        409,
        412,
        422,
        428,
        slugs={409: ["not-published", "replied"], 422: ["reply-text-required"]},
    ),
)
async def reply(
    case_id: CaseId,
    body: s.ReplyIn,
    response: Response,
    principal: Annotated[Principal, Depends(repliers)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.CaseDetail:
    scope = await caller_scope(principal, uow)
    await answering.reply(
        case_id, body.kind, body.text, today=milan_today(), if_match=if_match, scope=scope, uow=uow
    )
    return await _detail(case_id, scope, uow, response)
