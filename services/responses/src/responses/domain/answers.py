"""The Comune's answer to a proposal the assembly adopted: the case's workflow, the
answer point by point, the overall decision, the four-eyes rule, the frozen (hashed)
published document, its state on Decidim, and the assembly's reply. Pure domain.

Workflow. A case is ``received`` when the adopted proposal arrives. A lead department is
``assigned`` (and may be reassigned: assigned → assigned); once its technical opinion is
recorded the case is ``in_review``; the answer is then written (``drafted``; every new
draft version is drafted → drafted), ``approved`` by another person than the drafter
(:func:`check_four_eyes`) and ``published``. A new draft voids an approval (approved →
drafted). The case may be handed to another department while in review or drafted
(in_review → assigned, drafted → assigned): the opinion is then asked again. An approved
answer is not reassigned: it is redrafted first or published. Published answers are
frozen; a ``contested`` reply of the assembly (:func:`reopens`) takes the case back into
review (``in_review``: the lead department keeps it, its opinion stands and may be
recorded again, in_review → in_review) for a follow-up answer, a new document beside the
first.

Points. An answer is made of points, numbered from 1 as the proposal's paragraphs are: a
point answers its paragraph. A single point numbered 1 answers the whole proposal (and is
always allowed, whatever the number of paragraphs). A rejection and a partial acceptance
give their reasons; what is accepted, even in part, says what it will cost, when it will
be done and which office answers for it (:func:`check_points`).

Overall decision. The answer's decision as a whole, :func:`overall`, from the set of the
points' decisions:

    =====================================================  =====================
    points' decisions                                      overall
    =====================================================  =====================
    all the same                                           that decision
    mixed, one at least accepted or partially_accepted     partially_accepted
    mixed, none accepted, one at least needs_study         needs_study
    already_in_progress and rejected only                  partially_accepted
    =====================================================  =====================

These rows cover every set: a mix without accepted, partially_accepted nor needs_study
can only be already_in_progress with rejected, and ``rejected`` overall means every point
rejected. A mix where nothing is accepted and something is still to be studied is not yet
a decision on the whole, hence ``needs_study`` (already_in_progress with needs_study
included).

Frozen document. What is published is serialized once (:func:`frozen`) into canonical
JSON and its SHA-256 recorded, so anyone can check later that the answer shown is the
answer approved.

Decidim. The proposal's state on Decidim follows the overall decision through a mapping
an assembly may configure (:data:`DEFAULT_DECIDIM_STATES`, :func:`check_mapping`). Since
decidim/decidim#12052 a proposal's state is a ``Decidim::Proposals::ProposalState`` row
of its component, named by a ``token`` (``decidim-proposals/app/models/decidim/proposals/
proposal_state.rb``; tokens are made from the state's title with ``parameterize(separator:
"_")``, so lower case, digits and underscores). Every component is created with the
states ``evaluating``, ``accepted`` and ``rejected`` (``Decidim::Proposals.
create_default_states!`` in ``decidim-proposals/lib/decidim/proposals.rb``); other states
are the component's own custom ones, such as ``partially_accepted``, which the component
must define before answers use it. ``not_answered`` is what ``Proposal#state`` reports
when no state is set, and ``withdrawn`` is the author's withdrawal (``withdrawn_at``,
``decidim-proposals/app/models/decidim/proposals/proposal.rb``): neither is an answer, so
neither is a target.

Reply. The assembly replies to a published answer: ``satisfied``, ``partially_satisfied``
or ``contested``; the last two say why (:func:`check_reply`), and only ``contested``
reopens the case.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel

from common.errors import InvalidValue, StateConflict
from common.states import Machine
from common.texts import Text


class State(StrEnum):
    RECEIVED = "received"
    ASSIGNED = "assigned"
    IN_REVIEW = "in_review"
    DRAFTED = "drafted"
    APPROVED = "approved"
    PUBLISHED = "published"


RECEIVED = State.RECEIVED
ASSIGNED = State.ASSIGNED
IN_REVIEW = State.IN_REVIEW
DRAFTED = State.DRAFTED
APPROVED = State.APPROVED
PUBLISHED = State.PUBLISHED

#: From each state, where a case may go.
TRANSITIONS: dict[State, frozenset[State]] = {
    RECEIVED: frozenset({ASSIGNED}),
    ASSIGNED: frozenset({ASSIGNED, IN_REVIEW}),
    IN_REVIEW: frozenset({IN_REVIEW, DRAFTED, ASSIGNED}),
    DRAFTED: frozenset({DRAFTED, APPROVED, ASSIGNED}),
    APPROVED: frozenset({DRAFTED, PUBLISHED}),
    PUBLISHED: frozenset({IN_REVIEW}),
}


LIFECYCLE = Machine("case", State, TRANSITIONS)
_state = LIFECYCLE.parse
#: The case's next state, if it may go there (see :class:`common.states.Machine`).
transition = LIFECYCLE.move


class Decision(StrEnum):
    ACCEPTED = "accepted"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"
    ALREADY_IN_PROGRESS = "already_in_progress"
    NEEDS_STUDY = "needs_study"


ACCEPTED = Decision.ACCEPTED
PARTIALLY_ACCEPTED = Decision.PARTIALLY_ACCEPTED
REJECTED = Decision.REJECTED
ALREADY_IN_PROGRESS = Decision.ALREADY_IN_PROGRESS
NEEDS_STUDY = Decision.NEEDS_STUDY

#: Decisions that give their reasons.
GIVES_REASONS = frozenset({REJECTED, PARTIALLY_ACCEPTED})
#: Decisions that commit the Comune to do something: cost, period and office.
COMMITS = frozenset({ACCEPTED, PARTIALLY_ACCEPTED})


def _decision(value: str) -> Decision:
    try:
        return Decision(value)
    except ValueError:
        known = ", ".join(Decision)
        raise InvalidValue(
            f"{value!r} is not a decision (known: {known}).", slug="unknown-decision"
        ) from None


@dataclass(frozen=True)
class Point:
    """The answer to paragraph ``number`` of the proposal (1 alone: the whole of it)."""

    number: int
    decision: Decision
    reasons: Text | None = None
    cost_eur: Decimal | None = None
    starts_on: date | None = None  # execution period
    ends_on: date | None = None
    office: str | None = None  # the responsible office

    def __post_init__(self) -> None:
        object.__setattr__(self, "decision", _decision(self.decision))


def _blank(text: Text | None) -> bool:
    return text is None or not text.it.strip() or not text.en.strip()


def _check_cost(point: Point) -> None:
    cost = point.cost_eur
    if cost is None:
        return
    if (
        not isinstance(cost, Decimal)
        or not cost.is_finite()
        or cost < 0
        or cost != cost.quantize(Decimal("0.01"))
    ):
        raise InvalidValue(
            f"Point {point.number}: the cost is an amount in euro, zero or more, with at "
            f"most two decimals (got {cost!r}).",
            slug="invalid-cost",
        )


def _check_period(point: Point) -> None:
    starts, ends = point.starts_on, point.ends_on
    if starts is not None and ends is not None and ends < starts:
        raise InvalidValue(
            f"Point {point.number}: the execution period ends ({ends}) before it starts "
            f"({starts}).",
            slug="invalid-period",
        )


def _missing(point: Point) -> list[str]:
    missing = []
    if point.cost_eur is None:
        missing.append("cost")
    if point.starts_on is None or point.ends_on is None:
        missing.append("execution period (start and end)")
    if point.office is None or not point.office.strip():
        missing.append("responsible office")
    return missing


def check_points(points: Sequence[Point], *, paragraphs: int) -> None:
    """An answer's points, for a proposal of ``paragraphs`` paragraphs:

    - at least one (``no-points``);
    - numbered 1 to ``paragraphs`` (``no-such-point``), each once (``duplicate-point``);
    - rejected and partially accepted points give their reasons in Italian and English
      (``reasons-required``);
    - accepted and partially accepted points give their cost, their execution period
      (start and end) and their responsible office (``implementation-required``); for the
      other decisions these are optional;
    - a cost, where given, is zero or more, in euro and cents (``invalid-cost``); a period
      ends on or after its start (``invalid-period``).

    Messages name the point."""
    if isinstance(paragraphs, bool) or not isinstance(paragraphs, int) or paragraphs < 1:
        raise InvalidValue(
            f"A proposal has one paragraph at least (got {paragraphs!r}).",
            slug="invalid-paragraphs",
        )
    if not points:
        raise InvalidValue("An answer has one point at least.", slug="no-points")
    seen: set[int] = set()
    for point in points:
        number = point.number
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= paragraphs:
            raise InvalidValue(
                f"There is no point {number!r}: the proposal has {paragraphs} paragraph(s), "
                f"numbered 1 to {paragraphs} (point 1 alone answers the whole proposal).",
                slug="no-such-point",
            )
        if number in seen:
            raise InvalidValue(f"Point {number} is answered twice.", slug="duplicate-point")
        seen.add(number)
    for point in sorted(points, key=lambda p: p.number):
        if point.decision in GIVES_REASONS and _blank(point.reasons):
            raise InvalidValue(
                f"Point {point.number} is {point.decision}: its reasons are required, in "
                "Italian and in English.",
                slug="reasons-required",
            )
        if point.decision in COMMITS and (missing := _missing(point)):
            raise InvalidValue(
                f"Point {point.number} is {point.decision}: its "
                + ", ".join(missing)
                + (" are" if len(missing) > 1 else " is")
                + " missing.",
                slug="implementation-required",
            )
        _check_cost(point)
        _check_period(point)


def overall(points: Sequence[Point]) -> Decision:
    """The answer's decision as a whole (the table in the module's docstring)."""
    if not points:
        raise InvalidValue("An answer has one point at least.", slug="no-points")
    decisions = {_decision(p.decision) for p in points}
    if len(decisions) == 1:
        return decisions.pop()
    if decisions & COMMITS:
        return PARTIALLY_ACCEPTED
    if NEEDS_STUDY in decisions:
        return NEEDS_STUDY
    return PARTIALLY_ACCEPTED  # already_in_progress beside rejected


def check_four_eyes(drafter: str, approver: str) -> None:
    """The answer is approved by another person than the one who drafted it."""
    if drafter.strip() == approver.strip():
        raise StateConflict(
            "The approver must be another person than the drafter.", slug="same-person"
        )


def canonical(value: Any) -> Any:
    """``value`` as plain JSON values (dicts with string keys, lists, strings, integers,
    booleans, None), the same for equal inputs:

    - mappings keep their keys, which must be strings (a ``StrEnum`` is its value);
    - lists and tuples become lists, in their order;
    - a ``Text``, or any pydantic model, its fields (``{"en": …, "it": …}``); a dataclass
      (a :class:`Point`) its fields, ``None`` ones included;
    - a ``datetime`` or a ``date``: its ISO 8601 form (``2027-03-01``); a ``UUID``: its
      lower-case hyphenated form;
    - a ``Decimal``: its value in plain notation, without exponent and without trailing
      zeros (``Decimal("1500.50")`` is ``"1500.5"``, ``Decimal("1E+3")`` is ``"1000"``,
      any zero is ``"0"``), as a string, so that equal amounts are equal bytes;
    - a ``float`` is refused (``not-canonical``): amounts are Decimals, and so there is no
      question of how a binary fraction is written."""
    if value is None or isinstance(value, bool | int | str):
        return str(value) if isinstance(value, StrEnum) else value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidValue(f"{value} is not a number a document holds.", slug="not-canonical")
        if value == 0:
            return "0"
        return format(value.normalize(), "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, BaseModel):
        return canonical(value.model_dump(mode="python"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return canonical({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    if isinstance(value, Mapping):
        document = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidValue(
                    f"A document's keys are strings (got {key!r}).", slug="not-canonical"
                )
            document[str(key)] = canonical(item)
        return document
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    raise InvalidValue(
        f"A {type(value).__name__} has no canonical form in a document"
        + (": use a Decimal." if isinstance(value, float) else "."),
        slug="not-canonical",
    )


def frozen(answer: Mapping[str, Any]) -> tuple[bytes, str]:
    """The published answer's bytes and their SHA-256 (64 lower-case hex digits).

    The bytes are :func:`canonical` of ``answer`` as Python's ``json.dumps(document,
    sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` writes it (keys sorted by
    code point, no whitespace, non-ASCII characters as themselves), encoded in UTF-8: the
    same answer gives the same bytes on any machine. Strings are taken as stored, without
    Unicode normalization. (Keys are sorted by code point, not by UTF-16 unit as RFC 8785
    does; the two differ only for keys beyond the Basic Multilingual Plane.)"""
    serialized = json.dumps(
        canonical(answer), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    try:
        data = serialized.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate, which no text a person wrote has
        raise InvalidValue(
            "The answer holds a character that cannot be written in UTF-8.", slug="invalid-text"
        ) from exc
    return data, hashlib.sha256(data).hexdigest()


#: The proposal's Decidim state for each decision unless the assembly configures others.
#: ``partially_accepted`` is a custom state the Decidim component must define.
DEFAULT_DECIDIM_STATES: Mapping[Decision, str] = MappingProxyType(
    {
        ACCEPTED: "accepted",
        PARTIALLY_ACCEPTED: "partially_accepted",
        REJECTED: "rejected",
        ALREADY_IN_PROGRESS: "accepted",
        NEEDS_STUDY: "evaluating",
    }
)

#: What a Decidim token looks like (``parameterize(separator: "_")``, bounded here).
DECIDIM_TOKEN = re.compile(r"[a-z][a-z0-9_]{0,49}")
#: Decidim states that are no answer: the absence of a state, and the author's withdrawal.
NOT_ANSWERS = frozenset({"not_answered", "withdrawn"})


def check_mapping(mapping: Mapping[str, str]) -> dict[Decision, str]:
    """An assembly's mapping from decisions to Decidim state tokens, checked: every
    decision mapped (``unmapped-decision``), no other key (``unknown-decision``), every
    value a token (``invalid-decidim-state``) that is an answer (``not_answered`` and
    ``withdrawn`` are not: ``reserved-decidim-state``). Several decisions may share a
    state."""
    checked: dict[Decision, str] = {}
    for key, token in mapping.items():
        decision = _decision(key)
        if not isinstance(token, str) or not DECIDIM_TOKEN.fullmatch(token):
            raise InvalidValue(
                f"{token!r}, for {decision}, is not a Decidim state token: lower-case "
                "letters, digits and underscores, starting with a letter, 50 at most.",
                slug="invalid-decidim-state",
            )
        if token in NOT_ANSWERS:
            raise InvalidValue(
                f"{token!r}, for {decision}, is a Decidim state that is no answer.",
                slug="reserved-decidim-state",
            )
        checked[decision] = token
    if missing := [d for d in Decision if d not in checked]:
        raise InvalidValue(
            "Every decision has its Decidim state; missing: " + ", ".join(missing) + ".",
            slug="unmapped-decision",
        )
    return checked


def decidim_state(decision: str, mapping: Mapping[str, str] | None = None) -> str:
    """The Decidim state token of a proposal answered with ``decision``, by ``mapping``
    (checked: :func:`check_mapping`) or else :data:`DEFAULT_DECIDIM_STATES`."""
    states = DEFAULT_DECIDIM_STATES if mapping is None else check_mapping(mapping)
    return states[_decision(decision)]


class Reply(StrEnum):
    """The assembly's reply to a published answer."""

    SATISFIED = "satisfied"
    PARTIALLY_SATISFIED = "partially_satisfied"
    CONTESTED = "contested"


def _reply(value: str) -> Reply:
    try:
        return Reply(value)
    except ValueError:
        known = ", ".join(Reply)
        raise InvalidValue(
            f"{value!r} is not a reply (known: {known}).", slug="unknown-reply"
        ) from None


def reopens(reply: str) -> bool:
    """Whether the reply takes the case back for a follow-up answer: only ``contested``."""
    return _reply(reply) is Reply.CONTESTED


def check_reply(reply: str, text: Text | None) -> None:
    """A reply other than ``satisfied`` says why, in Italian and English
    (``reply-text-required``); a satisfied reply may say something too."""
    kind = _reply(reply)
    if kind is not Reply.SATISFIED and _blank(text):
        raise InvalidValue(
            f"A {kind.replace('_', ' ')} reply says why, in Italian and in English.",
            slug="reply-text-required",
        )
