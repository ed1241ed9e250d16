"""The decomposition of the relaxation's point into panels: the walk down the relaxation's
faces (Carathéodory), and column generation where the walk falls short. Take an integer
panel on the smallest face holding the point, move away from it to the face's boundary,
repeat. Near its end the walk leaves the panels' hull; column generation then decomposes a
point some way back."""

from __future__ import annotations

from collections.abc import Callable

import highspy
import numpy as np

from sortition.domain.leximin.common import ClassLottery, _silent
from sortition.domain.leximin.faces import _Faces
from sortition.domain.leximin.options import LeximinOptions
from sortition.domain.panels import PanelProgram
from sortition.domain.progress import DrawPhase, Report
from sortition.domain.solver import INF, quiet


def _walk(
    program: PanelProgram,
    target: np.ndarray,
    rng: np.random.Generator,
    options: LeximinOptions,
    report: Report = _silent,
) -> tuple[list[np.ndarray], ClassLottery | None]:
    """Decompose ``target`` into panels by walking down the relaxation's faces: take an
    integer panel on the smallest face holding the point and move the point away from it,
    onto a smaller face; the step sizes are the weights. A step can leave the panels' hull
    (the relaxation has fractional vertices), and near the end one does: then a point
    further back is decomposed by column generation on its own face, which is small:
    ``options.repair_start`` steps back, then twice as far, and so on, until one is in the hull."""
    faces = _Faces(program, rng, options)
    tolerance = options.decomposition_tolerance
    y, mass = target.copy(), 1.0
    panels: list[np.ndarray] = []
    weights: list[float] = []
    path: list[tuple[np.ndarray, float, int]] = []  # points passed, with their mass
    for _ in range(faces.n + faces.rows.m + 2):  # each step loses a dimension
        tol = tolerance / mass
        faces.restrict(y, tol)
        near_end = int(((y > tol) & (y < faces.sizes - tol)).sum()) <= options.walk_stop
        panel = faces.some_panel(programs=not near_end)
        if panel is None:
            break  # no panel on this face (a step left the panels' hull), or none found
        panels.append(panel)
        t = faces.step(y, panel, tol)
        if not np.isfinite(t):  # the point is this panel
            weights.append(mass)
            lottery = ClassLottery(panels=np.array(panels), weights=np.array(weights))
            if np.abs(lottery.weights @ lottery.panels - target).max() <= tolerance:
                return panels, lottery
            break
        if t <= 1.0 + options.min_step:
            break
        path.append((y, mass, len(weights)))
        weights.append(mass * (1 - 1 / t))
        y, mass = panel + t * (y - panel), mass / t
        report(DrawPhase.DECOMPOSITION, 1 - mass, len(panels))
    # A point the walk passed may be out of the hull too, and column generation proves
    # that only with many integer programs: past a budget, it goes further back instead.
    budget, depth = INF, min(options.repair_start, max(1, len(path)))

    def price(weights: np.ndarray, enough: float) -> tuple[float, np.ndarray] | None:
        return faces.best(weights, enough) if faces.programs < budget else None

    while depth <= len(path):  # further and further back: the faces grow
        y, mass, done = path[-depth]
        budget = (
            options.repair_programs + depth // options.repair_programs_every
            if 2 * depth <= len(path)
            else INF
        )
        faces.programs = 0
        depth *= 2
        tol = tolerance / mass
        faces.restrict(y, tol)
        free = np.flatnonzero((y > tol) & (y < faces.sizes - tol))
        rest = _decompose(y, panels[done:], price, options, tolerance=tol, free=free)
        if rest is not None:
            before = np.array(panels[:done], dtype=np.int64).reshape(-1, faces.n)
            lottery = ClassLottery(
                panels=np.vstack([before, rest.panels]),
                weights=np.concatenate([weights[:done], mass * rest.weights]),
            )
            if np.abs(lottery.weights @ lottery.panels - target).max() <= tolerance:
                return panels, lottery
    return panels, None


def _decompose(
    target: np.ndarray,
    panels: list[np.ndarray],
    price: Callable[[np.ndarray, float], tuple[float, np.ndarray] | None],
    options: LeximinOptions,
    *,
    tolerance: float | None = None,
    free: np.ndarray | None = None,
    also: Callable[[], list[np.ndarray]] | None = None,
    report: Report = _silent,
) -> ClassLottery | None:
    """Weights on panels whose expected counts are ``target``, adding the panels ``price``
    finds (by column generation) where those given fall short; None if ``target`` is no
    lottery over such panels. ``price(weights, enough)`` returns a panel whose weight is
    above ``enough``, or None if none is. With ``free``, only those classes are matched:
    every panel given or priced has the target's counts of the others (a face's fixed
    classes), and the program is that much smaller. ``tolerance`` is how far the lottery may
    miss ``target``, per class (by default ``options.decomposition_tolerance``)."""
    if tolerance is None:
        tolerance = options.decomposition_tolerance
    eps = options.reduced_cost_tolerance
    n = len(target)
    matched = np.arange(n) if free is None else free
    m = len(matched)
    h = quiet()
    h.setOptionValue("presolve", "off")
    h.setOptionValue("primal_feasibility_tolerance", options.lp_tolerance)
    h.setOptionValue("dual_feasibility_tolerance", options.lp_tolerance)
    # minimise the deviation sum_c |sum_j lambda_j P_j[c] - target_c|, sum_j lambda_j = 1
    h.addVars(2 * m, np.zeros(2 * m), np.full(2 * m, INF))
    h.changeColsCost(2 * m, np.arange(2 * m, dtype=np.int32), np.ones(2 * m))
    for row, c in enumerate(matched.tolist()):
        h.addRow(
            target[c],
            target[c],
            2,
            np.array([2 * row, 2 * row + 1], dtype=np.int32),
            np.array([1.0, -1.0]),
        )
    h.addRow(1.0, 1.0, 0, np.array([], dtype=np.int32), np.array([]))
    chosen: list[np.ndarray] = []
    seen: set[bytes] = set()

    def add(counts: np.ndarray) -> None:
        seen.add(counts.tobytes())
        sub = counts[matched]
        rows = np.flatnonzero(sub).astype(np.int32)
        h.addCol(
            0.0,
            0.0,
            INF,
            len(rows) + 1,
            np.append(rows, np.int32(m)),
            np.append(sub[rows].astype(float), 1.0),
        )
        chosen.append(counts)

    for counts in panels:
        if counts.tobytes() not in seen:
            add(counts)
    if not chosen:
        found = price(target, -INF)
        if found is None:
            return None
        add(found[1])
    for _ in range(options.decomposition_rounds_per_class * n + options.decomposition_rounds):
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError("the decomposition program failed")
        h.setOptionValue("simplex_strategy", 4)  # primal: warm starts after adding columns
        if h.getInfo().objective_function_value <= m * tolerance:
            weights = np.clip(np.array(h.getSolution().col_value[2 * m :]), 0.0, None)
            keep = weights > options.weight_floor
            lottery = ClassLottery(
                panels=np.array(chosen)[keep], weights=weights[keep] / weights[keep].sum()
            )
            if np.abs(lottery.weights @ lottery.panels - target).max() <= tolerance:
                return lottery
        report(DrawPhase.COLUMN_GENERATION, None, len(chosen))
        row_duals = np.array(h.getSolution().row_dual)
        duals, convexity = np.zeros(n), float(row_duals[m])
        duals[matched] = row_duals[:m]
        found = price(duals, eps - convexity)
        if found is None or found[0] + convexity <= eps or found[1].tobytes() in seen:
            return None  # no panel brings the lottery closer: the point is out of reach
        add(found[1])
        for other in also() if also is not None else []:
            if other.tobytes() not in seen and float(duals @ other) + convexity > eps:
                add(other)
    return None
