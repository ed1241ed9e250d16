"""Due dates, Milan's business days, reminders and escalation, at their edges."""

from datetime import date, timedelta

import pytest

from common.errors import InvalidValue
from common.texts import Text
from responses.domain.clock import (
    DEFAULT_POLICY,
    Alarm,
    AlarmKind,
    Basis,
    Level,
    Policy,
    _holidays,
    add_months,
    business_day,
    days_left,
    due_on,
    extend,
    next_report_due,
    pending,
    schedule,
)

REASON = Text(it="Serve il parere della Città metropolitana", en="The metro city must advise")
BUSINESS = Policy(days=10, basis=Basis.BUSINESS_DAYS, reminders=(7, 1))


# --- the policy ---------------------------------------------------------------------


def test_the_default_policy():
    assert (
        Policy(
            days=120,
            basis=Basis.CALENDAR_DAYS,
            reminders=(30, 7, 1),
            escalations=((1, Level.COORDINATION), (30, Level.POLITICAL)),
            report_months=6,
        )
        == DEFAULT_POLICY
    )


def test_a_policy_normalises_strings_and_lists():
    policy = Policy(
        basis="business_days",  # type: ignore[arg-type]
        reminders=[10, 2],  # type: ignore[arg-type]
        escalations=[[2, "coordination"]],  # type: ignore[list-item]
    )
    assert policy.basis is Basis.BUSINESS_DAYS
    assert policy.reminders == (10, 2)
    assert policy.escalations == ((2, Level.COORDINATION),)
    assert hash(policy)  # frozen and made of tuples: usable as a key


def test_a_policy_may_have_no_reminders_and_no_escalations():
    policy = Policy(reminders=(), escalations=())
    assert schedule(date(2025, 1, 1), policy) == []
    assert pending(date(2025, 1, 1), policy, date(2026, 1, 1), ()) == []


def test_a_policy_with_one_level_only():
    assert Policy(escalations=((15, Level.POLITICAL),)).escalations == ((15, Level.POLITICAL),)


@pytest.mark.parametrize(
    ("fields", "slug"),
    [
        ({"days": 0}, "invalid-policy-days"),
        ({"days": 731}, "invalid-policy-days"),
        ({"days": True}, "invalid-policy-days"),
        ({"days": 120.0}, "invalid-policy-days"),
        ({"basis": "working_days"}, "unknown-basis"),
        ({"reminders": (0,)}, "invalid-reminder"),
        ({"reminders": (366,), "days": 700}, "invalid-reminder"),
        ({"reminders": (-1,)}, "invalid-reminder"),
        ({"reminders": (7, 7)}, "duplicate-reminder"),
        ({"reminders": (120,)}, "reminder-before-start"),
        ({"days": 10, "reminders": (30, 7, 1)}, "reminder-before-start"),
        ({"escalations": ((0, Level.COORDINATION),)}, "invalid-escalation"),
        ({"escalations": ((366, Level.COORDINATION),)}, "invalid-escalation"),
        ({"escalations": ((1,),)}, "invalid-escalation"),
        ({"escalations": (1, Level.COORDINATION)}, "invalid-escalation"),
        ({"escalations": ((1, "mayor"),)}, "unknown-level"),
        (
            {"escalations": ((30, Level.COORDINATION), (1, Level.POLITICAL))},
            "escalations-out-of-order",
        ),
        (
            {"escalations": ((1, Level.COORDINATION), (1, Level.POLITICAL))},
            "escalations-out-of-order",
        ),
        (
            {"escalations": ((1, Level.POLITICAL), (30, Level.COORDINATION))},
            "escalation-levels-out-of-order",
        ),
        (
            {"escalations": ((1, Level.COORDINATION), (30, Level.COORDINATION))},
            "escalation-levels-out-of-order",
        ),
        ({"report_months": 0}, "invalid-report-months"),
        ({"report_months": 25}, "invalid-report-months"),
    ],
)
def test_a_policy_that_cannot_be(fields, slug):
    with pytest.raises(InvalidValue) as caught:
        Policy(**fields)
    assert caught.value.slug == slug


def test_the_policy_bounds_themselves_are_allowed():
    assert Policy(days=1, reminders=()).days == 1
    assert Policy(days=730, reminders=(365, 1), report_months=24).days == 730
    assert Policy(days=2, reminders=(1,), report_months=1).reminders == (1,)


# --- business days in Milan ---------------------------------------------------------


def test_sant_ambrogio_is_a_holiday_in_milan():
    assert date(2026, 12, 7).weekday() == 0  # a Monday
    assert not business_day(date(2026, 12, 7))


@pytest.mark.parametrize(
    "holiday",
    [
        date(2026, 12, 8),  # Immacolata, a Tuesday
        date(2027, 4, 25),  # Liberazione
        date(2027, 3, 29),  # Easter Monday
        date(2026, 6, 2),  # Festa della Repubblica, a Tuesday
        date(2026, 1, 6),  # Epiphany, a Tuesday
        date(2025, 12, 26),  # Santo Stefano, a Friday
        date(2026, 10, 4),  # San Francesco, a national holiday again from 2026
    ],
)
def test_italian_holidays_are_not_business_days(holiday):
    assert not business_day(holiday)
    assert holiday in _holidays(holiday.year)


def test_liberation_day_on_a_weekday_is_a_holiday():
    assert date(2025, 4, 25).weekday() == 4  # a Friday
    assert not business_day(date(2025, 4, 25))


def test_weekends_and_working_days():
    assert business_day(date(2026, 12, 9))  # a Wednesday, after the two holidays
    assert business_day(date(2026, 12, 4))  # the Friday before
    assert not business_day(date(2026, 12, 5))  # Saturday
    assert not business_day(date(2026, 12, 6))  # Sunday


def test_holidays_are_built_once_per_year():
    _holidays.cache_clear()
    for day in range(1, 32):
        business_day(date(2026, 12, day))
    business_day(date(2027, 1, 4))
    info = _holidays.cache_info()
    # 2026 and 2027 built once each; the 21 other weekdays of December 2026 reuse 2026's
    # (weekends are told apart before holidays are looked at)
    assert (info.misses, info.hits) == (2, 22)


# --- due dates ----------------------------------------------------------------------


def test_120_calendar_days():
    assert due_on(date(2024, 10, 15), DEFAULT_POLICY) == date(2025, 2, 12)


def test_calendar_days_stay_on_a_holiday_or_a_sunday():
    # 120 days after 9 August 2026 is Monday 7 December: Sant'Ambrogio, left as it is.
    assert due_on(date(2026, 8, 9), DEFAULT_POLICY) == date(2026, 12, 7)
    # and 120 days after 8 August is Sunday 6 December.
    assert due_on(date(2026, 8, 8), DEFAULT_POLICY) == date(2026, 12, 6)


def test_business_days_across_christmas_and_epiphany():
    # From Friday 19 December 2025: 22, 23, 24 (1–3), 25 and 26 holidays, 29, 30, 31
    # (4–6), 1 January holiday, 2 (7), 5 (8), 6 Epiphany, 7 (9), 8 (10).
    assert due_on(date(2025, 12, 19), BUSINESS) == date(2026, 1, 8)


def test_business_days_across_sant_ambrogio():
    # From Friday 4 December 2026: 7 and 8 are holidays, so 9, 10, 11 are the first three.
    policy = Policy(days=3, basis=Basis.BUSINESS_DAYS, reminders=(1,))
    assert due_on(date(2026, 12, 4), policy) == date(2026, 12, 11)


def test_business_days_do_not_count_the_start():
    policy = Policy(days=1, basis=Basis.BUSINESS_DAYS, reminders=())
    assert due_on(date(2025, 3, 3), policy) == date(2025, 3, 4)  # Monday → Tuesday
    assert due_on(date(2025, 3, 7), policy) == date(2025, 3, 10)  # Friday → Monday
    assert due_on(date(2025, 3, 8), policy) == date(2025, 3, 10)  # Saturday → Monday


def test_business_days_due_date_is_always_a_business_day():
    policy = Policy(days=20, basis=Basis.BUSINESS_DAYS, reminders=(7, 1))
    start = date(2026, 11, 1)
    for offset in range(90):
        assert business_day(due_on(start + timedelta(days=offset), policy))


def test_days_left():
    due = date(2025, 2, 12)
    assert days_left(due, date(2025, 2, 11)) == 1
    assert days_left(due, due) == 0
    assert days_left(due, date(2025, 2, 13)) == -1
    assert days_left(due, date(2024, 10, 15)) == 120


# --- the schedule -------------------------------------------------------------------

DUE = date(2025, 2, 12)


def reminder(days: int, due: date = DUE) -> Alarm:
    return Alarm(AlarmKind.REMINDER, days, None, due - timedelta(days=days), due)


def overdue(days: int, level: Level, due: date = DUE) -> Alarm:
    return Alarm(AlarmKind.OVERDUE, days, level, due + timedelta(days=days), due)


def test_the_schedule_in_date_order():
    assert schedule(DUE, DEFAULT_POLICY) == [
        reminder(30),
        reminder(7),
        reminder(1),
        overdue(1, Level.COORDINATION),
        overdue(30, Level.POLITICAL),
    ]
    assert [alarm.on for alarm in schedule(DUE, DEFAULT_POLICY)] == [
        date(2025, 1, 13),
        date(2025, 2, 5),
        date(2025, 2, 11),
        date(2025, 2, 13),
        date(2025, 3, 14),
    ]


def test_the_schedule_sorts_reminders_given_in_any_order():
    policy = Policy(reminders=(1, 30, 7))
    assert [a.days for a in schedule(DUE, policy)][:3] == [30, 7, 1]


def test_alarm_keys_are_stable_and_name_the_due_date():
    assert [alarm.key for alarm in schedule(DUE, DEFAULT_POLICY)] == [
        "reminder:30:2025-02-12",
        "reminder:7:2025-02-12",
        "reminder:1:2025-02-12",
        "overdue:1:2025-02-12",
        "overdue:30:2025-02-12",
    ]


def test_alarms_are_calendar_days_even_for_a_business_days_policy():
    due = due_on(date(2025, 12, 19), BUSINESS)
    assert due == date(2026, 1, 8)
    assert [a.on for a in schedule(due, BUSINESS)] == [
        date(2026, 1, 1),  # 7 days before, a holiday: the reminder goes anyway
        date(2026, 1, 7),
        date(2026, 1, 9),  # the day after
        date(2026, 2, 7),  # 30 days after, a Saturday
    ]


# --- what is pending ----------------------------------------------------------------


def test_nothing_before_the_first_reminder():
    assert pending(DUE, DEFAULT_POLICY, date(2025, 1, 12), ()) == []


def test_on_the_reminder_day():
    assert pending(DUE, DEFAULT_POLICY, date(2025, 1, 13), ()) == [reminder(30)]


def test_between_reminders_the_sent_one_is_not_repeated():
    sent = {reminder(30).key}
    assert pending(DUE, DEFAULT_POLICY, date(2025, 1, 20), sent) == []
    assert pending(DUE, DEFAULT_POLICY, date(2025, 2, 5), sent) == [reminder(7)]


def test_a_case_opened_late_gets_only_the_latest_reminder():
    # Opened 5 days before its due date: the 30-day and 7-day days have passed.
    today = DUE - timedelta(days=5)
    assert pending(DUE, DEFAULT_POLICY, today, ()) == [reminder(7)]
    # the next day nothing new; on the eve, the 1-day one.
    assert pending(DUE, DEFAULT_POLICY, today + timedelta(days=1), {reminder(7).key}) == []
    assert pending(DUE, DEFAULT_POLICY, DUE - timedelta(days=1), {reminder(7).key}) == [reminder(1)]


def test_a_missed_reminder_is_superseded_by_a_later_one():
    # The 7-day one was never sent (the worker was down); on the eve only the 1-day goes.
    assert pending(DUE, DEFAULT_POLICY, DUE - timedelta(days=1), {reminder(30).key}) == [
        reminder(1)
    ]


def test_the_due_day_is_not_overdue():
    assert days_left(DUE, DUE) == 0
    everything_before = {reminder(30).key, reminder(7).key, reminder(1).key}
    assert pending(DUE, DEFAULT_POLICY, DUE, everything_before) == []
    # the 1-day reminder, if not sent yet, still goes on the due day
    assert pending(DUE, DEFAULT_POLICY, DUE, ()) == [reminder(1)]


def test_the_day_after_the_due_date_escalates_to_coordination():
    today = DUE + timedelta(days=1)
    assert pending(DUE, DEFAULT_POLICY, today, ()) == [overdue(1, Level.COORDINATION)]


def test_once_overdue_no_reminder_is_sent():
    for offset in range(1, 60):
        alarms = pending(DUE, DEFAULT_POLICY, DUE + timedelta(days=offset), ())
        assert all(alarm.kind is AlarmKind.OVERDUE for alarm in alarms)


def test_every_level_reached_goes_each_to_its_office():
    sent = {overdue(1, Level.COORDINATION).key}
    assert pending(DUE, DEFAULT_POLICY, DUE + timedelta(days=29), sent) == []
    assert pending(DUE, DEFAULT_POLICY, DUE + timedelta(days=30), sent) == [
        overdue(30, Level.POLITICAL)
    ]


def test_a_worker_back_after_weeks_sends_both_levels_in_order():
    assert pending(DUE, DEFAULT_POLICY, DUE + timedelta(days=90), ()) == [
        overdue(1, Level.COORDINATION),
        overdue(30, Level.POLITICAL),
    ]


def test_redelivery_sends_nothing_twice():
    today = DUE + timedelta(days=30)
    first = pending(DUE, DEFAULT_POLICY, today, ())
    sent = [alarm.key for alarm in first]
    assert pending(DUE, DEFAULT_POLICY, today, sent) == []
    assert pending(DUE, DEFAULT_POLICY, today + timedelta(days=100), sent) == []


def test_an_extension_restarts_the_schedule():
    sent = {reminder(30).key, reminder(7).key, reminder(1).key, overdue(1, Level.COORDINATION).key}
    today = DUE + timedelta(days=3)
    new_due = extend(DUE, date(2025, 4, 30), REASON, today)
    # the old due date's alarms are all sent; the new one's start again from its own dates
    assert pending(DUE, DEFAULT_POLICY, today, sent) == []
    assert pending(new_due, DEFAULT_POLICY, today, sent) == []
    assert pending(new_due, DEFAULT_POLICY, date(2025, 3, 31), sent) == [reminder(30, new_due)]
    assert reminder(30, new_due).key == "reminder:30:2025-04-30"
    assert pending(new_due, DEFAULT_POLICY, date(2025, 5, 1), sent) == [
        overdue(1, Level.COORDINATION, new_due)
    ]


def test_an_extension_close_to_its_date_gets_the_latest_reminder_only():
    today = DUE + timedelta(days=3)
    new_due = extend(DUE, today + timedelta(days=10), REASON, today)
    assert pending(new_due, DEFAULT_POLICY, today, ()) == [reminder(30, new_due)]
    assert pending(new_due, DEFAULT_POLICY, today + timedelta(days=3), ()) == [reminder(7, new_due)]


def test_pending_walks_a_whole_case_sending_each_alarm_once():
    sent: list[str] = []
    log: list[tuple[date, str]] = []
    day = DUE - timedelta(days=40)
    while day <= DUE + timedelta(days=60):
        for alarm in pending(DUE, DEFAULT_POLICY, day, sent):
            sent.append(alarm.key)
            log.append((day, alarm.key))
        day += timedelta(days=1)
    assert log == [(a.on, a.key) for a in schedule(DUE, DEFAULT_POLICY)]


# --- extensions ---------------------------------------------------------------------


def test_an_extension_returns_the_new_date():
    assert extend(DUE, date(2025, 3, 14), REASON, date(2025, 2, 1)) == date(2025, 3, 14)


def test_an_extension_to_today_when_overdue():
    today = DUE + timedelta(days=5)
    assert extend(DUE, today, REASON, today) == today


def test_an_extension_without_a_reason():
    with pytest.raises(InvalidValue) as caught:
        extend(DUE, date(2025, 3, 14), None, date(2025, 2, 1))
    assert caught.value.slug == "extension-without-reason"


@pytest.mark.parametrize(("it", "en"), [("", "why"), ("perché", ""), ("  ", "why"), ("x", "\t")])
def test_an_extension_with_a_blank_reason(it, en):
    blank = Text.model_construct(it=it, en=en)  # past validation, as a row read back might be
    with pytest.raises(InvalidValue) as caught:
        extend(DUE, date(2025, 3, 14), blank, date(2025, 2, 1))
    assert caught.value.slug == "extension-without-reason"


@pytest.mark.parametrize("new", [DUE, DUE - timedelta(days=1)])
def test_an_extension_not_later(new):
    with pytest.raises(InvalidValue) as caught:
        extend(DUE, new, REASON, date(2025, 1, 1))
    assert caught.value.slug == "extension-not-later"


def test_an_extension_into_the_past():
    with pytest.raises(InvalidValue) as caught:
        extend(DUE, DUE + timedelta(days=2), REASON, DUE + timedelta(days=3))
    assert caught.value.slug == "extension-in-past"


# --- months and reports -------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # leap year
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 1, 15), 6, date(2025, 7, 15)),
        (date(2025, 7, 15), 6, date(2026, 1, 15)),
        (date(2025, 12, 31), 12, date(2026, 12, 31)),
        (date(2025, 12, 1), 1, date(2026, 1, 1)),
        (date(2025, 5, 10), 0, date(2025, 5, 10)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 1, 10), -1, date(2024, 12, 10)),
        (date(2024, 2, 29), 24, date(2026, 2, 28)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


def test_next_report_due():
    assert next_report_due(date(2025, 8, 31), DEFAULT_POLICY) == date(2026, 2, 28)
    assert next_report_due(date(2025, 8, 31), Policy(report_months=3)) == date(2025, 11, 30)


def test_reports_use_the_same_reminders_and_escalation():
    report_due = next_report_due(date(2025, 8, 31), DEFAULT_POLICY)  # 28 February 2026
    assert pending(report_due, DEFAULT_POLICY, date(2026, 2, 21), ()) == [reminder(7, report_due)]
    sent = {reminder(7, report_due).key}
    assert pending(report_due, DEFAULT_POLICY, date(2026, 2, 28), sent) == [reminder(1, report_due)]
    assert pending(report_due, DEFAULT_POLICY, date(2026, 3, 1), ()) == [
        overdue(1, Level.COORDINATION, report_due)
    ]
