"""From a lottery over class counts to a lottery over named panels, and the draw itself.

Within a class every member must get the same chance. Each class-count panel is spread over
panels of people by rotating through each class's members; a linear program weights these
rotations so that every member's chance is exactly the class's. A basic solution has no
more panels than there are people (Carathéodory), so the published lottery stays small.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass

import highspy
import numpy as np

from sortition.domain.leximin import ClassLottery
from sortition.domain.panels import INF, Classes


@dataclass(frozen=True)
class Lottery:
    """Panels of person indices (sorted) with their probabilities, in a canonical order."""

    panels: tuple[tuple[int, ...], ...]
    probabilities: tuple[float, ...]

    def marginals(self, pool_size: int) -> np.ndarray:
        result = np.zeros(pool_size)
        for panel, p in zip(self.panels, self.probabilities, strict=True):
            result[list(panel)] += p
        return result


def _rotation(classes: Classes, counts: np.ndarray, step: int) -> tuple[int, ...]:
    """Step ``step`` of a systematic rotation: each class takes the next ``count`` members
    round its circle, so ``size / gcd(size, count)`` steps cover every member equally."""
    people: list[int] = []
    for c in np.flatnonzero(counts):
        members = classes.members[c]
        size, count = len(members), int(counts[c])
        start = (step * count) % size
        people.extend(members[(start + t) % size] for t in range(count))
    return tuple(sorted(people))


def _period(classes: Classes, counts: np.ndarray) -> int:
    """Steps after which the rotation has covered every member of every class equally."""
    period = 1
    for c in np.flatnonzero(counts):
        size = int(classes.sizes[c])
        period = math.lcm(period, size // math.gcd(size, int(counts[c])))
    return period


def expand(classes: Classes, lottery: ClassLottery, *, tolerance: float = 1e-9) -> Lottery:
    sizes = classes.sizes
    periods = [_period(classes, panel) for panel in lottery.panels]
    if sum(periods) <= max(2000, int(sizes.sum())):
        # Exact and small: each class-count panel splits evenly over its whole period.
        merged: dict[tuple[int, ...], float] = {}
        for panel, weight, period in zip(lottery.panels, lottery.weights, periods, strict=True):
            for step in range(period):
                key = _rotation(classes, panel, step)
                merged[key] = merged.get(key, 0.0) + float(weight) / period
        return _canonical(merged)
    target = lottery.class_probabilities(sizes)
    multi = [c for c in range(len(classes)) if sizes[c] > 1]
    rotations = int(max((sizes[c] for c in multi), default=1))
    while True:
        found = _solve(classes, lottery, target, multi, rotations, tolerance)
        if found is not None:
            return found
        if rotations > 64 * int(sizes.max()):
            raise RuntimeError("could not spread the lottery evenly within classes")
        rotations *= 2


def _solve(
    classes: Classes,
    lottery: ClassLottery,
    target: np.ndarray,
    multi: list[int],
    rotations: int,
    tolerance: float,
) -> Lottery | None:
    people_rows = {p: i for i, p in enumerate(p for c in multi for p in classes.members[c])}
    n_people_rows = len(people_rows)
    support = len(lottery.weights)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    # rows: each member of a class of two or more gets exactly its class's chance; each
    # class-count panel keeps exactly its weight.
    lower = np.concatenate(
        [
            [target[c] for c in multi for _ in classes.members[c]],
            lottery.weights,
        ]
    )
    h.addRows(
        len(lower),
        lower,
        lower,
        0,
        np.zeros(len(lower), dtype=np.int32),
        np.array([], dtype=np.int32),
        np.array([]),
    )
    candidates: list[tuple[int, ...]] = []
    seen: set[tuple[int, tuple[int, ...]]] = set()
    for j in range(support):
        for r in range(rotations):
            panel = _rotation(classes, lottery.panels[j], r)
            if (j, panel) in seen:
                continue
            seen.add((j, panel))
            rows = sorted(people_rows[p] for p in panel if p in people_rows)
            rows.append(n_people_rows + j)
            h.addCol(0.0, 0.0, INF, len(rows), np.array(rows, dtype=np.int32), np.ones(len(rows)))
            candidates.append(panel)
    # Feasibility with a deterministic tie-break: prefer earlier rotations.
    h.changeColsCost(
        len(candidates),
        np.arange(len(candidates), dtype=np.int32),
        np.linspace(0.0, 1e-6, len(candidates)),
    )
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    weights = np.array(h.getSolution().col_value)
    merged: dict[tuple[int, ...], float] = {}
    for panel, w in zip(candidates, weights, strict=True):
        if w > tolerance * 1e-3:
            merged[panel] = merged.get(panel, 0.0) + float(w)
    return _canonical(merged)


def _canonical(merged: dict[tuple[int, ...], float]) -> Lottery:
    total = sum(merged.values())
    ordered = sorted(merged.items())
    return Lottery(
        panels=tuple(p for p, _ in ordered),
        probabilities=tuple(w / total for _, w in ordered),
    )


def seeded_random(seed: str, purpose: str = "draw") -> random.Random:
    """A generator determined by the published seed alone (and what it is used for)."""
    digest = hashlib.sha256(f"{purpose}\0{seed}".encode()).digest()
    return random.Random(int.from_bytes(digest, "big"))


def draw(lottery: Lottery, seed: str) -> int:
    """The index of the panel the seed picks: one uniform number against the cumulative
    probabilities, in the lottery's canonical order."""
    u = seeded_random(seed).random()
    cumulative = 0.0
    for index, p in enumerate(lottery.probabilities):
        cumulative += p
        if u < cumulative:
            return index
    return len(lottery.probabilities) - 1
