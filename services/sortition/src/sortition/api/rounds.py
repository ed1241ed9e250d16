from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field

from common.auth import Principal, require_roles
from common.http.deps import ReadTx, Tx
from common.http.etag import etag_of
from common.http.pagination import Page, PageParams, page_params
from common.http.problems import problem_responses
from sortition.service import rounds as service

router = APIRouter(prefix="/v1/rounds", tags=["rounds"])
public = APIRouter(prefix="/public/v1/rounds", tags=["public"])
read_roles = require_roles("operator", "auditor", "integration")
operator = require_roles("operator")


class RoundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assembly_id: uuid.UUID = Field(description="An assembly configured in membership.")
    cohort: str = Field(
        min_length=1,
        max_length=64,
        examples=["2027-01"],
        description=(
            "The cohort this round selects: the month its term starts (`2027-01`) or its "
            "number in the assembly's calendar (`3`). Kept as the month when the calendar "
            "is known, so that one cohort has one open round whatever the spelling. A bare "
            "year (`2027`) is refused as ambiguous."
        ),
    )
    panel_size: int = Field(
        ge=1,
        le=1000,
        examples=[90],
        description="The cohort's seats: the assembly's `rotation.cohort_size`.",
    )


class Round(RoundIn):
    id: uuid.UUID
    status: service.RoundStatus = Field(
        description="`open` while quotas and pool may change; `committed` once the pool, "
        "the quotas and the seed's hash are fixed; `drawn` once the panel is selected."
    )
    version: int
    created_at: datetime
    updated_at: datetime


def _view(row: Any) -> Round:
    return Round.model_validate(row, from_attributes=True)


@router.post(
    "",
    operation_id="rounds-create",
    summary="Open a selection round",
    description="Opens a round for a cohort of a known assembly. Publishes "
    "`sortition.round.opened.v1`. Accepts an `Idempotency-Key`.",
    status_code=status.HTTP_201_CREATED,
    response_model=Round,
    responses=problem_responses(401, 403, 409, 422),
)
async def create(
    body: RoundIn,
    response: Response,
    _: Annotated[Principal, Depends(operator)],
    uow: Tx,
) -> Round:
    row = await service.open_round(
        service.OpenRound(
            assembly_id=body.assembly_id, cohort=body.cohort, panel_size=body.panel_size
        ),
        uow=uow,
    )
    response.headers["Location"] = f"/v1/rounds/{row.id}"
    response.headers["ETag"] = etag_of(row.version)
    return _view(row)


@router.get(
    "",
    operation_id="rounds-list",
    summary="List selection rounds",
    description="Oldest first, a page at a time.",
    response_model=Page[Round],
    responses=problem_responses(401, 403, 422),
)
async def list_(
    params: Annotated[PageParams, Depends(page_params)],
    _: Annotated[Principal, Depends(read_roles)],
    uow: ReadTx,
) -> Page[Round]:
    rows, token = await service.list_rounds(params, uow=uow)
    return Page[Round](items=[_view(r) for r in rows], next_page_token=token)


@router.get(
    "/{round_id}",
    operation_id="rounds-get",
    summary="Get a selection round",
    description="Its assembly, the cohort it fills, the panel's size and its status.",
    response_model=Round,
    responses=problem_responses(401, 403, 404, 422),
)
async def get(
    round_id: Annotated[uuid.UUID, Path(description="The round's id.")],
    response: Response,
    _: Annotated[Principal, Depends(read_roles)],
    uow: ReadTx,
) -> Round:
    row = await service.get_round(round_id, uow=uow)
    response.headers["ETag"] = etag_of(row.version)
    return _view(row)


@public.get(
    "",
    operation_id="public-rounds-list",
    summary="Public list of selection rounds",
    description="Anonymous: the rounds and their panel sizes. No personal data.",
    response_model=Page[Round],
    responses=problem_responses(422),
)
async def public_list(
    params: Annotated[PageParams, Depends(page_params)],
    uow: ReadTx,
) -> Page[Round]:
    rows, token = await service.list_rounds(params, uow=uow)
    return Page[Round](items=[_view(r) for r in rows], next_page_token=token)
