"""A round's pool (standalone import) and the feasibility of its quotas."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from common.auth import Principal, require_roles
from common.errors import Invalid
from common.http.deps import ReadTx, Tx
from common.http.problems import problem_responses
from sortition.service import pool as service

router = APIRouter(prefix="/v1/rounds", tags=["pool"])
read_roles = require_roles("operator", "auditor")
operator = require_roles("operator")
MAX_BYTES = 50_000_000

RoundId = Annotated[uuid.UUID, Path(description="The round's id.")]


class PoolSummary(BaseModel):
    respondents: int = Field(examples=[1000])
    households_rule: bool = Field(description="Whether at most one per household may sit.")
    by_feature: dict[str, dict[str, int]] = Field(
        examples=[{"gender": {"F": 512, "M": 488}}],
        description="How many respondents have each value. Counts only, no ids.",
    )


class Relaxation(BaseModel):
    feature: str
    value: str
    min: int
    max: int
    relaxed_min: int
    relaxed_max: int
    available: int = Field(description="Respondents in the pool with this value.")


class FeasibilityReport(BaseModel):
    feasible: bool
    relaxed_seats: int = Field(description="Seats the smallest relaxation moves, in all.")
    relaxations: list[Relaxation] = Field(
        description="The quotas in conflict with the pool and how little to relax them."
    )
    detail: str | None = Field(
        default=None, description="Why no relaxation of the quotas helps, when none does."
    )


@router.put(
    "/{round_id}/pool",
    operation_id="rounds-pool-import",
    summary="Import a round's pool from CSV",
    description=(
        "For standalone use: the Sortition Foundation's people CSV (an id column and one "
        "column per feature of the quotas; optionally a household column), as `text/csv`. "
        "Replaces the pool. Every value must be one of the quotas' values: an unknown value "
        "is a 422 naming the row. Pseudonymous ids only: names and contacts never reach "
        "sortition. Set the quotas first."
    ),
    response_model=PoolSummary,
    responses=problem_responses(401, 403, 404, 409, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "id,gender,municipio\np1,F,M1\n",
                }
            },
        }
    },
)
async def import_pool(
    round_id: RoundId,
    request: Request,
    _: Annotated[Principal, Depends(operator)],
    uow: Tx,
    id_column: Annotated[str, Query(min_length=1, max_length=100)] = "id",
    household_column: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
) -> PoolSummary:
    body = await request.body()
    if len(body) > MAX_BYTES:
        raise Invalid("The pool is larger than 50 MB.", slug="payload-too-large")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("The CSV is not UTF-8.", slug="invalid-people-csv") from exc
    result = await service.import_pool(
        round_id, text, id_column=id_column, household_column=household_column, uow=uow
    )
    return PoolSummary(**result)


@router.get(
    "/{round_id}/pool",
    operation_id="rounds-pool-summary",
    summary="Summarise a round's pool",
    description="Counts by feature value of the respondents so far (also while there are "
    "too few to fill a panel); no ids.",
    response_model=PoolSummary,
    responses=problem_responses(401, 403, 404, 409),
)
async def pool_summary(
    round_id: RoundId,
    _: Annotated[Principal, Depends(read_roles)],
    uow: ReadTx,
) -> PoolSummary:
    return PoolSummary(**await service.count_pool(round_id, uow=uow))


@router.get(
    "/{round_id}/feasibility",
    operation_id="rounds-feasibility",
    summary="Can a panel meet the quotas with this pool?",
    description=(
        "Checks, before any draw, whether some panel meets every quota with this pool (and "
        "at most one per household). If not, names the quotas in conflict and the smallest "
        "relaxation that makes the round feasible, found by an integer program."
    ),
    response_model=FeasibilityReport,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def feasibility(
    round_id: RoundId,
    _: Annotated[Principal, Depends(read_roles)],
    uow: ReadTx,
) -> FeasibilityReport:
    result = await service.feasibility(round_id, uow=uow)
    return FeasibilityReport(
        feasible=result.feasible,
        relaxed_seats=result.relaxed_seats,
        relaxations=[
            Relaxation(
                feature=r.quota.feature,
                value=r.quota.value,
                min=r.quota.min,
                max=r.quota.max,
                relaxed_min=r.min,
                relaxed_max=r.max,
                available=result.available[(r.quota.feature, r.quota.value)],
            )
            for r in result.relaxations
        ],
        detail=None
        if result.feasible or result.relaxations
        else "At most one person per household: the pool's households cannot fill the "
        "panel, whatever the quotas.",
    )
