"""Invitations: one per letter drawn by sortition, each with its code; the mail house's
export, built in the background with progress; letters returned as undeliverable."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from common.contracts.sortition import InvitationsDrawn
from common.dates import milan_day
from common.db import UnitOfWork, transaction
from common.errors import PermanentEventError
from common.events.contracts import ContractHandler, handles
from common.events.envelope import Event
from membership.adapters.repositories import (
    Export,
    Exports,
    Letters,
    PersonalDataReads,
    Rounds,
)
from membership.context import Context
from membership.domain.codes import digest, new_code, normalise
from membership.service.rounds import round_cohort

log = logging.getLogger(__name__)
EXPORT_BATCH = 1_000
STALE_EXPORT = timedelta(minutes=2)


def letter_expiry(
    sent_on: date, *, training_starts_on: date | None, valid_days: int, reply_days: int
) -> date:
    """The last day a letter's code registers: ``valid_days`` after the draw of the letters
    (the day of their event, so that a redelivery gives the same date), but never so late
    that the selected could not answer within ``reply_days`` before training starts:
    registration closes before the draw, which comes before the replies."""
    expires = sent_on + timedelta(days=valid_days)
    if training_starts_on is not None:
        expires = min(expires, training_starts_on - timedelta(days=reply_days + 1))
    return expires


def on_invitations_drawn(ctx: Context) -> ContractHandler[InvitationsDrawn]:
    @handles(InvitationsDrawn)
    async def on_invitations_drawn(data: InvitationsDrawn, event: Event, uow: UnitOfWork) -> None:
        """One invitation, with a fresh code, per letter of the batch."""
        known = await Rounds(uow).find(data.round_id)
        if known is None:
            raise PermanentEventError("invitations for a round membership does not know")
        _, cohort = await round_cohort(known, uow=uow)
        expires = letter_expiry(
            milan_day(event.time),
            training_starts_on=cohort.training_starts_on if cohort else None,
            valid_days=ctx.settings.invitation_valid_days,
            reply_days=ctx.settings.reply_days,
        )
        rows = []
        for letter in data.invitations:
            code = new_code()
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "round_id": data.round_id,
                    "sequence": letter.sequence,
                    "person_ref": letter.person_ref,
                    "household_ref": letter.household_ref,
                    "code_digest": digest(normalise(code) or ""),
                    "code_sealed": ctx.cipher.seal(code),
                    "key_id": ctx.cipher.current_key_id,
                    "status": "issued",
                    "expires_on": expires,
                }
            )
        await Letters(uow).issue(rows)

    return on_invitations_drawn


async def counts(round_id: uuid.UUID, *, uow: UnitOfWork) -> dict[str, int]:
    found = await Letters(uow).count_by_status(round_id)
    return {s: found.get(s, 0) for s in ("issued", "undeliverable", "used")}


async def mark_undeliverable(
    round_id: uuid.UUID, person_refs: list[str], *, uow: UnitOfWork
) -> dict[str, Any]:
    marked_refs = await Letters(uow).mark_undeliverable(round_id, person_refs)
    present = await Letters(uow).statuses(round_id, person_refs)
    return {
        "marked": len(marked_refs),
        "unknown": sorted(set(person_refs) - set(present)),
        "already_registered": sorted(ref for ref, status in present.items() if status == "used"),
    }


async def start_export(round_id: uuid.UUID, *, actor: str, uow: UnitOfWork) -> Export:
    total = (await Letters(uow).count_by_status(round_id)).get("issued", 0)
    return await Exports(uow).add(
        id=uuid.uuid4(),
        round_id=round_id,
        status=ExportStatus.RUNNING,
        total=total,
        requested_by=actor,
    )


async def run_export(
    export_id: uuid.UUID, *, ctx: Context, uow_factory: Callable[[], UnitOfWork]
) -> None:
    """Builds the mail-merge CSV a batch at a time, writing its progress as it goes."""
    try:
        async with transaction(uow_factory) as uow:
            job = await Exports(uow).get(export_id)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["person_ref", "code", "registration_url", "reply_by"])
        after, done = 0, 0
        while True:
            async with transaction(uow_factory) as uow:
                batch = await Letters(uow).issued_after(job.round_id, after, EXPORT_BATCH)
                for letter in batch:
                    writer.writerow(
                        [
                            letter.person_ref,
                            ctx.cipher.open(letter.code_sealed),
                            ctx.settings.registration_url,
                            letter.expires_on.isoformat(),
                        ]
                    )
                done += len(batch)
                last = not batch or len(batch) < EXPORT_BATCH
                values: dict[str, Any] = {"done": done, "updated_at": sa.func.now()}
                if last:
                    values |= {
                        "status": ExportStatus.READY,
                        "content": out.getvalue(),
                        "finished_at": sa.func.now(),
                        "total": done,
                    }
                await Exports(uow).update(export_id, **values)
                if last:
                    return
                after = batch[-1].sequence
            await asyncio.sleep(0)
    except Exception:
        log.exception("export failed", extra={"export_id": str(export_id)})
        async with transaction(uow_factory) as uow:
            await Exports(uow).update(
                export_id,
                status=ExportStatus.FAILED,
                finished_at=sa.func.now(),
                updated_at=sa.func.now(),
            )


class ExportStatus(StrEnum):
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # its process stopped: ask for a new one


@dataclass(frozen=True)
class ExportJob:
    id: uuid.UUID
    round_id: uuid.UUID
    status: ExportStatus
    total: int
    done: int
    content: str | None
    created_at: datetime
    finished_at: datetime | None


async def get_export(export_id: uuid.UUID, *, uow: UnitOfWork) -> ExportJob:
    row = await Exports(uow).get(export_id)
    now = await Exports(uow).now()
    status = ExportStatus(row.status)
    if status is ExportStatus.RUNNING and now - row.updated_at > STALE_EXPORT:
        status = ExportStatus.INTERRUPTED
    return ExportJob(
        id=row.id,
        round_id=row.round_id,
        status=status,
        total=row.total,
        done=row.done,
        content=row.content,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )


async def record_download(export: ExportJob, *, actor: str, uow: UnitOfWork) -> None:
    """The letters' codes open registrations: who downloaded them is kept."""
    await PersonalDataReads(uow).log(
        actor=actor, round_id=export.round_id, action="download-letters"
    )
