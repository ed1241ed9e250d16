"""The exchange search that finds panels near fractional vertices."""

from __future__ import annotations

import numpy as np

from sortition.domain.exchange import exchange

# Six people, two features (gender F/M, age young/old) and a household holding the first two:
# rows are the panel size, F, M, young, old, household.
MATRIX = np.array(
    [
        [1, 1, 1, 1, 1, 1],
        [1, 1, 1, 0, 0, 0],
        [0, 0, 0, 1, 1, 1],
        [1, 0, 0, 1, 1, 0],
        [0, 1, 1, 0, 0, 1],
        [1, 1, 0, 0, 0, 0],
    ],
    dtype=float,
)
LOWER_ROWS = np.array([3, 1, 2, 2, 1, 0], dtype=float)
UPPER_ROWS = np.array([3, 1, 2, 2, 1, 1], dtype=float)
LOWER, UPPER = np.zeros(6), np.ones(6)


def meets(z: np.ndarray) -> bool:
    counts = MATRIX @ z
    return bool(
        ((counts >= LOWER_ROWS) & (counts <= UPPER_ROWS)).all()
        and ((z >= LOWER) & (z <= UPPER)).all()
    )


def test_exchanges_reach_a_panel_that_meets_every_row() -> None:
    start = np.array([1, 1, 1, 0, 0, 0])  # three women, two from one household
    assert not meets(start)
    found = exchange(
        MATRIX, LOWER_ROWS, UPPER_ROWS, LOWER, UPPER, start, np.random.default_rng(0), 50
    )
    assert found is not None
    assert meets(found)
    assert found.sum() == start.sum()
    assert start.tolist() == [1, 1, 1, 0, 0, 0]  # the start is left as it was


def test_the_same_random_stream_gives_the_same_panel() -> None:
    start = np.array([1, 1, 1, 0, 0, 0])
    runs = [
        exchange(MATRIX, LOWER_ROWS, UPPER_ROWS, LOWER, UPPER, start, np.random.default_rng(7), 50)
        for _ in range(2)
    ]
    assert runs[0] is not None
    assert runs[1] is not None
    assert runs[0].tolist() == runs[1].tolist()


def test_exchanges_give_up_where_no_panel_exists() -> None:
    # Three old people, one woman among them: but the old are two women and one man.
    lower_rows = np.array([3, 1, 2, 0, 3, 0], dtype=float)
    upper_rows = np.array([3, 1, 2, 0, 3, 1], dtype=float)
    start = np.array([0, 0, 1, 1, 0, 1])
    found = exchange(
        MATRIX, lower_rows, upper_rows, LOWER, UPPER, start, np.random.default_rng(0), 200
    )
    assert found is None


def test_classes_of_several_people_move_one_person_at_a_time() -> None:
    # Two classes (young women: 3 people, old men: 3 people), four seats, two of each.
    matrix = np.array([[1, 1], [1, 0], [0, 1]], dtype=float)
    lower_rows = np.array([4, 2, 2], dtype=float)
    start = np.array([3, 1])
    found = exchange(
        matrix,
        lower_rows,
        lower_rows,
        np.zeros(2),
        np.array([3.0, 3.0]),
        start,
        np.random.default_rng(0),
        10,
    )
    assert found is not None
    assert found.tolist() == [2, 2]
