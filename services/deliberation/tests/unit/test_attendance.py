"""Attendance from check-ins and check-outs: intervals, minutes, the snapshot at a vote."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from common.errors import InvalidValue, StateConflict
from deliberation.domain.attendance import (
    Check,
    Interval,
    Kind,
    attendance,
    check,
    ordered,
    present_at,
)

MILAN = ZoneInfo("Europe/Rome")
START = datetime(2024, 3, 16, 9, 30, tzinfo=MILAN)
END = datetime(2024, 3, 16, 13, 0, tzinfo=MILAN)


def at(hour, minute=0):
    return datetime(2024, 3, 16, hour, minute, tzinfo=MILAN)


def inn(member, when):
    return Check(member, when, Kind.IN)


def out(member, when):
    return Check(member, when, Kind.OUT)


def test_a_member_who_leaves_and_returns_has_two_intervals():
    events = [inn("m1", at(9, 30)), out("m1", at(10, 15)), inn("m1", at(11)), out("m1", at(12))]
    record = attendance(events, START, END)["m1"]
    assert record.intervals == (Interval(at(9, 30), at(10, 15)), Interval(at(11), at(12)))
    assert record.intervals[0].start.tzinfo is UTC
    assert record.minutes == 45 + 60


def test_early_arrivals_count_from_the_start_and_the_open_interval_ends_at_the_close():
    record = attendance([inn("m1", at(9))], START, END)["m1"]
    assert record.intervals == (Interval(START, END),)
    assert record.minutes == 210


def test_a_check_out_after_the_end_counts_up_to_the_end():
    events = [inn("m1", at(12)), out("m1", at(14))]
    assert attendance(events, START, END)["m1"].minutes == 60


def test_presence_wholly_outside_the_session_counts_nothing():
    events = [inn("m1", at(8)), out("m1", at(9))]
    record = attendance(events, START, END)["m1"]
    assert record.intervals == ()
    assert record.minutes == 0


def test_minutes_are_rounded_down_and_durations_exact():
    events = [inn("m1", at(10)), out("m1", at(10, 0) + timedelta(minutes=44, seconds=59))]
    record = attendance(events, START, END)["m1"]
    assert record.duration == timedelta(minutes=44, seconds=59)
    assert record.minutes == 44


def test_members_are_kept_apart_and_listed_in_order_of_arrival():
    events = [inn("m2", at(10)), inn("m1", at(9, 45)), out("m2", at(10, 30))]
    records = attendance(events, START, END)
    assert list(records) == ["m1", "m2"]
    assert records["m1"].minutes == 195
    assert records["m2"].minutes == 30


def test_a_session_across_the_change_to_summer_time_counts_real_minutes():
    night_in = datetime(2024, 3, 31, 1, 0, tzinfo=MILAN)
    night_out = datetime(2024, 3, 31, 4, 0, tzinfo=MILAN)  # clocks went 02:00 -> 03:00
    records = attendance([inn("m1", night_in), out("m1", night_out)], night_in, night_out)
    assert records["m1"].minutes == 120
    assert present_at([inn("m1", night_in)], datetime(2024, 3, 31, 3, 30, tzinfo=MILAN))


def test_the_hour_repeated_when_summer_time_ends_is_not_mistaken():
    # 02:30 happens twice on 27 October 2024; the second (fold=1) is an hour later.
    first = datetime(2024, 10, 27, 2, 30, tzinfo=MILAN)
    second = datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=MILAN)
    events = [inn("m1", first), out("m1", second)]
    assert attendance(events, first, second)["m1"].minutes == 60
    assert present_at(events, first.astimezone(UTC) + timedelta(minutes=45)) == {"m1"}


def test_a_second_check_in_is_refused():
    with pytest.raises(StateConflict) as raised:
        ordered([inn("m1", at(10)), inn("m1", at(11))])
    assert raised.value.slug == "already-checked-in"
    assert "since 2024-03-16T09:00:00+00:00" in raised.value.detail


def test_a_check_out_while_out_is_refused():
    with pytest.raises(StateConflict) as raised:
        ordered([out("m1", at(10))])
    assert raised.value.slug == "not-checked-in"
    assert "never checked in" in raised.value.detail
    with pytest.raises(StateConflict) as again:
        check([inn("m1", at(10)), out("m1", at(11))], out("m1", at(12)))
    assert "checked out at 2024-03-16T10:00:00+00:00" in again.value.detail


def test_events_are_taken_in_time_order_whatever_order_they_come_in():
    events = [out("m1", at(11)), inn("m1", at(10))]
    assert [c.kind for c in ordered(events)] == [Kind.IN, Kind.OUT]
    assert attendance(events, START, END)["m1"].minutes == 60


def test_a_check_out_and_in_at_the_same_instant_keep_their_recorded_order():
    events = [inn("m1", at(10)), out("m1", at(11)), inn("m1", at(11)), out("m1", at(12))]
    assert attendance(events, START, END)["m1"].minutes == 120
    assert present_at(events, at(11)) == {"m1"}


def test_a_new_check_in_is_checked_against_the_record():
    record = [inn("m1", at(10))]
    check(record, inn("m2", at(10, 5)))
    with pytest.raises(StateConflict):
        check(record, inn("m1", at(10, 5)))


def test_present_at_an_instant():
    events = [
        inn("m1", at(9, 30)),
        inn("m2", at(9, 40)),
        inn("m3", at(10)),
        out("m2", at(10, 50)),
        inn("m4", at(11)),
    ]
    assert present_at(events, at(9, 35)) == {"m1"}
    assert present_at(events, at(10)) == {"m1", "m2", "m3"}  # a check-in counts at once
    assert present_at(events, at(10, 50)) == {"m1", "m3"}  # a check-out too
    assert present_at(events, at(11)) == {"m1", "m3", "m4"}
    assert present_at([], at(11)) == frozenset()


def test_sixty_check_in_one_leaves_before_the_vote_and_fifty_nine_are_entitled():
    members = [f"m{n:02d}" for n in range(60)]
    events = [inn(m, at(9, 30) + timedelta(seconds=n)) for n, m in enumerate(members)]
    events.append(out("m07", at(10, 55)))
    entitled = present_at(events, at(11))
    assert len(entitled) == 59
    assert "m07" not in entitled


def test_naive_instants_are_refused():
    with pytest.raises(InvalidValue) as raised:
        ordered([inn("m1", datetime(2024, 3, 16, 10))])
    assert raised.value.slug == "naive-datetime"
    with pytest.raises(InvalidValue):
        present_at([], datetime(2024, 3, 16, 10))


def test_a_session_that_ends_before_it_starts_is_refused():
    with pytest.raises(InvalidValue) as raised:
        attendance([], END, START)
    assert raised.value.slug == "invalid-period"
