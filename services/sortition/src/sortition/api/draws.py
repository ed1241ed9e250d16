"""Commit, reveal and draw; the audit record and its re-run."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from common.auth import Principal, require_roles
from common.http.deps import ReadTx, Tx, UowFactory
from common.http.pagination import Page
from common.http.problems import problem_responses
from sortition.domain.progress import DrawPhase
from sortition.service import draws as service
from sortition.service import replacements

router = APIRouter(prefix="/v1/rounds", tags=["draws"])
public = APIRouter(prefix="/public/v1/rounds", tags=["public"])
operator = require_roles("operator")
auditors = require_roles("operator", "auditor")

RoundId = Annotated[uuid.UUID, Path(description="The round's id.")]


class CommitmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seed_sha256: str = Field(
        description="SHA-256 (hex) of the seed, which stays secret until the draw.",
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    )
    algorithm: Literal["leximin", "legacy"] = "leximin"
    uniform_panels: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        validation_alias=AliasChoices("uniform_panels", "transparent"),
        description="Round the lottery to m equally likely panels (a public draw of 1..m). "
        "Also accepted under its former name, `transparent`.",
    )


class Commitment(BaseModel):
    round_id: uuid.UUID
    algorithm: str
    algorithm_version: str
    uniform_panels: int | None
    seed_sha256: str
    instance_digest: str = Field(description="SHA-256 of the pool, the quotas and the size.")
    committed_at: datetime
    seed: str | None = Field(description="The revealed seed, once drawn.")
    drawn_at: datetime | None


class DrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seed: str = Field(min_length=1, max_length=500, examples=["test"])


class Draw(Commitment):
    panel: list[str] = Field(description="The selected respondents' pseudonymous ids.")
    reserves: list[str] | None = Field(
        description="Everyone else, in the order the seed fixed (household-mates of panel "
        "members last); absent for draws made before reserve lists were kept."
    )
    min_probability: float
    lottery_size: int = Field(description="Panels in the lottery the seed picked from.")
    seconds: float


class Verification(BaseModel):
    identical: bool
    panel: list[str]


def _commitment(row: Any) -> Commitment:
    return Commitment.model_validate(row, from_attributes=True)


@router.post(
    "/{round_id}/commitment",
    operation_id="rounds-commit",
    summary="Commit to the round's inputs and a secret seed",
    description=(
        "Fixes the pool and quotas (by their digest), the algorithm and its parameters, "
        "and the SHA-256 of the seed, before anyone knows the seed. Publishes "
        "`sortition.round.committed.v1`. A round commits once (409 after)."
    ),
    status_code=201,
    response_model=Commitment,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def commit(
    round_id: RoundId,
    body: CommitmentIn,
    _: Annotated[Principal, Depends(operator)],
    uow: Tx,
) -> Commitment:
    row = await service.commit(
        round_id,
        seed_sha256=body.seed_sha256,
        algorithm=body.algorithm,
        uniform_panels=body.uniform_panels,
        uow=uow,
    )
    return _commitment(row)


@router.post(
    "/{round_id}/draw",
    operation_id="rounds-draw",
    summary="Reveal the seed and draw the panel",
    description=(
        "Checks the seed against the commitment (422 `seed-mismatch`), the inputs against "
        "their digest (409 `inputs-changed`) and the algorithm's version against the one "
        "committed to (409 `algorithm-changed`), computes the lottery and lets the seed pick. "
        "Publishes `sortition.panel.selected.v1`."
    ),
    response_model=Draw,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def draw(
    round_id: RoundId,
    body: DrawIn,
    _: Annotated[Principal, Depends(operator)],
    uow: Tx,
    uow_factory: UowFactory,
) -> Draw:
    progress = service.DrawProgressRecorder(round_id, uow_factory)
    row = await service.draw_panel(round_id, seed=body.seed, uow=uow, progress=progress)
    return Draw.model_validate(row, from_attributes=True)


_ENDS = (DrawPhase.DONE, DrawPhase.INFEASIBLE)


class DrawProgress(BaseModel):
    phase: str = Field(
        description=", ".join(f"`{phase}`" for phase in DrawPhase if phase not in _ENDS)
        + f", then `{DrawPhase.DONE}` (or `{DrawPhase.INFEASIBLE}`).",
        examples=[DrawPhase.DECOMPOSITION.value],
    )
    done: float | None = Field(description="The share of the phase done, when known.")
    panels: int = Field(description="Panels found so far.")
    started_at: datetime
    updated_at: datetime


@router.get(
    "/{round_id}/draw/progress",
    operation_id="rounds-draw-progress",
    summary="Follow a draw being computed",
    description="While `POST …/draw` computes the lottery (seconds on Milan-sized pools, "
    "longer on large ones), where it stands, updated about twice a second.",
    response_model=DrawProgress,
    responses=problem_responses(401, 403, 404),
)
async def draw_progress(
    round_id: RoundId,
    _: Annotated[Principal, Depends(auditors)],
    uow: ReadTx,
) -> DrawProgress:
    return DrawProgress.model_validate(
        await service.get_progress(round_id, uow=uow), from_attributes=True
    )


@router.get(
    "/{round_id}/audit",
    operation_id="rounds-audit",
    summary="The draw's audit record",
    description="Everything needed to re-run the draw: digests, algorithm and version, "
    "parameters, seed, and the result.",
    response_model=Draw | Commitment,
    responses=problem_responses(401, 403, 404),
)
async def audit(
    round_id: RoundId,
    _: Annotated[Principal, Depends(auditors)],
    uow: ReadTx,
) -> Draw | Commitment:
    row = await service.get_commitment(round_id, uow=uow)
    if row.seed is None:
        return _commitment(row)
    return Draw.model_validate(row, from_attributes=True)


@router.post(
    "/{round_id}/verify",
    operation_id="rounds-verify",
    summary="Re-run the draw and compare",
    description="Recomputes the lottery from the stored inputs and the revealed seed, and "
    "says whether the panel is identical; 409 `algorithm-changed` if this service runs "
    "another version of the algorithm than the draw's.",
    response_model=Verification,
    responses=problem_responses(401, 403, 404, 409),
)
async def verify(
    round_id: RoundId,
    _: Annotated[Principal, Depends(auditors)],
    uow: Tx,
) -> Verification:
    rerun = await service.verify(round_id, uow=uow)
    return Verification(identical=rerun.identical, panel=rerun.panel)


@public.get(
    "/{round_id}/commitment",
    operation_id="public-rounds-commitment",
    summary="A round's public commitment",
    description="Anonymous: the digest of the inputs, the algorithm, the seed's hash and, "
    "once drawn, the seed. No ids.",
    response_model=Commitment,
    responses=problem_responses(404, 422),
)
async def public_commitment(round_id: RoundId, uow: ReadTx) -> Commitment:
    row = await service.get_commitment(round_id, uow=uow)
    return _commitment(row)


class ReplacementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    respondent_id: str = Field(min_length=1, max_length=200, examples=["r17"])
    reason: Literal["declined", "withdrew", "unreachable"]


class Replacement(BaseModel):
    sequence: int
    leaving: str
    reason: str
    joining: str | None = Field(description="Absent when no one in the pool may sit.")
    deviation: int | None = Field(
        description="Seats by which the panel misses its quotas after the replacement."
    )
    created_at: datetime


@router.post(
    "/{round_id}/replacements",
    operation_id="rounds-replacements-create",
    summary="Replace a panel member",
    description=(
        "For a member who declined, withdrew or could not be reached: draws the replacement "
        "that keeps the panel within the quotas (or closest to them), never from a seated "
        "household, reproducibly from the draw's seed. Declines and withdrawals reported by "
        "membership's events do the same without this call. Publishes "
        "`sortition.replacement.drawn.v1`."
    ),
    status_code=201,
    response_model=Replacement,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def replace(
    round_id: RoundId,
    body: ReplacementIn,
    _: Annotated[Principal, Depends(operator)],
    uow: Tx,
) -> Replacement:
    row = await replacements.replace_member(
        round_id, body.respondent_id, reason=body.reason, uow=uow
    )
    return Replacement.model_validate(row, from_attributes=True)


@router.get(
    "/{round_id}/replacements",
    operation_id="rounds-replacements-list",
    summary="List a round's replacements",
    description="In the order drawn: who left and why, who joins, and the panel's deviation from "
    "its quotas after the change.",
    response_model=Page[Replacement],
    responses=problem_responses(401, 403, 404),
)
async def list_replacements(
    round_id: RoundId,
    _: Annotated[Principal, Depends(auditors)],
    uow: ReadTx,
) -> Page[Replacement]:
    rows = await replacements.list_replacements(round_id, uow=uow)
    return Page[Replacement](
        items=[Replacement.model_validate(r, from_attributes=True) for r in rows]
    )


class ValueComposition(BaseModel):
    feature: str
    value: str
    min: int
    max: int
    panel: int = Field(description="Panel members with this value, after replacements.")
    pool: int = Field(description="Respondents in the pool with this value.")
    population_share: float | None = Field(
        description="The value's share of the population, when the quotas came from census "
        "shares: the panel's share (panel / panel size) is to be read against it."
    )


class ProbabilitySummary(BaseModel):
    pool: int
    min: float
    quantiles: dict[str, float] = Field(examples=[{"p10": 0.05, "p50": 0.08, "p90": 0.2}])
    max: float
    histogram: list[dict[str, float | int]] = Field(
        description="Respondents per probability band (0.05 wide), without ids."
    )


class PublicResult(BaseModel):
    commitment: Commitment
    composition: list[ValueComposition]
    probabilities: ProbabilitySummary
    replacements: int


@public.get(
    "/{round_id}/result",
    operation_id="public-rounds-result",
    summary="A round's public result",
    description=(
        "Anonymous: the commitment and revealed seed, the panel's composition against the "
        "quotas, the pool and (when the quotas came from census shares) the population, and "
        "how the selection probabilities are spread. No ids."
    ),
    response_model=PublicResult,
    responses=problem_responses(404, 409, 422),
)
async def public_result(round_id: RoundId, uow: ReadTx) -> PublicResult:
    outcome = await replacements.public_outcome(round_id, uow=uow)
    spread = outcome.spread
    return PublicResult(
        commitment=_commitment(outcome.commitment),
        composition=[ValueComposition(**vars(c)) for c in outcome.composition],
        probabilities=ProbabilitySummary(
            pool=spread.pool,
            min=spread.min,
            quantiles=spread.quantiles,
            max=spread.max,
            histogram=[
                {"from": b.lower, "to": b.upper, "respondents": b.respondents}
                for b in spread.histogram
            ],
        ),
        replacements=outcome.replacements,
    )
