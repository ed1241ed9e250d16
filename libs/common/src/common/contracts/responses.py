"""Events the responses service publishes (stream ``RESPONSES``)."""

from __future__ import annotations

import uuid
from datetime import datetime

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
