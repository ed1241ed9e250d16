"""An assembly and its rotation policy. Pure domain: no framework, no database."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from common.errors import Invalid


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

    @property
    def cohorts_sitting(self) -> int:
        return self.term_months // self.cohort_interval_months


def check_rotation(seats: int, policy: RotationPolicy) -> None:
    """Cohorts must tile the seats: every seat is filled, none twice, at any time."""
    if policy.term_months % policy.cohort_interval_months:
        raise Invalid(
            f"A term of {policy.term_months} months is not a whole number of cohort intervals "
            f"of {policy.cohort_interval_months} months.",
            slug="rotation-does-not-tile",
        )
    filled = policy.cohorts_sitting * policy.cohort_size
    if filled != seats:
        raise Invalid(
            f"{policy.cohorts_sitting} cohort(s) of {policy.cohort_size} sit at once: "
            f"{filled} members for {seats} seats.",
            slug="rotation-does-not-tile",
        )


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
        raise Invalid(
            "The assembly has no date for its first cohort: set rotation.first_cohort_starts_on.",
            slug="calendar-not-set",
        )
    if number < 1:
        raise Invalid("Cohorts are numbered from 1.", slug="invalid-cohort")
    starts = add_months(policy.first_cohort_starts_on, (number - 1) * policy.cohort_interval_months)
    ends = add_months(starts, policy.term_months) - timedelta(days=1)
    return Cohort(
        number=number,
        label=f"{starts:%Y-%m}",
        size=policy.cohort_size,
        training_starts_on=starts - timedelta(weeks=policy.training_weeks),
        starts_on=starts,
        ends_on=ends,
    )


def calendar(policy: RotationPolicy, *, start: date, end: date) -> list[Cohort]:
    """The cohorts whose training or term meets the period from ``start`` to ``end``."""
    found: list[Cohort] = []
    number = 1
    while True:
        c = cohort(policy, number)
        if c.training_starts_on > end:
            return found
        if c.ends_on >= start:
            found.append(c)
        number += 1


def cohorts_sitting(policy: RotationPolicy, day: date) -> list[Cohort]:
    return [c for c in calendar(policy, start=day, end=day) if c.sits_on(day)]


_LABEL = re.compile(r"^(\d{4})-(\d{2})$")


def resolve_cohort(policy: RotationPolicy, label: str) -> Cohort | None:
    """A round's cohort, named by its first month (``2027-01``) or by its number (``3``)."""
    if policy.first_cohort_starts_on is None:
        return None
    label = label.strip()
    if label.isdigit() and 1 <= int(label) <= 10_000:
        return cohort(policy, int(label))
    match = _LABEL.match(label)
    if not match:
        return None
    first = policy.first_cohort_starts_on
    months = (int(match[1]) - first.year) * 12 + int(match[2]) - first.month
    if months < 0 or months % policy.cohort_interval_months:
        return None
    return cohort(policy, months // policy.cohort_interval_months + 1)
