"""A panel by exchanges: a local search over a few hundred classes.

Near a fractional vertex of a face of the relaxation, a panel is usually a few exchanges
away: one person out, one in. The search starts from the vertex rounded to the panel size
and takes, at each move, a unit of one violated row at random (a quota or a household
over or under its bounds) and the exchange that lowers the weighted violation of all the
rows the most; rows that stay violated at a local minimum weigh more from then on (the
breakout method), and the classes just moved wait a move before they move again. Integer
programs prove that no panel exists; this search only finds one, in a few milliseconds
where HiGHS's branch and bound takes tens, and says None when it gives up.
"""

from __future__ import annotations

import numpy as np

WAIT = 1  # moves a class that has just moved sits out


def exchange(
    matrix: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    start: np.ndarray,
    rng: np.random.Generator,
    moves: int,
) -> np.ndarray | None:
    """Counts ``z`` with ``lower <= z <= upper`` and ``row_lower <= matrix @ z <= row_upper``,
    reached from ``start`` (whose total they keep) by at most ``moves`` exchanges of one
    unit between two classes; None if the search gives up. ``matrix`` is dense, rows by
    classes, with 0/1 entries."""
    z = start.astype(np.int64)
    columns = np.ascontiguousarray(matrix.T)
    member = matrix > 0
    activity = matrix @ z
    weight = np.ones(len(row_lower))
    moved = np.full(len(z), -WAIT - 1)
    draws = rng.random((moves, 2))
    for move in range(moves):
        short, over = row_lower - activity, activity - row_upper
        violation = np.maximum(np.maximum(short, over), 0.0)
        violated = np.flatnonzero(violation > 0)
        if not len(violated):
            return z
        # The weighted change of each row's violation if its activity falls or rises by one.
        fall = weight * (np.maximum(np.maximum(short + 1, over - 1), 0.0) - violation)
        rise = weight * (np.maximum(np.maximum(short - 1, over + 1), 0.0) - violation)
        row = violated[int(draws[move, 0] * len(violated))]
        ready = move - moved > WAIT
        can_leave, can_enter = (z > lower) & ready, (z < upper) & ready
        if short[row] > 0:  # one of the row's classes enters
            leaving, entering = np.flatnonzero(can_leave), np.flatnonzero(can_enter & member[row])
        else:  # one of the row's classes leaves
            leaving, entering = np.flatnonzero(can_leave & member[row]), np.flatnonzero(can_enter)
        if not len(leaving) or not len(entering):
            weight[row] += 1.0
            continue
        out, into = columns[leaving], columns[entering]
        # Rows holding both classes of an exchange do not change.
        change = (
            (out @ fall)[:, None] + (into @ rise)[None, :] - (out * (fall + rise)) @ into.T
        ).ravel()
        same = (leaving[:, None] == entering[None, :]).ravel()
        change[same] = np.inf
        best = change.min()
        if not np.isfinite(best):
            weight[row] += 1.0
            continue
        if best >= 0:  # a local minimum: the rows still violated weigh more
            weight += violation > 0
        ties = np.flatnonzero(change <= best + 1e-12)
        pick = ties[int(draws[move, 1] * len(ties))]
        i, j = leaving[pick // len(entering)], entering[pick % len(entering)]
        z[i] -= 1
        z[j] += 1
        activity += columns[j] - columns[i]
        moved[i] = moved[j] = move
    return None
