"""Replacements: a panel member declines or withdraws, the pool gives the next one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TypeVar

from common.contracts.membership import MemberDeclined, MemberWithdrew
from common.contracts.sortition import ReplacementDrawn
from common.db import UnitOfWork
from common.errors import Conflict, PermanentEventError
from common.events.contracts import ContractHandler
from common.events.envelope import Event
from sortition.adapters.repositories import Commitment, Commitments, Replacement, Replacements
from sortition.domain.replacement import choose_replacement
from sortition.domain.result import Spread, ValueCount, composition, spread
from sortition.service.pool import load_instance
from sortition.service.rounds import population_shares


@dataclass(frozen=True)
class DrawnCommitment:
    """A commitment whose seed is revealed."""

    commitment: Commitment
    seed: str


async def current_panel(
    round_id: uuid.UUID, *, uow: UnitOfWork
) -> tuple[DrawnCommitment, list[str]]:
    """The round's draw (held for the rest of the transaction: one replacement at a time)
    and its panel today: the panel drawn, less who left, plus who joined."""
    row = await Commitments(uow).find(round_id, lock=True)
    if row is None or row.seed is None or row.panel is None:
        raise Conflict("The round is not drawn yet.", slug="not-drawn")
    panel = list(row.panel)
    for r in await Replacements(uow).of_round(round_id):
        panel.remove(r.leaving)
        if r.joining is not None:
            panel.append(r.joining)
    return DrawnCommitment(row, row.seed), sorted(panel)


async def replace_member(
    round_id: uuid.UUID, respondent_id: str, *, reason: str, uow: UnitOfWork
) -> Replacement:
    drawn, panel = await current_panel(round_id, uow=uow)
    if respondent_id not in panel:
        raise Conflict(f"{respondent_id} is not on the panel.", slug="not-on-panel")
    instance = await load_instance(round_id, uow=uow)
    index = {person: i for i, person in enumerate(instance.ids)}
    earlier = [r.leaving for r in await Replacements(uow).of_round(round_id)]
    sequence = len(earlier) + 1
    chosen = choose_replacement(
        instance,
        [index[p] for p in panel],
        index[respondent_id],
        excluded=[index[p] for p in earlier],
        seed=drawn.seed,
        sequence=sequence,
    )
    joining, deviation = (instance.ids[chosen[0]], chosen[1]) if chosen else (None, None)
    recorded = await Replacements(uow).add(
        round_id=round_id,
        sequence=sequence,
        leaving=respondent_id,
        reason=reason,
        joining=joining,
        deviation=deviation,
    )
    uow.emit(
        ReplacementDrawn(
            round_id=round_id,
            leaving=respondent_id,
            joining=joining,
            reason=reason,
            deviation=deviation,
            sequence=sequence,
        ),
        subject=f"round/{round_id}",
    )
    return recorded


async def list_replacements(round_id: uuid.UUID, *, uow: UnitOfWork) -> list[Replacement]:
    return await Replacements(uow).of_round(round_id)


MemberLeftC = TypeVar("MemberLeftC", MemberDeclined, MemberWithdrew)


def _on_left(contract: type[MemberLeftC]) -> ContractHandler[MemberLeftC]:
    async def handle(data: MemberLeftC, event: Event, uow: UnitOfWork) -> None:
        if await Replacements(uow).of_member(data.round_id, data.respondent_id) is not None:
            return  # the same departure told twice: one replacement
        reason = "withdrew" if isinstance(data, MemberWithdrew) else "declined"
        try:
            await replace_member(data.round_id, data.respondent_id, reason=reason, uow=uow)
        except Conflict as exc:
            raise PermanentEventError(exc.detail) from exc

    return ContractHandler(contract, handle)


on_member_declined = _on_left(MemberDeclined)
on_member_withdrew = _on_left(MemberWithdrew)


@dataclass(frozen=True)
class PublicOutcome:
    commitment: Commitment
    composition: list[ValueCount]
    spread: Spread
    replacements: int


async def public_outcome(round_id: uuid.UUID, *, uow: UnitOfWork) -> PublicOutcome:
    """A drawn round in public: its commitment, today's panel against the quotas, the pool
    and the population, the spread of the probabilities, and how many were replaced."""
    drawn, panel = await current_panel(round_id, uow=uow)
    instance = await load_instance(round_id, uow=uow)
    probabilities = drawn.commitment.probabilities or {}
    return PublicOutcome(
        commitment=drawn.commitment,
        composition=composition(instance, panel, await population_shares(round_id, uow=uow)),
        spread=spread(probabilities.values()),
        replacements=len(await Replacements(uow).of_round(round_id)),
    )
