"""Session states and the plenary calendar."""

from datetime import date, datetime

import pytest

from common.errors import InvalidValue, StateConflict
from deliberation.domain import sessions as s

ALLOWED = [(s.SCHEDULED, s.OPEN), (s.SCHEDULED, s.CANCELLED), (s.OPEN, s.CLOSED)]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed(current, target):
    assert s.transition(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [(a, b) for a in s.State for b in s.State if (a, b) not in ALLOWED],
)
def test_everything_else_is_refused(current, target):
    with pytest.raises(StateConflict) as raised:
        s.transition(current, target)
    assert raised.value.slug == "invalid-transition"


def test_an_open_session_is_closed_not_cancelled():
    with pytest.raises(StateConflict) as raised:
        s.transition("open", "cancelled")
    assert raised.value.detail == (
        "A session that is open cannot become cancelled: from open it may become closed."
    )


def test_an_unknown_state_is_refused():
    with pytest.raises(InvalidValue) as raised:
        s.transition("scheduled", "postponed")
    assert raised.value.slug == "unknown-state"


def test_only_an_open_session_takes_check_ins():
    s.require_open("open", "check in")
    with pytest.raises(StateConflict) as raised:
        s.require_open("closed", "check in")
    assert raised.value.slug == "session-not-open"
    assert raised.value.detail == "Cannot check in: the session is closed, not open."


def test_the_pilot_met_every_two_months():
    assert s.plenary_calendar(date(2022, 11, 19), date(2023, 12, 31), 2) == [
        date(2022, 11, 19),
        date(2023, 1, 19),
        date(2023, 3, 19),
        date(2023, 5, 19),
        date(2023, 7, 19),
        date(2023, 9, 19),
        date(2023, 11, 19),
    ]


def test_monthly_since_2024():
    dates = s.plenary_calendar(date(2024, 1, 20), date(2024, 12, 31), 1)
    assert len(dates) == 12
    assert dates[0] == date(2024, 1, 20)
    assert dates[-1] == date(2024, 12, 20)
    assert all(d.day == 20 for d in dates)


def test_a_short_month_clamps_without_drifting():
    assert s.plenary_calendar(date(2024, 1, 31), date(2024, 5, 31), 1) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
        date(2024, 5, 31),
    ]


def test_until_is_included_and_an_earlier_until_gives_nothing():
    assert s.plenary_calendar(date(2024, 1, 20), date(2024, 3, 20), 2) == [
        date(2024, 1, 20),
        date(2024, 3, 20),
    ]
    assert s.plenary_calendar(date(2024, 1, 20), date(2024, 1, 19), 1) == []


def test_the_calendar_stops_at_the_last_year():
    assert s.plenary_calendar(date(9999, 11, 1), date(9999, 12, 31), 1) == [
        date(9999, 11, 1),
        date(9999, 12, 1),
    ]


@pytest.mark.parametrize("cadence", [0, -1, True, 1.5])
def test_a_cadence_is_a_whole_number_of_months_from_1(cadence):
    with pytest.raises(InvalidValue) as raised:
        s.plenary_calendar(date(2024, 1, 20), date(2024, 12, 31), cadence)
    assert raised.value.slug == "invalid-cadence"


@pytest.mark.parametrize(
    ("now", "opens"),
    [
        ("2027-03-14T07:29:59+01:00", False),  # more than two hours early
        ("2027-03-14T07:30:00+01:00", True),
        ("2027-03-14T13:00:00+01:00", True),  # up to its scheduled end
        ("2027-03-14T13:00:01+01:00", False),
        ("2027-04-14T09:30:00+02:00", False),  # a month later: forgotten
    ],
)
def test_a_session_opens_around_its_scheduled_time(now, opens):
    start = datetime.fromisoformat("2027-03-14T09:30:00+01:00")
    end = datetime.fromisoformat("2027-03-14T13:00:00+01:00")
    if opens:
        s.check_opening(start, end, datetime.fromisoformat(now))
    else:
        with pytest.raises(StateConflict) as raised:
            s.check_opening(start, end, datetime.fromisoformat(now))
        assert raised.value.slug == "outside-schedule"
