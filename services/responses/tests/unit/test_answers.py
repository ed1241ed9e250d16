"""The answer's workflow, its points, the overall decision, four eyes, the frozen
document, the Decidim states and the assembly's reply."""

import hashlib
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from common.errors import InvalidValue, StateConflict
from common.texts import Text
from responses.domain import answers as a
from responses.domain.answers import (
    ACCEPTED,
    ALREADY_IN_PROGRESS,
    DEFAULT_DECIDIM_STATES,
    NEEDS_STUDY,
    PARTIALLY_ACCEPTED,
    REJECTED,
    Decision,
    Point,
    Reply,
    canonical,
    check_four_eyes,
    check_mapping,
    check_points,
    check_reply,
    decidim_state,
    frozen,
    overall,
    reopens,
)

WHY = Text(it="Il bilancio non lo consente", en="The budget does not allow it")


def committed(number, decision=ACCEPTED, **changes):
    fields = {
        "reasons": WHY,
        "cost_eur": Decimal("1500.50"),
        "starts_on": date(2027, 3, 1),
        "ends_on": date(2027, 12, 31),
        "office": "Area Verde urbano",
    }
    fields.update(changes)
    return Point(number, decision, **fields)


def bare(number, decision, **changes):
    return Point(number, decision, **changes)


# --- workflow -------------------------------------------------------------------------

ALLOWED = [
    (a.RECEIVED, a.ASSIGNED),
    (a.ASSIGNED, a.ASSIGNED),
    (a.ASSIGNED, a.IN_REVIEW),
    (a.IN_REVIEW, a.IN_REVIEW),
    (a.IN_REVIEW, a.DRAFTED),
    (a.IN_REVIEW, a.ASSIGNED),
    (a.DRAFTED, a.DRAFTED),
    (a.DRAFTED, a.APPROVED),
    (a.DRAFTED, a.ASSIGNED),
    (a.APPROVED, a.DRAFTED),
    (a.APPROVED, a.PUBLISHED),
    (a.PUBLISHED, a.IN_REVIEW),
]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed(current, target):
    assert a.transition(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [(x, y) for x in a.State for y in a.State if (x, y) not in ALLOWED],
)
def test_everything_else_is_refused(current, target):
    with pytest.raises(StateConflict) as raised:
        a.transition(current, target)
    assert raised.value.slug == "invalid-transition"


def test_a_refusal_lists_where_the_case_may_go():
    with pytest.raises(StateConflict) as raised:
        a.transition("approved", "assigned")
    assert "drafted, published" in raised.value.detail


def test_an_unknown_state_is_refused():
    for current, target in (("received", "answered"), ("answered", "received")):
        with pytest.raises(InvalidValue) as raised:
            a.transition(current, target)
        assert raised.value.slug == "unknown-state"


def test_every_state_has_its_transitions_and_none_is_final():
    assert set(a.TRANSITIONS) == set(a.State)
    assert all(a.TRANSITIONS.values())


# --- points ---------------------------------------------------------------------------


def refused(points, paragraphs=3):
    with pytest.raises(InvalidValue) as raised:
        check_points(points, paragraphs=paragraphs)
    return raised.value


def test_a_point_per_paragraph_is_an_answer():
    check_points(
        [
            committed(1),
            bare(2, REJECTED, reasons=WHY),
            bare(3, NEEDS_STUDY),
        ],
        paragraphs=3,
    )


def test_a_single_point_1_answers_the_whole_proposal():
    check_points([committed(1)], paragraphs=7)
    check_points([bare(1, ALREADY_IN_PROGRESS)], paragraphs=1)


def test_points_may_be_listed_in_any_order_and_some_paragraphs_left_out():
    check_points([bare(3, NEEDS_STUDY), committed(1)], paragraphs=3)


def test_an_answer_has_a_point():
    assert refused([]).slug == "no-points"


@pytest.mark.parametrize("number", [0, 4, -1, True, "1"])
def test_a_point_answers_a_paragraph_of_the_proposal(number):
    error = refused([bare(number, NEEDS_STUDY)])
    assert error.slug == "no-such-point"
    assert "1 to 3" in error.detail


def test_a_paragraph_is_answered_once():
    error = refused([bare(2, NEEDS_STUDY), bare(2, ALREADY_IN_PROGRESS)])
    assert error.slug == "duplicate-point"
    assert "Point 2" in error.detail


@pytest.mark.parametrize("paragraphs", [0, -2, True])
def test_a_proposal_has_a_paragraph(paragraphs):
    assert refused([bare(1, NEEDS_STUDY)], paragraphs=paragraphs).slug == "invalid-paragraphs"


@pytest.mark.parametrize("decision", [REJECTED, PARTIALLY_ACCEPTED])
def test_a_rejection_and_a_partial_acceptance_give_their_reasons(decision):
    error = refused([bare(1, NEEDS_STUDY), committed(2, decision, reasons=None)])
    assert error.slug == "reasons-required"
    assert "Point 2" in error.detail


def test_reasons_are_given_in_both_languages():
    # A Text read from a request is never blank; one built without validation may be.
    half = Text.model_construct(it="Motivi", en="  ")
    assert refused([bare(1, REJECTED, reasons=half)]).slug == "reasons-required"


@pytest.mark.parametrize("decision", [ACCEPTED, ALREADY_IN_PROGRESS, NEEDS_STUDY])
def test_other_decisions_may_give_reasons_or_not(decision):
    check_points([committed(1, decision, reasons=None)], paragraphs=1)
    check_points([committed(1, decision, reasons=WHY)], paragraphs=1)


@pytest.mark.parametrize("decision", [ACCEPTED, PARTIALLY_ACCEPTED])
@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"cost_eur": None}, "cost is missing"),
        ({"starts_on": None}, "execution period (start and end) is missing"),
        ({"ends_on": None}, "execution period (start and end) is missing"),
        ({"office": None}, "responsible office is missing"),
        ({"office": "   "}, "responsible office is missing"),
        (
            {"cost_eur": None, "office": None},
            "cost, responsible office are missing",
        ),
    ],
)
def test_what_is_accepted_says_its_cost_period_and_office(decision, changes, named):
    error = refused([committed(1), committed(3, decision, **changes)])
    assert error.slug == "implementation-required"
    assert error.detail.startswith(f"Point 3 is {decision}")
    assert named in error.detail


@pytest.mark.parametrize("decision", [REJECTED, ALREADY_IN_PROGRESS, NEEDS_STUDY])
def test_for_other_decisions_cost_period_and_office_are_optional(decision):
    check_points([committed(1, decision)], paragraphs=1)
    check_points([committed(1, decision, cost_eur=None, office=None)], paragraphs=1)
    check_points([committed(1, decision, starts_on=None)], paragraphs=1)


@pytest.mark.parametrize(
    "cost", [Decimal("-0.01"), Decimal("1.005"), Decimal("NaN"), Decimal("Infinity"), 12.5]
)
def test_a_cost_is_euro_and_cents_not_negative(cost):
    error = refused([committed(2, cost_eur=cost)])
    assert error.slug == "invalid-cost"
    assert "Point 2" in error.detail


def test_a_cost_is_checked_even_where_optional():
    assert refused([committed(1, NEEDS_STUDY, cost_eur=Decimal(-5))]).slug == "invalid-cost"


@pytest.mark.parametrize("cost", [Decimal(0), Decimal("12"), Decimal("12.3"), Decimal("1.500")])
def test_costs_that_are_euro_and_cents(cost):
    check_points([committed(1, cost_eur=cost)], paragraphs=1)


def test_the_execution_period_ends_on_or_after_its_start():
    check_points([committed(1, ends_on=date(2027, 3, 1))], paragraphs=1)
    error = refused([committed(1, NEEDS_STUDY, ends_on=date(2027, 2, 28))])
    assert error.slug == "invalid-period"
    assert "Point 1" in error.detail


def test_the_first_broken_point_in_number_order_is_reported():
    error = refused([bare(3, REJECTED), bare(2, REJECTED)])
    assert "Point 2" in error.detail


def test_a_point_takes_a_known_decision():
    assert Point(1, "rejected").decision is REJECTED  # type: ignore[arg-type]
    with pytest.raises(InvalidValue) as raised:
        Point(1, "maybe")  # type: ignore[arg-type]
    assert raised.value.slug == "unknown-decision"


# --- overall decision -----------------------------------------------------------------


def decided(*decisions):
    return overall([bare(n, d) for n, d in enumerate(decisions, start=1)])


@pytest.mark.parametrize("decision", list(Decision))
def test_all_the_same_is_that_decision(decision):
    assert decided(decision) is decision
    assert decided(decision, decision, decision) is decision


@pytest.mark.parametrize(
    "decisions",
    [
        (ACCEPTED, REJECTED),
        (ACCEPTED, NEEDS_STUDY),
        (ACCEPTED, ALREADY_IN_PROGRESS),
        (PARTIALLY_ACCEPTED, ACCEPTED),
        (PARTIALLY_ACCEPTED, REJECTED),
        (PARTIALLY_ACCEPTED, NEEDS_STUDY),
        (REJECTED, NEEDS_STUDY, ACCEPTED),
        tuple(Decision),
    ],
)
def test_a_mix_with_something_accepted_is_partially_accepted(decisions):
    assert decided(*decisions) is PARTIALLY_ACCEPTED


@pytest.mark.parametrize(
    "decisions",
    [
        (REJECTED, NEEDS_STUDY),
        (ALREADY_IN_PROGRESS, NEEDS_STUDY),
        (ALREADY_IN_PROGRESS, REJECTED, NEEDS_STUDY),
    ],
)
def test_a_mix_with_nothing_accepted_and_something_to_study_needs_study(decisions):
    assert decided(*decisions) is NEEDS_STUDY


def test_already_in_progress_beside_rejected_is_partially_accepted():
    assert decided(ALREADY_IN_PROGRESS, REJECTED, REJECTED) is PARTIALLY_ACCEPTED


def test_every_set_of_decisions_has_an_overall_decision():
    import itertools

    for size in range(1, len(Decision) + 1):
        for combination in itertools.combinations(Decision, size):
            result = decided(*combination)
            assert result is not REJECTED or combination == (REJECTED,)


def test_no_points_no_decision():
    with pytest.raises(InvalidValue) as raised:
        overall([])
    assert raised.value.slug == "no-points"


# --- four eyes ------------------------------------------------------------------------


def test_the_approver_is_another_person():
    check_four_eyes("drafter-1", "approver-2")
    with pytest.raises(StateConflict) as raised:
        check_four_eyes("person-7", "person-7")
    assert raised.value.slug == "same-person"
    assert raised.value.detail == "The approver must be another person than the drafter."


# --- frozen document ------------------------------------------------------------------

DOCUMENT = {
    "decision": PARTIALLY_ACCEPTED,
    "points": [
        Point(
            1,
            ACCEPTED,
            None,
            Decimal("1500.50"),
            date(2027, 3, 1),
            date(2027, 12, 31),
            "Verde urbano",
        )
    ],
    "answer": Text(it="Sì, in parte: città più fresca", en="Yes, in part"),
}
EXPECTED = (
    '{"answer":{"en":"Yes, in part","it":"Sì, in parte: città più fresca"},'
    '"decision":"partially_accepted","points":[{"cost_eur":"1500.5","decision":"accepted",'
    '"ends_on":"2027-12-31","number":1,"office":"Verde urbano","reasons":null,'
    '"starts_on":"2027-03-01"}]}'
).encode()


def test_the_frozen_answer_is_canonical_json_and_its_sha256():
    data, digest = frozen(DOCUMENT)
    assert data == EXPECTED
    assert digest == hashlib.sha256(EXPECTED).hexdigest()
    assert digest == "dd77b02e84b622d79f1d0b69a9a836f6a44dfe42ab6dfaceb908481a862911ff"


def test_the_same_answer_gives_the_same_bytes_whatever_the_key_order():
    reordered = {key: DOCUMENT[key] for key in reversed(list(DOCUMENT))}
    assert frozen(reordered) == frozen(DOCUMENT)


def test_non_ascii_is_written_as_itself_in_utf8():
    data, _ = frozen({"t": "Città è più"})
    assert data == '{"t":"Città è più"}'.encode()
    assert b"\\u" not in data


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        (Decimal("1500.50"), "1500.5"),
        (Decimal("1500.5"), "1500.5"),
        (Decimal("1E+3"), "1000"),
        (Decimal("1000"), "1000"),
        (Decimal("0.00"), "0"),
        (Decimal("-0"), "0"),
        (Decimal("0.000001"), "0.000001"),
        (Decimal("-12.30"), "-12.3"),
    ],
)
def test_equal_decimals_are_equal_plain_strings(value, plain):
    assert canonical(value) == plain


def test_canonical_values():
    moment = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert canonical(moment) == "2027-03-01T09:30:00+00:00"
    assert canonical(date(2027, 3, 1)) == "2027-03-01"
    assert canonical(ident) == "12345678-1234-5678-1234-567812345678"
    assert canonical((1, True, None, "x")) == [1, True, None, "x"]
    assert canonical(REJECTED) == "rejected"
    assert type(canonical(REJECTED)) is str
    assert canonical(WHY) == {"it": WHY.it, "en": WHY.en}
    assert canonical({"a": {"b": [Decimal("2.50")]}}) == {"a": {"b": ["2.5"]}}


@pytest.mark.parametrize(
    "value", [1.5, Decimal("NaN"), Decimal("-Infinity"), {1: "x"}, {"s": {1, 2}}, object()]
)
def test_what_has_no_canonical_form_is_refused(value):
    with pytest.raises(InvalidValue) as raised:
        frozen({"v": value})
    assert raised.value.slug == "not-canonical"


def test_a_lone_surrogate_is_refused():
    with pytest.raises(InvalidValue) as raised:
        frozen({"t": "\ud800"})
    assert raised.value.slug == "invalid-text"


# --- Decidim states -------------------------------------------------------------------


def test_the_default_decidim_states():
    assert dict(DEFAULT_DECIDIM_STATES) == {
        ACCEPTED: "accepted",
        PARTIALLY_ACCEPTED: "partially_accepted",
        REJECTED: "rejected",
        ALREADY_IN_PROGRESS: "accepted",
        NEEDS_STUDY: "evaluating",
    }
    assert [decidim_state(d) for d in Decision] == [DEFAULT_DECIDIM_STATES[d] for d in Decision]
    check_mapping(DEFAULT_DECIDIM_STATES)
    with pytest.raises(TypeError):
        DEFAULT_DECIDIM_STATES[ACCEPTED] = "x"  # type: ignore[index]


MAPPING = {
    "accepted": "accepted",
    "partially_accepted": "accepted",
    "rejected": "rejected",
    "already_in_progress": "in_corso",
    "needs_study": "evaluating",
}


def test_an_assemblys_own_mapping():
    assert check_mapping(MAPPING) == {Decision(k): v for k, v in MAPPING.items()}
    assert decidim_state("already_in_progress", MAPPING) == "in_corso"
    assert decidim_state(PARTIALLY_ACCEPTED, MAPPING) == "accepted"


def refused_mapping(mapping):
    with pytest.raises(InvalidValue) as raised:
        check_mapping(mapping)
    return raised.value


def test_every_decision_is_mapped():
    error = refused_mapping({k: v for k, v in MAPPING.items() if k != "needs_study"})
    assert error.slug == "unmapped-decision"
    assert "needs_study" in error.detail


def test_only_decisions_are_mapped():
    assert refused_mapping({**MAPPING, "maybe": "evaluating"}).slug == "unknown-decision"


@pytest.mark.parametrize(
    "token", ["", "Accepted", "1st", "_x", "in corso", "in-corso", "a" * 51, None, "è"]
)
def test_a_decidim_state_is_a_token(token):
    assert refused_mapping({**MAPPING, "needs_study": token}).slug == "invalid-decidim-state"


def test_the_longest_token():
    check_mapping({**MAPPING, "needs_study": "a" * 50})


@pytest.mark.parametrize("token", ["not_answered", "withdrawn"])
def test_no_decision_maps_to_a_state_that_is_no_answer(token):
    assert refused_mapping({**MAPPING, "rejected": token}).slug == "reserved-decidim-state"


def test_an_unknown_decision_has_no_decidim_state():
    with pytest.raises(InvalidValue) as raised:
        decidim_state("maybe")
    assert raised.value.slug == "unknown-decision"


def test_a_broken_mapping_is_refused_when_used():
    with pytest.raises(InvalidValue):
        decidim_state(ACCEPTED, {"accepted": "accepted"})


# --- the assembly's reply -------------------------------------------------------------

BECAUSE = Text(it="Manca il calendario", en="The schedule is missing")


def test_only_a_contested_reply_reopens_the_case():
    assert reopens(Reply.CONTESTED)
    assert not reopens(Reply.SATISFIED)
    assert not reopens("partially_satisfied")


@pytest.mark.parametrize("reply", [Reply.PARTIALLY_SATISFIED, Reply.CONTESTED])
def test_a_reply_other_than_satisfied_says_why(reply):
    check_reply(reply, BECAUSE)
    for text in (None, Text.model_construct(it="", en="Why")):
        with pytest.raises(InvalidValue) as raised:
            check_reply(reply, text)
        assert raised.value.slug == "reply-text-required"


def test_a_satisfied_reply_may_say_something_or_not():
    check_reply(Reply.SATISFIED, None)
    check_reply("satisfied", BECAUSE)


def test_an_unknown_reply_is_refused():
    for call in (lambda: reopens("happy"), lambda: check_reply("happy", BECAUSE)):
        with pytest.raises(InvalidValue) as raised:
            call()
        assert raised.value.slug == "unknown-reply"
