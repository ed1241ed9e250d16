"""The LEXIMIN, phase by phase: the relaxation's LEXIMIN, its decomposition into panels,
and the exact method if that point is no lottery over panels."""

from __future__ import annotations

import numpy as np

from sortition.domain.leximin.common import ClassLottery, Infeasible, _silent
from sortition.domain.leximin.decomposition import _decompose, _walk
from sortition.domain.leximin.exact import _exact
from sortition.domain.leximin.options import DEFAULT_OPTIONS, LeximinOptions
from sortition.domain.leximin.relaxation import relaxed_leximin
from sortition.domain.panels import PanelProgram
from sortition.domain.progress import DrawPhase, Report


def leximin(
    program: PanelProgram,
    *,
    seed: int = 0,
    report: Report | None = None,
    options: LeximinOptions = DEFAULT_OPTIONS,
) -> ClassLottery:
    """The LEXIMIN lottery over the program's panels. ``seed`` fixes the random draws of the
    decomposition; ``options`` the solver's tolerances and limits."""
    report = report or _silent
    rng = np.random.default_rng(seed)
    report(DrawPhase.RELAXATION, 0.0, 0)
    target = relaxed_leximin(program, options)
    if target is None:
        raise Infeasible("not even the relaxation of the quotas can be met")
    panels, walked = _walk(program, target, rng, options, report)
    if walked is not None:
        return walked
    found = _decompose(target, panels, program.best, options, also=program.improving, report=report)
    if found is not None:
        return found
    return _exact(program, rng=rng, start=panels, options=options, report=report)
