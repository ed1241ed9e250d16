"""Who may cast a ballot, and a secret ballot's stored state, which links no one."""

from itertools import permutations

import pytest

from common.errors import InvalidValue, StateConflict
from deliberation.domain.ballots import (
    Choice,
    add,
    cast,
    check_counted,
    increments,
    parse_choice,
)
from deliberation.domain.votes import TWO_THIRDS_OF_PRESENT, Tally, evaluate

ENTITLED = frozenset({"m1", "m2", "m3"})


def test_an_entitled_member_who_has_not_voted_may_vote():
    cast("yes", "m1", ENTITLED, frozenset(), vote_open=True)


def test_a_second_ballot_is_refused():
    with pytest.raises(StateConflict) as raised:
        cast("no", "m1", ENTITLED, frozenset({"m1"}), vote_open=True)
    assert raised.value.slug == "already-voted"


def test_a_member_absent_when_the_vote_opened_is_refused():
    with pytest.raises(StateConflict) as raised:
        cast("yes", "m9", ENTITLED, frozenset(), vote_open=True)
    assert raised.value.slug == "not-entitled"
    assert "only the 3 members present then" in raised.value.detail


def test_a_ballot_after_the_close_is_refused_whoever_sends_it():
    for voter, voted in [("m1", frozenset()), ("m1", frozenset({"m1"})), ("m9", frozenset())]:
        with pytest.raises(StateConflict) as raised:
            cast("yes", voter, ENTITLED, voted, vote_open=False)
        assert raised.value.slug == "vote-closed"


def test_a_choice_is_yes_no_or_abstain():
    assert parse_choice("abstain") is Choice.ABSTAIN
    with pytest.raises(InvalidValue) as raised:
        cast("maybe", "m1", ENTITLED, frozenset(), vote_open=True)
    assert raised.value.slug == "invalid-choice"


def test_each_choice_moves_one_counter():
    assert increments("yes") == (1, 0, 0)
    assert increments("no") == (0, 1, 0)
    assert increments("abstain") == (0, 0, 1)
    assert add(Tally(2, 1, 0), "abstain") == Tally(2, 1, 1)


def secret_vote(ballots):
    """What the scheme stores after these (voter, choice) ballots: the voters, the counts."""
    voters, counts = frozenset(), Tally(0, 0, 0)
    for voter, choice in ballots:
        cast(choice, voter, ENTITLED, voters, vote_open=True)
        voters, counts = voters | {voter}, add(counts, choice)
    check_counted(counts, len(voters))
    return voters, counts


def test_the_stored_state_is_the_same_whoever_cast_which_ballot():
    choices = ["yes", "yes", "no"]
    stored = {
        secret_vote(zip(order, choices, strict=True)) for order in permutations(sorted(ENTITLED))
    }
    assert stored == {(ENTITLED, Tally(2, 1, 0))}  # six ways to vote, one stored state


def test_secret_ballots_reach_the_same_result_as_a_tally():
    voters = [f"m{n:02d}" for n in range(59)]
    choices = ["yes"] * 40 + ["no"] * 15 + ["abstain"] * 4
    entitled = frozenset(voters)
    voted, counts = frozenset(), Tally(0, 0, 0)
    for voter, choice in zip(voters, choices, strict=True):
        cast(choice, voter, entitled, voted, vote_open=True)
        voted, counts = voted | {voter}, add(counts, choice)
    result = evaluate(TWO_THIRDS_OF_PRESENT, counts, entitled=len(entitled))
    assert (result.yes, result.no, result.abstain, result.adopted) == (40, 15, 4, True)


def test_counters_that_disagree_with_the_voters_are_refused_at_the_close():
    check_counted(Tally(2, 1, 0), 3)
    with pytest.raises(StateConflict) as raised:
        check_counted(Tally(2, 1, 1), 3)
    assert raised.value.slug == "ballot-count-mismatch"
