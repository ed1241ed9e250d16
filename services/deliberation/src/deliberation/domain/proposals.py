"""Proposals (the assembly's recommendations): their states, their texts as numbered
paragraphs, amendments to a version, comparison of versions, and the hash recorded with
the adopting vote. Pure domain.

States. A working group drafts a proposal (``draft``) and ``submitted`` it to the
plenary; the plenary votes on its amendments while it is submitted, then holds the final
vote (``voting``), which ends ``adopted`` or ``rejected``. A proposal still in draft or
submitted may be ``withdrawn``. Adopted, rejected and withdrawn are final.

Texts. A version's content is a title, numbered paragraphs (numbered from 1, each in
Italian and English) and a rationale. Every edit makes a new version; the working group
edits its draft directly (:func:`check_editable`), the plenary changes a submitted text
only by amendments (:func:`check_amendable`). While the final vote is open and after it,
the text is locked.

Amendments. An amendment targets one version and holds either one ``Whole`` new text, or
paragraph changes numbered as in the target version: ``Replace(n, text)``, ``Delete(n)``
and ``Insert(after=n, text)`` (``after=0`` puts the paragraph first). Several changes in
one amendment are applied together, each read against the target's numbering, so
"replace 2 and insert after 4" means the target's paragraphs 2 and 4 whatever the order
the changes are listed in. An accepted amendment produces the next version, so every other
amendment still waiting on the same version is ``lapsed`` (:func:`check_target` refuses it)
and is redrafted on the new one if its author still wants it. Before its vote an
amendment may be ``withdrawn``.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum

from common.errors import InvalidValue, StateConflict
from common.states import Machine
from common.texts import Text


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    VOTING = "voting"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


DRAFT = State.DRAFT
SUBMITTED = State.SUBMITTED
VOTING = State.VOTING
ADOPTED = State.ADOPTED
REJECTED = State.REJECTED
WITHDRAWN = State.WITHDRAWN

#: From each state, where a proposal may go.
TRANSITIONS: dict[State, frozenset[State]] = {
    DRAFT: frozenset({SUBMITTED, WITHDRAWN}),
    SUBMITTED: frozenset({VOTING, WITHDRAWN}),
    VOTING: frozenset({ADOPTED, REJECTED}),
    ADOPTED: frozenset(),
    REJECTED: frozenset(),
    WITHDRAWN: frozenset(),
}


LIFECYCLE = Machine("proposal", State, TRANSITIONS)
_state = LIFECYCLE.parse
#: The proposal's next state, if it may go there (see :class:`common.states.Machine`).
transition = LIFECYCLE.move


class AmendmentState(StrEnum):
    PROPOSED = "proposed"  # filed against a version, waiting for its vote
    VOTING = "voting"
    ACCEPTED = "accepted"  # made the proposal's next version
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # by its author (or a facilitator) before its vote
    LAPSED = "lapsed"  # another amendment changed the version it targets


#: From each state, where an amendment may go.
AMENDMENT_TRANSITIONS: dict[AmendmentState, frozenset[AmendmentState]] = {
    AmendmentState.PROPOSED: frozenset(
        {AmendmentState.VOTING, AmendmentState.WITHDRAWN, AmendmentState.LAPSED}
    ),
    AmendmentState.VOTING: frozenset({AmendmentState.ACCEPTED, AmendmentState.REJECTED}),
    AmendmentState.ACCEPTED: frozenset(),
    AmendmentState.REJECTED: frozenset(),
    AmendmentState.WITHDRAWN: frozenset(),
    AmendmentState.LAPSED: frozenset(),
}
AMENDMENTS = Machine("amendment", AmendmentState, AMENDMENT_TRANSITIONS)


def check_editable(state: str) -> None:
    """A new version by the working group: only while the proposal is a draft."""
    if _state(state) is not DRAFT:
        raise StateConflict(
            f"The proposal is {state}: its text is no longer edited directly"
            + (", only amended." if state == SUBMITTED else " and is locked."),
            slug="proposal-locked",
        )


def check_amendable(state: str) -> None:
    """An amendment: only while the proposal is submitted, before its final vote."""
    if _state(state) is not SUBMITTED:
        raise StateConflict(
            f"The proposal is {state}: amendments are made to a submitted proposal, "
            "before its final vote.",
            slug="proposal-locked",
        )


@dataclass(frozen=True)
class Content:
    """What a version says: title, numbered paragraphs (from 1), rationale."""

    title: Text
    paragraphs: tuple[Text, ...]
    rationale: Text

    def __post_init__(self) -> None:
        if not self.paragraphs:
            raise InvalidValue("A proposal's text has at least one paragraph.", slug="empty-text")

    def paragraph(self, number: int) -> Text:
        return self.paragraphs[number - 1]


@dataclass(frozen=True)
class Replace:
    paragraph: int
    text: Text


@dataclass(frozen=True)
class Insert:
    after: int  # 0: before the first paragraph
    text: Text


@dataclass(frozen=True)
class Delete:
    paragraph: int


@dataclass(frozen=True)
class Whole:
    content: Content


Change = Replace | Insert | Delete | Whole


@dataclass(frozen=True)
class Amendment:
    """Changes to version ``target_version`` of a proposal, numbered as in that version."""

    target_version: int
    changes: tuple[Change, ...]


def check_target(amendment: Amendment, current_version: int) -> None:
    """An amendment applies only to the proposal's current version (a version that does
    not exist yet is an ``InvalidValue``, an older one a ``StateConflict``)."""
    if amendment.target_version > current_version:
        raise InvalidValue(
            f"The proposal has no version {amendment.target_version} yet: its current "
            f"version is {current_version}.",
            slug="no-such-version",
        )
    if amendment.target_version != current_version:
        raise StateConflict(
            f"The amendment targets version {amendment.target_version}, but the proposal is "
            f"at version {current_version}: redraft it on the current text.",
            slug="stale-version",
        )


def _no_such_paragraph(number: int, amendment: Amendment, size: int, insert: bool) -> None:
    low = 0 if insert else 1
    if not isinstance(number, int) or isinstance(number, bool) or not low <= number <= size:
        place = f"after paragraph {number}" if insert else f"paragraph {number}"
        raise InvalidValue(
            f"There is no {place}: version {amendment.target_version} has {size} "
            f"paragraph(s), numbered 1 to {size}"
            + (" (after 0 inserts at the top)." if insert else "."),
            slug="no-such-paragraph",
        )


def apply(content: Content, amendment: Amendment) -> Content:
    """The content ``amendment`` makes of ``content`` (the target version's). Refuses a
    paragraph number out of range (``no-such-paragraph``), two changes to one paragraph
    or a whole text beside other changes (``conflicting-changes``), an amendment that
    changes nothing (``empty-amendment``), and one that leaves no paragraph
    (``empty-text``). Title and rationale change only with a ``Whole`` text."""
    if not amendment.changes:
        raise InvalidValue("The amendment holds no change.", slug="empty-amendment")
    wholes = [c for c in amendment.changes if isinstance(c, Whole)]
    if wholes:
        if len(amendment.changes) > 1:
            raise InvalidValue(
                "An amendment that replaces the whole text holds no other change.",
                slug="conflicting-changes",
            )
        return wholes[0].content
    size = len(content.paragraphs)
    kept: list[Text | None] = list(content.paragraphs)  # None: deleted
    touched: set[int] = set()
    inserted: dict[int, list[Text]] = {}
    for change in amendment.changes:
        if isinstance(change, Insert):
            _no_such_paragraph(change.after, amendment, size, insert=True)
            inserted.setdefault(change.after, []).append(change.text)
            continue
        assert not isinstance(change, Whole)  # refused above unless alone
        _no_such_paragraph(change.paragraph, amendment, size, insert=False)
        if change.paragraph in touched:
            raise InvalidValue(
                f"The amendment changes paragraph {change.paragraph} twice.",
                slug="conflicting-changes",
            )
        touched.add(change.paragraph)
        kept[change.paragraph - 1] = change.text if isinstance(change, Replace) else None
    paragraphs: list[Text] = list(inserted.get(0, []))
    for number, text in enumerate(kept, start=1):
        if text is not None:
            paragraphs.append(text)
        paragraphs.extend(inserted.get(number, []))
    if not paragraphs:
        raise InvalidValue(
            "The amendment deletes every paragraph: a proposal's text has at least one.",
            slug="empty-text",
        )
    return Content(title=content.title, paragraphs=tuple(paragraphs), rationale=content.rationale)


class Op(StrEnum):
    """What happened to a paragraph between two versions (difflib's names)."""

    EQUAL = "equal"
    REPLACE = "replace"
    INSERT = "insert"
    DELETE = "delete"


@dataclass(frozen=True)
class ParagraphDiff:
    """One paragraph of a comparison: its number in ``a`` and in ``b`` (None where it is
    absent), and its text in each."""

    op: Op
    index_a: int | None
    index_b: int | None
    text_a: Text | None
    text_b: Text | None


def _key(text: Text) -> tuple[str, str]:
    return (text.it, text.en)


def compare(a: Content, b: Content) -> list[ParagraphDiff]:
    """The paragraphs of ``a`` and ``b`` aligned, every paragraph of both listed once:
    kept, replaced, inserted or deleted. A paragraph counts as kept only when both its
    Italian and its English are unchanged. Alignment is difflib's ``SequenceMatcher``
    over whole paragraphs (no junk heuristic), so it is deterministic; a block of ``k``
    replaced by ``m`` paragraphs pairs the first ``min(k, m)`` as replacements and lists
    the rest as deleted or inserted. Numbers are paragraph numbers (from 1). Title and
    rationale are compared by the caller: ``a.title != b.title``."""
    matcher = difflib.SequenceMatcher(
        a=[_key(p) for p in a.paragraphs], b=[_key(p) for p in b.paragraphs], autojunk=False
    )
    diff: list[ParagraphDiff] = []

    def pair(op: Op, i: int | None, j: int | None) -> None:
        diff.append(
            ParagraphDiff(
                op=op,
                index_a=None if i is None else i + 1,
                index_b=None if j is None else j + 1,
                text_a=None if i is None else a.paragraphs[i],
                text_b=None if j is None else b.paragraphs[j],
            )
        )

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                pair(Op.EQUAL, i1 + k, j1 + k)
            continue
        common = min(i2 - i1, j2 - j1)
        for k in range(common):
            pair(Op.REPLACE, i1 + k, j1 + k)
        for i in range(i1 + common, i2):
            pair(Op.DELETE, i, None)
        for j in range(j1 + common, j2):
            pair(Op.INSERT, None, j)
    return diff


def _text(text: Text) -> dict[str, str]:
    return {"en": text.en, "it": text.it}


def canonical(content: Content) -> bytes:
    """The bytes :func:`sha256_of` hashes. The JSON document

        {"paragraphs":[{"en":…,"it":…},…],"rationale":{"en":…,"it":…},"title":{"en":…,"it":…}}

    with the paragraphs in their order, serialized as Python's ``json.dumps(document,
    sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` writes it (keys sorted,
    no whitespace, non-ASCII characters as themselves, ``"`` and ``\\`` and control
    characters escaped, the latter as ``\\n``-style or lower-case ``\\u00xx``), encoded in
    UTF-8. For this shape (ASCII keys, strings only) these are the bytes of RFC 8785 (JSON
    Canonicalization Scheme) too. The strings are taken as stored: no Unicode
    normalization, no trimming beyond what ``Text`` did when it was read."""
    document = {
        "paragraphs": [_text(p) for p in content.paragraphs],
        "rationale": _text(content.rationale),
        "title": _text(content.title),
    }
    serialized = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        return serialized.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate, which no text a person wrote has
        raise InvalidValue(
            "The text holds a character that cannot be written in UTF-8.", slug="invalid-text"
        ) from exc


def sha256_of(content: Content) -> str:
    """The SHA-256 of the content's canonical form (:func:`canonical`), as 64 lower-case
    hexadecimal digits: recorded with the vote that adopts the text, so that anyone can
    check that the published wording is the one voted."""
    return hashlib.sha256(canonical(content)).hexdigest()


def check_changed(current: Content, new: Content) -> None:
    """A new version must say something the current one does not."""
    if canonical(current) == canonical(new):
        raise InvalidValue(
            "The new version is the same as the current one, word for word.",
            slug="unchanged-text",
        )
