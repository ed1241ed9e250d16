"""Attendance by time: from check-in and check-out events, who was present when, and for
how long. Pure functions over lists of events; the caller passes every instant.

A member is present from a check-in up to (not including) the next check-out: the
interval ``[in, out)``. So at the instant of a check-in the member is present, and at the
instant of a check-out no longer. Events are taken in the order of their ``at``; events at
the same instant keep the order they are given in (the order they were recorded).

A member checks in only when out and checks out only when in: a second check-in is
refused (``already-checked-in``), and so is a check-out of someone who is not in
(``not-checked-in``). Every instant is timezone-aware (``naive-datetime`` otherwise) and
is turned into UTC before it is compared or subtracted: Python compares and subtracts two
datetimes of the same zone by their wall clocks, so a session across the change to summer
time would count an hour it did not have. The instants these functions return are UTC.

The time attended in a session counts only what falls within the session's period
``[start, end]``: a member who checks in before the start is counted from the start, and
one still checked in at the end (or who never checked out) is counted up to the end —
the caller passes the instant the session closed as ``end``. Durations are exact; minutes
are whole minutes, rounded down.

``present_at`` answers who is in at one instant: when a vote opens, that set is the
entitled snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from common.errors import InvalidValue, StateConflict

MemberId = str  # membership's member ids; deliberation holds no names


class Kind(StrEnum):
    IN = "in"
    OUT = "out"


@dataclass(frozen=True)
class Check:
    """One check-in or check-out, by whoever recorded it (the recorder is kept apart)."""

    member_id: MemberId
    at: datetime
    kind: Kind


@dataclass(frozen=True)
class Interval:
    """A stretch of presence, ``[start, end)``."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Attendance:
    """A member's presence within a session: the intervals, in order, and their total."""

    member_id: MemberId
    intervals: tuple[Interval, ...]

    @property
    def duration(self) -> timedelta:
        return sum((i.duration for i in self.intervals), timedelta())

    @property
    def minutes(self) -> int:
        return self.duration // timedelta(minutes=1)


def _utc(at: datetime, what: str) -> datetime:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise InvalidValue(
            f"{what} ({at!r}) must be a date and time with its UTC offset.",
            slug="naive-datetime",
        )
    return at.astimezone(UTC)


def ordered(events: Iterable[Check]) -> list[Check]:
    """The events in time order, each member's alternating in and out; refuses a second
    check-in while in and a check-out while out. Their instants come back in UTC."""
    checks: list[Check] = []
    for c in events:
        if c.kind not in tuple(Kind):
            raise InvalidValue(
                f"{c.kind!r} is neither a check-in nor a check-out.", slug="unknown-check"
            )
        checks.append(replace(c, at=_utc(c.at, f"The {c.kind} of member {c.member_id}")))
    checks.sort(key=lambda c: c.at)  # stable: same instants keep their recorded order
    since: dict[MemberId, datetime] = {}  # members in, since when
    last_out: dict[MemberId, datetime] = {}
    for c in checks:
        if c.kind == Kind.IN:
            if c.member_id in since:
                raise StateConflict(
                    f"Member {c.member_id} checks in at {c.at.isoformat()} but has been "
                    f"checked in since {since[c.member_id].isoformat()}.",
                    slug="already-checked-in",
                )
            since[c.member_id] = c.at
        else:
            if c.member_id not in since:
                before = last_out.get(c.member_id)
                why = (
                    f"they checked out at {before.isoformat()}"
                    if before
                    else "they never checked in"
                )
                raise StateConflict(
                    f"Member {c.member_id} checks out at {c.at.isoformat()} without being "
                    f"checked in ({why}).",
                    slug="not-checked-in",
                )
            del since[c.member_id]
            last_out[c.member_id] = c.at
    return checks


def check(events: Iterable[Check], new: Check) -> None:
    """Whether ``new`` may be added to a session's recorded ``events``."""
    ordered([*events, new])


def present_at(events: Iterable[Check], at: datetime) -> frozenset[MemberId]:
    """The members checked in at the instant ``at``: the entitled snapshot when a vote
    opens at ``at``."""
    at = _utc(at, "The instant")
    present: set[MemberId] = set()
    for c in ordered(events):
        if c.at > at:
            break
        if c.kind == Kind.IN:
            present.add(c.member_id)
        else:
            present.discard(c.member_id)
    return frozenset(present)


def attendance(
    events: Iterable[Check], start: datetime, end: datetime
) -> dict[MemberId, Attendance]:
    """Each member's presence within ``[start, end]``, the session's period (``end``: when
    it closed). A member who checked in only outside the period is listed with no
    intervals. Members come in the order of their first check-in."""
    start, end = _utc(start, "The session's start"), _utc(end, "The session's end")
    if end < start:
        raise InvalidValue(
            f"A session cannot end ({end.isoformat()}) before it starts ({start.isoformat()}).",
            slug="invalid-period",
        )
    since: dict[MemberId, datetime] = {}
    found: dict[MemberId, list[Interval]] = {}

    def close(member: MemberId, until: datetime) -> None:
        lo, hi = max(since.pop(member), start), min(until, end)
        if lo < hi:
            found[member].append(Interval(lo, hi))

    for c in ordered(events):
        found.setdefault(c.member_id, [])
        if c.kind == Kind.IN:
            since[c.member_id] = c.at
        else:
            close(c.member_id, c.at)
    for member in list(since):
        close(member, end)
    return {m: Attendance(m, tuple(intervals)) for m, intervals in found.items()}
