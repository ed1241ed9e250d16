"""The minutes of a session, drawn up from its record: attendance, agenda items, the
amendments and the votes with their bases and thresholds, in Italian and English."""

from __future__ import annotations

import uuid
from datetime import datetime

from common.db import UnitOfWork
from common.texts import Text
from deliberation.adapters.repositories import Amendments, ProposalVersions, Votes
from deliberation.domain import minutes as document
from deliberation.domain.sessions import Kind
from deliberation.service.sessions import attendance_of, get
from deliberation.service.votes import result_of

_METHODS = {
    "tally": document.Method.SHOW_OF_HANDS,
    "open_ballot": document.Method.OPEN_BALLOT,
    "secret_ballot": document.Method.SECRET_BALLOT,
}
_CHANGES = {
    "replace": ("sostituisce il paragrafo {n}", "replaces paragraph {n}"),
    "insert": ("inserisce un paragrafo dopo il {n}", "inserts a paragraph after {n}"),
    "insert_first": ("inserisce un paragrafo in apertura", "inserts a paragraph at the start"),
    "delete": ("sopprime il paragrafo {n}", "deletes paragraph {n}"),
    "whole": ("sostituisce l'intero testo", "replaces the whole text"),
}


async def minutes(
    session_id: uuid.UUID, lang: document.Language, *, now: datetime, uow: UnitOfWork
) -> str:
    """The minutes as Markdown (a draft until the session closes: the record so far)."""
    session = await get(session_id, uow=uow)
    attended = await attendance_of(session_id, now=now, uow=uow)
    votes = await Votes(uow).of_session(session_id)
    items = []
    for item in session.agenda:
        proposal_ids = {uuid.UUID(str(p)) for p in item.get("proposal_ids", [])}
        amendments: list[document.AmendmentRecord] = []
        finals: list[document.VoteRecord] = []
        for vote in (v for v in votes if v.proposal_id in proposal_ids):
            if vote.state != "closed":
                continue
            version = await ProposalVersions(uow).number(vote.proposal_id, vote.text_version)
            voted = document.VoteRecord(
                subject=(
                    document.Subject.AMENDMENT
                    if vote.subject == "amendment"
                    else document.Subject.PROPOSAL
                ),
                title=Text(**version.title),
                method=_METHODS[vote.method],
                result=result_of(vote),
                text_sha256=vote.text_sha256 if vote.subject == "final_text" else None,
            )
            if vote.amendment_id is None:
                finals.append(voted)
                continue
            amendment = await Amendments(uow).get(vote.amendment_id)
            change = amendment.operation
            if change == "insert" and amendment.paragraph == 0:
                change = "insert_first"
            it, en = _CHANGES[change]
            amendments.append(
                document.AmendmentRecord(
                    label=f"A{len(amendments) + 1}",
                    summary=Text(
                        it=it.format(n=amendment.paragraph), en=en.format(n=amendment.paragraph)
                    ),
                    vote=voted,
                )
            )
        items.append(
            document.AgendaItem(
                title=Text(**item["title"]),
                pac_actions=tuple(item.get("pac_codes", [])),
                amendments=tuple(amendments),
                votes=tuple(finals),
            )
        )
    record = document.SessionRecord(
        title=Text(**session.title),
        kind=Kind(session.kind),
        starts_at=session.opened_at or session.starts_at,
        ends_at=session.closed_at,
        sitting=attended.quorum.sitting,
        present=len(attended.stays),
        place=session.place,
        online_url=session.online_url,
        items=tuple(items),
    )
    return document.render(record, lang)
