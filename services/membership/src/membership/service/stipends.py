"""Stipends: a ledger of the sessions each member attended, filled from deliberation's
attendance, and what the payment office is sent.

An assembly pays an amount per session attended (Paris pays €44 per half day; Bologna about
€73), counted when the member was present at least ``min_minutes``; a term's threshold
(Bologna: 70 % of the sessions) withholds payment from members who attended less. Travel
and childcare costs are refunded on a claim an operator approves. The payment office gets
a CSV, operators only, and every download is recorded.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from common.contracts.deliberation import AttendanceRecorded
from common.db import UnitOfWork
from common.errors import Conflict, Forbidden, Invalid
from common.events.contracts import handles
from common.events.envelope import Event
from common.http.etag import check_if_match
from common.http.pagination import PageParams
from membership.adapters.repositories import (
    Assemblies,
    People,
    PersonalDataReads,
    RefundClaim,
    RefundClaims,
    StipendEntries,
    StipendEntry,
    StipendRule,
    StipendRules,
)
from membership.context import Context

#: Until an operator sets them: €44 per session attended for at least an hour, no threshold.
DEFAULT_RULES: dict[str, Any] = {
    "per_session_cents": 4400,
    "min_minutes": 60,
    "term_threshold_percent": 0,
}


async def rules_of(assembly_id: uuid.UUID, *, uow: UnitOfWork) -> StipendRule:
    await Assemblies(uow).get(assembly_id)
    current = await StipendRules(uow).current(assembly_id)
    if current is None:
        current = await StipendRules(uow).add(
            assembly_id=assembly_id, version=1, set_by="default", **DEFAULT_RULES
        )
    return current


async def set_rules(
    assembly_id: uuid.UUID, values: dict[str, Any], *, actor: str, uow: UnitOfWork
) -> StipendRule:
    """A new version; entries already in the ledger keep the version they were paid by."""
    current = await rules_of(assembly_id, uow=uow)
    return await StipendRules(uow).add(
        assembly_id=assembly_id, version=current.version + 1, set_by=actor, **values
    )


@handles(AttendanceRecorded)
async def on_attendance_recorded(data: AttendanceRecorded, event: Event, uow: UnitOfWork) -> None:
    """One ledger entry per member who attended: the minutes, whether they count, the
    amount by the rules in force. A member unknown here (not one of ours) is skipped."""
    if await Assemblies(uow).find(data.assembly_id) is None:
        return  # an assembly membership does not hold
    rules = await rules_of(data.assembly_id, uow=uow)
    rows = []
    for attended in data.attended:
        try:
            respondent_id = uuid.UUID(attended.member_id)
        except ValueError:
            continue
        if await People(uow).find(respondent_id) is None:
            continue
        counted = attended.minutes >= rules.min_minutes
        rows.append(
            {
                "session_id": data.session_id,
                "respondent_id": respondent_id,
                "assembly_id": data.assembly_id,
                "kind": data.kind,
                "held_on": data.held_on,
                "minutes": attended.minutes,
                "counted": counted,
                "amount_cents": rules.per_session_cents if counted else 0,
                "rules_version": rules.version,
            }
        )
    await StipendEntries(uow).record_once(rows)


async def ledger(
    assembly_id: uuid.UUID,
    first: date,
    last: date,
    respondent_id: uuid.UUID | None,
    *,
    uow: UnitOfWork,
) -> list[StipendEntry]:
    _check_period(first, last)
    await Assemblies(uow).get(assembly_id)
    return await StipendEntries(uow).between(assembly_id, first, last, respondent_id)


def _check_period(first: date, last: date) -> None:
    if last < first or (last - first).days > 3 * 366:
        raise Invalid("`until` comes after `from`, within three years.", slug="invalid-period")


# -- refund claims -----------------------------------------------------------------------


async def claim(
    values: dict[str, Any], *, submitted_by: str, as_member: str | None, uow: UnitOfWork
) -> RefundClaim:
    """A claim for travel or childcare costs; a member claims for themselves only."""
    person = await People(uow).referenced(values["respondent_id"])
    if as_member is not None and str(person.respondent_id) != as_member:
        raise Forbidden("A member claims refunds for themselves only.")
    return await RefundClaims(uow).add(
        id=uuid.uuid4(),
        assembly_id=person.assembly_id,
        state="submitted",
        submitted_by=submitted_by,
        version=1,
        **values,
    )


async def decide(
    claim_id: uuid.UUID,
    approve: bool,
    reason: str | None,
    *,
    actor: str,
    now: datetime,
    if_match: str | None,
    uow: UnitOfWork,
) -> RefundClaim:
    found = await RefundClaims(uow).get(claim_id, lock=True)
    check_if_match(if_match, version=found.version)
    if found.state != "submitted":
        raise Conflict(f"The claim was already {found.state}.", slug="already-decided")
    if found.submitted_by == actor:
        raise Conflict(
            "A claim is decided by someone other than who submitted it.", slug="four-eyes"
        )
    if not approve and not reason:
        raise Invalid("Say why the claim is rejected.", slug="reason-required")
    return await RefundClaims(uow).update(
        claim_id,
        state="approved" if approve else "rejected",
        decided_by=actor,
        decided_at=now,
        decision_reason=reason,
        version=found.version + 1,
    )


async def claims(
    params: PageParams, respondent_id: uuid.UUID | None, *, uow: UnitOfWork
) -> tuple[list[RefundClaim], str | None]:
    return await RefundClaims(uow).listed(params, respondent_id=respondent_id)


# -- the payment office's file -----------------------------------------------------------


@dataclass(frozen=True)
class Payment:
    respondent_id: uuid.UUID
    sessions_counted: int
    minutes: int
    attended_percent: int
    eligible: bool
    stipend_cents: int
    refunds_cents: int

    @property
    def total_cents(self) -> int:
        return (self.stipend_cents if self.eligible else 0) + self.refunds_cents


async def payments(
    assembly_id: uuid.UUID, first: date, last: date, *, uow: UnitOfWork
) -> tuple[StipendRule, list[Payment]]:
    """Per member: the sessions counted in the period, the share of the period's sessions
    they attended, whether that reaches the threshold, the stipend and the approved
    refunds."""
    entries = await ledger(assembly_id, first, last, None, uow=uow)
    rules = await rules_of(assembly_id, uow=uow)
    held = {e.session_id for e in entries}
    by_member: dict[uuid.UUID, list[StipendEntry]] = {}
    for e in entries:
        by_member.setdefault(e.respondent_id, []).append(e)
    refunds: dict[uuid.UUID, int] = {}
    for c in await RefundClaims(uow).approved_between(assembly_id, first, last):
        refunds[c.respondent_id] = refunds.get(c.respondent_id, 0) + c.amount_cents
    found = []
    for member in sorted(set(by_member) | set(refunds), key=str):
        own = by_member.get(member, [])
        counted = [e for e in own if e.counted]
        share = (100 * len(counted)) // len(held) if held else 0
        found.append(
            Payment(
                respondent_id=member,
                sessions_counted=len(counted),
                minutes=sum(e.minutes for e in own),
                attended_percent=share,
                eligible=share >= rules.term_threshold_percent,
                stipend_cents=sum(e.amount_cents for e in counted),
                refunds_cents=refunds.get(member, 0),
            )
        )
    return rules, found


async def payments_csv(
    assembly_id: uuid.UUID,
    first: date,
    last: date,
    *,
    actor: str,
    ctx: Context,
    uow: UnitOfWork,
) -> str:
    """The CSV for the payment office, with names (the download is recorded)."""
    _, rows = await payments(assembly_id, first, last, uow=uow)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "respondent_id",
            "first_name",
            "last_name",
            "sessions_counted",
            "minutes",
            "attended_percent",
            "eligible",
            "stipend_eur",
            "refunds_eur",
            "total_eur",
        ]
    )
    for p in rows:
        person = await People(uow).get(p.respondent_id)
        personal = ctx.cipher.open(person.personal) if person.personal else {}
        writer.writerow(
            [
                p.respondent_id,
                personal.get("first_name", ""),
                personal.get("last_name", ""),
                p.sessions_counted,
                p.minutes,
                p.attended_percent,
                str(p.eligible).lower(),
                _euros(p.stipend_cents if p.eligible else 0),
                _euros(p.refunds_cents),
                _euros(p.total_cents),
            ]
        )
    await PersonalDataReads(uow).log(actor=actor, action="download-payments")
    return out.getvalue()


def _cell(value: str) -> str:
    """A name as a spreadsheet cannot take for a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _euros(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"
