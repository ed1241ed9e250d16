"""Personal data: reads (each one audited), the right of access, erasure on request and by
retention, and the re-encryption that key rotation needs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from common.contracts.membership import PersonErased
from common.db import UnitOfWork, transaction
from common.errors import Conflict
from common.http.pagination import PageParams
from membership.adapters.repositories import (
    Consents,
    Letters,
    People,
    Person,
    PersonalDataReads,
    SealedValues,
    Transitions,
)
from membership.context import Context, today
from membership.domain import lifecycle as states

FORMER = (states.COMPLETED, states.WITHDRAWN, states.DECLINED, states.UNREACHABLE)
ROTATE_BATCH = 500


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
    await PersonalDataReads(uow).log(
        actor=actor,
        respondent_id=respondent_id,
        action=action,
        note_sealed=sealed,
        key_id=ctx.cipher.current_key_id if sealed and ctx else None,
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
) -> tuple[list[Person], str | None]:
    """Pseudonymous rows only: no personal field leaves through a list."""
    return await People(uow).listed(params, round_id=round_id, state=state)


async def access_export(
    respondent_id: uuid.UUID, *, actor: str, ctx: Context, uow: UnitOfWork
) -> dict[str, Any]:
    """Everything held about a person (the right of access), and the record of the export."""
    row = await People(uow).get(respondent_id)
    letter = await Letters(uow).get(row.invitation_id)
    given = await Consents(uow).of_person(respondent_id)
    moves = await Transitions(uow).history(respondent_id)
    await _audit(actor, "access-export", respondent_id=respondent_id, uow=uow)
    reads = await PersonalDataReads(uow).of_person(respondent_id)
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
    row: Person, *, actor: str, reason: str, uow: UnitOfWork, ctx: Context | None = None
) -> None:
    """The personal fields go, and with them every note operators wrote about the person;
    ``reason`` is the system's own words, or, with ``ctx``, an operator's (sealed)."""
    await Transitions(uow).forget_notes(row.respondent_id)
    await PersonalDataReads(uow).forget_notes(row.respondent_id)
    await People(uow).forget_personal(row.respondent_id)
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
    rows, token = await PersonalDataReads(uow).listed(params, respondent_id=respondent_id)
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
    erased = 0
    while True:
        async with transaction(uow_factory) as uow:
            row = await People(uow).next_to_erase(
                not_selected=[states.NOT_SELECTED, states.RESERVE],
                drawn_before=timedelta(days=settings.retention_not_selected_days),
                former=FORMER,
                completed=states.COMPLETED,
                former_before=today() - timedelta(days=settings.retention_former_members_days),
            )
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
    for column in range(len(SealedValues.COLUMNS)):
        while True:
            async with transaction(uow_factory) as uow:
                sealed = SealedValues(uow)
                batch = await sealed.batch(column, older, ROTATE_BATCH)
                if not batch:
                    break
                for row_key, value in batch:
                    await sealed.replace(column, row_key, ctx.cipher.rotate(value), current)
                moved += len(batch)
    return moved


async def key_usage(*, uow: UnitOfWork) -> dict[str, int]:
    """How many sealed values each key holds: an old key may go when it holds none."""
    return await SealedValues(uow).usage()
