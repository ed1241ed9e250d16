"""The relaxation's faces: which bounds and rows a point sits on, and integer panels on the
smallest face holding it. A panel on a face is mostly found a few exchanges away from a
random vertex of the face (:mod:`sortition.domain.exchange`), integer programs being the
last resort."""

from __future__ import annotations

import highspy
import numpy as np

from sortition.domain.exchange import exchange
from sortition.domain.leximin.options import LeximinOptions
from sortition.domain.panels import PanelProgram
from sortition.domain.solver import INF, quiet

FEASIBLE = int(highspy.SolutionStatus.kSolutionStatusFeasible)  # a point was found


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

    def __init__(
        self, program: PanelProgram, rng: np.random.Generator, options: LeximinOptions
    ) -> None:
        self.options = options
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
        self.best_panel.setOptionValue("mip_rel_gap", options.mip_gap)
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
        return values, bool(np.abs(values - rounded).max() < self.options.integrality_tolerance)

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
        options = self.options
        tries = options.face_tries if self.integral_rate * options.rounding_cost > 1.0 else 1
        for _ in range(options.neighbourhoods):
            for _ in range(tries):
                # A direction near the last one: the simplex starts close to its answer
                # and takes a few pivots, where a fresh direction takes many.
                self._redraw(self.costs, options.redrawn)
                found = self._lp(self.costs)
                if found is None:
                    return None
                values, integral = found
                self.integral_rate += options.rate_memory * (integral - self.integral_rate)
                if integral:
                    vertex: np.ndarray = np.rint(values).astype(np.int64)
                    return vertex
            panel = self._exchange(values)
            if panel is not None or not programs:
                return panel
            rounded = np.rint(values)
            free = (np.abs(values - rounded) >= options.integrality_tolerance) | (rounded > 0)
            panel = self._round(values, self.costs, free, tries=options.neighbourhood_tries)
            if panel is not None:
                return panel
            tries = 1  # another vertex's neighbourhood is cheaper than the whole face's
        return self._integer(self.any_panel, self.costs)

    def _exchange(self, values: np.ndarray) -> np.ndarray | None:
        """A panel a few exchanges away from a fractional vertex of the face: the search of
        :mod:`sortition.domain.exchange` over the vertex's fractional and seated classes
        and some others at random, from the vertex rounded to the panel size."""
        options = self.options
        rounded = np.rint(values)
        lower, upper = self.bounds
        loose = (np.abs(values - rounded) >= options.integrality_tolerance) | (rounded > 0)
        others = np.flatnonzero(~loose & (upper > lower))
        size = min(options.exchange_others, len(others))
        loose[self.rng.choice(others, size=size, replace=False)] = True
        free = np.flatnonzero(loose)  # every other class is at 0 on the vertex
        rows = self.rows
        in_free = loose[rows.column]
        touched, row_of = np.unique(rows.index[in_free], return_inverse=True)
        position = np.full(self.n, -1)
        position[free] = np.arange(len(free))
        matrix = np.zeros((len(touched), len(free)))
        matrix[row_of, position[rows.column[in_free]]] = rows.value[in_free]
        # The vertex rounded down, then up where it is most fractional, to the panel size.
        start = np.floor(values[free] + options.integrality_tolerance)
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
            options.exchange_moves,
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
        options = self.options
        rounded = np.rint(values)
        if loose is None:
            loose = np.abs(values - rounded) >= options.integrality_tolerance
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
                self._redraw(directions, options.neighbourhood_redrawn)
                h.changeColsCost(len(free), cols, directions)
                h.run()
                if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                    return None
                found = np.array(h.getSolution().col_value)
                if np.abs(found - np.rint(found)).max() < options.integrality_tolerance:
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
