"""Stipends and refunds: the rules per assembly, the ledger, claims and the payment file."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from common.auth import Principal, require_roles
from common.dates import IsoDate
from common.http.deps import ReadTx, Tx
from common.http.etag import IfMatch, etag_of
from common.http.pagination import Page, PageParams, page_params
from common.http.problems import problem_responses
from common.texts import PersonText
from membership.adapters.repositories import RefundClaim
from membership.api.deps import get_ctx
from membership.context import Context
from membership.service import stipends as service

router = APIRouter(tags=["stipends"])
operator = require_roles("operator")
claimants = require_roles("operator", "member")
AssemblyId = Annotated[uuid.UUID, Path(description="The assembly's id.")]


class RulesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    per_session_cents: int = Field(ge=0, le=100_000, examples=[4400])
    min_minutes: int = Field(
        ge=0, le=24 * 60, examples=[60], description="Minutes present for a session to count."
    )
    term_threshold_percent: int = Field(
        ge=0,
        le=100,
        examples=[70],
        description="Share of the period's sessions a member must attend to be paid.",
    )


class Rules(RulesIn):
    assembly_id: uuid.UUID
    version: int
    set_by: str
    created_at: datetime


class Entry(BaseModel):
    session_id: uuid.UUID
    respondent_id: uuid.UUID
    kind: str
    held_on: date
    minutes: int
    counted: bool
    amount_cents: int
    rules_version: int


class Ledger(BaseModel):
    assembly_id: uuid.UUID
    entries: list[Entry]


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    respondent_id: uuid.UUID
    kind: Literal["travel", "childcare"]
    amount_cents: int = Field(gt=0, le=1_000_000, examples=[1250])
    incurred_on: IsoDate
    session_id: uuid.UUID | None = None
    description: PersonText = Field(max_length=2000, examples=["ATM biglietti A/R"])


class Claim(BaseModel):
    id: uuid.UUID
    respondent_id: uuid.UUID
    assembly_id: uuid.UUID
    session_id: uuid.UUID | None
    kind: str
    amount_cents: int
    incurred_on: date
    description: str
    state: Literal["submitted", "approved", "rejected"]
    submitted_by: str
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    version: int
    created_at: datetime


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    reason: str | None = Field(default=None, max_length=2000)


def _claim(row: RefundClaim) -> Claim:
    return Claim.model_validate(row, from_attributes=True)


@router.get(
    "/v1/assemblies/{assembly_id}/stipend-rules",
    operation_id="stipend-rules-get",
    summary="What the assembly pays per session attended",
    description="The amount per session, the minimum minutes present to count, and the share of a "
    "term's sessions that makes a member eligible.",
    response_model=Rules,
    responses=problem_responses(401, 403, 404),
)
async def get_rules(
    assembly_id: AssemblyId, _: Annotated[Principal, Depends(operator)], uow: Tx
) -> Rules:
    return Rules.model_validate(await service.rules_of(assembly_id, uow=uow), from_attributes=True)


@router.put(
    "/v1/assemblies/{assembly_id}/stipend-rules",
    operation_id="stipend-rules-set",
    summary="Set the amount per session, the minutes that count and the threshold",
    description="A new version; ledger entries keep the version they were recorded by.",
    response_model=Rules,
    responses=problem_responses(401, 403, 404, 422),
)
async def set_rules(
    assembly_id: AssemblyId,
    body: RulesIn,
    principal: Annotated[Principal, Depends(operator)],
    uow: Tx,
) -> Rules:
    row = await service.set_rules(assembly_id, body.model_dump(), actor=principal.subject, uow=uow)
    return Rules.model_validate(row, from_attributes=True)


@router.get(
    "/v1/assemblies/{assembly_id}/stipends",
    operation_id="stipends-ledger",
    summary="The ledger: sessions attended, minutes, amounts",
    description="Filled from deliberation's `deliberation.attendance.recorded.v1`.",
    response_model=Ledger,
    responses=problem_responses(401, 403, 404, 422),
)
async def ledger(
    assembly_id: AssemblyId,
    _: Annotated[Principal, Depends(operator)],
    uow: ReadTx,
    from_: Annotated[IsoDate, Query(alias="from")],
    until: Annotated[IsoDate, Query()],
    respondent_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Ledger:
    rows = await service.ledger(assembly_id, from_, until, respondent_id, uow=uow)
    return Ledger(
        assembly_id=assembly_id,
        entries=[Entry.model_validate(r, from_attributes=True) for r in rows],
    )


@router.get(
    "/v1/assemblies/{assembly_id}/stipends/payments.csv",
    operation_id="stipends-payments",
    summary="The payment office's file",
    description="Per member: sessions counted, attendance share, eligibility, stipend, "
    "approved refunds and the total, with names. Operators only; every download is "
    "recorded.",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {"text/csv": {}}, "description": "The payments."},
        **problem_responses(401, 403, 404, 422),
    },
)
async def payments(
    assembly_id: AssemblyId,
    principal: Annotated[Principal, Depends(operator)],
    uow: Tx,
    ctx: Annotated[Context, Depends(get_ctx)],
    from_: Annotated[IsoDate, Query(alias="from")],
    until: Annotated[IsoDate, Query()],
) -> Response:
    body = await service.payments_csv(
        assembly_id, from_, until, actor=principal.subject, ctx=ctx, uow=uow
    )
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="payments-{from_}-{until}.csv"'},
    )


@router.post(
    "/v1/refund-claims",
    operation_id="refund-claims-create",
    summary="Claim a travel or childcare refund",
    description="By the member (for themselves) or an operator; an operator other than "
    "whoever submitted it approves or rejects it.",
    status_code=201,
    response_model=Claim,
    responses=problem_responses(401, 403, 422),
)
async def create_claim(
    body: ClaimIn,
    response: Response,
    principal: Annotated[Principal, Depends(claimants)],
    uow: Tx,
) -> Claim:
    as_member = None if "operator" in principal.roles else principal.subject
    row = await service.claim(
        body.model_dump(), submitted_by=principal.subject, as_member=as_member, uow=uow
    )
    response.headers["ETag"] = etag_of(row.version)
    return _claim(row)


@router.get(
    "/v1/refund-claims",
    operation_id="refund-claims-list",
    summary="Refund claims",
    description="Travel and childcare claims, in pages, with their state and the operator's "
    "decision.",
    response_model=Page[Claim],
    responses=problem_responses(401, 403, 422),
)
async def list_claims(
    params: Annotated[PageParams, Depends(page_params)],
    _: Annotated[Principal, Depends(operator)],
    uow: ReadTx,
    respondent_id: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[Claim]:
    rows, token = await service.claims(params, respondent_id, uow=uow)
    return Page[Claim].of(rows, token)


@router.post(
    "/v1/refund-claims/{claim_id}/decision",
    operation_id="refund-claims-decide",
    summary="Approve or reject a refund claim",
    description="Four eyes: not by whoever submitted it. A rejection says why. Needs `If-Match`.",
    response_model=Claim,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def decide(
    claim_id: Annotated[uuid.UUID, Path()],
    body: Decision,
    response: Response,
    principal: Annotated[Principal, Depends(operator)],
    uow: Tx,
    if_match: IfMatch = None,
) -> Claim:
    row = await service.decide(
        claim_id,
        body.approve,
        body.reason,
        actor=principal.subject,
        now=datetime.now(UTC),
        if_match=if_match,
        uow=uow,
    )
    response.headers["ETag"] = etag_of(row.version)
    return _claim(row)
