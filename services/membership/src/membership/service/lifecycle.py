"""The lifecycle of people and members: transitions by operators, by sortition's events
and by the calendar, each kept in the history with who, when and why."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from common.contracts.membership import (
    MemberActivated,
    MemberDeclined,
    MemberTermEnded,
    MemberWithdrew,
)
from common.contracts.sortition import PanelSelected, ReplacementDrawn
from common.db import UnitOfWork, transaction
from common.events.contracts import ContractHandler, handles
from common.events.envelope import Event
from common.http.etag import check_if_match
from common.http.pagination import PageParams
from membership.adapters.repositories import People, Person, Rounds, Transitions
from membership.context import Context, today
from membership.domain import lifecycle as states
from membership.service.rounds import round_cohort


async def apply(
    person: Person,
    target: str,
    *,
    actor: str,
    reason: str | None,
    ctx: Context,
    uow: UnitOfWork,
    note: str | None = None,
) -> Person:
    """Move a (locked) person to ``target`` if the lifecycle allows it; record it (the
    system's ``reason`` as it is, an operator's ``note`` sealed); emit what the other
    services must hear."""
    states.check_transition(person.state, target)
    values: dict[str, Any] = {
        "state": target,
        "version": person.version + 1,
        "state_changed_at": sa.func.now(),
    }
    if target == states.SELECTED:
        values["reply_by"] = today() + timedelta(days=ctx.settings.reply_days)
    if target in (states.SELECTED, states.CONFIRMED) and person.term_starts_on is None:
        round_ = await Rounds(uow).get(person.round_id)
        _, cohort = await round_cohort(round_, uow=uow)
        if cohort is not None:
            values["term_starts_on"], values["term_ends_on"] = cohort.starts_on, cohort.ends_on
    row = await People(uow).update(person.respondent_id, **values)
    await Transitions(uow).log(
        respondent_id=person.respondent_id,
        from_state=person.state,
        to_state=target,
        actor=actor,
        reason=reason,
        note_sealed=ctx.cipher.seal(note) if note else None,
        key_id=ctx.cipher.current_key_id if note else None,
    )
    ids = {"round_id": person.round_id, "respondent_id": str(person.respondent_id)}
    subject = f"member/{person.respondent_id}"
    if target in (states.DECLINED, states.UNREACHABLE):
        reason = "unreachable" if target == states.UNREACHABLE else "declined"
        uow.emit(MemberDeclined(**ids, reason=reason), subject=subject)
    elif target == states.WITHDRAWN:
        uow.emit(MemberWithdrew(**ids), subject=subject)
    elif target == states.ACTIVE:
        uow.emit(
            MemberActivated(
                **ids,
                assembly_id=person.assembly_id,
                term_starts_on=row.term_starts_on,
                term_ends_on=row.term_ends_on,
            ),
            subject=subject,
        )
    elif target == states.COMPLETED:
        uow.emit(
            MemberTermEnded(**ids, assembly_id=person.assembly_id, term_ends_on=row.term_ends_on),
            subject=subject,
        )
    return row


async def transition(
    respondent_id: uuid.UUID,
    target: str,
    *,
    note: str | None,
    actor: str,
    if_match: str | None,
    ctx: Context,
    uow: UnitOfWork,
) -> Person:
    """An operator's step, with what they wrote about it (sealed)."""
    person = await People(uow).get(respondent_id, lock=True)
    check_if_match(if_match, version=person.version)
    row = await apply(person, target, actor=actor, reason=None, note=note, ctx=ctx, uow=uow)
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
    await People(uow).get(respondent_id)
    rows, token = await Transitions(uow).of_person(respondent_id, params)
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


def _uuids(ids: list[str]) -> set[uuid.UUID]:
    found = set()
    for i in ids:
        try:
            found.add(uuid.UUID(i))
        except ValueError:
            continue  # a respondent imported into sortition by CSV, unknown here
    return found


def on_panel_selected(ctx: Context) -> ContractHandler[PanelSelected]:
    @handles(PanelSelected)
    async def on_panel_selected(data: PanelSelected, event: Event, uow: UnitOfWork) -> None:
        """The draw: the panel is selected, the reserves wait, the others were not."""
        panel, reserves = _uuids(data.panel), _uuids(data.reserves)
        await Rounds(uow).mark_drawn(data.round_id)
        for person in await People(uow).in_state(data.round_id, states.REGISTERED):
            target = (
                states.SELECTED
                if person.respondent_id in panel
                else states.RESERVE
                if person.respondent_id in reserves
                else states.NOT_SELECTED
            )
            await apply(person, target, actor="sortition", reason="the draw", ctx=ctx, uow=uow)

    return on_panel_selected


async def _end_seat(data: ReplacementDrawn, *, ctx: Context, uow: UnitOfWork) -> None:
    """A replacement drawn by an operator for someone membership still seats ends that
    seat here too, so that the two services never count more people than seats: before
    confirmation as the reason says (declined, unreachable), after it as a withdrawal.
    The leaving event this emits finds the replacement already drawn in sortition."""
    leaving = _uuids([data.leaving])
    if not leaving:
        return
    person = await People(uow).of_round(leaving.pop(), data.round_id)
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


def on_replacement_drawn(ctx: Context) -> ContractHandler[ReplacementDrawn]:
    @handles(ReplacementDrawn)
    async def on_replacement_drawn(data: ReplacementDrawn, event: Event, uow: UnitOfWork) -> None:
        await _end_seat(data, ctx=ctx, uow=uow)
        joining = _uuids([data.joining]) if data.joining else set()
        if not joining:
            return  # nobody could replace them, or not someone registered here
        person = await People(uow).of_round(joining.pop(), data.round_id)
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

    return on_replacement_drawn


async def run_schedule(ctx: Context, *, uow_factory: Callable[[], UnitOfWork]) -> dict[str, int]:
    """What the calendar does by itself: the unanswered become unreachable after the reply
    deadline, the trained become active when their term starts, the active complete it
    when it ends. One person per transaction, locked with SKIP LOCKED, so that several
    instances may run it at once."""
    day = today()
    rules: list[tuple[list[str], dict[str, date], str, str]] = [
        (
            [states.SELECTED, states.CONTACTED],
            {"reply_by_before": day},
            states.UNREACHABLE,
            "no answer by the reply deadline",
        ),
        ([states.TRAINED], {"term_starts_by": day}, states.ACTIVE, "the term starts"),
        ([states.ACTIVE], {"term_ended_before": day}, states.COMPLETED, "the term ended"),
    ]
    done: dict[str, int] = {}
    for in_states, dates, target, reason in rules:
        moved = 0
        while True:
            async with transaction(uow_factory) as uow:
                person = await People(uow).next_due(in_states, **dates)
                if person is None:
                    break
                await apply(person, target, actor="schedule", reason=reason, ctx=ctx, uow=uow)
                moved += 1
        done[target] = moved
    return done
