"""Who sits, learnt from membership's events; the assembly's rules, versioned.

Deliberation holds no names: a member is membership's pseudonymous id, with the assembly,
the round that drew them and the days they sit. Membership says who sits
(``…/sitting?on=D``); this roster must agree with it, and the tests hold it to that.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from common.contracts.membership import (
    AssemblyConfigured,
    MemberActivated,
    MemberTermEnded,
    MemberWithdrew,
    PersonErased,
)
from common.dates import milan_day
from common.db import UnitOfWork
from common.errors import Invalid
from common.events.contracts import handles
from common.events.envelope import Event
from common.http.etag import check_if_match
from deliberation.adapters.repositories import (
    Assemblies,
    AssemblyRules,
    Roster,
    RosterMember,
    Rules,
)
from deliberation.domain import sessions as calendar

#: The rules an assembly starts with: a quorum of more than half of the sitting members,
#: adoption by two thirds of those present, a plenary every month (since 2024).
DEFAULT_RULES: dict[str, Any] = {
    "quorum_numerator": 1,
    "quorum_denominator": 2,
    "quorum_strict": True,
    "majority_numerator": 2,
    "majority_denominator": 3,
    "majority_base": "present",
    "plenary_every_months": 1,
}


@handles(AssemblyConfigured)
async def on_assembly_configured(data: AssemblyConfigured, event: Event, uow: UnitOfWork) -> None:
    await Assemblies(uow).learn(data.assembly_id, seats=data.seats, config_version=data.version)
    if await AssemblyRules(uow).current(data.assembly_id) is None:
        await AssemblyRules(uow).add(
            assembly_id=data.assembly_id, version=1, set_by="default", **DEFAULT_RULES
        )


@handles(MemberActivated)
async def on_member_activated(data: MemberActivated, event: Event, uow: UnitOfWork) -> None:
    await Roster(uow).upsert(
        data.respondent_id,
        assembly_id=data.assembly_id,
        round_id=data.round_id,
        sits_from=data.term_starts_on or _day_of(event),
        sits_until=data.term_ends_on,
        left_on=None,
    )


@handles(MemberTermEnded)
async def on_member_term_ended(data: MemberTermEnded, event: Event, uow: UnitOfWork) -> None:
    ended = data.term_ends_on or _day_of(event)
    await Roster(uow).upsert(
        data.respondent_id,
        assembly_id=data.assembly_id,
        round_id=data.round_id,
        sits_until=ended,
    )


@handles(MemberWithdrew)
async def on_member_withdrew(data: MemberWithdrew, event: Event, uow: UnitOfWork) -> None:
    """A member who withdrew sits no more from the day of the event (membership's sitting
    drops them at once); the days they sat stay, for the attendance already recorded."""
    if await Roster(uow).find(data.respondent_id) is not None:
        await Roster(uow).change(data.respondent_id, left_on=_day_of(event))


@handles(PersonErased)
async def on_person_erased(data: PersonErased, event: Event, uow: UnitOfWork) -> None:
    """Nothing personal is held here; the flag keeps the erased id out of new records."""
    if await Roster(uow).find(data.respondent_id) is not None:
        await Roster(uow).change(data.respondent_id, erased=True)


def _day_of(event: Event) -> date:
    return milan_day(event.time)


async def sitting(assembly_id: uuid.UUID, day: date, *, uow: UnitOfWork) -> list[RosterMember]:
    await Assemblies(uow).get(assembly_id)
    return await Roster(uow).sitting(assembly_id, day)


async def rules_of(assembly_id: uuid.UUID, *, uow: UnitOfWork) -> Rules:
    await Assemblies(uow).get(assembly_id)
    current = await AssemblyRules(uow).current(assembly_id)
    assert current is not None  # written with the assembly
    return current


async def set_rules(
    assembly_id: uuid.UUID,
    values: dict[str, Any],
    *,
    actor: str,
    if_match: str | None,
    uow: UnitOfWork,
) -> Rules:
    """A new version of the rules; votes already opened keep the version they opened with."""
    current = await rules_of(assembly_id, uow=uow)
    check_if_match(if_match, version=current.version)
    return await AssemblyRules(uow).add(
        assembly_id=assembly_id, version=current.version + 1, set_by=actor, **values
    )


async def plenary_calendar(
    assembly_id: uuid.UUID, first: date, until: date, *, uow: UnitOfWork
) -> tuple[Rules, list[date]]:
    if until < first or (until - first).days > 5 * 366:
        raise Invalid("`until` comes after `from`, within five years of it.", slug="invalid-period")
    rules = await rules_of(assembly_id, uow=uow)
    return rules, calendar.plenary_calendar(first, until, rules.plenary_every_months)
