"""LEXIMIN selection probabilities (Flanigan, Gölz, Gupta, Hennig, Procaccia, Nature 2021).

Among all lotteries over panels that meet the quotas (and the household rule), LEXIMIN
picks the one that maximises the smallest selection probability, then the second smallest,
and so on. Everything works on classes of interchangeable people, which keeps it small.

The fast way, tried first: the expected class counts of any lottery lie in the linear
relaxation of the panel program, so the LEXIMIN over the relaxation (a short sequence of
linear programs, no panels needed) bounds the true one from above. If that point is a
lottery over real panels, it is the LEXIMIN, certified by the bound. It is decomposed into
panels by walking down the faces of the relaxation (Carathéodory): take an integer panel on
the smallest face holding the point, move away from it to the face's boundary, repeat. A
panel on a face is mostly found a few exchanges away from a random vertex of the face
(:mod:`sortition.domain.exchange`), integer programs being the last resort. Near its end
the walk leaves the panels' hull; column generation then decomposes a point some way back.

If the point is not a lottery over panels (the relaxation has fractional vertices in the
way), the exact method runs: column generation with HiGHS on a linear program over the
panels found so far, and the integer program of :mod:`sortition.domain.panels` to find a
panel that improves it, seeded with the panels already found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np

from sortition.domain.exchange import exchange
from sortition.domain.panels import Classes, PanelProgram
from sortition.domain.solver import INF, quiet

EPS = 1e-9  # reduced cost below which no panel improves the program
FIX_EPS = 1e-7  # dual weight above which a class is fixed at the current level
SLACK = 1e-10  # how far a fixed probability may sag under its level
LOOSEST_TOLERANCE = 1e-8  # the loosest feasibility tolerance the relaxed LEXIMIN may use
SMOOTHING = 0.8  # weight of the stability centre in the smoothed duals


TOLERANCE = 1e-7  # counts: how far a decomposition may miss the relaxation's point, per class
FACE_TRIES = 64  # random vertices tried on a face before rounding one
REDRAWN = 32  # costs of the direction drawn afresh for each vertex tried
#: A panel from a vertex's exchanges costs about as much as this many vertex tries of the
#: whole face; where integral vertices are rarer than that, the exchanges come first.
ROUNDING_COST = 2
NEIGHBOURHOOD_TRIES = 100  # random vertices of a neighbourhood tried before its integer program
NEIGHBOURHOOD_REDRAWN = 40  # costs drawn afresh for each of them
NEIGHBOURHOODS = 3  # neighbourhoods searched before the integer program of the whole face
RATE_MEMORY = 0.02  # weight of the latest try in the running share of integral vertices
EXCHANGE_OTHERS = 100  # classes off a vertex's neighbourhood the exchanges may also seat
EXCHANGE_MOVES = 600  # exchanges tried before the neighbourhood's linear programs
#: The walk leaves the panels' hull in its last few dozen steps, and the points it passes
#: there need many integer programs to show it: the repair starts this many steps back.
REPAIR_START = 128
#: With this many classes or fewer still between 0 and 1, a face where the exchanges find
#: no panel ends the walk: its integer programs would only go to steps the repair redoes.
WALK_STOP = 2 * REPAIR_START
#: Whole-face integer programs a repair may run before it gives up on its point and goes
#: further back (plus one for every 8 steps back); the furthest one has no limit.
REPAIR_PROGRAMS = 4


FEASIBLE = int(highspy.SolutionStatus.kSolutionStatusFeasible)  # a point was found

#: Progress of a long computation: the phase, the share done when known, panels so far.
Report = Callable[[str, float | None, int], None]


def _silent(phase: str, done: float | None, panels: int) -> None:
    return None


class Infeasible(Exception):
    """No panel meets the quotas (and the household rule)."""


@dataclass(frozen=True)
class ClassLottery:
    """A lottery over panels given as class counts: ``weights[j]`` for ``panels[j]``."""

    panels: np.ndarray  # (m, classes) counts
    weights: np.ndarray  # (m,)

    def class_probabilities(self, sizes: np.ndarray) -> np.ndarray:
        return np.asarray((self.weights @ self.panels) / sizes)


class _Master:
    """max z  s.t.  sum_j lambda_j P_j[c] / n_c  >= z (open classes), >= f_c (fixed ones),
    sum_j lambda_j = 1, lambda >= 0."""

    def __init__(self, sizes: np.ndarray) -> None:
        self.sizes = sizes.astype(float)
        n = len(sizes)
        h = quiet()
        h.setOptionValue("primal_feasibility_tolerance", 1e-10)
        h.setOptionValue("dual_feasibility_tolerance", 1e-10)
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
        self.h.changeRowBounds(c, max(0.0, level - SLACK), INF)

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


def _cover(program: PanelProgram, master: _Master, rng: np.random.Generator) -> np.ndarray:
    """Find panels until every class that can sit on some panel sits on one of them."""
    n = len(program.classes)
    covered = np.zeros(n, dtype=bool)
    for counts in master.panels:
        covered |= counts > 0
    while not covered.all():
        weights = np.where(covered, 0.0, 1.0) + rng.random(n) * 1e-3
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


def relaxed_leximin(program: PanelProgram) -> np.ndarray | None:
    """Expected class counts of the LEXIMIN over the linear relaxation; None if even the
    relaxation has no solution."""
    sizes = program.classes.sizes.astype(float)
    n = len(sizes)
    h = quiet(program.relaxed.getModel())
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    h.addVar(-INF, INF)  # z, the level being raised
    h.changeColCost(n, 1.0)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    first = h.getNumRow()
    for c in range(n):
        h.addRow(0.0, INF, 2, np.array([c, n], dtype=np.int32), np.array([1 / sizes[c], -1.0]))
    fixed = np.zeros(n, dtype=bool)
    tolerance = 1e-10

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
            tolerance *= 10
            if tolerance > LOOSEST_TOLERANCE:
                raise RuntimeError("the relaxed LEXIMIN lost its solution to rounding errors")
            h.setOptionValue("primal_feasibility_tolerance", tolerance)

    while not fixed.all():
        if not solve():
            return None
        level = h.getInfo().objective_function_value
        duals = np.array(h.getSolution().row_dual)[first:]
        to_fix = ~fixed & (np.abs(duals) > FIX_EPS)
        if not to_fix.any():
            to_fix = ~fixed
        for c in np.flatnonzero(to_fix).tolist():
            h.changeCoeff(first + c, n, 0.0)
            h.changeRowBounds(first + c, max(0.0, level - SLACK), INF)
        fixed |= to_fix
    h.changeColBounds(n, 0.0, 0.0)
    solve()
    return np.array(h.getSolution().col_value[:n])


class _Rows:
    """The relaxation's rows, sparse: A x, and the row bounds."""

    def __init__(self, program: PanelProgram) -> None:
        lp = program.relaxed.getLp()
        starts = np.array(lp.a_matrix_.start_)
        self.index = np.array(lp.a_matrix_.index_, dtype=np.int64)
        self.value = np.array(lp.a_matrix_.value_)
        self.column = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
        self.lower = np.array(lp.row_lower_)
        self.upper = np.array(lp.row_upper_)
        self.m = len(self.lower)

    def times(self, x: np.ndarray) -> np.ndarray:
        return np.bincount(self.index, weights=self.value * x[self.column], minlength=self.m)


class _Faces:
    """The relaxation's faces: which bounds and rows a point sits on, and integer panels
    on the smallest face holding it."""

    def __init__(self, program: PanelProgram, rng: np.random.Generator) -> None:
        self.sizes = program.classes.sizes.astype(float)
        self.n = len(self.sizes)
        self.rows = _Rows(program)
        self.rng = rng
        self.cols = np.arange(self.n, dtype=np.int32)
        self.row_ids = np.arange(self.rows.m, dtype=np.int32)
        self.costs = self.rng.random(self.n)  # the direction that finds panels
        self.integral_rate = 1.0  # running share of vertex tries that gave a panel
        self.programs = 0  # whole-face integer programs run
        self.stale: set[int] = set()  # integer programs not yet given the face's bounds
        self.lp = quiet(program.relaxed.getModel())
        self.lp.setOptionValue("presolve", "off")
        self.any_panel = quiet(program.highs.getModel())
        # The first panel will do. Presolve pays: the faces where this program is needed
        # (near the walk's end) have most classes and many rows fixed.
        self.any_panel.setOptionValue("mip_max_improving_sols", 1)
        self.best_panel = quiet(program.highs.getModel())
        self.best_panel.setOptionValue("mip_rel_gap", 1e-9)
        self.above_panel = quiet(program.highs.getModel())
        self.above_panel.setOptionValue("mip_max_improving_sols", 1)

    def restrict(self, y: np.ndarray, tol: float) -> None:
        """Restrict the programs to the smallest face holding ``y``."""
        at_zero, at_size = y <= tol, y >= self.sizes - tol
        lower = np.where(at_size, self.sizes, 0.0)
        upper = np.where(at_zero, 0.0, self.sizes)
        ay = self.rows.times(y)
        at_low, at_high = ay <= self.rows.lower + tol, ay >= self.rows.upper - tol
        row_lower = np.where(at_high, self.rows.upper, self.rows.lower)
        row_upper = np.where(at_low, self.rows.lower, self.rows.upper)
        self.bounds = lower, upper
        self.row_bounds = row_lower, row_upper
        self._bound(self.lp)
        # The integer programs are seldom needed: they take the face when they are.
        self.stale = {id(self.any_panel), id(self.best_panel), id(self.above_panel)}

    def _bound(self, solver: highspy.Highs) -> None:
        """Give ``solver`` the bounds of the face."""
        (lower, upper), (row_lower, row_upper) = self.bounds, self.row_bounds
        solver.changeColsBounds(self.n, self.cols, lower, upper)
        solver.changeRowsBounds(  # type: ignore[attr-defined]  # missing from the stubs
            self.rows.m, self.row_ids, row_lower, row_upper
        )

    def _lp(self, costs: np.ndarray) -> tuple[np.ndarray, bool] | None:
        """The face's vertex maximising ``costs``, and whether it is integral."""
        self.lp.changeColsCost(self.n, self.cols, costs)
        self.lp.run()
        if self.lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        values = np.array(self.lp.getSolution().col_value)
        rounded = np.rint(values)
        return values, bool(np.abs(values - rounded).max() < 1e-9)

    def _integer(self, h: highspy.Highs, costs: np.ndarray) -> np.ndarray | None:
        self.programs += 1
        if id(h) in self.stale:
            self._bound(h)
            self.stale.discard(id(h))
        h.changeColsCost(self.n, self.cols, costs)
        h.run()
        if h.getInfo().primal_solution_status != FEASIBLE:  # an optimum, or a first panel
            return None
        panel: np.ndarray = np.rint(np.array(h.getSolution().col_value)).astype(np.int64)
        return panel

    def some_panel(self, programs: bool = True) -> np.ndarray | None:
        """A panel on the face: a vertex of the face in a random direction if one of
        several is integral; else one a few exchanges away from the last vertex; else, if
        ``programs``, the vertex's neighbourhood (its fractional and seated classes free,
        the others kept) searched by random vertices, then by a small integer program,
        and after three such vertices the integer program's first panel on the whole
        face. Where integral vertices of the face are rare (many features, many
        households), the exchanges come right after the first vertex.

        Random directions make short steps, each losing about one dimension; steps
        towards the likeliest classes are far longer but soon leave the panels' hull."""
        tries = FACE_TRIES if self.integral_rate * ROUNDING_COST > 1.0 else 1
        for _ in range(NEIGHBOURHOODS):
            for _ in range(tries):
                # A direction near the last one: the simplex starts close to its answer
                # and takes a few pivots, where a fresh direction takes many.
                self._redraw(self.costs, REDRAWN)
                found = self._lp(self.costs)
                if found is None:
                    return None
                values, integral = found
                self.integral_rate += RATE_MEMORY * (integral - self.integral_rate)
                if integral:
                    vertex: np.ndarray = np.rint(values).astype(np.int64)
                    return vertex
            panel = self._exchange(values)
            if panel is not None or not programs:
                return panel
            rounded = np.rint(values)
            free = (np.abs(values - rounded) >= 1e-9) | (rounded > 0)
            panel = self._round(values, self.costs, free, tries=NEIGHBOURHOOD_TRIES)
            if panel is not None:
                return panel
            tries = 1  # another vertex's neighbourhood is cheaper than the whole face's
        return self._integer(self.any_panel, self.costs)

    def _exchange(self, values: np.ndarray) -> np.ndarray | None:
        """A panel a few exchanges away from a fractional vertex of the face: the search of
        :mod:`sortition.domain.exchange` over the vertex's fractional and seated classes
        and some others at random, from the vertex rounded to the panel size."""
        rounded = np.rint(values)
        lower, upper = self.bounds
        loose = (np.abs(values - rounded) >= 1e-9) | (rounded > 0)
        others = np.flatnonzero(~loose & (upper > lower))
        loose[self.rng.choice(others, size=min(EXCHANGE_OTHERS, len(others)), replace=False)] = True
        free = np.flatnonzero(loose)  # every other class is at 0 on the vertex
        rows = self.rows
        in_free = loose[rows.column]
        touched, row_of = np.unique(rows.index[in_free], return_inverse=True)
        position = np.full(self.n, -1)
        position[free] = np.arange(len(free))
        matrix = np.zeros((len(touched), len(free)))
        matrix[row_of, position[rows.column[in_free]]] = rows.value[in_free]
        # The vertex rounded down, then up where it is most fractional, to the panel size.
        start = np.floor(values[free] + 1e-9)
        seats = round(float(self.row_bounds[0][0] - start.sum()))  # row 0: the panel size
        if seats < 0:  # rounding errors in the vertex: the exchanges keep the total
            return None
        start[np.argsort(start - values[free], kind="stable")[:seats]] += 1
        row_lower, row_upper = self.row_bounds
        found = exchange(
            matrix,
            row_lower[touched],
            row_upper[touched],
            lower[free],
            upper[free],
            np.clip(start, lower[free], upper[free]),
            self.rng,
            EXCHANGE_MOVES,
        )
        if found is None:
            return None
        panel = np.zeros(self.n, dtype=np.int64)
        panel[free] = found
        return panel

    def _redraw(self, costs: np.ndarray, count: int) -> None:
        redraw = self.rng.choice(len(costs), size=min(len(costs), count), replace=False)
        costs[redraw] = self.rng.random(len(redraw))

    def _round(
        self,
        values: np.ndarray,
        costs: np.ndarray,
        loose: np.ndarray | None = None,
        *,
        tries: int | None = None,
    ) -> np.ndarray | None:
        """A panel that keeps a vertex's counts but for the ``loose`` classes (by default
        its fractional ones), found by a small program over those alone; None if there
        is none. Without ``tries``, the panel maximising ``costs``; with them, the first
        integral vertex among that many random directions, else the integer program's
        first panel."""
        rounded = np.rint(values)
        if loose is None:
            loose = np.abs(values - rounded) >= 1e-9
        rows, free = self.rows, np.flatnonzero(loose)
        kept = np.where(loose, 0.0, rounded)
        used = rows.times(kept)
        in_free = loose[rows.column]
        touched = np.unique(rows.index[in_free])
        position = np.full(self.n, -1)
        position[free] = np.arange(len(free))
        h = quiet()
        lower, upper = self.bounds
        h.addVars(len(free), lower[free], upper[free])
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        row_lower, row_upper = self.row_bounds
        order = np.argsort(rows.index[in_free], kind="stable")
        entries = rows.index[in_free][order]
        starts = np.searchsorted(entries, touched).astype(np.int32)
        h.addRows(
            len(touched),
            row_lower[touched] - used[touched],
            row_upper[touched] - used[touched],
            len(entries),
            starts,
            position[rows.column[in_free][order]].astype(np.int32),
            rows.value[in_free][order],
        )
        cols = np.arange(len(free), dtype=np.int32)
        if tries is None:
            h.changeColsCost(len(free), cols, costs[free])
        else:
            # The small program's vertices are panels far more often than the face's, and
            # each costs a fraction of a millisecond. Only the costs change from one to the
            # next, so the last vertex stays feasible: the primal simplex starts from it
            # (about a tenth faster than the dual simplex here).
            h.setOptionValue("presolve", "off")
            h.setOptionValue("simplex_strategy", 4)
            directions = costs[free].copy()
            for _ in range(tries):
                self._redraw(directions, NEIGHBOURHOOD_REDRAWN)
                h.changeColsCost(len(free), cols, directions)
                h.run()
                if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                    return None
                found = np.array(h.getSolution().col_value)
                if np.abs(found - np.rint(found)).max() < 1e-9:
                    kept[free] = np.rint(found)
                    return kept.astype(np.int64)
            # The first panel will do: with no objective the search stops sooner.
            h.changeColsCost(len(free), cols, np.zeros(len(free)))
            h.setOptionValue("presolve", "choose")
            h.setOptionValue("mip_max_improving_sols", 1)
        h.changeColsIntegrality(
            len(free), cols, np.array([highspy.HighsVarType.kInteger] * len(free))
        )
        h.run()
        if h.getInfo().primal_solution_status != FEASIBLE:  # an optimum, or a first panel
            return None
        kept[free] = np.rint(np.array(h.getSolution().col_value))
        panel: np.ndarray = kept.astype(np.int64)
        return panel

    def best(self, weights: np.ndarray, enough: float = -INF) -> tuple[float, np.ndarray] | None:
        """A panel on the face with ``weights @ counts`` above ``enough``, the best one if it
        takes the integer program to find one; None if there is none."""
        found = self._lp(weights)
        if found is None:
            return None
        values, integral = found
        if integral or float(weights @ values) <= enough:
            panel = np.rint(values).astype(np.int64)
            return (float(weights @ panel), panel) if integral else None
        panel = self._exchange(values)  # a panel near the best vertex may do
        if panel is None or float(weights @ panel) <= enough:
            panel = self._above(weights, enough) if enough > -INF else None
            if panel is None:
                if enough > -INF:
                    return None
                panel = self._integer(self.best_panel, weights)
                if panel is None:
                    return None
        return float(weights @ panel), panel

    def _above(self, weights: np.ndarray, enough: float) -> np.ndarray | None:
        """The integer program's first panel whose weight is above ``enough``; None if it
        proves there is none, which is far quicker than the best panel."""
        h = self.above_panel
        if h.getNumRow() > self.rows.m:
            h.deleteRows(1, np.array([self.rows.m], dtype=np.int32))
        h.addRow(enough, INF, self.n, self.cols, weights.astype(float))
        panel = self._integer(h, weights)
        if panel is None or float(weights @ panel) <= enough:
            return None
        return panel

    def step(self, y: np.ndarray, panel: np.ndarray, tol: float) -> float:
        """How far (a factor t > 1) the point can move away from the panel, to
        panel + t (y - panel), and stay in the relaxation."""
        away = y - panel
        away[np.abs(away) <= tol] = 0.0
        sizes, rows = self.sizes, self.rows
        steps = [
            (sizes[away > 0] - panel[away > 0]) / away[away > 0],
            -panel[away < 0] / away[away < 0],
        ]
        a_away, a_panel = rows.times(away), rows.times(panel)
        up, down = a_away > tol, a_away < -tol
        steps += [
            (rows.upper[up] - a_panel[up]) / a_away[up],
            (rows.lower[down] - a_panel[down]) / a_away[down],
        ]
        return min((float(s.min()) for s in steps if len(s)), default=np.inf)


def _walk(
    program: PanelProgram,
    target: np.ndarray,
    rng: np.random.Generator,
    report: Report = _silent,
) -> tuple[list[np.ndarray], ClassLottery | None]:
    """Decompose ``target`` into panels by walking down the relaxation's faces: take an
    integer panel on the smallest face holding the point and move the point away from it,
    onto a smaller face; the step sizes are the weights. A step can leave the panels' hull
    (the relaxation has fractional vertices), and near the end one does: then a point
    further back is decomposed by column generation on its own face, which is small:
    ``REPAIR_START`` steps back, then twice as far, and so on, until one is in the hull."""
    faces = _Faces(program, rng)
    y, mass = target.copy(), 1.0
    panels: list[np.ndarray] = []
    weights: list[float] = []
    path: list[tuple[np.ndarray, float, int]] = []  # points passed, with their mass
    for _ in range(faces.n + faces.rows.m + 2):  # each step loses a dimension
        tol = TOLERANCE / mass
        faces.restrict(y, tol)
        near_end = int(((y > tol) & (y < faces.sizes - tol)).sum()) <= WALK_STOP
        panel = faces.some_panel(programs=not near_end)
        if panel is None:
            break  # no panel on this face (a step left the panels' hull), or none found
        panels.append(panel)
        t = faces.step(y, panel, tol)
        if not np.isfinite(t):  # the point is this panel
            weights.append(mass)
            lottery = ClassLottery(panels=np.array(panels), weights=np.array(weights))
            if np.abs(lottery.weights @ lottery.panels - target).max() <= TOLERANCE:
                return panels, lottery
            break
        if t <= 1.0 + 1e-12:
            break
        path.append((y, mass, len(weights)))
        weights.append(mass * (1 - 1 / t))
        y, mass = panel + t * (y - panel), mass / t
        report("decomposition", 1 - mass, len(panels))
    # A point the walk passed may be out of the hull too, and column generation proves
    # that only with many integer programs: past a budget, it goes further back instead.
    budget, depth = INF, min(REPAIR_START, max(1, len(path)))

    def price(weights: np.ndarray, enough: float) -> tuple[float, np.ndarray] | None:
        return faces.best(weights, enough) if faces.programs < budget else None

    while depth <= len(path):  # further and further back: the faces grow
        y, mass, done = path[-depth]
        budget = REPAIR_PROGRAMS + depth // 8 if 2 * depth <= len(path) else INF
        faces.programs = 0
        depth *= 2
        tol = TOLERANCE / mass
        faces.restrict(y, tol)
        free = np.flatnonzero((y > tol) & (y < faces.sizes - tol))
        rest = _decompose(y, panels[done:], price, tolerance=tol, free=free)
        if rest is not None:
            before = np.array(panels[:done], dtype=np.int64).reshape(-1, faces.n)
            lottery = ClassLottery(
                panels=np.vstack([before, rest.panels]),
                weights=np.concatenate([weights[:done], mass * rest.weights]),
            )
            if np.abs(lottery.weights @ lottery.panels - target).max() <= TOLERANCE:
                return panels, lottery
    return panels, None


def _decompose(
    target: np.ndarray,
    panels: list[np.ndarray],
    price: Callable[[np.ndarray, float], tuple[float, np.ndarray] | None],
    *,
    tolerance: float = TOLERANCE,
    free: np.ndarray | None = None,
    also: Callable[[], list[np.ndarray]] | None = None,
    report: Report = _silent,
) -> ClassLottery | None:
    """Weights on panels whose expected counts are ``target``, adding the panels ``price``
    finds (by column generation) where those given fall short; None if ``target`` is no
    lottery over such panels. ``price(weights, enough)`` returns a panel whose weight is
    above ``enough``, or None if none is. With ``free``, only those classes are matched:
    every panel given or priced has the target's counts of the others (a face's fixed
    classes), and the program is that much smaller."""
    n = len(target)
    matched = np.arange(n) if free is None else free
    m = len(matched)
    h = quiet()
    h.setOptionValue("presolve", "off")
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
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
    for _ in range(10 * n + 100):
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError("the decomposition program failed")
        h.setOptionValue("simplex_strategy", 4)  # primal: warm starts after adding columns
        if h.getInfo().objective_function_value <= m * tolerance:
            weights = np.clip(np.array(h.getSolution().col_value[2 * m :]), 0.0, None)
            keep = weights > 1e-12
            lottery = ClassLottery(
                panels=np.array(chosen)[keep], weights=weights[keep] / weights[keep].sum()
            )
            if np.abs(lottery.weights @ lottery.panels - target).max() <= tolerance:
                return lottery
        report("column generation", None, len(chosen))
        row_duals = np.array(h.getSolution().row_dual)
        duals, convexity = np.zeros(n), float(row_duals[m])
        duals[matched] = row_duals[:m]
        found = price(duals, EPS - convexity)
        if found is None or found[0] + convexity <= EPS or found[1].tobytes() in seen:
            return None  # no panel brings the lottery closer: the point is out of reach
        add(found[1])
        for other in also() if also is not None else []:
            if other.tobytes() not in seen and float(duals @ other) + convexity > EPS:
                add(other)
    return None


def leximin(program: PanelProgram, *, seed: int = 0, report: Report | None = None) -> ClassLottery:
    report = report or _silent
    rng = np.random.default_rng(seed)
    report("relaxation", 0.0, 0)
    target = relaxed_leximin(program)
    if target is None:
        raise Infeasible("not even the relaxation of the quotas can be met")
    panels, walked = _walk(program, target, rng, report)
    if walked is not None:
        return walked
    found = _decompose(target, panels, program.best, also=program.improving, report=report)
    if found is not None:
        return found
    return _exact(program, rng=rng, start=panels, report=report)


def _exact(
    program: PanelProgram,
    *,
    rng: np.random.Generator,
    start: list[np.ndarray],
    report: Report = _silent,
) -> ClassLottery:
    classes: Classes = program.classes
    sizes = classes.sizes
    n = len(classes)
    master = _Master(sizes)
    for counts in start:
        master.add(counts)
    covered = _cover(program, master, rng)
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
                smoothed = SMOOTHING * center + (1 - SMOOTHING) * weights
                _, counts = program.best(smoothed)  # type: ignore[misc]
                if float(weights @ counts) - convexity > EPS:
                    master.add(counts)
                    center = smoothed
                    continue
            value, counts = program.best(weights)  # type: ignore[misc]
            if value - convexity <= EPS:
                break
            master.add(counts)
            center = weights
            seen = {counts.tobytes()}
            for other in program.improving():
                key = other.tobytes()
                if key not in seen and float(weights @ other) - convexity > EPS:
                    seen.add(key)
                    master.add(other)
        open_ = np.isnan(fixed)
        to_fix = open_ & (-duals > FIX_EPS)
        if not to_fix.any():  # numerically flat duals: fix the open classes at this level
            to_fix = open_
        for c in np.flatnonzero(to_fix):
            master.fix(int(c), level)
            fixed[c] = level
        report("exact", float(1 - np.isnan(fixed).mean()), len(master.panels))
    master.h.changeColBounds(0, 0.0, 0.0)  # every class is fixed: z is in no row any more
    master.solve()
    weights = np.clip(master.weights(), 0.0, None)
    keep = weights > 1e-12
    panels = np.array(master.panels)[keep]
    weights = weights[keep] / weights[keep].sum()
    return ClassLottery(panels=panels, weights=weights)
