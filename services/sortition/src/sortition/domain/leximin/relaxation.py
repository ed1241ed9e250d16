"""The LEXIMIN over the linear relaxation of the panel program: a short sequence of linear
programs, no panels needed. The expected class counts of any lottery lie in the relaxation,
so its LEXIMIN bounds the true one from above."""

from __future__ import annotations

import highspy
import numpy as np

from sortition.domain.leximin.options import DEFAULT_OPTIONS, LeximinOptions
from sortition.domain.panels import PanelProgram
from sortition.domain.solver import INF, quiet


def relaxed_leximin(
    program: PanelProgram, options: LeximinOptions = DEFAULT_OPTIONS
) -> np.ndarray | None:
    """Expected class counts of the LEXIMIN over the linear relaxation; None if even the
    relaxation has no solution."""
    sizes = program.classes.sizes.astype(float)
    n = len(sizes)
    h = quiet(program.relaxed.getModel())
    h.setOptionValue("primal_feasibility_tolerance", options.lp_tolerance)
    h.setOptionValue("dual_feasibility_tolerance", options.lp_tolerance)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    h.addVar(-INF, INF)  # z, the level being raised
    h.changeColCost(n, 1.0)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    first = h.getNumRow()
    for c in range(n):
        h.addRow(0.0, INF, 2, np.array([c, n], dtype=np.int32), np.array([1 / sizes[c], -1.0]))
    fixed = np.zeros(n, dtype=bool)
    tolerance = options.lp_tolerance

    def solve() -> bool:
        """Run; False if the program has no solution."""
        nonlocal tolerance
        while True:
            h.run()
            status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                return True
            if status != highspy.HighsModelStatus.kInfeasible:
                raise RuntimeError(f"the relaxed LEXIMIN ended as {h.modelStatusToString(status)}")
            if not fixed.any():
                return False
            # The levels fixed so far are attainable (the last program attained them), so
            # the solver's tolerance is too tight for this program: loosen it a little.
            tolerance *= options.loosening
            if tolerance > options.loosest_tolerance:
                raise RuntimeError("the relaxed LEXIMIN lost its solution to rounding errors")
            h.setOptionValue("primal_feasibility_tolerance", tolerance)

    while not fixed.all():
        if not solve():
            return None
        level = h.getInfo().objective_function_value
        duals = np.array(h.getSolution().row_dual)[first:]
        to_fix = ~fixed & (np.abs(duals) > options.fix_threshold)
        if not to_fix.any():
            to_fix = ~fixed
        for c in np.flatnonzero(to_fix).tolist():
            h.changeCoeff(first + c, n, 0.0)
            h.changeRowBounds(first + c, max(0.0, level - options.fixed_slack), INF)
        fixed |= to_fix
    h.changeColBounds(n, 0.0, 0.0)
    solve()
    return np.array(h.getSolution().col_value[:n])
