"""Working groups, proposals, their versions and amendments."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response, status

from common.auth import Principal, require_roles
from common.errors import Forbidden
from common.http.deps import ReadTx, Tx
from common.http.etag import IfMatch, etag_of
from common.http.pagination import Page, PageParams, page_params
from common.http.problems import problem_responses
from common.texts import Text
from deliberation.adapters import repositories as records
from deliberation.api import schemas as s
from deliberation.service import proposals as service
from deliberation.service import working_groups as groups

router = APIRouter(tags=["proposals"])
staff = require_roles("operator", "facilitator")
drafters = require_roles("operator", "facilitator", "member")
readers = require_roles("operator", "facilitator", "member", "auditor", "integration")
ProposalId = Annotated[uuid.UUID, Path(description="The proposal's id.")]
GroupId = Annotated[uuid.UUID, Path(description="The working group's id.")]
AmendmentId = Annotated[uuid.UUID, Path(description="The amendment's id.")]


def _today() -> Any:
    return datetime.now(UTC).date()


def author(principal: Principal) -> tuple[str, str]:
    """Who wrote a version: a role and an id (a member's pseudonymous id), never a name."""
    for role in ("member", "facilitator", "operator"):
        if role in principal.roles:
            return role, principal.subject
    raise Forbidden("Only members, facilitators and operators write proposals.")


def group_view(row: records.WorkingGroup, members: list[str]) -> s.WorkingGroup:
    return s.WorkingGroup(
        id=row.id,
        assembly_id=row.assembly_id,
        name=Text(**row.name),
        ambito=row.ambito,
        pac_codes=row.pac_codes,
        members=members,
        version=row.version,
        created_at=row.created_at,
    )


def version_view(row: records.ProposalVersion) -> s.Version:
    return s.Version.model_validate(row, from_attributes=True)


def proposal_view(row: records.Proposal, current: records.ProposalVersion) -> s.Proposal:
    data = {f: getattr(row, f) for f in s.Proposal.model_fields if f != "current"}
    return s.Proposal.model_validate({**data, "current": version_view(current)})


@router.post(
    "/v1/working-groups",
    operation_id="working-groups-create",
    summary="Form a working group",
    description="Members must sit in the assembly today; the theme is a PAC ambito or "
    "actions (unknown codes are a 422).",
    status_code=status.HTTP_201_CREATED,
    response_model=s.WorkingGroup,
    responses=problem_responses(
        401,
        403,
        409,
        422,
        slugs={
            409: ["not-sitting"],
            422: ["unknown-assembly", "unknown-pac-action", "outside-ambito", "no-theme"],
        },
    ),
)
async def create_group(
    body: s.WorkingGroupIn,
    response: Response,
    _: Annotated[Principal, Depends(staff)],
    uow: Tx,
) -> s.WorkingGroup:
    values = body.model_dump(exclude={"members"})
    row, members = await groups.create(values, body.members, today=_today(), uow=uow)
    response.headers["Location"] = f"/v1/working-groups/{row.id}"
    response.headers["ETag"] = etag_of(row.version)
    return group_view(row, members)


@router.get(
    "/v1/working-groups",
    operation_id="working-groups-list",
    summary="List working groups",
    description="Oldest first, in pages, each with its theme (a PAC ambito, actions, or both) and "
    "its members' ids.",
    response_model=Page[s.WorkingGroup],
    responses=problem_responses(401, 403, 422),
)
async def list_groups(
    params: Annotated[PageParams, Depends(page_params)],
    _: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
    assembly_id: Annotated[uuid.UUID | None, Query(description="Only this assembly's.")] = None,
) -> Page[s.WorkingGroup]:
    rows, token = await groups.listed(params, assembly_id=assembly_id, uow=uow)
    items = [group_view(r, members) for r, members in rows]
    return Page[s.WorkingGroup](items=items, next_page_token=token)


@router.put(
    "/v1/working-groups/{group_id}/members",
    operation_id="working-groups-members",
    summary="Replace a working group's members",
    description="Needs `If-Match`. Members must sit in the assembly today.",
    response_model=s.WorkingGroup,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428, slugs={409: ["not-sitting"]}),
)
async def set_members(
    group_id: GroupId,
    body: s.Members,
    response: Response,
    _: Annotated[Principal, Depends(staff)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.WorkingGroup:
    row, members = await groups.set_members(
        group_id, body.members, if_match=if_match, today=_today(), uow=uow
    )
    response.headers["ETag"] = etag_of(row.version)
    return group_view(row, members)


@router.post(
    "/v1/proposals",
    operation_id="proposals-create",
    summary="Draft a proposal",
    description="By a working group (its members, or a facilitator or operator for it), "
    "linked to PAC actions, with numbered paragraphs in Italian and English. Version 1.",
    status_code=status.HTTP_201_CREATED,
    response_model=s.Proposal,
    responses=problem_responses(
        401,
        403,
        409,
        422,
        slugs={
            403: ["not-group-member"],
            409: ["not-sitting"],
            422: [
                "unknown-reference",
                "no-pac-action",
                "unknown-pac-action",
                "outside-theme",
                "empty-text",
                "invalid-text",
            ],
        },
    ),
)
async def create(
    body: s.ProposalIn,
    response: Response,
    principal: Annotated[Principal, Depends(drafters)],
    uow: Tx,
) -> s.Proposal:
    wording = body.content()
    row, first = await service.draft(
        body.working_group_id,
        body.pac_codes,
        wording,
        author=author(principal),
        today=_today(),
        uow=uow,
    )
    response.headers["Location"] = f"/v1/proposals/{row.id}"
    response.headers["ETag"] = etag_of(row.version)
    return proposal_view(row, first)


@router.get(
    "/v1/proposals/{proposal_id}",
    operation_id="proposals-get",
    summary="One proposal, with its current version and the Comune's answer",
    description="Its state, PAC actions, current wording, the SHA-256 of the adopted text and the "
    "vote that adopted it, and, once the Comune answers, the answer and the progress "
    "of its implementation. The ETag is what `POST …/versions` and `POST …/state` "
    "need.",
    response_model=s.Proposal,
    responses=problem_responses(401, 403, 404),
)
async def get(
    proposal_id: ProposalId,
    response: Response,
    _: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
) -> s.Proposal:
    row, current = await service.get(proposal_id, uow=uow)
    response.headers["ETag"] = etag_of(row.version)
    return proposal_view(row, current)


@router.get(
    "/v1/proposals",
    operation_id="proposals-list",
    summary="List proposals",
    description="Oldest first, in pages, each with its current version; filter by `state` "
    "(`draft`, `submitted`, `voting`, `adopted`, `rejected`, `withdrawn`).",
    response_model=Page[s.Proposal],
    responses=problem_responses(401, 403, 422),
)
async def list_(
    params: Annotated[PageParams, Depends(page_params)],
    _: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
    state: Annotated[
        s.ProposalState | None, Query(description="Only proposals in this state.")
    ] = None,
    assembly_id: Annotated[uuid.UUID | None, Query(description="Only this assembly's.")] = None,
) -> Page[s.Proposal]:
    rows, token = await service.listed(params, state=state, assembly_id=assembly_id, uow=uow)
    return Page[s.Proposal](items=[proposal_view(r, v) for r, v in rows], next_page_token=token)


@router.post(
    "/v1/proposals/{proposal_id}/versions",
    operation_id="proposals-revise",
    summary="Write a new version",
    description="Only a draft is edited (once submitted, amend it). Records who (role and "
    "id), when and why. Needs `If-Match`.",
    status_code=status.HTTP_201_CREATED,
    response_model=s.Version,
    responses=problem_responses(
        401,
        403,
        404,
        409,
        412,
        422,
        428,
        slugs={
            403: ["not-group-member"],
            409: ["proposal-locked", "not-sitting"],
            422: ["unchanged-text", "empty-text", "invalid-text"],
        },
    ),
)
async def revise(
    proposal_id: ProposalId,
    body: s.Revision,
    response: Response,
    principal: Annotated[Principal, Depends(drafters)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.Version:
    proposal, _ = await service.get(proposal_id, uow=uow)
    await service.require_drafter(proposal.working_group_id, author(principal), _today(), uow=uow)
    wording = body.content()
    row, added = await service.revise(
        proposal_id,
        wording,
        reason=body.reason,
        author=author(principal),
        if_match=if_match,
        uow=uow,
    )
    response.headers["ETag"] = etag_of(row.version)
    return version_view(added)


@router.get(
    "/v1/proposals/{proposal_id}/versions",
    operation_id="proposals-versions",
    summary="Every version of a proposal",
    description="Oldest first: each version's wording, SHA-256, author (a role and an id, never a "
    "name), reason, and the amendment it came from, if any.",
    response_model=list[s.Version],
    responses=problem_responses(401, 403, 404),
)
async def versions(
    proposal_id: ProposalId, _: Annotated[Principal, Depends(readers)], uow: ReadTx
) -> list[s.Version]:
    return [version_view(v) for v in await service.versions(proposal_id, uow=uow)]


@router.get(
    "/v1/proposals/{proposal_id}/versions/compare",
    operation_id="proposals-compare",
    summary="What changed between two versions",
    description="Every paragraph of both, aligned: kept, replaced, inserted or deleted.",
    response_model=s.Comparison,
    responses=problem_responses(401, 403, 404, 422),
)
async def compare(
    proposal_id: ProposalId,
    _: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
    from_: Annotated[int, Query(alias="from", ge=1, le=s.MAX_VERSION)],
    to: Annotated[int, Query(ge=1, le=s.MAX_VERSION)],
) -> s.Comparison:
    a, b, diff = await service.compare_versions(proposal_id, from_, to, uow=uow)
    return s.Comparison(
        version_from=a.number,
        version_to=b.number,
        title_changed=a.title != b.title,
        rationale_changed=a.rationale != b.rationale,
        paragraphs=[
            s.ParagraphChange(
                op=d.op,
                paragraph_from=d.index_a,
                paragraph_to=d.index_b,
                text_from=d.text_a,
                text_to=d.text_b,
            )
            for d in diff
        ],
    )


@router.post(
    "/v1/proposals/{proposal_id}/state",
    operation_id="proposals-move",
    summary="Submit or withdraw a proposal",
    description="`draft → submitted`, and withdrawal from either; votes move it on "
    "(`voting → adopted | rejected`). Needs `If-Match`.",
    response_model=s.Proposal,
    responses=problem_responses(
        401,
        403,
        404,
        409,
        412,
        428,
        slugs={
            403: ["not-group-member"],
            409: ["invalid-transition", "not-sitting", "vote-in-progress"],
        },
    ),
)
async def move(
    proposal_id: ProposalId,
    body: s.ProposalMove,
    response: Response,
    principal: Annotated[Principal, Depends(drafters)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.Proposal:
    proposal, _ = await service.get(proposal_id, uow=uow)
    await service.require_drafter(proposal.working_group_id, author(principal), _today(), uow=uow)
    await service.move(proposal_id, body.to, if_match=if_match, now=datetime.now(UTC), uow=uow)
    row, current = await service.get(proposal_id, uow=uow)
    response.headers["ETag"] = etag_of(row.version)
    return proposal_view(row, current)


def amendment_view(row: records.Amendment) -> s.Amendment:
    return s.Amendment.model_validate(row, from_attributes=True)


@router.post(
    "/v1/proposals/{proposal_id}/amendments",
    operation_id="amendments-create",
    summary="Propose an amendment",
    description="To the current version of a submitted proposal: replace, insert or delete "
    "a numbered paragraph, or the whole text, by a member who sits in the assembly (or a "
    "facilitator or operator). Voted on before the final vote. When another amendment to "
    "the same version is accepted, this one `lapsed`: redraft it on the new version.",
    status_code=status.HTTP_201_CREATED,
    response_model=s.Amendment,
    responses=problem_responses(
        401,
        403,
        404,
        409,
        422,
        slugs={
            409: ["not-sitting", "proposal-locked", "stale-version"],
            422: [
                "no-such-version",
                "no-such-paragraph",
                "empty-amendment",
                "conflicting-changes",
                "empty-text",
                "invalid-text",
            ],
        },
    ),
)
async def amend(
    proposal_id: ProposalId,
    body: s.AmendmentIn,
    response: Response,
    principal: Annotated[Principal, Depends(drafters)],
    uow: Tx,
) -> s.Amendment:
    row = await service.amend(
        proposal_id, body.values(), author=author(principal), today=_today(), uow=uow
    )
    response.headers["ETag"] = etag_of(row.version)
    return amendment_view(row)


@router.get(
    "/v1/proposals/{proposal_id}/amendments",
    operation_id="amendments-list",
    summary="A proposal's amendments",
    description="Oldest first, each with its target version, change, state (`proposed`, `voting`, "
    "`accepted`, `rejected`, `withdrawn`, `lapsed`), author and version.",
    response_model=list[s.Amendment],
    responses=problem_responses(401, 403, 404),
)
async def amendments(
    proposal_id: ProposalId, _: Annotated[Principal, Depends(readers)], uow: ReadTx
) -> list[s.Amendment]:
    return [amendment_view(a) for a in await service.amendments_of(proposal_id, uow=uow)]


@router.get(
    "/v1/proposals/{proposal_id}/amendments/{amendment_id}",
    operation_id="amendments-get",
    summary="One amendment",
    description="With its state and, as `ETag`, its version (withdrawing it needs it).",
    response_model=s.Amendment,
    responses=problem_responses(401, 403, 404),
)
async def amendment(
    proposal_id: ProposalId,
    amendment_id: AmendmentId,
    response: Response,
    _: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
) -> s.Amendment:
    row = await service.amendment_of(proposal_id, amendment_id, uow=uow)
    response.headers["ETag"] = etag_of(row.version)
    return amendment_view(row)


@router.post(
    "/v1/proposals/{proposal_id}/amendments/{amendment_id}/withdrawal",
    operation_id="amendments-withdraw",
    summary="Withdraw an amendment",
    description="Before its vote, by its author or a facilitator or operator. Needs "
    "`If-Match` (the amendment's `ETag`).",
    response_model=s.Amendment,
    responses=problem_responses(
        401, 403, 404, 409, 412, 428, slugs={403: ["not-author"], 409: ["invalid-transition"]}
    ),
)
async def withdraw(
    proposal_id: ProposalId,
    amendment_id: AmendmentId,
    response: Response,
    principal: Annotated[Principal, Depends(drafters)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.Amendment:
    row = await service.withdraw_amendment(
        proposal_id, amendment_id, author=author(principal), if_match=if_match, uow=uow
    )
    response.headers["ETag"] = etag_of(row.version)
    return amendment_view(row)
