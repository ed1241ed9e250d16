"""Replacing a panel member who declines or withdraws.

The replacement comes from the pool members not on the panel and not already gone, never
from a household already seated. Among them, those that keep the panel within the quotas
(or, if none can, that leave it the least outside them, counted in seats) are equally
eligible, and the draw's seed picks one: reproducible by anyone with the audit record.
"""

from __future__ import annotations

from collections.abc import Collection

from sortition.domain.instance import Instance
from sortition.domain.lottery import seeded_random


def deviation(instance: Instance, panel: Collection[int]) -> int:
    """Seats by which a panel misses its quotas, in all."""
    total = 0
    for f, feature in enumerate(instance.features):
        counts = [0] * len(instance.values[feature])
        for person in panel:
            counts[instance.person_values[person][f]] += 1
        for v, count in enumerate(counts):
            quota = instance.quota(f, v)
            total += max(0, quota.min - count) + max(0, count - quota.max)
    return total


def choose_replacement(
    instance: Instance,
    panel: Collection[int],
    leaving: int,
    *,
    excluded: Collection[int],
    seed: str,
    sequence: int,
) -> tuple[int, int] | None:
    """The person who replaces ``leaving``, and the panel's deviation after; None if the
    pool has no one left who may sit."""
    staying = [p for p in panel if p != leaving]
    seated = set(staying)
    households = (
        {instance.households[p] for p in staying} if instance.households is not None else set()
    )
    gone = set(excluded) | set(panel)
    best: list[int] = []
    best_deviation: int | None = None
    for candidate in range(len(instance.ids)):
        if candidate in gone or candidate in seated:
            continue
        if instance.households is not None and instance.households[candidate] in households:
            continue
        d = deviation(instance, [*staying, candidate])
        if best_deviation is None or d < best_deviation:
            best, best_deviation = [candidate], d
        elif d == best_deviation:
            best.append(candidate)
    if not best or best_deviation is None:
        return None
    best.sort(key=lambda p: instance.ids[p])
    rng = seeded_random(seed, purpose=f"replacement {sequence}")
    return rng.choice(best), best_deviation
