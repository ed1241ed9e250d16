"""What the LEXIMIN's phases share: the lottery they produce, the error when there is none,
and the progress callback that ignores their reports."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sortition.domain.progress import DrawPhase


def _silent(phase: DrawPhase, done: float | None, panels: int) -> None:
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
