"""The Comune's answers, as the responses service publishes them, shown on the proposal."""

from __future__ import annotations

import logging

from common.contracts.responses import ImplementationUpdated, ResponsePublished
from common.db import UnitOfWork
from common.events.contracts import handles
from common.events.envelope import Event
from deliberation.adapters.repositories import Proposals

log = logging.getLogger(__name__)


@handles(ResponsePublished)
async def on_response_published(data: ResponsePublished, event: Event, uow: UnitOfWork) -> None:
    """The newest answer is shown; a follow-up answer (after a contested reply) replaces
    it here, while responses keeps the history."""
    proposal = await Proposals(uow).find(data.proposal_id, lock=True)
    if proposal is None:
        log.info("an answer to a proposal adopted elsewhere", extra={"event_id": str(event.id)})
        return  # a recommendation of the earlier cycles, opened in responses by an operator
    current = proposal.answer or {}
    if current.get("published_at", "") > data.published_at.isoformat():
        return  # an older answer, delivered late
    await Proposals(uow).update(
        proposal.id,
        answer=data.model_dump(
            mode="json", include={"case_id", "decision", "answer", "published_at"}
        ),
    )


@handles(ImplementationUpdated)
async def on_implementation_updated(
    data: ImplementationUpdated, event: Event, uow: UnitOfWork
) -> None:
    proposal = await Proposals(uow).find(data.proposal_id, lock=True)
    if proposal is None:
        log.info("an update on a proposal adopted elsewhere", extra={"event_id": str(event.id)})
        return
    current = proposal.implementation or {}
    if current.get("updated_at", "") > data.updated_at.isoformat():
        return
    await Proposals(uow).update(
        proposal.id,
        implementation=data.model_dump(
            mode="json", include={"case_id", "progress", "status", "updated_at"}
        ),
    )
