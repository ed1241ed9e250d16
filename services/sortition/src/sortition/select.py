"""One selection, from inputs to result: what the command line and the service both run."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

from sortition.domain.instance import Instance
from sortition.domain.legacy import legacy_panel
from sortition.domain.leximin import Report, leximin
from sortition.domain.lottery import Lottery, expand, pick_panel, seeded_random
from sortition.domain.panels import PanelProgram, build_classes
from sortition.domain.progress import DrawPhase
from sortition.domain.transparent import round_uniform

Algorithm = Literal["leximin", "legacy"]
#: Raised whenever the same inputs and seed can give another lottery or panel: a round is
#: drawn, and verified, only with the version it was committed to. 2: panels by exchanges.
#: 3: the transparent rounding bounded by nodes, not seconds (its panels may differ).
ALGORITHM_VERSION = "3"


@dataclass(frozen=True)
class Selection:
    instance: Instance
    algorithm: Algorithm
    seed: str
    lottery: Lottery
    panel: tuple[int, ...]
    uniform_panels: int | None  # the lottery rounded to this many equally likely panels
    seconds: float

    def reserves(self) -> list[str]:
        """Everyone not drawn, in an order the seed fixes: the reserve list. Those sharing a
        household with a panel member come last, since they cannot sit beside them."""
        ids = self.instance.ids
        rest = sorted((p for p in range(len(ids)) if p not in set(self.panel)), key=ids.__getitem__)
        seeded_random(self.seed, purpose="reserves").shuffle(rest)
        if self.instance.households is not None:
            seated = {self.instance.households[p] for p in self.panel}
            rest.sort(key=lambda p: self.instance.households[p] in seated)  # type: ignore[index]
        return [ids[p] for p in rest]

    def as_json(self) -> dict[str, Any]:
        ids = self.instance.ids
        marginals = self.lottery.marginals(len(ids))
        return {
            "panel": sorted(ids[p] for p in self.panel),
            "reserves": self.reserves(),
            "distribution": [
                {"panel": sorted(ids[p] for p in panel), "probability": probability}
                for panel, probability in zip(
                    self.lottery.panels, self.lottery.probabilities, strict=True
                )
            ],
            "probabilities": {ids[i]: float(marginals[i]) for i in range(len(ids))},
            "min_probability": float(marginals.min()),
            "algorithm": self.algorithm,
            "algorithm_version": ALGORITHM_VERSION,
            "uniform_panels": self.uniform_panels,
            "seed": self.seed,
            "instance_digest": self.instance.digest(),
            "seconds": round(self.seconds, 3),
        }


def select(
    instance: Instance,
    *,
    algorithm: Algorithm = "leximin",
    seed: str,
    uniform_panels: int | None = None,
    legacy_runs: int = 1000,
    report: Report | None = None,
) -> Selection:
    """Compute the lottery from the instance alone, then let the seed pick from it: the
    lottery can be published (and committed to) before the seed is known."""
    started = time.perf_counter()
    if algorithm == "leximin":
        classes = build_classes(instance)
        class_lottery = leximin(PanelProgram(instance, classes), report=report)
        if report is not None:
            report(DrawPhase.SPREADING, None, len(class_lottery.weights))
        lottery = expand(classes, class_lottery)
    elif algorithm == "legacy":
        rng = seeded_random(instance.digest(), purpose="legacy-estimate")
        counts: dict[tuple[int, ...], int] = {}
        for _ in range(legacy_runs):
            panel = legacy_panel(instance, rng)
            counts[panel] = counts.get(panel, 0) + 1
        ordered = sorted(counts.items())
        lottery = Lottery(
            panels=tuple(p for p, _ in ordered),
            probabilities=tuple(c / legacy_runs for _, c in ordered),
        )
    else:
        raise ValueError(f"unknown algorithm {algorithm!r}")
    if uniform_panels is not None:
        lottery = round_uniform(lottery, len(instance.ids), uniform_panels)
    chosen = lottery.panels[pick_panel(lottery, seed)]
    return Selection(
        instance=instance,
        algorithm=algorithm,
        seed=seed,
        lottery=lottery,
        panel=chosen,
        uniform_panels=uniform_panels,
        seconds=time.perf_counter() - started,
    )
