"""The majority rule and the quorum, in exact integer arithmetic. Pure domain.

A recommendation is adopted by two thirds of the members present. Written as a rule:
a fraction ``numerator / denominator`` (default 2/3) of a base (default ``present``), and

    adopted  ⇔  denominator × yes ≥ numerator × base   (and at least one yes)

so 40 yes of 59 present pass (3 × 40 = 120 ≥ 2 × 59 = 118) and 39 do not (117 < 118).
Only integers are multiplied and compared: no float, no rounding, whatever the sizes.

The bases, chosen per assembly (the rule is configuration, versioned):

- ``present``: the entitled snapshot, the members present when the vote opened; whoever
  abstains or does not vote counts, in effect, against;
- ``cast``: yes + no + abstain; not voting is neutral, abstaining is not;
- ``yes_no``: yes + no; abstaining and not voting are both neutral.

The threshold published with each result is the smallest number of yes votes that adopts:
``ceil(numerator × base / denominator)``, computed as ``-(-(numerator × base) //
denominator)``, and never less than 1. A base of 0 (nobody cast a vote under ``cast``;
everybody abstained under ``yes_no``) adopts nothing: ``0 ≥ 0`` would hold, but a decision
nobody supported is not a decision, so the threshold is then 1 and, with no yes possible,
the subject is not adopted.

The quorum (a vote cannot open without it) is the same kind of comparison: by default more
than half of the sitting members present, ``2 × present > sitting``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from common.errors import InvalidValue, StateConflict


class Base(StrEnum):
    """What the fraction of the rule is taken of."""

    PRESENT = "present"  # the entitled snapshot: members present when the vote opened
    CAST = "cast"  # yes + no + abstain
    YES_NO = "yes_no"  # yes + no


def _count(name: str, value: int) -> None:
    # bool is an int in Python; a True among counts is a bug upstream, not a vote.
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidValue(
            f"{name} must be a whole number, zero or more (got {value!r}).",
            slug="invalid-count",
        )


def _fraction(numerator: int, denominator: int, what: str) -> None:
    for name, value in (("numerator", numerator), ("denominator", denominator)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidValue(
                f"The {what}'s {name} must be a whole number (got {value!r}).",
                slug="invalid-fraction",
            )
    if not 0 < numerator <= denominator:
        raise InvalidValue(
            f"A {what} of {numerator}/{denominator} cannot be: the fraction must be more "
            "than 0 and at most 1 (0 < numerator ≤ denominator).",
            slug="invalid-fraction",
        )


@dataclass(frozen=True)
class Rule:
    """A majority: ``numerator / denominator`` of ``base``; ``version`` is the assembly's
    configuration version it comes from, recorded with every result."""

    numerator: int = 2
    denominator: int = 3
    base: Base = Base.PRESENT
    version: int = 1

    def __post_init__(self) -> None:
        _fraction(self.numerator, self.denominator, "majority rule")
        if self.base not in tuple(Base):
            known = ", ".join(Base)
            raise InvalidValue(
                f"{self.base!r} is no base a rule can take (known: {known}).",
                slug="unknown-base",
            )
        object.__setattr__(self, "base", Base(self.base))
        if not isinstance(self.version, int) or isinstance(self.version, bool) or self.version < 1:
            raise InvalidValue(
                f"A rule's version is counted from 1 (got {self.version!r}).",
                slug="invalid-rule-version",
            )


#: The assembly's rule unless configured otherwise: two thirds of the members present.
TWO_THIRDS_OF_PRESENT = Rule()


@dataclass(frozen=True)
class Tally:
    """The votes cast: by show of hands, as the facilitator counted them, or summed from
    ballots."""

    yes: int
    no: int
    abstain: int

    def __post_init__(self) -> None:
        for name in ("yes", "no", "abstain"):
            _count(name, getattr(self, name))

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain


@dataclass(frozen=True)
class Result:
    """A vote's outcome with everything needed to check it by hand: the tally, who did not
    vote, the base the rule was applied to, the threshold, and the rule itself."""

    yes: int
    no: int
    abstain: int
    not_voted: int  # entitled - (yes + no + abstain)
    entitled: int  # the members present when the vote opened
    base: int  # the number the fraction is taken of
    threshold: int  # the fewest yes votes that adopt
    adopted: bool
    rule: Rule


def base_of(rule: Rule, tally: Tally, entitled: int) -> int:
    """The integer the rule's fraction is taken of."""
    if rule.base is Base.PRESENT:
        return entitled
    if rule.base is Base.CAST:
        return tally.cast
    return tally.yes + tally.no


def threshold(rule: Rule, base: int) -> int:
    """The fewest yes votes with ``denominator × yes ≥ numerator × base``, and at least 1:
    ``max(1, ceil(numerator × base / denominator))`` in integers."""
    _count("base", base)
    return max(1, -(-(rule.numerator * base) // rule.denominator))


def check_tally(tally: Tally, entitled: int) -> None:
    """A tally can count no more votes than there are members entitled to cast them."""
    _count("entitled", entitled)
    if tally.cast > entitled:
        raise InvalidValue(
            f"The tally counts {tally.cast} votes ({tally.yes} yes, {tally.no} no, "
            f"{tally.abstain} abstain) but only {entitled} members are entitled.",
            slug="tally-exceeds-entitled",
        )


def evaluate(rule: Rule, tally: Tally, entitled: int) -> Result:
    """Apply ``rule`` to ``tally`` for a vote with ``entitled`` members (the snapshot taken
    when it opened). Adopted iff ``yes ≥ threshold``, which for a base above 0 is exactly
    ``denominator × yes ≥ numerator × base``."""
    check_tally(tally, entitled)
    base = base_of(rule, tally, entitled)
    needed = threshold(rule, base)
    return Result(
        yes=tally.yes,
        no=tally.no,
        abstain=tally.abstain,
        not_voted=entitled - tally.cast,
        entitled=entitled,
        base=base,
        threshold=needed,
        adopted=tally.yes >= needed,
        rule=rule,
    )


@dataclass(frozen=True)
class QuorumRule:
    """Present members needed: more than (``strict``) or at least ``numerator /
    denominator`` of the sitting members. The default: more than half."""

    numerator: int = 1
    denominator: int = 2
    strict: bool = True

    def __post_init__(self) -> None:
        _fraction(self.numerator, self.denominator, "quorum")

    def describe(self) -> str:
        share = (
            "half"
            if (self.numerator, self.denominator) == (1, 2)
            else (f"{self.numerator}/{self.denominator}")
        )
        return f"{'more than' if self.strict else 'at least'} {share} of the sitting members"


#: More than half of the sitting members.
MORE_THAN_HALF = QuorumRule()


def _check_presence(present: int, sitting: int) -> None:
    _count("present", present)
    _count("sitting", sitting)
    if present > sitting:
        raise InvalidValue(
            f"{present} members cannot be present when only {sitting} sit.",
            slug="present-exceeds-sitting",
        )


def quorum(present: int, sitting: int, rule: QuorumRule = MORE_THAN_HALF) -> bool:
    """Whether ``present`` of ``sitting`` members make a quorum: ``denominator × present >
    numerator × sitting`` (or ``≥`` when the rule is not strict). Nobody present is never
    a quorum, whatever the rule."""
    _check_presence(present, sitting)
    if present == 0:
        return False
    left, right = rule.denominator * present, rule.numerator * sitting
    return left > right if rule.strict else left >= right


def quorum_needed(sitting: int, rule: QuorumRule = MORE_THAN_HALF) -> int:
    """The fewest members present that make a quorum of ``sitting`` (at least 1)."""
    _count("sitting", sitting)
    share = rule.numerator * sitting
    least = share // rule.denominator + 1 if rule.strict else -(-share // rule.denominator)
    return max(1, least)


def check_quorum(present: int, sitting: int, rule: QuorumRule = MORE_THAN_HALF) -> None:
    """Refuse to open a vote without a quorum, saying how many more members it needs."""
    if not quorum(present, sitting, rule):
        needed = quorum_needed(sitting, rule)
        raise StateConflict(
            f"No quorum: {present} of {sitting} sitting members are present; the quorum is "
            f"{rule.describe()}, so at least {needed}.",
            slug="no-quorum",
        )
