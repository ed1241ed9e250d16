"""What a database failure means for a client: the database is away (503, retry later), or
a value PostgreSQL cannot store (422), or neither (a defect: 500)."""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy.exc

#: SQLSTATEs of values that text and jsonb cannot hold (a NUL, for one).
_UNSTORABLE = {"22021", "22P05"}
#: SQLSTATEs of a server that is away, starting, stopping or full. 08P01 (a protocol
#: violation) is left out: it is what a NUL in a query's text gives, not an outage.
_AWAY_CLASSES = ("08", "57P")
_AWAY = {"53300"}


class Failure(StrEnum):
    UNAVAILABLE = "unavailable"
    UNSTORABLE = "unstorable"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def classify(exc: BaseException) -> Failure | None:
    """Why a request failed in the database, if it did for a reason a client can act on."""
    for link in _chain(exc):
        state = getattr(link, "sqlstate", None)
        if isinstance(state, str):
            if state in _UNSTORABLE:
                return Failure.UNSTORABLE
            if state != "08P01" and (state in _AWAY or state.startswith(_AWAY_CLASSES)):
                return Failure.UNAVAILABLE
        if isinstance(link, sqlalchemy.exc.DBAPIError) and link.connection_invalidated:
            return Failure.UNAVAILABLE
        if isinstance(link, OSError | TimeoutError | sqlalchemy.exc.TimeoutError):
            return Failure.UNAVAILABLE
    return None
