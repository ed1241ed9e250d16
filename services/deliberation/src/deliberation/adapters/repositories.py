"""The deliberation service's aggregates, each behind its repository."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from common import documents as common_documents
from common.db.repository import Record, Repository
from common.errors import NotFound
from common.http.pagination import PageParams
from deliberation.adapters.tables import (
    amendments,
    assemblies,
    assembly_rules,
    attendance,
    documents,
    pac_actions,
    pac_ambiti,
    pac_objectives,
    pac_revisions,
    proposal_versions,
    proposals,
    roster,
    sessions,
    vote_ballots,
    vote_voters,
    votes,
    working_group_members,
    working_groups,
)


@dataclass(frozen=True, slots=True)
class PacAmbito(Record):
    number: int
    title: dict[str, str]
    version: int
    created_at: datetime
    updated_at: datetime


class PacAmbiti(Repository[PacAmbito]):
    table = pac_ambiti
    record = PacAmbito
    key = "number"
    not_found = ("No ambito {key} in the PAC.", None)

    async def every(self) -> list[PacAmbito]:
        return await self.all(self.select().order_by(pac_ambiti.c.number))


@dataclass(frozen=True, slots=True)
class PacObjective(Record):
    code: str
    ambito: int
    title: dict[str, str]
    version: int
    created_at: datetime
    updated_at: datetime


class PacObjectives(Repository[PacObjective]):
    table = pac_objectives
    record = PacObjective
    key = "code"
    not_found = ("No PAC objective {key}.", None)

    async def every(self) -> list[PacObjective]:
        return await self.all(self.select())


@dataclass(frozen=True, slots=True)
class PacAction(Record):
    id: uuid.UUID
    code: str
    ambito: int
    objective: str
    title: dict[str, str]
    version: int
    created_at: datetime
    updated_at: datetime


class PacActions(Repository[PacAction]):
    table = pac_actions
    record = PacAction
    key = "code"
    not_found = ("No PAC action {key}.", None)

    async def unknown(self, codes: Sequence[str]) -> list[str]:
        """Those of ``codes`` that are not in the catalogue."""
        found = set(
            (
                await self.session.execute(
                    sa.select(pac_actions.c.code).where(pac_actions.c.code.in_(list(codes)))
                )
            ).scalars()
        )
        return sorted(set(codes) - found)

    async def every(self) -> list[PacAction]:
        return await self.all(self.select())


@dataclass(frozen=True, slots=True)
class PacRevision(Record):
    code: str
    version: int
    level: str
    title: dict[str, str]
    changed_by: str
    created_at: datetime


class PacRevisions(Repository[PacRevision]):
    table = pac_revisions
    record = PacRevision
    key = "code"

    async def of_code(self, code: str) -> list[PacRevision]:
        return await self.all(
            self.select().where(pac_revisions.c.code == code).order_by(pac_revisions.c.version)
        )


@dataclass(frozen=True, slots=True)
class Assembly(Record):
    id: uuid.UUID
    seats: int
    config_version: int


class Assemblies(Repository[Assembly]):
    table = assemblies
    record = Assembly
    not_found = ("No assembly {key} is known here yet.", "unknown-assembly")

    async def learn(self, assembly_id: uuid.UUID, *, seats: int, config_version: int) -> None:
        """Keep membership's newest configuration (events may arrive out of order)."""
        stmt = insert(assemblies).values(id=assembly_id, seats=seats, config_version=config_version)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[assemblies.c.id],
                set_={
                    "seats": seats,
                    "config_version": config_version,
                    "updated_at": sa.func.now(),
                },
                where=assemblies.c.config_version < config_version,
            )
        )


@dataclass(frozen=True, slots=True)
class Rules(Record):
    assembly_id: uuid.UUID
    version: int
    quorum_numerator: int
    quorum_denominator: int
    quorum_strict: bool
    majority_numerator: int
    majority_denominator: int
    majority_base: str
    plenary_every_months: int
    set_by: str
    created_at: datetime


class AssemblyRules(Repository[Rules]):
    table = assembly_rules
    record = Rules
    key = "assembly_id"

    async def current(self, assembly_id: uuid.UUID) -> Rules | None:
        return await self.one_or_none(
            self.select()
            .where(assembly_rules.c.assembly_id == assembly_id)
            .order_by(assembly_rules.c.version.desc())
            .limit(1)
        )

    async def history(self, assembly_id: uuid.UUID) -> list[Rules]:
        return await self.all(
            self.select()
            .where(assembly_rules.c.assembly_id == assembly_id)
            .order_by(assembly_rules.c.version)
        )


@dataclass(frozen=True, slots=True)
class RosterMember(Record):
    member_id: str
    assembly_id: uuid.UUID
    round_id: uuid.UUID
    sits_from: date | None
    sits_until: date | None
    left_on: date | None
    erased: bool


class Roster(Repository[RosterMember]):
    table = roster
    record = RosterMember
    key = "member_id"
    not_found = ("Member {key} is not on the roster.", "not-a-member")

    async def upsert(self, member_id: str, **values: Any) -> None:
        await self.session.execute(
            insert(roster)
            .values(member_id=member_id, **values)
            .on_conflict_do_update(
                index_elements=[roster.c.member_id], set_={**values, "updated_at": sa.func.now()}
            )
        )

    async def change(self, member_id: str, **values: Any) -> None:
        await self.session.execute(
            sa.update(roster)
            .where(roster.c.member_id == member_id)
            .values(**values, updated_at=sa.func.now())
        )

    def _sitting(self, assembly_id: uuid.UUID, day: date) -> sa.Select[Any]:
        return self.select().where(
            roster.c.assembly_id == assembly_id,
            roster.c.sits_from <= day,
            sa.or_(roster.c.sits_until.is_(None), roster.c.sits_until >= day),
            sa.or_(roster.c.left_on.is_(None), roster.c.left_on > day),
        )

    async def sitting(self, assembly_id: uuid.UUID, day: date) -> list[RosterMember]:
        """Who holds a seat on ``day``: their term covers it and they had not left."""
        return await self.all(
            self._sitting(assembly_id, day).order_by(roster.c.sits_from, roster.c.member_id)
        )

    async def sits(self, assembly_id: uuid.UUID, member_id: str, day: date) -> bool:
        found = await self.one_or_none(
            self._sitting(assembly_id, day).where(roster.c.member_id == member_id)
        )
        return found is not None


@dataclass(frozen=True, slots=True)
class WorkingGroup(Record):
    id: uuid.UUID
    assembly_id: uuid.UUID
    name: dict[str, str]
    ambito: int | None
    pac_codes: list[str]
    version: int
    created_at: datetime
    updated_at: datetime


class WorkingGroups(Repository[WorkingGroup]):
    table = working_groups
    record = WorkingGroup
    not_found = ("No working group {key}.", None)

    async def listed(
        self, params: PageParams, *, assembly_id: uuid.UUID | None
    ) -> tuple[list[WorkingGroup], str | None]:
        where = [] if assembly_id is None else [working_groups.c.assembly_id == assembly_id]
        return await self.page(params, *where)

    async def members(self, group_id: uuid.UUID) -> list[str]:
        found = await self.session.execute(
            sa.select(working_group_members.c.member_id)
            .where(working_group_members.c.working_group_id == group_id)
            .order_by(working_group_members.c.member_id)
        )
        return list(found.scalars())

    async def set_members(self, group_id: uuid.UUID, member_ids: Sequence[str]) -> None:
        await self.session.execute(
            sa.delete(working_group_members).where(
                working_group_members.c.working_group_id == group_id
            )
        )
        if member_ids:
            await self.session.execute(
                sa.insert(working_group_members),
                [{"working_group_id": group_id, "member_id": m} for m in member_ids],
            )


@dataclass(frozen=True, slots=True)
class Session(Record):
    id: uuid.UUID
    assembly_id: uuid.UUID
    kind: str
    working_group_id: uuid.UUID | None
    title: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    place: str | None
    online_url: str | None
    agenda: list[dict[str, Any]]
    state: str
    opened_at: datetime | None
    closed_at: datetime | None
    cancel_reason: str | None
    group_members: list[str] | None
    version: int
    created_at: datetime
    updated_at: datetime


class Sessions(Repository[Session]):
    table = sessions
    record = Session
    not_found = ("No session {key}.", None)

    async def listed(
        self, params: PageParams, *, assembly_id: uuid.UUID | None, state: str | None
    ) -> tuple[list[Session], str | None]:
        where = []
        if assembly_id is not None:
            where.append(sessions.c.assembly_id == assembly_id)
        if state is not None:
            where.append(sessions.c.state == state)
        return await self.page(params, *where)

    async def open_plenaries(self, assembly_id: uuid.UUID) -> list[Session]:
        return await self.all(
            self.select().where(
                sessions.c.assembly_id == assembly_id,
                sessions.c.kind == "plenary",
                sessions.c.state == "open",
            )
        )

    async def lock_assembly(self, assembly_id: uuid.UUID) -> None:
        """Serialise the openings of an assembly's plenaries (a transaction-scoped lock)."""
        await self.session.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(str(assembly_id))))
        )


@dataclass(frozen=True, slots=True)
class Presence(Record):
    id: int
    session_id: uuid.UUID
    member_id: str
    direction: str
    at: datetime
    recorded_by: str
    method: str


class Attendance(Repository[Presence]):
    table = attendance
    record = Presence

    async def of_session(self, session_id: uuid.UUID) -> list[Presence]:
        return await self.all(
            self.select()
            .where(attendance.c.session_id == session_id)
            .order_by(attendance.c.at, attendance.c.id)
        )

    async def of_member_in_open_sessions(self, member_id: str) -> list[Presence]:
        """A member's check-ins and check-outs in every session that is open now."""
        return await self.all(
            self.select()
            .join(sessions, sessions.c.id == attendance.c.session_id)
            .where(attendance.c.member_id == member_id, sessions.c.state == "open")
            .order_by(attendance.c.at, attendance.c.id)
        )


@dataclass(frozen=True, slots=True)
class Proposal(Record):
    id: uuid.UUID
    assembly_id: uuid.UUID
    working_group_id: uuid.UUID
    state: str
    pac_codes: list[str]
    current_version: int
    submitted_at: datetime | None
    adopted_sha256: str | None
    adopted_vote_id: uuid.UUID | None
    answer: dict[str, Any] | None
    implementation: dict[str, Any] | None
    version: int
    created_at: datetime
    updated_at: datetime


class Proposals(Repository[Proposal]):
    table = proposals
    record = Proposal
    not_found = ("No proposal {key}.", None)

    async def listed(
        self,
        params: PageParams,
        *,
        state: str | None,
        assembly_id: uuid.UUID | None = None,
        public: bool = False,
    ) -> tuple[list[Proposal], str | None]:
        where = [] if state is None else [proposals.c.state == state]
        if assembly_id is not None:
            where.append(proposals.c.assembly_id == assembly_id)
        if public:  # a working group's draft is its own until it is submitted
            where.append(proposals.c.submitted_at.is_not(None))
        return await self.page(params, *where)

    async def submitted_among(self, ids: set[uuid.UUID]) -> list[uuid.UUID]:
        if not ids:
            return []
        found = await self.session.execute(
            sa.select(proposals.c.id).where(
                proposals.c.id.in_(ids), proposals.c.submitted_at.is_not(None)
            )
        )
        return list(found.scalars())


@dataclass(frozen=True, slots=True)
class ProposalVersion(Record):
    proposal_id: uuid.UUID
    number: int
    title: dict[str, str]
    paragraphs: list[dict[str, str]]
    rationale: dict[str, str]
    sha256: str
    author_role: str
    author_id: str
    reason: str
    amendment_id: uuid.UUID | None
    created_at: datetime


class ProposalVersions(Repository[ProposalVersion]):
    table = proposal_versions
    record = ProposalVersion
    key = "proposal_id"

    async def of(self, proposal_id: uuid.UUID) -> list[ProposalVersion]:
        return await self.all(
            self.select()
            .where(proposal_versions.c.proposal_id == proposal_id)
            .order_by(proposal_versions.c.number)
        )

    async def number(self, proposal_id: uuid.UUID, number: int) -> ProposalVersion:
        found = await self.one_or_none(
            self.select().where(
                proposal_versions.c.proposal_id == proposal_id,
                proposal_versions.c.number == number,
            )
        )
        if found is None:
            raise NotFound(f"Proposal {proposal_id} has no version {number}.")
        return found


@dataclass(frozen=True, slots=True)
class Amendment(Record):
    id: uuid.UUID
    proposal_id: uuid.UUID
    target_version: int
    operation: str
    paragraph: int | None
    content: dict[str, Any]
    rationale: dict[str, str]
    state: str
    author_role: str
    author_id: str
    result_version: int | None
    version: int
    created_at: datetime
    updated_at: datetime


class Amendments(Repository[Amendment]):
    table = amendments
    record = Amendment
    not_found = ("No amendment {key}.", None)

    async def of(self, proposal_id: uuid.UUID) -> list[Amendment]:
        return await self.all(
            self.select()
            .where(amendments.c.proposal_id == proposal_id)
            .order_by(amendments.c.created_at, amendments.c.id)
        )


@dataclass(frozen=True, slots=True)
class Vote(Record):
    id: uuid.UUID
    session_id: uuid.UUID
    subject: str
    proposal_id: uuid.UUID
    amendment_id: uuid.UUID | None
    text_version: int
    text_sha256: str
    method: str
    state: str
    entitled: list[str]
    rule: dict[str, Any]
    yes: int
    no: int
    abstain: int
    tallied_at: datetime | None
    result: dict[str, Any] | None
    opened_at: datetime
    closed_at: datetime | None
    version: int
    created_at: datetime


class Votes(Repository[Vote]):
    table = votes
    record = Vote
    not_found = ("No vote {key}.", None)

    async def open_in(self, session_id: uuid.UUID) -> list[Vote]:
        return await self.all(
            self.select().where(votes.c.session_id == session_id, votes.c.state == "open")
        )

    async def of_session(self, session_id: uuid.UUID) -> list[Vote]:
        return await self.all(
            self.select().where(votes.c.session_id == session_id).order_by(votes.c.opened_at)
        )

    async def listed(
        self,
        params: PageParams,
        *,
        session_id: uuid.UUID | None,
        proposal_id: uuid.UUID | None,
        state: str | None,
    ) -> tuple[list[Vote], str | None]:
        where = []
        if session_id is not None:
            where.append(votes.c.session_id == session_id)
        if proposal_id is not None:
            where.append(votes.c.proposal_id == proposal_id)
        if state is not None:
            where.append(votes.c.state == state)
        return await self.page(params, *where)

    async def open_on(self, proposal_id: uuid.UUID) -> list[Vote]:
        return await self.all(
            self.select().where(votes.c.proposal_id == proposal_id, votes.c.state == "open")
        )

    async def of_proposal(self, proposal_id: uuid.UUID) -> list[Vote]:
        return await self.all(
            self.select().where(votes.c.proposal_id == proposal_id).order_by(votes.c.opened_at)
        )

    async def count(self, vote_id: uuid.UUID, increments: tuple[int, int, int]) -> None:
        """Add one ballot to the vote's counts; nothing else is written. The statement is
        the same whatever the choice (only its hidden parameters differ), so not even a
        log of statements tells the choices apart."""
        yes, no, abstain = increments
        await self.session.execute(
            sa.update(votes)
            .where(votes.c.id == vote_id)
            .values(
                yes=votes.c.yes + sa.bindparam("add_yes", yes),
                no=votes.c.no + sa.bindparam("add_no", no),
                abstain=votes.c.abstain + sa.bindparam("add_abstain", abstain),
            )
        )

    async def vacuum(self) -> None:
        """Vacuum the votes and their voters (after a secret vote closes, once committed):
        the dead row versions of the count, which share each ballot's transaction with its
        voter's row, are removed rather than left until autovacuum comes by."""
        engine = self.session.bind
        assert isinstance(engine, AsyncEngine)
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(sa.text("VACUUM votes, vote_voters"))

    async def has_voted(self, vote_id: uuid.UUID, member_id: str) -> bool:
        found = await self.session.execute(
            sa.select(vote_voters.c.member_id).where(
                vote_voters.c.vote_id == vote_id, vote_voters.c.member_id == member_id
            )
        )
        return found.first() is not None

    async def mark_voted(self, vote_id: uuid.UUID, member_id: str) -> bool:
        """Record that ``member_id`` has voted; False if they already had."""
        claimed = await self.session.execute(
            insert(vote_voters)
            .values(vote_id=vote_id, member_id=member_id)
            .on_conflict_do_nothing()
            .returning(vote_voters.c.member_id)
        )
        return claimed.first() is not None

    async def voters(self, vote_id: uuid.UUID) -> list[str]:
        found = await self.session.execute(
            sa.select(vote_voters.c.member_id)
            .where(vote_voters.c.vote_id == vote_id)
            .order_by(vote_voters.c.member_id)
        )
        return list(found.scalars())

    async def rewrite_voters(self, vote_id: uuid.UUID) -> None:
        """Write the list of voters again, all rows in this one transaction: the rows no
        longer carry the transaction of each ballot (which the count's row versions share)."""
        members = await self.voters(vote_id)
        await self.session.execute(sa.delete(vote_voters).where(vote_voters.c.vote_id == vote_id))
        if members:
            await self.session.execute(
                sa.insert(vote_voters), [{"vote_id": vote_id, "member_id": m} for m in members]
            )

    async def add_named(self, vote_id: uuid.UUID, member_id: str, choice: str) -> None:
        await self.session.execute(
            sa.insert(vote_ballots).values(vote_id=vote_id, member_id=member_id, choice=choice)
        )

    async def named(self, vote_id: uuid.UUID) -> list[tuple[str, str]]:
        found = await self.session.execute(
            sa.select(vote_ballots.c.member_id, vote_ballots.c.choice)
            .where(vote_ballots.c.vote_id == vote_id)
            .order_by(vote_ballots.c.member_id)
        )
        return [(m, c) for m, c in found.all()]


class Documents(common_documents.Documents):
    table = documents


REPOSITORIES: tuple[type[Repository[Any]], ...] = (
    Documents,
    PacAmbiti,
    PacObjectives,
    PacActions,
    PacRevisions,
    Assemblies,
    AssemblyRules,
    Roster,
    WorkingGroups,
    Sessions,
    Attendance,
    Proposals,
    ProposalVersions,
    Amendments,
    Votes,
)
