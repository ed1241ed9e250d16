"""Classes of interchangeable people, and the integer program whose solutions are panels.

People with the same features (and, under the household rule, no one else in their
household) are interchangeable: any fair lottery gives them the same probability. So the
programs count how many of each class sit on a panel instead of choosing people. People who
share a household with someone in the pool are kept as classes of one, with a row per
household: at most one of them sits. The household rule stays exact.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import highspy
import numpy as np

from sortition.domain.instance import Instance
from sortition.domain.solver import quiet


@dataclass(frozen=True)
class Classes:
    members: tuple[tuple[int, ...], ...]  # person indices, per class
    sizes: np.ndarray  # people per class
    values: tuple[tuple[int, ...], ...]  # feature value indices, per class
    households: tuple[tuple[int, ...], ...]  # classes sharing a household (2 or more)

    def __len__(self) -> int:
        return len(self.members)


def build_classes(instance: Instance) -> Classes:
    household_size: dict[str, int] = defaultdict(int)
    if instance.households is not None:
        for address in instance.households:
            household_size[address] += 1
    groups: dict[tuple[object, ...], list[int]] = {}
    for person, values in enumerate(instance.person_values):
        shared = instance.households is not None and household_size[instance.households[person]] > 1
        key: tuple[object, ...] = ("person", person) if shared else ("type", values)
        groups.setdefault(key, []).append(person)
    # A canonical order, whatever the order of the input: by values, then first id.
    ordered = sorted(
        groups.values(),
        key=lambda m: (instance.person_values[m[0]], min(instance.ids[p] for p in m)),
    )
    members = tuple(tuple(sorted(m, key=lambda p: instance.ids[p])) for m in ordered)
    class_of = {p: c for c, m in enumerate(members) for p in m}
    households: dict[str, list[int]] = defaultdict(list)
    if instance.households is not None:
        for person, address in enumerate(instance.households):
            if household_size[address] > 1:
                households[address].append(class_of[person])
    return Classes(
        members=members,
        sizes=np.array([len(m) for m in members], dtype=np.int64),
        values=tuple(instance.person_values[m[0]] for m in members),
        households=tuple(tuple(sorted(h)) for _, h in sorted(households.items())),
    )


class PanelProgram:
    """Integer program over class counts: quotas, panel size, households.

    ``best(weights)`` returns a panel (counts per class) maximising ``weights @ counts``.
    """

    def __init__(self, instance: Instance, classes: Classes) -> None:
        self.instance = instance
        self.classes = classes
        n = len(classes)
        h = quiet()
        h.setOptionValue("mip_rel_gap", 1e-9)
        h.setOptionValue("mip_abs_gap", 1e-10)
        h.setOptionValue("mip_improving_solution_save", True)
        h.addVars(n, np.zeros(n), classes.sizes.astype(float))
        h.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n)
        )
        rows: list[tuple[float, float, list[int]]] = [
            (float(instance.panel_size), float(instance.panel_size), list(range(n)))
        ]
        for f, feature in enumerate(instance.features):
            for v, _ in enumerate(instance.values[feature]):
                quota = instance.quota(f, v)
                cols = [c for c in range(n) if classes.values[c][f] == v]
                rows.append((float(quota.min), float(quota.max), cols))
        for household in classes.households:
            rows.append((0.0, 1.0, list(household)))
        for lower, upper, cols in rows:
            h.addRow(lower, upper, len(cols), np.array(cols, dtype=np.int32), np.ones(len(cols)))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.highs = h
        self.n = n
        # The same program without integrality: its optimum is often a panel already, and
        # a warm-started simplex finds it far faster than a branch and bound would.
        relaxed = quiet(h.getModel())
        relaxed.setOptionValue("presolve", "off")
        relaxed.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kContinuous] * n)
        )
        self.relaxed = relaxed

    def best(
        self, weights: np.ndarray, enough: float | None = None
    ) -> tuple[float, np.ndarray] | None:
        """With ``enough``: None as soon as the relaxation shows that no panel's weight is
        above it."""
        r = self.relaxed
        r.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), weights.astype(float))
        r.run()
        if r.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            values = np.array(r.getSolution().col_value)
            counts = np.rint(values).astype(np.int64)
            if np.abs(values - counts).max() < 1e-9:
                return float(weights @ counts), counts
            if enough is not None and float(weights @ values) <= enough:
                return None
        h = self.highs
        h.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), weights.astype(float))
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            if status == highspy.HighsModelStatus.kInfeasible:
                return None
            raise RuntimeError(f"the panel program ended as {h.modelStatusToString(status)}")
        counts = np.rint(np.array(h.getSolution().col_value)).astype(np.int64)
        return float(weights @ counts), counts

    def improving(self) -> list[np.ndarray]:
        """The other panels the last search went through, best last."""
        return [
            np.rint(np.array(s.col_value)).astype(np.int64)
            for s in self.highs.getSavedMipSolutions()
        ]
