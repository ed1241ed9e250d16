"""The exact method, for when the relaxation's point is no lottery over panels: column
generation with HiGHS on a linear program over the panels found so far (the master
program), and the integer program of :mod:`sortition.domain.panels` to find a panel that
improves it, seeded with the panels already found."""

from __future__ import annotations

import highspy
import numpy as np

from sortition.domain.leximin.common import ClassLottery, Infeasible, _silent
from sortition.domain.leximin.options import LeximinOptions
from sortition.domain.panels import Classes, PanelProgram
from sortition.domain.progress import DrawPhase, Report
from sortition.domain.solver import INF, quiet


class _Master:
    """max z  s.t.  sum_j lambda_j P_j[c] / n_c  >= z (open classes), >= f_c (fixed ones),
    sum_j lambda_j = 1, lambda >= 0."""

    def __init__(self, sizes: np.ndarray, options: LeximinOptions) -> None:
        self.options = options
        self.sizes = sizes.astype(float)
        n = len(sizes)
        h = quiet()
        h.setOptionValue("primal_feasibility_tolerance", options.lp_tolerance)
        h.setOptionValue("dual_feasibility_tolerance", options.lp_tolerance)
        h.setOptionValue("presolve", "off")
        h.setOptionValue("simplex_strategy", 4)  # primal: warm starts after adding columns
        h.addVar(-INF, INF)  # z
        h.changeColCost(0, 1.0)
        for _ in range(n):
            h.addRow(0.0, INF, 1, np.array([0], dtype=np.int32), np.array([-1.0]))
        h.addRow(1.0, 1.0, 0, np.array([], dtype=np.int32), np.array([]))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.h = h
        self.n = n
        self.panels: list[np.ndarray] = []

    def add(self, counts: np.ndarray) -> None:
        rows = np.flatnonzero(counts).astype(np.int32)
        values = counts[rows] / self.sizes[rows]
        self.h.addCol(
            0.0,
            0.0,
            INF,
            len(rows) + 1,
            np.append(rows, np.int32(self.n)),
            np.append(values, 1.0),
        )
        self.panels.append(counts)

    def fix(self, c: int, level: float) -> None:
        self.h.changeCoeff(c, 0, 0.0)
        self.h.changeRowBounds(c, max(0.0, level - self.options.fixed_slack), INF)

    def solve(self) -> tuple[float, np.ndarray, float]:
        h = self.h
        h.run()
        status = h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"the LEXIMIN program ended as {h.modelStatusToString(status)}")
        solution = h.getSolution()
        duals = np.array(solution.row_dual)
        return h.getInfo().objective_function_value, duals[: self.n], float(duals[self.n])

    def weights(self) -> np.ndarray:
        return np.array(self.h.getSolution().col_value[1:])


def _cover(
    program: PanelProgram, master: _Master, rng: np.random.Generator, options: LeximinOptions
) -> np.ndarray:
    """Find panels until every class that can sit on some panel sits on one of them."""
    n = len(program.classes)
    covered = np.zeros(n, dtype=bool)
    for counts in master.panels:
        covered |= counts > 0
    while not covered.all():
        weights = np.where(covered, 0.0, 1.0) + rng.random(n) * options.cover_jitter
        found = program.best(weights)
        if found is None:
            raise Infeasible("no panel meets the quotas")
        _, counts = found
        newly = (counts > 0) & ~covered
        if master.panels and not newly.any():
            return covered  # the classes left out can sit on no panel at all
        covered |= counts > 0
        master.add(counts)
    return covered


def _exact(
    program: PanelProgram,
    *,
    rng: np.random.Generator,
    start: list[np.ndarray],
    options: LeximinOptions,
    report: Report = _silent,
) -> ClassLottery:
    eps, smoothing = options.reduced_cost_tolerance, options.smoothing
    classes: Classes = program.classes
    sizes = classes.sizes
    n = len(classes)
    master = _Master(sizes, options)
    for counts in start:
        master.add(counts)
    covered = _cover(program, master, rng, options)
    fixed = np.full(n, np.nan)
    for c in np.flatnonzero(~covered):
        master.fix(int(c), 0.0)
        fixed[c] = 0.0
    while np.isnan(fixed).any():
        center: np.ndarray | None = None
        while True:
            level, duals, convexity = master.solve()
            # Reduced cost of a panel P: -(sum_c duals_c P_c / n_c + convexity) > 0 improves.
            weights = -duals / sizes
            if center is not None:
                # Price at duals smoothed towards the last ones that gave a panel (Wentges):
                # the raw duals jump about, and a steadier point finds better panels.
                smoothed = smoothing * center + (1 - smoothing) * weights
                _, counts = program.best(smoothed)  # type: ignore[misc]
                if float(weights @ counts) - convexity > eps:
                    master.add(counts)
                    center = smoothed
                    continue
            value, counts = program.best(weights)  # type: ignore[misc]
            if value - convexity <= eps:
                break
            master.add(counts)
            center = weights
            seen = {counts.tobytes()}
            for other in program.improving():
                key = other.tobytes()
                if key not in seen and float(weights @ other) - convexity > eps:
                    seen.add(key)
                    master.add(other)
        open_ = np.isnan(fixed)
        to_fix = open_ & (-duals > options.fix_threshold)
        if not to_fix.any():  # numerically flat duals: fix the open classes at this level
            to_fix = open_
        for c in np.flatnonzero(to_fix):
            master.fix(int(c), level)
            fixed[c] = level
        report(DrawPhase.EXACT, float(1 - np.isnan(fixed).mean()), len(master.panels))
    master.h.changeColBounds(0, 0.0, 0.0)  # every class is fixed: z is in no row any more
    master.solve()
    weights = np.clip(master.weights(), 0.0, None)
    keep = weights > options.weight_floor
    panels = np.array(master.panels)[keep]
    weights = weights[keep] / weights[keep].sum()
    return ClassLottery(panels=panels, weights=weights)
