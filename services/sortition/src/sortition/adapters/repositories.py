"""The sortition service's aggregates, each behind its repository."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from common.db.repository import Record, Repository
from sortition.adapters.tables import (
    assemblies,
    commitments,
    draw_progress,
    invitation_draws,
    late_registrations,
    quotas,
    replacements,
    respondents,
    rounds,
)
from sortition.domain.progress import DrawPhase
from sortition.select import Algorithm


@dataclass(frozen=True, slots=True)
class Assembly(Record):
    """Sortition's copy of an assembly's configuration (from membership's events)."""

    id: uuid.UUID
    version: int
    seats: int
    min_age: int
    cohort_size: int
    rotation: dict[str, Any] | None


class Assemblies(Repository[Assembly]):
    table = assemblies
    record = Assembly
    not_found = ("No assembly with that id is known to sortition.", "unknown-assembly")

    async def keep_newest(self, **values: Any) -> None:
        """Insert, or replace with a newer version: events may arrive out of order."""
        stmt = insert(assemblies).values(**values)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[assemblies.c.id],
                set_={
                    **{k: stmt.excluded[k] for k in values if k != "id"},
                    "updated_at": sa.func.now(),
                },
                where=assemblies.c.version < stmt.excluded.version,
            )
        )


@dataclass(frozen=True, slots=True)
class Round(Record):
    id: uuid.UUID
    assembly_id: uuid.UUID
    cohort: str
    panel_size: int
    status: str
    version: int
    created_at: datetime
    updated_at: datetime


class Rounds(Repository[Round]):
    table = rounds
    record = Round
    not_found = ("No selection round with that id.", None)

    async def is_committed(self, round_id: uuid.UUID) -> bool:
        """Whether the round has a commitment (its pool and quotas are frozen)."""
        found = await self.session.execute(
            sa.select(commitments.c.round_id).where(commitments.c.round_id == round_id)
        )
        return found.first() is not None


@dataclass(frozen=True, slots=True)
class Commitment(Record):
    """A round's commitment (pool digest, algorithm, the seed's SHA-256) and, once the
    seed is revealed, the panel drawn with it: all a re-run needs."""

    round_id: uuid.UUID
    algorithm: Algorithm
    algorithm_version: str
    uniform_panels: int | None
    seed_sha256: str
    instance_digest: str
    committed_at: datetime
    seed: str | None
    drawn_at: datetime | None
    panel: list[str] | None
    probabilities: dict[str, float] | None
    min_probability: float | None
    lottery_size: int | None
    seconds: float | None
    reserves: list[str] | None


class Commitments(Repository[Commitment]):
    table = commitments
    record = Commitment
    key = "round_id"
    not_found = ("The round has no commitment yet.", "not-committed")


@dataclass(frozen=True, slots=True)
class DrawProgress(Record):
    round_id: uuid.UUID
    phase: str
    done: float | None
    panels: int
    started_at: datetime
    updated_at: datetime


class DrawProgresses(Repository[DrawProgress]):
    table = draw_progress
    record = DrawProgress
    key = "round_id"
    not_found = ("No draw has started for this round.", "draw-not-started")

    async def write(
        self,
        round_id: uuid.UUID,
        phase: DrawPhase,
        done: float | None,
        panels: int,
        *,
        restart: bool,
    ) -> None:
        """Where the draw stands now (``restart``: a new computation starts its clock)."""
        now = sa.func.clock_timestamp()
        stmt = insert(draw_progress).values(
            round_id=round_id,
            phase=phase.value,
            done=done,
            panels=panels,
            started_at=now,
            updated_at=now,
        )
        values: dict[str, Any] = {
            "phase": phase.value,
            "done": done,
            "panels": panels,
            "updated_at": now,
        }
        if restart:
            values["started_at"] = now
        await self.session.execute(
            stmt.on_conflict_do_update(index_elements=[draw_progress.c.round_id], set_=values)
        )


@dataclass(frozen=True, slots=True)
class InvitationDraw(Record):
    """Stage 1: how many letters a round sent, to whom by stratum, from which extract."""

    round_id: uuid.UUID
    seed: str
    requested: int
    drawn: int
    oversampling: list[dict[str, Any]]
    seats: list[dict[str, Any]]  # per stratum: its features, size, invited, factor
    extract_sha256: str
    drawn_at: datetime


class InvitationDraws(Repository[InvitationDraw]):
    table = invitation_draws
    record = InvitationDraw
    key = "round_id"
    not_found = ("The round's invitations are not drawn yet.", "invitations-not-drawn")


@dataclass(frozen=True, slots=True)
class Replacement(Record):
    """Who left a drawn panel and who replaced them (None: the pool had nobody)."""

    round_id: uuid.UUID
    sequence: int
    leaving: str
    reason: str
    joining: str | None
    deviation: int | None
    created_at: datetime


class Replacements(Repository[Replacement]):
    table = replacements
    record = Replacement
    key = "sequence"

    async def of_round(self, round_id: uuid.UUID) -> list[Replacement]:
        """In the order they were drawn."""
        return await self.all(
            self.select()
            .where(replacements.c.round_id == round_id)
            .order_by(replacements.c.sequence)
        )

    async def of_member(self, round_id: uuid.UUID, leaving: str) -> Replacement | None:
        return await self.one_or_none(
            self.select().where(
                replacements.c.round_id == round_id, replacements.c.leaving == leaving
            )
        )


@dataclass(frozen=True, slots=True)
class QuotaRow(Record):
    """One feature value's bounds in a round's quotas, in the order they were given."""

    round_id: uuid.UUID
    feature: str
    value: str
    position: int
    min: int
    max: int
    population_share: float | None  # 0-1, when the quotas came from census shares


class Quotas(Repository[QuotaRow]):
    table = quotas
    record = QuotaRow
    key = "round_id"

    async def of_round(self, round_id: uuid.UUID) -> list[QuotaRow]:
        return await self.all(
            self.select().where(quotas.c.round_id == round_id).order_by(quotas.c.position)
        )

    async def replace(self, round_id: uuid.UUID, rows: list[dict[str, Any]]) -> None:
        """The round's quotas become ``rows`` (columns but ``round_id``), in their order."""
        await self.session.execute(sa.delete(quotas).where(quotas.c.round_id == round_id))
        if rows:
            await self.session.execute(
                sa.insert(quotas),
                [{**r, "round_id": round_id, "position": i} for i, r in enumerate(rows)],
            )


@dataclass(frozen=True, slots=True)
class Respondent(Record):
    """Someone in a round's pool: a pseudonymous id, a household and features."""

    round_id: uuid.UUID
    respondent_id: str
    position: int
    household: str | None
    features: dict[str, str]
    source: str  # "import" (a CSV) or "event" (registered with membership)


class Respondents(Repository[Respondent]):
    table = respondents
    record = Respondent
    key = "respondent_id"

    async def of_round(self, round_id: uuid.UUID) -> list[Respondent]:
        """The pool in its order (the order the lottery numbers people in)."""
        return await self.all(
            self.select().where(respondents.c.round_id == round_id).order_by(respondents.c.position)
        )

    async def replace_pool(self, round_id: uuid.UUID, rows: list[dict[str, Any]]) -> None:
        """The pool becomes ``rows`` (respondent_id, household, features, source)."""
        await self.session.execute(sa.delete(respondents).where(respondents.c.round_id == round_id))
        if rows:
            await self.session.execute(
                sa.insert(respondents),
                [{**r, "round_id": round_id, "position": i} for i, r in enumerate(rows)],
            )

    async def join(
        self,
        round_id: uuid.UUID,
        respondent_id: str,
        *,
        household: str | None,
        features: dict[str, str],
    ) -> None:
        """Add one person at the end of the pool; someone already in it keeps their place
        and takes the new household and features."""
        position = sa.select(sa.func.coalesce(sa.func.max(respondents.c.position) + 1, 0)).where(
            respondents.c.round_id == round_id
        )
        stmt = insert(respondents).values(
            round_id=round_id,
            respondent_id=respondent_id,
            position=position.scalar_subquery(),
            household=household,
            features=features,
            source="event",
        )
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[respondents.c.round_id, respondents.c.respondent_id],
                set_={"household": stmt.excluded.household, "features": stmt.excluded.features},
            )
        )

    async def note_late(self, round_id: uuid.UUID, respondent_id: str) -> None:
        """A registration that reached the round after its pool was committed, for the
        audit (it stays out of the pool)."""
        await self.session.execute(
            insert(late_registrations)
            .values(round_id=round_id, respondent_id=respondent_id)
            .on_conflict_do_nothing()
        )


REPOSITORIES: tuple[type[Repository[Any]], ...] = (
    Assemblies,
    Rounds,
    Commitments,
    DrawProgresses,
    InvitationDraws,
    Replacements,
    Quotas,
    Respondents,
)
