"""An assembly and its rotation policy. Pure domain: no framework, no database.

The calendar arithmetic lives in :mod:`common.rotation`, which sortition shares."""

from __future__ import annotations

from common.errors import InvalidValue
from common.rotation import (
    Cohort,
    RotationPolicy,
    add_months,
    calendar,
    cohort,
    cohorts_sitting,
    resolve_cohort,
)

__all__ = [
    "Cohort",
    "RotationPolicy",
    "add_months",
    "calendar",
    "check_rotation",
    "cohort",
    "cohorts_sitting",
    "resolve_cohort",
]


def check_rotation(seats: int, policy: RotationPolicy) -> None:
    """Cohorts must tile the seats: every seat is filled, none twice, at any time."""
    if policy.term_months % policy.cohort_interval_months:
        raise InvalidValue(
            f"A term of {policy.term_months} months is not a whole number of cohort intervals "
            f"of {policy.cohort_interval_months} months.",
            slug="rotation-does-not-tile",
        )
    filled = policy.cohorts_sitting * policy.cohort_size
    if filled != seats:
        raise InvalidValue(
            f"{policy.cohorts_sitting} cohort(s) of {policy.cohort_size} sit at once: "
            f"{filled} members for {seats} seats.",
            slug="rotation-does-not-tile",
        )
