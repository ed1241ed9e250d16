"""Cohort names and calendars that end."""

from __future__ import annotations

from datetime import date

import pytest

from common.errors import InvalidValue
from common.rotation import RotationPolicy, calendar, parse_cohort, resolve_cohort

PILOT = RotationPolicy(
    cohort_size=45,
    cohort_interval_months=3,
    term_months=6,
    training_weeks=2,
    first_cohort_starts_on=date(2022, 11, 5),
    cohorts=2,
)


@pytest.mark.parametrize(
    ("given", "label"), [("18", "18"), ("018", "18"), (" 3 ", "3"), ("2027-01", "2027-01")]
)
def test_one_spelling_per_cohort(given, label):
    assert parse_cohort(given).label == label


@pytest.mark.parametrize("given", ["2027", "0", "1000", "spring", "2027-13", "2027-1", "2027-A"])
def test_ambiguous_names_are_refused(given):
    with pytest.raises(InvalidValue) as refused:
        parse_cohort(given)
    assert refused.value.slug == "ambiguous-cohort"


def test_the_pilot_has_two_cohorts_then_ends():
    cohorts = calendar(PILOT, start=date(2022, 1, 1), end=date(2030, 1, 1))
    assert [c.label for c in cohorts] == ["2022-11", "2023-02"]
    assert resolve_cohort(PILOT, "2") == cohorts[1]
    assert resolve_cohort(PILOT, "2023-02") == cohorts[1]
    assert resolve_cohort(PILOT, "3") is None
    assert resolve_cohort(PILOT, "2023-05") is None
    assert resolve_cohort(PILOT, "2023-01") is None  # between two cohorts
