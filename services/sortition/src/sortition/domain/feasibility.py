"""Can a panel meet the quotas with this pool (and the household rule)? If not, the
smallest relaxation that makes it possible, found by an integer program.

The relaxation lowers minimums and raises maximums by as few seats in all as possible;
the quotas it touches are the ones in conflict with the pool.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from sortition.domain.instance import Instance, Quota
from sortition.domain.panels import build_classes
from sortition.domain.solver import INF, quiet


@dataclass(frozen=True)
class Relaxation:
    quota: Quota
    min: int
    max: int


@dataclass(frozen=True)
class Feasibility:
    feasible: bool
    relaxations: tuple[Relaxation, ...]  # empty when feasible
    available: dict[tuple[str, str], int]  # people in the pool with each value

    @property
    def relaxed_seats(self) -> int:
        return sum((r.quota.min - r.min) + (r.max - r.quota.max) for r in self.relaxations)


def check_feasibility(instance: Instance) -> Feasibility:
    classes = build_classes(instance)
    n = len(classes)
    quotas = [
        (f, v, instance.quota(f, v))
        for f, feature in enumerate(instance.features)
        for v, _ in enumerate(instance.values[feature])
    ]
    q = len(quotas)
    h = quiet()
    # columns: class counts, then per quota how far its min drops and its max rises
    lower = np.zeros(n + 2 * q)
    upper = np.concatenate([classes.sizes.astype(float), np.full(2 * q, INF)])
    h.addVars(n + 2 * q, lower, upper)
    h.changeColsIntegrality(
        n + 2 * q,
        np.arange(n + 2 * q, dtype=np.int32),
        np.array([highspy.HighsVarType.kInteger] * (n + 2 * q)),
    )
    h.changeColsCost(2 * q, np.arange(n, n + 2 * q, dtype=np.int32), np.ones(2 * q))
    size = float(instance.panel_size)
    h.addRow(size, size, n, np.arange(n, dtype=np.int32), np.ones(n))
    for i, (f, v, quota) in enumerate(quotas):
        cols = [c for c in range(n) if classes.values[c][f] == v]
        # sum + drop >= min ; sum - rise <= max
        h.addRow(
            float(quota.min),
            INF,
            len(cols) + 1,
            np.array([*cols, n + i], dtype=np.int32),
            np.ones(len(cols) + 1),
        )
        h.addRow(
            -INF,
            float(quota.max),
            len(cols) + 1,
            np.array([*cols, n + q + i], dtype=np.int32),
            np.array([1.0] * len(cols) + [-1.0]),
        )
    for household in classes.households:
        h.addRow(
            0.0, 1.0, len(household), np.array(household, dtype=np.int32), np.ones(len(household))
        )
    h.run()
    available = {
        (instance.features[f], instance.values[instance.features[f]][v]): int(
            sum(classes.sizes[c] for c in range(n) if classes.values[c][f] == v)
        )
        for f, v, _ in quotas
    }
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        # Not even relaxed quotas help: the pool cannot fill the panel (households).
        return Feasibility(feasible=False, relaxations=(), available=available)
    values = np.rint(np.array(h.getSolution().col_value)).astype(np.int64)
    relaxations = tuple(
        Relaxation(
            quota=quota, min=quota.min - int(values[n + i]), max=quota.max + int(values[n + q + i])
        )
        for i, (_, _, quota) in enumerate(quotas)
        if values[n + i] or values[n + q + i]
    )
    return Feasibility(feasible=not relaxations, relaxations=relaxations, available=available)
