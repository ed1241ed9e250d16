"""Where a draw stands while it is computed: its phase, reported to a callback, shown on the
command line and kept in the database for the API."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum


class DrawPhase(StrEnum):
    """A draw's phases, in the order they come. The values are what the database stores and
    the API returns."""

    RELAXATION = "relaxation"  # the LEXIMIN over the linear relaxation
    DECOMPOSITION = "decomposition"  # the walk down the relaxation's faces
    COLUMN_GENERATION = "column generation"  # the decomposition's column generation
    EXACT = "exact"  # the exact method, where the relaxation's point is no lottery
    SPREADING = "spreading over people"  # the lottery over classes made one over people
    DONE = "done"
    INFEASIBLE = "failed: no panel meets the quotas"


#: Progress of a long computation: the phase, the share done when known, panels so far.
Report = Callable[[DrawPhase, float | None, int], None]
