"""Registration with an invitation code.

Checks, in order: the client is not throttled; the code is well formed (its check
character), known, not used by someone else and not expired; the person is old enough on
the day their cohort starts; their features are the round's. The personal fields are
sealed; sortition hears of the person only as a pseudonymous respondent id, a household
reference and features. The same registration sent twice is one registration.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from common.contracts.membership import RespondentRegistered
from common.db import UnitOfWork
from common.errors import (
    Conflict,
    DomainError,
    FailAfterCommit,
    Forbidden,
    Invalid,
    TooManyRequests,
)
from membership.adapters.repositories import (
    CodeFailures,
    Consents,
    Letters,
    People,
    Person,
    Transitions,
)
from membership.context import Context, today
from membership.domain.codes import digest, normalise
from membership.domain.lifecycle import REGISTERED
from membership.service.rounds import get_round, round_cohort

REQUIRED_FEATURES = ("gender", "citizenship", "municipio")
AGE_FEATURES = ("age_band", "age")
_BAND = re.compile(r"^(\d+)\s*(?:-\s*(\d+)|\+)$")
# Milan's nine Municipi, as a round names them when its quotas do not list them.
_MUNICIPIO = re.compile(r"^(?:M|Municipio\s*)?([1-9])$", re.IGNORECASE)


@dataclass(frozen=True)
class Registration:
    code: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    date_of_birth: date
    features: dict[str, str]
    consents: dict[str, bool]
    accessibility_needs: str | None
    availability: list[str] = field(default_factory=list)
    listed: bool = False
    channel: str = "online"

    def personal(self) -> dict[str, Any]:
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            "phone": self.phone,
            "date_of_birth": self.date_of_birth.isoformat(),
            "accessibility_needs": self.accessibility_needs,
            "availability": self.availability,
        }

    def digest(self) -> str:
        canonical = {
            **self.__dict__,
            "code": normalise(self.code),
            "date_of_birth": str(self.date_of_birth),
        }
        return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def band_of(age: int, bands: list[str]) -> str | None:
    """The round's age band (``16-29``, ``75+``) an age falls in."""
    for band in bands:
        match = _BAND.match(band.strip())
        if match:
            low, high = int(match[1]), int(match[2]) if match[2] else 200
            if low <= age <= high:
                return band
    return None


@dataclass(frozen=True)
class Registrar:
    """Who sends a registration: the integration for a citizen (``identity``, their
    pseudonymous session or account on Milano Partecipa), or an operator."""

    subject: str
    operator: bool
    integration: bool
    identity: str | None
    address: str

    def check(self, reg: Registration) -> None:
        if reg.channel != "online" and not self.operator:
            raise Invalid("Only operators record phone and paper registrations.", slug="channel")
        if not reg.consents.get("participation"):
            raise Invalid(
                "Registration needs consent to the processing for participation.",
                slug="consent-required",
            )
        if self.identity is not None and not self.integration:
            raise Forbidden(
                "Only the integration forwards a citizen's X-Client-Identity.",
                slug="client-identity-not-allowed",
            )
        if self.integration and self.identity is None:
            raise Invalid(
                "Forward the citizen's X-Client-Identity (a pseudonymous session or account "
                "id), so that one citizen's wrong codes never hold back another.",
                slug="client-identity-required",
            )

    def throttle_key(self) -> str:
        """Whose wrong codes count together: through the integration, one citizen (the
        identity it forwards, kept only as a digest); otherwise one caller at one address."""
        if self.integration and self.identity is not None:
            citizen = hashlib.sha256(self.identity.encode()).hexdigest()[:32]
            return f"{self.subject}|citizen:{citizen}"
        return f"{self.subject}|{self.address}"


async def _throttle(client: str, ctx: Context, *, uow: UnitOfWork) -> None:
    """Refuse a client with too many recent wrong codes. The client's attempts queue on a
    lock for the rest of the transaction, so concurrent ones are counted one by one."""
    await CodeFailures(uow).queue(client)
    window = timedelta(seconds=ctx.settings.code_failure_window_seconds)
    failures, oldest, now = await CodeFailures(uow).recent(client, window)
    if failures >= ctx.settings.code_failures_allowed and oldest is not None:
        retry = max(1, int((oldest + window - now).total_seconds()) + 1)
        raise TooManyRequests(
            f"Too many wrong codes from this client: try again in {retry} seconds.",
            headers={"Retry-After": str(retry)},
        )


async def _count_failure(client: str, error: DomainError, *, uow: UnitOfWork) -> FailAfterCommit:
    """A wrong code counts against the client even though the request fails: the failure
    is committed with the request's transaction, which also releases the client's lock, so
    that the next attempt in the queue counts it."""
    await CodeFailures(uow).add(client)
    return FailAfterCommit(error)


async def register(
    reg: Registration, *, registrar: Registrar, ctx: Context, uow: UnitOfWork
) -> tuple[Person, bool]:
    """The person's row, and whether this request created it (False: a repeat)."""
    registrar.check(reg)
    client, actor = registrar.throttle_key(), registrar.subject
    await _throttle(client, ctx, uow=uow)
    compact = normalise(reg.code)
    if compact is None:
        raise await _count_failure(
            client,
            Invalid(
                "That is not an invitation code: check each character (the last one checks "
                "the others).",
                slug="invalid-code",
            ),
            uow=uow,
        )
    letter = await Letters(uow).by_code(digest(compact))
    if letter is None:
        raise await _count_failure(
            client, Invalid("No invitation has this code.", slug="unknown-code"), uow=uow
        )
    if letter.status == "used":
        person = await People(uow).of_letter(letter.id)
        if person.request_digest == reg.digest():
            return person, False
        raise Conflict("This invitation code has already been used.", slug="code-used")
    if letter.expires_on < today():
        raise Invalid(
            f"This invitation expired on {letter.expires_on.isoformat()}.", slug="code-expired"
        )

    round_ = await get_round(letter.round_id, uow=uow)
    if round_.committed_at is not None:
        raise Conflict(
            "Registration for this round closed when its pool was committed for the draw.",
            slug="registration-closed",
            message={
                "it": "Le iscrizioni per questa estrazione sono chiuse: il sorteggio è già "
                "stato preparato. Grazie per l'interesse; potrai essere invitato a una "
                "prossima selezione.",
                "en": "Registration for this selection has closed: the draw has already "
                "been prepared. Thank you for your interest; you may be invited to a "
                "future selection.",
            },
        )
    assembly, cohort = await round_cohort(round_, uow=uow)
    starts = cohort.starts_on if cohort else today()
    age = age_on(reg.date_of_birth, starts)
    if reg.date_of_birth > today() or age > 120:
        raise Invalid("The date of birth is not plausible.", slug="invalid-date-of-birth")
    if age < assembly.min_age:
        raise Invalid(
            f"Members must be at least {assembly.min_age} on {starts.isoformat()}, when the "
            "term starts.",
            slug="under-age",
        )
    features = _check_features(reg.features, round_.features, age=age)

    respondent_id = uuid.uuid4()
    person = await People(uow).add(
        respondent_id=respondent_id,
        round_id=letter.round_id,
        assembly_id=round_.assembly_id,
        invitation_id=letter.id,
        household_ref=letter.household_ref,
        features=features,
        personal=ctx.cipher.seal(reg.personal()),
        key_id=ctx.cipher.current_key_id,
        channel=reg.channel,
        listed=reg.listed,
        reserve_consent=reg.consents.get("reserve_list", False),
        request_digest=reg.digest(),
        state=REGISTERED,
    )
    await Letters(uow).update(
        letter.id, status="used", used_at=sa.func.now(), respondent_id=respondent_id
    )
    await Consents(uow).record_all(
        [
            {
                "respondent_id": respondent_id,
                "purpose": purpose,
                "granted": granted,
                "source": reg.channel,
            }
            for purpose, granted in sorted(reg.consents.items())
        ]
    )
    await Transitions(uow).log(
        respondent_id=respondent_id,
        from_state=None,
        to_state=REGISTERED,
        actor=actor,
        reason=f"registered ({reg.channel})",
    )
    uow.emit(
        RespondentRegistered(
            round_id=letter.round_id,
            respondent_id=str(respondent_id),
            household=letter.household_ref,
            features=features,
        ),
        subject=f"round/{letter.round_id}",
    )
    return person, True


def _check_features(
    given: dict[str, str], asked: dict[str, list[str]], *, age: int
) -> dict[str, str]:
    """The features to keep: the round's (age band derived from the date of birth when
    the round asks for one), each with one of the round's values."""
    features = {k.strip(): v.strip() for k, v in given.items()}
    if (municipio := _MUNICIPIO.match(features.get("municipio", ""))) is not None:
        features["municipio"] = f"M{municipio[1]}"  # "Municipio 3", "3" and "m3" are M3
    declared = {name: features.pop(name) for name in AGE_FEATURES if name in features}
    missing = [f for f in REQUIRED_FEATURES if not features.get(f)]
    for name, values in asked.items():
        if name in AGE_FEATURES:  # always from the date of birth, never as declared
            band = band_of(age, values)
            if band is None:
                raise Invalid(
                    f"An age of {age} is in none of the round's bands ({', '.join(values)}).",
                    slug="unknown-feature-value",
                )
            if declared.get(name, band) != band:
                raise Invalid(
                    f"The {name} {declared[name]!r} does not match the date of birth, which "
                    f"gives {band!r}; leave it out, it is derived.",
                    slug="age-band-mismatch",
                )
            features[name] = band
        elif name not in features:
            missing.append(name)
    if missing:
        raise Invalid(
            f"The round asks for {', '.join(sorted(set(missing)))}.", slug="missing-feature"
        )
    if "municipio" not in asked and not _MUNICIPIO.match(features["municipio"]):
        raise Invalid(
            f"{features['municipio']!r} is not one of Milan's Municipi (M1 to M9).",
            slug="unknown-feature-value",
        )
    if asked:
        extra = sorted(set(features) - set(asked) - set(REQUIRED_FEATURES))
        if extra:
            raise Invalid(f"The round does not ask for {', '.join(extra)}.", slug="unknown-feature")
        for name, value in features.items():
            if name in asked and value not in asked[name]:
                raise Invalid(
                    f"{value!r} is not a value of {name} in this round ({', '.join(asked[name])}).",
                    slug="unknown-feature-value",
                )
    return features
