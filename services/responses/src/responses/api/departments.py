from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status
from pydantic import BaseModel, Field, TypeAdapter

from common.auth import Principal, require_roles
from common.http.deps import ReadTx, Tx
from common.http.etag import etag_of
from common.http.imports import check_size, csv_records, validated
from common.http.pagination import Page, PageParams, page_params
from common.http.problems import problem_responses
from common.texts import Text
from responses.adapters import repositories as records
from responses.api.schemas import Department, DepartmentIn, ImportSummary
from responses.service import departments as service

public = APIRouter(prefix="/public/v1/departments", tags=["public"])
router = APIRouter(prefix="/v1/departments", tags=["departments"])
read_roles = require_roles("operator", "department", "auditor", "integration")
operator = require_roles("operator")


def _view(row: records.Department) -> Department:
    return Department(
        id=row.id,
        code=row.code,
        name=Text(**row.name),
        kind=row.kind,
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
    row = await service.add_department(body.code, body.name.model_dump(), body.kind, uow=uow)
    response.headers["Location"] = f"/v1/departments/{row.id}"
    response.headers["ETag"] = etag_of(row.version)
    return _view(row)


ROWS = TypeAdapter(list[DepartmentIn])


def _rows(body: bytes, media_type: str) -> list[DepartmentIn]:
    """The rows of a JSON array or of a CSV (``code,kind,name_it,name_en``); a bad row
    is a 422 naming it (rows numbered from 1)."""
    check_size(body)
    if media_type != "text/csv":
        return validated(ROWS, body, slug="invalid-department")
    records = [
        {"code": r["code"], "kind": r["kind"], "name": {"it": r["name_it"], "en": r["name_en"]}}
        for r in csv_records(body, ("code", "kind", "name_it", "name_en"))
    ]
    return validated(ROWS, records, slug="invalid-department")


@router.post(
    "/import",
    operation_id="departments-import",
    summary="Import the catalogue of departments (JSON or CSV)",
    description="All or nothing: a JSON array of departments, or `text/csv` with the "
    "columns `code,kind,name_it,name_en`. New codes are added, known ones renamed; no "
    "code may appear twice. A bad row is a 422 that names it.",
    response_model=ImportSummary,
    responses=problem_responses(401, 403, 415, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/DepartmentIn"},
                    },
                    "example": [
                        {
                            "code": "DIR_MOBILITA",
                            "kind": "direzione",
                            "name": {"it": "Direzione Mobilità", "en": "Mobility"},
                        }
                    ],
                },
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": (
                        "code,kind,name_it,name_en\nDIR_VERDE,direzione,Direzione Verde,Green\n"
                    ),
                },
            },
        }
    },
)
async def import_(
    request: Request,
    _: Annotated[Principal, Depends(operator)],
    uow: Tx,
) -> ImportSummary:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    rows = _rows(await request.body(), media_type)
    counts = await service.import_departments(
        [(r.code, r.name.model_dump(), r.kind) for r in rows], uow=uow
    )
    return ImportSummary(**counts)


@router.get(
    "",
    operation_id="departments-list",
    summary="List departments",
    description="In pages, each with its code, kind and names in Italian and English.",
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
    description="Its code, kind and names in Italian and English.",
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
