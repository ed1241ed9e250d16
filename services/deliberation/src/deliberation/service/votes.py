"""Votes: on an amendment or on a proposal's final text, in an open session.

Opening a vote takes a snapshot of the members present at that moment: they, and only
they, are entitled. A vote opens only with a quorum. It is decided by the assembly's rule
in force when it opened (its version is recorded), in exact integer arithmetic.

Two ways to count, both used: a tally the facilitator records (a show of hands), or
ballots members cast with their own token, one each, open (named) or secret. A secret
ballot adds one to the vote's count of its choice and records *that* the member voted,
in two places that share nothing: no row ever holds a choice beside a voter, no ballot
has an id, a time or a sequence number. When the vote closes, the list of voters is
written again in one transaction, so that its rows no longer carry the transaction id of
each ballot (which the count's successive row versions share until they are vacuumed).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from common.contracts.deliberation import ProposalAdopted, Tally
from common.dates import milan_day
from common.db import UnitOfWork
from common.errors import Conflict, Invalid
from common.http.etag import check_if_match
from common.http.pagination import PageParams
from common.texts import Text
from deliberation.adapters.repositories import (
    Amendments,
    Proposals,
    ProposalVersions,
    Sessions,
    Vote,
    Votes,
)
from deliberation.domain import ballots
from deliberation.domain import sessions as calendar
from deliberation.domain import votes as majority
from deliberation.domain.proposals import AMENDMENTS, SUBMITTED, AmendmentState
from deliberation.service import proposals as texts
from deliberation.service.roster import rules_of
from deliberation.service.sessions import present_now, quorum

CHOICES = ("yes", "no", "abstain")


async def open_vote(values: dict[str, Any], *, now: datetime, uow: UnitOfWork) -> Vote:
    session = await Sessions(uow).referenced(values["session_id"], lock=True)
    calendar.require_open(session.state, "open a vote")
    if session.kind != calendar.Kind.PLENARY:
        raise Conflict(
            "Votes are held in plenaries: a working group drafts, the assembly decides.",
            slug="plenary-only",
        )
    proposal = await Proposals(uow).referenced(values["proposal_id"], lock=True)
    if proposal.assembly_id != session.assembly_id:
        raise Invalid("The proposal belongs to another assembly.", slug="other-assembly")
    if not calendar.on_agenda(session.agenda, proposal.id):
        raise Conflict(
            "The proposal is not on this session's agenda: add it to the agenda first.",
            slug="not-on-agenda",
        )
    still = await Votes(uow).open_on(proposal.id)
    if still:
        raise Conflict(
            f"Vote {still[0].id} on this proposal is open: close it first (one vote at a "
            "time, since each may change the text the next one is on).",
            slug="vote-in-progress",
            votes=[str(v.id) for v in still],
        )
    if proposal.state != SUBMITTED:
        raise Conflict(
            f"Votes are on a submitted proposal (its amendments, then its final text); "
            f"this one is {proposal.state}.",
            slug="not-submitted",
        )
    amendment_id = values.get("amendment_id")
    if values["subject"] == "amendment":
        if amendment_id is None:
            raise Invalid("A vote on an amendment names it.", slug="no-amendment")
        amendment = await Amendments(uow).referenced(amendment_id, lock=True)
        if amendment.proposal_id != proposal.id:
            raise Invalid("The amendment is to another proposal.", slug="other-proposal")
        if amendment.state != AmendmentState.PROPOSED:
            raise Conflict(
                f"The amendment is {amendment.state}: only a proposed amendment is put to "
                "the vote.",
                slug="amendment-not-votable",
            )
        if amendment.target_version != proposal.current_version:
            raise Conflict("The amendment targets an older version.", slug="stale-version")
        voting = AMENDMENTS.move(amendment.state, AmendmentState.VOTING)
        await Amendments(uow).update(amendment.id, state=voting, version=amendment.version + 1)
    else:
        if amendment_id is not None:
            raise Invalid("A final vote names no amendment.", slug="amendment-on-final")
        waiting = (AmendmentState.PROPOSED, AmendmentState.VOTING)
        pending = [a for a in await Amendments(uow).of(proposal.id) if a.state in waiting]
        if pending:
            raise Conflict(
                f"{len(pending)} amendment(s) are still to be voted on first.",
                slug="amendments-pending",
            )
        await Proposals(uow).update(proposal.id, state="voting", version=proposal.version + 1)
    reached = await quorum(session, now=now, uow=uow)
    if not reached.reached:
        raise Conflict(
            f"No quorum: {reached.present} present of {reached.sitting} sitting members; "
            f"{reached.needed} are needed ({reached.rule}).",
            slug="no-quorum",
            present=reached.present,
            sitting=reached.sitting,
            needed=reached.needed,
        )
    rules = await rules_of(session.assembly_id, uow=uow)
    version = await ProposalVersions(uow).number(proposal.id, proposal.current_version)
    return await Votes(uow).add(
        id=uuid.uuid4(),
        session_id=session.id,
        subject=values["subject"],
        proposal_id=proposal.id,
        amendment_id=amendment_id,
        text_version=version.number,
        text_sha256=version.sha256,
        method=values["method"],
        state="open",
        entitled=await present_now(session, now=now, uow=uow),
        rule={
            "numerator": rules.majority_numerator,
            "denominator": rules.majority_denominator,
            "base": rules.majority_base,
            "version": rules.version,
        },
        opened_at=now,
        version=1,
    )


async def get(vote_id: uuid.UUID, *, uow: UnitOfWork) -> tuple[Vote, int]:
    """The vote and how many have voted (ballot votes)."""
    vote = await Votes(uow).get(vote_id)
    return vote, len(await Votes(uow).voters(vote_id))


async def of_proposal(proposal_id: uuid.UUID, *, uow: UnitOfWork) -> list[Vote]:
    return await Votes(uow).of_proposal(proposal_id)


async def listed(
    params: PageParams, filters: dict[str, Any], *, uow: UnitOfWork
) -> tuple[list[tuple[Vote, int]], str | None]:
    """A page of votes (by session, proposal or state) and how many have voted in each."""
    rows, token = await Votes(uow).listed(params, **filters)
    return [(v, len(await Votes(uow).voters(v.id))) for v in rows], token


def rule_of(vote: Vote) -> majority.Rule:
    r = vote.rule
    return majority.Rule(
        numerator=r["numerator"],
        denominator=r["denominator"],
        base=majority.Base(r["base"]),
        version=r["version"],
    )


def result_of(vote: Vote) -> majority.Result:
    tally = majority.Tally(yes=vote.yes, no=vote.no, abstain=vote.abstain)
    return majority.evaluate(rule_of(vote), tally, len(vote.entitled))


async def record_tally(
    vote_id: uuid.UUID,
    counts: dict[str, int],
    *,
    if_match: str | None,
    now: datetime,
    uow: UnitOfWork,
) -> Vote:
    vote = await Votes(uow).get(vote_id, lock=True)
    check_if_match(if_match, version=vote.version)
    _must_be_open(vote)
    if vote.method != "tally":
        raise Conflict("This vote is by ballots; members cast them.", slug="not-a-tally")
    cast = sum(counts.values())
    if cast == 0:
        raise Invalid(
            "The tally counts no vote: record the hands raised for yes, no and abstain.",
            slug="empty-tally",
        )
    if cast > len(vote.entitled):
        raise Invalid(
            f"The tally counts {cast} votes but only {len(vote.entitled)} members are entitled.",
            slug="tally-exceeds-entitled",
        )
    return await Votes(uow).update(vote_id, **counts, tallied_at=now, version=vote.version + 1)


async def cast(vote_id: uuid.UUID, member_id: str, choice: str, *, uow: UnitOfWork) -> None:
    vote = await Votes(uow).get(vote_id, lock=True)  # ballots counted one at a time
    if vote.method == "tally":
        raise Conflict("This vote is counted by a show of hands.", slug="not-by-ballot")
    voted = frozenset(await Votes(uow).voters(vote_id))
    ballots.cast(choice, member_id, frozenset(vote.entitled), voted, vote.state == "open")
    await Votes(uow).mark_voted(vote_id, member_id)
    await Votes(uow).count(vote_id, ballots.increments(choice))
    if vote.method == "open_ballot":
        await Votes(uow).add_named(vote_id, member_id, choice)


def _must_be_open(vote: Vote) -> None:
    if vote.state != "open":
        raise Conflict("The vote is closed.", slug="vote-closed")


async def close(
    vote_id: uuid.UUID,
    *,
    if_match: str | None,
    actor: tuple[str, str],
    now: datetime,
    uow: UnitOfWork,
) -> Vote:
    """Count, decide, and act on the result: an accepted amendment makes the next version;
    an adopted final text is locked and published to the responses service."""
    vote = await Votes(uow).get(vote_id, lock=True)
    check_if_match(if_match, version=vote.version)
    _must_be_open(vote)
    if vote.method == "tally" and vote.tallied_at is None:
        raise Conflict(
            "No tally is recorded: record the show of hands before closing the vote.",
            slug="no-tally",
        )
    result = result_of(vote)
    if vote.method == "secret_ballot":
        await Votes(uow).rewrite_voters(vote_id)
        uow.after_commit(Votes(uow).vacuum)
    closed = await Votes(uow).update(
        vote_id,
        state="closed",
        closed_at=now,
        result=_result_json(result),
        version=vote.version + 1,
    )
    proposal = await Proposals(uow).get(vote.proposal_id, lock=True)
    if vote.subject == "amendment":
        assert vote.amendment_id is not None
        amendment = await Amendments(uow).get(vote.amendment_id, lock=True)
        decided = AMENDMENTS.move(
            amendment.state,
            AmendmentState.ACCEPTED if result.adopted else AmendmentState.REJECTED,
        )
        await Amendments(uow).update(amendment.id, state=decided, version=amendment.version + 1)
        if result.adopted:
            made = await texts.merge(amendment, author=actor, uow=uow)
            await Amendments(uow).update(amendment.id, result_version=made)
    else:
        values: dict[str, Any] = {"state": "adopted" if result.adopted else "rejected"}
        if result.adopted:
            values |= {"adopted_sha256": vote.text_sha256, "adopted_vote_id": vote.id}
        await Proposals(uow).update(proposal.id, **values, version=proposal.version + 1)
        if result.adopted:
            await _publish_adoption(closed, result, now=now, uow=uow)
    return closed


def _result_json(result: majority.Result) -> dict[str, Any]:
    return {
        "yes": result.yes,
        "no": result.no,
        "abstain": result.abstain,
        "not_voted": result.not_voted,
        "entitled": result.entitled,
        "base": result.base,
        "threshold": result.threshold,
        "adopted": result.adopted,
        "rule": describe(result.rule),
        "rule_version": result.rule.version,
    }


def describe(rule: majority.Rule) -> str:
    bases = {"present": "present", "cast": "votes cast", "yes_no": "yes and no votes"}
    return f"{rule.numerator}/{rule.denominator} of {bases[str(rule.base)]}"


async def _publish_adoption(
    vote: Vote, result: majority.Result, *, now: datetime, uow: UnitOfWork
) -> None:
    proposal = await Proposals(uow).get(vote.proposal_id)
    version = await ProposalVersions(uow).number(proposal.id, vote.text_version)
    uow.emit(
        ProposalAdopted(
            proposal_id=proposal.id,
            assembly_id=proposal.assembly_id,
            version=version.number,
            title=Text(**version.title),
            text=[Text(**p) for p in version.paragraphs],
            rationale=Text(**version.rationale),
            pac_codes=proposal.pac_codes,
            text_sha256=vote.text_sha256,
            session_id=vote.session_id,
            vote_id=vote.id,
            adopted_on=milan_day(now),
            tally=Tally(
                yes=result.yes,
                no=result.no,
                abstain=result.abstain,
                entitled=result.entitled,
                base=result.base,
                threshold=result.threshold,
                rule=describe(result.rule),
                rule_version=result.rule.version,
            ),
        ),
        subject=f"proposal/{proposal.id}",
    )
