"""The shapes the responses API speaks, shared by its routers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, model_validator

from common.documents import DocumentView
from common.texts import Text


def _within_years(value: date) -> date:
    if not date(2000, 1, 1) <= value <= date(2100, 12, 31):
        raise ValueError("a date between 2000 and 2100")
    return value


#: A day the Comune's calendar can hold: years 2000 to 2100.
Day = Annotated[date, AfterValidator(_within_years)]
DepartmentCode = Annotated[
    str, Field(pattern=r"^[A-Z][A-Z0-9_]{1,31}$", examples=["DIR_TRANSIZIONE_AMBIENTALE"])
]
Decision = Literal[
    "accepted", "partially_accepted", "rejected", "already_in_progress", "needs_study"
]
CaseState = Literal["received", "assigned", "in_review", "drafted", "approved", "published"]
ResultStatus = Literal["planned", "in_progress", "completed", "suspended", "cancelled"]
Percent = Annotated[
    Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2, examples=["35.00"])
]
MAX_POINTS = 200

TITLE = {"it": "Zone 30 attorno alle scuole", "en": "30 km/h zones around schools"}
ANSWER = {
    "it": "Il Comune accoglie la proposta per le scuole primarie dal 2027.",
    "en": "The Comune accepts the proposal for primary schools from 2027.",
}


class DepartmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: DepartmentCode
    kind: Literal["direzione", "assessorato"] = Field(default="direzione", examples=["direzione"])
    name: Text = Field(
        examples=[{"it": "Direzione Transizione Ambientale", "en": "Environmental Transition"}]
    )


class Department(DepartmentIn):
    id: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime


class ImportSummary(BaseModel):
    created: int = Field(examples=[12])
    updated: int = Field(examples=[1])
    unchanged: int = Field(examples=[30])


class DocumentRef(BaseModel):
    """A document held elsewhere (the Comune's site, its register of acts), registered by
    its address and the SHA-256 of its bytes, so that a changed file is noticed."""

    model_config = ConfigDict(extra="forbid")

    title: Text
    url: HttpUrl = Field(examples=["https://www.comune.milano.it/documents/parere-tecnico.pdf"])
    sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$",
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    )
    media_type: str = Field(
        default="application/pdf", pattern=r"^[a-z]+/[a-z0-9.+-]+$", max_length=100
    )


class Escalation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after_days: int = Field(ge=1, le=365, examples=[1], description="Days after the due date.")
    level: Literal["coordination", "political"] = Field(examples=["coordination"])


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: int = Field(ge=1, le=730, examples=[120])
    basis: Literal["calendar_days", "business_days"] = Field(examples=["calendar_days"])
    reminders: list[int] = Field(max_length=10, examples=[[30, 7, 1]])
    escalations: list[Escalation] = Field(
        max_length=2,
        examples=[
            [{"after_days": 1, "level": "coordination"}, {"after_days": 30, "level": "political"}]
        ],
    )
    report_months: int = Field(ge=1, le=24, examples=[6])
    decidim_states: dict[Decision, Annotated[str, Field(max_length=50)]] = Field(
        examples=[
            {
                "accepted": "accepted",
                "partially_accepted": "partially_accepted",
                "rejected": "rejected",
                "already_in_progress": "accepted",
                "needs_study": "evaluating",
            }
        ]
    )


class Policy(PolicyIn):
    assembly_id: uuid.UUID
    version: int
    set_by: str
    created_at: datetime


class CaseIn(BaseModel):
    """A recommendation adopted outside the system (the 2022–25 cycles), with the same
    fields as one that deliberation reports."""

    model_config = ConfigDict(extra="forbid")

    proposal_id: uuid.UUID | None = Field(
        default=None, description="The proposal's id where one exists; a new id otherwise."
    )
    assembly_id: uuid.UUID
    cycle: str | None = Field(
        default=None,
        pattern=r"^[0-9A-Za-z_-]{1,20}$",
        examples=["2024"],
        description="Default: the adoption's year.",
    )
    title: Text = Field(examples=[TITLE])
    text: list[Text] = Field(min_length=1, max_length=MAX_POINTS)
    rationale: Text
    pac_codes: list[Annotated[str, Field(pattern=r"^[1-5](\.[1-9][0-9]?){1,2}$")]] = Field(
        default_factory=list, max_length=50, examples=[["2.1.3"]]
    )
    adopted_on: Day = Field(examples=["2024-10-15"])
    lead_department: DepartmentCode | None = None
    contributing: list[DepartmentCode] = Field(default_factory=list, max_length=30)


class Clock(BaseModel):
    due_on: date = Field(examples=["2025-02-12"])
    days_left: int = Field(examples=[-3], description="Negative when overdue.")
    overdue: bool
    escalation: Literal["coordination", "political"] | None = None


class CaseView(BaseModel):
    id: uuid.UUID
    proposal_id: uuid.UUID
    assembly_id: uuid.UUID
    origin: Literal["deliberation", "operator"]
    cycle: str
    title: Text
    pac_codes: list[str]
    adopted_on: date
    state: CaseState
    round: int = Field(description="1 for the first answer; 2 and on after a contested reply.")
    lead_department: str | None
    contributing: list[str]
    due_on: date
    days_left: int = Field(description="Negative when overdue; the clock stops at publication.")
    clock: Clock
    answered_on: date | None
    progress: Decimal | None
    version: int
    created_at: datetime
    updated_at: datetime


class DeadlineView(BaseModel):
    round: int
    kind: Literal["initial", "extension", "follow_up"]
    due_on: date
    reason: Text | None
    set_at: datetime


class AlarmView(BaseModel):
    kind: Literal["reminder", "overdue"]
    about: Literal["answer", "progress_report"]
    days: int = Field(description="Days before (a reminder) or after (overdue) the due date.")
    level: Literal["coordination", "political"] | None
    due_on: date
    raised_on: date


class StepView(BaseModel):
    action: str = Field(examples=["approved"])
    from_state: str | None
    to_state: str
    actor_role: str
    at: datetime


class CaseDetail(CaseView):
    text: list[Text]
    rationale: Text
    text_sha256: str
    session_id: uuid.UUID | None
    vote_id: uuid.UUID | None
    tally: dict[str, Any] | None
    opinion: dict[str, Any] | None
    deadlines: list[DeadlineView]
    history: list[StepView]
    alarms: list[AlarmView] = Field(
        description="What the clock raised: reminders before a due date, escalations after."
    )


class AssignmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lead_department: DepartmentCode
    contributing: list[DepartmentCode] = Field(default_factory=list, max_length=30)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    opinion: Text = Field(
        examples=[{"it": "Parere tecnico favorevole.", "en": "A favourable technical opinion."}]
    )
    documents: list[DocumentRef] = Field(default_factory=list, max_length=20)


class ExtensionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    due_on: Day = Field(examples=["2025-04-30"])
    reason: Text | None = Field(
        default=None,
        examples=[{"it": "In attesa del parere di ATM.", "en": "Awaiting ATM's opinion."}],
        description="Mandatory; published with the new date.",
    )


class PointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: int = Field(ge=1, le=MAX_POINTS, examples=[1])
    decision: Decision = Field(examples=["accepted"])
    reasons: Text | None = None
    cost_eur: Annotated[Decimal, Field(ge=0, le=Decimal("1e12"), decimal_places=2)] | None = Field(
        default=None, examples=["250000.00"]
    )
    starts_on: Day | None = Field(default=None, examples=["2027-01-01"])
    ends_on: Day | None = Field(default=None, examples=["2027-12-31"])
    office: str | None = Field(
        default=None, min_length=1, max_length=200, examples=["Area Mobilità Sostenibile"]
    )


class ActIn(BaseModel):
    """The formal act that adopts the answer, such as a Giunta resolution."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=100, examples=["Delibera di Giunta"])
    number: str = Field(min_length=1, max_length=50, examples=["1234"])
    adopted_on: Day = Field(examples=["2025-01-20"])


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    points: list[PointIn] = Field(min_length=1, max_length=MAX_POINTS)
    answer: Text = Field(examples=[ANSWER])
    act: ActIn | None = None
    documents: list[DocumentRef] = Field(default_factory=list, max_length=20)


class DraftView(BaseModel):
    version: int
    round: int
    decision: Decision
    points: list[dict[str, Any]]
    answer: Text
    act: dict[str, Any] | None
    documents: list[dict[str, Any]]
    drafter_role: str
    approved: bool
    approver_role: str | None
    approved_at: datetime | None
    created_at: datetime


class ApprovalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    draft_version: int = Field(ge=1, le=10_000, examples=[1])


class AnswerView(BaseModel):
    round: int
    decision: Decision
    decidim_state: str = Field(examples=["accepted"])
    answer: Text
    points: list[dict[str, Any]]
    act: dict[str, Any] | None
    documents: list[dict[str, Any]]
    sha256: str
    published_at: datetime


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["satisfied", "partially_satisfied", "contested"] = Field(examples=["contested"])
    text: Text | None = None


class ReplyView(BaseModel):
    round: int
    kind: Literal["satisfied", "partially_satisfied", "contested"]
    text: Text | None
    reopened: bool
    created_at: datetime


class ResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text = Field(examples=[TITLE])
    description: Text
    point: int | None = Field(
        default=None,
        ge=1,
        le=MAX_POINTS,
        description="The proposal's point this result implements.",
    )
    parent_id: uuid.UUID | None = None
    starts_on: Day | None = Field(default=None, examples=["2027-01-01"])
    ends_on: Day | None = Field(default=None, examples=["2027-12-31"])
    status: ResultStatus = "planned"
    progress: Percent | None = None
    weight: Annotated[Decimal, Field(gt=0, le=1000, max_digits=8, decimal_places=2)] = Decimal(1)
    external_id: str | None = Field(
        default=None, min_length=1, max_length=100, examples=["PAC-2.1.3-01"]
    )

    @model_validator(mode="after")
    def _period(self) -> ResultIn:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("a result ends on or after its start")
        return self


class MilestoneView(BaseModel):
    id: uuid.UUID
    title: Text
    planned_on: date
    actual_on: date | None
    late: bool
    days_late: int
    version: int


class ResultView(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    parent_id: uuid.UUID | None
    point: int | None
    title: Text
    description: Text
    starts_on: date | None
    ends_on: date | None
    status: ResultStatus
    progress: Decimal | None = Field(description="As reported (leaves).")
    rolled_up: Decimal = Field(description="With the children's progress, by weight.")
    weight: Decimal
    external_id: str | None
    milestones: list[MilestoneView]
    version: int


class Implementation(BaseModel):
    case_id: uuid.UUID
    progress: Decimal = Field(examples=["35.00"])
    status: ResultStatus
    next_report_on: date | None
    results: list[ResultView]


class MilestoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Text
    planned_on: Day = Field(examples=["2027-06-30"])
    actual_on: Day | None = None


class ReachedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actual_on: Day = Field(examples=["2027-07-04"])


class ProgressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    progress: Percent
    status: ResultStatus = Field(examples=["in_progress"])
    note: Text = Field(
        examples=[{"it": "Cantieri avviati in 12 scuole.", "en": "Works started at 12 schools."}]
    )


class ReportView(BaseModel):
    progress: Decimal
    status: ResultStatus
    note: Text
    reported_on: date
    created_at: datetime


class LevelsView(BaseModel):
    cases: int = Field(examples=[28])
    answered: int
    on_time: int
    late: int
    on_time_rate: float | None = Field(examples=[0.8125], description="on_time / answered.")
    median_days: float | None = Field(examples=[96.5])
    p90_days: int | None = Field(examples=[131], description="Nearest rank: the ⌈0.9·n⌉-th.")
    open: int
    overdue: int
    extended: int


class LateMilestone(BaseModel):
    case_id: uuid.UUID
    milestone_id: uuid.UUID
    title: Text
    planned_on: date
    actual_on: date | None
    days_late: int


class ServiceLevels(BaseModel):
    today: date
    overall: LevelsView
    by_department: dict[str, LevelsView]
    by_cycle: dict[str, LevelsView]
    late_milestones: list[LateMilestone]


class PublicCase(BaseModel):
    id: uuid.UUID
    proposal_id: uuid.UUID
    cycle: str
    title: Text
    pac_codes: list[str]
    adopted_on: date
    state: str
    lead_department: str | None
    due_on: date
    days_left: int
    answered_on: date | None
    decision: Decision | None
    progress: Decimal | None


class PublicCaseDetail(PublicCase):
    documents: list[DocumentView] = Field(
        description="The public documents (opinion, act, attachments), once answered."
    )
    text: list[Text]
    rationale: Text
    text_sha256: str
    deadlines: list[DeadlineView]
    answers: list[AnswerView]
    replies: list[ReplyView]
    implementation: Implementation
