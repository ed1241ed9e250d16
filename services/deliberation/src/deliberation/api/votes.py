"""Votes: opened on a subject in an open session, counted by tally or by ballots, closed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response, status

from common.auth import Principal, require_roles
from common.http.deps import ReadTx, Tx
from common.http.etag import IfMatch, etag_of
from common.http.pagination import Page, PageParams, page_params
from common.http.problems import problem_responses
from deliberation.adapters import repositories as records
from deliberation.api import schemas as s
from deliberation.service import votes as service

router = APIRouter(prefix="/v1/votes", tags=["votes"])
staff = require_roles("operator", "facilitator")
readers = require_roles("operator", "facilitator", "member", "auditor", "integration")
member = require_roles("member")
VoteId = Annotated[uuid.UUID, Path(description="The vote's id.")]


def view(row: records.Vote, *, voted: int, members: bool) -> s.Vote:
    data = {f: getattr(row, f) for f in s.Vote.model_fields if hasattr(row, f)}
    if row.method != "tally" and row.state == "open":
        data |= {"yes": None, "no": None, "abstain": None}
    return s.Vote.model_validate(
        {
            **data,
            "entitled": len(row.entitled),
            "entitled_members": row.entitled if members else None,
            "voted": voted,
        }
    )


def _staff(principal: Principal) -> bool:
    return principal.has_any({"operator", "facilitator"})


@router.post(
    "",
    operation_id="votes-open",
    summary="Open a vote",
    description="On an amendment, or on a submitted proposal's final text once its "
    "amendments are decided, in an open plenary that has the proposal on its agenda. "
    "Refused without a quorum (409 "
    "`no-quorum`, saying how many are present and needed). The members present now are "
    "the entitled; the assembly's current rule decides.",
    status_code=status.HTTP_201_CREATED,
    response_model=s.Vote,
    responses=problem_responses(
        401,
        403,
        409,
        422,
        slugs={
            409: [
                "session-not-open",
                "plenary-only",
                "not-on-agenda",
                "vote-in-progress",
                "no-quorum",
                "not-submitted",
                "amendments-pending",
                "amendment-not-votable",
                "stale-version",
            ],
            422: [
                "unknown-reference",
                "other-assembly",
                "other-proposal",
                "no-amendment",
                "amendment-on-final",
            ],
        },
    ),
)
async def open_vote(
    body: s.VoteIn, response: Response, _: Annotated[Principal, Depends(staff)], uow: Tx
) -> s.Vote:
    row = await service.open_vote(body.model_dump(), now=datetime.now(UTC), uow=uow)
    response.headers["Location"] = f"/v1/votes/{row.id}"
    response.headers["ETag"] = etag_of(row.version)
    return view(row, voted=0, members=True)


@router.get(
    "",
    operation_id="votes-list",
    summary="List votes",
    description="Oldest first, in pages; filter by `session_id`, `proposal_id` and `state` "
    "(`open`, `closed`), for instance to find the votes still open before closing a "
    "session. Each as `GET /v1/votes/{id}` shows it.",
    response_model=Page[s.Vote],
    responses=problem_responses(401, 403, 422),
)
async def list_(
    params: Annotated[PageParams, Depends(page_params)],
    principal: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
    session_id: Annotated[uuid.UUID | None, Query(description="Votes of this session.")] = None,
    proposal_id: Annotated[uuid.UUID | None, Query(description="Votes on this proposal.")] = None,
    state: Annotated[Literal["open", "closed"] | None, Query(description="Open or closed.")] = None,
) -> Page[s.Vote]:
    filters = {"session_id": session_id, "proposal_id": proposal_id, "state": state}
    rows, token = await service.listed(params, filters, uow=uow)
    items = [view(v, voted=n, members=_staff(principal)) for v, n in rows]
    return Page[s.Vote](items=items, next_page_token=token)


@router.get(
    "/{vote_id}",
    operation_id="votes-get",
    summary="One vote",
    description="Its subject, method, the text version and SHA-256 it is on, how many are "
    "entitled and how many have voted. While a ballot vote is open its counts are not "
    "shown; once closed, the result with its base, threshold and rule. Operators and "
    "facilitators also see who was entitled.",
    response_model=s.Vote,
    responses=problem_responses(401, 403, 404),
)
async def get(
    vote_id: VoteId,
    response: Response,
    principal: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
) -> s.Vote:
    row, voted = await service.get(vote_id, uow=uow)
    response.headers["ETag"] = etag_of(row.version)
    return view(row, voted=voted, members=_staff(principal))


@router.put(
    "/{vote_id}/tally",
    operation_id="votes-tally",
    summary="Record a show of hands",
    description="Yes, no and abstain as counted by the facilitator; more votes than "
    "entitled members is a 422. Needs `If-Match`; may be corrected until the vote closes.",
    response_model=s.Vote,
    responses=problem_responses(
        401,
        403,
        404,
        409,
        412,
        422,
        428,
        slugs={
            409: ["not-a-tally", "vote-closed"],
            422: ["tally-exceeds-entitled", "empty-tally"],
        },
    ),
)
async def tally(
    vote_id: VoteId,
    body: s.TallyIn,
    response: Response,
    _: Annotated[Principal, Depends(staff)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.Vote:
    row = await service.record_tally(
        vote_id, body.model_dump(), if_match=if_match, now=datetime.now(UTC), uow=uow
    )
    response.headers["ETag"] = etag_of(row.version)
    return view(row, voted=0, members=True)


@router.post(
    "/{vote_id}/ballots",
    operation_id="votes-ballot",
    summary="Cast my ballot",
    description="With your own `member` token, once, if you were present when the vote "
    "opened. A secret ballot is counted without you: the answer says only that it was "
    "received, and no record links it to you. An `Idempotency-Key` is not remembered "
    "here (remembering it would keep a record of your request): a retry after a lost "
    "answer gets 409 `already-voted`, which says that your ballot was counted.",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        202: {
            "description": "Counted.",
            "content": {"application/json": {"example": {"received": True}}},
        },
        **problem_responses(
            401,
            403,
            404,
            409,
            422,
            slugs={409: ["not-entitled", "already-voted", "vote-closed", "not-by-ballot"]},
        ),
    },
)
async def ballot(
    vote_id: VoteId,
    body: s.BallotIn,
    principal: Annotated[Principal, Depends(member)],
    uow: Tx,
) -> dict[str, bool]:
    await service.cast(vote_id, principal.subject, body.choice, uow=uow)
    return {"received": True}


@router.post(
    "/{vote_id}/close",
    operation_id="votes-close",
    summary="Close a vote and decide it",
    description="Computes the result by the rule recorded at the opening (exact integers: "
    "for two thirds, 3 × yes ≥ 2 × base). An accepted amendment makes the proposal's next "
    "version; an adopted final text is locked (its SHA-256 recorded) and published as "
    "`deliberation.proposal.adopted.v1`. A show of hands closes only once its tally is "
    "recorded. Needs `If-Match`.",
    response_model=s.Vote,
    responses=problem_responses(
        401, 403, 404, 409, 412, 428, slugs={409: ["vote-closed", "no-tally"]}
    ),
)
async def close(
    vote_id: VoteId,
    response: Response,
    principal: Annotated[Principal, Depends(staff)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.Vote:
    actor = ("facilitator" if "facilitator" in principal.roles else "operator", principal.subject)
    row = await service.close(
        vote_id, if_match=if_match, actor=actor, now=datetime.now(UTC), uow=uow
    )
    _, voted = await service.get(vote_id, uow=uow)
    response.headers["ETag"] = etag_of(row.version)
    return view(row, voted=voted, members=True)
