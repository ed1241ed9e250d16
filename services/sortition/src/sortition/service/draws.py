"""Commit, reveal, draw, audit, verify.

The operator first commits to the pool (its digest), the quotas (in the digest), the
algorithm with its parameters and the SHA-256 of a seed still secret. The draw takes the
seed, checks it against the commitment and that the pool and quotas are unchanged, computes
the lottery and lets the seed pick the panel. Everything a re-run needs is kept.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from common.contracts.sortition import PanelSelected, RoundCommitted
from common.db import UnitOfWork, transaction
from common.errors import Conflict, Invalid
from sortition.adapters.repositories import (
    Commitment,
    Commitments,
    DrawProgress,
    DrawProgresses,
    Rounds,
)
from sortition.domain.instance import Instance
from sortition.domain.leximin import Infeasible, Report
from sortition.domain.progress import DrawPhase
from sortition.select import ALGORITHM_VERSION, Selection, select
from sortition.service.pool import load_instance
from sortition.service.rounds import RoundStatus

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def seed_hash(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


async def _set_status(round_id: uuid.UUID, status: RoundStatus, *, uow: UnitOfWork) -> None:
    await Rounds(uow).update(round_id, status=status, updated_at=sa.func.now())


async def commit(
    round_id: uuid.UUID,
    *,
    seed_sha256: str,
    algorithm: str,
    uniform_panels: int | None,
    uow: UnitOfWork,
) -> Commitment:
    if not SHA256.match(seed_sha256):
        raise Invalid("seed_sha256 must be 64 lower-case hex digits.", slug="invalid-seed-hash")
    instance = await load_instance(round_id, uow=uow)
    row = await Commitments(uow).add(
        round_id=round_id,
        algorithm=algorithm,
        algorithm_version=ALGORITHM_VERSION,
        uniform_panels=uniform_panels,
        seed_sha256=seed_sha256,
        instance_digest=instance.digest(),
        exists=Conflict("The round is already committed.", slug="already-committed"),
    )
    await _set_status(round_id, RoundStatus.COMMITTED, uow=uow)
    uow.emit(
        RoundCommitted(
            round_id=round_id,
            instance_digest=row.instance_digest,
            seed_sha256=seed_sha256,
            algorithm=algorithm,
            transparent=uniform_panels,
        ),
        subject=f"round/{round_id}",
    )
    return row


async def get_commitment(round_id: uuid.UUID, *, uow: UnitOfWork) -> Commitment:
    return await Commitments(uow).get(round_id)


def _same_algorithm(row: Commitment) -> None:
    """The commitment names a version of the algorithm: another one could give another
    panel from the same inputs and seed, so it may neither draw nor verify the round."""
    if row.algorithm_version != ALGORITHM_VERSION:
        raise Conflict(
            f"The round was committed to version {row.algorithm_version} of the algorithm; "
            f"this service runs version {ALGORITHM_VERSION}.",
            slug="algorithm-changed",
        )


def _run(instance: Instance, row: Commitment, seed: str, report: Report | None = None) -> Selection:
    return select(
        instance,
        algorithm=row.algorithm,
        seed=seed,
        uniform_panels=row.uniform_panels,
        report=report,
    )


class DrawProgressRecorder:
    """Writes a draw's progress while it is computed (in a worker thread), at most every
    ``every`` seconds, each time in a transaction of its own: the draw's own transaction
    holds its row locked until the end."""

    def __init__(
        self, round_id: uuid.UUID, uow_factory: Callable[[], UnitOfWork], every: float = 0.5
    ) -> None:
        self.round_id = round_id
        self.uow_factory = uow_factory
        self.every = every
        self.loop = asyncio.get_running_loop()
        self.last = 0.0
        self.pending: concurrent.futures.Future[None] | None = None

    async def write(self, phase: DrawPhase, done: float | None, panels: int) -> None:
        async with transaction(self.uow_factory) as uow:
            await DrawProgresses(uow).write(
                self.round_id, phase, done, panels, restart=phase == DrawPhase.RELAXATION
            )

    async def finish(self, phase: DrawPhase, done: float | None, panels: int) -> None:
        """The last word, after any write still on its way from the computing thread."""
        if self.pending is not None:
            with contextlib.suppress(Exception):  # a lost progress line is no reason to fail
                await asyncio.wrap_future(self.pending)
        await self.write(phase, done, panels)

    def __call__(self, phase: DrawPhase, done: float | None, panels: int) -> None:
        """Called from the computing thread."""
        now = time.monotonic()
        if phase != DrawPhase.RELAXATION and now - self.last < self.every:
            return
        if self.pending is not None and not self.pending.done():
            return  # the last write is still on its way: skip this one
        self.last = now
        self.pending = asyncio.run_coroutine_threadsafe(self.write(phase, done, panels), self.loop)


async def get_progress(round_id: uuid.UUID, *, uow: UnitOfWork) -> DrawProgress:
    return await DrawProgresses(uow).get(round_id)


async def draw_panel(
    round_id: uuid.UUID,
    *,
    seed: str,
    uow: UnitOfWork,
    progress: DrawProgressRecorder | None = None,
) -> Commitment:
    row = await Commitments(uow).find(round_id, lock=True)
    if row is None:
        raise Conflict("Commit to the round before drawing.", slug="not-committed")
    if row.seed is not None:
        raise Conflict("The round is already drawn.", slug="already-drawn")
    _same_algorithm(row)
    if seed_hash(seed) != row.seed_sha256:
        raise Invalid("The seed does not match the commitment's SHA-256.", slug="seed-mismatch")
    instance = await load_instance(round_id, uow=uow)
    if instance.digest() != row.instance_digest:
        raise Conflict(
            "The pool or the quotas changed since the commitment.", slug="inputs-changed"
        )
    try:
        selection = await asyncio.to_thread(_run, instance, row, seed, progress)
    except Infeasible as exc:
        if progress is not None:
            await progress.finish(DrawPhase.INFEASIBLE, None, 0)
        raise Conflict("No panel meets the quotas with this pool.", slug="infeasible") from exc
    if progress is not None:
        await progress.finish(DrawPhase.DONE, 1.0, len(selection.lottery.panels))
    result = selection.as_json()
    updated = await Commitments(uow).update(
        round_id,
        seed=seed,
        drawn_at=sa.func.now(),
        reserves=result["reserves"],
        panel=result["panel"],
        probabilities=result["probabilities"],
        min_probability=result["min_probability"],
        lottery_size=len(result["distribution"]),
        seconds=result["seconds"],
    )
    await _set_status(round_id, RoundStatus.DRAWN, uow=uow)
    uow.emit(
        PanelSelected(
            round_id=round_id,
            panel=result["panel"],
            reserves=result["reserves"],
            algorithm=row.algorithm,
        ),
        subject=f"round/{round_id}",
    )
    return updated


@dataclass(frozen=True)
class Rerun:
    """A drawn round's lottery and draw computed again from what was kept."""

    panel: list[str]
    identical: bool


async def verify(round_id: uuid.UUID, *, uow: UnitOfWork) -> Rerun:
    row = await get_commitment(round_id, uow=uow)
    if row.seed is None:
        raise Conflict("The round is not drawn yet.", slug="not-drawn")
    _same_algorithm(row)
    instance = await load_instance(round_id, uow=uow)
    if instance.digest() != row.instance_digest:
        raise Conflict(
            "The pool or the quotas changed since the commitment.", slug="inputs-changed"
        )
    selection = await asyncio.to_thread(_run, instance, row, row.seed)
    panel: list[str] = selection.as_json()["panel"]
    return Rerun(panel=panel, identical=panel == row.panel)
