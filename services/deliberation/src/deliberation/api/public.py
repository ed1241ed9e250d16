"""Anonymous reads: the calendar, sessions, proposals and votes. No personal data: no
member ids anywhere (attendance as counts, votes by their numbers, versions and
amendments by their author's role only)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel

from common.db import UnitOfWork
from common.http.deps import ReadTx
from common.http.pagination import Page, PageParams, page_params
from common.http.problems import problem_responses
from deliberation.adapters import repositories as records
from deliberation.api import schemas as s
from deliberation.api.proposals import amendment_view, proposal_view, version_view
from deliberation.api.sessions import view as session_view
from deliberation.service import proposals as proposals_service
from deliberation.service import sessions as sessions_service
from deliberation.service import votes as votes_service

public = APIRouter(prefix="/public/v1", tags=["public"])
_Authored = TypeVar("_Authored", s.Version, s.Amendment)


class PublicSession(s.Session):
    attendance: s.PublicAttendance


class PublicVote(BaseModel):
    id: uuid.UUID
    session_id: uuid.UUID
    subject: str
    proposal_id: uuid.UUID
    amendment_id: uuid.UUID | None
    text_version: int
    text_sha256: str
    method: str
    state: str
    entitled: int
    result: s.Result | None
    opened_at: datetime
    closed_at: datetime | None


class PublicProposal(s.Proposal):
    versions: list[s.Version]
    amendments: list[s.Amendment]
    votes: list[PublicVote]


def _anonymous(view: _Authored) -> _Authored:
    """A version or amendment without who wrote it: the public sees the role only."""
    return view.model_copy(update={"author_id": None})


def _public_proposal(row: records.Proposal, current: records.ProposalVersion) -> s.Proposal:
    found = proposal_view(row, current)
    return found.model_copy(update={"current": _anonymous(found.current)})


async def _public_session(session_id: uuid.UUID, *, uow: UnitOfWork) -> PublicSession:
    found = await sessions_service.attendance_of(session_id, now=datetime.now(UTC), uow=uow)
    row = await sessions_service.get(session_id, uow=uow)
    agenda = await sessions_service.public_agenda(row.agenda, uow=uow)
    return PublicSession(
        **{**session_view(row).model_dump(), "agenda": agenda},
        attendance=s.PublicAttendance(
            present=len(found.present), attended=len(found.stays), sitting=found.quorum.sitting
        ),
    )


@public.get(
    "/sessions",
    operation_id="public-sessions-list",
    summary="The calendar: every session, with its agenda and attendance as counts",
    description="Oldest first, in pages; filter by `assembly_id` and `state`. Attendance is "
    "counts only: present now, attended, sitting.",
    response_model=Page[PublicSession],
    responses=problem_responses(422),
)
async def sessions(
    params: Annotated[PageParams, Depends(page_params)],
    uow: ReadTx,
    assembly_id: Annotated[uuid.UUID | None, Query()] = None,
    state: Annotated[
        s.SessionState | None, Query(description="Only sessions in this state.")
    ] = None,
) -> Page[PublicSession]:
    rows, token = await sessions_service.listed(params, assembly_id, state, uow=uow)
    items = [await _public_session(r.id, uow=uow) for r in rows]
    return Page[PublicSession](items=items, next_page_token=token)


@public.get(
    "/sessions/{session_id}",
    operation_id="public-sessions-get",
    summary="One session",
    description="Its kind, times, place or link, agenda and state, with attendance as "
    "counts: present now, attended, sitting.",
    response_model=PublicSession,
    responses=problem_responses(404),
)
async def session(session_id: Annotated[uuid.UUID, Path()], uow: ReadTx) -> PublicSession:
    return await _public_session(session_id, uow=uow)


def _public_vote(vote: records.Vote) -> PublicVote:
    return PublicVote.model_validate(
        {
            **{f: getattr(vote, f) for f in PublicVote.model_fields if f != "entitled"},
            "entitled": len(vote.entitled),
        }
    )


@public.get(
    "/proposals",
    operation_id="public-proposals-list",
    summary="Every proposal, with its current wording and the Comune's answer",
    description="From submission on: a working group's draft is not public.",
    response_model=Page[s.Proposal],
    responses=problem_responses(422),
)
async def proposals(
    params: Annotated[PageParams, Depends(page_params)],
    uow: ReadTx,
    state: Annotated[
        s.ProposalState | None, Query(description="Only proposals in this state.")
    ] = None,
    assembly_id: Annotated[uuid.UUID | None, Query(description="Only this assembly's.")] = None,
) -> Page[s.Proposal]:
    rows, token = await proposals_service.listed(
        params, state=state, assembly_id=assembly_id, public=True, uow=uow
    )
    items = [_public_proposal(r, v) for r, v in rows]
    return Page[s.Proposal](items=items, next_page_token=token)


@public.get(
    "/proposals/{proposal_id}",
    operation_id="public-proposals-get",
    summary="One proposal: its versions, amendments, votes and the answer",
    description="From submission on (a draft is a 404). Versions and amendments show their "
    "author's role only; votes show their counts, base, threshold and rule once "
    "closed.",
    response_model=PublicProposal,
    responses=problem_responses(404),
)
async def proposal(proposal_id: Annotated[uuid.UUID, Path()], uow: ReadTx) -> PublicProposal:
    row, current = await proposals_service.get(proposal_id, public=True, uow=uow)
    versions = await proposals_service.versions(proposal_id, uow=uow)
    amendments = await proposals_service.amendments_of(proposal_id, uow=uow)
    return PublicProposal(
        **_public_proposal(row, current).model_dump(),
        versions=[_anonymous(version_view(v)) for v in versions],
        amendments=[_anonymous(amendment_view(a)) for a in amendments],
        votes=[_public_vote(v) for v in await votes_service.of_proposal(proposal_id, uow=uow)],
    )


@public.get(
    "/votes/{vote_id}",
    operation_id="public-votes-get",
    summary="One vote: its base, threshold, rule and result; never who voted how",
    description="The result appears when the vote closes; until then, only how many are entitled.",
    response_model=PublicVote,
    responses=problem_responses(404),
)
async def vote(vote_id: Annotated[uuid.UUID, Path()], uow: ReadTx) -> PublicVote:
    row, _ = await votes_service.get(vote_id, uow=uow)
    return _public_vote(row)
