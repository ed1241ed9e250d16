"""A round's invitations: counts, the mail house's export, letters returned."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response, status
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from common.auth import Principal, require_roles
from common.errors import Conflict
from common.http.deps import ReadTx, Tx, UowFactory
from common.http.problems import problem_responses
from membership.api.deps import get_ctx
from membership.context import Context
from membership.service import invitations as service
from membership.service.rounds import get_round

router = APIRouter(tags=["invitations"])
operator = require_roles("operator")
read_roles = require_roles("operator", "auditor")

RoundId = Annotated[uuid.UUID, Path(description="The selection round's id (sortition's).")]
ExportId = Annotated[uuid.UUID, Path(description="The export's id.")]


class InvitationCounts(BaseModel):
    issued: int = Field(description="Letters sent and not yet used.")
    undeliverable: int = Field(description="Letters the post returned.")
    used: int = Field(description="Codes used to register.")


@router.get(
    "/v1/rounds/{round_id}/invitations",
    operation_id="round-invitations-counts",
    summary="Count a round's invitations",
    description="How many letters are issued, returned or used. Counts only.",
    response_model=InvitationCounts,
    responses=problem_responses(401, 403, 404),
)
async def invitation_counts(
    round_id: RoundId,
    _: Annotated[Principal, Depends(read_roles)],
    uow: ReadTx,
) -> InvitationCounts:
    await get_round(round_id, uow=uow)
    return InvitationCounts(**await service.counts(round_id, uow=uow))


class Returned(BaseModel):
    person_refs: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=20_000, description="The registry references on the letters."
    )


class ReturnedResult(BaseModel):
    marked: int
    unknown: list[str] = Field(description="References with no letter in this round.")
    already_registered: list[str] = Field(description="Letters whose code was used anyway.")


@router.post(
    "/v1/rounds/{round_id}/invitations/undeliverable",
    operation_id="round-invitations-undeliverable",
    summary="Mark letters returned as undeliverable",
    description=(
        "The post returned these letters. Their codes stay valid (a person may still have "
        "had the letter), but they leave the mail-house exports. Safe to repeat."
    ),
    response_model=ReturnedResult,
    responses=problem_responses(401, 403, 404, 422),
)
async def undeliverable(
    round_id: RoundId,
    body: Returned,
    _: Annotated[Principal, Depends(operator)],
    uow: Tx,
) -> ReturnedResult:
    await get_round(round_id, uow=uow)
    return ReturnedResult(
        **await service.mark_undeliverable(round_id, sorted(set(body.person_refs)), uow=uow)
    )


class Export(BaseModel):
    id: uuid.UUID
    round_id: uuid.UUID
    status: service.ExportStatus = Field(
        description="`running`, `ready`, `failed`, or `interrupted` (its process stopped: "
        "ask for a new export)."
    )
    total: int = Field(description="Letters to write.")
    done: int = Field(description="Letters written so far.")
    percent: float
    created_at: datetime
    finished_at: datetime | None
    file: str | None = Field(description="Where to download the CSV once ready.")


def _export(row: Any) -> Export:
    return Export(
        id=row.id,
        round_id=row.round_id,
        status=row.status,
        total=row.total,
        done=row.done,
        percent=round(100 * row.done / row.total, 1) if row.total else 100.0,
        created_at=row.created_at,
        finished_at=row.finished_at,
        file=f"/v1/exports/{row.id}/file" if row.status == service.ExportStatus.READY else None,
    )


@router.post(
    "/v1/rounds/{round_id}/exports",
    operation_id="round-exports-create",
    summary="Export a round's letters for the mail house",
    description=(
        "Starts building the mail-merge CSV (`person_ref,code,registration_url,reply_by`) "
        "of the letters issued and not returned, in the background. Follow it with "
        "`GET /v1/exports/{id}` (progress in letters and percent) and download it from "
        "`GET /v1/exports/{id}/file`. The CSV holds the codes: every download is recorded."
    ),
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Export,
    responses=problem_responses(401, 403, 404),
)
async def start_export(
    round_id: RoundId,
    request: Request,
    response: Response,
    principal: Annotated[Principal, Depends(operator)],
    uow: Tx,
    uow_factory: UowFactory,
    ctx: Annotated[Context, Depends(get_ctx)],
) -> Export:
    await get_round(round_id, uow=uow)
    row = await service.start_export(round_id, actor=principal.subject, uow=uow)
    tasks: set[asyncio.Task[None]] = request.app.state.background

    def build() -> None:  # once the export's row is committed, for the task to find it
        task = asyncio.create_task(service.run_export(row.id, ctx=ctx, uow_factory=uow_factory))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    uow.after_commit(build)
    response.headers["Location"] = f"/v1/exports/{row.id}"
    return _export(row)


@router.get(
    "/v1/exports/{export_id}",
    operation_id="exports-get",
    summary="Follow an export",
    description="Its state and, once done, where to download the file.",
    response_model=Export,
    responses=problem_responses(401, 403, 404),
)
async def get_export(
    export_id: ExportId,
    _: Annotated[Principal, Depends(operator)],
    uow: ReadTx,
) -> Export:
    return _export(await service.get_export(export_id, uow=uow))


@router.get(
    "/v1/exports/{export_id}/file",
    operation_id="exports-file",
    summary="Download a finished export",
    description="The CSV for the mail house. The download is recorded (who, when).",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {"text/csv": {}}, "description": "The mail-merge file."},
        **problem_responses(401, 403, 404, 409),
    },
)
async def export_file(
    export_id: ExportId,
    principal: Annotated[Principal, Depends(operator)],
    uow: Tx,
) -> Response:
    row = await service.get_export(export_id, uow=uow)
    if row.status is not service.ExportStatus.READY:
        raise Conflict(f"The export is {row.status}.", slug="export-not-ready")
    await service.record_download(row, actor=principal.subject, uow=uow)
    return Response(
        row.content,
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="letters-{row.round_id}.csv"'},
    )
