"""Sessions (plenaries and working-group meetings) and who attends them, by time.

Presence is computed from the check-ins and check-outs as they happened, never typed in;
the quorum from presence and the assembly's rules. A member checks in through a
facilitator or operator, or with their own per-session code: a signed token they fetch
with their ``member`` token and that the facilitator's scanner posts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from common.contracts.deliberation import AttendanceRecorded, Attended
from common.crypto import open_scoped, seal_scoped
from common.dates import milan_day
from common.db import UnitOfWork
from common.errors import Conflict, Forbidden, Invalid
from common.http.etag import check_if_match
from common.http.pagination import PageParams
from deliberation.adapters.repositories import (
    Assemblies,
    Attendance,
    PacActions,
    Presence,
    Proposals,
    Roster,
    Session,
    Sessions,
    Votes,
    WorkingGroups,
)
from deliberation.domain import attendance as presence
from deliberation.domain import sessions as calendar
from deliberation.domain import votes as majority
from deliberation.service.roster import rules_of


async def schedule(values: dict[str, Any], *, uow: UnitOfWork) -> Session:
    await Assemblies(uow).referenced(values["assembly_id"])
    if values["kind"] == "working_group":
        if values.get("working_group_id") is None:
            raise Invalid("A working-group meeting names its working group.", slug="no-group")
        group = await WorkingGroups(uow).referenced(values["working_group_id"])
        if group.assembly_id != values["assembly_id"]:
            raise Invalid("The working group belongs to another assembly.", slug="other-assembly")
    elif values.get("working_group_id") is not None:
        raise Invalid("A plenary belongs to no working group.", slug="plenary-with-group")
    plenary = values["kind"] == calendar.Kind.PLENARY
    await _check_agenda(values["agenda"], values["assembly_id"], plenary=plenary, uow=uow)
    return await Sessions(uow).add(id=uuid.uuid4(), state="scheduled", version=1, **values)


async def _check_agenda(
    agenda: list[dict[str, Any]], assembly_id: uuid.UUID, *, plenary: bool, uow: UnitOfWork
) -> None:
    codes = sorted({c for item in agenda for c in item.get("pac_codes", [])})
    unknown = await PacActions(uow).unknown(codes)
    if unknown:
        raise Invalid(f"Unknown PAC actions: {', '.join(unknown)}.", slug="unknown-pac-action")
    named = [str(p) for item in agenda for p in item.get("proposal_ids", [])]
    twice = sorted({p for p in named if named.count(p) > 1})
    if twice:
        raise Invalid(
            f"A proposal is one item of the agenda, not several: {', '.join(twice)}.",
            slug="duplicate-agenda-proposal",
        )
    for proposal_id in named:
        proposal = await Proposals(uow).referenced(uuid.UUID(proposal_id))
        if proposal.assembly_id != assembly_id:
            raise Invalid(
                f"Proposal {proposal_id} belongs to another assembly.", slug="other-assembly"
            )
        if plenary and proposal.submitted_at is None:
            raise Conflict(
                f"Proposal {proposal_id} is a working group's draft: a plenary takes it "
                "once submitted.",
                slug="not-submitted",
            )


async def reschedule(
    session_id: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime,
    *,
    if_match: str | None,
    uow: UnitOfWork,
) -> Session:
    """New times for a session that has not opened yet."""
    session = await Sessions(uow).get(session_id, lock=True)
    check_if_match(if_match, version=session.version)
    if session.state != calendar.SCHEDULED:
        raise Conflict(
            f"The session is {session.state}: only a scheduled session moves.",
            slug="not-scheduled",
        )
    return await Sessions(uow).update(
        session_id, starts_at=starts_at, ends_at=ends_at, version=session.version + 1
    )


async def public_agenda(agenda: list[dict[str, Any]], *, uow: UnitOfWork) -> list[dict[str, Any]]:
    """The agenda as the public sees it: a working group's draft named on it (at its own
    meeting) is not shown until it is submitted."""
    named = {uuid.UUID(str(p)) for item in agenda for p in item.get("proposal_ids", [])}
    shown = {str(p) for p in await Proposals(uow).submitted_among(named)}
    return [
        {**item, "proposal_ids": [p for p in item.get("proposal_ids", []) if str(p) in shown]}
        for item in agenda
    ]


async def set_agenda(
    session_id: uuid.UUID,
    agenda: list[dict[str, Any]],
    *,
    if_match: str | None,
    uow: UnitOfWork,
) -> Session:
    """A new agenda, until the session closes. A proposal already voted on in the session
    stays on it: the minutes report every vote under its item."""
    session = await Sessions(uow).get(session_id, lock=True)
    check_if_match(if_match, version=session.version)
    calendar.require_editable(session.state, "change the agenda")
    plenary = session.kind == calendar.Kind.PLENARY
    await _check_agenda(agenda, session.assembly_id, plenary=plenary, uow=uow)
    dropped = sorted(
        {
            str(v.proposal_id)
            for v in await Votes(uow).of_session(session_id)
            if not calendar.on_agenda(agenda, v.proposal_id)
        }
    )
    if dropped:
        raise Conflict(
            f"Proposals voted on in this session stay on its agenda: {', '.join(dropped)}.",
            slug="voted-item",
        )
    return await Sessions(uow).update(session_id, agenda=agenda, version=session.version + 1)


async def get(session_id: uuid.UUID, *, uow: UnitOfWork) -> Session:
    return await Sessions(uow).get(session_id)


async def listed(
    params: PageParams, assembly_id: uuid.UUID | None, state: str | None, *, uow: UnitOfWork
) -> tuple[list[Session], str | None]:
    return await Sessions(uow).listed(params, assembly_id=assembly_id, state=state)


async def move(
    session_id: uuid.UUID,
    target: str,
    *,
    if_match: str | None,
    reason: str | None,
    now: datetime,
    uow: UnitOfWork,
) -> Session:
    """Open, close or cancel a session. Closing checks everyone out at the close, closes
    no vote that is still open (that is refused), and publishes the attendance."""
    session = await Sessions(uow).get(session_id, lock=True)
    check_if_match(if_match, version=session.version)
    state = calendar.transition(session.state, target)
    values: dict[str, Any] = {"state": state, "version": session.version + 1}
    if target == "open":
        calendar.check_opening(session.starts_at, session.ends_at, now)
        values["opened_at"] = now
        if session.kind == calendar.Kind.PLENARY:
            await Sessions(uow).lock_assembly(session.assembly_id)
            already = await Sessions(uow).open_plenaries(session.assembly_id)
            if already:
                raise Conflict(
                    f"Plenary {already[0].id} of this assembly is open: close it first (the "
                    "assembly meets in one plenary at a time).",
                    slug="plenary-open",
                )
        if session.working_group_id is not None:
            values["group_members"] = await WorkingGroups(uow).members(session.working_group_id)
    elif target == "cancelled":
        if not reason:
            raise Invalid("Say why the session is cancelled.", slug="reason-required")
        values["cancel_reason"] = reason
    elif target == "closed":
        still = await Votes(uow).open_in(session_id)
        if still:
            raise Conflict(
                f"Close the session's open votes first: {', '.join(str(v.id) for v in still)}.",
                slug="votes-open",
                votes=[str(v.id) for v in still],
            )
        values["closed_at"] = now
    moved = await Sessions(uow).update(session_id, **values)
    if target == "closed":
        await _publish_attendance(moved, uow=uow)
    return moved


# -- attendance --------------------------------------------------------------------------


@dataclass(frozen=True)
class Stay:
    member_id: str
    first_in: datetime
    last_out: datetime | None  # None: still in
    minutes: int


def _checks(events: list[Presence]) -> list[presence.Check]:
    return [presence.Check(e.member_id, e.at, presence.Kind(e.direction)) for e in events]


def stays(events: list[Presence], *, start: datetime, until: datetime, closed: bool) -> list[Stay]:
    """Each member's time present within the session, from their check-ins and
    check-outs (an interval still open ends at ``until``; once the session is ``closed``
    everyone left at its close)."""
    checks = _checks(events)
    inside = frozenset() if closed else presence.present_at(checks, until)
    found = []
    for member_id, spent in presence.attendance(checks, start, until).items():
        if not spent.intervals:
            continue
        last = None if member_id in inside else spent.intervals[-1].end
        found.append(Stay(member_id, spent.intervals[0].start, last, spent.minutes))
    return sorted(found, key=lambda s: s.member_id)


async def present_now(session: Session, *, now: datetime, uow: UnitOfWork) -> list[str]:
    """Who is checked in at ``now`` and still sits (a member whose term ended or who
    withdrew since checking in no longer counts): the entitled, when a vote opens, and
    the count the quorum is reached by."""
    events = await Attendance(uow).of_session(session.id)
    sitting = frozenset(await sitting_for(session, milan_day(now), uow=uow))
    return sorted(m for m in presence.present_at(_checks(events), now) if m in sitting)


async def check(
    session_id: uuid.UUID,
    member_id: str,
    direction: str,
    *,
    recorded_by: str,
    method: str,
    now: datetime,
    uow: UnitOfWork,
) -> Presence:
    session = await Sessions(uow).get(session_id, lock=True)  # one record at a time
    calendar.require_open(session.state, f"check {direction}")
    if direction == "in":
        await require_attendee(session, member_id, milan_day(now), uow=uow)
        elsewhere = await _present_elsewhere(session.id, member_id, uow=uow)
        if elsewhere:
            raise Conflict(
                f"Member {member_id} is checked in to session {elsewhere[0]}: check them out "
                "there first (nobody attends two sessions at once).",
                slug="present-elsewhere",
                sessions=[str(e) for e in elsewhere],
            )
    events = await Attendance(uow).of_session(session_id)
    presence.check(_checks(events), presence.Check(member_id, now, presence.Kind(direction)))
    return await Attendance(uow).add(
        session_id=session_id,
        member_id=member_id,
        direction=direction,
        at=now,
        recorded_by=recorded_by,
        method=method,
    )


async def _group(session: Session, *, uow: UnitOfWork) -> frozenset[str]:
    """The meeting's group: as it was when the meeting opened (its record does not move
    when the group changes later), or as it is now before that."""
    assert session.working_group_id is not None
    if session.group_members is not None:
        return frozenset(session.group_members)
    return frozenset(await WorkingGroups(uow).members(session.working_group_id))


async def _present_elsewhere(
    session_id: uuid.UUID, member_id: str, *, uow: UnitOfWork
) -> list[uuid.UUID]:
    """The other open sessions the member is checked in to now (the member's roster row
    is locked, so that two sessions cannot check them in at the same moment)."""
    await Roster(uow).get(member_id, lock=True)
    last: dict[uuid.UUID, str] = {}
    for event in await Attendance(uow).of_member_in_open_sessions(member_id):
        last[event.session_id] = event.direction
    return sorted(s for s, d in last.items() if d == "in" and s != session_id)


async def require_attendee(session: Session, member_id: str, day: date, *, uow: UnitOfWork) -> None:
    """Who may check in: a member who sits in the assembly on ``day`` and, at a
    working-group meeting, belongs to the group."""
    if not await Roster(uow).sits(session.assembly_id, member_id, day):
        raise Conflict(
            f"Member {member_id} does not sit in this assembly today.", slug="not-sitting"
        )
    if session.working_group_id is not None and member_id not in await _group(session, uow=uow):
        raise Conflict(
            f"Member {member_id} is not a member of this meeting's working group.",
            slug="not-in-group",
        )


async def sitting_for(session: Session, day: date, *, uow: UnitOfWork) -> list[str]:
    """Who the session is for on ``day``: the assembly's sitting members, or, at a
    working-group meeting, those of the group's members who sit."""
    sitting = [m.member_id for m in await Roster(uow).sitting(session.assembly_id, day)]
    if session.working_group_id is None:
        return sitting
    group = await _group(session, uow=uow)
    return [m for m in sitting if m in group]


@dataclass(frozen=True)
class Quorum:
    present: int
    sitting: int
    needed: int
    reached: bool
    rule: str


async def quorum(session: Session, *, now: datetime, uow: UnitOfWork) -> Quorum:
    """More than half of the sitting members (of the group, at a working-group meeting),
    by default; the assembly's rules say."""
    rules = await rules_of(session.assembly_id, uow=uow)
    rule = majority.QuorumRule(
        numerator=rules.quorum_numerator,
        denominator=rules.quorum_denominator,
        strict=rules.quorum_strict,
    )
    sitting = len(await sitting_for(session, milan_day(now), uow=uow))
    here = len(await present_now(session, now=now, uow=uow))
    return Quorum(
        present=here,
        sitting=sitting,
        needed=majority.quorum_needed(sitting, rule),
        reached=majority.quorum(here, sitting, rule),
        rule=rule.describe(),
    )


@dataclass(frozen=True)
class AttendanceNow:
    present: list[str]
    stays: list[Stay]
    quorum: Quorum


async def attendance_of(session_id: uuid.UUID, *, now: datetime, uow: UnitOfWork) -> AttendanceNow:
    """Who is present, each member's time so far (or in all, once closed), the quorum."""
    session = await Sessions(uow).get(session_id)
    events = await Attendance(uow).of_session(session_id)
    until = session.closed_at or now
    start = session.opened_at or until
    closed = session.closed_at is not None
    return AttendanceNow(
        present=[] if closed else sorted(presence.present_at(_checks(events), until)),
        stays=stays(events, start=start, until=until, closed=closed),
        quorum=await quorum(session, now=until, uow=uow),
    )


async def _publish_attendance(session: Session, *, uow: UnitOfWork) -> None:
    assert session.opened_at is not None
    assert session.closed_at is not None
    events = await Attendance(uow).of_session(session.id)
    found = stays(events, start=session.opened_at, until=session.closed_at, closed=True)
    uow.emit(
        AttendanceRecorded(
            session_id=session.id,
            assembly_id=session.assembly_id,
            kind=session.kind,
            held_on=milan_day(session.opened_at),
            opened_at=session.opened_at,
            closed_at=session.closed_at,
            attended=[
                Attended(
                    member_id=s.member_id,
                    minutes=s.minutes,
                    first_in=s.first_in,
                    last_out=s.last_out or session.closed_at,  # never None once closed
                )
                for s in found
            ],
        ),
        subject=f"session/{session.id}",
    )


# -- check-in codes ----------------------------------------------------------------------

CODE_LIFETIME = timedelta(hours=12)


def check_in_code(secret: bytes, session_id: uuid.UUID, member_id: str, *, now: datetime) -> str:
    """A member's code for one session: their id, sealed (encrypted and authenticated)
    with the session's own key and the time it was made. Unguessable, useless for another
    session, and it shows nothing of the member to whoever sees the QR code."""
    return seal_scoped(secret, session_id.bytes, member_id, at=int(now.timestamp()))


def read_check_in_code(secret: bytes, session_id: uuid.UUID, code: str, *, now: datetime) -> str:
    """The member a code is for, or a 403 for a code that is forged, expired or another
    session's."""
    ttl = int(CODE_LIFETIME.total_seconds())
    member_id = open_scoped(secret, session_id.bytes, code, ttl=ttl, at=int(now.timestamp()))
    if member_id is None:
        raise Forbidden("The check-in code is not valid for this session.", slug="invalid-code")
    return member_id
