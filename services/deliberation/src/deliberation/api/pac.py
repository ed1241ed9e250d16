from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field

from common.auth import Principal, require_roles
from common.http.deps import ReadTx, Tx
from common.http.etag import etag_of
from common.http.pagination import Page, PageParams, page_params, record_page
from common.http.problems import problem_responses
from common.texts import Text
from deliberation.adapters import repositories as records
from deliberation.service import pac as service

CODE_PATTERN = r"^[1-9](\.[1-9][0-9]?){1,2}$"
router = APIRouter(prefix="/v1/pac-actions", tags=["pac"])
public = APIRouter(prefix="/public/v1/pac-actions", tags=["public"])
operator = require_roles("operator")


class PacActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        pattern=CODE_PATTERN,
        examples=["4.2.1"],
        description="The action's code in the PAC: ambito, line, action.",
    )
    title: Text


class PacAction(PacActionIn):
    id: uuid.UUID
    ambito: int = Field(ge=1, le=5, examples=[4])
    version: int
    created_at: datetime
    updated_at: datetime


def _view(row: records.PacAction) -> PacAction:
    return PacAction(
        id=row.id,
        code=row.code,
        ambito=row.ambito,
        title=Text(**row.title),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


Code = Annotated[str, Path(pattern=CODE_PATTERN, description="The action's PAC code.")]


@router.post(
    "",
    operation_id="pac-actions-create",
    summary="Add an action to the PAC catalogue",
    description="Proposals link to these actions. A code already present is a 409.",
    status_code=status.HTTP_201_CREATED,
    response_model=PacAction,
    responses=problem_responses(401, 403, 409, 422),
)
async def create(
    body: PacActionIn,
    response: Response,
    _: Annotated[Principal, Depends(operator)],
    uow: Tx,
) -> PacAction:
    row = await service.add_action(body.code, body.title.model_dump(), uow=uow)
    response.headers["Location"] = f"/public/v1/pac-actions/{row.code}"
    response.headers["ETag"] = etag_of(row.version)
    return _view(row)


@public.get(
    "",
    operation_id="public-pac-actions-list",
    summary="The PAC actions catalogue",
    description="Anonymous: every action of the Piano Aria e Clima, in Italian and English.",
    response_model=Page[PacAction],
    responses=problem_responses(422),
)
async def list_(
    params: Annotated[PageParams, Depends(page_params)],
    uow: ReadTx,
) -> Response:
    rows, token = await service.list_actions(params, uow=uow)
    return record_page(rows, token, record=records.PacAction, item=PacAction)


@public.get(
    "/{code}",
    operation_id="public-pac-actions-get",
    summary="One PAC action",
    response_model=PacAction,
    responses=problem_responses(404, 422),
)
async def get(code: Code, response: Response, uow: ReadTx) -> PacAction:
    row = await service.get_action(code, uow=uow)
    response.headers["ETag"] = etag_of(row.version)
    return _view(row)
