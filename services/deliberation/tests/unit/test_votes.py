"""The majority rule and the quorum, at their edges, against exact fractions."""

from fractions import Fraction

import pytest

from common.errors import InvalidValue, StateConflict
from deliberation.domain.votes import (
    MORE_THAN_HALF,
    TWO_THIRDS_OF_PRESENT,
    Base,
    QuorumRule,
    Rule,
    Tally,
    check_quorum,
    evaluate,
    quorum,
    quorum_needed,
    threshold,
)


def test_40_of_59_present_adopt():
    result = evaluate(TWO_THIRDS_OF_PRESENT, Tally(yes=40, no=15, abstain=4), entitled=59)
    assert result.adopted  # 3 × 40 = 120 ≥ 2 × 59 = 118
    assert (result.base, result.threshold, result.not_voted) == (59, 40, 0)
    assert (result.yes, result.no, result.abstain, result.entitled) == (40, 15, 4, 59)
    assert result.rule == Rule(2, 3, Base.PRESENT, 1)


def test_39_of_59_present_do_not():
    result = evaluate(TWO_THIRDS_OF_PRESENT, Tally(yes=39, no=16, abstain=4), entitled=59)
    assert not result.adopted  # 3 × 39 = 117 < 118
    assert result.threshold == 40


def test_those_who_do_not_vote_are_counted():
    result = evaluate(TWO_THIRDS_OF_PRESENT, Tally(yes=40, no=10, abstain=0), entitled=59)
    assert result.not_voted == 9
    assert result.adopted


@pytest.mark.parametrize("size", range(1, 101))
@pytest.mark.parametrize(("numerator", "denominator"), [(2, 3), (1, 2), (3, 5), (1, 1)])
def test_threshold_agrees_with_exact_fractions(size, numerator, denominator):
    rule = Rule(numerator, denominator)
    share = Fraction(numerator, denominator) * size
    needed = threshold(rule, size)
    assert needed >= share > needed - 1  # the smallest whole number at or above the share
    for yes in range(size + 1):
        result = evaluate(rule, Tally(yes=yes, no=size - yes, abstain=0), entitled=size)
        assert result.adopted == (Fraction(yes) >= share)
        assert result.adopted == (yes >= needed)


def test_two_thirds_of_sizes_that_are_not_multiples_of_three():
    assert [threshold(TWO_THIRDS_OF_PRESENT, n) for n in (58, 59, 60, 61, 89, 90)] == [
        39,
        40,
        40,
        41,
        60,
        60,
    ]


def test_base_cast_leaves_out_those_who_did_not_vote():
    rule = Rule(base=Base.CAST)
    result = evaluate(rule, Tally(yes=30, no=10, abstain=5), entitled=59)
    assert (result.base, result.threshold, result.adopted) == (45, 30, True)
    assert not evaluate(rule, Tally(yes=29, no=10, abstain=6), entitled=59).adopted


def test_base_yes_no_leaves_out_abstentions_too():
    rule = Rule(base=Base.YES_NO)
    result = evaluate(rule, Tally(yes=20, no=10, abstain=20), entitled=59)
    assert (result.base, result.threshold, result.adopted) == (30, 20, True)
    assert not evaluate(rule, Tally(yes=19, no=10, abstain=20), entitled=59).adopted


@pytest.mark.parametrize(
    ("base", "tally"),
    [
        (Base.CAST, Tally(0, 0, 0)),
        (Base.YES_NO, Tally(0, 0, 12)),
        (Base.PRESENT, Tally(0, 0, 0)),
    ],
)
def test_a_base_of_nothing_adopts_nothing(base, tally):
    entitled = 0 if base is Base.PRESENT else 12
    result = evaluate(Rule(base=base), tally, entitled=entitled)
    assert result.base == 0
    assert result.threshold == 1
    assert not result.adopted


def test_a_tally_larger_than_the_entitled_count_is_refused():
    with pytest.raises(InvalidValue) as raised:
        evaluate(TWO_THIRDS_OF_PRESENT, Tally(yes=45, no=15, abstain=1), entitled=59)
    assert raised.value.slug == "tally-exceeds-entitled"
    assert "61 votes" in raised.value.detail
    assert "only 59 members" in raised.value.detail


@pytest.mark.parametrize("counts", [(-1, 0, 0), (0, -3, 0), (1.5, 0, 0), (True, 0, 0)])
def test_counts_are_whole_numbers_zero_or_more(counts):
    with pytest.raises(InvalidValue) as raised:
        Tally(*counts)
    assert raised.value.slug == "invalid-count"


def test_a_negative_entitled_count_is_refused():
    with pytest.raises(InvalidValue):
        evaluate(TWO_THIRDS_OF_PRESENT, Tally(0, 0, 0), entitled=-1)


@pytest.mark.parametrize(("numerator", "denominator"), [(0, 3), (4, 3), (-2, 3), (2, 0), (1, -2)])
def test_a_rule_is_a_fraction_above_0_and_at_most_1(numerator, denominator):
    with pytest.raises(InvalidValue) as raised:
        Rule(numerator, denominator)
    assert raised.value.slug == "invalid-fraction"


def test_a_rule_names_its_base_and_version():
    assert Rule(base="yes_no", version=3).base is Base.YES_NO  # type: ignore[arg-type]
    with pytest.raises(InvalidValue) as unknown:
        Rule(base="most")  # type: ignore[arg-type]
    assert unknown.value.slug == "unknown-base"
    with pytest.raises(InvalidValue) as raised:
        Rule(version=0)
    assert raised.value.slug == "invalid-rule-version"


def test_a_unanimity_rule_needs_everyone():
    rule = Rule(1, 1)
    assert evaluate(rule, Tally(59, 0, 0), entitled=59).adopted
    assert not evaluate(rule, Tally(58, 0, 0), entitled=59).adopted


@pytest.mark.parametrize(
    ("present", "sitting", "expected"),
    [(46, 90, True), (45, 90, False), (44, 90, False), (31, 61, True), (30, 61, False)],
)
def test_the_default_quorum_is_more_than_half(present, sitting, expected):
    assert quorum(present, sitting) is expected
    assert quorum(present, sitting, MORE_THAN_HALF) is expected


def test_a_quorum_that_is_not_strict_counts_the_exact_share():
    half_or_more = QuorumRule(1, 2, strict=False)
    assert quorum(45, 90, half_or_more)
    assert not quorum(44, 90, half_or_more)
    two_thirds = QuorumRule(2, 3, strict=False)
    assert quorum(60, 90, two_thirds)
    assert not quorum(59, 90, two_thirds)
    assert not quorum(60, 90, QuorumRule(2, 3, strict=True))


@pytest.mark.parametrize("sitting", range(0, 101))
@pytest.mark.parametrize("rule", [MORE_THAN_HALF, QuorumRule(1, 2, False), QuorumRule(2, 3, False)])
def test_quorum_needed_is_the_fewest_that_make_a_quorum(sitting, rule):
    needed = quorum_needed(sitting, rule)
    assert needed == next(
        (p for p in range(sitting + 1) if quorum(p, sitting, rule)), max(1, sitting + 1)
    )


def test_nobody_present_is_no_quorum():
    assert not quorum(0, 0, QuorumRule(1, 2, strict=False))
    assert not quorum(0, 0)


def test_more_present_than_sitting_is_refused():
    with pytest.raises(InvalidValue) as raised:
        quorum(91, 90)
    assert raised.value.slug == "present-exceeds-sitting"


def test_a_vote_without_quorum_says_how_many_are_needed():
    check_quorum(46, 90)
    with pytest.raises(StateConflict) as raised:
        check_quorum(40, 90)
    assert raised.value.slug == "no-quorum"
    assert "40 of 90" in raised.value.detail
    assert "more than half" in raised.value.detail
    assert "at least 46" in raised.value.detail
