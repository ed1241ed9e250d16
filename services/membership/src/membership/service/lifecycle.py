"""The lifecycle of people and members: transitions by operators, by sortition's events
and by the calendar, each kept in the history with who, when and why."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, ValidationError

from common.db import UnitOfWork
from common.errors import NotFound, PermanentEventError
from common.events.envelope import Event
from common.http.etag import check_if_match
from common.http.pagination import PageParams, keyset_page, page_of
from membership.adapters.tables import people, rounds, transitions
from membership.context import Context, today
from membership.domain import lifecycle as states
from membership.service.rounds import round_cohort

MEMBER_DECLINED = "membership.member.declined.v1"
MEMBER_WITHDREW = "membership.member.withdrew.v1"
MEMBER_ACTIVATED = "membership.member.activated.v1"
MEMBER_TERM_ENDED = "membership.member.term_ended.v1"


async def _person(respondent_id: uuid.UUID, *, uow: UnitOfWork, lock: bool = True) -> Any:
    stmt = sa.select(people).where(people.c.respondent_id == respondent_id)
    row = (await uow.session.execute(stmt.with_for_update() if lock else stmt)).first()
    if row is None:
        raise NotFound("No person with that respondent id.", slug="person-not-found")
    return row


async def apply(
    person: Any,
    target: str,
    *,
    actor: str,
    reason: str | None,
    ctx: Context,
    uow: UnitOfWork,
    note: str | None = None,
) -> Any:
    """Move a (locked) person to ``target`` if the lifecycle allows it; record it (the
    system's ``reason`` as it is, an operator's ``note`` sealed); emit what the other
    services must hear. The caller commits."""
    states.check_transition(person.state, target)
    values: dict[str, Any] = {
        "state": target,
        "version": person.version + 1,
        "state_changed_at": sa.func.now(),
    }
    if target == states.SELECTED:
        values["reply_by"] = today() + timedelta(days=ctx.settings.reply_days)
    if target in (states.SELECTED, states.CONFIRMED) and person.term_starts_on is None:
        round_ = (
            await uow.session.execute(sa.select(rounds).where(rounds.c.id == person.round_id))
        ).one()
        _, cohort = await round_cohort(round_, uow=uow)
        if cohort is not None:
            values["term_starts_on"], values["term_ends_on"] = cohort.starts_on, cohort.ends_on
    row = (
        await uow.session.execute(
            sa.update(people)
            .where(people.c.respondent_id == person.respondent_id)
            .values(**values)
            .returning(people)
        )
    ).one()
    await uow.session.execute(
        sa.insert(transitions).values(
            respondent_id=person.respondent_id,
            from_state=person.state,
            to_state=target,
            actor=actor,
            reason=reason,
            note_sealed=ctx.cipher.seal(note) if note else None,
            key_id=ctx.cipher.current_key_id if note else None,
        )
    )
    ids = {"round_id": str(person.round_id), "respondent_id": str(person.respondent_id)}
    subject = f"member/{person.respondent_id}"
    if target in (states.DECLINED, states.UNREACHABLE):
        uow.emit(MEMBER_DECLINED, {**ids, "reason": target}, subject=subject)
    elif target == states.WITHDRAWN:
        uow.emit(MEMBER_WITHDREW, ids, subject=subject)
    elif target == states.ACTIVE:
        uow.emit(
            MEMBER_ACTIVATED,
            {
                **ids,
                "assembly_id": str(person.assembly_id),
                "term_starts_on": _iso(row.term_starts_on),
                "term_ends_on": _iso(row.term_ends_on),
            },
            subject=subject,
        )
    elif target == states.COMPLETED:
        uow.emit(
            MEMBER_TERM_ENDED,
            {**ids, "assembly_id": str(person.assembly_id), "term_ends_on": _iso(row.term_ends_on)},
            subject=subject,
        )
    return row


def _iso(day: Any) -> str | None:
    return day.isoformat() if day else None


async def transition(
    respondent_id: uuid.UUID,
    target: str,
    *,
    note: str | None,
    actor: str,
    if_match: str | None,
    ctx: Context,
    uow: UnitOfWork,
) -> Any:
    """An operator's step, with what they wrote about it (sealed)."""
    person = await _person(respondent_id, uow=uow)
    check_if_match(if_match, version=person.version)
    row = await apply(person, target, actor=actor, reason=None, note=note, ctx=ctx, uow=uow)
    await uow.commit()
    return row


@dataclass(frozen=True)
class Step:
    """One transition as a reader may see it: the note opened only for those who may."""

    id: int
    from_state: str | None
    to_state: str
    actor: str
    reason: str | None
    note: str | None
    note_withheld: bool
    at: datetime


async def history(
    respondent_id: uuid.UUID,
    params: PageParams,
    *,
    open_notes: bool,
    ctx: Context,
    uow: UnitOfWork,
) -> tuple[list[Step], str | None]:
    await _person(respondent_id, uow=uow, lock=False)
    stmt = keyset_page(
        sa.select(transitions).where(transitions.c.respondent_id == respondent_id),
        created_at=transitions.c.at,
        id=transitions.c.id,
        params=params,
    )
    rows, token = page_of((await uow.session.execute(stmt)).all(), params)
    return [
        Step(
            id=r.id,
            from_state=r.from_state,
            to_state=r.to_state,
            actor=r.actor,
            reason=r.reason,
            **ctx.note(r.note_sealed, readable=open_notes),
            at=r.at,
        )
        for r in rows
    ], token


class _Selected(BaseModel):
    model_config = ConfigDict(extra="ignore")

    round_id: uuid.UUID
    panel: list[str]
    reserves: list[str] = []


class _Replacement(BaseModel):
    model_config = ConfigDict(extra="ignore")

    round_id: uuid.UUID
    leaving: str
    joining: str | None = None
    reason: str = "declined"


def _uuids(ids: list[str]) -> set[uuid.UUID]:
    found = set()
    for i in ids:
        try:
            found.add(uuid.UUID(i))
        except ValueError:
            continue  # a respondent imported into sortition by CSV, unknown here
    return found


def on_panel_selected(ctx: Context) -> Callable[..., Any]:
    async def handle(event: Event, *, uow: UnitOfWork) -> None:
        """The draw: the panel is selected, the reserves wait, the others were not."""
        try:
            data = _Selected.model_validate(event.data)
        except ValidationError as exc:
            raise PermanentEventError(f"invalid panel: {exc.error_count()} error(s)") from exc
        panel, reserves = _uuids(data.panel), _uuids(data.reserves)
        await uow.session.execute(
            sa.update(rounds).where(rounds.c.id == data.round_id).values(drawn_at=sa.func.now())
        )
        registered = (
            await uow.session.execute(
                sa.select(people)
                .where(people.c.round_id == data.round_id, people.c.state == states.REGISTERED)
                .order_by(people.c.respondent_id)
                .with_for_update()
            )
        ).all()
        for person in registered:
            target = (
                states.SELECTED
                if person.respondent_id in panel
                else states.RESERVE
                if person.respondent_id in reserves
                else states.NOT_SELECTED
            )
            await apply(person, target, actor="sortition", reason="the draw", ctx=ctx, uow=uow)

    handle.__name__ = "on_panel_selected"
    return handle


async def _end_seat(data: _Replacement, *, ctx: Context, uow: UnitOfWork) -> None:
    """A replacement drawn by an operator for someone membership still seats ends that
    seat here too, so that the two services never count more people than seats: before
    confirmation as the reason says (declined, unreachable), after it as a withdrawal.
    The leaving event this emits finds the replacement already drawn in sortition."""
    leaving = _uuids([data.leaving])
    if not leaving:
        return
    person = (
        await uow.session.execute(
            sa.select(people)
            .where(people.c.respondent_id == leaving.pop(), people.c.round_id == data.round_id)
            .with_for_update()
        )
    ).first()
    if person is None:
        return
    if person.state in states.SEATED:
        target = states.WITHDRAWN
    elif person.state in (states.SELECTED, states.CONTACTED):
        target = states.UNREACHABLE if data.reason == "unreachable" else states.DECLINED
    else:
        return  # already left: the replacement followed membership's own event
    await apply(
        person,
        target,
        actor="sortition",
        reason=f"replaced by {data.joining or 'nobody'} ({data.reason})",
        ctx=ctx,
        uow=uow,
    )


def on_replacement_drawn(ctx: Context) -> Callable[..., Any]:
    async def handle(event: Event, *, uow: UnitOfWork) -> None:
        try:
            data = _Replacement.model_validate(event.data)
        except ValidationError as exc:
            raise PermanentEventError(f"invalid replacement: {exc.error_count()}") from exc
        await _end_seat(data, ctx=ctx, uow=uow)
        joining = _uuids([data.joining]) if data.joining else set()
        if not joining:
            return  # nobody could replace them, or not someone registered here
        person = (
            await uow.session.execute(
                sa.select(people)
                .where(people.c.respondent_id == joining.pop(), people.c.round_id == data.round_id)
                .with_for_update()
            )
        ).first()
        if person is None or person.state == states.SELECTED:
            return
        await apply(
            person,
            states.SELECTED,
            actor="sortition",
            reason=f"replaces {data.leaving}",
            ctx=ctx,
            uow=uow,
        )

    handle.__name__ = "on_replacement_drawn"
    return handle


async def run_schedule(ctx: Context, *, uow_factory: Callable[[], UnitOfWork]) -> dict[str, int]:
    """What the calendar does by itself: the unanswered become unreachable after the reply
    deadline, the trained become active when their term starts, the active complete it
    when it ends. One person per transaction, locked with SKIP LOCKED, so that several
    instances may run it at once."""
    day = today()
    rules = [
        (
            (people.c.state.in_([states.SELECTED, states.CONTACTED]), people.c.reply_by < day),
            states.UNREACHABLE,
            "no answer by the reply deadline",
        ),
        (
            (people.c.state == states.TRAINED, people.c.term_starts_on <= day),
            states.ACTIVE,
            "the term starts",
        ),
        (
            (people.c.state == states.ACTIVE, people.c.term_ends_on < day),
            states.COMPLETED,
            "the term ended",
        ),
    ]
    done: dict[str, int] = {}
    for conditions, target, reason in rules:
        moved = 0
        while True:
            async with uow_factory() as uow:
                person = (
                    await uow.session.execute(
                        sa.select(people)
                        .where(*conditions)
                        .limit(1)
                        .with_for_update(skip_locked=True)
                    )
                ).first()
                if person is None:
                    break
                await apply(person, target, actor="schedule", reason=reason, ctx=ctx, uow=uow)
                await uow.commit()
                moved += 1
        done[target] = moved
    return done
