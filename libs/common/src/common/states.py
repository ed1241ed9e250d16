"""The one way a domain says which states a thing has and where each may go.

A :class:`Machine` holds a state enum and its transitions. :meth:`Machine.parse` turns a
stored or requested value into the enum (an unknown one is an ``InvalidValue`` with slug
``unknown-state``); :meth:`Machine.move` checks a transition (a forbidden one is a
``StateConflict`` with slug ``invalid-transition``, whose message says where the thing may
go instead, or that its state is final).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from common.errors import InvalidValue, StateConflict

S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class Machine(Generic[S]):
    noun: str  # what has the states, for messages: "proposal", "session"
    states: type[S]
    transitions: Mapping[S, frozenset[S]]

    def __post_init__(self) -> None:
        if set(self.transitions) != set(self.states):
            raise ValueError(f"every {self.noun} state needs its transitions")

    def parse(self, value: str) -> S:
        try:
            return self.states(value)
        except ValueError:
            known = ", ".join(self.states)
            raise InvalidValue(
                f"{value!r} is not a {self.noun} state (known: {known}).", slug="unknown-state"
            ) from None

    def final(self, state: S) -> bool:
        return not self.transitions[state]

    def move(self, current: str, target: str) -> S:
        """``target``, if a thing that is ``current`` may go there."""
        now, then = self.parse(current), self.parse(target)
        if then not in self.transitions[now]:
            article = "An" if self.noun[0] in "aeiou" else "A"
            if self.final(now):
                where = f"{now} is final"
            else:
                where = f"from {now} it may become {', '.join(sorted(self.transitions[now]))}"
            raise StateConflict(
                f"{article} {self.noun} that is {now} cannot become {then}: {where}.",
                slug="invalid-transition",
            )
        return then
