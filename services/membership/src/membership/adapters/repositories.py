"""The membership service's aggregates, each behind its repository."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from common.db.repository import Record, Repository
from membership.adapters.tables import assemblies, exports, people, rounds


@dataclass(frozen=True, slots=True)
class Assembly(Record):
    id: uuid.UUID
    name: dict[str, str]
    seats: int
    min_age: int
    cohort_size: int
    cohort_interval_months: int
    term_months: int
    training_weeks: int
    first_cohort_starts_on: date | None
    cohorts: int | None
    version: int
    created_at: datetime
    updated_at: datetime


class Assemblies(Repository[Assembly]):
    table = assemblies
    record = Assembly
    not_found = ("No assembly with that id.", None)


@dataclass(frozen=True, slots=True)
class Round(Record):
    """What membership knows of a selection round, from sortition's events."""

    id: uuid.UUID
    assembly_id: uuid.UUID
    cohort: str
    panel_size: int
    features: dict[str, list[str]]
    committed_at: datetime | None
    drawn_at: datetime | None
    opened_at: datetime


class Rounds(Repository[Round]):
    table = rounds
    record = Round
    not_found = ("No round with that id is known to membership.", "round-not-found")


@dataclass(frozen=True, slots=True)
class Person(Record):
    """A registered person: pseudonymous fields, and their personal data sealed."""

    respondent_id: uuid.UUID
    round_id: uuid.UUID
    assembly_id: uuid.UUID
    invitation_id: uuid.UUID
    household_ref: str
    features: dict[str, str]
    personal: str | None
    key_id: str | None
    channel: str
    listed: bool
    reserve_consent: bool
    request_digest: str
    state: str
    version: int
    reply_by: date | None
    term_starts_on: date | None
    term_ends_on: date | None
    registered_at: datetime
    state_changed_at: datetime | None
    erased_at: datetime | None


class People(Repository[Person]):
    table = people
    record = Person
    key = "respondent_id"
    not_found = ("No person with that respondent id.", "person-not-found")

    async def of_round(self, respondent_id: uuid.UUID, round_id: uuid.UUID) -> Person | None:
        """The person if they registered for that round, locked."""
        return await self.one_or_none(
            self.select()
            .where(people.c.respondent_id == respondent_id, people.c.round_id == round_id)
            .with_for_update()
        )

    async def in_state(self, round_id: uuid.UUID, state: str) -> list[Person]:
        """A round's people in one state, locked, in a fixed order."""
        return await self.all(
            self.select()
            .where(people.c.round_id == round_id, people.c.state == state)
            .order_by(people.c.respondent_id)
            .with_for_update()
        )

    async def next_due(self, *conditions: sa.ColumnElement[bool]) -> Person | None:
        """One person the schedule must move, locked; skips those another worker holds."""
        return await self.one_or_none(
            self.select().where(*conditions).limit(1).with_for_update(skip_locked=True)
        )


@dataclass(frozen=True, slots=True)
class Export(Record):
    """A mail-merge export of a round's letters, built in the background."""

    id: uuid.UUID
    round_id: uuid.UUID
    status: str
    total: int
    done: int
    content: str | None
    requested_by: str
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


class Exports(Repository[Export]):
    table = exports
    record = Export
    not_found = ("No export with that id.", None)


REPOSITORIES: tuple[type[Repository[Any]], ...] = (Assemblies, Rounds, People, Exports)
