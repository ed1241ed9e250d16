"""Stage 1 of the lottery: a round's registry extract and the invitations drawn from it.

The extract arrives as a stream. It is parsed as it comes and written with COPY in
batches, inside one transaction, so that a failed or interrupted upload leaves the previous
extract (or nothing) in place, still ready to draw from; meanwhile the upload's progress is
written to a row of its own (``extract_imports``) in short transactions, for the operator
to follow. Memory stays bounded by the batch and
by the numbering of strata and households, whatever the size of the file.

The draw reads back only the stratum and household number of each eligible row, lets the
seed order them, and records the invitations in the order drawn; they reach membership as
``sortition.invitations.drawn.v1`` events in batches.
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import hashlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import numpy as np
import sqlalchemy as sa

from common.contracts.sortition import InvitationsDrawn, Letter
from common.dates import milan_today
from common.db import UnitOfWork, UnitOfWorkFactory, transaction
from common.errors import Conflict, DomainError, Invalid, NotFound
from common.rotation import resolve_cohort
from sortition.adapters.extracts import Extracts
from sortition.adapters.repositories import (
    Assemblies,
    InvitationDraw,
    InvitationDraws,
    Round,
    Rounds,
)
from sortition.domain import invitations as lottery
from sortition.domain.instance import InstanceError, csv_records
from sortition.domain.invitations import Extract, ExtractReader
from sortition.service.assemblies import rotation_of

STRATUM_FEATURES = ("age_band", "gender", "citizenship", "municipio")
BATCH_ROWS = 50_000
EVENT_BATCH = 500
MAX_INVITATIONS = 100_000

#: Records an upload's progress (in a transaction of its own): the values that changed.
UploadProgress = Callable[[dict[str, Any]], Awaitable[None]]


class UploadStatus(StrEnum):
    IMPORTING = "importing"
    READY = "ready"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # its process stopped: nobody holds the round's lock


@dataclass(frozen=True)
class StratumSize:
    age_band: str
    gender: str
    citizenship: str
    municipio: str
    size: int


@dataclass(frozen=True)
class ExtractInUse:
    """The extract a draw takes: the last upload that succeeded."""

    sha256: str
    rows_read: int
    eligible: int
    households: int
    imported_at: datetime
    strata: list[StratumSize]


@dataclass(frozen=True)
class Upload:
    """The latest upload of a round's extract, as it goes or as it ended."""

    status: UploadStatus
    rows_read: int
    bytes_read: int
    bytes_total: int | None
    error: dict[str, str] | None
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class ExtractState:
    upload: Upload
    in_use: ExtractInUse | None


async def _lock(round_id: uuid.UUID, *, uow: UnitOfWork) -> None:
    """One stage-1 operation at a time per round, for the length of the transaction."""
    if not await Extracts(uow).try_lock(round_id):
        raise Conflict(
            "An extract is being imported or invitations drawn for this round right now.",
            slug="stage1-busy",
        )


async def _check_round(round_id: uuid.UUID, *, uow: UnitOfWork) -> Round:
    return await Rounds(uow).get(round_id)


async def _drawn(round_id: uuid.UUID, *, uow: UnitOfWork) -> bool:
    return await InvitationDraws(uow).find(round_id) is not None


async def _lines(chunks: AsyncIterator[bytes], counter: list[int]) -> AsyncIterator[list[str]]:
    """Complete lines, a chunk at a time, decoded as UTF-8 (a byte-order mark is dropped)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    carry = ""
    async for chunk in chunks:
        counter[0] += len(chunk)
        try:
            text = carry + decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise InstanceError("invalid-extract", "The extract is not UTF-8.") from exc
        lines = text.split("\n")
        carry = lines.pop()
        if lines:
            yield lines
    try:
        rest = carry + decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise InstanceError("invalid-extract", "The extract is not UTF-8.") from exc
    if rest.strip():
        yield [rest]


async def import_extract(
    round_id: uuid.UUID,
    chunks: AsyncIterator[bytes],
    *,
    bytes_total: int | None,
    uow: UnitOfWork,
    progress: UploadProgress,
    every: int = 100_000,
) -> ExtractState:
    """Replace a round's extract with the streamed CSV, or leave the one in use in place.
    People under the assembly's minimum age are counted but not eligible."""
    round_ = await _check_round(round_id, uow=uow)
    assembly = await Assemblies(uow).find(round_.assembly_id)
    minimum_age = assembly.min_age if assembly else 16
    await _lock(round_id, uow=uow)
    if await _drawn(round_id, uow=uow):
        raise Conflict(
            "The round's invitations are drawn: its extract can no longer change.",
            slug="invitations-drawn",
        )
    await progress(
        {"status": UploadStatus.IMPORTING, "rows_read": 0, "bytes_read": 0, "error": sa.null()}
    )
    store = Extracts(uow)
    await store.clear_rows(round_id)
    copy = await store.copier()

    digest = hashlib.sha256()
    counter = [0]

    async def hashed() -> AsyncIterator[bytes]:
        async for chunk in chunks:
            digest.update(chunk)
            yield chunk

    reader: ExtractReader | None = None
    batch: list[tuple[Any, ...]] = []
    reported = 0
    try:
        async for lines in _lines(hashed(), counter):
            records = _records(lines, first_line=reader.rows + 2 if reader else 1)
            if reader is None:
                reader = ExtractReader(next(records, []), minimum_age=minimum_age)
            for record in records:
                if not record:
                    continue
                row = reader.read(record)
                if row is not None:
                    batch.append(
                        (
                            round_id,
                            row.row,
                            row.person_ref,
                            row.household_ref,
                            row.household,
                            row.stratum,
                        )
                    )
            if len(batch) >= BATCH_ROWS:
                await copy(batch)
                batch = []
            if reader.rows - reported >= every:
                reported = reader.rows
                await progress({"rows_read": reader.rows, "bytes_read": counter[0]})
        if reader is None:
            raise InstanceError("invalid-extract", "The extract is empty.")
        if batch:
            await copy(batch)
        if reader.eligible == 0:
            raise InstanceError("invalid-extract", "No one in the extract is old enough.")
    except InstanceError as exc:
        await progress(
            {
                "status": UploadStatus.FAILED,
                "rows_read": reader.rows if reader else 0,
                "bytes_read": counter[0],
                "error": {"slug": exc.code, "detail": str(exc)},
                "finished_at": sa.func.clock_timestamp(),
            }
        )
        raise
    except BaseException as exc:
        # The body was too large, the client went away, or the server is stopping: the
        # transaction rolls back.
        error = (
            {"slug": exc.slug, "detail": exc.detail}
            if isinstance(exc, DomainError)
            else {"slug": "import-interrupted", "detail": "The upload stopped."}
        )
        await asyncio.shield(
            progress(
                {
                    "status": UploadStatus.FAILED,
                    "rows_read": reader.rows if reader else 0,
                    "bytes_read": counter[0],
                    "error": error,
                    "finished_at": sa.func.clock_timestamp(),
                }
            )
        )
        raise

    sizes = np.zeros(len(reader.strata), dtype=np.int64)
    # The sizes per stratum, counted by the database rather than kept row by row here.
    for stratum, size in await store.stratum_sizes(round_id):
        sizes[stratum] = size
    await store.write_strata(
        round_id,
        [
            {
                "stratum": i,
                **dict(zip(STRATUM_FEATURES, key, strict=True)),
                "size": int(sizes[i]),
            }
            for key, i in reader.strata.items()
        ],
    )
    await store.update_upload(
        round_id,
        status=UploadStatus.READY,
        rows_read=reader.rows,
        bytes_read=counter[0],
        error=sa.null(),
        finished_at=sa.func.clock_timestamp(),
    )
    await store.keep(
        round_id,
        status=UploadStatus.READY,
        rows_read=reader.rows,
        eligible=reader.eligible,
        households=len(reader.households),
        bytes_read=counter[0],
        bytes_total=bytes_total,
        sha256=digest.hexdigest(),
        error=sa.null(),
        finished_at=sa.func.clock_timestamp(),
    )
    return await get_extract(round_id, uow=uow)


def _records(lines: list[str], *, first_line: int) -> Iterator[list[str]]:
    """The CSV records of complete lines; a line the csv module cannot read is a 422."""
    return csv_records(csv.reader(lines), "invalid-extract", first_line=first_line)


async def record_progress(
    round_id: uuid.UUID,
    values: dict[str, Any],
    *,
    uow_factory: UnitOfWorkFactory,
    bytes_total: int | None,
) -> None:
    """Write an upload's progress in a transaction of its own, visible at once."""
    async with transaction(uow_factory) as uow:
        if values.get("status") == UploadStatus.IMPORTING:  # a new upload starts afresh
            values = {
                **values,
                "bytes_total": bytes_total,
                "started_at": sa.func.clock_timestamp(),
                "finished_at": None,
            }
            await Extracts(uow).start_upload(round_id, **values)
        else:
            await Extracts(uow).update_upload(round_id, **values)


async def get_extract(round_id: uuid.UUID, *, uow: UnitOfWork) -> ExtractState:
    """The latest upload and the extract in use. An upload whose process died shows as
    interrupted: its row says importing, but nobody holds the round's stage-1 lock any more."""
    await _check_round(round_id, uow=uow)
    store = Extracts(uow)
    attempt = await store.latest_upload(round_id)
    if attempt is None:
        raise NotFound("The round has no registry extract yet.", slug="extract-missing")
    status = UploadStatus(attempt.status)
    if status is UploadStatus.IMPORTING:
        try:
            await _lock(round_id, uow=uow)
        except Conflict:
            pass  # still running
        else:
            status = UploadStatus.INTERRUPTED
    upload = Upload(
        status=status,
        rows_read=attempt.rows_read,
        bytes_read=attempt.bytes_read,
        bytes_total=attempt.bytes_total,
        error=attempt.error,
        started_at=attempt.started_at,
        finished_at=attempt.finished_at,
    )
    current = await store.in_use(round_id)
    if current is None:
        return ExtractState(upload=upload, in_use=None)
    strata = await store.strata(round_id)
    in_use = ExtractInUse(
        sha256=current.sha256,
        rows_read=current.rows_read,
        eligible=current.eligible,
        households=current.households,
        imported_at=current.finished_at,
        strata=[
            StratumSize(
                age_band=s.age_band,
                gender=s.gender,
                citizenship=s.citizenship,
                municipio=s.municipio,
                size=s.size,
            )
            for s in strata
        ],
    )
    return ExtractState(upload=upload, in_use=in_use)


async def _check_lead_time(round_: Round, *, lead_days: int, uow: UnitOfWork) -> None:
    """Letters cannot go out for a cohort whose training starts in fewer than ``lead_days``
    days: there would be no time to answer, draw and confirm (when the calendar is known)."""
    assembly = await Assemblies(uow).find(round_.assembly_id)
    policy = rotation_of(assembly.rotation, assembly.cohort_size) if assembly else None
    cohort = resolve_cohort(policy, round_.cohort) if policy else None
    if cohort is None:
        return
    left = (cohort.training_starts_on - milan_today()).days
    if left < lead_days:
        raise Conflict(
            f"Cohort {cohort.label}'s training starts on {cohort.training_starts_on}, in "
            f"{left} day(s): letters need at least {lead_days} days for the replies, the "
            "draw and the confirmations. Open the round for a later cohort.",
            slug="too-late-for-letters",
        )


@dataclass(frozen=True)
class Oversampling:
    where: Mapping[str, str]  # some of the stratum features and their values
    factor: float


async def draw_invitations(
    round_id: uuid.UUID,
    *,
    count: int,
    seed: str,
    oversampling: list[Oversampling],
    uow: UnitOfWork,
    lead_days: int = 0,
) -> InvitationDraw:
    round_ = await _check_round(round_id, uow=uow)
    await _lock(round_id, uow=uow)
    if await _drawn(round_id, uow=uow):
        raise Conflict("The round's invitations are already drawn.", slug="invitations-drawn")
    await _check_lead_time(round_, lead_days=lead_days, uow=uow)
    if not 1 <= count <= MAX_INVITATIONS:
        raise Invalid(f"Draw between 1 and {MAX_INVITATIONS} invitations.", slug="invalid-count")
    extract = (await get_extract(round_id, uow=uow)).in_use
    if extract is None:
        raise Conflict(
            "The round has no extract ready to draw from: no upload has succeeded yet.",
            slug="extract-not-ready",
        )
    strata = extract.strata
    keys = [tuple(getattr(s, f) for f in STRATUM_FEATURES) for s in strata]
    factors: dict[tuple[str, ...], float] = {}
    for rule in oversampling:
        unknown = set(rule.where) - set(STRATUM_FEATURES)
        if unknown:
            raise Invalid(
                f"Oversampling names {', '.join(sorted(unknown))}; strata have "
                f"{', '.join(STRATUM_FEATURES)}.",
                slug="invalid-oversampling",
            )
        matched = [
            k for k in keys if all(k[STRATUM_FEATURES.index(f)] == v for f, v in rule.where.items())
        ]
        if not matched:
            raise Invalid(
                f"No stratum of the extract matches {dict(rule.where)}.",
                slug="invalid-oversampling",
            )
        for k in matched:
            factors[k] = factors.get(k, 1.0) * rule.factor

    row_of, stratum_of, household_of = await Extracts(uow).columns(round_id)
    extract_data = Extract(
        rows=extract.rows_read,
        strata=keys,
        stratum_of=stratum_of,
        household_of=household_of,
        row_of=row_of,
    )
    drawn, taken = await asyncio.to_thread(
        lottery.draw_invitations, extract_data, count=count, seed=seed, oversampling=factors
    )
    del extract_data, stratum_of, household_of, row_of

    refs = await Extracts(uow).references(round_id, drawn.tolist())
    letters = [
        {
            "round_id": round_id,
            "sequence": sequence,
            "person_ref": refs[row].person_ref,
            "household_ref": refs[row].household_ref,
            "stratum": refs[row].stratum,
        }
        for sequence, row in enumerate(drawn.tolist(), start=1)
    ]
    await Extracts(uow).add_letters(letters)
    seats = [
        {
            **dict(zip(STRATUM_FEATURES, k, strict=True)),
            "size": int(s.size),
            "invited": int(taken[i]),
            "factor": factors.get(k, 1.0),
        }
        for i, (k, s) in enumerate(zip(keys, strata, strict=True))
    ]
    row = await InvitationDraws(uow).add(
        round_id=round_id,
        seed=seed,
        requested=count,
        drawn=len(letters),
        oversampling=[{"where": dict(o.where), "factor": o.factor} for o in oversampling],
        seats=seats,
        extract_sha256=extract.sha256,
    )
    batches = max(1, -(-len(letters) // EVENT_BATCH))
    for b in range(batches):
        part = letters[b * EVENT_BATCH : (b + 1) * EVENT_BATCH]
        uow.emit(
            InvitationsDrawn(
                round_id=round_id,
                assembly_id=round_.assembly_id,
                cohort=round_.cohort,
                batch=b + 1,
                batches=batches,
                total=len(letters),
                invitations=[
                    Letter(
                        sequence=x["sequence"],
                        person_ref=x["person_ref"],
                        household_ref=x["household_ref"],
                    )
                    for x in part
                ],
            ),
            subject=f"round/{round_id}",
        )
    return row


async def get_invitation_draw(round_id: uuid.UUID, *, uow: UnitOfWork) -> InvitationDraw:
    await _check_round(round_id, uow=uow)
    return await InvitationDraws(uow).get(round_id)
