"""Personal data: reads (each one audited), the right of access, erasure on request and by
retention, and the re-encryption that key rotation needs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from common.contracts.membership import PersonErased
from common.db import UnitOfWork, transaction
from common.errors import Conflict
from common.http.pagination import PageParams, keyset_page, page_of
from membership.adapters.repositories import People, Person
from membership.adapters.tables import (
    consents,
    invitations,
    people,
    personal_data_reads,
    rounds,
    transitions,
)
from membership.context import Context, today
from membership.domain import lifecycle as states

FORMER = (states.COMPLETED, states.WITHDRAWN, states.DECLINED, states.UNREACHABLE)
ROTATE_BATCH = 500
#: Every sealed column, with its table's key: what key rotation re-encrypts.
SEALED = (
    (people, people.c.respondent_id, people.c.personal),
    (invitations, invitations.c.id, invitations.c.code_sealed),
    (transitions, transitions.c.id, transitions.c.note_sealed),
    (personal_data_reads, personal_data_reads.c.id, personal_data_reads.c.note_sealed),
)


async def _audit(
    actor: str,
    action: str,
    *,
    uow: UnitOfWork,
    respondent_id: uuid.UUID | None = None,
    note: str | None = None,
    ctx: Context | None = None,
) -> None:
    """Record a read, export or erasure; what an operator wrote about it is sealed."""
    sealed = ctx.cipher.seal(note) if note and ctx else None
    await uow.session.execute(
        sa.insert(personal_data_reads).values(
            actor=actor,
            respondent_id=respondent_id,
            action=action,
            note_sealed=sealed,
            key_id=ctx.cipher.current_key_id if sealed and ctx else None,
        )
    )


async def read_person(
    respondent_id: uuid.UUID, *, actor: str, ctx: Context, uow: UnitOfWork
) -> tuple[Person, dict[str, Any] | None]:
    """The person with their personal fields opened; the read is recorded."""
    row = await People(uow).get(respondent_id)
    await _audit(actor, "read", respondent_id=respondent_id, uow=uow)
    return row, ctx.cipher.open(row.personal) if row.personal else None


async def list_people(
    params: PageParams,
    *,
    round_id: uuid.UUID | None,
    state: str | None,
    uow: UnitOfWork,
) -> tuple[list[Any], str | None]:
    """Pseudonymous rows only: no personal field leaves through a list."""
    stmt = sa.select(people)
    if round_id is not None:
        stmt = stmt.where(people.c.round_id == round_id)
    if state is not None:
        stmt = stmt.where(people.c.state == state)
    stmt = keyset_page(
        stmt, created_at=people.c.registered_at, id=people.c.respondent_id, params=params
    )
    return page_of((await uow.session.execute(stmt)).all(), params)


async def access_export(
    respondent_id: uuid.UUID, *, actor: str, ctx: Context, uow: UnitOfWork
) -> dict[str, Any]:
    """Everything held about a person (the right of access), and the record of the export."""
    row = await People(uow).get(respondent_id)
    letter = (
        await uow.session.execute(
            sa.select(invitations).where(invitations.c.id == row.invitation_id)
        )
    ).one()
    given = (
        await uow.session.execute(
            sa.select(consents)
            .where(consents.c.respondent_id == respondent_id)
            .order_by(consents.c.id)
        )
    ).all()
    moves = (
        await uow.session.execute(
            sa.select(transitions)
            .where(transitions.c.respondent_id == respondent_id)
            .order_by(transitions.c.id)
        )
    ).all()
    await _audit(actor, "access-export", respondent_id=respondent_id, uow=uow)
    reads = (
        await uow.session.execute(
            sa.select(personal_data_reads)
            .where(personal_data_reads.c.respondent_id == respondent_id)
            .order_by(personal_data_reads.c.id)
        )
    ).all()
    return {
        "respondent_id": str(row.respondent_id),
        "round_id": str(row.round_id),
        "assembly_id": str(row.assembly_id),
        "personal": ctx.cipher.open(row.personal) if row.personal else None,
        "erased_at": row.erased_at.isoformat() if row.erased_at else None,
        "features": row.features,
        "household_ref": row.household_ref,
        "channel": row.channel,
        "listed": row.listed,
        "state": row.state,
        "term_starts_on": row.term_starts_on.isoformat() if row.term_starts_on else None,
        "term_ends_on": row.term_ends_on.isoformat() if row.term_ends_on else None,
        "registered_at": row.registered_at.isoformat(),
        "invitation": {
            "person_ref": letter.person_ref,
            "expires_on": letter.expires_on.isoformat(),
            "used_at": letter.used_at.isoformat() if letter.used_at else None,
        },
        "consents": [
            {"purpose": c.purpose, "granted": c.granted, "source": c.source, "at": c.at.isoformat()}
            for c in given
        ],
        "history": [
            {
                "from": t.from_state,
                "to": t.to_state,
                "actor": t.actor,
                "reason": t.reason,
                "note": ctx.cipher.open(t.note_sealed) if t.note_sealed else None,
                "at": t.at.isoformat(),
            }
            for t in moves
        ],
        "reads": [{"actor": r.actor, "action": r.action, "at": r.at.isoformat()} for r in reads],
    }


async def _erase(
    row: Any, *, actor: str, reason: str, uow: UnitOfWork, ctx: Context | None = None
) -> None:
    """The personal fields go, and with them every note operators wrote about the person;
    ``reason`` is the system's own words, or, with ``ctx``, an operator's (sealed)."""
    for table in (transitions, personal_data_reads):
        await uow.session.execute(
            sa.update(table)
            .where(table.c.respondent_id == row.respondent_id, table.c.note_sealed.is_not(None))
            .values(note_sealed=None, key_id=None)
        )
    await uow.session.execute(
        sa.update(people)
        .where(people.c.respondent_id == row.respondent_id)
        .values(
            personal=None,
            key_id=None,
            listed=False,
            request_digest="",
            erased_at=sa.func.now(),
        )
    )
    if ctx is None:
        await _audit(actor, f"erase: {reason}", respondent_id=row.respondent_id, uow=uow)
    else:
        await _audit(actor, "erase", respondent_id=row.respondent_id, uow=uow, note=reason, ctx=ctx)
    uow.emit(
        PersonErased(respondent_id=str(row.respondent_id), round_id=row.round_id),
        subject=f"person/{row.respondent_id}",
    )


async def erase(
    respondent_id: uuid.UUID, *, actor: str, reason: str, ctx: Context, uow: UnitOfWork
) -> Person:
    """Erasure on request: the personal fields go, the pseudonymous id and history stay."""
    row = await People(uow).get(respondent_id, lock=True)
    if row.erased_at is not None:
        raise Conflict("This person's data is already erased.", slug="already-erased")
    if row.state in states.SEATED:
        raise Conflict(
            "A sitting member's data is needed to run the assembly: record the withdrawal first.",
            slug="member-sitting",
        )
    await _erase(row, actor=actor, reason=reason, uow=uow, ctx=ctx)
    return await People(uow).get(respondent_id)


@dataclass(frozen=True)
class Read:
    actor: str
    respondent_id: uuid.UUID | None
    round_id: uuid.UUID | None
    action: str
    note: str | None
    note_withheld: bool
    at: datetime


async def reads(
    respondent_id: uuid.UUID | None,
    params: PageParams,
    *,
    open_notes: bool,
    ctx: Context,
    uow: UnitOfWork,
) -> tuple[list[Read], str | None]:
    """The record of reads, oldest first, a page at a time; notes open for operators."""
    stmt = sa.select(personal_data_reads)
    if respondent_id is not None:
        stmt = stmt.where(personal_data_reads.c.respondent_id == respondent_id)
    stmt = keyset_page(
        stmt, created_at=personal_data_reads.c.at, id=personal_data_reads.c.id, params=params
    )
    rows, token = page_of((await uow.session.execute(stmt)).all(), params)
    return [
        Read(
            actor=r.actor,
            respondent_id=r.respondent_id,
            round_id=r.round_id,
            action=r.action,
            **ctx.note(r.note_sealed, readable=open_notes),
            at=r.at,
        )
        for r in rows
    ], token


async def apply_retention(ctx: Context, *, uow_factory: Callable[[], UnitOfWork]) -> int:
    """Erase, one person per transaction: respondents not selected (nor kept on a reserve
    list by their consent) some time after the draw, and former members some time after
    their term or their leaving."""
    settings = ctx.settings
    not_selected = sa.and_(
        people.c.state.in_([states.NOT_SELECTED, states.RESERVE]),
        people.c.reserve_consent.is_(False),
        rounds.c.drawn_at < sa.func.now() - timedelta(days=settings.retention_not_selected_days),
    )
    former_since = sa.func.coalesce(
        sa.case(
            (people.c.state == states.COMPLETED, people.c.term_ends_on),
            else_=sa.cast(people.c.state_changed_at, sa.Date),
        ),
        sa.cast(people.c.state_changed_at, sa.Date),
    )
    former = sa.and_(
        people.c.state.in_(FORMER),
        former_since < today() - timedelta(days=settings.retention_former_members_days),
    )
    erased = 0
    while True:
        async with transaction(uow_factory) as uow:
            row = (
                await uow.session.execute(
                    sa.select(people)
                    .join(rounds, rounds.c.id == people.c.round_id)
                    .where(people.c.erased_at.is_(None), sa.or_(not_selected, former))
                    .limit(1)
                    .with_for_update(of=people, skip_locked=True)
                )
            ).first()
            if row is None:
                return erased
            await _erase(row, actor="retention", reason="retention period over", uow=uow)
            erased += 1


async def rotate_keys(ctx: Context, *, uow_factory: Callable[[], UnitOfWork]) -> int:
    """Re-encrypt, under the current key, what an older configured key sealed; a batch at
    a time. Values under a key this instance does not hold are left for one that does."""
    current = ctx.cipher.current_key_id
    older = [k for k in ctx.cipher.key_ids if k != current]
    moved = 0
    if not older:
        return 0
    for table, key, sealed in SEALED:
        while True:
            async with transaction(uow_factory) as uow:
                batch = (
                    await uow.session.execute(
                        sa.select(key, sealed)
                        .where(table.c.key_id.in_(older), sealed.is_not(None))
                        .limit(ROTATE_BATCH)
                        .with_for_update(skip_locked=True)
                    )
                ).all()
                if not batch:
                    break
                for row_key, value in batch:
                    await uow.session.execute(
                        sa.update(table)
                        .where(key == row_key)
                        .values({sealed.name: ctx.cipher.rotate(value), "key_id": current})
                    )
                moved += len(batch)
    return moved


async def key_usage(*, uow: UnitOfWork) -> dict[str, int]:
    """How many sealed values each key holds: an old key may go when it holds none."""
    found: dict[str, int] = {}
    for table, _, _ in SEALED:
        for key_id, n in (
            await uow.session.execute(
                sa.select(table.c.key_id, sa.func.count())
                .where(table.c.key_id.is_not(None))
                .group_by(table.c.key_id)
            )
        ).all():
            found[key_id] = found.get(key_id, 0) + n
    return found
