"""Events the responses service publishes (stream ``RESPONSES``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from common.events.contracts import Contract
from common.texts import Text


class ResponsePublished(Contract):
    """The Comune published its answer to an adopted proposal; it cannot be edited, only
    followed by a new answer."""

    TYPE = "responses.response.published.v1"

    proposal_id: uuid.UUID
    case_id: uuid.UUID
    decision: str = Field(
        examples=["partially_accepted"],
        description="`accepted`, `partially_accepted`, `rejected`, `already_in_progress` or "
        "`needs_study`.",
    )
    answer: Text
    published_at: datetime


class ImplementationUpdated(Contract):
    """What became of an answered proposal: its results' progress, rolled up."""

    TYPE = "responses.implementation.updated.v1"

    proposal_id: uuid.UUID
    case_id: uuid.UUID
    progress: float = Field(ge=0, le=100, examples=[35.0], description="Percent done.")
    status: str = Field(examples=["in_progress"])
    updated_at: datetime


class CaseReminderDue(Contract):
    """A case's due date is near: the lead department is reminded, by the clock alone.
    ``about`` is the answer itself or an implementation progress report."""

    TYPE = "responses.case.reminder_due.v1"

    case_id: uuid.UUID
    proposal_id: uuid.UUID
    assembly_id: uuid.UUID
    about: str = Field(examples=["answer"], description="`answer` or `progress_report`.")
    due_on: date
    days_left: int = Field(ge=0, examples=[7])
    lead_department: str | None = Field(examples=["DIR_TRANSIZIONE_AMBIENTALE"])


class CaseOverdue(Contract):
    """A case's due date has passed without an answer (or a progress report): it is
    escalated, first to the coordinating office, then to the political level."""

    TYPE = "responses.case.overdue.v1"

    case_id: uuid.UUID
    proposal_id: uuid.UUID
    assembly_id: uuid.UUID
    about: str = Field(examples=["answer"], description="`answer` or `progress_report`.")
    due_on: date
    days_overdue: int = Field(ge=1, examples=[1])
    level: str = Field(examples=["coordination"], description="`coordination` or `political`.")
    lead_department: str | None = Field(examples=["DIR_TRANSIZIONE_AMBIENTALE"])
