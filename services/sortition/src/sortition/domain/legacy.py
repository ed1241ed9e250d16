"""LEGACY: the Sortition Foundation's greedy draw, kept for comparison.

Repeatedly take the quota value whose unmet minimum is largest relative to the people
still available with it, and pick one of those people at random; people whose values are
full, and the picked person's household, leave the pool. A draw that gets stuck starts
over. Its selection probabilities are not known in advance: they are estimated by
repeating the draw.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from sortition.domain.instance import Instance

MAX_ATTEMPTS = 100


class Stuck(Exception):
    pass


def legacy_panel(instance: Instance, rng: random.Random) -> tuple[int, ...]:
    for _ in range(MAX_ATTEMPTS):
        try:
            return _attempt(instance, rng)
        except Stuck:
            continue
    raise Stuck(f"no panel found in {MAX_ATTEMPTS} attempts")


def _attempt(instance: Instance, rng: random.Random) -> tuple[int, ...]:
    k = instance.panel_size
    features = range(len(instance.features))
    values: Sequence[tuple[int, ...]] = instance.person_values
    selected_count = {
        (f, v): 0 for f in features for v in range(len(instance.values[instance.features[f]]))
    }
    remaining = set(range(len(instance.ids)))
    households: dict[str, list[int]] = {}
    if instance.households is not None:
        for person, address in enumerate(instance.households):
            households.setdefault(address, []).append(person)
    panel: list[int] = []
    while len(panel) < k:
        available = {key: 0 for key in selected_count}
        for person in remaining:
            for f in features:
                available[(f, values[person][f])] += 1
        best_key, best_ratio = None, -1.0
        for key, count in selected_count.items():
            quota = instance.quota(*key)
            needed = quota.min - count
            if needed > 0:
                if available[key] < needed:
                    raise Stuck
                ratio = needed / available[key]
                if ratio > best_ratio:
                    best_key, best_ratio = key, ratio
        if best_key is None:
            candidates = sorted(remaining)
        else:
            f, v = best_key
            candidates = sorted(p for p in remaining if values[p][f] == v)
        if not candidates:
            raise Stuck
        person = rng.choice(candidates)
        panel.append(person)
        leaving = {person}
        if instance.households is not None:
            leaving.update(households[instance.households[person]])
        for f in features:
            key = (f, values[person][f])
            selected_count[key] += 1
            if selected_count[key] >= instance.quota(*key).max:
                leaving.update(p for p in remaining if values[p][f] == key[1])
        remaining -= leaving
    for key, count in selected_count.items():
        if count < instance.quota(*key).min:
            raise Stuck  # the panel filled up before every minimum was met
    return tuple(sorted(panel))
