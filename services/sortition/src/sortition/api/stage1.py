"""Stage 1: upload a round's registry extract, follow its import, draw the invitations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from common.auth import Principal, require_roles
from common.http.deps import ReadTx, Tx, UowFactory
from common.http.problems import problem_responses
from sortition.service import stage1 as service

router = APIRouter(prefix="/v1/rounds", tags=["stage 1"])
public = APIRouter(prefix="/public/v1/rounds", tags=["public"])
read_roles = require_roles("operator", "auditor")
operator = require_roles("operator")

RoundId = Annotated[uuid.UUID, Path(description="The round's id.")]


class Stratum(BaseModel):
    age_band: str = Field(examples=["30-44"])
    gender: str = Field(examples=["F"])
    citizenship: str = Field(examples=["IT"])
    municipio: str = Field(examples=["M1"])
    size: int = Field(description="Eligible people of the extract in this stratum.")


class ExtractError(BaseModel):
    slug: str
    detail: str


class ExtractInUse(BaseModel):
    """The extract that `POST …/invitations` draws from."""

    sha256: str = Field(description="The SHA-256 of the uploaded file.")
    rows_read: int = Field(description="Rows of the file, eligible or not.")
    eligible: int = Field(description="Rows of people at least the assembly's minimum age.")
    households: int
    imported_at: datetime
    strata: list[Stratum] = Field(description="The strata and their sizes.")


class ExtractStatus(BaseModel):
    status: service.UploadStatus = Field(
        description=(
            "The latest upload: `importing` while it runs; `ready`; `failed` (see `error`); "
            "`interrupted` when the importing process stopped without finishing. A failed "
            "or interrupted upload leaves the previous extract in use."
        ),
        examples=["importing"],
    )
    rows_read: int = Field(description="Rows of the latest upload read so far.")
    bytes_read: int
    bytes_total: int | None = Field(description="The upload's Content-Length, when sent.")
    percent: float | None = Field(description="bytes_read / bytes_total, when known.")
    error: ExtractError | None
    started_at: datetime
    finished_at: datetime | None
    in_use: ExtractInUse | None = Field(
        description="The extract a draw takes: the last upload that succeeded, if any."
    )


def _status(state: service.ExtractState) -> ExtractStatus:
    upload, in_use = state.upload, state.in_use
    return ExtractStatus(
        status=upload.status,
        rows_read=upload.rows_read,
        bytes_read=upload.bytes_read,
        bytes_total=upload.bytes_total,
        percent=round(100 * upload.bytes_read / upload.bytes_total, 1)
        if upload.bytes_total
        else None,
        error=ExtractError(**upload.error) if upload.error else None,
        started_at=upload.started_at,
        finished_at=upload.finished_at,
        in_use=None
        if in_use is None
        else ExtractInUse(
            sha256=in_use.sha256,
            rows_read=in_use.rows_read,
            eligible=in_use.eligible,
            households=in_use.households,
            imported_at=in_use.imported_at,
            strata=[Stratum(**vars(s)) for s in in_use.strata],
        ),
    )


@router.put(
    "/{round_id}/extract",
    operation_id="rounds-extract-upload",
    summary="Upload a round's registry extract",
    description=(
        "The statistics office's extract as `text/csv`, streamed: columns `person_ref`, "
        "`household_ref` (empty: a household of one), `age` (whole years, or a band: "
        "`16-29`, `30-44`, `45-59`, `60-74`, `75+`), `gender` (`F`, `M`), `citizenship` "
        "(`IT`, `EU`, `NONEU`), `municipio` (`M1` … `M9`); the values of the last three "
        "are kept as written and name the strata. Other columns are ignored. References are "
        "pseudonymous: no names or addresses. People under the assembly's minimum age are "
        "counted but not eligible. The file is read as it arrives, so it may hold millions "
        "of rows; follow the import with `GET …/extract` from another client. A bad row is "
        "a 422 naming its line, and leaves the previous extract in place. Replaces the "
        "extract until invitations are drawn (then 409)."
    ),
    response_model=ExtractStatus,
    responses=problem_responses(401, 403, 404, 409, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": (
                        "person_ref,household_ref,age,gender,citizenship,municipio\n"
                        "P0001,H0001,34,F,IT,M1\n"
                    ),
                }
            },
        }
    },
)
async def upload_extract(
    round_id: RoundId,
    request: Request,
    _: Annotated[Principal, Depends(operator)],
    uow: Tx,
    uow_factory: UowFactory,
) -> ExtractStatus:
    length = request.headers.get("content-length")
    bytes_total = int(length) if length and length.isdigit() else None

    async def progress(values: dict[str, Any]) -> None:
        await service.record_progress(
            round_id, values, uow_factory=uow_factory, bytes_total=bytes_total
        )

    state = await service.import_extract(
        round_id,
        request.stream(),
        bytes_total=bytes_total,
        uow=uow,
        progress=progress,
        every=request.app.state.settings.extract_progress_every,
    )
    return _status(state)


@router.get(
    "/{round_id}/extract",
    operation_id="rounds-extract-status",
    summary="Follow a round's extract import",
    description=(
        "The import's progress (rows and bytes read, percent when the upload's length is "
        "known), then its outcome: the strata with their sizes, or the error. Counts only."
    ),
    response_model=ExtractStatus,
    responses=problem_responses(401, 403, 404),
)
async def extract_status(
    round_id: RoundId,
    _: Annotated[Principal, Depends(read_roles)],
    uow: ReadTx,
) -> ExtractStatus:
    return _status(await service.get_extract(round_id, uow=uow))


class OversamplingRule(BaseModel):
    where: dict[str, str] = Field(
        min_length=1,
        description="Some of age_band, gender, citizenship, municipio, and their values.",
        examples=[{"citizenship": "NONEU"}],
    )
    factor: float = Field(gt=0, le=20, examples=[1.6])


class DrawInvitations(BaseModel):
    count: int = Field(default=10_000, ge=1, le=service.MAX_INVITATIONS)
    seed: str = Field(
        min_length=1,
        max_length=500,
        description="Published with the result: anyone can re-run the draw from it.",
        examples=["Lotto 2027-01-09: 12 33 41 57 80 88"],
    )
    oversampling: list[OversamplingRule] = Field(
        default_factory=list,
        max_length=200,
        description=(
            "Factors that raise the letters sent to strata that answer less; a stratum "
            "matched by several rules gets their product."
        ),
    )


class StratumSeats(Stratum):
    invited: int
    factor: float


class InvitationDraw(BaseModel):
    seed: str
    requested: int
    drawn: int = Field(
        description="Fewer than requested only when every eligible household has a letter."
    )
    households_exhausted: bool = Field(
        description="True when the draw stopped short because every eligible household of "
        "the extract has a letter (one per household)."
    )
    oversampling: list[OversamplingRule]
    extract_sha256: str
    drawn_at: datetime
    strata: list[StratumSeats]


def _draw(row: Any) -> InvitationDraw:
    return InvitationDraw(
        seed=row.seed,
        requested=row.requested,
        drawn=row.drawn,
        households_exhausted=row.drawn < row.requested,
        oversampling=row.oversampling,
        extract_sha256=row.extract_sha256,
        drawn_at=row.drawn_at,
        strata=row.seats,
    )


@router.post(
    "/{round_id}/invitations",
    operation_id="rounds-invitations-draw",
    summary="Draw a round's invitations",
    description=(
        "Draws `count` people from the ready extract, in proportion to the strata (age "
        "band, gender, citizenship, Municipio) times any oversampling factors, at most one "
        "per household, in an order the seed fixes: the same extract and seed give the same "
        "letters. Once per round, and at least `SORTITION_LETTERS_LEAD_DAYS` (30) days "
        "before the cohort's training starts (409 `too-late-for-letters`). Membership "
        "receives them as "
        "`sortition.invitations.drawn.v1` events and issues the codes."
    ),
    status_code=201,
    response_model=InvitationDraw,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def draw_invitations(
    round_id: RoundId,
    body: DrawInvitations,
    request: Request,
    _: Annotated[Principal, Depends(operator)],
    uow: Tx,
) -> InvitationDraw:
    row = await service.draw_invitations(
        round_id,
        count=body.count,
        seed=body.seed,
        oversampling=[service.Oversampling(r.where, r.factor) for r in body.oversampling],
        uow=uow,
        lead_days=request.app.state.settings.letters_lead_days,
    )
    return _draw(row)


@router.get(
    "/{round_id}/invitations",
    operation_id="rounds-invitations-summary",
    summary="Summarise a round's invitation draw",
    description="The seed, the counts and the letters per stratum. No references.",
    response_model=InvitationDraw,
    responses=problem_responses(401, 403, 404),
)
async def invitations_summary(
    round_id: RoundId,
    _: Annotated[Principal, Depends(read_roles)],
    uow: ReadTx,
) -> InvitationDraw:
    return _draw(await service.get_invitation_draw(round_id, uow=uow))


@public.get(
    "/{round_id}/invitations",
    operation_id="public-rounds-invitations",
    summary="A round's invitation draw, in public",
    description=(
        "What anyone needs to check stage 1: the seed, the extract's SHA-256, the "
        "oversampling factors and the letters per stratum. No references."
    ),
    response_model=InvitationDraw,
    responses=problem_responses(404),
)
async def public_invitations(round_id: RoundId, uow: ReadTx) -> InvitationDraw:
    return _draw(await service.get_invitation_draw(round_id, uow=uow))
