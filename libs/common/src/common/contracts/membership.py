"""Events the membership service publishes (stream ``MEMBERSHIP``)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from common.events.contracts import Contract

RespondentId = str  # membership's ids are UUIDs; sortition also pools respondents by CSV


class Rotation(BaseModel):
    """How the assembly renews itself; the calendar fields are absent in older events."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    cohort_size: int = Field(description="Seats a cohort fills.", examples=[30])
    cohort_interval_months: int | None = Field(default=None, examples=[12])
    term_months: int | None = Field(default=None, examples=[36])
    training_weeks: int = Field(default=0, examples=[4])
    first_cohort_starts_on: date | None = Field(default=None, examples=["2027-01-01"])
    cohorts: int | None = Field(default=None, description="Cohorts in all; null: open-ended.")


class AssemblyConfigured(Contract):
    """An assembly was created or reconfigured; consumers keep the newest ``version``."""

    TYPE = "membership.assembly.configured.v1"

    assembly_id: uuid.UUID
    version: int = Field(ge=1)
    seats: int = Field(ge=1, examples=[90])
    min_age: int = Field(examples=[16])
    rotation: Rotation


class RespondentRegistered(Contract):
    """A citizen registered with an invitation code: a pseudonymous id, a household
    reference and the features the quotas use, never a name or contact."""

    TYPE = "membership.respondent.registered.v1"

    round_id: uuid.UUID
    respondent_id: RespondentId = Field(min_length=1, max_length=200)
    household: str | None = Field(default=None, max_length=200)
    features: dict[str, str] = Field(examples=[{"gender": "F", "municipio": "M3"}])


class MemberLeft(Contract):
    """Someone drawn left before or during their term (the base of two events)."""

    round_id: uuid.UUID
    respondent_id: RespondentId = Field(min_length=1, max_length=200)


class MemberDeclined(MemberLeft):
    """A selected person declined, or could not be reached by the reply deadline."""

    TYPE = "membership.member.declined.v1"

    reason: Literal["declined", "unreachable"] = "declined"


class MemberWithdrew(MemberLeft):
    """A confirmed or sitting member withdrew."""

    TYPE = "membership.member.withdrew.v1"


class MemberActivated(Contract):
    """A member's term started: they sit from ``term_starts_on``."""

    TYPE = "membership.member.activated.v1"

    round_id: uuid.UUID
    respondent_id: RespondentId
    assembly_id: uuid.UUID
    term_starts_on: date | None
    term_ends_on: date | None


class MemberTermEnded(Contract):
    """A member's term ended."""

    TYPE = "membership.member.term_ended.v1"

    round_id: uuid.UUID
    respondent_id: RespondentId
    assembly_id: uuid.UUID
    term_ends_on: date | None


class PersonErased(Contract):
    """A person's personal data was erased (on request or at the end of retention);
    consumers drop whatever they hold about them beyond the pseudonymous id."""

    TYPE = "membership.person.erased.v1"

    respondent_id: RespondentId
    round_id: uuid.UUID
