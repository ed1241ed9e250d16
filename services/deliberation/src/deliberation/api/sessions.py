"""Sessions, their attendance and the members' check-in codes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from fastapi.responses import PlainTextResponse

from common.auth import Principal, require_roles
from common.dates import milan_day
from common.db import UnitOfWork
from common.http.deps import ReadTx, Tx
from common.http.etag import IfMatch, etag_of
from common.http.pagination import Page, PageParams, page_params
from common.http.problems import problem_responses
from deliberation.adapters import repositories as records
from deliberation.api import schemas as s
from deliberation.domain import sessions as calendar
from deliberation.service import minutes as documents
from deliberation.service import session_documents
from deliberation.service import sessions as service

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])
staff = require_roles("operator", "facilitator")
readers = require_roles("operator", "facilitator", "auditor", "integration")
member = require_roles("member")
SessionId = Annotated[uuid.UUID, Path(description="The session's id.")]


def view(row: records.Session) -> s.Session:
    return s.Session.model_validate(row, from_attributes=True)


def _now() -> datetime:
    return datetime.now(UTC)


def _secret(request: Request) -> bytes:
    secret: str = request.app.state.settings.check_in_secret.get_secret_value()
    return secret.encode()


@router.post(
    "",
    operation_id="sessions-create",
    summary="Schedule a plenary or a working-group meeting",
    description="Agenda items may point to PAC actions (an unknown code is a 422) and to "
    "proposals. A session starts `scheduled`.",
    status_code=status.HTTP_201_CREATED,
    response_model=s.Session,
    responses=problem_responses(
        401,
        403,
        409,
        422,
        slugs={
            409: ["not-submitted"],
            422: [
                "duplicate-agenda-proposal",
                "unknown-assembly",
                "unknown-reference",
                "unknown-pac-action",
                "no-group",
                "plenary-with-group",
                "other-assembly",
            ],
        },
    ),
)
async def create(
    body: s.SessionIn, response: Response, _: Annotated[Principal, Depends(staff)], uow: Tx
) -> s.Session:
    row = await service.schedule(body.values(), uow=uow)
    response.headers["Location"] = f"/v1/sessions/{row.id}"
    response.headers["ETag"] = etag_of(row.version)
    return view(row)


@router.get(
    "",
    operation_id="sessions-list",
    summary="List sessions",
    description="Oldest first, in pages (`limit`, `page_token`); filter by `assembly_id` and by "
    "`state` (`scheduled`, `open`, `closed`, `cancelled`; another value is a 422).",
    response_model=Page[s.Session],
    responses=problem_responses(401, 403, 422),
)
async def list_(
    params: Annotated[PageParams, Depends(page_params)],
    _: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
    assembly_id: Annotated[uuid.UUID | None, Query()] = None,
    state: Annotated[
        s.SessionState | None, Query(description="Only sessions in this state.")
    ] = None,
) -> Page[s.Session]:
    rows, token = await service.listed(params, assembly_id, state, uow=uow)
    return Page[s.Session].of(rows, token)


@router.get(
    "/{session_id}",
    operation_id="sessions-get",
    summary="One session",
    description="Its kind, times, place or link, agenda and state; the ETag is what `PUT "
    "…/agenda` and `POST …/state` need.",
    response_model=s.Session,
    responses=problem_responses(401, 403, 404),
)
async def get(
    session_id: SessionId,
    response: Response,
    _: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
) -> s.Session:
    row = await service.get(session_id, uow=uow)
    response.headers["ETag"] = etag_of(row.version)
    return view(row)


@router.post(
    "/{session_id}/state",
    operation_id="sessions-move",
    summary="Open, close or cancel a session",
    description="`scheduled → open → closed`, or `scheduled → cancelled` (with a reason). "
    "A session opens from two hours before its scheduled start until its scheduled end "
    "(409 `outside-schedule`); an assembly holds one plenary at a time. "
    "Closing is refused while a vote is open; it publishes "
    "`deliberation.attendance.recorded.v1` (who attended, for how long) and draws up the "
    "minutes (Italian and English) as public documents of the session, for the next "
    "plenary to approve. Needs `If-Match`.",
    response_model=s.Session,
    responses=problem_responses(
        401,
        403,
        404,
        409,
        412,
        422,
        428,
        slugs={
            409: ["invalid-transition", "outside-schedule", "votes-open", "plenary-open"],
            422: ["reason-required", "unknown-state"],
        },
    ),
)
async def move(
    session_id: SessionId,
    body: s.SessionMove,
    response: Response,
    principal: Annotated[Principal, Depends(staff)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.Session:
    row = await session_documents.move(
        session_id,
        body.to,
        if_match=if_match,
        reason=body.reason,
        now=_now(),
        actor=principal.subject,
        uow=uow,
    )
    response.headers["ETag"] = etag_of(row.version)
    return view(row)


@router.put(
    "/{session_id}/agenda",
    operation_id="sessions-agenda",
    summary="Replace a session's agenda",
    description="Until the session closes. Votes are held only on proposals on the agenda; "
    "a proposal voted on in the session stays on it (409 `voted-item`). Needs `If-Match`.",
    response_model=s.Session,
    responses=problem_responses(
        401,
        403,
        404,
        409,
        412,
        422,
        428,
        slugs={
            409: ["session-final", "voted-item", "not-submitted"],
            422: [
                "unknown-pac-action",
                "unknown-reference",
                "other-assembly",
                "duplicate-agenda-proposal",
            ],
        },
    ),
)
async def set_agenda(
    session_id: SessionId,
    body: s.AgendaIn,
    response: Response,
    _: Annotated[Principal, Depends(staff)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.Session:
    agenda = [item.model_dump(mode="json") for item in body.agenda]
    row = await service.set_agenda(session_id, agenda, if_match=if_match, uow=uow)
    response.headers["ETag"] = etag_of(row.version)
    return view(row)


@router.put(
    "/{session_id}/schedule",
    operation_id="sessions-reschedule",
    summary="Move a scheduled session",
    description="New start and end (at most 24 hours apart) for a session that has not "
    "opened yet; a session opens only from two hours before its start until its end. "
    "Needs `If-Match`.",
    response_model=s.Session,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428, slugs={409: ["not-scheduled"]}),
)
async def reschedule(
    session_id: SessionId,
    body: s.Reschedule,
    response: Response,
    _: Annotated[Principal, Depends(staff)],
    uow: Tx,
    if_match: IfMatch = None,
) -> s.Session:
    row = await service.reschedule(
        session_id, body.starts_at, body.ends_at, if_match=if_match, uow=uow
    )
    response.headers["ETag"] = etag_of(row.version)
    return view(row)


async def _attendance(session_id: uuid.UUID, *, uow: UnitOfWork) -> s.AttendanceView:
    found = await service.attendance_of(session_id, now=_now(), uow=uow)
    return s.AttendanceView(
        session_id=session_id,
        present=found.present,
        stays=[s.Stay(**vars(x), present=x.member_id in found.present) for x in found.stays],
        quorum=s.Quorum(**vars(found.quorum)),
    )


@router.get(
    "/{session_id}/attendance",
    operation_id="sessions-attendance",
    summary="Who is present, who attended for how long, and the quorum",
    description="Presence is computed from check-ins and check-outs; the quorum from "
    "presence and the assembly's rules (default: more than half of the sitting members).",
    response_model=s.AttendanceView,
    responses=problem_responses(401, 403, 404),
)
async def attendance(
    session_id: SessionId, _: Annotated[Principal, Depends(readers)], uow: ReadTx
) -> s.AttendanceView:
    return await _attendance(session_id, uow=uow)


@router.post(
    "/{session_id}/attendance",
    operation_id="sessions-check-in",
    summary="Check a member in or out",
    description="By a facilitator or operator naming the member, or by the member's own "
    "check-in code (posted by the facilitator's scanner). Only sitting members check in "
    "(at a working-group meeting, the group's members); only while the session is open.",
    response_model=s.AttendanceView,
    responses=problem_responses(
        401,
        403,
        404,
        409,
        422,
        slugs={
            403: ["invalid-code"],
            409: [
                "session-not-open",
                "not-sitting",
                "not-in-group",
                "present-elsewhere",
                "already-checked-in",
                "not-checked-in",
            ],
        },
    ),
)
async def check_in(
    session_id: SessionId,
    body: s.CheckIn,
    request: Request,
    principal: Annotated[Principal, Depends(staff)],
    uow: Tx,
) -> s.AttendanceView:
    now = _now()
    method = "facilitator"
    member_id = body.member_id
    if body.code is not None:
        member_id = service.read_check_in_code(_secret(request), session_id, body.code, now=now)
        method = "code"
    assert member_id is not None
    await service.check(
        session_id,
        member_id,
        body.direction,
        recorded_by=principal.subject,
        method=method,
        now=now,
        uow=uow,
    )
    return await _attendance(session_id, uow=uow)


@router.get(
    "/{session_id}/check-in-code",
    operation_id="sessions-check-in-code",
    summary="My check-in code for a session",
    description="A member's own signed code for this session (valid 12 hours), to show as "
    "a QR code. Only for members who sit (and, for a working-group meeting, belong to "
    "the group).",
    response_model=s.CheckInCode,
    responses=problem_responses(
        401, 403, 404, 409, slugs={409: ["session-final", "not-sitting", "not-in-group"]}
    ),
)
async def check_in_code(
    session_id: SessionId,
    request: Request,
    response: Response,
    principal: Annotated[Principal, Depends(member)],
    uow: ReadTx,
) -> s.CheckInCode:
    row = await service.get(session_id, uow=uow)
    now = _now()
    calendar.require_editable(row.state, "check in")
    await service.require_attendee(row, principal.subject, milan_day(now), uow=uow)
    response.headers["Cache-Control"] = "no-store"
    code = service.check_in_code(_secret(request), session_id, principal.subject, now=now)
    hours = int(service.CODE_LIFETIME.total_seconds() // 3600)
    return s.CheckInCode(session_id=session_id, code=code, expires_in_hours=hours)


@router.get(
    "/{session_id}/minutes",
    operation_id="sessions-minutes",
    summary="The minutes, drawn up from the record",
    description="Attendance, agenda items, amendments and votes with their bases, "
    "thresholds and rules, as Markdown in Italian (`lang=it`) or English; a draft until "
    "the session closes. The next plenary approves them.",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {"text/markdown": {}}, "description": "The minutes."},
        **problem_responses(401, 403, 404, 422),
    },
)
async def minutes(
    session_id: SessionId,
    _: Annotated[Principal, Depends(readers)],
    uow: ReadTx,
    lang: Annotated[Literal["it", "en"], Query(description="The language.")] = "it",
) -> Response:
    body = await documents.minutes(session_id, lang, now=_now(), uow=uow)
    return Response(body, media_type="text/markdown; charset=utf-8")
