"""A round's quotas, as JSON or in the Sortition Foundation's CSV (feature,value,min,max)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from common.auth import Principal, require_roles
from common.errors import Invalid, NotAcceptable
from common.http.deps import ReadTx, Tx
from common.http.etag import IfMatch, etag_of
from common.http.negotiation import choose
from common.http.problems import problem_responses
from sortition.adapters.membership import MembershipClient, get_membership
from sortition.domain.instance import Quota, read_quotas_csv
from sortition.service import rounds as service

router = APIRouter(prefix="/v1/rounds", tags=["rounds"])
read_roles = require_roles("operator", "auditor", "integration")
operator = require_roles("operator")
CSV = "text/csv"


class QuotaItem(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    feature: str = Field(min_length=1, max_length=100, examples=["municipio"])
    value: str = Field(min_length=1, max_length=200, examples=["M1"])
    min: int = Field(ge=0, le=10_000, examples=[6])
    max: int = Field(ge=0, le=10_000, examples=[7])


class Quotas(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quotas: list[QuotaItem] = Field(max_length=1000)


def _json(items: list[Quota]) -> Quotas:
    return Quotas(
        quotas=[QuotaItem(feature=q.feature, value=q.value, min=q.min, max=q.max) for q in items]
    )


def _csv(items: list[Quota]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["feature", "value", "min", "max"])
    for q in items:
        writer.writerow([q.feature, q.value, q.min, q.max])
    return out.getvalue()


async def _read_body(request: Request) -> Callable[[], list[Quota]]:
    """The body, read (its size and media type were checked first), and how to parse it:
    parsed once the round and its ETag are checked, so that a 404 or a 412 comes first."""
    body = await request.body()
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return lambda: _parse(body, media)


def _parse(body: bytes, media: str) -> list[Quota]:
    try:
        if media == CSV:
            return read_quotas_csv(body.decode("utf-8-sig"))
        parsed = Quotas.model_validate_json(body or b"{}")
        return [Quota(q.feature, q.value, q.min, q.max) for q in parsed.quotas]
    except UnicodeDecodeError as exc:
        raise Invalid("The CSV is not UTF-8.", slug="invalid-quotas-csv") from exc
    except ValidationError as exc:
        raise Invalid(
            f"The quotas are not valid: {exc.error_count()} error(s).",
            errors=[
                {"location": ["body", *map(str, e["loc"])], "message": e["msg"], "code": e["type"]}
                for e in exc.errors()
            ],
        ) from exc


def _respond(request: Request, response: Response, version: int, items: list[Quota]) -> Any:
    etag = etag_of(version)
    chosen = choose(request.headers.get("accept"), ["application/json", CSV])
    if chosen is None:
        raise NotAcceptable(
            f"The quotas come as application/json or {CSV}.",
            accepted=["application/json", CSV],
        )
    if chosen == CSV:
        return Response(_csv(items), media_type=CSV, headers={"ETag": etag})
    response.headers["ETag"] = etag
    return _json(items)


RoundId = Annotated[uuid.UUID, Path(description="The round's id.")]
BOTH = {
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/Quotas"}},
        CSV: {"schema": {"type": "string"}, "example": "feature,value,min,max\ngender,F,46,47\n"},
    }
}


@router.put(
    "/{round_id}/quotas",
    operation_id="rounds-quotas-replace",
    summary="Set a round's quotas",
    description=(
        "Replaces the quotas: JSON, or the Sortition Foundation's CSV "
        "(`feature,value,min,max`) with `Content-Type: text/csv`. Quotas whose sums cannot "
        "make the panel size, duplicates, or min > max are refused with a problem naming "
        "them. Needs `If-Match` with the round's ETag. Publishes "
        "`sortition.round.quotas_set.v1`."
    ),
    response_model=Quotas,
    responses={200: BOTH, **problem_responses(401, 403, 404, 412, 422, 428)},
    openapi_extra={"requestBody": {"required": True, **BOTH}},
)
async def replace(
    round_id: RoundId,
    request: Request,
    response: Response,
    _: Annotated[Principal, Depends(operator)],
    uow: Tx,
    if_match: IfMatch = None,
) -> Any:
    parse = await _read_body(request)
    row, saved = await service.set_quotas(round_id, parse, if_match=if_match, uow=uow)
    return _respond(request, response, row.version, saved)


@router.get(
    "/{round_id}/quotas",
    operation_id="rounds-quotas-get",
    summary="Get a round's quotas",
    description="JSON, or CSV with `Accept: text/csv`. The ETag is the round's.",
    response_model=Quotas,
    responses={200: BOTH, **problem_responses(401, 403, 404, 406, 422)},
)
async def get(
    round_id: RoundId,
    request: Request,
    response: Response,
    _: Annotated[Principal, Depends(read_roles)],
    uow: ReadTx,
) -> Any:
    row, items = await service.get_quotas(round_id, uow=uow)
    return _respond(request, response, row.version, items)


FeatureName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
ValueName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Share = Annotated[float, Field(ge=0, le=1e12, allow_inf_nan=False)]


class SharesIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "shares": {
                        "gender": {"F": 51.6, "M": 48.4},
                        "municipio": {"M1": 7.1, "M2": 11.5, "M3": 10.3},
                    },
                    "tolerance_seats": 1,
                }
            ]
        },
    )

    shares: dict[FeatureName, Annotated[dict[ValueName, Share], Field(max_length=500)]] = Field(
        description="Per feature, each value's share of the population (any scale: "
        "percentages, fractions or head counts).",
        max_length=50,
    )
    tolerance_seats: float = Field(default=1.0, ge=0, le=100)
    rotation_aware: bool = Field(
        default=False,
        description=(
            "Subtract the members who continue when the round's cohort starts (asked of "
            "the membership service, with the caller's token), so that the whole body, "
            "not only the new cohort, mirrors the shares."
        ),
    )


@router.post(
    "/{round_id}/quotas/from-shares",
    operation_id="rounds-quotas-from-shares",
    summary="Set a round's quotas from population shares",
    description=(
        "Proportional quotas from census marginals: each value's target is its share of the "
        "panel, widened by `tolerance_seats` either side and rounded outwards. With "
        "`rotation_aware`, the target is the share of the whole body (continuing members "
        "plus the panel) less the continuing members with that value; membership names "
        "them from the cohort calendar. Replaces the quotas, like PUT; needs `If-Match`."
    ),
    response_model=Quotas,
    responses={200: BOTH, **problem_responses(401, 403, 404, 409, 412, 422, 428, 503)},
)
async def from_shares(
    round_id: RoundId,
    body: SharesIn,
    request: Request,
    response: Response,
    _: Annotated[Principal, Depends(operator)],
    uow: Tx,
    membership: Annotated[MembershipClient, Depends(get_membership)],
    if_match: IfMatch = None,
) -> Any:
    continuing = None
    if body.rotation_aware:  # asked with the caller's own token: membership decides
        continuing = partial(membership.continuing, authorization=request.headers["authorization"])
    row, saved = await service.set_quotas_from_shares(
        round_id,
        body.shares,
        tolerance_seats=body.tolerance_seats,
        continuing=continuing,
        if_match=if_match,
        uow=uow,
    )
    return _respond(request, response, row.version, saved)
