"""The LEXIMIN solver's tuning constants: its tolerances, limits and search budgets."""

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
