"""What membership keeps of sortition's rounds, from sortition's events."""

from __future__ import annotations

import uuid

from common.contracts.sortition import QuotasSet, RoundCommitted, RoundOpened
from common.db import UnitOfWork
from common.errors import PermanentEventError
from common.events.contracts import handles
from common.events.envelope import Event
from membership.adapters.repositories import Assemblies, Assembly, Round, Rounds
from membership.domain.assemblies import Cohort, resolve_cohort
from membership.service.assemblies import policy_of


@handles(RoundOpened)
async def on_round_opened(data: RoundOpened, event: Event, uow: UnitOfWork) -> None:
    await Rounds(uow).learn(
        data.round_id,
        assembly_id=data.assembly_id,
        cohort=data.cohort,
        panel_size=data.panel_size,
    )


@handles(QuotasSet)
async def on_quotas_set(data: QuotasSet, event: Event, uow: UnitOfWork) -> None:
    """The features a round asks registrants for, and the values each may take."""
    features: dict[str, list[str]] = {}
    for q in data.quotas:
        features.setdefault(q.feature, []).append(q.value)
    if not await Rounds(uow).set_features(data.round_id, features):
        raise PermanentEventError("quotas for a round membership does not know")


@handles(RoundCommitted)
async def on_round_committed(data: RoundCommitted, event: Event, uow: UnitOfWork) -> None:
    """Sortition committed to the round's pool: registration closes."""
    await Rounds(uow).close_registration(data.round_id, event.time)


async def get_round(round_id: uuid.UUID, *, uow: UnitOfWork) -> Round:
    return await Rounds(uow).get(round_id)


async def round_cohort(round_: Round, *, uow: UnitOfWork) -> tuple[Assembly, Cohort | None]:
    """The round's assembly and, when its calendar names it, the cohort it fills."""
    assembly = await Assemblies(uow).get(round_.assembly_id)
    return assembly, resolve_cohort(policy_of(assembly), round_.cohort)
