"""Results as a tree: progress checked and rolled up, the status of the whole, periods and
milestones."""

from datetime import date
from decimal import Decimal

import pytest

from common.errors import InvalidValue
from responses.domain.results import (
    CANCELLED,
    COMPLETED,
    IN_PROGRESS,
    MAX_DEPTH,
    PLANNED,
    SUSPENDED,
    Node,
    Status,
    check_milestone,
    check_period,
    check_progress,
    check_tree,
    overall,
    overall_status,
    rolled_up,
)

D = Decimal


def leaf(id, parent=None, progress=None, status=IN_PROGRESS, weight=1):
    return Node(
        id=id,
        parent_id=parent,
        weight=D(weight),
        progress=None if progress is None else D(progress),
        status=status,
    )


def parent(id, parent_id=None, status=IN_PROGRESS, weight=1):
    return Node(id=id, parent_id=parent_id, weight=D(weight), status=status)


# --- progress -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, D(0)),
        (100, D(100)),
        (D("35.25"), D("35.25")),
        (33.3, D("33.3")),
        (0.1, D("0.1")),
        (D("99.990"), D("99.99")),
    ],
)
def test_a_progress_is_a_percent(value, expected):
    assert check_progress(value) == expected
    assert isinstance(check_progress(value), Decimal)


@pytest.mark.parametrize(
    "value", [-1, D("-0.01"), D("100.01"), 101, float("nan"), float("inf"), D("NaN"), True, "50"]
)
def test_a_progress_is_from_0_to_100(value):
    with pytest.raises(InvalidValue) as raised:
        check_progress(value)
    assert raised.value.slug == "progress-out-of-range"


@pytest.mark.parametrize("value", [D("33.333"), 12.345])
def test_a_progress_has_two_decimals_at_most(value):
    with pytest.raises(InvalidValue) as raised:
        check_progress(value)
    assert raised.value.slug == "progress-too-precise"


# --- nodes ----------------------------------------------------------------------------


def test_a_node_defaults_to_a_planned_top_level_result_of_weight_1():
    node = Node(id="a")
    assert (node.parent_id, node.weight, node.progress, node.status) == (None, D(1), None, PLANNED)


def test_a_nodes_values_are_checked_and_normalized():
    node = Node(id="a", weight=2, progress=D("40.0"), status="in_progress")  # type: ignore[arg-type]
    assert node.weight == D(2)
    assert isinstance(node.weight, Decimal)
    assert node.status is IN_PROGRESS


@pytest.mark.parametrize("weight", [0, -1, D(0), D("-0.5"), D("NaN"), 0.5, True])
def test_a_weight_is_more_than_0(weight):
    with pytest.raises(InvalidValue) as raised:
        Node(id="a", weight=weight)
    assert raised.value.slug == "invalid-weight"


@pytest.mark.parametrize("id", ["", "  ", None])
def test_a_node_has_an_id(id):
    with pytest.raises(InvalidValue) as raised:
        Node(id=id)
    assert raised.value.slug == "invalid-result-id"


def test_a_node_takes_a_known_status():
    with pytest.raises(InvalidValue) as raised:
        Node(id="a", status="done")  # type: ignore[arg-type]
    assert raised.value.slug == "unknown-status"


def test_a_nodes_progress_is_checked():
    with pytest.raises(InvalidValue) as raised:
        Node(id="a", progress=D(120), status=IN_PROGRESS)
    assert raised.value.slug == "progress-out-of-range"


@pytest.mark.parametrize(
    ("status", "progress"), [(PLANNED, D(10)), (COMPLETED, D(99)), (COMPLETED, D(0))]
)
def test_a_progress_that_contradicts_the_status_is_refused(status, progress):
    with pytest.raises(InvalidValue) as raised:
        Node(id="a", progress=progress, status=status)
    assert raised.value.slug == "progress-contradicts-status"


def test_a_progress_that_agrees_with_the_status():
    Node(id="a", progress=D(0), status=PLANNED)
    Node(id="b", progress=D("100.00"), status=COMPLETED)
    for status in (IN_PROGRESS, SUSPENDED, CANCELLED):
        Node(id="c", progress=D(55), status=status)


# --- the tree -------------------------------------------------------------------------


def tree_refused(nodes):
    with pytest.raises(InvalidValue) as raised:
        check_tree(nodes)
    return raised.value


def test_a_forest_of_results():
    check_tree([])
    check_tree([parent("a"), leaf("a1", "a"), leaf("a2", "a"), leaf("b")])


def test_children_may_come_before_their_parents():
    check_tree([leaf("a1", "a"), parent("a")])


def test_ids_are_unique():
    assert tree_refused([leaf("a"), leaf("a")]).slug == "duplicate-result"


def test_a_parent_is_among_the_results():
    error = tree_refused([leaf("a1", "a")])
    assert error.slug == "unknown-parent"
    assert "a1" in error.detail


@pytest.mark.parametrize(
    "nodes",
    [
        [leaf("a", "a")],
        [leaf("a", "b"), leaf("b", "a")],
        [leaf("top"), leaf("a", "c"), leaf("b", "a"), leaf("c", "b")],
    ],
)
def test_no_result_is_its_own_ancestor(nodes):
    assert tree_refused(nodes).slug == "result-cycle"


def chain(levels):
    return [leaf(f"n{i}", None if i == 1 else f"n{i - 1}") for i in range(1, levels + 1)]


def test_results_go_max_depth_levels_deep():
    assert MAX_DEPTH == 5
    check_tree(chain(MAX_DEPTH))
    error = tree_refused(chain(MAX_DEPTH + 1))
    assert error.slug == "result-too-deep"
    assert f"n{MAX_DEPTH + 1}" in error.detail


def test_depth_is_checked_whatever_the_order():
    assert tree_refused(list(reversed(chain(MAX_DEPTH + 1)))).slug == "result-too-deep"


# --- roll-up --------------------------------------------------------------------------


def test_a_leaf_is_its_own_progress():
    assert rolled_up([leaf("a", progress="35.5")]) == {"a": D("35.50")}


@pytest.mark.parametrize(
    ("status", "expected"),
    [(PLANNED, "0.00"), (COMPLETED, "100.00"), (IN_PROGRESS, "0.00"), (SUSPENDED, "0.00")],
)
def test_a_leaf_without_progress_takes_its_statuss(status, expected):
    assert rolled_up([leaf("a", status=status)])["a"] == D(expected)


def test_a_parent_is_the_mean_of_its_children_with_weights_1():
    # As Decidim without weights: the plain average.
    nodes = [parent("p"), leaf("a", "p", 10), leaf("b", "p", 20), leaf("c", "p", 60)]
    assert rolled_up(nodes)["p"] == D("30.00")


def test_weights_that_add_up_to_1_give_decidims_sum():
    nodes = [
        parent("p"),
        leaf("a", "p", 100, weight="0.25"),
        leaf("b", "p", 40, weight="0.75"),
    ]
    assert rolled_up(nodes)["p"] == D(100) * D("0.25") + D(40) * D("0.75")  # 55


def test_a_parent_is_the_weighted_mean_of_its_children():
    nodes = [parent("p"), leaf("a", "p", 100, weight=3), leaf("b", "p", 0, weight=1)]
    assert rolled_up(nodes)["p"] == D("75.00")


def test_cancelled_children_are_left_out_of_the_mean():
    nodes = [
        parent("p"),
        leaf("a", "p", 80),
        leaf("b", "p", 40),
        leaf("x", "p", 0, status=CANCELLED, weight=10),
    ]
    progress = rolled_up(nodes)
    assert progress["p"] == D("60.00")
    assert progress["x"] == D("0.00")  # still reported for itself


def test_a_parent_whose_children_are_all_cancelled_counts_as_a_leaf():
    nodes = [
        Node(id="p", progress=D(20), status=IN_PROGRESS),
        leaf("x", "p", 90, status=CANCELLED),
    ]
    assert rolled_up(nodes)["p"] == D("20.00")
    nodes = [parent("p", status=COMPLETED), leaf("x", "p", status=CANCELLED)]
    assert rolled_up(nodes)["p"] == D("100.00")


def test_a_parents_own_progress_is_ignored():
    nodes = [Node(id="p", progress=D(99), status=IN_PROGRESS), leaf("a", "p", 10)]
    assert rolled_up(nodes)["p"] == D("10.00")


def test_the_roll_up_goes_up_every_level():
    nodes = [
        parent("programme"),
        parent("project", "programme", weight=2),
        leaf("task1", "project", 100),
        leaf("task2", "project", 50),
        leaf("study", "programme", 0, weight=1),
    ]
    progress = rolled_up(nodes)
    assert progress["project"] == D("75.00")
    assert progress["programme"] == D("50.00")  # (2 × 75 + 1 × 0) / 3


def test_arithmetic_is_exact_and_rounded_once_at_the_end():
    # Three thirds: each child's mean is 100/3; rounding at every level would drift.
    nodes = [
        parent("top"),
        parent("a", "top"),
        leaf("a1", "a", 100),
        leaf("a2", "a", 0),
        leaf("a3", "a", 0),
        parent("b", "top"),
        leaf("b1", "b", 100),
        leaf("b2", "b", 0),
        leaf("b3", "b", 0),
    ]
    progress = rolled_up(nodes)
    assert progress["a"] == D("33.33")
    assert progress["top"] == D("33.33")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (("0.25", "0"), "0.12"),  # 0.125: half to even, down
        (("0.75", "0"), "0.38"),  # 0.375: half to even, up
        (("0.01", "0"), "0.00"),  # 0.005: half to even, down
        (("0.03", "0"), "0.02"),  # 0.015: half to even, up
    ],
)
def test_rounding_is_half_to_even(values, expected):
    nodes = [parent("p"), *(leaf(f"c{i}", "p", v) for i, v in enumerate(values))]
    assert rolled_up(nodes)["p"] == D(expected)


def test_every_rolled_up_value_has_two_decimals():
    nodes = [parent("p"), leaf("a", "p", 100), leaf("b", "p", 0), leaf("c", "p", 0)]
    assert all(v.as_tuple().exponent == -2 for v in rolled_up(nodes).values())


def test_roll_up_checks_the_tree():
    with pytest.raises(InvalidValue) as raised:
        rolled_up([leaf("a", "b"), leaf("b", "a")])
    assert raised.value.slug == "result-cycle"


def test_overall_is_the_weighted_mean_of_the_top_level_results():
    nodes = [
        parent("a", weight=3),
        leaf("a1", "a", 100),
        leaf("b", progress=20, weight=1),
        leaf("gone", progress=0, status=CANCELLED, weight=100),
    ]
    assert overall(nodes) == D("80.00")  # (3 × 100 + 1 × 20) / 4


def test_overall_without_results_that_count_is_0():
    assert overall([]) == D("0.00")
    assert overall([leaf("x", progress=50, status=CANCELLED)]) == D("0.00")


def test_overall_checks_the_tree():
    with pytest.raises(InvalidValue) as raised:
        overall([leaf("a"), leaf("a")])
    assert raised.value.slug == "duplicate-result"


# --- the status of the whole ----------------------------------------------------------


def statuses(*values):
    return overall_status([leaf(f"n{i}", status=s) for i, s in enumerate(values)])


def test_no_results_are_planned():
    assert overall_status([]) is PLANNED


@pytest.mark.parametrize("status", list(Status))
def test_all_alike_is_that_status(status):
    assert statuses(status) is status
    assert statuses(status, status) is status


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ((COMPLETED, CANCELLED), COMPLETED),
        ((PLANNED, CANCELLED), PLANNED),
        ((SUSPENDED, CANCELLED), SUSPENDED),
        ((IN_PROGRESS, CANCELLED), IN_PROGRESS),
        ((COMPLETED, SUSPENDED), SUSPENDED),
        ((COMPLETED, SUSPENDED, CANCELLED), SUSPENDED),
        ((COMPLETED, IN_PROGRESS), IN_PROGRESS),
        ((PLANNED, COMPLETED), IN_PROGRESS),
        ((PLANNED, IN_PROGRESS), IN_PROGRESS),
        ((PLANNED, SUSPENDED), IN_PROGRESS),
        ((SUSPENDED, IN_PROGRESS), IN_PROGRESS),
        (tuple(Status), IN_PROGRESS),
    ],
)
def test_mixed_statuses(values, expected):
    assert statuses(*values) is expected


def test_the_status_is_read_from_the_leaves():
    nodes = [parent("p", status=IN_PROGRESS), leaf("a", "p", status=COMPLETED)]
    assert overall_status(nodes) is COMPLETED


def test_leaves_under_a_cancelled_result_count_as_cancelled():
    nodes = [
        parent("p", status=CANCELLED),
        leaf("a", "p", status=IN_PROGRESS),
        leaf("b", status=COMPLETED),
    ]
    assert overall_status(nodes) is COMPLETED
    assert overall_status(nodes[:2]) is CANCELLED


def test_status_checks_the_tree():
    with pytest.raises(InvalidValue) as raised:
        overall_status([leaf("a", "nobody")])
    assert raised.value.slug == "unknown-parent"


# --- periods and milestones -----------------------------------------------------------

START = date(2027, 3, 1)
TODAY = date(2027, 6, 15)


def test_a_period_ends_on_or_after_its_start():
    check_period(START, START)
    check_period(START, date(2027, 12, 31))
    check_period(None, START)
    check_period(START, None)
    check_period(None, None)
    with pytest.raises(InvalidValue) as raised:
        check_period(START, date(2027, 2, 28))
    assert raised.value.slug == "invalid-period"


def test_milestones_within_the_result():
    check_milestone(START, START, None, today=TODAY)
    check_milestone(START, date(2027, 9, 1), None, today=TODAY)  # planned later than today
    check_milestone(START, date(2027, 4, 1), TODAY, today=TODAY)
    check_milestone(None, date(2020, 1, 1), date(2020, 1, 2), today=TODAY)


@pytest.mark.parametrize(
    ("planned", "actual"),
    [(date(2027, 2, 28), None), (date(2027, 4, 1), date(2027, 2, 28))],
)
def test_a_milestone_is_not_before_its_result_starts(planned, actual):
    with pytest.raises(InvalidValue) as raised:
        check_milestone(START, planned, actual, today=TODAY)
    assert raised.value.slug == "milestone-before-start"


def test_a_milestone_is_not_reached_after_today():
    with pytest.raises(InvalidValue) as raised:
        check_milestone(START, date(2027, 4, 1), date(2027, 6, 16), today=TODAY)
    assert raised.value.slug == "milestone-in-future"
