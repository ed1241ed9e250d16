import pytest

from common.errors import InvalidValue
from membership.domain.assemblies import RotationPolicy, check_rotation


def test_pilot_model_two_cohorts_of_45_three_months_apart_for_six_months():
    policy = RotationPolicy(
        cohort_size=45, cohort_interval_months=3, term_months=6, training_weeks=2
    )
    check_rotation(90, policy)
    assert policy.cohorts_sitting == 2


def test_model_since_2024_ninety_a_year_for_twelve_months():
    policy = RotationPolicy(
        cohort_size=90, cohort_interval_months=12, term_months=12, training_weeks=2
    )
    check_rotation(90, policy)
    assert policy.cohorts_sitting == 1


@pytest.mark.parametrize(
    ("seats", "size", "interval", "term"),
    [(90, 45, 3, 4), (90, 40, 3, 6), (90, 90, 6, 12)],
)
def test_cohorts_that_do_not_fill_the_seats_exactly_are_refused(seats, size, interval, term):
    with pytest.raises(InvalidValue):
        check_rotation(
            seats,
            RotationPolicy(
                cohort_size=size,
                cohort_interval_months=interval,
                term_months=term,
                training_weeks=0,
            ),
        )
