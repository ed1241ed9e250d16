"""Events the deliberation service publishes (stream ``DELIBERATION``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from common.events.contracts import Contract
from common.texts import Text


class Attended(BaseModel):
    """One member's presence at a session, for stipends: a pseudonymous id, no name."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    member_id: str = Field(examples=["6f1c2b9e-3d7a-4e1f-9a52-0c8d7b6e5f41"])
    minutes: int = Field(
        ge=0,
        description="Minutes present between the session's opening and its close.",
        examples=[175],
    )
    first_in: datetime
    last_out: datetime


class AttendanceRecorded(Contract):
    """A session closed: who attended it and for how long (membership's stipends ledger
    pays from this)."""

    TYPE = "deliberation.attendance.recorded.v1"

    session_id: uuid.UUID
    assembly_id: uuid.UUID
    kind: str = Field(examples=["plenary"], description="`plenary` or `working_group`.")
    held_on: date
    opened_at: datetime
    closed_at: datetime
    attended: list[Attended]


class Tally(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    yes: int = Field(ge=0, examples=[40])
    no: int = Field(ge=0, examples=[15])
    abstain: int = Field(ge=0, examples=[4])
    entitled: int = Field(ge=0, examples=[59])
    base: int = Field(ge=0, examples=[59])
    threshold: int = Field(ge=0, examples=[40])
    rule: str = Field(examples=["2/3 of present"])
    rule_version: int = Field(ge=1, examples=[1])


class ProposalAdopted(Contract):
    """The assembly adopted a recommendation by its final vote: the Comune must answer it.
    ``text_sha256`` is the SHA-256 of the adopted wording, recorded with the vote."""

    TYPE = "deliberation.proposal.adopted.v1"

    proposal_id: uuid.UUID
    assembly_id: uuid.UUID
    version: int = Field(ge=1)
    title: Text
    text: list[Text] = Field(description="The adopted wording, paragraph by paragraph.")
    rationale: Text
    pac_codes: list[str] = Field(examples=[["4.2.1", "1.3.1"]])
    text_sha256: str
    session_id: uuid.UUID
    vote_id: uuid.UUID
    adopted_on: date
    tally: Tally
