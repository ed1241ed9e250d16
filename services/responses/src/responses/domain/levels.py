"""Service levels for the dashboards: how many cases the Comune answered, how many on time,
how long it took. Pure domain, in exact arithmetic.

A case is what the clock keeps for one adopted proposal (:class:`CaseFacts`): when it
opened (the adoption, the clock's start), the due date in force (after any extension),
and the date its answer was first published, if it was. From a set of cases and ``today``:

- ``answered``: cases with a first publication; ``on_time`` those published on or before
  their due date in force, ``late`` those published after it (an extended case answered
  within its extension is on time, and is also counted in ``extended``);
- ``on_time_rate``: ``on_time / answered`` as a :class:`~fractions.Fraction`, None when
  nothing is answered (no rate, rather than a rate of 0 or 1);
- ``median_days`` and ``p90_days``, over answered cases, of the days from ``opened_on``
  to ``answered_on``. The median is the usual one: the middle value, or the mean of the
  two middle values when there is an even number (a Fraction, so 45 and 46 make 91/2).
  The 90th percentile is by the nearest-rank method: the ⌈0.9 × n⌉-th smallest value
  (counted from 1), always one of the actual values, an integer anyone can count by hand:
  of 10 cases, the 9th; of 11, the 10th; of 1, that one. Both None when nothing is
  answered;
- ``open``: cases not answered; ``overdue`` those of them with ``today > due_on`` (on the
  due day itself a case is not yet overdue).

The facts are taken as they are: ``today`` decides only which open cases are overdue.

:func:`by` splits the cases by a key (a department, a cycle), a case with no key counted
under ``"unassigned"``. Milestones of an answer's implementation are late
(:func:`late`) when done after the day planned, or not done and that day has passed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from common.errors import InvalidValue

#: The key :func:`by` counts a case under when it has none.
UNASSIGNED = "unassigned"


@dataclass(frozen=True)
class CaseFacts:
    """What the service levels need of one case."""

    department: str | None  # the lead department's code
    cycle: str  # the assembly's cycle, e.g. "2024"
    opened_on: date  # the adoption: the clock's start
    due_on: date  # the due date in force, after any extension
    answered_on: date | None  # the answer's FIRST publication
    extended: bool = False

    def __post_init__(self) -> None:
        if self.due_on < self.opened_on:
            raise InvalidValue(
                f"A case opened on {self.opened_on.isoformat()} cannot be due before, on "
                f"{self.due_on.isoformat()}.",
                slug="due-before-opened",
            )
        if self.answered_on is not None and self.answered_on < self.opened_on:
            raise InvalidValue(
                f"A case opened on {self.opened_on.isoformat()} cannot be answered before, "
                f"on {self.answered_on.isoformat()}.",
                slug="answered-before-opened",
            )


@dataclass(frozen=True)
class Levels:
    """The service levels of a set of cases (see the module's docstring for each)."""

    cases: int
    answered: int
    on_time: int
    late: int
    on_time_rate: Fraction | None
    median_days: Fraction | None
    p90_days: int | None
    open: int
    overdue: int
    extended: int


def median(values: list[int]) -> Fraction | None:
    """The middle value, or the mean of the two middle ones; None of no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Fraction(ordered[middle])
    return Fraction(ordered[middle - 1] + ordered[middle], 2)


def nearest_rank(values: list[int], percent: int) -> int | None:
    """The ⌈percent/100 × n⌉-th smallest value (from 1, and at least the 1st); None of no
    values. Integers only: ``-(-(percent × n) // 100)`` is the ceiling."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-(percent * len(ordered)) // 100))
    return ordered[rank - 1]


def levels(cases: Iterable[CaseFacts], today: date) -> Levels:
    """The service levels of ``cases`` as of ``today``."""
    every = list(cases)
    answered = [(case, case.answered_on) for case in every if case.answered_on is not None]
    on_time = sum(1 for case, on in answered if on <= case.due_on)
    durations = [(on - case.opened_on).days for case, on in answered]
    still_open = [case for case in every if case.answered_on is None]
    return Levels(
        cases=len(every),
        answered=len(answered),
        on_time=on_time,
        late=len(answered) - on_time,
        on_time_rate=Fraction(on_time, len(answered)) if answered else None,
        median_days=median(durations),
        p90_days=nearest_rank(durations, 90),
        open=len(still_open),
        overdue=sum(1 for case in still_open if today > case.due_on),
        extended=sum(1 for case in every if case.extended),
    )


def by(
    cases: Iterable[CaseFacts], today: date, key: Callable[[CaseFacts], str | None]
) -> dict[str, Levels]:
    """The service levels per ``key`` (a case whose key is None under ``"unassigned"``),
    keys in sorted order."""
    groups: dict[str, list[CaseFacts]] = {}
    for case in cases:
        name = key(case)
        groups.setdefault(UNASSIGNED if name is None else name, []).append(case)
    return {name: levels(groups[name], today) for name in sorted(groups)}


@dataclass(frozen=True)
class MilestoneFacts:
    """A step of an answer's implementation: the day planned, the day done (if done)."""

    planned_on: date
    actual_on: date | None


def late(m: MilestoneFacts, today: date) -> bool:
    """Done after the day planned, or not done and the day planned has passed."""
    if m.actual_on is not None:
        return m.actual_on > m.planned_on
    return today > m.planned_on


def days_late(m: MilestoneFacts, today: date) -> int:
    """By how many days: to the day done, or to ``today`` while not done; 0 if not late."""
    if not late(m, today):
        return 0
    return ((m.actual_on or today) - m.planned_on).days
