"""The responses service's aggregates, each behind its repository."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from common import documents as common_documents
from common.db.repository import Record, Repository
from common.http.pagination import PageParams
from responses.adapters.tables import (
    alarms,
    answers,
    assemblies,
    cases,
    deadlines,
    departments,
    documents,
    drafts,
    history,
    milestones,
    policies,
    progress_reports,
    replies,
    results,
)


@dataclass(frozen=True, slots=True)
class Department(Record):
    id: uuid.UUID
    code: str
    name: dict[str, str]
    kind: str
    version: int
    created_at: datetime
    updated_at: datetime


class Departments(Repository[Department]):
    table = departments
    record = Department
    not_found = ("No department with that id.", "unknown-department")

    async def by_codes(self, codes: list[str]) -> list[Department]:
        return await self.all(self.select().where(departments.c.code.in_(codes)))

    async def by_ids(self, ids: list[uuid.UUID]) -> list[Department]:
        return await self.all(self.select().where(departments.c.id.in_(ids)))

    async def upsert(self, code: str, name: dict[str, str], kind: str) -> bool:
        """Insert or rename; True when the row is new or changed."""
        stmt = (
            sa.dialects.postgresql.insert(departments)
            .values(id=uuid.uuid4(), code=code, name=name, kind=kind, version=1)
            .on_conflict_do_update(
                index_elements=[departments.c.code],
                set_={
                    "name": name,
                    "kind": kind,
                    "version": departments.c.version + 1,
                    "updated_at": sa.func.now(),
                },
                where=sa.or_(
                    departments.c.name != sa.cast(name, departments.c.name.type),
                    departments.c.kind != kind,
                ),
            )
            .returning(departments.c.id)
        )
        return (await self.session.execute(stmt)).first() is not None


@dataclass(frozen=True, slots=True)
class Assembly(Record):
    id: uuid.UUID
    config_version: int


class Assemblies(Repository[Assembly]):
    table = assemblies
    record = Assembly
    not_found = (
        "No assembly {key} is known here (membership configures them).",
        "unknown-assembly",
    )

    async def learn(self, assembly_id: uuid.UUID, *, config_version: int) -> None:
        """Keep membership's newest configuration (events may arrive out of order)."""
        stmt = sa.dialects.postgresql.insert(assemblies).values(
            id=assembly_id, config_version=config_version
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[assemblies.c.id],
                set_={"config_version": config_version, "updated_at": sa.func.now()},
                where=assemblies.c.config_version < config_version,
            )
        )


@dataclass(frozen=True, slots=True)
class Policy(Record):
    assembly_id: uuid.UUID
    version: int
    days: int
    basis: str
    reminders: list[int]
    escalations: list[list[Any]]
    report_months: int
    decidim_states: dict[str, str]
    set_by: str
    created_at: datetime


class Policies(Repository[Policy]):
    table = policies
    record = Policy
    key = "assembly_id"

    async def current(self, assembly_id: uuid.UUID) -> Policy | None:
        return await self.one_or_none(
            self.select()
            .where(policies.c.assembly_id == assembly_id)
            .order_by(policies.c.version.desc())
            .limit(1)
        )

    async def at(self, assembly_id: uuid.UUID, version: int) -> Policy | None:
        return await self.one_or_none(
            self.select().where(
                policies.c.assembly_id == assembly_id, policies.c.version == version
            )
        )


@dataclass(frozen=True, slots=True)
class Case(Record):
    id: uuid.UUID
    proposal_id: uuid.UUID
    assembly_id: uuid.UUID
    origin: str
    cycle: str
    title: dict[str, str]
    text: list[dict[str, str]]
    rationale: dict[str, str]
    pac_codes: list[str]
    text_sha256: str
    session_id: uuid.UUID | None
    vote_id: uuid.UUID | None
    tally: dict[str, Any] | None
    adopted_on: date
    state: str
    round: int
    lead_department_id: uuid.UUID | None
    contributing: list[uuid.UUID]
    policy_version: int
    clock_started_on: date
    due_on: date
    answered_on: date | None
    escalation: str | None
    opinion: dict[str, Any] | None
    next_report_on: date | None
    progress: Decimal | None
    version: int
    created_at: datetime
    updated_at: datetime


class Cases(Repository[Case]):
    table = cases
    record = Case
    not_found = ("No case {key}.", None)

    async def by_proposal(self, proposal_id: uuid.UUID) -> Case | None:
        return await self.one_or_none(self.select().where(cases.c.proposal_id == proposal_id))

    async def listed(
        self,
        params: PageParams,
        *,
        departments: list[uuid.UUID] | None,
        state: str | None = None,
        assembly_id: uuid.UUID | None = None,
        overdue_on: date | None = None,
    ) -> tuple[list[Case], str | None]:
        """``departments`` (None: every case) keeps the cases led by or shared with one
        of them; ``overdue_on`` the unanswered ones due before that day."""
        where: list[sa.ColumnElement[bool]] = []
        if departments is not None:
            where.append(
                sa.or_(
                    cases.c.lead_department_id.in_(departments),
                    cases.c.contributing.overlap(sa.cast(departments, cases.c.contributing.type)),
                )
            )
        if state is not None:
            where.append(cases.c.state == state)
        if assembly_id is not None:
            where.append(cases.c.assembly_id == assembly_id)
        if overdue_on is not None:
            where.append(sa.and_(cases.c.answered_on.is_(None), cases.c.due_on < overdue_on))
        return await self.page(params, *where)

    async def with_clock(self, after: uuid.UUID | None, limit: int) -> list[Case]:
        """Cases whose clock runs: not answered in the current round, or with an
        implementation report to come; in id order, for batches."""
        stmt = self.select().where(
            sa.or_(cases.c.state != "published", cases.c.next_report_on.is_not(None))
        )
        if after is not None:
            stmt = stmt.where(cases.c.id > after)
        return await self.all(stmt.order_by(cases.c.id).limit(limit))

    async def every(self, assembly_id: uuid.UUID | None) -> list[Case]:
        stmt = self.select()
        if assembly_id is not None:
            stmt = stmt.where(cases.c.assembly_id == assembly_id)
        return await self.all(stmt.order_by(cases.c.created_at, cases.c.id))


@dataclass(frozen=True, slots=True)
class Deadline(Record):
    case_id: uuid.UUID
    seq: int
    round: int
    kind: str
    due_on: date
    reason: dict[str, str] | None
    set_by: str
    created_at: datetime


class Deadlines(Repository[Deadline]):
    table = deadlines
    record = Deadline
    key = "case_id"  # a case's rows, listed by case

    async def of_case(self, case_id: uuid.UUID) -> list[Deadline]:
        return await self.all(
            self.select().where(deadlines.c.case_id == case_id).order_by(deadlines.c.seq)
        )


@dataclass(frozen=True, slots=True)
class Alarm(Record):
    case_id: uuid.UUID
    key: str
    kind: str
    about: str
    days: int
    level: str | None
    due_on: date
    raised_on: date
    created_at: datetime


class Alarms(Repository[Alarm]):
    table = alarms
    record = Alarm
    key = "case_id"  # a case's rows, listed by case

    async def keys(self, case_id: uuid.UUID) -> set[str]:
        rows = await self.session.execute(
            sa.select(alarms.c.key).where(alarms.c.case_id == case_id)
        )
        return {r[0] for r in rows}

    async def raise_once(self, case_id: uuid.UUID, **values: Any) -> bool:
        """Record the alarm; False when it had been raised already (by another instance)."""
        stmt = (
            sa.dialects.postgresql.insert(alarms)
            .values(case_id=case_id, **values)
            .on_conflict_do_nothing()
            .returning(alarms.c.key)
        )
        return (await self.session.execute(stmt)).first() is not None

    async def of_case(self, case_id: uuid.UUID) -> list[Alarm]:
        return await self.all(
            self.select()
            .where(alarms.c.case_id == case_id)
            .order_by(alarms.c.raised_on, alarms.c.created_at, alarms.c.key)
        )


@dataclass(frozen=True, slots=True)
class Step(Record):
    case_id: uuid.UUID
    seq: int
    action: str
    from_state: str | None
    to_state: str
    actor_role: str
    actor: str
    details: dict[str, Any]
    created_at: datetime


class History(Repository[Step]):
    table = history
    record = Step
    key = "case_id"  # a case's rows, listed by case

    async def of_case(self, case_id: uuid.UUID) -> list[Step]:
        return await self.all(
            self.select().where(history.c.case_id == case_id).order_by(history.c.seq)
        )


@dataclass(frozen=True, slots=True)
class Draft(Record):
    case_id: uuid.UUID
    version: int
    round: int
    decision: str
    points: list[dict[str, Any]]
    answer: dict[str, str]
    act: dict[str, Any] | None
    documents: list[dict[str, Any]]
    drafted_by: str
    drafter_role: str
    approved_by: str | None
    approver_role: str | None
    approved_at: datetime | None
    created_at: datetime


class Drafts(Repository[Draft]):
    table = drafts
    record = Draft
    key = "case_id"

    async def of_case(self, case_id: uuid.UUID) -> list[Draft]:
        return await self.all(
            self.select().where(drafts.c.case_id == case_id).order_by(drafts.c.version)
        )

    async def latest(self, case_id: uuid.UUID) -> Draft | None:
        return await self.one_or_none(
            self.select()
            .where(drafts.c.case_id == case_id)
            .order_by(drafts.c.version.desc())
            .limit(1)
        )

    async def approve(self, case_id: uuid.UUID, version: int, **values: Any) -> Draft:
        row = (
            await self.session.execute(
                sa.update(drafts)
                .where(drafts.c.case_id == case_id, drafts.c.version == version)
                .values(**values)
                .returning(*self._columns())
            )
        ).one()
        return self.record.from_row(row)


@dataclass(frozen=True, slots=True)
class Answer(Record):
    case_id: uuid.UUID
    round: int
    draft_version: int
    decision: str
    decidim_state: str
    body: dict[str, Any]
    sha256: str
    published_by: str
    published_at: datetime


class Answers(Repository[Answer]):
    table = answers
    record = Answer
    key = "case_id"

    async def of_case(self, case_id: uuid.UUID) -> list[Answer]:
        return await self.all(
            self.select().where(answers.c.case_id == case_id).order_by(answers.c.round)
        )

    async def of_cases(self, case_ids: list[uuid.UUID]) -> list[Answer]:
        return await self.all(
            self.select().where(answers.c.case_id.in_(case_ids)).order_by(answers.c.round)
        )


@dataclass(frozen=True, slots=True)
class Reply(Record):
    case_id: uuid.UUID
    round: int
    kind: str
    text: dict[str, str] | None
    reopened: bool
    recorded_by: str
    created_at: datetime


class Replies(Repository[Reply]):
    table = replies
    record = Reply
    key = "case_id"

    async def find_round(self, case_id: uuid.UUID, round_: int) -> Reply | None:
        return await self.one_or_none(
            self.select().where(replies.c.case_id == case_id, replies.c.round == round_)
        )

    async def of_case(self, case_id: uuid.UUID) -> list[Reply]:
        return await self.all(
            self.select().where(replies.c.case_id == case_id).order_by(replies.c.round)
        )


@dataclass(frozen=True, slots=True)
class Result(Record):
    id: uuid.UUID
    case_id: uuid.UUID
    parent_id: uuid.UUID | None
    point: int | None
    title: dict[str, str]
    description: dict[str, str]
    starts_on: date | None
    ends_on: date | None
    status: str
    progress: Decimal | None
    weight: Decimal
    external_id: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class Results(Repository[Result]):
    table = results
    record = Result
    not_found = ("No result {key}.", None)

    async def of_case(self, case_id: uuid.UUID) -> list[Result]:
        return await self.all(
            self.select()
            .where(results.c.case_id == case_id)
            .order_by(results.c.created_at, results.c.id)
        )


@dataclass(frozen=True, slots=True)
class Milestone(Record):
    id: uuid.UUID
    result_id: uuid.UUID
    title: dict[str, str]
    planned_on: date
    actual_on: date | None
    version: int
    created_at: datetime
    updated_at: datetime


class Milestones(Repository[Milestone]):
    table = milestones
    record = Milestone
    not_found = ("No milestone {key}.", None)

    async def of_results(self, result_ids: list[uuid.UUID]) -> list[Milestone]:
        return await self.all(
            self.select()
            .where(milestones.c.result_id.in_(result_ids))
            .order_by(milestones.c.planned_on, milestones.c.id)
        )

    async def every(self) -> list[tuple[Milestone, uuid.UUID]]:
        """Every milestone with its case."""
        stmt = sa.select(*self._columns(), results.c.case_id).join(
            results, results.c.id == milestones.c.result_id
        )
        rows = (await self.session.execute(stmt)).all()
        return [(Milestone.from_row(dict(r._mapping)), r.case_id) for r in rows]


@dataclass(frozen=True, slots=True)
class ProgressReport(Record):
    id: uuid.UUID
    result_id: uuid.UUID
    progress: Decimal
    status: str
    note: dict[str, str]
    reported_on: date
    reported_by: str
    created_at: datetime


class ProgressReports(Repository[ProgressReport]):
    table = progress_reports
    record = ProgressReport

    async def of_results(self, result_ids: list[uuid.UUID]) -> list[ProgressReport]:
        return await self.all(
            self.select()
            .where(progress_reports.c.result_id.in_(result_ids))
            .order_by(progress_reports.c.created_at, progress_reports.c.id)
        )


class Documents(common_documents.Documents):
    table = documents


REPOSITORIES: tuple[type[Repository[Any]], ...] = (
    Assemblies,
    Documents,
    Departments,
    Policies,
    Cases,
    Deadlines,
    Alarms,
    History,
    Drafts,
    Answers,
    Replies,
    Results,
    Milestones,
    ProgressReports,
)
