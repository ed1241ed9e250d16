"""What became of an answer: its results, as a tree like Decidim's accountability
component, their progress rolled up, their status, their milestones. Pure domain.

Results. What an accepted point commits the Comune to becomes one or more results; a
result may be split into sub-results, and those into actions, down to :data:`MAX_DEPTH`
levels (deep enough for a programme, its projects, their work packages and tasks; more is
a plan, not a report to citizens). Each result has a status and, where it is a leaf, a
progress in percent.

Progress. As in Decidim (``decidim-accountability/app/models/decidim/accountability/
result.rb``: ``update_progress!``, run for the parent by ``update_parent_progress`` after
every save, so up the whole tree), a parent's progress is computed from its children's
and never typed in. Decidim takes either the plain mean of the children's progress (when
the weights are 1) or the sum of ``progress × weight`` (weights meant as fractions that
add up to 1, a missing weight counting as 1). Here it is always the weighted mean,
``Σ weight × progress / Σ weight``: the same number in both of Decidim's cases, and a
sensible one when weights do not add up to 1. Differences, on purpose:

- a leaf without a progress takes its status's (``planned`` 0, ``completed`` 100, any
  other 0), as a Decidim status carries a ``progress`` (``status.rb``) a result takes
  when it gets the status; a ``planned`` leaf with a progress other than 0, or a
  ``completed`` one with other than 100, is refused;
- ``cancelled`` children are left out of their parent's mean: work that will not be done
  neither holds progress back nor counts as done; a parent whose children are all
  cancelled counts as a leaf;
- the arithmetic is exact (fractions) and rounded once, at the end, to 0.01 half to even;
  Decidim averages in SQL and stores whatever comes out.

:func:`overall` is the same weighted mean over the top-level results (0 when there are
none, or all are cancelled).

Status. The status of the whole, :func:`overall_status`, is read from the leaves (the work
actually done); a leaf under a cancelled result counts as cancelled. With ``S`` the set of
the leaves' statuses and ``R`` that set without ``cancelled``:

    =====================================================  ===========
    leaves                                                 overall
    =====================================================  ===========
    none                                                   planned
    all cancelled (``R`` empty)                            cancelled
    ``R`` = {completed}                                    completed
    ``R`` = {planned}                                      planned
    ``R`` ⊆ {completed, suspended}, suspended in it        suspended
    anything else (in progress, or planned beside others)  in_progress
    =====================================================  ===========

Milestones. A result's milestones (Decidim's timeline entries) are planned on a date and,
once reached, dated when they actually were: neither before the result starts, and never
after today (:func:`check_milestone`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from common.errors import InvalidValue

#: Levels of results a tree may have: a top-level result is at level 1.
MAX_DEPTH = 5

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class Status(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


PLANNED = Status.PLANNED
IN_PROGRESS = Status.IN_PROGRESS
COMPLETED = Status.COMPLETED
SUSPENDED = Status.SUSPENDED
CANCELLED = Status.CANCELLED

#: The progress a status implies, where it implies one.
STATUS_PROGRESS: dict[Status, Decimal] = {PLANNED: Decimal(0), COMPLETED: HUNDRED}


def _status(value: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        known = ", ".join(Status)
        raise InvalidValue(
            f"{value!r} is not a result status (known: {known}).", slug="unknown-status"
        ) from None


def check_progress(value: Decimal | float | int) -> Decimal:
    """A progress in percent, as a Decimal: from 0 to 100 (``progress-out-of-range``),
    with at most two decimals (``progress-too-precise``). A float is read as it is
    written (``33.3`` is ``Decimal("33.3")``, not its binary expansion)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | float | int):
        raise InvalidValue(
            f"A progress is a number of percent (got {value!r}).", slug="progress-out-of-range"
        )
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite() or not 0 <= number <= HUNDRED:
        raise InvalidValue(
            f"A progress is from 0 to 100 percent (got {value!r}).",
            slug="progress-out-of-range",
        )
    if number != number.quantize(CENT):
        raise InvalidValue(
            f"A progress has at most two decimals (got {value!r}).", slug="progress-too-precise"
        )
    return number


@dataclass(frozen=True)
class Node:
    """A result: ``parent_id`` None for a top-level one. ``progress`` is a leaf's own (a
    parent's is rolled up from its children, whatever is given here)."""

    id: str
    parent_id: str | None = None
    weight: Decimal = field(default_factory=lambda: Decimal(1))
    progress: Decimal | None = None
    status: Status = PLANNED

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise InvalidValue(f"A result has an id (got {self.id!r}).", slug="invalid-result-id")
        weight = self.weight
        if isinstance(weight, int) and not isinstance(weight, bool):
            weight = Decimal(weight)
        if not isinstance(weight, Decimal) or not weight.is_finite() or weight <= 0:
            raise InvalidValue(
                f"Result {self.id}: a weight is a number more than 0 (got {self.weight!r}).",
                slug="invalid-weight",
            )
        object.__setattr__(self, "weight", weight)
        status = _status(self.status)
        object.__setattr__(self, "status", status)
        if self.progress is not None:
            progress = check_progress(self.progress)
            object.__setattr__(self, "progress", progress)
            implied = STATUS_PROGRESS.get(status)
            if implied is not None and progress != implied:
                raise InvalidValue(
                    f"Result {self.id} is {status}: its progress is {implied}, not {progress}.",
                    slug="progress-contradicts-status",
                )


def _children(nodes: Sequence[Node]) -> dict[str | None, list[Node]]:
    children: dict[str | None, list[Node]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    return children


def check_tree(nodes: Iterable[Node]) -> None:
    """Results form a tree (or several, one per top-level result): ids unique
    (``duplicate-result``), every parent among the results (``unknown-parent``), no result
    its own ancestor (``result-cycle``), at most :data:`MAX_DEPTH` levels
    (``result-too-deep``)."""
    by_id: dict[str, Node] = {}
    for each in nodes:
        if each.id in by_id:
            raise InvalidValue(f"Result {each.id} is listed twice.", slug="duplicate-result")
        by_id[each.id] = each
    for each in by_id.values():
        if each.parent_id is not None and each.parent_id not in by_id:
            raise InvalidValue(
                f"Result {each.id} names a parent, {each.parent_id}, that is not a result.",
                slug="unknown-parent",
            )
    depth: dict[str, int] = {}
    for start in by_id.values():
        path: list[str] = []
        node: Node | None = start
        while node is not None and node.id not in depth:
            if node.id in path:
                cycle = " → ".join([*path[path.index(node.id) :], node.id])
                raise InvalidValue(
                    f"Results cannot be their own ancestors: {cycle}.", slug="result-cycle"
                )
            path.append(node.id)
            node = None if node.parent_id is None else by_id[node.parent_id]
        level = 0 if node is None else depth[node.id]
        for node_id in reversed(path):
            level += 1
            depth[node_id] = level
            if level > MAX_DEPTH:
                raise InvalidValue(
                    f"Result {node_id} is at level {level}: results go {MAX_DEPTH} levels "
                    "deep at most.",
                    slug="result-too-deep",
                )


def _own(node: Node) -> Fraction:
    if node.progress is not None:
        return Fraction(node.progress)
    return Fraction(STATUS_PROGRESS.get(node.status, Decimal(0)))


def _mean(nodes: Sequence[Node], progress: dict[str, Fraction]) -> Fraction | None:
    counted = [n for n in nodes if n.status is not CANCELLED]
    if not counted:
        return None
    total = sum((Fraction(n.weight) for n in counted), Fraction(0))
    return sum((Fraction(n.weight) * progress[n.id] for n in counted), Fraction(0)) / total


def _exact(nodes: Sequence[Node]) -> dict[str, Fraction]:
    check_tree(nodes)
    children = _children(nodes)
    progress: dict[str, Fraction] = {}

    def visit(node: Node) -> Fraction:
        if node.id not in progress:
            kids = children.get(node.id, [])
            for kid in kids:
                visit(kid)
            mean = _mean(kids, progress)
            progress[node.id] = _own(node) if mean is None else mean
        return progress[node.id]

    for node in nodes:
        visit(node)
    return progress


def _rounded(value: Fraction) -> Decimal:
    # round() of a Fraction rounds half to even, exactly.
    return Decimal(round(value * 100)).scaleb(-2)


def rolled_up(nodes: Sequence[Node]) -> dict[str, Decimal]:
    """Every result's progress, by id, rounded to 0.01 (the rules in the module's
    docstring). The tree is checked first (:func:`check_tree`)."""
    return {node_id: _rounded(value) for node_id, value in _exact(nodes).items()}


def overall(nodes: Sequence[Node]) -> Decimal:
    """The progress of the whole: the weighted mean of the top-level results' progress,
    cancelled ones left out; 0.00 when no result counts."""
    progress = _exact(nodes)
    mean = _mean([n for n in nodes if n.parent_id is None], progress)
    return _rounded(Fraction(0) if mean is None else mean)


def overall_status(nodes: Sequence[Node]) -> Status:
    """The status of the whole, from its leaves (the table in the module's docstring)."""
    check_tree(nodes)
    by_id = {n.id: n for n in nodes}
    parents = {n.parent_id for n in nodes if n.parent_id is not None}

    def cancelled(node: Node) -> bool:
        current: Node | None = node
        while current is not None:
            if current.status is CANCELLED:
                return True
            current = None if current.parent_id is None else by_id[current.parent_id]
        return False

    leaves = [n for n in nodes if n.id not in parents]
    if not leaves:
        return PLANNED
    remaining = {n.status for n in leaves if not cancelled(n)}
    if not remaining:
        return CANCELLED
    if remaining == {COMPLETED}:
        return COMPLETED
    if remaining == {PLANNED}:
        return PLANNED
    if SUSPENDED in remaining and remaining <= {COMPLETED, SUSPENDED}:
        return SUSPENDED
    return IN_PROGRESS


def check_period(starts_on: date | None, ends_on: date | None) -> None:
    """A result's period ends on or after its start (either may be unknown yet)."""
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise InvalidValue(
            f"The period ends ({ends_on}) before it starts ({starts_on}).",
            slug="invalid-period",
        )


def check_milestone(
    result_starts_on: date | None, planned_on: date, actual_on: date | None, *, today: date
) -> None:
    """A milestone is planned, and reached, no earlier than its result starts
    (``milestone-before-start``), and is not reached after ``today`` (the caller's date in
    Milan: ``milestone-in-future``)."""
    if result_starts_on is not None:
        for what, day in (("planned", planned_on), ("reached", actual_on)):
            if day is not None and day < result_starts_on:
                raise InvalidValue(
                    f"The milestone is {what} on {day}, before its result starts "
                    f"({result_starts_on}).",
                    slug="milestone-before-start",
                )
    if actual_on is not None and actual_on > today:
        raise InvalidValue(
            f"The milestone cannot be reached on {actual_on}, after today ({today}).",
            slug="milestone-in-future",
        )
