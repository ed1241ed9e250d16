"""Every lifecycle transition, allowed and refused."""

import pytest

from common.errors import StateConflict
from membership.domain import lifecycle as s

ALLOWED = [
    (s.REGISTERED, s.SELECTED),
    (s.REGISTERED, s.RESERVE),
    (s.REGISTERED, s.NOT_SELECTED),
    (s.RESERVE, s.SELECTED),
    (s.NOT_SELECTED, s.SELECTED),
    (s.SELECTED, s.CONTACTED),
    (s.SELECTED, s.CONFIRMED),
    (s.SELECTED, s.DECLINED),
    (s.SELECTED, s.UNREACHABLE),
    (s.CONTACTED, s.CONFIRMED),
    (s.CONTACTED, s.DECLINED),
    (s.CONTACTED, s.UNREACHABLE),
    (s.CONFIRMED, s.TRAINED),
    (s.CONFIRMED, s.WITHDRAWN),
    (s.TRAINED, s.ACTIVE),
    (s.TRAINED, s.WITHDRAWN),
    (s.ACTIVE, s.COMPLETED),
    (s.ACTIVE, s.WITHDRAWN),
]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed(current, target):
    s.check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [(a, b) for a in s.STATES for b in s.STATES if (a, b) not in ALLOWED],
)
def test_everything_else_is_refused(current, target):
    with pytest.raises(StateConflict) as raised:
        s.check_transition(current, target)
    assert raised.value.slug == "invalid-transition"


def test_withdrawal_only_after_confirmation():
    before = {st for st in s.STATES if s.WITHDRAWN in s.TRANSITIONS[st]}
    assert before == {s.CONFIRMED, s.TRAINED, s.ACTIVE}
