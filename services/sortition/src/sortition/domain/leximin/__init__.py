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

The package goes by phase: :mod:`.relaxation` (the relaxed LEXIMIN), :mod:`.faces` (the
relaxation's faces and the panels on them), :mod:`.decomposition` (the walk and its repair
by column generation), :mod:`.exact` (the exact method's master program and pricing) and
:mod:`.driver` (the phases in order). Their tolerances and limits are the fields of
:class:`LeximinOptions`, passed down from :func:`leximin`.
"""

from sortition.domain.leximin.common import ClassLottery, Infeasible
from sortition.domain.leximin.driver import leximin
from sortition.domain.leximin.options import DEFAULT_OPTIONS, LeximinOptions
from sortition.domain.leximin.relaxation import relaxed_leximin
from sortition.domain.progress import Report

__all__ = [
    "DEFAULT_OPTIONS",
    "ClassLottery",
    "Infeasible",
    "LeximinOptions",
    "Report",
    "leximin",
    "relaxed_leximin",
]
