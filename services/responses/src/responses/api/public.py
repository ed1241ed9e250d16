"""The public record: every case with its proposal, its due date and clock, the answers
with their history, the assembly's replies and the implementation. No names, no token
subjects: roles only."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from common.dates import milan_today
from common.documents import view
from common.http.deps import ReadTx
from common.http.pagination import Page, PageParams, page_params
from common.http.problems import problem_responses
from common.texts import Text
from responses.adapters import repositories as records
from responses.adapters.repositories import Answers, Replies
from responses.api import schemas as s
from responses.api import views
from responses.api.implementation import implementation_of
from responses.service import cases as service
from responses.service import documents as case_documents

public = APIRouter(prefix="/public/v1/cases", tags=["public"])


def _public(
    case: records.Case, codes: dict[uuid.UUID, str], latest: records.Answer | None
) -> s.PublicCase:
    timer = views.clock_of(case, milan_today())
    return s.PublicCase(
        id=case.id,
        proposal_id=case.proposal_id,
        cycle=case.cycle,
        title=Text(**case.title),
        pac_codes=case.pac_codes,
        adopted_on=case.adopted_on,
        state=case.state,
        lead_department=codes.get(case.lead_department_id) if case.lead_department_id else None,
        due_on=case.due_on,
        days_left=timer.days_left,
        answered_on=case.answered_on,
        decision=latest.decision if latest else None,
        progress=case.progress,
    )


@public.get(
    "",
    operation_id="public-cases-list",
    summary="Every case, in public",
    description="Each adopted proposal with its due date, days left (negative when "
    "overdue), the latest published decision and the implementation's progress. No token.",
    response_model=Page[s.PublicCase],
    responses=problem_responses(422),
)
async def public_list(
    params: Annotated[PageParams, Depends(page_params)],
    uow: ReadTx,
) -> Page[s.PublicCase]:
    rows, token = await service.public_listed(params, uow=uow)
    codes = await service.codes_for(rows, uow=uow)
    latest: dict[uuid.UUID, records.Answer] = {}
    for answer in await Answers(uow).of_cases([r.id for r in rows]) if rows else []:
        latest[answer.case_id] = answer  # in round order: the last one stays
    return Page[s.PublicCase](
        items=[_public(r, codes, latest.get(r.id)) for r in rows], next_page_token=token
    )


@public.get(
    "/{case_id}",
    operation_id="public-cases-get",
    summary="One case, in public",
    description="The adopted text and its SHA-256, every due date with the reasons for "
    "extensions, every published answer (each frozen, with its SHA-256), the assembly's "
    "replies, and the results with milestones and progress.",
    response_model=s.PublicCaseDetail,
    responses=problem_responses(404, 422),
)
async def public_get(
    case_id: Annotated[uuid.UUID, Path(description="The case's id.")],
    uow: ReadTx,
) -> s.PublicCaseDetail:
    found = await service.detail(case_id, None, uow=uow)
    case, deadlines = found.case, found.deadlines
    codes = await service.codes_for([case], uow=uow)
    answers = await Answers(uow).of_case(case.id)
    replies = await Replies(uow).of_case(case.id)
    return s.PublicCaseDetail(
        **_public(case, codes, answers[-1] if answers else None).model_dump(),
        documents=[
            view(d, content_url=f"/public/v1/documents/{d.id}/content")
            for d in await case_documents.of_case(case.id, None, uow=uow)
        ],
        text=[Text(**p) for p in case.text],
        rationale=Text(**case.rationale),
        text_sha256=case.text_sha256,
        deadlines=[views.deadline_view(d) for d in deadlines],
        answers=[views.answer_view(a) for a in answers],
        replies=[views.reply_view(r) for r in replies],
        implementation=await implementation_of(case.id, None, uow),
    )
