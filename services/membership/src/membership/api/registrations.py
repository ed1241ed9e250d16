"""Registration with an invitation code, for the Milano Partecipa integration and for
operators taking registrations by phone or on paper."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field, field_validator

from common.auth import Principal, require_roles
from common.dates import IsoDate
from common.http.clients import client_address
from common.http.deps import Tx
from common.http.problems import problem_responses
from common.texts import PersonText
from membership.api.deps import get_ctx
from membership.context import Context
from membership.service import registration as service

router = APIRouter(prefix="/v1/registrations", tags=["registration"])
registrars = require_roles("integration", "operator")

Purpose = Literal["participation", "contact", "reserve_list", "public_listing", "research"]


class RegistrationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "K7QM-3XPD-9RTV-H2WC",
                    "first_name": "Giulia",
                    "last_name": "Rossi",
                    "email": "giulia.rossi@example.org",
                    "phone": "+39 02 1234 5678",
                    "date_of_birth": "1990-04-12",
                    "features": {"gender": "F", "citizenship": "IT", "municipio": "M3"},
                    "consents": {"participation": True, "reserve_list": True},
                    "accessibility_needs": "step-free access",
                    "availability": ["weekday evenings", "saturday"],
                    "channel": "online",
                }
            ]
        },
    )

    code: str = Field(min_length=1, max_length=40, description="As printed on the letter.")
    first_name: PersonText = Field(max_length=100)
    last_name: PersonText = Field(max_length=100)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, max_length=30, pattern=r"^\+?[0-9 ().-]{6,30}$")
    date_of_birth: IsoDate
    features: dict[str, str] = Field(
        description=(
            "Self-declared: `gender`, `citizenship` and `municipio`, and any other feature "
            "the round's quotas name, each with one of the round's values (its quotas list "
            "them: `GET /v1/rounds/{id}/quotas` in sortition). The usual values: gender "
            "`F`, `M`; citizenship `IT` (Italian), `EU` (another EU country), `NONEU`; "
            "Municipio `M1` … `M9` (Milan's nine; `Municipio 3` or `3` are read as `M3` "
            "when the round does not list them). The `age_band` is never declared: it is "
            "derived from the date of birth on the day the term starts, in the round's "
            "bands (usually `16-29`, `30-44`, `45-59`, `60-74`, `75+`)."
        ),
    )
    consents: dict[Purpose, bool] = Field(
        description="By purpose. `participation` must be granted; `public_listing` lists "
        "the first name and Municipio of an active member in public; `reserve_list` keeps "
        "the data of a respondent not selected for later replacements."
    )
    accessibility_needs: PersonText | None = Field(default=None, max_length=2000)
    availability: list[Annotated[PersonText, Field(max_length=200)]] = Field(
        default_factory=list, max_length=20
    )
    channel: Literal["online", "phone", "paper"] = Field(
        default="online",
        description="How the registration reached us; operators only may record phone and paper.",
    )

    @field_validator("features")
    @classmethod
    def _features(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 20 or any(
            not (0 < len(k) <= 100 and 0 < len(v) <= 100) for k, v in value.items()
        ):
            raise ValueError("at most 20 features, names and values of 1 to 100 characters")
        return value


class Registered(BaseModel):
    respondent_id: uuid.UUID = Field(description="The person's pseudonymous id.")
    round_id: uuid.UUID
    state: str
    registered_at: datetime


def _registration(body: RegistrationIn) -> service.Registration:
    return service.Registration(
        code=body.code,
        first_name=body.first_name.strip(),
        last_name=body.last_name.strip(),
        email=body.email,
        phone=body.phone,
        date_of_birth=body.date_of_birth,
        features=body.features,
        consents={str(k): v for k, v in body.consents.items()},
        accessibility_needs=body.accessibility_needs,
        availability=body.availability,
        listed=bool(body.consents.get("public_listing")),
        channel=body.channel,
    )


@router.post(
    "",
    operation_id="registrations-create",
    summary="Register with an invitation code",
    description=(
        "Checks the code (well formed, known, unused, unexpired), the age on the day the "
        "cohort's term starts and the features against the round's values. Every wrong "
        "code counts against the citizen (`X-Client-Identity`, forwarded by the "
        "integration) or, for an operator, against the operator at their address: after "
        "10 in 10 minutes, 429 with `Retry-After`. "
        "Sending the same registration again returns it (200) instead of a second one. "
        "Sortition hears of the person only by a pseudonymous id, a household reference "
        "and the features (`membership.respondent.registered.v1`). The response holds no "
        "personal data."
    ),
    status_code=status.HTTP_201_CREATED,
    response_model=Registered,
    responses={
        200: {"description": "The same registration, sent before.", "model": Registered},
        **problem_responses(400, 401, 403, 409, 413, 415, 422, 429),
    },
)
async def register(
    body: RegistrationIn,
    request: Request,
    response: Response,
    principal: Annotated[Principal, Depends(registrars)],
    uow: Tx,
    ctx: Annotated[Context, Depends(get_ctx)],
    client_identity: Annotated[
        str | None,
        Header(
            alias="X-Client-Identity",
            min_length=1,
            max_length=200,
            pattern=r"^[\x21-\x7e]+$",
            description=(
                "Required from the integration, refused from anyone else: a pseudonymous "
                "id of the citizen behind the request (their session or account on Milano "
                "Partecipa). Wrong codes are counted per citizen, so one person's mistakes "
                "never hold back another. Kept only as a digest."
            ),
            examples=["decidim-session-3f9a1c"],
        ),
    ] = None,
) -> Registered:
    registrar = service.Registrar(
        subject=principal.subject,
        operator=principal.has_any({"operator"}),
        integration=principal.has_any({"integration"}),
        identity=client_identity,
        address=client_address(request, ctx.trusted_proxies),
    )
    person, created = await service.register(
        _registration(body), registrar=registrar, ctx=ctx, uow=uow
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = f"/v1/people/{person.respondent_id}"
    return Registered(
        respondent_id=person.respondent_id,
        round_id=person.round_id,
        state=person.state,
        registered_at=person.registered_at,
    )
