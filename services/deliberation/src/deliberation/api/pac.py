from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from common.auth import Principal, require_roles
from common.http.deps import ReadTx, Tx
from common.http.etag import etag_of
from common.http.imports import check_size, csv_records, validated
from common.http.pagination import Page, PageParams, page_params, record_page
from common.http.problems import problem_responses
from common.texts import Text
from deliberation.adapters import repositories as records
from deliberation.api.schemas import CODE_PATTERN
from deliberation.service import pac as service

router = APIRouter(prefix="/v1/pac-actions", tags=["pac"])
public = APIRouter(prefix="/public/v1/pac-actions", tags=["public"])
catalogue_router = APIRouter(prefix="/v1/pac", tags=["pac"])
catalogue_public = APIRouter(prefix="/public/v1/pac", tags=["public"])
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
    objective: str = Field(examples=["4.2"], description="The objective's code (a.o).")
    version: int
    created_at: datetime
    updated_at: datetime


def _view(row: records.PacAction) -> PacAction:
    return PacAction(
        id=row.id,
        code=row.code,
        ambito=row.ambito,
        objective=row.objective,
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
    responses=problem_responses(
        401, 403, 409, 422, slugs={409: ["action-exists"], 422: ["invalid-pac-code"]}
    ),
)
async def create(
    body: PacActionIn,
    response: Response,
    principal: Annotated[Principal, Depends(operator)],
    uow: Tx,
) -> PacAction:
    row = await service.add_action(
        body.code, body.title.model_dump(), actor=principal.subject, uow=uow
    )
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
    description="An action of the Piano Aria e Clima by its code (`a.o.n`), with its ambito, "
    "objective, titles in Italian and English and the catalogue version.",
    response_model=PacAction,
    responses=problem_responses(404, 422),
)
async def get(code: Code, response: Response, uow: ReadTx) -> PacAction:
    row = await service.get_action(code, uow=uow)
    response.headers["ETag"] = etag_of(row.version)
    return _view(row)


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(
        pattern=r"^[1-5](\.[1-9][0-9]?){0,2}$",
        examples=["4.2"],
        description="An ambito (4), an objective (4.2) or an action (4.2.1).",
    )
    title: Text = Field(
        examples=[
            {
                "it": "Raffrescamento urbano e riduzione del fenomeno isola di calore",
                "en": "Urban cooling and reduction of the heat island effect",
            }
        ]
    )


class ImportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entries: list[EntryIn] = Field(min_length=1, max_length=1000)


class ImportSummary(BaseModel):
    created: int = Field(examples=[40])
    updated: int = Field(examples=[2])
    unchanged: int = Field(examples=[12])


ENTRIES = TypeAdapter(ImportIn)


def _import_rows(body: bytes, media_type: str) -> list[tuple[str, Text]]:
    check_size(body)
    if media_type == "text/csv":
        records = {
            "entries": [
                {"code": r["code"], "title": {"it": r["title_it"], "en": r["title_en"]}}
                for r in csv_records(body, ("code", "title_it", "title_en"))
            ]
        }
        parsed = validated(ENTRIES, records, slug="invalid-pac-entry", rows_at=1)
    else:
        parsed = validated(ENTRIES, body, slug="invalid-pac-entry", rows_at=1)
    return [(e.code, e.title) for e in parsed.entries]


@catalogue_router.post(
    "/import",
    operation_id="pac-import",
    summary="Import the PAC catalogue (JSON or CSV)",
    description="All or nothing: ambiti, objectives and actions by their codes, as "
    '`{"entries": [{"code", "title"}]}` or `text/csv` with the columns '
    "`code,title_it,title_en`. A new code is added; a changed title is a new version "
    "(the old one stays in the revisions); a bad row is a 422 that names it.",
    response_model=ImportSummary,
    responses=problem_responses(401, 403, 415, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/ImportIn"},
                    "example": {
                        "entries": [
                            {
                                "code": "4",
                                "title": {"it": "Milano più fresca", "en": "A cooler Milan"},
                            },
                        ]
                    },
                },
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "code,title_it,title_en\n4,Milano più fresca,A cooler Milan\n",
                },
            },
        }
    },
)
async def import_catalogue(
    request: Request,
    principal: Annotated[Principal, Depends(operator)],
    uow: Tx,
) -> ImportSummary:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    rows = _import_rows(await request.body(), media_type)
    counts = await service.import_catalogue(rows, actor=principal.subject, uow=uow)
    return ImportSummary(**counts)


class ActionBrief(BaseModel):
    code: str = Field(examples=["4.2.1"])
    title: Text
    version: int


class Objective(BaseModel):
    code: str = Field(examples=["4.2"])
    title: Text
    version: int
    actions: list[ActionBrief]


class Ambito(BaseModel):
    number: int = Field(ge=1, le=5, examples=[4])
    title: Text
    version: int
    objectives: list[Objective]
    actions_without_objective: list[ActionBrief] = Field(
        description="Actions whose objective's title is not in the catalogue yet."
    )


class Catalogue(BaseModel):
    ambiti: list[Ambito]


class Revision(BaseModel):
    code: str
    version: int
    level: str = Field(examples=["objective"])
    title: Text
    created_at: datetime


@catalogue_public.get(
    "",
    operation_id="public-pac",
    summary="The whole PAC catalogue, as a tree",
    description="Anonymous: the five ambiti, their objectives and actions, in Italian and "
    "English, each with its version.",
    response_model=Catalogue,
)
async def whole(uow: ReadTx) -> Catalogue:
    found = await service.whole(uow=uow)

    def brief(a: records.PacAction) -> ActionBrief:
        return ActionBrief(code=a.code, title=Text(**a.title), version=a.version)

    objectives = {o.code for o in found.objectives}
    return Catalogue(
        ambiti=[
            Ambito(
                number=a.number,
                title=Text(**a.title),
                version=a.version,
                objectives=[
                    Objective(
                        code=o.code,
                        title=Text(**o.title),
                        version=o.version,
                        actions=[brief(x) for x in found.actions if x.objective == o.code],
                    )
                    for o in found.objectives
                    if o.ambito == a.number
                ],
                actions_without_objective=[
                    brief(x)
                    for x in found.actions
                    if x.ambito == a.number and x.objective not in objectives
                ],
            )
            for a in found.ambiti
        ]
    )


@catalogue_public.get(
    "/{code}/revisions",
    operation_id="public-pac-revisions",
    summary="Every version of a PAC entry's title",
    description="Oldest first: each title an ambito, objective or action has had, with when it "
    "changed.",
    response_model=list[Revision],
    responses=problem_responses(404, 422),
)
async def revisions(
    code: Annotated[str, Path(pattern=r"^[1-5](\.[1-9][0-9]?){0,2}$", description="A PAC code.")],
    uow: ReadTx,
) -> list[Revision]:
    return [
        Revision(
            code=r.code,
            version=r.version,
            level=r.level,
            title=Text(**r.title),
            created_at=r.created_at,
        )
        for r in await service.revisions(code, uow=uow)
    ]
