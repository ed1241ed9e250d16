from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field

from common.auth import Principal, require_roles
from common.http.deps import ReadTx, Tx
from common.http.etag import etag_of
from common.http.pagination import Page, PageParams, page_params
from common.http.problems import problem_responses
from common.texts import Text
from responses.adapters import repositories as records
from responses.service import departments as service

public = APIRouter(prefix="/public/v1/departments", tags=["public"])
router = APIRouter(prefix="/v1/departments", tags=["departments"])
read_roles = require_roles("operator", "department", "auditor", "integration")
operator = require_roles("operator")


class DepartmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,31}$", examples=["DIR_TRANSIZIONE_AMBIENTALE"])
    name: Text = Field(
        examples=[{"it": "Direzione Transizione Ambientale", "en": "Environmental Transition"}]
    )


class Department(DepartmentIn):
    id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime


def _view(row: records.Department) -> Department:
    return Department(
        id=row.id,
        code=row.code,
        name=Text(**row.name),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


@router.post(
    "",
    operation_id="departments-create",
    summary="Register a Comune department",
    description="Departments are assigned the response cases. A code already used is a 409.",
    status_code=status.HTTP_201_CREATED,
    response_model=Department,
    responses=problem_responses(401, 403, 409, 422),
)
async def create(
    body: DepartmentIn,
    response: Response,
    _: Annotated[Principal, Depends(operator)],
    uow: Tx,
) -> Department:
    row = await service.add_department(body.code, body.name.model_dump(), uow=uow)
    response.headers["Location"] = f"/v1/departments/{row.id}"
    response.headers["ETag"] = etag_of(row.version)
    return _view(row)


@router.get(
    "",
    operation_id="departments-list",
    summary="List departments",
    response_model=Page[Department],
    responses=problem_responses(401, 403, 422),
)
async def list_(
    params: Annotated[PageParams, Depends(page_params)],
    _: Annotated[Principal, Depends(read_roles)],
    uow: ReadTx,
) -> Page[Department]:
    rows, token = await service.list_departments(params, uow=uow)
    return Page[Department](items=[_view(r) for r in rows], next_page_token=token)


@router.get(
    "/{department_id}",
    operation_id="departments-get",
    summary="Get a department",
    response_model=Department,
    responses=problem_responses(401, 403, 404, 422),
)
async def get(
    department_id: Annotated[uuid.UUID, Path(description="The department's id.")],
    response: Response,
    _: Annotated[Principal, Depends(read_roles)],
    uow: ReadTx,
) -> Department:
    row = await service.get_department(department_id, uow=uow)
    response.headers["ETag"] = etag_of(row.version)
    return _view(row)


class PublicDepartment(BaseModel):
    """A department as the public sees it: who at the Comune answers the assembly."""

    code: str = Field(examples=["DIR_TRANSIZIONE_AMBIENTALE"])
    name: Text


@public.get(
    "",
    operation_id="public-departments-list",
    summary="The Comune's departments, in public",
    description="The Direzioni and Assessorati that answer the assembly's proposals: codes "
    "and names in Italian and English. No token needed.",
    response_model=Page[PublicDepartment],
    responses=problem_responses(422),
)
async def public_list(
    params: Annotated[PageParams, Depends(page_params)],
    uow: ReadTx,
) -> Page[PublicDepartment]:
    rows, token = await service.list_departments(params, uow=uow)
    return Page[PublicDepartment](
        items=[PublicDepartment(code=r.code, name=Text(**r.name)) for r in rows],
        next_page_token=token,
    )
