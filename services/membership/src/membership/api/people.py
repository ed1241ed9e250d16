"""People and members: the lifecycle, and personal data for operators only (every read
recorded), the right of access and erasure."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from common.auth import Principal, require_roles
from common.http.deps import ReadTx, Tx
from common.http.etag import IfMatch, etag_of
from common.http.pagination import Page, PageParams, page_params
from common.http.problems import problem_responses
from membership.api.deps import get_ctx
from membership.context import Context
from membership.domain import lifecycle as states
from membership.service import lifecycle
from membership.service import people as service

router = APIRouter(tags=["people"])
operator = require_roles("operator")
read_roles = require_roles("operator", "auditor")

RespondentId = Annotated[uuid.UUID, Path(description="The person's pseudonymous id.")]
State = states.State


class Person(BaseModel):
    """Pseudonymous: no name, contact or date of birth."""

    respondent_id: uuid.UUID
    round_id: uuid.UUID
    assembly_id: uuid.UUID
    state: State
    version: int
    features: dict[str, str]
    channel: str
    reply_by: date | None
    term_starts_on: date | None
    term_ends_on: date | None
    registered_at: datetime
    erased: bool


class PersonalData(BaseModel):
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    date_of_birth: date
    accessibility_needs: str | None
    availability: list[str]


class PersonWithData(Person):
    personal: PersonalData | None = Field(description="Null once erased.")


def _person(row: Any) -> dict[str, Any]:
    return {
        "respondent_id": row.respondent_id,
        "round_id": row.round_id,
        "assembly_id": row.assembly_id,
        "state": row.state,
        "version": row.version,
        "features": row.features,
        "channel": row.channel,
        "reply_by": row.reply_by,
        "term_starts_on": row.term_starts_on,
        "term_ends_on": row.term_ends_on,
        "registered_at": row.registered_at,
        "erased": row.erased_at is not None,
    }


@router.get(
    "/v1/people",
    operation_id="people-list",
    summary="List registered people",
    description="Pseudonymous rows, oldest registration first; filter by round and state.",
    response_model=Page[Person],
    responses=problem_responses(401, 403, 422),
)
async def list_people(
    params: Annotated[PageParams, Depends(page_params)],
    _: Annotated[Principal, Depends(read_roles)],
    uow: ReadTx,
    round_id: uuid.UUID | None = None,
    state: Annotated[State | None, Query(description="A lifecycle state.")] = None,
) -> Page[Person]:
    rows, token = await service.list_people(params, round_id=round_id, state=state, uow=uow)
    return Page[Person](items=[Person(**_person(r)) for r in rows], next_page_token=token)


@router.get(
    "/v1/people/{respondent_id}",
    operation_id="people-get",
    summary="Read a person, with their personal data",
    description="Operators only. The read is recorded (who, when, which person). The "
    "`ETag` is what `If-Match` needs for a transition.",
    response_model=PersonWithData,
    responses=problem_responses(401, 403, 404),
)
async def get_person(
    respondent_id: RespondentId,
    response: Response,
    principal: Annotated[Principal, Depends(operator)],
    uow: Tx,
    ctx: Annotated[Context, Depends(get_ctx)],
) -> PersonWithData:
    row, personal = await service.read_person(
        respondent_id, actor=principal.subject, ctx=ctx, uow=uow
    )
    response.headers["ETag"] = etag_of(row.version)
    return PersonWithData(**_person(row), personal=personal)


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: State = Field(examples=["confirmed"])
    reason: str | None = Field(
        default=None,
        max_length=500,
        description="Why, in the operator's words. Sealed like the personal fields (it may "
        "say anything about the person) and shown to operators only.",
        examples=["confirmed by phone"],
    )


class Transition(BaseModel):
    from_state: str | None
    to_state: str
    actor: str
    reason: str | None = Field(
        description="The system's own reason (`the draw`, `replaces …`), when it made the step."
    )
    note: str | None = Field(description="What the operator wrote: for operators only.")
    note_withheld: bool = Field(
        description="True when there is a note that this caller's role may not read."
    )
    at: datetime


@router.post(
    "/v1/people/{respondent_id}/transitions",
    operation_id="people-transition",
    summary="Move a person along the lifecycle",
    description=(
        "registered → selected or reserve → contacted → confirmed / declined / unreachable "
        "→ trained → active → completed; withdrawn at any point after confirmation. An "
        "invalid step is a 409 naming the allowed ones. Needs `If-Match`. Declining, "
        "unreachable and withdrawal make sortition draw a replacement; activation and the "
        "end of a term are announced to deliberation. Selection, the start and the end of "
        "terms and the reply deadline also happen by themselves (events and calendar)."
    ),
    response_model=Person,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def transition(
    respondent_id: RespondentId,
    body: TransitionIn,
    response: Response,
    principal: Annotated[Principal, Depends(operator)],
    uow: Tx,
    ctx: Annotated[Context, Depends(get_ctx)],
    if_match: IfMatch = None,
) -> Person:
    row = await lifecycle.transition(
        respondent_id,
        body.to,
        note=body.reason,
        actor=principal.subject,
        if_match=if_match,
        ctx=ctx,
        uow=uow,
    )
    response.headers["ETag"] = etag_of(row.version)
    return Person(**_person(row))


@router.get(
    "/v1/people/{respondent_id}/history",
    operation_id="people-history",
    summary="A person's lifecycle history",
    description="Every transition, oldest first: from, to, who, when and why. What an "
    "operator wrote is shown to operators only (auditors see that a note exists).",
    response_model=Page[Transition],
    responses=problem_responses(401, 403, 404, 422),
)
async def history(
    respondent_id: RespondentId,
    params: Annotated[PageParams, Depends(page_params)],
    principal: Annotated[Principal, Depends(read_roles)],
    uow: ReadTx,
    ctx: Annotated[Context, Depends(get_ctx)],
) -> Page[Transition]:
    steps, token = await lifecycle.history(
        respondent_id,
        params,
        open_notes=principal.has_any({"operator"}),
        ctx=ctx,
        uow=uow,
    )
    return Page[Transition](
        items=[
            Transition(
                from_state=s.from_state,
                to_state=s.to_state,
                actor=s.actor,
                reason=s.reason,
                note=s.note,
                note_withheld=s.note_withheld,
                at=s.at,
            )
            for s in steps
        ],
        next_page_token=token,
    )


@router.get(
    "/v1/people/{respondent_id}/export",
    operation_id="people-access-export",
    summary="Everything held about a person (right of access)",
    description="Personal data, features, consents, history and the record of reads. "
    "Operators only; recorded.",
    response_model=dict[str, Any],
    responses=problem_responses(401, 403, 404),
)
async def access_export(
    respondent_id: RespondentId,
    principal: Annotated[Principal, Depends(operator)],
    uow: Tx,
    ctx: Annotated[Context, Depends(get_ctx)],
) -> dict[str, Any]:
    return await service.access_export(respondent_id, actor=principal.subject, ctx=ctx, uow=uow)


class ErasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500, examples=["request by e-mail, 2027-02-01"])


@router.post(
    "/v1/people/{respondent_id}/erasure",
    operation_id="people-erase",
    summary="Erase a person's personal data",
    description=(
        "On the person's request. The personal fields go for good, with every note "
        "operators wrote about the person; the pseudonymous id, the features and the "
        "history stay. Publishes `membership.person.erased.v1`. 409 `member-sitting` for "
        "a sitting member (record the withdrawal first), 409 `already-erased` when done."
    ),
    response_model=Person,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def erase(
    respondent_id: RespondentId,
    body: ErasureIn,
    principal: Annotated[Principal, Depends(operator)],
    uow: Tx,
    ctx: Annotated[Context, Depends(get_ctx)],
) -> Person:
    row = await service.erase(
        respondent_id, actor=principal.subject, reason=body.reason, ctx=ctx, uow=uow
    )
    return Person(**_person(row))


class Read(BaseModel):
    actor: str
    respondent_id: uuid.UUID | None
    round_id: uuid.UUID | None
    action: str = Field(examples=["read", "access-export", "erase"])
    note: str | None = Field(description="An erasure's reason as written: operators only.")
    note_withheld: bool
    at: datetime


@router.get(
    "/v1/personal-data-reads",
    operation_id="personal-data-reads",
    summary="The record of reads of personal data",
    description="Oldest first, a page at a time: who read, exported, erased or downloaded "
    "what, and when. Filter by person with `respondent_id`.",
    response_model=Page[Read],
    responses=problem_responses(401, 403, 422),
)
async def reads(
    params: Annotated[PageParams, Depends(page_params)],
    principal: Annotated[Principal, Depends(read_roles)],
    uow: ReadTx,
    ctx: Annotated[Context, Depends(get_ctx)],
    respondent_id: uuid.UUID | None = None,
) -> Page[Read]:
    rows, token = await service.reads(
        respondent_id, params, open_notes=principal.has_any({"operator"}), ctx=ctx, uow=uow
    )
    return Page[Read](
        items=[Read(**vars(r)) for r in rows],
        next_page_token=token,
    )


class KeyUsage(BaseModel):
    current_key_id: str
    configured_key_ids: list[str]
    values_by_key_id: dict[str, int] = Field(
        description="Sealed values per key: an old key may be removed once it holds none."
    )


@router.get(
    "/v1/personal-data-keys",
    operation_id="personal-data-keys",
    summary="Which keys seal the personal data",
    description="For key rotation: key ids (fingerprints, never keys) and their use.",
    response_model=KeyUsage,
    responses=problem_responses(401, 403),
)
async def key_usage(
    _: Annotated[Principal, Depends(operator)],
    uow: ReadTx,
    ctx: Annotated[Context, Depends(get_ctx)],
) -> KeyUsage:
    usage = await service.key_usage(uow=uow)
    return KeyUsage(
        current_key_id=ctx.cipher.current_key_id,
        configured_key_ids=ctx.cipher.key_ids,
        values_by_key_id=usage,
    )
