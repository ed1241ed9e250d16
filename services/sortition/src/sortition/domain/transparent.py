"""Round a lottery to a uniform lottery over ``m`` panels (Flanigan, Kehne, Procaccia,
NeurIPS 2021), so that the final pick can be one public draw of a number from 1 to m.

Multiplicities are chosen by an integer program that keeps every person's probability as
close as possible to the exact lottery's (it minimises the largest deviation), starting
from the largest-remainder rounding, within a budget of branch-and-bound nodes. The budget
is counted in work, never in seconds, and the solver runs on one thread with a fixed seed:
a re-run on a slower or busier machine gives the same panels.
"""

from __future__ import annotations

import highspy
import numpy as np

from sortition.domain.lottery import Lottery
from sortition.domain.solver import INF, quiet

#: Branch-and-bound nodes the rounding may explore (work, not time: see the module's text).
MAX_NODES = 2000


def round_uniform(
    lottery: Lottery, pool_size: int, m: int, *, max_nodes: int = MAX_NODES
) -> Lottery:
    if m < 1:
        raise ValueError("the number of panels must be at least 1")
    weights = np.array(lottery.probabilities)
    target = lottery.marginals(pool_size)
    # Largest remainder start.
    scaled = weights * m
    counts = np.floor(scaled).astype(np.int64)
    for j in np.argsort(-(scaled - counts), kind="stable")[: m - int(counts.sum())]:
        counts[j] += 1
    J = len(weights)
    h = quiet()
    h.setOptionValue("mip_max_nodes", max_nodes)
    h.addVars(J, np.zeros(J), np.full(J, float(m)))
    h.changeColsIntegrality(
        J, np.arange(J, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * J)
    )
    h.addVar(0.0, INF)  # the largest deviation, times m
    h.changeColCost(J, 1.0)
    h.addRow(float(m), float(m), J, np.arange(J, dtype=np.int32), np.ones(J))
    members: dict[int, list[int]] = {}
    for j, panel in enumerate(lottery.panels):
        for person in panel:
            members.setdefault(person, []).append(j)
    for person, sitting in members.items():
        cols = np.array([*sitting, J], dtype=np.int32)
        goal = target[person] * m
        h.addRow(-INF, goal, len(cols), cols, np.array([1.0] * len(sitting) + [-1.0]))
        h.addRow(goal, INF, len(cols), cols, np.array([1.0] * len(sitting) + [1.0]))
    start = highspy.HighsSolution()
    start.col_value = [*map(float, counts), 0.0]
    start.value_valid = True
    h.setSolution(start)
    h.run()
    solution = np.rint(np.array(h.getSolution().col_value[:J])).astype(np.int64)
    if solution.sum() != m or (solution < 0).any():
        solution = counts
    panels: list[tuple[int, ...]] = []
    probabilities: list[float] = []
    for j in np.flatnonzero(solution).tolist():
        panels.append(lottery.panels[j])
        probabilities.append(int(solution[j]) / m)
    return Lottery(panels=tuple(panels), probabilities=tuple(probabilities))


def expanded_tickets(lottery: Lottery, m: int) -> list[tuple[int, ...]]:
    """Ticket 1..m: each panel repeated by its multiplicity, in the lottery's order."""
    tickets: list[tuple[int, ...]] = []
    for panel, p in zip(lottery.panels, lottery.probabilities, strict=True):
        tickets.extend([panel] * round(p * m))
    return tickets
