"""Stage 1: from a registry extract to the people who receive a letter.

The extract is read as a stream, twice: the first pass keeps, per row, only its stratum
and household as small integers (a 1.4-million-row extract fits in a few tens of MB); the
draw allocates the invitations across strata in proportion to their sizes, times optional
oversampling factors for strata that answer less, by largest remainders; within each
stratum it takes people in an order the seed fixes, skipping anyone whose household already
has a letter. The second pass fetches the drawn rows' references.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TextIO

import numpy as np

from sortition.domain.instance import InstanceError

COLUMNS = ("person_ref", "household_ref", "age", "gender", "citizenship", "municipio")
AGE_BANDS = (
    (16, 29, "16-29"),
    (30, 44, "30-44"),
    (45, 59, "45-59"),
    (60, 74, "60-74"),
    (75, 200, "75+"),
)


def age_band(value: str, *, minimum_age: int = 16) -> str | None:
    """An age, or a band already, to its band; None under the minimum age."""
    value = value.strip()
    if not value.isdigit():
        if any(value == band for *_, band in AGE_BANDS):
            return value
        raise ValueError(f"not an age: {value!r}")
    age = int(value)
    if age < minimum_age:
        return None
    for low, high, band in AGE_BANDS:
        if low <= age <= high:
            return band
    raise ValueError(f"not an age: {value!r}")


@dataclass
class Extract:
    rows: int  # rows read, eligible or not
    strata: list[tuple[str, ...]]  # (age band, gender, citizenship, municipio)
    stratum_of: np.ndarray  # per eligible row, its stratum index
    household_of: np.ndarray  # per eligible row, a household number
    row_of: np.ndarray  # per eligible row, its row number in the file


@dataclass(frozen=True)
class ExtractRow:
    row: int  # 0-based, in file order, counting ineligible rows too
    person_ref: str
    household_ref: str
    household: int
    stratum: int


class ExtractReader:
    """Reads an extract's records incrementally (the header first), numbering strata and
    households as it goes, so that a stream of any length needs memory only for those."""

    def __init__(self, header: list[str], *, minimum_age: int = 16) -> None:
        header = [h.strip().lstrip("\ufeff") for h in header]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise InstanceError("missing-columns", f"The extract has no {', '.join(missing)}.")
        self._at = [header.index(c) for c in COLUMNS]
        self._width = max(self._at) + 1
        self.minimum_age = minimum_age
        self.strata: dict[tuple[str, ...], int] = {}
        self.households: dict[str, int] = {}
        self.rows = 0
        self.eligible = 0

    def read(self, record: list[str]) -> ExtractRow | None:
        """One record: its eligible row, or None for someone under the minimum age."""
        line = self.rows + 2  # the header is line 1
        row = self.rows
        self.rows += 1
        if len(record) < self._width:
            raise InstanceError("invalid-extract", f"Row {line}: too few columns.")
        person, household, age, gender, citizenship, municipio = (
            record[i].strip() for i in self._at
        )
        if not person:
            raise InstanceError("invalid-extract", f"Row {line}: no person_ref.")
        try:
            band = age_band(age, minimum_age=self.minimum_age)
        except ValueError as exc:
            raise InstanceError("invalid-extract", f"Row {line}: {exc}") from exc
        if band is None:
            return None
        if not (gender and citizenship and municipio):
            raise InstanceError("invalid-extract", f"Row {line}: a stratum value is empty.")
        key = (band, gender, citizenship, municipio)
        # no household: a household of one (U+001F cannot start a real reference, and unlike
        # a NUL PostgreSQL can store it)
        household = household or f"\x1f{person}"
        self.eligible += 1
        return ExtractRow(
            row=row,
            person_ref=person,
            household_ref=household,
            household=self.households.setdefault(household, len(self.households)),
            stratum=self.strata.setdefault(key, len(self.strata)),
        )


def scan(
    stream: TextIO, *, progress: Callable[[int], None] | None = None, every: int = 100_000
) -> Extract:
    reader = csv.reader(stream)
    extract = ExtractReader(next(reader, []))
    stratum_of: list[int] = []
    household_of: list[int] = []
    row_of: list[int] = []
    for record in reader:
        row = extract.read(record)
        if row is not None:
            stratum_of.append(row.stratum)
            household_of.append(row.household)
            row_of.append(row.row)
        if progress is not None and extract.rows % every == 0:
            progress(extract.rows)
    if progress is not None:
        progress(extract.rows)
    return Extract(
        rows=extract.rows,
        strata=list(extract.strata),
        stratum_of=np.array(stratum_of, dtype=np.int32),
        household_of=np.array(household_of, dtype=np.int64),
        row_of=np.array(row_of, dtype=np.int64),
    )


def allocate(sizes: np.ndarray, weights: np.ndarray, total: int) -> np.ndarray:
    """Largest-remainder apportionment of ``total`` in proportion to sizes times weights,
    never more than a stratum holds."""
    demand = sizes * weights
    if demand.sum() <= 0:
        return np.zeros(len(sizes), dtype=np.int64)
    quota = total * demand / demand.sum()
    seats: np.ndarray = np.minimum(np.floor(quota).astype(np.int64), sizes)
    order = np.argsort(-(quota - np.floor(quota)), kind="stable")
    left = total - int(seats.sum())
    while left > 0:
        moved = False
        for s in order:
            if left == 0:
                break
            if seats[s] < sizes[s]:
                seats[s] += 1
                left -= 1
                moved = True
        if not moved:
            break  # the extract is smaller than the letters asked for
    return seats


def draw_invitations(
    extract: Extract,
    *,
    count: int,
    seed: str,
    oversampling: Mapping[tuple[str, ...], float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Row numbers of the people drawn (in the order drawn) and the seats per stratum."""
    if count < 1:
        raise InstanceError("invalid-count", "Draw at least one invitation.")
    sizes = np.bincount(extract.stratum_of, minlength=len(extract.strata)).astype(np.int64)
    weights = np.array([(oversampling or {}).get(s, 1.0) for s in extract.strata])
    if (weights <= 0).any():
        raise InstanceError("invalid-oversampling", "Oversampling factors must be positive.")
    seats = allocate(sizes, weights, count)
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big"))
    order = rng.permutation(len(extract.stratum_of))  # one seeded order for everybody
    taken = np.zeros(len(extract.strata), dtype=np.int64)
    invited_households: set[int] = set()
    drawn: list[int] = []
    while True:
        for i in order:
            s = extract.stratum_of[i]
            if taken[s] >= seats[s]:
                continue
            household = int(extract.household_of[i])
            if household in invited_households:
                continue
            invited_households.add(household)
            taken[s] += 1
            drawn.append(int(extract.row_of[i]))
            if len(drawn) == count:
                break
        if len(drawn) == count:
            break
        # A stratum can fall short of its seats when every person left in it lives in a
        # household already invited from another stratum. Its seats go to the strata that
        # still have someone from a household without a letter, by the same apportionment,
        # and the walk through the same seeded order goes on; a draw that filled its seats
        # in the first walk is unchanged.
        open_ = ~np.isin(
            extract.household_of[order], np.fromiter(invited_households, dtype=np.int64)
        )
        order = order[open_]
        if len(order) == 0:
            break  # every eligible household has a letter
        left = np.bincount(extract.stratum_of[order], minlength=len(extract.strata))
        seats = taken + allocate(left.astype(np.int64), weights, count - len(drawn))
    return np.array(drawn, dtype=np.int64), taken


def references(stream: TextIO, rows: Iterable[int]) -> Iterator[tuple[int, str]]:
    """Second pass: the person references of the given row numbers, in file order."""
    wanted = set(rows)
    reader = csv.reader(stream)
    header = [h.strip() for h in next(reader, [])]
    at = header.index("person_ref")
    for row, record in enumerate(reader):
        if row in wanted:
            yield row, record[at].strip()


__all__ = [
    "Extract",
    "ExtractReader",
    "ExtractRow",
    "age_band",
    "allocate",
    "draw_invitations",
    "references",
    "scan",
]
