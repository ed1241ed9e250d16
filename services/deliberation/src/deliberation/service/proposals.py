"""Proposals (recommendations): drafted by a working group, versioned, amended, voted.

Every edit is a new version (who — a role and a member id, never a name —, when, why);
an amendment targets one version and, once accepted by its vote, produces the next. The
wording a final vote adopts is locked: its SHA-256 is recorded with the vote.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from common.db import UnitOfWork
from common.errors import Conflict, Forbidden, Invalid, NotFound
from common.http.etag import check_if_match
from common.http.pagination import PageParams
from common.texts import Text
from deliberation.adapters.repositories import (
    Amendment,
    Amendments,
    PacActions,
    Proposal,
    Proposals,
    ProposalVersion,
    ProposalVersions,
    Roster,
    Votes,
    WorkingGroup,
    WorkingGroups,
)
from deliberation.domain import pac as catalogue
from deliberation.domain import proposals as text


def content_of(version: ProposalVersion) -> text.Content:
    return text.Content(
        title=Text(**version.title),
        paragraphs=tuple(Text(**p) for p in version.paragraphs),
        rationale=Text(**version.rationale),
    )


def stored(content: text.Content) -> dict[str, Any]:
    """A wording as the versions table keeps it."""
    return {
        "title": content.title.model_dump(),
        "paragraphs": [p.model_dump() for p in content.paragraphs],
        "rationale": content.rationale.model_dump(),
    }


def change_of(
    target_version: int, operation: str, paragraph: int | None, content: dict[str, Any]
) -> text.Amendment:
    """An amendment as stored (or as asked for) as the domain's change to its target."""
    change: text.Change
    if operation == "whole":
        change = text.Whole(
            text.Content(
                title=Text(**content["title"]),
                paragraphs=tuple(Text(**p) for p in content["paragraphs"]),
                rationale=Text(**content["rationale"]),
            )
        )
    elif paragraph is None:
        raise Invalid(f"{operation} names a paragraph.", slug="no-such-paragraph")
    elif operation == "replace":
        change = text.Replace(paragraph, Text(**content["text"]))
    elif operation == "insert":
        change = text.Insert(paragraph, Text(**content["text"]))
    else:
        change = text.Delete(paragraph)
    return text.Amendment(target_version=target_version, changes=(change,))


def _change(amendment: Amendment) -> text.Amendment:
    return change_of(
        amendment.target_version, amendment.operation, amendment.paragraph, amendment.content
    )


async def _check_codes(codes: list[str], *, uow: UnitOfWork) -> None:
    if not codes:
        raise Invalid("A proposal is linked to at least one PAC action.", slug="no-pac-action")
    unknown = await PacActions(uow).unknown(codes)
    if unknown:
        raise Invalid(f"Unknown PAC actions: {', '.join(unknown)}.", slug="unknown-pac-action")


async def require_sitting(
    assembly_id: uuid.UUID, author: tuple[str, str], today: date, *, uow: UnitOfWork
) -> None:
    """A member writes only while they sit in the assembly (staff write for the group)."""
    role, member_id = author
    if role == "member" and not await Roster(uow).sits(assembly_id, member_id, today):
        raise Conflict(
            f"Member {member_id} does not sit in this assembly today.", slug="not-sitting"
        )


async def require_drafter(
    working_group_id: uuid.UUID, author: tuple[str, str], today: date, *, uow: UnitOfWork
) -> None:
    """A working group's texts are written by its members who sit, or by staff for it."""
    role, member_id = author
    if role != "member":
        return
    group = await WorkingGroups(uow).referenced(working_group_id)
    if member_id not in await WorkingGroups(uow).members(working_group_id):
        raise Forbidden(
            "Only the working group's members draft its proposals.", slug="not-group-member"
        )
    await require_sitting(group.assembly_id, author, today, uow=uow)


def _check_theme(group: WorkingGroup, codes: list[str]) -> None:
    """At least one of a proposal's actions is on its working group's theme (others may
    be linked too: a recommendation often touches several ambiti)."""
    on_theme = [
        c
        for c in codes
        if c in group.pac_codes
        or (group.ambito is not None and catalogue.parse(c).ambito == group.ambito)
    ]
    if not on_theme:
        theme = ", ".join(
            ([f"ambito {group.ambito}"] if group.ambito is not None else []) + list(group.pac_codes)
        )
        raise Invalid(
            f"None of the proposal's PAC actions is on its working group's theme ({theme}).",
            slug="outside-theme",
        )


async def draft(
    working_group_id: uuid.UUID,
    pac_codes: list[str],
    content: text.Content,
    *,
    author: tuple[str, str],
    today: date,
    uow: UnitOfWork,
) -> tuple[Proposal, ProposalVersion]:
    group = await WorkingGroups(uow).referenced(working_group_id)
    await require_drafter(working_group_id, author, today, uow=uow)
    await _check_codes(pac_codes, uow=uow)
    _check_theme(group, pac_codes)
    proposal = await Proposals(uow).add(
        id=uuid.uuid4(),
        assembly_id=group.assembly_id,
        working_group_id=working_group_id,
        state=text.DRAFT,
        pac_codes=sorted(set(pac_codes)),
        current_version=1,
        version=1,
    )
    first = await _add_version(proposal.id, 1, content, author, "first draft", None, uow=uow)
    return proposal, first


async def _add_version(
    proposal_id: uuid.UUID,
    number: int,
    content: text.Content,
    author: tuple[str, str],
    reason: str,
    amendment_id: uuid.UUID | None,
    *,
    uow: UnitOfWork,
) -> ProposalVersion:
    role, member_id = author
    return await ProposalVersions(uow).add(
        proposal_id=proposal_id,
        number=number,
        **stored(content),
        sha256=text.sha256_of(content),
        author_role=role,
        author_id=member_id,
        reason=reason,
        amendment_id=amendment_id,
    )


async def get(
    proposal_id: uuid.UUID, *, public: bool = False, uow: UnitOfWork
) -> tuple[Proposal, ProposalVersion]:
    proposal = await Proposals(uow).get(proposal_id)
    if public and proposal.submitted_at is None:  # never submitted: the group's own
        raise NotFound(f"No proposal {proposal_id}.")
    return proposal, await ProposalVersions(uow).number(proposal_id, proposal.current_version)


async def listed(
    params: PageParams,
    *,
    state: str | None = None,
    assembly_id: uuid.UUID | None = None,
    public: bool = False,
    uow: UnitOfWork,
) -> tuple[list[tuple[Proposal, ProposalVersion]], str | None]:
    """A page of proposals with their current versions; the public's shows only those
    once submitted (a draft, even withdrawn, stays the working group's)."""
    rows, token = await Proposals(uow).listed(
        params, state=state, assembly_id=assembly_id, public=public
    )
    versions = ProposalVersions(uow)
    return [(r, await versions.number(r.id, r.current_version)) for r in rows], token


async def revise(
    proposal_id: uuid.UUID,
    content: text.Content,
    *,
    reason: str,
    author: tuple[str, str],
    if_match: str | None,
    uow: UnitOfWork,
) -> tuple[Proposal, ProposalVersion]:
    """A new version by the working group, while the proposal is a draft."""
    proposal = await Proposals(uow).get(proposal_id, lock=True)
    check_if_match(if_match, version=proposal.version)
    text.check_editable(proposal.state)
    current = await ProposalVersions(uow).number(proposal_id, proposal.current_version)
    text.check_changed(content_of(current), content)
    number = proposal.current_version + 1
    added = await _add_version(proposal_id, number, content, author, reason, None, uow=uow)
    moved = await Proposals(uow).update(
        proposal_id, current_version=number, version=proposal.version + 1
    )
    return moved, added


async def move(
    proposal_id: uuid.UUID,
    target: str,
    *,
    if_match: str | None,
    now: datetime,
    uow: UnitOfWork,
) -> Proposal:
    """Submit or withdraw (votes move a proposal on from there)."""
    proposal = await Proposals(uow).get(proposal_id, lock=True)
    check_if_match(if_match, version=proposal.version)
    state = text.transition(proposal.state, target)
    values: dict[str, Any] = {"state": state, "version": proposal.version + 1}
    if state == text.SUBMITTED:
        values["submitted_at"] = now
    elif state == text.WITHDRAWN:
        if await Votes(uow).open_on(proposal_id):
            raise Conflict(
                "A vote on this proposal is open: close it before withdrawing the proposal.",
                slug="vote-in-progress",
            )
        await _lapse_waiting(proposal_id, keep=None, uow=uow)
    return await Proposals(uow).update(proposal_id, **values)


async def _lapse_waiting(
    proposal_id: uuid.UUID, *, keep: uuid.UUID | None, uow: UnitOfWork
) -> None:
    """Every amendment still waiting for its vote lapses (the text it targets changed, or
    the proposal was withdrawn); the caller holds the proposal's lock, under which every
    amendment is filed, withdrawn and voted on."""
    for other in await Amendments(uow).of(proposal_id):
        if other.id != keep and other.state == text.AmendmentState.PROPOSED:
            lapsed = text.AMENDMENTS.move(other.state, text.AmendmentState.LAPSED)
            await Amendments(uow).update(other.id, state=lapsed, version=other.version + 1)


async def versions(proposal_id: uuid.UUID, *, uow: UnitOfWork) -> list[ProposalVersion]:
    await Proposals(uow).get(proposal_id)
    return await ProposalVersions(uow).of(proposal_id)


async def amendments_of(proposal_id: uuid.UUID, *, uow: UnitOfWork) -> list[Amendment]:
    await Proposals(uow).get(proposal_id)
    return await Amendments(uow).of(proposal_id)


async def compare_versions(
    proposal_id: uuid.UUID, a: int, b: int, *, uow: UnitOfWork
) -> tuple[ProposalVersion, ProposalVersion, list[text.ParagraphDiff]]:
    found = ProposalVersions(uow)
    first, second = await found.number(proposal_id, a), await found.number(proposal_id, b)
    return first, second, text.compare(content_of(first), content_of(second))


# -- amendments --------------------------------------------------------------------------


async def amend(
    proposal_id: uuid.UUID,
    values: dict[str, Any],
    *,
    author: tuple[str, str],
    today: date,
    uow: UnitOfWork,
) -> Amendment:
    """An amendment to the current version of a submitted proposal, checked against it,
    by a member who sits in the proposal's assembly (or by staff)."""
    proposal = await Proposals(uow).get(proposal_id, lock=True)  # see _lapse_waiting
    await require_sitting(proposal.assembly_id, author, today, uow=uow)
    text.check_amendable(proposal.state)
    role, member_id = author
    change = change_of(
        values["target_version"], values["operation"], values["paragraph"], values["content"]
    )
    text.check_target(change, proposal.current_version)
    target = await ProposalVersions(uow).number(proposal_id, proposal.current_version)
    text.apply(content_of(target), change)  # refuses a paragraph the text does not have
    return await Amendments(uow).add(
        id=uuid.uuid4(),
        proposal_id=proposal_id,
        state=text.AmendmentState.PROPOSED,
        author_role=role,
        author_id=member_id,
        version=1,
        **values,
    )


async def amendment_of(
    proposal_id: uuid.UUID, amendment_id: uuid.UUID, *, lock: bool = False, uow: UnitOfWork
) -> Amendment:
    amendment = await Amendments(uow).get(amendment_id, lock=lock)
    if amendment.proposal_id != proposal_id:
        raise NotFound(f"No amendment {amendment_id} to proposal {proposal_id}.")
    return amendment


async def withdraw_amendment(
    proposal_id: uuid.UUID,
    amendment_id: uuid.UUID,
    *,
    author: tuple[str, str],
    if_match: str | None,
    uow: UnitOfWork,
) -> Amendment:
    """An amendment not yet put to the vote, withdrawn by its author (or by staff)."""
    await Proposals(uow).get(proposal_id, lock=True)  # the proposal first, as every writer
    amendment = await amendment_of(proposal_id, amendment_id, lock=True, uow=uow)
    if author[0] == "member" and (amendment.author_role, amendment.author_id) != author:
        raise Forbidden(
            "Only its author, or a facilitator, withdraws an amendment.", slug="not-author"
        )
    check_if_match(if_match, version=amendment.version)
    state = text.AMENDMENTS.move(amendment.state, text.AmendmentState.WITHDRAWN)
    return await Amendments(uow).update(amendment_id, state=state, version=amendment.version + 1)


async def merge(amendment: Amendment, *, author: tuple[str, str], uow: UnitOfWork) -> int:
    """An accepted amendment makes the proposal's next version; its number. Every other
    amendment still waiting on the old version lapses: it no longer says what it would
    change."""
    proposal = await Proposals(uow).get(amendment.proposal_id, lock=True)
    change = _change(amendment)
    text.check_target(change, proposal.current_version)
    current = await ProposalVersions(uow).number(proposal.id, proposal.current_version)
    content = text.apply(content_of(current), change)
    number = proposal.current_version + 1
    await _add_version(
        proposal.id,
        number,
        content,
        author,
        f"amendment {amendment.id} accepted",
        amendment.id,
        uow=uow,
    )
    await Proposals(uow).update(proposal.id, current_version=number, version=proposal.version + 1)
    await _lapse_waiting(proposal.id, keep=amendment.id, uow=uow)
    return number
