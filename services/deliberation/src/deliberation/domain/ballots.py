"""Ballots cast by members: who may cast one, and how a secret ballot is kept so that
nobody can link it to its voter. Pure domain; the storage scheme below is for the
repository that implements it.

Who may vote. A vote's entitled members are those present when it opened (the snapshot,
:func:`deliberation.domain.attendance.present_at`). A ballot is refused when the vote is
closed (``vote-closed``), when its voter is not in the snapshot (``not-entitled``: absent
at the opening, or arrived later), and when its voter has already voted
(``already-voted``). The same rules hold for open (named) and secret ballots; they differ
only in what is stored.

Open (named) ballots. The choice is stored with the member id, one row per voter: the
record is meant to say who voted how.

Secret ballots: what OpenSlides does. OpenSlides' vote service (OpenSlides/
openslides-vote-service) keeps, per poll, the ids of the users who have voted apart from
the ballots. In its 4.x Postgres backend (``backend/postgres/schema.sql``,
``postgres.go``) the voters are one sorted, packed list in the poll's row ("in a way that
makes it impossible to see the sequence in which the users have voted") and each ballot
is a row of its own with no user id for a non-named poll; a ballot updates the list and
inserts the ballot in one REPEATABLE READ transaction, and a second ballot is refused by
the list. At stop it hands over the ballots and the voters, and ``clear`` deletes both.
Its redis backend, by contrast, maps each user id to their vote and says so: anyone with
access to redis can see how each user voted. Its newer design (branch ``feature/vote``)
stores ballots with the user ids and the value encrypted (AES-GCM, with a key outside the
database) while the poll is open; at the end it decrypts them, sorts them by value,
deletes and re-inserts them without user ids, and records the voters separately. In
both, presence is checked when each ballot arrives, not against a snapshot taken at the
opening as here.

What a per-ballot row still gives away. A ballot row written in the same transaction as
its voter's row carries the same transaction id (``xmin``); rows are appended to the heap
in the order they arrive, so the n-th ballot sits beside the n-th voter; a serial id or a
timestamp orders them as well. An operator with database access can line the two up
again. Sorting the list of voters (OpenSlides) hides the order of the voters but not the
ballots' own.

Secret ballots: our scheme. Nothing is stored per ballot at all.

- ``vote_voter(vote_id, member_id)``, primary key both: who has voted (no choice, no
  timestamp, no serial). ``INSERT … ON CONFLICT DO NOTHING`` that inserts no row is the
  second ballot, refused. It is kept after the close: it says who voted, never how, and
  an audit needs it (the number of voters must equal the number of ballots counted).
- ``vote_count(vote_id, yes, no, abstain)``: one row per open secret vote, counters
  updated in place, in the same transaction as the voter's row, by one statement whose
  text is the same whatever the choice: ``UPDATE … SET yes = yes + $1, no = no + $2,
  abstain = abstain + $3 WHERE vote_id = $4`` with the increments of
  :func:`increments`. So neither the statement nor pg_stat_statements says which counter
  moved. The row lock serializes the ballots of one vote, which 90 members do not notice.
- While the vote is open, the API says how many have voted, never the running counts: a
  sequence of counts next to a sequence of voters is a link.
- At the close, in the transaction that closes the vote, the counts are copied into the
  vote's result and the ``vote_count`` row is deleted; after the commit the close runs
  ``VACUUM vote_count`` (it cannot run inside a transaction). Until then every update left
  a dead version of the row whose ``xmax`` is the transaction id of the ballot that
  replaced it, the same as the ``xmin`` of that ballot's voter row: someone who reads raw
  pages (``pageinspect``, a copy of the data files) could chain them. After the vacuum
  the voter rows' transaction ids point at nothing that holds a choice. A vacuum keeps
  dead rows an older transaction may still see (a long transaction, a replica's
  feedback): ``VACUUM (VERBOSE)`` reports them, and the close retries until none is left.

What this does not protect against, said plainly. The write-ahead log records each update
in order with its transaction id, so a WAL archive, a replica's WAL or a base backup
taken while the vote was open still holds the link; only cryptography (choices encrypted
with a key the database does not hold, as OpenSlides' newer design does, or end-to-end
verifiable voting) removes that, and it is not in this scheme. An operator watching both
tables between every two ballots of an open vote sees the link as it happens; so would
OpenSlides' 4.x backend. Database statement logging with parameters must stay off for the
service's role, and the service's own logs never carry a secret ballot's choice.
"""

from __future__ import annotations

from enum import StrEnum

from common.errors import InvalidValue, StateConflict
from deliberation.domain.votes import Tally

MemberId = str


class Visibility(StrEnum):
    OPEN = "open"  # named: who voted how is part of the record
    SECRET = "secret"  # noqa: S105 (not a password) who voted is kept; how, only in totals


class Choice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


def parse_choice(value: str) -> Choice:
    try:
        return Choice(value)
    except ValueError:
        raise InvalidValue(
            f"{value!r} is not a choice on a ballot: yes, no or abstain.",
            slug="invalid-choice",
        ) from None


def cast(
    choice: str,
    voter: MemberId,
    entitled: frozenset[MemberId],
    voted: frozenset[MemberId],
    vote_open: bool,
) -> None:
    """Whether ``voter`` may cast a ballot with ``choice`` now, open or secret alike:
    the vote is open, the voter is in the snapshot ``entitled`` taken when it opened,
    and not among those who have ``voted``. Checked in that order, so a ballot after the
    close is told the vote is closed, whoever sends it."""
    parse_choice(choice)
    if not vote_open:
        raise StateConflict("The vote is closed: no more ballots are taken.", slug="vote-closed")
    if voter not in entitled:
        raise StateConflict(
            f"Member {voter} was not present when the vote opened: only the "
            f"{len(entitled)} members present then may vote.",
            slug="not-entitled",
        )
    if voter in voted:
        raise StateConflict(
            f"Member {voter} has already voted: one ballot each.", slug="already-voted"
        )


def increments(choice: str) -> tuple[int, int, int]:
    """What a ballot adds to the (yes, no, abstain) counters: one 1 and two 0s, passed as
    parameters to one statement whatever the choice."""
    c = parse_choice(choice)
    return (int(c is Choice.YES), int(c is Choice.NO), int(c is Choice.ABSTAIN))


def add(tally: Tally, choice: str) -> Tally:
    """The tally with one more ballot."""
    yes, no, abstain = increments(choice)
    return Tally(yes=tally.yes + yes, no=tally.no + no, abstain=tally.abstain + abstain)


def check_counted(tally: Tally, voters: int) -> None:
    """At the close: the ballots counted are as many as the members recorded as having
    voted. A difference means a ballot was lost or counted twice; the vote's result must
    not be published until someone finds out why."""
    if tally.cast != voters:
        raise StateConflict(
            f"The counters hold {tally.cast} ballots but {voters} members are recorded as "
            "having voted.",
            slug="ballot-count-mismatch",
        )
