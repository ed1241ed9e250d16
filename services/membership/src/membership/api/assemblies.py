from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status
from pydantic import BaseModel, ConfigDict, Field

from common.auth import Principal, require_roles
from common.dates import IsoDate
from common.http.deps import ReadTx, Tx
from common.http.etag import IfMatch, etag_of
from common.http.pagination import Page, PageParams, page_params
from common.http.problems import problem_responses
from common.texts import Text
from membership.adapters import repositories as records
from membership.domain.assemblies import RotationPolicy
from membership.service import assemblies as service

router = APIRouter(prefix="/v1/assemblies", tags=["assemblies"])
read_roles = require_roles("operator", "facilitator", "auditor", "integration")
operator = require_roles("operator")


class Rotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cohort_size: int = Field(ge=1, le=1000, examples=[90])
    cohort_interval_months: int = Field(ge=1, le=60, examples=[12])
    term_months: int = Field(ge=1, le=120, examples=[12])
    training_weeks: int = Field(default=2, ge=0, le=52, examples=[2])
    first_cohort_starts_on: IsoDate | None = Field(
        default=None,
        ge=date(2000, 1, 1),
        le=date(2100, 12, 31),
        description=(
            "The first day of the first cohort's term. The calendar, the automatic start "
            "and end of terms and rotation-aware quotas need it."
        ),
        examples=["2027-01-11"],
    )
    cohorts: int | None = Field(
        default=None,
        ge=1,
        le=999,
        description=(
            "How many cohorts the body has in all, after which it ends (the 2022–23 pilot: "
            "2). Unset, the rotation goes on."
        ),
        examples=[2],
    )


class AssemblyIn(BaseModel):
    """An assembly's configuration. The cohorts sitting at once must fill the seats exactly."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": {
                        "it": "Assemblea permanente sul clima",
                        "en": "Permanent climate assembly",
                    },
                    "seats": 90,
                    "min_age": 16,
                    "rotation": {
                        "cohort_size": 45,
                        "cohort_interval_months": 3,
                        "term_months": 6,
                        "training_weeks": 2,
                        "first_cohort_starts_on": "2027-01-11",
                        "cohorts": 2,
                    },
                }
            ]
        },
    )

    name: Text
    seats: int = Field(ge=1, le=1000, examples=[90])
    min_age: int = Field(default=16, ge=14, le=120, examples=[16])
    rotation: Rotation

    def command(self) -> service.ConfigureAssembly:
        return service.ConfigureAssembly(
            name=self.name.model_dump(),
            seats=self.seats,
            min_age=self.min_age,
            rotation=RotationPolicy(**self.rotation.model_dump()),
        )


class Assembly(AssemblyIn):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID
    version: int = Field(description="Increases on every change; the ETag carries it.")
    created_at: datetime
    updated_at: datetime


def _view(row: records.Assembly) -> Assembly:
    return Assembly(
        id=row.id,
        name=Text(**row.name),
        seats=row.seats,
        min_age=row.min_age,
        rotation=Rotation(**asdict(service.policy_of(row))),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


AssemblyId = Annotated[uuid.UUID, Path(description="The assembly's id.")]


@router.post(
    "",
    operation_id="assemblies-create",
    summary="Configure a new assembly",
    description="Seats, minimum age and rotation policy. Publishes "
    "`membership.assembly.configured.v1`. Accepts an `Idempotency-Key`.",
    status_code=status.HTTP_201_CREATED,
    response_model=Assembly,
    responses=problem_responses(401, 403, 409, 422),
)
async def create(
    body: AssemblyIn,
    response: Response,
    _: Annotated[Principal, Depends(operator)],
    uow: Tx,
) -> Assembly:
    row = await service.create_assembly(body.command(), uow=uow)
    response.headers["Location"] = f"/v1/assemblies/{row.id}"
    response.headers["ETag"] = etag_of(row.version)
    return _view(row)


@router.get(
    "",
    operation_id="assemblies-list",
    summary="List assemblies",
    description="Oldest first, a page at a time.",
    response_model=Page[Assembly],
    responses=problem_responses(401, 403, 422),
)
async def list_(
    params: Annotated[PageParams, Depends(page_params)],
    _: Annotated[Principal, Depends(read_roles)],
    uow: ReadTx,
) -> Page[Assembly]:
    rows, token = await service.list_assemblies(params, uow=uow)
    return Page[Assembly](items=[_view(r) for r in rows], next_page_token=token)


@router.get(
    "/{assembly_id}",
    operation_id="assemblies-get",
    summary="Get an assembly",
    description="The `ETag` header is what `If-Match` needs to change it.",
    response_model=Assembly,
    responses=problem_responses(401, 403, 404, 422),
)
async def get(
    assembly_id: AssemblyId,
    response: Response,
    _: Annotated[Principal, Depends(read_roles)],
    uow: ReadTx,
) -> Assembly:
    row = await service.get_assembly(assembly_id, uow=uow)
    response.headers["ETag"] = etag_of(row.version)
    return _view(row)


@router.put(
    "/{assembly_id}",
    operation_id="assemblies-replace",
    summary="Change an assembly's configuration",
    description="Replaces the configuration. Needs `If-Match` with the current `ETag` "
    "(428 without it, 412 if someone changed it meanwhile).",
    response_model=Assembly,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def replace(
    assembly_id: AssemblyId,
    body: AssemblyIn,
    response: Response,
    _: Annotated[Principal, Depends(operator)],
    uow: Tx,
    if_match: IfMatch = None,
) -> Assembly:
    row = await service.update_assembly(assembly_id, body.command(), if_match=if_match, uow=uow)
    response.headers["ETag"] = etag_of(row.version)
    return _view(row)
