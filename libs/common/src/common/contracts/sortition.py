"""Events the sortition service publishes (stream ``SORTITION``)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from common.events.contracts import Contract


class RoundOpened(Contract):
    """A selection round was opened for an assembly's cohort."""

    TYPE = "sortition.round.opened.v1"

    round_id: uuid.UUID
    assembly_id: uuid.UUID
    cohort: str = Field(examples=["2027-01"])
    panel_size: int = Field(ge=1, examples=[30])


class QuotaBounds(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    feature: str = Field(examples=["municipio"])
    value: str = Field(examples=["M1"])
    min: int = Field(ge=0)
    max: int = Field(ge=0)


class QuotasSet(Contract):
    """A round's quotas were replaced: the features registrants are asked for and the
    values each may take."""

    TYPE = "sortition.round.quotas_set.v1"

    round_id: uuid.UUID
    version: int = Field(default=1, ge=1)
    quotas: list[QuotaBounds]


class RoundCommitted(Contract):
    """The round's pool, quotas, algorithm and the seed's SHA-256 are fixed: registration
    for the round closes."""

    TYPE = "sortition.round.committed.v1"

    round_id: uuid.UUID
    instance_digest: str = ""
    seed_sha256: str = ""
    algorithm: str = "leximin"
    transparent: int | None = Field(
        default=None,
        description="The uniform lottery's count of panels, if one was asked for (the "
        "commitment's `uniform_panels`; the field keeps its first name in version 1).",
    )


class Letter(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sequence: int
    person_ref: str = Field(min_length=1, max_length=200)
    household_ref: str = Field(min_length=1, max_length=200)


class InvitationsDrawn(Contract):
    """One batch of the letters drawn from the registry extract (pseudonymous references:
    membership issues a code per letter)."""

    TYPE = "sortition.invitations.drawn.v1"

    round_id: uuid.UUID
    assembly_id: uuid.UUID
    cohort: str
    batch: int = Field(default=1, ge=1)
    batches: int = Field(default=1, ge=1)
    total: int = Field(default=0, ge=0)
    invitations: list[Letter]


class PanelSelected(Contract):
    """The seed was revealed and the panel drawn; the reserves in the order they are
    called."""

    TYPE = "sortition.panel.selected.v1"

    round_id: uuid.UUID
    panel: list[str]
    reserves: list[str] = []
    algorithm: str = "leximin"


class ReplacementDrawn(Contract):
    """Someone left a drawn panel and the pool gave the next person (``joining`` null:
    nobody could take the seat within the quotas)."""

    TYPE = "sortition.replacement.drawn.v1"

    round_id: uuid.UUID
    leaving: str
    joining: str | None = None
    reason: str = "declined"
    deviation: int | None = None
    sequence: int = Field(default=1, ge=1)
