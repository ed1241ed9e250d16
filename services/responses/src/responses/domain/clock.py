"""The Comune's clock: due dates, reminders before them, escalation after. Pure domain.

Every proposal the assembly adopts opens a case the Comune must answer by a due date.
The dates here never come from a clock: ``today`` is always a parameter.

Due dates. A :class:`Policy` gives ``days`` from the start (the adoption date) in one of
two bases:

- ``calendar_days``, the default, 120 days as Italian law counts "120 giorni": every day
  counts and the due date is ``start + days``, even when it falls on a Sunday or a
  holiday (calendar days mean calendar days; nothing moves it to the next working day);
- ``business_days``: the ``days``-th business day after ``start`` (the start itself never
  counts), a business day being neither a Saturday nor a Sunday nor a public holiday in
  Milan: the Italian ones and Sant'Ambrogio, 7 December (:func:`business_day`).

Alarms. ``reminders`` are days before the due date (default 30, 7 and 1), ``escalations``
days after it, each to an office one level up (default: 1 day after, the coordinating
office; 30 days after, the political level). Both are counted in calendar days whatever
the basis of the due date. :func:`schedule` lists them all; :func:`pending` says which to
send ``today``:

- reminders stop once the due date has passed (``today > due``); until then, of the
  reminders whose day has come only the latest is sent: a case opened 5 days before its
  due date gets the 7-day reminder, not the 30-day one as well;
- on the due day itself (0 days left) the case is not overdue; the day after, it is, and
  the first escalation is due;
- every escalation whose day has come is sent, in order, each to its own office, so a
  process that was down for weeks sends the coordination and the political one together.

Each alarm has a :attr:`Alarm.key` (kind, days, due date) that the caller records once it
is sent; ``pending`` leaves out keys already recorded, so a redelivery or a second worker
never sends an alarm twice. An extension (:func:`extend`) gives a new due date, hence new
keys: the schedule starts again from the new date.

Reports. An answered proposal is then implemented, with a progress report every
``report_months`` months (:func:`next_report_due`, month arithmetic clamped to the end of
the month). A report's due date goes through the same ``schedule`` and ``pending``:
reminders before, overdue alarms after.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise

import holidays

from common.errors import InvalidValue
from common.texts import Text


class Basis(StrEnum):
    """How a policy's ``days`` are counted."""

    CALENDAR_DAYS = "calendar_days"
    BUSINESS_DAYS = "business_days"


class Level(StrEnum):
    """Who an overdue case is escalated to, lowest first."""

    COORDINATION = "coordination"  # the coordinating office
    POLITICAL = "political"  # the political level


class AlarmKind(StrEnum):
    REMINDER = "reminder"  # days before the due date
    OVERDUE = "overdue"  # days after it, with the level it goes to


#: Levels in the order an escalation climbs them.
_LEVEL_ORDER = (Level.COORDINATION, Level.POLITICAL)

MAX_DAYS = 730
MAX_ALARM_DAYS = 365
MAX_REPORT_MONTHS = 24


def _whole(value: object) -> bool:
    # bool is an int in Python; True days is a bug upstream.
    return isinstance(value, int) and not isinstance(value, bool)


def _level(value: object) -> Level:
    try:
        return Level(str(value))
    except ValueError:
        known = ", ".join(Level)
        raise InvalidValue(
            f"{value!r} is no escalation level (known: {known}).", slug="unknown-level"
        ) from None


@dataclass(frozen=True)
class Policy:
    """How long the Comune has, and when it is reminded and escalated.

    ``days`` from the start, counted per ``basis``; ``reminders``, days before the due
    date; ``escalations``, ``(days after the due date, level)``; ``report_months``, the
    interval between implementation progress reports."""

    days: int = 120
    basis: Basis = Basis.CALENDAR_DAYS
    reminders: tuple[int, ...] = (30, 7, 1)
    escalations: tuple[tuple[int, Level], ...] = ((1, Level.COORDINATION), (30, Level.POLITICAL))
    report_months: int = 6

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Refuse a policy that cannot be (``InvalidValue``), and normalise what it holds:
        basis and levels to their enums, sequences to tuples."""
        if not _whole(self.days) or not 1 <= self.days <= MAX_DAYS:
            raise InvalidValue(
                f"A policy gives from 1 to {MAX_DAYS} days to answer (got {self.days!r}).",
                slug="invalid-policy-days",
            )
        try:
            basis = Basis(self.basis)
        except ValueError:
            known = ", ".join(Basis)
            raise InvalidValue(
                f"{self.basis!r} is no basis days can be counted in (known: {known}).",
                slug="unknown-basis",
            ) from None
        object.__setattr__(self, "basis", basis)

        reminders = tuple(self.reminders)
        for days in reminders:
            if not _whole(days) or not 1 <= days <= MAX_ALARM_DAYS:
                raise InvalidValue(
                    f"A reminder comes 1 to {MAX_ALARM_DAYS} days before the due date "
                    f"(got {days!r}).",
                    slug="invalid-reminder",
                )
            if days >= self.days:
                raise InvalidValue(
                    f"A reminder {days} days before the due date would come before the "
                    f"clock starts: the policy gives {self.days} days.",
                    slug="reminder-before-start",
                )
        if len(set(reminders)) != len(reminders):
            raise InvalidValue(
                f"Reminders are each on a different day (got {list(reminders)}).",
                slug="duplicate-reminder",
            )
        object.__setattr__(self, "reminders", reminders)

        escalations: list[tuple[int, Level]] = []
        for step in self.escalations:
            if not isinstance(step, tuple | list) or len(step) != 2:
                raise InvalidValue(
                    f"An escalation is (days after the due date, level) (got {step!r}).",
                    slug="invalid-escalation",
                )
            days, level = step
            if not _whole(days) or not 1 <= days <= MAX_ALARM_DAYS:
                raise InvalidValue(
                    f"An escalation comes 1 to {MAX_ALARM_DAYS} days after the due date "
                    f"(got {days!r}).",
                    slug="invalid-escalation",
                )
            escalations.append((days, _level(level)))
        day_list = [days for days, _ in escalations]
        if any(a >= b for a, b in pairwise(day_list)):
            raise InvalidValue(
                f"Escalations come on strictly increasing days (got {day_list}).",
                slug="escalations-out-of-order",
            )
        levels = [level for _, level in escalations]
        ranks = [_LEVEL_ORDER.index(level) for level in levels]
        if any(a >= b for a, b in pairwise(ranks)):
            raise InvalidValue(
                "An escalation climbs each level once, coordination before political "
                f"(got {', '.join(levels)}).",
                slug="escalation-levels-out-of-order",
            )
        object.__setattr__(self, "escalations", tuple(escalations))

        if not _whole(self.report_months) or not 1 <= self.report_months <= MAX_REPORT_MONTHS:
            raise InvalidValue(
                f"Progress reports come every 1 to {MAX_REPORT_MONTHS} months "
                f"(got {self.report_months!r}).",
                slug="invalid-report-months",
            )


#: 120 calendar days; reminders 30, 7 and 1 day before; escalation to the coordinating
#: office the day after, to the political level 30 days after; a report every 6 months.
DEFAULT_POLICY = Policy()


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    """The public holidays in Milan in ``year``, built once per year."""
    return frozenset(holidays.country_holidays("IT", subdiv="MI", years=year).keys())


def business_day(d: date) -> bool:
    """Neither a Saturday, nor a Sunday, nor a public holiday in Milan (the Italian ones
    and Sant'Ambrogio, 7 December)."""
    return d.weekday() < 5 and d not in _holidays(d.year)


def due_on(start: date, policy: Policy = DEFAULT_POLICY) -> date:
    """The due date of a clock started on ``start``: ``start + days`` in calendar days
    (left where it falls, holiday or not), or the ``days``-th business day after
    ``start`` (``start`` itself not counted) in business days."""
    if policy.basis is Basis.CALENDAR_DAYS:
        return start + timedelta(days=policy.days)
    day, counted = start, 0
    while counted < policy.days:
        day += timedelta(days=1)
        if business_day(day):
            counted += 1
    return day


def days_left(due: date, today: date) -> int:
    """Days until ``due``: 0 on the due day, negative once overdue."""
    return (due - today).days


@dataclass(frozen=True)
class Alarm:
    """A reminder ``days`` before ``due`` or an overdue alarm ``days`` after it, to
    ``level`` (None for a reminder), to send ``on``."""

    kind: AlarmKind
    days: int
    level: Level | None
    on: date
    due: date

    @property
    def key(self) -> str:
        """Stable: record it once the alarm is sent. A new due date makes new keys."""
        return f"{self.kind}:{self.days}:{self.due.isoformat()}"


def schedule(due: date, policy: Policy = DEFAULT_POLICY) -> list[Alarm]:
    """Every alarm for ``due``, in date order: reminders ``due - days``, escalations
    ``due + days``, in calendar days."""
    alarms = [
        Alarm(AlarmKind.REMINDER, days, None, due - timedelta(days=days), due)
        for days in policy.reminders
    ] + [
        Alarm(AlarmKind.OVERDUE, days, level, due + timedelta(days=days), due)
        for days, level in policy.escalations
    ]
    return sorted(alarms, key=lambda alarm: alarm.on)


def pending(due: date, policy: Policy, today: date, sent: Collection[str] = ()) -> list[Alarm]:
    """The alarms to send ``today`` for ``due`` and not sent yet (``sent``: the keys
    recorded), in date order: at most one reminder, the latest whose day has come, and
    only while ``today <= due``; then every escalation whose day has come."""
    alarms = [alarm for alarm in schedule(due, policy) if alarm.on <= today]
    reminders = [a for a in alarms if a.kind is AlarmKind.REMINDER and today <= due]
    latest = reminders[-1:]  # in date order: the last is the closest to the due date
    overdue = [a for a in alarms if a.kind is AlarmKind.OVERDUE]
    return [alarm for alarm in latest + overdue if alarm.key not in sent]


def extend(current: date, new: date, reason: Text | None, today: date) -> date:
    """A new due date, ``new``, in place of ``current``. Refuses an extension without a
    reason in both languages (``extension-without-reason``), one that does not move the
    date later (``extension-not-later``) and one to a date already past
    (``extension-in-past``); a new due date of today is allowed."""
    if reason is None or not reason.it.strip() or not reason.en.strip():
        raise InvalidValue(
            "An extension states its reason, in Italian and in English.",
            slug="extension-without-reason",
        )
    if new <= current:
        raise InvalidValue(
            f"An extension moves the due date later: {new.isoformat()} is not after "
            f"{current.isoformat()}.",
            slug="extension-not-later",
        )
    if new < today:
        raise InvalidValue(
            f"An extension cannot give a due date already past: {new.isoformat()} is "
            f"before today, {today.isoformat()}.",
            slug="extension-in-past",
        )
    return new


def add_months(d: date, months: int) -> date:
    """``d`` moved by ``months`` (negative moves back), on the same day of the month or,
    when that month is shorter, its last day: 31 August + 6 months is 28 February."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def next_report_due(since: date, policy: Policy = DEFAULT_POLICY) -> date:
    """When the next implementation progress report is due: ``report_months`` after
    ``since`` (the answer's publication, or the previous report)."""
    return add_months(since, policy.report_months)
