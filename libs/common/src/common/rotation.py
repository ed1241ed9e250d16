"""An assembly's rotation: cohorts entering at a fixed interval for fixed terms, their
calendar, and the names a selection round gives its cohort. Shared by membership (which
owns the policy) and sortition (which keeps a copy from membership's events). Pure: no
framework, no database.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from common.errors import InvalidValue


@dataclass(frozen=True)
class RotationPolicy:
    """Cohorts of ``cohort_size`` enter every ``cohort_interval_months`` for terms of
    ``term_months``, after ``training_weeks`` of training.

    The 2022–23 pilot: 45 every 3 months for 6 months. Since 2024: 90 every 12 months for 12.
    """

    cohort_size: int
    cohort_interval_months: int
    term_months: int
    training_weeks: int
    first_cohort_starts_on: date | None = None
    #: How many cohorts the body has in all (the 2022–23 pilot: 2); None: it goes on.
    cohorts: int | None = None

    @property
    def cohorts_sitting(self) -> int:
        return self.term_months // self.cohort_interval_months


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


@dataclass(frozen=True)
class Cohort:
    number: int  # 1 for the first cohort
    label: str  # its first month, YYYY-MM: what a selection round names as its cohort
    size: int
    training_starts_on: date
    starts_on: date
    ends_on: date  # the term's last day

    def sits_on(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def cohort(policy: RotationPolicy, number: int) -> Cohort:
    if policy.first_cohort_starts_on is None:
        raise InvalidValue(
            "The assembly has no date for its first cohort: set rotation.first_cohort_starts_on.",
            slug="calendar-not-set",
        )
    if number < 1:
        raise InvalidValue("Cohorts are numbered from 1.", slug="invalid-cohort")
    if policy.cohorts is not None and number > policy.cohorts:
        raise InvalidValue(
            f"The assembly has {policy.cohorts} cohort(s) in all, not {number}.",
            slug="cohort-not-in-calendar",
        )
    try:
        starts = add_months(
            policy.first_cohort_starts_on, (number - 1) * policy.cohort_interval_months
        )
        ends = add_months(starts, policy.term_months) - timedelta(days=1)
        training = starts - timedelta(weeks=policy.training_weeks)
    except (OverflowError, ValueError) as exc:  # past year 9999 or before year 1
        raise InvalidValue(
            f"Cohort {number} would start outside the calendar's years.",
            slug="cohort-not-in-calendar",
        ) from exc
    return Cohort(
        number=number,
        label=f"{starts:%Y-%m}",
        size=policy.cohort_size,
        training_starts_on=training,
        starts_on=starts,
        ends_on=ends,
    )


def calendar(policy: RotationPolicy, *, start: date, end: date) -> list[Cohort]:
    """The cohorts whose training or term meets the period from ``start`` to ``end``."""
    found: list[Cohort] = []
    number = 1
    while policy.cohorts is None or number <= policy.cohorts:
        try:
            c = cohort(policy, number)
        except InvalidValue as exc:
            if exc.slug != "cohort-not-in-calendar":
                raise
            return found  # the calendar's years are over
        if c.training_starts_on > end:
            return found
        if c.ends_on >= start:
            found.append(c)
        number += 1
    return found


def cohorts_sitting(policy: RotationPolicy, day: date) -> list[Cohort]:
    return [c for c in calendar(policy, start=day, end=day) if c.sits_on(day)]


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_NUMBER = re.compile(r"^0*([1-9]\d{0,2})$")
MAX_COHORT_NUMBER = 999


@dataclass(frozen=True)
class CohortName:
    """What a round calls its cohort: its number, or the month its term starts."""

    number: int | None = None
    month: tuple[int, int] | None = None

    @property
    def label(self) -> str:
        """The one spelling kept: ``3`` for a number, ``2027-01`` for a month."""
        if self.number is not None:
            return str(self.number)
        assert self.month is not None
        return f"{self.month[0]:04d}-{self.month[1]:02d}"


def parse_cohort(label: str) -> CohortName:
    """A cohort's number (``3``, ``03``) or first month (``2027-01``); anything else, and
    a number that reads as a year (``2027``), is refused rather than guessed at."""
    text = label.strip()
    if month := _MONTH.match(text):
        if 1 <= int(month[2]) <= 12:
            return CohortName(month=(int(month[1]), int(month[2])))
    elif number := _NUMBER.match(text):
        return CohortName(number=int(number[1]))
    raise InvalidValue(
        f"{label!r} names no cohort: give the cohort's number (1 to {MAX_COHORT_NUMBER}) or "
        "the month its term starts (YYYY-MM). A bare year such as 2027 could be either.",
        slug="ambiguous-cohort",
    )


def resolve_cohort(policy: RotationPolicy, label: str) -> Cohort | None:
    """A round's cohort, named by its first month (``2027-01``) or by its number (``3``);
    None when the calendar has no start date, or the name fits no cohort of it."""
    if policy.first_cohort_starts_on is None:
        return None
    try:
        name = parse_cohort(label)
    except InvalidValue:
        return None
    if name.number is not None:
        number = name.number
    else:
        assert name.month is not None
        first = policy.first_cohort_starts_on
        months = (name.month[0] - first.year) * 12 + name.month[1] - first.month
        if months < 0 or months % policy.cohort_interval_months:
            return None
        number = months // policy.cohort_interval_months + 1
    if policy.cohorts is not None and number > policy.cohorts:
        return None
    try:
        return cohort(policy, number)
    except InvalidValue:
        return None
