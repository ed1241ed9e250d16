"""The cohort calendar for both Milan models, and who sits on a date."""

from datetime import date

import pytest

from common.errors import InvalidValue
from membership.domain.assemblies import (
    RotationPolicy,
    add_months,
    calendar,
    cohort,
    cohorts_sitting,
    resolve_cohort,
)

PILOT = RotationPolicy(
    cohort_size=45,
    cohort_interval_months=3,
    term_months=6,
    training_weeks=2,
    first_cohort_starts_on=date(2022, 10, 1),
)
YEARLY = RotationPolicy(
    cohort_size=90,
    cohort_interval_months=12,
    term_months=12,
    training_weeks=3,
    first_cohort_starts_on=date(2024, 3, 1),
)


def test_pilot_cohorts_overlap_so_that_two_sit_at_once():
    cohorts = calendar(PILOT, start=date(2022, 10, 1), end=date(2023, 6, 30))
    assert [(c.label, c.starts_on, c.ends_on) for c in cohorts] == [
        ("2022-10", date(2022, 10, 1), date(2023, 3, 31)),
        ("2023-01", date(2023, 1, 1), date(2023, 6, 30)),
        ("2023-04", date(2023, 4, 1), date(2023, 9, 30)),
        ("2023-07", date(2023, 7, 1), date(2023, 12, 31)),  # it trains in June
    ]
    assert cohorts[3].training_starts_on == date(2023, 6, 17)
    # from the second cohort on, two cohorts of 45 sit: 90 seats
    for day in (date(2023, 1, 1), date(2023, 2, 15), date(2023, 5, 31), date(2024, 1, 1)):
        sitting = cohorts_sitting(PILOT, day)
        assert len(sitting) == 2
        assert sum(c.size for c in sitting) == 90
    assert [c.number for c in cohorts_sitting(PILOT, date(2022, 12, 31))] == [1]


def test_yearly_model_one_cohort_of_ninety():
    cohorts = calendar(YEARLY, start=date(2024, 1, 1), end=date(2026, 12, 31))
    assert [(c.number, c.starts_on, c.ends_on) for c in cohorts] == [
        (1, date(2024, 3, 1), date(2025, 2, 28)),
        (2, date(2025, 3, 1), date(2026, 2, 28)),
        (3, date(2026, 3, 1), date(2027, 2, 28)),
    ]
    for day in (date(2024, 3, 1), date(2025, 2, 28), date(2025, 3, 1), date(2026, 12, 31)):
        assert [c.size for c in cohorts_sitting(YEARLY, day)] == [90]
    assert cohorts_sitting(YEARLY, date(2024, 2, 29)) == []


def test_rounds_name_cohorts_by_first_month_or_number():
    assert resolve_cohort(PILOT, "2023-04") == cohort(PILOT, 3)
    assert resolve_cohort(PILOT, "3") == cohort(PILOT, 3)
    assert resolve_cohort(PILOT, "2023-05") is None  # no cohort starts then
    assert resolve_cohort(PILOT, "2022-07") is None  # before the first
    assert resolve_cohort(PILOT, "spring") is None


def test_months_end_on_their_last_day():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2023, 12, 15), 12) == date(2024, 12, 15)


def test_no_calendar_without_a_first_date():
    undated = RotationPolicy(45, 3, 6, 2)
    with pytest.raises(InvalidValue) as raised:
        calendar(undated, start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert raised.value.slug == "calendar-not-set"
    assert resolve_cohort(undated, "1") is None
