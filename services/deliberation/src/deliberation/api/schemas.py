"""The shapes the deliberation API speaks, shared by its routers."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from common.dates import Moment
from common.texts import Text
from deliberation.domain import proposals as text

MemberId = str
PacCode = str
CODE_PATTERN = r"^[1-9](\.[1-9][0-9]?){1,2}$"
#: Bounds that keep every number a client sends within what the tables store.
MAX_VERSION = 10_000
MAX_PARAGRAPHS = 200
MAX_COUNT = 10_000
MAX_SESSION = timedelta(hours=24)


class AgendaItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text
    pac_codes: list[str] = Field(default_factory=list, examples=[["4.2.1"]], max_length=50)
    proposal_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ValueError("a session ends after it starts")
    if ends_at - starts_at > MAX_SESSION:
        raise ValueError(
            "a session lasts at most 24 hours: schedule a residential weekend as one "
            "session a day (attendance and stipends are counted per session)"
        )


class Reschedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_at: Moment = Field(examples=["2027-03-21T09:30:00+01:00"])
    ends_at: Moment = Field(
        examples=["2027-03-21T13:00:00+01:00"],
        description="After `starts_at`, and at most 24 hours after it.",
    )

    @model_validator(mode="after")
    def _times(self) -> Reschedule:
        _check_times(self.starts_at, self.ends_at)
        return self


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assembly_id: uuid.UUID
    kind: Literal["plenary", "working_group"] = Field(examples=["plenary"])
    working_group_id: uuid.UUID | None = None
    title: Text = Field(examples=[{"it": "Plenaria di marzo", "en": "March plenary"}])
    starts_at: Moment = Field(examples=["2027-03-14T09:30:00+01:00"])
    ends_at: Moment = Field(
        examples=["2027-03-14T13:00:00+01:00"],
        description="After `starts_at`, and at most 24 hours after it.",
    )
    place: str | None = Field(
        default=None, max_length=500, examples=["Palazzo Marino, Sala Alessi"]
    )
    online_url: HttpUrl | None = Field(
        default=None,
        description="A place, an online link, or both: a session has at least one.",
        examples=["https://meet.comune.milano.it/plenaria"],
    )
    agenda: list[AgendaItem] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _times(self) -> SessionIn:
        _check_times(self.starts_at, self.ends_at)
        if self.place is None and self.online_url is None:
            raise ValueError("a session has a place, an online link, or both")
        return self

    def values(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        return {
            **data,
            "assembly_id": self.assembly_id,
            "working_group_id": self.working_group_id,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
        }


class AgendaIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "agenda": [
                        {
                            "title": {"it": "Tetti verdi", "en": "Green roofs"},
                            "pac_codes": ["4.2.1"],
                            "proposal_ids": ["7c0e6f3a-5d1b-4a8e-9b2f-1d3c5e7a9b10"],
                        }
                    ]
                }
            ]
        },
    )

    agenda: list[AgendaItem] = Field(max_length=100)


SessionState = Literal["scheduled", "open", "closed", "cancelled"]
ProposalState = Literal["draft", "submitted", "voting", "adopted", "rejected", "withdrawn"]


class Session(BaseModel):
    id: uuid.UUID
    assembly_id: uuid.UUID
    kind: str
    working_group_id: uuid.UUID | None
    title: Text
    starts_at: datetime
    ends_at: datetime
    place: str | None
    online_url: str | None
    agenda: list[AgendaItem]
    state: SessionState
    opened_at: datetime | None
    closed_at: datetime | None
    cancel_reason: str | None
    version: int
    created_at: datetime


class SessionMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Literal["open", "closed", "cancelled"] = Field(examples=["open"])
    reason: str | None = Field(
        default=None,
        max_length=2000,
        description="Why, when cancelling (required then).",
        examples=["Sala Alessi unavailable"],
    )


class CheckIn(BaseModel):
    """A facilitator names the member; a scanner posts the member's code instead."""

    model_config = ConfigDict(extra="forbid")

    direction: Literal["in", "out"] = Field(default="in", examples=["in"])
    member_id: MemberId | None = Field(
        default=None, min_length=1, max_length=200, examples=["m-7f3a9c"]
    )
    code: str | None = Field(
        default=None,
        min_length=10,
        max_length=1000,
        description="The member's check-in code, instead of `member_id`.",
    )

    @model_validator(mode="after")
    def _one(self) -> CheckIn:
        if (self.member_id is None) == (self.code is None):
            raise ValueError("give either member_id or code")
        return self


class Stay(BaseModel):
    member_id: MemberId
    first_in: datetime
    last_out: datetime | None
    minutes: int
    present: bool


class Quorum(BaseModel):
    present: int
    sitting: int
    needed: int
    reached: bool
    rule: str = Field(examples=["more than 1/2 of the sitting members"])


class AttendanceView(BaseModel):
    session_id: uuid.UUID
    present: list[MemberId]
    stays: list[Stay]
    quorum: Quorum


class CheckInCode(BaseModel):
    session_id: uuid.UUID
    code: str = Field(description="Show it as a QR code; the facilitator's scanner posts it.")
    expires_in_hours: int


class PublicAttendance(BaseModel):
    present: int
    attended: int
    sitting: int


class WorkingGroupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assembly_id: uuid.UUID
    name: Text = Field(examples=[{"it": "Mobilità", "en": "Mobility"}])
    ambito: int | None = Field(default=None, ge=1, le=5, examples=[2])
    pac_codes: list[str] = Field(default_factory=list, max_length=100, examples=[["2.1.3"]])
    members: list[MemberId] = Field(default_factory=list, max_length=200)


class WorkingGroup(BaseModel):
    id: uuid.UUID
    assembly_id: uuid.UUID
    name: Text
    ambito: int | None
    pac_codes: list[str]
    members: list[MemberId]
    version: int
    created_at: datetime


class Members(BaseModel):
    model_config = ConfigDict(extra="forbid")

    members: list[MemberId] = Field(max_length=200, examples=[["m-7f3a9c", "m-0b42de"]])


class Wording(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text
    paragraphs: list[Text] = Field(min_length=1, max_length=MAX_PARAGRAPHS)
    rationale: Text

    def content(self) -> text.Content:
        return text.Content(
            title=self.title, paragraphs=tuple(self.paragraphs), rationale=self.rationale
        )


class ParagraphChange(BaseModel):
    op: Literal["equal", "replace", "insert", "delete"]
    paragraph_from: int | None = Field(description="Its number in the first version.")
    paragraph_to: int | None = Field(description="Its number in the second version.")
    text_from: Text | None
    text_to: Text | None


class Comparison(BaseModel):
    version_from: int
    version_to: int
    title_changed: bool
    rationale_changed: bool
    paragraphs: list[ParagraphChange]


class ProposalIn(Wording):
    working_group_id: uuid.UUID
    pac_codes: list[str] = Field(min_length=1, max_length=50, examples=[["4.2.1"]])


class Revision(Wording):
    reason: str = Field(min_length=1, max_length=2000, examples=["Wording agreed on 12 March"])


class Version(BaseModel):
    number: int
    title: Text
    paragraphs: list[Text]
    rationale: Text
    sha256: str
    author_role: str
    author_id: str | None = Field(
        description="A member's pseudonymous id or a staff subject; not in the public API."
    )
    reason: str
    amendment_id: uuid.UUID | None
    created_at: datetime


class Answer(BaseModel):
    case_id: uuid.UUID
    decision: str
    answer: Text
    published_at: datetime


class Implementation(BaseModel):
    case_id: uuid.UUID
    progress: float
    status: str
    updated_at: datetime


class Proposal(BaseModel):
    id: uuid.UUID
    assembly_id: uuid.UUID
    working_group_id: uuid.UUID
    state: ProposalState
    pac_codes: list[str]
    current: Version
    submitted_at: datetime | None = Field(
        description="When its working group submitted it; until then it is not public."
    )
    adopted_sha256: str | None
    adopted_vote_id: uuid.UUID | None
    answer: Answer | None
    implementation: Implementation | None
    version: int
    created_at: datetime


class ProposalMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Literal["submitted", "withdrawn"] = Field(examples=["submitted"])


class AmendmentIn(BaseModel):
    """``replace`` or ``delete`` paragraph n (from 1), ``insert`` after n (0: at the top),
    or ``whole``: a new wording."""

    model_config = ConfigDict(extra="forbid")

    target_version: int = Field(ge=1, le=MAX_VERSION)
    operation: Literal["replace", "insert", "delete", "whole"]
    paragraph: int | None = Field(default=None, ge=0, le=MAX_PARAGRAPHS)
    text: Text | None = None
    wording: Wording | None = None
    rationale: Text

    @model_validator(mode="after")
    def _shape(self) -> AmendmentIn:
        if self.operation == "whole":
            if self.wording is None or self.paragraph is not None:
                raise ValueError("a whole-text amendment gives `wording` and no paragraph")
        elif self.paragraph is None:
            raise ValueError(f"{self.operation} names a paragraph")
        elif (self.operation == "delete") != (self.text is None):
            raise ValueError("replace and insert give `text`; delete gives none")
        return self

    def values(self) -> dict[str, Any]:
        content: dict[str, Any] = {}
        if self.wording is not None:
            content = self.wording.model_dump()
        elif self.text is not None:
            content = {"text": self.text.model_dump()}
        return {
            "target_version": self.target_version,
            "operation": self.operation,
            "paragraph": self.paragraph,
            "content": content,
            "rationale": self.rationale.model_dump(),
        }


class Amendment(BaseModel):
    id: uuid.UUID
    proposal_id: uuid.UUID
    target_version: int
    operation: str
    paragraph: int | None
    content: dict[str, Any]
    rationale: Text
    state: Literal["proposed", "voting", "accepted", "rejected", "withdrawn", "lapsed"]
    author_role: str
    author_id: str | None = Field(
        description="A member's pseudonymous id or a staff subject; not in the public API."
    )
    result_version: int | None
    version: int = Field(description="The amendment's own version, as its `ETag`.")
    created_at: datetime


class VoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: uuid.UUID
    proposal_id: uuid.UUID
    subject: Literal["amendment", "final_text"]
    amendment_id: uuid.UUID | None = None
    method: Literal["tally", "open_ballot", "secret_ballot"] = Field(examples=["secret_ballot"])


class TallyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    yes: int = Field(ge=0, le=MAX_COUNT, examples=[40])
    no: int = Field(ge=0, le=MAX_COUNT, examples=[15])
    abstain: int = Field(ge=0, le=MAX_COUNT, examples=[4])


class BallotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    choice: Literal["yes", "no", "abstain"] = Field(examples=["yes"])


class Result(BaseModel):
    yes: int
    no: int
    abstain: int
    not_voted: int
    entitled: int
    base: int = Field(description="The count the threshold is a fraction of.")
    threshold: int = Field(description="The fewest yes votes that adopt.")
    adopted: bool
    rule: str = Field(examples=["2/3 of present"])
    rule_version: int


class Vote(BaseModel):
    id: uuid.UUID
    session_id: uuid.UUID
    subject: str
    proposal_id: uuid.UUID
    amendment_id: uuid.UUID | None
    text_version: int
    text_sha256: str
    method: str
    state: Literal["open", "closed"]
    entitled: int = Field(description="Members present when the vote opened.")
    yes: int | None = Field(
        description="The counts so far; none while a ballot vote is open (nobody watches "
        "a count move as members vote)."
    )
    no: int | None
    abstain: int | None
    entitled_members: list[MemberId] | None = Field(
        default=None, description="Operators and facilitators only."
    )
    voted: int = Field(description="Ballots cast so far (ballot votes).")
    result: Result | None
    opened_at: datetime
    closed_at: datetime | None
    version: int


class RulesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quorum_numerator: int = Field(default=1, ge=1, le=100, examples=[1])
    quorum_denominator: int = Field(default=2, ge=1, le=100, examples=[2])
    quorum_strict: bool = Field(default=True, description="`true`: more than the fraction.")
    majority_numerator: int = Field(default=2, ge=1, le=100)
    majority_denominator: int = Field(default=3, ge=1, le=100)
    majority_base: Literal["present", "cast", "yes_no"] = "present"
    plenary_every_months: int = Field(default=1, ge=1, le=12)

    @model_validator(mode="after")
    def _fractions(self) -> RulesIn:
        if self.quorum_numerator > self.quorum_denominator:
            raise ValueError("the quorum is a fraction of at most 1")
        if self.majority_numerator > self.majority_denominator:
            raise ValueError("the majority is a fraction of at most 1")
        if 2 * self.majority_numerator < self.majority_denominator:
            raise ValueError("the majority is a fraction of at least one half")
        return self


class Rules(RulesIn):
    assembly_id: uuid.UUID
    version: int
    set_by: str
    created_at: datetime


class Sitting(BaseModel):
    assembly_id: uuid.UUID
    on: date
    members: list[MemberId]


class PlenaryCalendar(BaseModel):
    assembly_id: uuid.UUID
    every_months: int = Field(examples=[1])
    dates: list[date] = Field(examples=[["2027-01-16", "2027-02-16"]])
