"""Proposal states, amendments by paragraph, comparison of versions and the text's hash."""

import hashlib

import pytest

from common.errors import InvalidValue, StateConflict
from common.texts import Text
from deliberation.domain import proposals as p
from deliberation.domain.proposals import (
    Amendment,
    Content,
    Delete,
    Insert,
    Op,
    Replace,
    Whole,
    apply,
    canonical,
    check_amendable,
    check_changed,
    check_editable,
    check_target,
    compare,
    sha256_of,
)


def t(n):
    return Text(it=f"Paragrafo {n}", en=f"Paragraph {n}")


def content(*numbers):
    return Content(
        title=Text(it="Tetti verdi", en="Green roofs"),
        paragraphs=tuple(t(n) for n in numbers),
        rationale=Text(it="Meno calore in città", en="Less heat in the city"),
    )


V2 = content(1, 2, 3)

ALLOWED = [
    (p.DRAFT, p.SUBMITTED),
    (p.DRAFT, p.WITHDRAWN),
    (p.SUBMITTED, p.VOTING),
    (p.SUBMITTED, p.WITHDRAWN),
    (p.VOTING, p.ADOPTED),
    (p.VOTING, p.REJECTED),
]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed(current, target):
    assert p.transition(current, target) is target


@pytest.mark.parametrize(
    ("current", "target"),
    [(a, b) for a in p.State for b in p.State if (a, b) not in ALLOWED],
)
def test_everything_else_is_refused(current, target):
    with pytest.raises(StateConflict) as raised:
        p.transition(current, target)
    assert raised.value.slug == "invalid-transition"


def test_an_unknown_state_is_refused():
    with pytest.raises(InvalidValue) as raised:
        p.transition("draft", "approved")
    assert raised.value.slug == "unknown-state"


def test_a_draft_is_edited_a_submitted_proposal_amended_and_then_the_text_is_locked():
    check_editable("draft")
    check_amendable("submitted")
    for state in ("submitted", "voting", "adopted", "rejected", "withdrawn"):
        with pytest.raises(StateConflict) as raised:
            check_editable(state)
        assert raised.value.slug == "proposal-locked"
    for state in ("draft", "voting", "adopted", "rejected", "withdrawn"):
        with pytest.raises(StateConflict) as raised:
            check_amendable(state)
        assert raised.value.slug == "proposal-locked"


def test_replace_a_paragraph():
    new = apply(V2, Amendment(2, (Replace(2, t(20)),)))
    assert new.paragraphs == (t(1), t(20), t(3))
    assert (new.title, new.rationale) == (V2.title, V2.rationale)


def test_insert_at_the_top_in_the_middle_and_at_the_end():
    assert apply(V2, Amendment(2, (Insert(0, t(0)),))).paragraphs == (t(0), t(1), t(2), t(3))
    assert apply(V2, Amendment(2, (Insert(1, t(9)),))).paragraphs == (t(1), t(9), t(2), t(3))
    assert apply(V2, Amendment(2, (Insert(3, t(4)),))).paragraphs == (t(1), t(2), t(3), t(4))


def test_delete_a_paragraph():
    assert apply(V2, Amendment(2, (Delete(2),))).paragraphs == (t(1), t(3))


def test_several_changes_are_numbered_as_in_the_target_whatever_their_order():
    changes = (Insert(3, t(4)), Delete(1), Replace(3, t(30)), Insert(1, t(15)), Insert(1, t(16)))
    assert apply(V2, Amendment(2, changes)).paragraphs == (t(15), t(16), t(2), t(30), t(4))


def test_a_whole_new_text():
    whole = content(7, 8)
    assert apply(V2, Amendment(2, (Whole(whole),))) == whole


@pytest.mark.parametrize("change", [Replace(4, t(4)), Delete(0), Delete(-1), Insert(4, t(4))])
def test_a_paragraph_out_of_range_is_refused(change):
    with pytest.raises(InvalidValue) as raised:
        apply(V2, Amendment(2, (change,)))
    assert raised.value.slug == "no-such-paragraph"
    assert "version 2 has 3 paragraph(s)" in raised.value.detail


@pytest.mark.parametrize(
    "changes",
    [(Replace(1, t(9)), Delete(1)), (Delete(2), Delete(2)), (Whole(content(9)), Delete(1))],
)
def test_conflicting_changes_are_refused(changes):
    with pytest.raises(InvalidValue) as raised:
        apply(V2, Amendment(2, changes))
    assert raised.value.slug == "conflicting-changes"


def test_an_amendment_with_no_change_or_that_deletes_everything_is_refused():
    with pytest.raises(InvalidValue) as nothing:
        apply(V2, Amendment(2, ()))
    assert nothing.value.slug == "empty-amendment"
    with pytest.raises(InvalidValue) as everything:
        apply(V2, Amendment(2, (Delete(1), Delete(2), Delete(3))))
    assert everything.value.slug == "empty-text"


def test_an_amendment_to_an_older_version_is_stale():
    check_target(Amendment(2, (Delete(1),)), current_version=2)
    with pytest.raises(StateConflict) as raised:
        check_target(Amendment(2, (Delete(1),)), current_version=3)
    assert raised.value.slug == "stale-version"
    assert "targets version 2" in raised.value.detail
    assert "at version 3" in raised.value.detail


def test_a_new_version_must_change_something():
    check_changed(V2, content(1, 2))
    with pytest.raises(InvalidValue) as raised:
        check_changed(V2, content(1, 2, 3))
    assert raised.value.slug == "unchanged-text"


def test_compare_aligns_paragraphs():
    a = content(1, 2, 3, 4)
    b = apply(a, Amendment(1, (Replace(2, t(20)), Delete(4), Insert(4, t(5)), Insert(4, t(6)))))
    diff = [(d.op, d.index_a, d.index_b) for d in compare(a, b)]
    assert b.paragraphs == (t(1), t(20), t(3), t(5), t(6))
    assert diff == [
        (Op.EQUAL, 1, 1),
        (Op.REPLACE, 2, 2),
        (Op.EQUAL, 3, 3),
        (Op.REPLACE, 4, 4),
        (Op.INSERT, None, 5),
    ]
    second = compare(a, b)[1]
    assert (second.text_a, second.text_b) == (t(2), t(20))


def test_compare_sees_a_change_in_one_language_only():
    a = content(1, 2)
    b = apply(a, Amendment(1, (Replace(2, Text(it="Paragrafo 2", en="Paragraph two")),)))
    assert [d.op for d in compare(a, b)] == [Op.EQUAL, Op.REPLACE]


def test_compare_lists_deleted_and_inserted_paragraphs():
    a, b = content(1, 2, 3), content(2, 3, 4)
    assert [(d.op, d.index_a, d.index_b) for d in compare(a, b)] == [
        (Op.DELETE, 1, None),
        (Op.EQUAL, 2, 1),
        (Op.EQUAL, 3, 2),
        (Op.INSERT, None, 3),
    ]
    assert [d.op for d in compare(a, a)] == [Op.EQUAL] * 3


def test_the_canonical_form_is_exactly_as_documented():
    text = Content(
        title=Text(it="Città", en='"Green" city'),
        paragraphs=(Text(it="Riga uno\nriga due", en="Line one\\two"),),
        rationale=Text(it="Perché", en="Why"),
    )
    expected = (
        '{"paragraphs":[{"en":"Line one\\\\two","it":"Riga uno\\nriga due"}],'
        '"rationale":{"en":"Why","it":"Perché"},'
        '"title":{"en":"\\"Green\\" city","it":"Città"}}'
    ).encode()
    assert canonical(text) == expected
    assert sha256_of(text) == hashlib.sha256(expected).hexdigest()


def test_the_hash_follows_every_word_and_the_order_of_paragraphs():
    assert sha256_of(V2) == sha256_of(content(1, 2, 3))
    assert len(sha256_of(V2)) == 64
    assert sha256_of(V2) != sha256_of(content(1, 3, 2))
    assert sha256_of(V2) != sha256_of(apply(V2, Amendment(2, (Replace(3, t(33)),))))


def test_a_text_has_at_least_one_paragraph():
    with pytest.raises(InvalidValue) as raised:
        content()
    assert raised.value.slug == "empty-text"
