"""A person's lifecycle, from registration to the end of their term: the states and the
transitions allowed between them. Pure domain."""

from __future__ import annotations

from enum import StrEnum

from common.states import Machine


class State(StrEnum):
    REGISTERED = "registered"
    NOT_SELECTED = "not_selected"
    RESERVE = "reserve"
    SELECTED = "selected"
    CONTACTED = "contacted"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    UNREACHABLE = "unreachable"
    TRAINED = "trained"
    ACTIVE = "active"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


REGISTERED = State.REGISTERED
NOT_SELECTED = State.NOT_SELECTED
RESERVE = State.RESERVE
SELECTED = State.SELECTED
CONTACTED = State.CONTACTED
CONFIRMED = State.CONFIRMED
DECLINED = State.DECLINED
UNREACHABLE = State.UNREACHABLE
TRAINED = State.TRAINED
ACTIVE = State.ACTIVE
COMPLETED = State.COMPLETED
WITHDRAWN = State.WITHDRAWN

STATES = tuple(State)

#: From each state, where it may go. Withdrawal is possible at any point after
#: confirmation; a reserve is selected when a replacement draw picks them.
TRANSITIONS: dict[State, frozenset[State]] = {
    REGISTERED: frozenset({SELECTED, RESERVE, NOT_SELECTED}),
    NOT_SELECTED: frozenset({SELECTED}),  # a replacement may come from the whole pool
    RESERVE: frozenset({SELECTED}),
    SELECTED: frozenset({CONTACTED, CONFIRMED, DECLINED, UNREACHABLE}),
    CONTACTED: frozenset({CONFIRMED, DECLINED, UNREACHABLE}),
    CONFIRMED: frozenset({TRAINED, WITHDRAWN}),
    TRAINED: frozenset({ACTIVE, WITHDRAWN}),
    ACTIVE: frozenset({COMPLETED, WITHDRAWN}),
    DECLINED: frozenset(),
    UNREACHABLE: frozenset(),
    COMPLETED: frozenset(),
    WITHDRAWN: frozenset(),
}

#: States of people who hold (or are about to hold) a seat.
SEATED = frozenset({CONFIRMED, TRAINED, ACTIVE})
#: States in which a person has left the panel and sortition must replace them.
LEAVING = {DECLINED: "declined", UNREACHABLE: "declined", WITHDRAWN: "withdrew"}
#: States an operator may set by hand (the others follow events or the calendar).
MANUAL = frozenset({CONTACTED, CONFIRMED, DECLINED, UNREACHABLE, TRAINED, ACTIVE, WITHDRAWN})


LIFECYCLE = Machine("person", State, TRANSITIONS)


def check_transition(current: str, target: str) -> None:
    """A person who is ``current`` may become ``target`` (see
    :class:`common.states.Machine`)."""
    LIFECYCLE.move(current, target)
