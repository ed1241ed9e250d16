"""Cases: one per adopted proposal, its departments, its clock and its history.

A case opens from ``deliberation.proposal.adopted.v1`` (once, whatever the redeliveries:
the proposal id is unique) or by an operator for a recommendation adopted outside the
system. Its due date comes from the assembly's policy in force that day, counted from the
adoption; an extension needs a published reason and keeps the old date in the history.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from common.auth import Principal
from common.contracts.deliberation import ProposalAdopted
from common.db import UnitOfWork
from common.errors import Conflict, Forbidden, Invalid, NotFound
from common.events.contracts import handles
from common.events.envelope import Event
from common.http.etag import check_if_match
from common.http.pagination import PageParams
from common.texts import Text
from responses.adapters.repositories import (
    Alarm,
    Alarms,
    Assemblies,
    Case,
    Cases,
    Deadline,
    Deadlines,
    Departments,
    History,
    Step,
)
from responses.domain import answers as workflow
from responses.domain import clock
from responses.service import policies

#: Roles that see every case; a ``department`` token sees only its departments' cases.
EVERY_CASE = frozenset({"operator", "auditor", "integration", "facilitator"})


@dataclass(frozen=True)
class Scope:
    """Which cases a caller sees: ``departments`` None for every case."""

    principal: Principal
    departments: list[uuid.UUID] | None

    def sees(self, case: Case) -> bool:
        if self.departments is None:
            return True
        return case.lead_department_id in self.departments or bool(
            set(case.contributing) & set(self.departments)
        )

    def leads(self, case: Case) -> bool:
        return self.departments is None or case.lead_department_id in self.departments

    @property
    def role(self) -> str:
        return next((r for r in sorted(self.principal.roles) if r in EVERY_CASE), "department")


async def scope_of(principal: Principal, *, uow: UnitOfWork) -> Scope:
    if principal.roles & EVERY_CASE:
        return Scope(principal, None)
    codes = principal.claims.get("departments", [])
    if not isinstance(codes, list):
        codes = []
    known = await Departments(uow).by_codes([str(c) for c in codes])
    return Scope(principal, [d.id for d in known])


async def visible(case_id: uuid.UUID, scope: Scope, *, uow: UnitOfWork, lock: bool = False) -> Case:
    """The case, or a 404 for a caller whose departments it does not concern (a 404, not
    a 403: another department's case is not even said to exist)."""
    case = await Cases(uow).get(case_id, lock=lock)
    if not scope.sees(case):
        raise NotFound(f"No case {case_id}.")
    return case


def require_lead(case: Case, scope: Scope, doing: str) -> None:
    if not scope.leads(case):
        raise Forbidden(f"Only the lead department (or an operator) may {doing}.")


async def codes_for(rows: list[Case], *, uow: UnitOfWork) -> dict[uuid.UUID, str]:
    """The codes of the departments these cases name."""
    ids = sorted({i for c in rows for i in [c.lead_department_id, *c.contributing] if i})
    return {d.id: d.code for d in await Departments(uow).by_ids(ids)} if ids else {}


@dataclass(frozen=True)
class CaseRecord:
    case: Case
    deadlines: list[Deadline]
    history: list[Step]
    alarms: list[Alarm]


async def detail(case_id: uuid.UUID, scope: Scope | None, *, uow: UnitOfWork) -> CaseRecord:
    """The case with every due date it has had, its history and the clock's alarms."""
    case = await (visible(case_id, scope, uow=uow) if scope else Cases(uow).get(case_id))
    return CaseRecord(
        case=case,
        deadlines=await Deadlines(uow).of_case(case.id),
        history=await History(uow).of_case(case.id),
        alarms=await Alarms(uow).of_case(case.id),
    )


# -- opening ------------------------------------------------------------------------------


async def open_case(
    values: dict[str, Any],
    *,
    origin: str,
    actor: str,
    role: str,
    uow: UnitOfWork,
    today: date | None = None,
) -> Case:
    """``today`` (for an operator's case) refuses an adoption date still to come."""
    if today is not None:  # an operator's case: checked as a request is
        if values["adopted_on"] > today:
            raise Invalid(
                "A recommendation is adopted on a day that has come.", slug="adopted-in-future"
            )
        await Assemblies(uow).referenced(values["assembly_id"])
    existing = await Cases(uow).by_proposal(values["proposal_id"])
    if existing is not None:
        raise Conflict(
            f"Proposal {values['proposal_id']} has its case already.",
            slug="case-exists",
            case_id=str(existing.id),
        )
    lead, contributing = await _departments(
        values.pop("lead_department", None), values.pop("contributing", []), uow=uow
    )
    policy = await policies.current(values["assembly_id"], uow=uow)
    due = clock.due_on(values["adopted_on"], policies.as_clock(policy))
    case = await Cases(uow).add(
        id=uuid.uuid4(),
        origin=origin,
        state=str(workflow.State.ASSIGNED if lead else workflow.State.RECEIVED),
        round=1,
        lead_department_id=lead,
        contributing=contributing,
        policy_version=policy.version,
        clock_started_on=values["adopted_on"],
        due_on=due,
        version=1,
        **{"cycle": str(values["adopted_on"].year), **values},
    )
    await Deadlines(uow).append(
        "case_id", case.id, round=1, kind="initial", due_on=due, set_by=actor
    )
    await History(uow).append(
        "case_id",
        case.id,
        action="opened",
        from_state=None,
        to_state=case.state,
        actor_role=role,
        actor=actor,
        details={"origin": origin, "policy_version": policy.version},
    )
    return case


@handles(ProposalAdopted)
async def on_proposal_adopted(data: ProposalAdopted, event: Event, uow: UnitOfWork) -> None:
    """Exactly one case per adopted proposal: a redelivery finds the case and stops."""
    if await Cases(uow).by_proposal(data.proposal_id) is not None:
        return
    await open_case(
        {
            "proposal_id": data.proposal_id,
            "assembly_id": data.assembly_id,
            "title": data.title.model_dump(),
            "text": [p.model_dump() for p in data.text],
            "rationale": data.rationale.model_dump(),
            "pac_codes": list(data.pac_codes),
            "text_sha256": data.text_sha256,
            "session_id": data.session_id,
            "vote_id": data.vote_id,
            "tally": data.tally.model_dump(),
            "adopted_on": data.adopted_on,
        },
        origin="deliberation",
        actor=event.source,
        role="system",
        uow=uow,
    )


def text_sha256(title: Text, text: list[Text], rationale: Text) -> str:
    """The hash an operator-opened case records for its text, the same canonical form
    the answers are frozen in."""
    _, digest = workflow.frozen(
        {
            "title": title.model_dump(),
            "paragraphs": [p.model_dump() for p in text],
            "rationale": rationale.model_dump(),
        }
    )
    return digest


async def _departments(
    lead: str | None, contributing: list[str], *, uow: UnitOfWork
) -> tuple[uuid.UUID | None, list[uuid.UUID]]:
    codes = sorted({c for c in [lead, *contributing] if c is not None})
    known = {d.code: d.id for d in await Departments(uow).by_codes(codes)}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise Invalid(f"Unknown departments: {', '.join(unknown)}.", slug="unknown-department")
    if lead is not None and lead in contributing:
        raise Invalid("The lead department is not also a contributing one.", slug="lead-twice")
    return (known[lead] if lead else None), sorted({known[c] for c in contributing})


# -- assignment, review, extension ------------------------------------------------------


async def advance(
    case: Case,
    target: workflow.State,
    *,
    action: str,
    scope: Scope,
    details: dict[str, Any],
    uow: UnitOfWork,
    **values: Any,
) -> Case:
    state = workflow.transition(case.state, str(target))
    moved = await Cases(uow).update(case.id, state=str(state), version=case.version + 1, **values)
    await History(uow).append(
        "case_id",
        case.id,
        action=action,
        from_state=case.state,
        to_state=str(state),
        actor_role=scope.role,
        actor=scope.principal.subject,
        details=details,
    )
    return moved


async def assign(
    case_id: uuid.UUID,
    lead: str,
    contributing: list[str],
    *,
    if_match: str | None,
    scope: Scope,
    uow: UnitOfWork,
) -> Case:
    case = await visible(case_id, scope, uow=uow, lock=True)
    check_if_match(if_match, version=case.version)
    lead_id, contributing_ids = await _departments(lead, contributing, uow=uow)
    target = workflow.State.ASSIGNED
    return await advance(
        case,
        target,
        action="assigned",
        scope=scope,
        details={"lead": lead, "contributing": sorted(contributing)},
        uow=uow,
        lead_department_id=lead_id,
        contributing=contributing_ids,
    )


async def review(
    case_id: uuid.UUID,
    opinion: dict[str, Any],
    *,
    if_match: str | None,
    scope: Scope,
    uow: UnitOfWork,
) -> Case:
    """The lead department's technical opinion: the case goes into review."""
    case = await visible(case_id, scope, uow=uow, lock=True)
    require_lead(case, scope, "record the technical opinion")
    check_if_match(if_match, version=case.version)
    return await advance(
        case,
        workflow.State.IN_REVIEW,
        action="reviewed",
        scope=scope,
        details={},
        uow=uow,
        opinion=opinion,
    )


async def extend(
    case_id: uuid.UUID,
    due_on: date,
    reason: Text | None,
    *,
    today: date,
    if_match: str | None,
    scope: Scope,
    uow: UnitOfWork,
) -> Case:
    case = await visible(case_id, scope, uow=uow, lock=True)
    check_if_match(if_match, version=case.version)
    if case.state == str(workflow.State.PUBLISHED):
        raise Conflict(
            "The answer is published: there is no deadline to extend.", slug="case-answered"
        )
    new = clock.extend(case.due_on, due_on, reason, today)
    assert reason is not None
    await Deadlines(uow).append(
        "case_id",
        case.id,
        round=case.round,
        kind="extension",
        due_on=new,
        reason=reason.model_dump(),
        set_by=scope.principal.subject,
    )
    await History(uow).append(
        "case_id",
        case.id,
        action="extended",
        from_state=case.state,
        to_state=case.state,
        actor_role=scope.role,
        actor=scope.principal.subject,
        details={"from": case.due_on.isoformat(), "to": new.isoformat()},
    )
    return await Cases(uow).update(case.id, due_on=new, escalation=None, version=case.version + 1)


# -- reads ------------------------------------------------------------------------------


async def listed(
    params: PageParams,
    scope: Scope,
    *,
    state: str | None,
    assembly_id: uuid.UUID | None,
    overdue_on: date | None,
    uow: UnitOfWork,
) -> tuple[list[Case], str | None]:
    return await Cases(uow).listed(
        params,
        departments=scope.departments,
        state=state,
        assembly_id=assembly_id,
        overdue_on=overdue_on,
    )


async def public_listed(params: PageParams, *, uow: UnitOfWork) -> tuple[list[Case], str | None]:
    return await Cases(uow).listed(params, departments=None)
