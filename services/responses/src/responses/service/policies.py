"""The answer policy of an assembly: how long the Comune has, when it is reminded and
escalated, how often it reports on implementation, and how decisions show in Decidim.
Versioned: a case keeps the version it was opened under."""

from __future__ import annotations

import uuid
from typing import Any

from common.contracts.membership import AssemblyConfigured
from common.db import UnitOfWork
from common.events.contracts import handles
from common.events.envelope import Event
from common.http.etag import check_if_match
from responses.adapters.repositories import Assemblies, Policies, Policy
from responses.domain import answers as decisions
from responses.domain import clock


def _values(policy: clock.Policy, decidim_states: dict[str, str]) -> dict[str, Any]:
    return {
        "days": policy.days,
        "basis": str(policy.basis),
        "reminders": list(policy.reminders),
        "escalations": [[days, str(level)] for days, level in policy.escalations],
        "report_months": policy.report_months,
        "decidim_states": decidim_states,
    }


DEFAULTS: dict[str, Any] = _values(
    clock.DEFAULT_POLICY, {str(k): v for k, v in decisions.DEFAULT_DECIDIM_STATES.items()}
)


def as_clock(row: Policy) -> clock.Policy:
    return clock.Policy(
        days=row.days,
        basis=clock.Basis(row.basis),
        reminders=tuple(row.reminders),
        escalations=tuple((int(d), clock.Level(level)) for d, level in row.escalations),
        report_months=row.report_months,
    )


@handles(AssemblyConfigured)
async def on_assembly_configured(data: AssemblyConfigured, event: Event, uow: UnitOfWork) -> None:
    await Assemblies(uow).learn(data.assembly_id, config_version=data.version)


async def of_known(assembly_id: uuid.UUID, *, uow: UnitOfWork) -> Policy:
    """The policy in force for an assembly membership configured (else a 404)."""
    await Assemblies(uow).get(assembly_id)
    return await current(assembly_id, uow=uow)


async def current(assembly_id: uuid.UUID, *, uow: UnitOfWork) -> Policy:
    """The policy in force; the first time an assembly is named, version 1 is the default
    (120 calendar days, reminders 30, 7 and 1 days before, escalation the day after and 30
    days after, a progress report every six months)."""
    row = await Policies(uow).current(assembly_id)
    if row is not None:
        return row
    return await Policies(uow).add(assembly_id=assembly_id, version=1, set_by="default", **DEFAULTS)


async def at(assembly_id: uuid.UUID, version: int, *, uow: UnitOfWork) -> Policy:
    row = await Policies(uow).at(assembly_id, version)
    assert row is not None  # a case names the version it was opened under
    return row


async def set_policy(
    assembly_id: uuid.UUID,
    values: dict[str, Any],
    *,
    actor: str,
    if_match: str | None,
    uow: UnitOfWork,
) -> Policy:
    """A new version; open cases keep theirs."""
    previous = await of_known(assembly_id, uow=uow)
    check_if_match(if_match, version=previous.version)
    policy = clock.Policy(
        days=values["days"],
        basis=clock.Basis(values["basis"]),
        reminders=tuple(values["reminders"]),
        escalations=tuple(
            (e["after_days"], clock.Level(e["level"])) for e in values["escalations"]
        ),
        report_months=values["report_months"],
    )
    policy.check()
    mapping = decisions.check_mapping(values["decidim_states"])
    return await Policies(uow).add(
        assembly_id=assembly_id,
        version=previous.version + 1,
        set_by=actor,
        **_values(policy, {str(k): v for k, v in mapping.items()}),
    )
