"""Sessions: plenaries and working-group meetings, their states, and the plenary calendar
an assembly's cadence proposes. Pure domain.

A session is ``scheduled``, then ``open`` (members check in, votes are held), then
``closed`` (the record is final: attendance is reported, minutes can be drawn up). A
scheduled session that will not take place is ``cancelled``. An open session is never
cancelled: by then members have checked in and votes may have been held, and that record
must stand; an open session that ends early is closed. ``closed`` and ``cancelled`` are
final.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from common.errors import InvalidValue, StateConflict
from common.rotation import add_months
from common.states import Machine


class Kind(StrEnum):
    PLENARY = "plenary"  # the whole assembly; the only session where votes adopt
    WORKING_GROUP = "working_group"  # a few members drafting proposals on a theme


class State(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


SCHEDULED = State.SCHEDULED
OPEN = State.OPEN
CLOSED = State.CLOSED
CANCELLED = State.CANCELLED

#: From each state, where a session may go.
TRANSITIONS: dict[State, frozenset[State]] = {
    SCHEDULED: frozenset({OPEN, CANCELLED}),
    OPEN: frozenset({CLOSED}),
    CLOSED: frozenset(),
    CANCELLED: frozenset(),
}


LIFECYCLE = Machine("session", State, TRANSITIONS)
_state = LIFECYCLE.parse
#: The session's next state, if it may go there (see :class:`common.states.Machine`).
transition = LIFECYCLE.move


def require_open(state: str, action: str) -> None:
    """Check-ins, check-outs and votes happen only while the session is open; ``action``
    names what was attempted, for the message (``"check in"``, ``"open a vote"``)."""
    if _state(state) is not OPEN:
        raise StateConflict(
            f"Cannot {action}: the session is {state}, not open.", slug="session-not-open"
        )


#: How long before its scheduled start a session may open (members arrive, check in).
OPENS_EARLY = timedelta(hours=2)


def check_opening(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """A session opens from :data:`OPENS_EARLY` before its scheduled start until its
    scheduled end: not a day early, and not, forgotten, weeks later (its attendance and
    stipends would be counted for the wrong day)."""
    if not starts_at - OPENS_EARLY <= now <= ends_at:
        raise StateConflict(
            f"The session is scheduled {starts_at.isoformat()} – {ends_at.isoformat()}: it "
            f"opens from {int(OPENS_EARLY.total_seconds() // 3600)} hours before its start "
            "until its end. To hold it at another time, move it (PUT …/schedule).",
            slug="outside-schedule",
        )


def require_editable(state: str, action: str) -> None:
    """A session's agenda and documents change until it closes; ``action`` names what was
    attempted. Once closed or cancelled its record is final."""
    if LIFECYCLE.final(_state(state)):
        raise StateConflict(f"Cannot {action}: the session is {state}.", slug="session-final")


def on_agenda(agenda: Iterable[Mapping[str, Any]], proposal_id: uuid.UUID) -> bool:
    """Whether an item of ``agenda`` puts the proposal before the session."""
    wanted = str(proposal_id)
    return any(wanted in {str(p) for p in item.get("proposal_ids", [])} for item in agenda)


def plenary_calendar(first: date, until: date, cadence_months: int) -> list[date]:
    """The plenary dates a cadence proposes: ``first``, then every ``cadence_months``
    months on the same day of the month (the month's last day when it is shorter), up to
    and including ``until``. Each date is counted from ``first``, so a plenary on the
    31st returns to the 31st after a short month instead of drifting to the 28th.

    The 2022–23 pilot met every 2 months; the assembly has met monthly since 2024. The
    dates are a proposal: an operator moves a plenary to the weekday it should fall on.
    """
    if not isinstance(cadence_months, int) or isinstance(cadence_months, bool):
        raise InvalidValue("The cadence is a whole number of months.", slug="invalid-cadence")
    if cadence_months < 1:
        raise InvalidValue(
            f"A plenary every {cadence_months} months cannot be: the cadence is at least 1.",
            slug="invalid-cadence",
        )
    dates: list[date] = []
    step = 0
    while True:
        try:
            day = add_months(first, step * cadence_months)
        except ValueError:  # past year 9999
            return dates
        if day > until:
            return dates
        dates.append(day)
        step += 1
