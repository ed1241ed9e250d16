"""The LEXIMIN solver's tuning: its tolerances, limits and search budgets, in one place.

Every phase takes them as an argument (as scipy's solvers take ``tol`` and ``maxiter``);
none reads a module's global. A change to any default can change the lottery drawn for the
same inputs: it then needs a new ``ALGORITHM_VERSION`` (:mod:`sortition.select`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LeximinOptions:
    """Tolerances and limits of the LEXIMIN solver. The defaults are the ones the service
    draws with."""

    # --- Linear programs (relaxation, master program, decomposition) ---

    lp_tolerance: float = 1e-10
    """HiGHS primal and dual feasibility tolerance of the linear programs (the relaxed
    LEXIMIN, the exact master program, the decomposition), and the primal tolerance the
    relaxed LEXIMIN starts from before it loosens it. Unit: the programs' own (class
    counts, probabilities)."""

    loosening: float = 10.0
    """Factor by which the relaxed LEXIMIN loosens its primal feasibility tolerance each time
    a program whose levels are known to be attainable reads as infeasible. Unitless."""

    loosest_tolerance: float = 1e-8
    """The loosest primal feasibility tolerance the relaxed LEXIMIN may loosen to; past it,
    the relaxation is given up as lost to rounding errors. Unit: class counts."""

    fix_threshold: float = 1e-7
    """Dual weight above which a class is fixed at the current level, in the relaxed
    LEXIMIN and in the exact master program. Unit: the level rows' duals."""

    fixed_slack: float = 1e-10
    """How far a fixed probability may sag under its level. Unit: probability."""

    reduced_cost_tolerance: float = 1e-9
    """Reduced cost at or below which no panel improves a program (the exact master
    program, the decomposition's). Unit: the programs' objective."""

    smoothing: float = 0.8
    """Weight of the stability centre (the last duals that gave a panel) in the smoothed
    duals the exact method prices at (Wentges smoothing). Between 0 and 1, unitless."""

    cover_jitter: float = 1e-3
    """Scale of the random weights added to each class when the exact method looks for
    panels that seat the classes not yet seated. Unit: weight per class (the uncovered
    classes weigh 1)."""

    weight_floor: float = 1e-12
    """Lottery weight at or below which a panel is dropped from a final lottery (then the
    weights are normalised again). Unit: probability."""

    # --- Faces of the relaxation and the panels on them ---

    integrality_tolerance: float = 1e-9
    """How far a vertex's count may be from an integer and still count as that integer:
    whether a vertex is a panel, and which of its classes are fractional. Unit: people."""

    mip_gap: float = 1e-9
    """HiGHS relative gap of the integer program for the best panel on a face. Unitless."""

    face_tries: int = 64
    """Random vertices tried on a face before one is rounded. Unit: linear programs."""

    redrawn: int = 32
    """Costs of the search direction drawn afresh for each vertex tried on a face. Unit:
    classes."""

    rounding_cost: int = 2
    """A panel from a vertex's exchanges costs about as much as this many vertex tries of
    the whole face; where integral vertices are rarer than that, the exchanges come first.
    Unit: vertex tries."""

    neighbourhood_tries: int = 100
    """Random vertices of a vertex's neighbourhood tried before its integer program. Unit:
    linear programs."""

    neighbourhood_redrawn: int = 40
    """Costs drawn afresh for each vertex of a neighbourhood tried. Unit: classes."""

    neighbourhoods: int = 3
    """Neighbourhoods searched before the integer program of the whole face. Unit:
    neighbourhoods (vertices)."""

    rate_memory: float = 0.02
    """Weight of the latest try in the running share of integral vertices. Between 0 and 1,
    unitless."""

    exchange_others: int = 100
    """Classes off a vertex's neighbourhood the exchanges may also seat. Unit: classes."""

    exchange_moves: int = 600
    """Exchanges tried before the neighbourhood's linear programs. Unit: moves of
    :func:`sortition.domain.exchange.exchange`."""

    # --- The walk down the faces, and its repair ---

    decomposition_tolerance: float = 1e-7
    """How far a decomposition may miss the relaxation's point, per class; the walk divides
    it by the mass left to decompose. Unit: class counts (people)."""

    min_step: float = 1e-12
    """A walk step of a factor at most 1 + this ends the walk (the point barely moves).
    Unitless."""

    repair_start: int = 128
    """The walk leaves the panels' hull in its last few dozen steps, and the points it
    passes there need many integer programs to show it: the repair starts this many steps
    back (then twice as far, and so on). Unit: walk steps."""

    repair_programs: int = 4
    """Whole-face integer programs a repair may run before it gives up on its point and
    goes further back (plus one for every ``repair_programs_every`` steps back); the
    furthest one has no limit. Unit: integer programs."""

    repair_programs_every: int = 8
    """Steps back that earn a repair one more whole-face integer program. Unit: walk
    steps."""

    # --- Column generation of a decomposition ---

    decomposition_rounds_per_class: int = 10
    """Rounds of the decomposition's column generation allowed per class, on top of
    ``decomposition_rounds``. Unit: rounds (linear programs) per class."""

    decomposition_rounds: int = 100
    """Rounds of the decomposition's column generation allowed on top of those per class.
    Unit: rounds (linear programs)."""

    @property
    def walk_stop(self) -> int:
        """With this many classes or fewer still between 0 and 1, a face where the exchanges
        find no panel ends the walk: its integer programs would only go to steps the repair
        redoes. Twice ``repair_start``. Unit: classes."""
        return 2 * self.repair_start


DEFAULT_OPTIONS = LeximinOptions()
