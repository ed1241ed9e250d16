"""The membership service's aggregates, each behind its repository."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from common.db.repository import Record, Repository
from common.http.pagination import PageParams
from membership.adapters.tables import (
    assemblies,
    code_failures,
    consents,
    exports,
    invitations,
    people,
    personal_data_reads,
    refund_claims,
    rounds,
    stipend_entries,
    stipend_rules,
    transitions,
)


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

    async def learn(
        self, round_id: uuid.UUID, *, assembly_id: uuid.UUID, cohort: str, panel_size: int
    ) -> None:
        """A round sortition opened; told again, it changes nothing."""
        await self.session.execute(
            insert(rounds)
            .values(id=round_id, assembly_id=assembly_id, cohort=cohort, panel_size=panel_size)
            .on_conflict_do_nothing(index_elements=[rounds.c.id])
        )

    async def set_features(self, round_id: uuid.UUID, features: dict[str, list[str]]) -> bool:
        """The features registrants are asked for; False if the round is unknown."""
        updated = await self.session.execute(
            sa.update(rounds).where(rounds.c.id == round_id).values(features=features)
        )
        return bool(updated.rowcount)  # type: ignore[attr-defined]

    async def close_registration(self, round_id: uuid.UUID, at: datetime) -> None:
        """The round's pool is committed (the first time told counts)."""
        await self.session.execute(
            sa.update(rounds)
            .where(rounds.c.id == round_id, rounds.c.committed_at.is_(None))
            .values(committed_at=at)
        )

    async def mark_drawn(self, round_id: uuid.UUID) -> None:
        await self.session.execute(
            sa.update(rounds).where(rounds.c.id == round_id).values(drawn_at=sa.func.now())
        )


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

    async def listed(
        self, params: PageParams, *, round_id: uuid.UUID | None, state: str | None
    ) -> tuple[list[Person], str | None]:
        where = []
        if round_id is not None:
            where.append(people.c.round_id == round_id)
        if state is not None:
            where.append(people.c.state == state)
        return await self.page(params, *where, created_at="registered_at", id="respondent_id")

    async def forget_personal(self, respondent_id: uuid.UUID) -> None:
        """Erasure: the personal fields go; the pseudonymous id and features stay."""
        await self.update(
            respondent_id,
            personal=None,
            key_id=None,
            listed=False,
            request_digest="",
            erased_at=sa.func.now(),
        )

    async def next_to_erase(
        self,
        *,
        not_selected: Sequence[str],
        drawn_before: timedelta,
        former: Sequence[str],
        completed: str,
        former_before: date,
    ) -> Person | None:
        """One person whose retention is over, not yet erased, locked (skipping those
        another worker holds): in ``not_selected`` states without consent to the reserve
        list, their round drawn more than ``drawn_before`` ago; or in ``former`` states
        since before ``former_before`` (the end of the term for ``completed``, else the
        day they left)."""
        left_on = sa.cast(people.c.state_changed_at, sa.Date)
        former_since = sa.func.coalesce(
            sa.case((people.c.state == completed, people.c.term_ends_on), else_=left_on),
            left_on,
        )
        due = sa.or_(
            sa.and_(
                people.c.state.in_(not_selected),
                people.c.reserve_consent.is_(False),
                rounds.c.drawn_at < sa.func.now() - drawn_before,
            ),
            sa.and_(people.c.state.in_(former), former_since < former_before),
        )
        return await self.one_or_none(
            self.select()
            .join(rounds, rounds.c.id == people.c.round_id)
            .where(people.c.erased_at.is_(None), due)
            .limit(1)
            .with_for_update(of=people, skip_locked=True)
        )

    async def sitting(
        self, assembly_id: uuid.UUID, day: date, states: Sequence[str]
    ) -> list[Person]:
        """Whose term covers ``day``, in one of ``states``: by term, then id."""
        return await self.all(
            self.select()
            .where(
                people.c.assembly_id == assembly_id,
                people.c.state.in_(states),
                people.c.term_starts_on <= day,
                people.c.term_ends_on >= day,
            )
            .order_by(people.c.term_starts_on, people.c.respondent_id)
        )

    async def staying_past(
        self, assembly_id: uuid.UUID, day: date, states: Sequence[str]
    ) -> list[Person]:
        return await self.all(
            self.select().where(
                people.c.assembly_id == assembly_id,
                people.c.state.in_(states),
                people.c.term_ends_on > day,
            )
        )

    async def count_by_state(self, assembly_id: uuid.UUID) -> dict[str, int]:
        found = await self.session.execute(
            sa.select(people.c.state, sa.func.count())
            .where(people.c.assembly_id == assembly_id)
            .group_by(people.c.state)
        )
        return {state: int(n) for state, n in found.all()}

    async def listed_in(self, assembly_id: uuid.UUID, state: str) -> list[Person]:
        """Who chose to be listed publicly, in one state, with personal data still held."""
        return await self.all(
            self.select().where(
                people.c.assembly_id == assembly_id,
                people.c.state == state,
                people.c.listed.is_(True),
                people.c.personal.is_not(None),
            )
        )

    async def of_letter(self, invitation_id: uuid.UUID) -> Person:
        """Who registered with that letter (its status says someone did)."""
        found = await self.one_or_none(self.select().where(people.c.invitation_id == invitation_id))
        if found is None:
            raise LookupError(f"a used invitation without its person: {invitation_id}")
        return found

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

    async def next_due(
        self,
        states: Sequence[str],
        *,
        reply_by_before: date | None = None,
        term_starts_by: date | None = None,
        term_ended_before: date | None = None,
    ) -> Person | None:
        """One person in ``states`` whom a date has overtaken, locked; skips those another
        worker holds: what the schedule moves next."""
        conditions: list[sa.ColumnElement[bool]] = [people.c.state.in_(states)]
        if reply_by_before is not None:
            conditions.append(people.c.reply_by < reply_by_before)
        if term_starts_by is not None:
            conditions.append(people.c.term_starts_on <= term_starts_by)
        if term_ended_before is not None:
            conditions.append(people.c.term_ends_on < term_ended_before)
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
    not_found = ("No export with that id.", "export-not-found")

    async def now(self) -> datetime:
        """The database's clock, that ``updated_at`` is written by."""
        found = await self.session.execute(sa.select(sa.func.now()))
        now: datetime = found.scalar_one()
        return now


@dataclass(frozen=True, slots=True)
class Transition(Record):
    """One step of a person's lifecycle: the system's reason as it is, an operator's
    note sealed."""

    id: int
    respondent_id: uuid.UUID
    from_state: str | None
    to_state: str
    actor: str
    reason: str | None
    note_sealed: str | None
    key_id: str | None
    at: datetime


class Transitions(Repository[Transition]):
    table = transitions
    record = Transition

    async def of_person(
        self, respondent_id: uuid.UUID, params: PageParams
    ) -> tuple[list[Transition], str | None]:
        return await self.page(
            params, transitions.c.respondent_id == respondent_id, created_at="at"
        )

    async def log(self, **values: Any) -> None:
        await self.session.execute(sa.insert(transitions).values(**values))

    async def history(self, respondent_id: uuid.UUID) -> list[Transition]:
        return await self.all(
            self.select()
            .where(transitions.c.respondent_id == respondent_id)
            .order_by(transitions.c.id)
        )

    async def forget_notes(self, respondent_id: uuid.UUID) -> None:
        await _forget_notes(self.session, transitions, respondent_id)


@dataclass(frozen=True, slots=True)
class PersonalDataRead(Record):
    """Who opened personal data, when, and why (the note sealed)."""

    id: int
    actor: str
    respondent_id: uuid.UUID | None
    round_id: uuid.UUID | None
    action: str
    note_sealed: str | None
    key_id: str | None
    at: datetime


class PersonalDataReads(Repository[PersonalDataRead]):
    table = personal_data_reads
    record = PersonalDataRead

    async def log(self, **values: Any) -> None:
        await self.session.execute(sa.insert(personal_data_reads).values(**values))

    async def forget_notes(self, respondent_id: uuid.UUID) -> None:
        await _forget_notes(self.session, personal_data_reads, respondent_id)

    async def of_person(self, respondent_id: uuid.UUID) -> list[PersonalDataRead]:
        return await self.all(
            self.select()
            .where(personal_data_reads.c.respondent_id == respondent_id)
            .order_by(personal_data_reads.c.id)
        )

    async def listed(
        self, params: PageParams, *, respondent_id: uuid.UUID | None
    ) -> tuple[list[PersonalDataRead], str | None]:
        where = (
            [] if respondent_id is None else [personal_data_reads.c.respondent_id == respondent_id]
        )
        return await self.page(params, *where, created_at="at")


@dataclass(frozen=True, slots=True)
class Consent(Record):
    id: int
    respondent_id: uuid.UUID
    purpose: str
    granted: bool
    source: str
    at: datetime


class Consents(Repository[Consent]):
    table = consents
    record = Consent

    async def of_person(self, respondent_id: uuid.UUID) -> list[Consent]:
        return await self.all(
            self.select().where(consents.c.respondent_id == respondent_id).order_by(consents.c.id)
        )

    async def record_all(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(sa.insert(consents), rows)


@dataclass(frozen=True, slots=True)
class Letter(Record):
    """An invitation letter and its code (sealed; only its digest is searchable)."""

    id: uuid.UUID
    round_id: uuid.UUID
    sequence: int
    person_ref: str
    household_ref: str
    code_digest: str
    code_sealed: str
    key_id: str
    status: str  # issued | undeliverable | used
    expires_on: date
    respondent_id: uuid.UUID | None
    created_at: datetime
    used_at: datetime | None


class Letters(Repository[Letter]):
    table = invitations
    record = Letter

    async def issue(self, rows: list[dict[str, Any]]) -> None:
        """New letters; one already issued to the same person in the round stays as it is."""
        if rows:
            await self.session.execute(
                insert(invitations).on_conflict_do_nothing(
                    index_elements=[invitations.c.round_id, invitations.c.person_ref]
                ),
                rows,
            )

    async def count_by_status(self, round_id: uuid.UUID) -> dict[str, int]:
        found = await self.session.execute(
            sa.select(invitations.c.status, sa.func.count())
            .where(invitations.c.round_id == round_id)
            .group_by(invitations.c.status)
        )
        return {status: int(n) for status, n in found.all()}

    async def mark_undeliverable(self, round_id: uuid.UUID, refs: list[str]) -> set[str]:
        """The issued letters of ``refs`` came back; the references marked."""
        marked = await self.session.execute(
            sa.update(invitations)
            .where(
                invitations.c.round_id == round_id,
                invitations.c.person_ref.in_(refs),
                invitations.c.status == "issued",
            )
            .values(status="undeliverable")
            .returning(invitations.c.person_ref)
        )
        return set(marked.scalars())

    async def statuses(self, round_id: uuid.UUID, refs: list[str]) -> dict[str, str]:
        found = await self.session.execute(
            sa.select(invitations.c.person_ref, invitations.c.status).where(
                invitations.c.round_id == round_id, invitations.c.person_ref.in_(refs)
            )
        )
        return {ref: status for ref, status in found.all()}

    async def issued_after(self, round_id: uuid.UUID, sequence: int, limit: int) -> list[Letter]:
        """The next issued letters in the order drawn, for the mail house."""
        return await self.all(
            self.select()
            .where(
                invitations.c.round_id == round_id,
                invitations.c.status == "issued",
                invitations.c.sequence > sequence,
            )
            .order_by(invitations.c.sequence)
            .limit(limit)
        )

    async def by_code(self, code_digest: str) -> Letter | None:
        """The letter with that code, locked: one registration per code."""
        return await self.one_or_none(
            self.select().where(invitations.c.code_digest == code_digest).with_for_update()
        )


async def _forget_notes(session: Any, table: sa.Table, respondent_id: uuid.UUID) -> None:
    await session.execute(
        sa.update(table)
        .where(table.c.respondent_id == respondent_id, table.c.note_sealed.is_not(None))
        .values(note_sealed=None, key_id=None)
    )


class SealedValues:
    """Every sealed column, with its table's key: what key rotation re-encrypts."""

    COLUMNS = (
        (people, people.c.respondent_id, people.c.personal),
        (invitations, invitations.c.id, invitations.c.code_sealed),
        (transitions, transitions.c.id, transitions.c.note_sealed),
        (personal_data_reads, personal_data_reads.c.id, personal_data_reads.c.note_sealed),
    )

    def __init__(self, uow: Any) -> None:
        self.session = uow.session

    async def batch(self, column: int, key_ids: list[str], limit: int) -> list[tuple[Any, str]]:
        """Up to ``limit`` (key, sealed value) of one column under one of ``key_ids``,
        locked; skips rows another worker holds."""
        table, key, sealed = self.COLUMNS[column]
        found = await self.session.execute(
            sa.select(key, sealed)
            .where(table.c.key_id.in_(key_ids), sealed.is_not(None))
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [(k, v) for k, v in found.all()]

    async def replace(self, column: int, row_key: Any, value: str, key_id: str) -> None:
        table, key, sealed = self.COLUMNS[column]
        await self.session.execute(
            sa.update(table).where(key == row_key).values({sealed.name: value, "key_id": key_id})
        )

    async def usage(self) -> dict[str, int]:
        """How many sealed values each key holds."""
        found: dict[str, int] = {}
        for table, _, _ in self.COLUMNS:
            for key_id, n in (
                await self.session.execute(
                    sa.select(table.c.key_id, sa.func.count())
                    .where(table.c.key_id.is_not(None))
                    .group_by(table.c.key_id)
                )
            ).all():
                found[key_id] = found.get(key_id, 0) + n
        return found


class CodeFailures:
    """Wrong invitation codes, per client, for the throttle."""

    def __init__(self, uow: Any) -> None:
        self.session = uow.session

    async def queue(self, client: str) -> None:
        """The client's attempts wait here for each other, until the transaction ends."""
        await self.session.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended("codes:" + client, 0)))
        )

    async def recent(self, client: str, window: timedelta) -> tuple[int, datetime | None, datetime]:
        """How many in the window, the oldest of them, and the database's now."""
        found = await self.session.execute(
            sa.select(sa.func.count(), sa.func.min(code_failures.c.at), sa.func.now()).where(
                code_failures.c.client == client, code_failures.c.at > sa.func.now() - window
            )
        )
        count, oldest, now = found.one()
        return int(count), oldest, now

    async def add(self, client: str) -> None:
        await self.session.execute(sa.insert(code_failures).values(client=client))


@dataclass(frozen=True, slots=True)
class StipendRule(Record):
    assembly_id: uuid.UUID
    version: int
    per_session_cents: int
    min_minutes: int
    term_threshold_percent: int
    set_by: str
    created_at: datetime


class StipendRules(Repository[StipendRule]):
    table = stipend_rules
    record = StipendRule
    key = "assembly_id"

    async def current(self, assembly_id: uuid.UUID) -> StipendRule | None:
        return await self.one_or_none(
            self.select()
            .where(stipend_rules.c.assembly_id == assembly_id)
            .order_by(stipend_rules.c.version.desc())
            .limit(1)
        )


@dataclass(frozen=True, slots=True)
class StipendEntry(Record):
    session_id: uuid.UUID
    respondent_id: uuid.UUID
    assembly_id: uuid.UUID
    kind: str
    held_on: date
    minutes: int
    counted: bool
    amount_cents: int
    rules_version: int
    created_at: datetime


class StipendEntries(Repository[StipendEntry]):
    table = stipend_entries
    record = StipendEntry
    key = "session_id"

    async def record_once(self, rows: list[dict[str, Any]]) -> int:
        """Add the entries of one session; those already there stay as they are."""
        if not rows:
            return 0
        added = await self.session.execute(
            insert(stipend_entries)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(stipend_entries.c.respondent_id)
        )
        return len(added.all())

    async def between(
        self, assembly_id: uuid.UUID, first: date, last: date, respondent_id: uuid.UUID | None
    ) -> list[StipendEntry]:
        conditions = [
            stipend_entries.c.assembly_id == assembly_id,
            stipend_entries.c.held_on >= first,
            stipend_entries.c.held_on <= last,
        ]
        if respondent_id is not None:
            conditions.append(stipend_entries.c.respondent_id == respondent_id)
        return await self.all(
            self.select()
            .where(*conditions)
            .order_by(stipend_entries.c.held_on, stipend_entries.c.respondent_id)
        )


@dataclass(frozen=True, slots=True)
class RefundClaim(Record):
    id: uuid.UUID
    respondent_id: uuid.UUID
    assembly_id: uuid.UUID
    session_id: uuid.UUID | None
    kind: str
    amount_cents: int
    incurred_on: date
    description: str
    state: str
    submitted_by: str
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    version: int
    created_at: datetime


class RefundClaims(Repository[RefundClaim]):
    table = refund_claims
    record = RefundClaim
    not_found = ("No refund claim {key}.", None)

    async def approved_between(
        self, assembly_id: uuid.UUID, first: date, last: date
    ) -> list[RefundClaim]:
        return await self.all(
            self.select().where(
                refund_claims.c.assembly_id == assembly_id,
                refund_claims.c.state == "approved",
                refund_claims.c.incurred_on >= first,
                refund_claims.c.incurred_on <= last,
            )
        )

    async def listed(
        self, params: PageParams, *, respondent_id: uuid.UUID | None
    ) -> tuple[list[RefundClaim], str | None]:
        where = [] if respondent_id is None else [refund_claims.c.respondent_id == respondent_id]
        return await self.page(params, *where)


REPOSITORIES: tuple[type[Repository[Any]], ...] = (
    Assemblies,
    Rounds,
    People,
    Exports,
    Transitions,
    PersonalDataReads,
    Consents,
    Letters,
    StipendRules,
    StipendEntries,
    RefundClaims,
)
