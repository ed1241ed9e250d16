"""HiGHS, set up the one way every program here uses it: silent, one thread, a fixed
random seed, so that the same inputs give the same answers."""

from __future__ import annotations

import highspy

INF = highspy.kHighsInf


def quiet(model: highspy.HighsModel | None = None) -> highspy.Highs:
    """A silent, single-threaded, seeded solver, holding ``model`` if one is given."""
    h = highspy.Highs()  # type: ignore[no-untyped-call]  # highspy leaves __init__ untyped
    h.setOptionValue("output_flag", False)
    if model is not None:
        h.passModel(model)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    return h
