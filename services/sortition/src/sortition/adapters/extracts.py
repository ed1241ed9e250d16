"""Stage 1's aggregate, a round's registry extract, in one place: the rows (written with
``COPY``), the strata, the extract in use, the latest upload and the letters drawn from it.
Bulk reads come back as arrays, not one object per row: an extract may hold millions."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by, insert

from common.db import UnitOfWork
from common.db.repository import Record
from sortition.adapters.tables import (
    SCHEMA,
    extract_imports,
    extract_rows,
    extract_strata,
    extracts,
    invitations,
)

#: Writes extract rows (round_id, row, person_ref, household_ref, household, stratum).
Copy = Callable[[list[tuple[Any, ...]]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class UploadRow(Record):
    round_id: uuid.UUID
    status: str
    rows_read: int
    bytes_read: int
    bytes_total: int | None
    error: dict[str, str] | None
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class ExtractRow(Record):
    round_id: uuid.UUID
    status: str
    rows_read: int
    eligible: int
    households: int
    bytes_read: int
    bytes_total: int | None
    sha256: str  # the extract in use was read to its end: both are set
    finished_at: datetime


@dataclass(frozen=True, slots=True)
class StratumRow(Record):
    round_id: uuid.UUID
    stratum: int
    age_band: str
    gender: str
    citizenship: str
    municipio: str
    size: int


@dataclass(frozen=True)
class Reference:
    row: int
    person_ref: str
    household_ref: str
    stratum: int


class Extracts:
    def __init__(self, uow: UnitOfWork) -> None:
        self.session = uow.session

    async def try_lock(self, round_id: uuid.UUID) -> bool:
        """The round's stage-1 lock, for the rest of the transaction, if nobody holds it."""
        got = await self.session.execute(
            sa.select(sa.func.pg_try_advisory_xact_lock(sa.func.hashtext(f"stage1:{round_id}")))
        )
        return bool(got.scalar_one())

    async def clear_rows(self, round_id: uuid.UUID) -> None:
        await self.session.execute(
            sa.delete(extract_rows).where(extract_rows.c.round_id == round_id)
        )
        await self.session.execute(
            sa.delete(extract_strata).where(extract_strata.c.round_id == round_id)
        )

    async def copier(self) -> Copy:
        """``COPY`` into the rows, on the transaction's own connection."""
        raw = await (await self.session.connection()).get_raw_connection()
        copy = raw.driver_connection.copy_records_to_table  # type: ignore[union-attr]

        async def write(records: list[tuple[Any, ...]]) -> None:
            await copy("extract_rows", schema_name=SCHEMA, records=records)

        return write

    async def stratum_sizes(self, round_id: uuid.UUID) -> list[tuple[int, int]]:
        """(stratum, people) as the database counts them."""
        found = await self.session.execute(
            sa.select(extract_rows.c.stratum, sa.func.count())
            .where(extract_rows.c.round_id == round_id)
            .group_by(extract_rows.c.stratum)
        )
        return [(int(s), int(n)) for s, n in found.all()]

    async def write_strata(self, round_id: uuid.UUID, strata: Sequence[dict[str, Any]]) -> None:
        if strata:
            await self.session.execute(
                sa.insert(extract_strata), [{**s, "round_id": round_id} for s in strata]
            )

    async def keep(self, round_id: uuid.UUID, **values: Any) -> None:
        """The extract in use becomes the one just read."""
        stmt = insert(extracts).values(round_id=round_id, **values)
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=[extracts.c.round_id], set_=values)
        )

    async def start_upload(self, round_id: uuid.UUID, **values: Any) -> None:
        """The latest upload is a new one, from the start."""
        stmt = insert(extract_imports).values(round_id=round_id, **values)
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=[extract_imports.c.round_id], set_=values)
        )

    async def update_upload(self, round_id: uuid.UUID, **values: Any) -> None:
        await self.session.execute(
            sa.update(extract_imports)
            .where(extract_imports.c.round_id == round_id)
            .values(**values)
        )

    async def latest_upload(self, round_id: uuid.UUID) -> UploadRow | None:
        found = await self.session.execute(
            sa.select(extract_imports).where(extract_imports.c.round_id == round_id)
        )
        row = found.first()
        return None if row is None else UploadRow.from_row(row)

    async def in_use(self, round_id: uuid.UUID) -> ExtractRow | None:
        found = await self.session.execute(
            sa.select(extracts).where(extracts.c.round_id == round_id)
        )
        row = found.first()
        return None if row is None else ExtractRow.from_row(row)

    async def strata(self, round_id: uuid.UUID) -> list[StratumRow]:
        found = await self.session.execute(
            sa.select(extract_strata)
            .where(extract_strata.c.round_id == round_id)
            .order_by(extract_strata.c.stratum)
        )
        return [StratumRow.from_row(r) for r in found.all()]

    async def columns(self, round_id: uuid.UUID) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row numbers, strata and households, in row order: three integer arrays decoded
        by the driver, far cheaper than a row object per person."""
        found = (
            await self.session.execute(
                sa.select(
                    sa.func.array_agg(aggregate_order_by(extract_rows.c.row, extract_rows.c.row)),
                    sa.func.array_agg(
                        aggregate_order_by(extract_rows.c.stratum, extract_rows.c.row)
                    ),
                    sa.func.array_agg(
                        aggregate_order_by(extract_rows.c.household, extract_rows.c.row)
                    ),
                ).where(extract_rows.c.round_id == round_id)
            )
        ).one()
        return (
            np.array(found[0] or [], dtype=np.int64),
            np.array(found[1] or [], dtype=np.int32),
            np.array(found[2] or [], dtype=np.int64),
        )

    async def references(self, round_id: uuid.UUID, rows: list[int]) -> dict[int, Reference]:
        """The references of the rows drawn."""
        found = await self.session.execute(
            sa.select(
                extract_rows.c.row,
                extract_rows.c.person_ref,
                extract_rows.c.household_ref,
                extract_rows.c.stratum,
            ).where(
                extract_rows.c.round_id == round_id,
                extract_rows.c.row
                == sa.any_(sa.bindparam("rows", rows, type_=ARRAY(sa.BigInteger))),
            )
        )
        return {r.row: Reference(r.row, r.person_ref, r.household_ref, r.stratum) for r in found}

    async def add_letters(self, letters: list[dict[str, Any]]) -> None:
        if letters:
            await self.session.execute(sa.insert(invitations), letters)
