"""A round's pool: imported from the Sortition Foundation's people CSV (standalone use),
checked against the round's quotas; and whether a panel can meet the quotas with it."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from typing import Any

from common.contracts.membership import RespondentRegistered
from common.db import UnitOfWork
from common.errors import Conflict, PermanentEventError
from common.events.contracts import handles
from common.events.envelope import Event
from sortition.adapters.repositories import Respondents, Rounds
from sortition.domain.feasibility import Feasibility, check_feasibility
from sortition.domain.instance import Instance, InstanceError, build_instance, read_people_csv
from sortition.service.rounds import ensure_open, get_quotas

log = logging.getLogger(__name__)
MAX_POOL = 100_000


async def import_pool(
    round_id: uuid.UUID,
    csv_text: str,
    *,
    id_column: str,
    household_column: str | None,
    uow: UnitOfWork,
) -> dict[str, Any]:
    round_, quotas = await get_quotas(round_id, uow=uow)
    await ensure_open(round_id, uow=uow)
    if not quotas:
        raise Conflict("Set the round's quotas before its pool.", slug="quotas-missing")
    rows = read_people_csv(csv_text)
    if len(rows) > MAX_POOL:
        raise InstanceError("pool-too-large", f"A pool has at most {MAX_POOL} people.")
    instance = build_instance(
        panel_size=round_.panel_size,
        quotas=quotas,
        people=rows,
        id_column=id_column,
        household_column=household_column,
    )
    await Respondents(uow).replace_pool(
        round_id,
        [
            {
                "respondent_id": person,
                "household": instance.households[i] if instance.households else None,
                "features": _features(instance, i),
                "source": "import",
            }
            for i, person in enumerate(instance.ids)
        ],
    )
    return summary(instance)


def _features(instance: Instance, person: int) -> dict[str, str]:
    return {
        f: instance.values[f][v]
        for f, v in zip(instance.features, instance.person_values[person], strict=True)
    }


def summary(instance: Instance) -> dict[str, Any]:
    counts: dict[str, Counter[str]] = {f: Counter() for f in instance.features}
    for i in range(len(instance.ids)):
        for f, value in _features(instance, i).items():
            counts[f][value] += 1
    return {
        "respondents": len(instance.ids),
        "households_rule": instance.households is not None,
        "by_feature": {f: {v: counts[f][v] for v in instance.values[f]} for f in instance.features},
    }


async def count_pool(round_id: uuid.UUID, *, uow: UnitOfWork) -> dict[str, Any]:
    """Counts by the quotas' feature values, straight from the respondents: a pool still
    filling is counted too."""
    _, quotas = await get_quotas(round_id, uow=uow)
    rows = [(r.household, r.features) for r in await Respondents(uow).of_round(round_id)]
    counts: dict[str, Counter[str]] = {}
    for q in quotas:
        counts.setdefault(q.feature, Counter())[q.value] += 0
    for _, features in rows:
        for feature, counter in counts.items():
            if feature in features:
                counter[features[feature]] += 1
    return {
        "respondents": len(rows),
        "households_rule": any(household is not None for household, _ in rows),
        "by_feature": {f: dict(c) for f, c in counts.items()},
    }


async def load_instance(round_id: uuid.UUID, *, uow: UnitOfWork) -> Instance:
    round_, quotas = await get_quotas(round_id, uow=uow)
    if not quotas:
        raise Conflict("The round has no quotas yet.", slug="quotas-missing")
    rows = await Respondents(uow).of_round(round_id)
    if not rows:
        raise Conflict("The round's pool is empty.", slug="pool-empty")
    households = any(r.household is not None for r in rows)
    people = [
        {
            "id": r.respondent_id,
            **r.features,
            **({"\0household": r.household or ""} if households else {}),
        }
        for r in rows
    ]
    return build_instance(
        panel_size=round_.panel_size,
        quotas=quotas,
        people=people,
        household_column="\0household" if households else None,
    )


async def feasibility(round_id: uuid.UUID, *, uow: UnitOfWork) -> Feasibility:
    instance = await load_instance(round_id, uow=uow)
    # An integer program: run it off the event loop.
    return await asyncio.to_thread(check_feasibility, instance)


@handles(RespondentRegistered)
async def on_respondent_registered(
    data: RespondentRegistered, event: Event, uow: UnitOfWork
) -> None:
    """A citizen registered with membership: add them to the round's pool, by a
    pseudonymous id and their features only. Their values are checked against the quotas
    when the pool is used, since quotas may still change."""
    exists = await Rounds(uow).find(data.round_id)
    if exists is None:
        raise PermanentEventError("the registration names a round sortition does not know")
    try:
        await ensure_open(data.round_id, uow=uow)
    except Conflict:
        # Registered in membership before it heard of the commitment: expected, and kept
        # out of the committed pool. The record says who, for the audit; membership marks
        # them not selected when the draw's event reaches it.
        await Respondents(uow).note_late(data.round_id, data.respondent_id)
        log.info("late registration kept out of the committed pool", extra={"event_id": event.id})
        return
    await Respondents(uow).join(
        data.round_id, data.respondent_id, household=data.household, features=data.features
    )
