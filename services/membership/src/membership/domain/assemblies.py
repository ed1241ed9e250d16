"""An assembly and its rotation policy. Pure domain: no framework, no database."""

from __future__ import annotations

from dataclasses import dataclass

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
