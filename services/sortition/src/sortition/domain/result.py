"""What a drawn round shows in public: the panel's composition against the quotas, and how
the selection probabilities are spread, without any respondent's id. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sortition.domain.instance import Instance

QUANTILES = (10, 25, 50, 75, 90)
BAND = 0.05  # the histogram's band width
BANDS = 20


@dataclass(frozen=True)
class ValueCount:
    feature: str
    value: str
    min: int
    max: int
    panel: int  # members with the value, after replacements
    pool: int  # respondents with the value
    population_share: float | None


@dataclass(frozen=True)
class Band:
    lower: float
    upper: float
    respondents: int


@dataclass(frozen=True)
class Spread:
    pool: int
    min: float
    quantiles: dict[str, float]  # "p10" … "p90": nearest-rank, from below
    max: float
    histogram: list[Band]  # only the bands that hold someone, in order


def composition(
    instance: Instance, panel: Iterable[str], population: Mapping[tuple[str, str], float]
) -> list[ValueCount]:
    index = {person: i for i, person in enumerate(instance.ids)}
    members = [index[p] for p in panel]
    counts = []
    for f, feature in enumerate(instance.features):
        for v, value in enumerate(instance.values[feature]):
            quota = instance.quota(f, v)
            counts.append(
                ValueCount(
                    feature=feature,
                    value=value,
                    min=quota.min,
                    max=quota.max,
                    panel=sum(1 for m in members if instance.person_values[m][f] == v),
                    pool=sum(1 for pv in instance.person_values if pv[f] == v),
                    population_share=population.get((feature, value)),
                )
            )
    return counts


def spread(probabilities: Iterable[float]) -> Spread:
    values = sorted(float(p) for p in probabilities)
    if not values:
        raise ValueError("no probabilities")
    quantiles = {
        f"p{q}": values[min(len(values) - 1, int(q / 100 * len(values)))] for q in QUANTILES
    }
    bands: dict[int, int] = {}
    for p in values:
        band = min(BANDS - 1, int(p / BAND))
        bands[band] = bands.get(band, 0) + 1
    return Spread(
        pool=len(values),
        min=values[0],
        quantiles=quantiles,
        max=values[-1],
        histogram=[
            Band(lower=round(b * BAND, 2), upper=round((b + 1) * BAND, 2), respondents=n)
            for b, n in sorted(bands.items())
        ],
    )
