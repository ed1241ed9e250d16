"""From a lottery over class counts to a lottery over named panels, and the draw itself.

Within a class every member must get the same chance. Each class-count panel is spread over
panels of people by rotating through each class's members; a linear program weights these
rotations so that every member's chance is exactly the class's. A basic solution has no
more panels than there are people (Carathéodory), so the published lottery stays small.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from dataclasses import dataclass

import highspy
import numpy as np

from sortition.domain.leximin import ClassLottery
from sortition.domain.panels import Classes
from sortition.domain.solver import INF, quiet


@dataclass(frozen=True)
class Lottery:
    """Panels of person indices (sorted) with their probabilities, in a canonical order."""

    panels: tuple[tuple[int, ...], ...]
    probabilities: tuple[float, ...]

    def marginals(self, pool_size: int) -> np.ndarray:
        result = np.zeros(pool_size)
        for panel, p in zip(self.panels, self.probabilities, strict=True):
            result[list(panel)] += p
        # A sum of floats: someone on every panel could read 1.0000000000000002.
        return np.clip(result, 0.0, 1.0)


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
    shared = np.flatnonzero((counts > 0) & (classes.sizes > 1))
    sizes = classes.sizes[shared]
    shares = np.rint(counts[shared]).astype(np.int64)
    return int(np.lcm.reduce(sizes // np.gcd(sizes, shares), initial=1))


def expand(classes: Classes, lottery: ClassLottery) -> Lottery:
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
    # Class by class: which members sit, for each class-count panel, so that every member
    # gets the class's chance; then the classes' choices are laid side by side. A class of
    # one, or a class whose members all sit, is the same on every piece of its panel.
    alone = np.flatnonzero(sizes == 1)
    person = np.array([classes.members[c][0] for c in alone], dtype=np.int64)
    seated = lottery.panels[:, alone] > 0
    whole: list[list[int]] = [person[seated[j]].tolist() for j in range(len(lottery.weights))]
    pieces: list[list[list[tuple[tuple[int, ...], float]]]] = [
        [] for _ in range(len(lottery.weights))
    ]
    for c in np.flatnonzero(sizes > 1).tolist():
        for j, split in _split_class(classes.members[c], lottery.panels[:, c], lottery.weights):
            if len(split) == 1:
                whole[j].extend(split[0][0])
            else:
                pieces[j].append(split)
    merged = {}
    for j, weight in enumerate(lottery.weights):
        for panel, w in _side_by_side(pieces[j], float(weight), whole[j]):
            merged[panel] = merged.get(panel, 0.0) + w
    return _canonical(merged)


def _split_class(
    members: tuple[int, ...], counts: np.ndarray, weights: np.ndarray
) -> list[tuple[int, list[tuple[tuple[int, ...], float]]]]:
    """For each panel with members of this class, the sets of members that sit and their
    weights (summing to the panel's), such that every member sits with the same total
    probability. The sets are windows on a circle of the members; a basic solution of a
    small linear program uses few of them."""
    n = len(members)
    result: list[tuple[int, list[tuple[tuple[int, ...], float]]]] = []
    partial = []
    for j in np.flatnonzero(counts).tolist():
        if counts[j] == n:
            result.append((j, [(tuple(members), float(weights[j]))]))
        else:
            partial.append(j)
    if not partial:
        return result
    target = sum(float(weights[j]) * int(counts[j]) for j in partial) / n
    h = quiet()
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    bounds = np.concatenate([np.full(n, target), weights[partial].astype(float)])
    h.addRows(
        len(bounds),
        bounds,
        bounds,
        0,
        np.zeros(len(bounds), dtype=np.int32),
        np.array([], dtype=np.int32),
        np.array([]),
    )
    # A column per window: the panel's count of members in a row round the circle, from
    # each start; its entries are the members' rows (in order) and the panel's row.
    windows: list[tuple[int, np.ndarray]] = []  # (panel, seats) per column
    entries: list[np.ndarray] = []
    for row, j in enumerate(partial):
        seats = np.sort((np.arange(n)[:, None] + np.arange(int(counts[j]))) % n, axis=1)
        entries.append(np.hstack([seats, np.full((n, 1), n + row)]).ravel())
        windows.extend((j, seat) for seat in seats)
    index = np.concatenate(entries).astype(np.int32)
    lengths = np.array([len(seat) + 1 for _, seat in windows])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int32)
    columns = len(windows)
    h.addCols(
        columns,
        np.zeros(columns),
        np.zeros(columns),
        np.full(columns, INF),
        len(index),
        starts,
        index,
        np.ones(len(index)),
    )
    # a deterministic tie-break: earlier windows first
    h.changeColsCost(columns, np.arange(columns, dtype=np.int32), np.linspace(0, 1e-6, columns))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError("could not spread a class's seats evenly over its members")
    values = np.array(h.getSolution().col_value)
    by_panel: dict[int, list[tuple[tuple[int, ...], float]]] = {j: [] for j in partial}
    for (j, seat), value in zip(windows, values, strict=True):
        if value > 1e-14:
            by_panel[j].append((tuple(sorted(members[s] for s in seat.tolist())), float(value)))
    for j in partial:
        total = sum(v for _, v in by_panel[j])
        scale = float(weights[j]) / total
        result.append((j, [(window, v * scale) for window, v in by_panel[j]]))
    return result


def _side_by_side(
    splits: list[list[tuple[tuple[int, ...], float]]], weight: float, whole: list[int]
) -> list[tuple[tuple[int, ...], float]]:
    """One panel's classes, each split into member sets whose weights sum to ``weight``,
    combined into panels of people with ``whole`` (those who sit all along): lay each
    class's sets along [0, weight) and cut where any of them changes (at most one cut per
    set, so few panels)."""
    cuts = {0.0, weight}
    for split in splits:
        edge = 0.0
        for _, w in split[:-1]:
            edge += w
            cuts.add(min(edge, weight))
    ordered = sorted(cuts)
    panels = []
    for low, high in itertools.pairwise(ordered):
        if high - low <= 0.0:
            continue
        middle = (low + high) / 2
        people = list(whole)
        for split in splits:
            edge, chosen = 0.0, split[-1][0]  # the last set, whatever rounding leaves
            for window, w in split:
                edge += w
                if middle < edge:
                    chosen = window
                    break
            people.extend(chosen)
        panels.append((tuple(sorted(people)), high - low))
    return panels


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


def pick_panel(lottery: Lottery, seed: str) -> int:
    """The index of the panel the seed picks: one uniform number against the cumulative
    probabilities, in the lottery's canonical order."""
    u = seeded_random(seed).random()
    cumulative = 0.0
    for index, p in enumerate(lottery.probabilities):
        cumulative += p
        if u < cumulative:
            return index
    return len(lottery.probabilities) - 1
