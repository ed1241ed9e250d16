"""A selection instance: the pool, its features, the quotas, the households, the panel size.

Read from the Sortition Foundation's CSV formats: ``categories.csv`` with
``feature,value,min,max`` and ``people.csv`` with an id column, one column per feature and
optionally a household column. Pure: no framework, no database.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from common.errors import InvalidValue


class InstanceError(InvalidValue):
    """The input cannot make a selection instance; ``code`` names the kind of problem."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, slug=code)


T = TypeVar("T")
CSV_FIELD_LIMIT = csv.field_size_limit()


def csv_records(reader: Iterator[T], code: str, *, first_line: int = 1) -> Iterator[T]:
    """The records of a ``csv`` reader; a line it cannot read is an :class:`InstanceError`
    naming the line (counted from ``first_line``), not a ``csv.Error``."""
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            counted = getattr(reader, "reader", reader)  # a DictReader's own reader
            line = first_line + getattr(counted, "line_num", 1) - 1
            reason = str(exc).split(" - ")[0]
            raise InstanceError(
                code,
                f"Line {line} cannot be read as CSV ({reason}): a field holds at most "
                f"{CSV_FIELD_LIMIT // 1024} KiB, and a carriage return ends a line only "
                "before a line feed.",
            ) from exc
        yield record


def csv_header(reader: csv.DictReader[str], code: str) -> Sequence[str] | None:
    """A ``DictReader``'s header, read as :func:`csv_records` reads its records."""
    try:
        return reader.fieldnames
    except csv.Error as exc:
        reason = str(exc).split(" - ")[0]
        raise InstanceError(code, f"Line 1 cannot be read as CSV ({reason}).") from exc


@dataclass(frozen=True)
class Quota:
    feature: str
    value: str
    min: int
    max: int


@dataclass(frozen=True)
class Instance:
    panel_size: int
    features: tuple[str, ...]
    values: Mapping[str, tuple[str, ...]]
    quotas: tuple[Quota, ...]
    ids: tuple[str, ...]
    #: for each person, for each feature (in ``features`` order), the index of its value
    person_values: tuple[tuple[int, ...], ...]
    #: for each person, a household key, or None when the household rule is off
    households: tuple[str, ...] | None = None
    _quota_index: dict[tuple[int, int], Quota] = field(default_factory=dict, compare=False)

    def quota(self, feature_index: int, value_index: int) -> Quota:
        return self._quota_index[(feature_index, value_index)]

    def digest(self) -> str:
        """SHA-256 over a canonical form of the instance: what a commitment names."""
        h = hashlib.sha256()
        h.update(f"k={self.panel_size}\n".encode())
        for q in self.quotas:
            h.update(f"q\t{q.feature}\t{q.value}\t{q.min}\t{q.max}\n".encode())
        for i, person in enumerate(self.ids):
            values = "\t".join(
                self.values[f][v] for f, v in zip(self.features, self.person_values[i], strict=True)
            )
            household = self.households[i] if self.households is not None else ""
            h.update(f"p\t{person}\t{values}\t{household}\n".encode())
        return h.hexdigest()


def check_quotas(panel_size: int, quotas: Sequence[Quota]) -> None:
    """Quotas that no pool could ever meet: duplicates, min > max, sums that miss the size."""
    if panel_size < 1:
        raise InstanceError("invalid-panel-size", "The panel size must be at least 1.")
    if not quotas:
        raise InstanceError("no-quotas", "There are no quotas.")
    seen: set[tuple[str, str]] = set()
    for q in quotas:
        if (q.feature, q.value) in seen:
            raise InstanceError(
                "duplicate-quota", f"The quota for {q.feature}={q.value} is given twice."
            )
        seen.add((q.feature, q.value))
        if q.min < 0 or q.max < q.min:
            raise InstanceError(
                "invalid-quota",
                f"The quota for {q.feature}={q.value} needs 0 <= min <= max "
                f"(min {q.min}, max {q.max}).",
            )
    for feature in dict.fromkeys(q.feature for q in quotas):
        rows = [q for q in quotas if q.feature == feature]
        low, high = sum(q.min for q in rows), sum(q.max for q in rows)
        if not low <= panel_size <= high:
            raise InstanceError(
                "quotas-do-not-sum-up",
                f"The quotas of {feature!r} allow panels of {low} to {high} people, "
                f"not {panel_size}.",
            )


def build_instance(
    *,
    panel_size: int,
    quotas: Sequence[Quota],
    people: Iterable[Mapping[str, str]],
    id_column: str = "id",
    household_column: str | None = None,
) -> Instance:
    check_quotas(panel_size, quotas)
    features: list[str] = []
    values: dict[str, list[str]] = {}
    for q in quotas:
        if q.feature not in values:
            features.append(q.feature)
            values[q.feature] = []
        values[q.feature].append(q.value)
    value_index = {f: {v: i for i, v in enumerate(values[f])} for f in features}
    ids: list[str] = []
    person_values: list[tuple[int, ...]] = []
    households: list[str] = []
    seen_ids: set[str] = set()
    for line, row in enumerate(people, start=2):
        person = (row.get(id_column) or "").strip()
        if not person:
            raise InstanceError("missing-id", f"Row {line} has no {id_column!r}.")
        if person in seen_ids:
            raise InstanceError("duplicate-id", f"Row {line}: id {person!r} appears twice.")
        seen_ids.add(person)
        indices = []
        for feature in features:
            if feature not in row:
                raise InstanceError("missing-feature", f"The people have no column {feature!r}.")
            value = (row[feature] or "").strip()
            if value not in value_index[feature]:
                raise InstanceError(
                    "unknown-feature-value",
                    f"Row {line} (id {person!r}): {feature}={value!r} is not a value of "
                    f"the quotas ({', '.join(values[feature])}).",
                )
            indices.append(value_index[feature][value])
        ids.append(person)
        person_values.append(tuple(indices))
        if household_column is not None:
            if household_column not in row:
                raise InstanceError(
                    "missing-household-column",
                    f"The people have no household column {household_column!r}.",
                )
            households.append((row[household_column] or "").strip() or f"\0{person}")
    if len(ids) < panel_size:
        raise InstanceError(
            "pool-too-small", f"{len(ids)} people cannot fill a panel of {panel_size}."
        )
    frozen_quotas = tuple(quotas)
    index = {(features.index(q.feature), value_index[q.feature][q.value]): q for q in frozen_quotas}
    return Instance(
        panel_size=panel_size,
        features=tuple(features),
        values={f: tuple(v) for f, v in values.items()},
        quotas=frozen_quotas,
        ids=tuple(ids),
        person_values=tuple(person_values),
        households=tuple(households) if household_column is not None else None,
        _quota_index=index,
    )


def read_quotas_csv(text: str) -> list[Quota]:
    reader = csv.DictReader(io.StringIO(text))
    needed = {"feature", "value", "min", "max"}
    fieldnames = csv_header(reader, "invalid-quotas-csv")
    if fieldnames is None or not needed <= {f.strip() for f in fieldnames}:
        raise InstanceError(
            "invalid-quotas-csv", "The quotas CSV needs the columns feature,value,min,max."
        )
    quotas = []
    for line, row in enumerate(csv_records(reader, "invalid-quotas-csv"), start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        try:
            quotas.append(Quota(row["feature"], row["value"], int(row["min"]), int(row["max"])))
        except ValueError as exc:
            raise InstanceError(
                "invalid-quotas-csv", f"Row {line}: min and max must be whole numbers."
            ) from exc
    return quotas


def read_people_csv(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    if csv_header(reader, "invalid-people-csv") is None:
        raise InstanceError("invalid-people-csv", "The people CSV is empty.")
    return [
        {(k or "").strip(): v for k, v in row.items()}
        for row in csv_records(reader, "invalid-people-csv")
    ]


def quotas_from_shares(
    panel_size: int,
    shares: Mapping[str, Mapping[str, float]],
    *,
    tolerance_seats: float,
    continuing: Mapping[str, Mapping[str, int]] | None = None,
) -> list[Quota]:
    """Proportional quotas from population shares (census marginals): each value's target
    is its share of the panel, widened by ``tolerance_seats`` either side and rounded
    outwards, so that the minimums never add up to more than the panel, nor the maximums
    to less.

    Rotation-aware: given the members who continue (counts per feature value), the target
    is the value's share of the whole body (continuing members plus the new panel) less
    the continuing members who have it, so that the body, not only the cohort, mirrors the
    population."""
    if tolerance_seats < 0:
        raise InstanceError("invalid-tolerance", "The tolerance cannot be negative.")
    quotas: list[Quota] = []
    members = max((sum(v.values()) for v in (continuing or {}).values()), default=0)
    for feature, values in shares.items():
        if not all(math.isfinite(share) for share in values.values()):
            raise InstanceError("invalid-shares", f"The shares of {feature!r} must be numbers.")
        total = math.fsum(values.values())
        if any(share < 0 for share in values.values()) or not 0 < total < math.inf:
            raise InstanceError(
                "invalid-shares", f"The shares of {feature!r} must be >= 0 and not all 0."
            )
        staying = dict((continuing or {}).get(feature, {}))
        unknown = set(staying) - set(values)
        if unknown:
            raise InstanceError(
                "invalid-shares",
                f"Continuing members have {feature} values with no share: "
                f"{', '.join(sorted(unknown))}.",
            )
        if sum(staying.values()) != members:
            raise InstanceError(
                "invalid-shares",
                f"Only {sum(staying.values())} of the {members} continuing members have a "
                f"{feature}: their composition cannot be subtracted.",
            )
        body = panel_size + members
        for value, share in values.items():
            target = body * share / total - staying.get(value, 0)
            low = min(panel_size, max(0, math.floor(target - tolerance_seats + 1e-9)))
            high = min(panel_size, max(0, math.ceil(target + tolerance_seats - 1e-9)))
            quotas.append(Quota(feature, value, low, high))
    check_quotas(panel_size, quotas)
    return quotas
