"""Service levels counted by hand over a set of cases built here, figure by figure."""

from datetime import date
from fractions import Fraction

import pytest

from common.errors import InvalidValue
from responses.domain.levels import (
    CaseFacts,
    Levels,
    MilestoneFacts,
    by,
    days_late,
    late,
    levels,
    median,
    nearest_rank,
)

TODAY = date(2025, 6, 30)

# Three openings, each due 120 days later unless extended:
O24, D24 = date(2024, 10, 15), date(2025, 2, 12)  # cycle 2024
O25, D25 = date(2025, 3, 1), date(2025, 6, 29)  # cycle 2025, overdue from today
MAY, DMAY = date(2025, 5, 2), date(2025, 8, 30)  # cycle 2025, opened later: not yet due
EXT24 = date(2025, 4, 14)  # an extension of a 2024 case: opened + 181


def case(department, cycle, opened, due, answered, extended=False):
    return CaseFacts(department, cycle, opened, due, answered, extended)


# fmt: off
CASES = [
    # cycle 2024                                              days  on time?
    case("AMB", "2024", O24, D24, date(2024, 11, 14)),        # 1:  30  yes
    case("AMB", "2024", O24, D24, date(2024, 12, 14)),        # 2:  60  yes
    case("AMB", "2024", O24, D24, date(2025, 2, 12)),         # 3: 120  yes: on the due day
    case("AMB", "2024", O24, D24, date(2025, 2, 13)),         # 4: 121  late: the day after
    case("AMB", "2024", O24, EXT24, date(2025, 3, 14), True), # 5: 150  yes, within extension
    case("MOB", "2024", O24, D24, date(2024, 11, 29)),        # 6:  45  yes
    case("MOB", "2024", O24, D24, date(2025, 1, 13)),         # 7:  90  yes
    case("MOB", "2024", O24, D24, date(2025, 2, 22)),         # 8: 130  late
    case("MOB", "2024", O24, D24, date(2025, 5, 3)),          # 9: 200  late
    case("MOB", "2024", O24, D24, None),                      # 10: open, overdue
    case("URB", "2024", O24, D24, date(2025, 1, 24)),         # 11: 101  yes
    case("URB", "2024", O24, EXT24, date(2025, 4, 23), True), # 12: 190  late, after extension
    case("URB", "2024", O24, TODAY, None, True),              # 13: open, due today: not overdue
    case(None, "2024", O24, D24, date(2025, 2, 2)),           # 14: 110  yes
    case(None, "2024", O24, D24, None),                       # 15: open, overdue
    # cycle 2025
    case("AMB", "2025", O25, D25, date(2025, 3, 21)),         # 16:  20  yes
    case("AMB", "2025", O25, D25, date(2025, 6, 29)),         # 17: 120  yes
    case("AMB", "2025", O25, D25, None),                      # 18: open, overdue by 1 day
    case("AMB", "2025", O25, D25, None),                      # 19: open, overdue
    case("MOB", "2025", O25, D25, date(2025, 5, 15)),         # 20:  75  yes
    case("MOB", "2025", O25, D25, date(2025, 4, 30)),         # 21:  60  yes
    case("MOB", "2025", O25, D25, None),                      # 22: open, overdue
    case("URB", "2025", O25, D25, date(2025, 6, 30)),         # 23: 121  late, answered today
    case("URB", "2025", O25, D25, date(2025, 4, 15)),         # 24:  45  yes
    case("URB", "2025", O25, D25, None),                      # 25: open, overdue
    case(None, "2025", O25, D25, None),                       # 26: open, overdue
    case("AMB", "2025", MAY, DMAY, date(2025, 5, 12)),        # 27:  10  yes
    case("MOB", "2025", MAY, DMAY, None),                     # 28: open, not due yet
    case("URB", "2025", MAY, DMAY, None),                     # 29: open, not due yet
    case(None, "2025", MAY, DMAY, date(2025, 6, 29)),         # 30:  58  yes
    case("MOB", "2025", MAY, date(2025, 10, 31), None, True), # 31: open, extended
]
# fmt: on


def test_the_whole_set_by_hand():
    # 31 cases; answered: 1–9, 11, 12, 14, 16, 17, 20, 21, 23, 24, 27, 30 (20);
    # late: 4, 8, 9, 12, 23 (5); open: the other 11, overdue: 10, 15, 18, 19, 22, 25, 26;
    # extended: 5, 12, 13, 31. The days, sorted: 10 20 30 45 45 58 60 60 75 90 | 101 110
    # 120 120 121 121 130 150 190 200: the median is (90 + 101) / 2 and the 90th
    # percentile the ⌈0.9 × 20⌉ = 18th, 150.
    assert levels(CASES, TODAY) == Levels(
        cases=31,
        answered=20,
        on_time=15,
        late=5,
        on_time_rate=Fraction(3, 4),
        median_days=Fraction(191, 2),
        p90_days=150,
        open=11,
        overdue=7,
        extended=4,
    )


def test_by_department_by_hand():
    assert by(CASES, TODAY, lambda c: c.department) == {
        # 1–5, 16–19, 27; days 10 20 30 60 | 120 120 121 150; p90 the 8th
        "AMB": Levels(10, 8, 7, 1, Fraction(7, 8), Fraction(90), 150, 2, 2, 1),
        # 6–10, 20–22, 28, 31; days 45 60 75 | 90 130 200; p90 the ⌈5.4⌉ = 6th
        "MOB": Levels(10, 6, 4, 2, Fraction(2, 3), Fraction(165, 2), 200, 4, 2, 1),
        # 11–13, 23–25, 29; days 45 101 | 121 190; p90 the ⌈3.6⌉ = 4th
        "URB": Levels(7, 4, 2, 2, Fraction(1, 2), Fraction(111), 190, 3, 1, 2),
        # 14, 15, 26, 30; days 58 | 110; p90 the ⌈1.8⌉ = 2nd
        "unassigned": Levels(4, 2, 2, 0, Fraction(1), Fraction(84), 110, 2, 2, 0),
    }


def test_by_cycle_by_hand():
    assert by(CASES, TODAY, lambda c: c.cycle) == {
        # days 30 45 60 90 101 110 | 120 121 130 150 190 200; p90 the ⌈10.8⌉ = 11th
        "2024": Levels(15, 12, 8, 4, Fraction(2, 3), Fraction(115), 190, 3, 2, 3),
        # days 10 20 45 58 | 60 75 120 121; p90 the ⌈7.2⌉ = 8th
        "2025": Levels(16, 8, 7, 1, Fraction(7, 8), Fraction(59), 121, 8, 5, 1),
    }


def test_groups_add_up_to_the_whole():
    whole = levels(CASES, TODAY)
    for groups in (
        by(CASES, TODAY, lambda c: c.department),
        by(CASES, TODAY, lambda c: c.cycle),
    ):
        for field in ("cases", "answered", "on_time", "late", "open", "overdue", "extended"):
            assert sum(getattr(group, field) for group in groups.values()) == getattr(whole, field)


def test_groups_come_in_key_order():
    keys = list(by(CASES, TODAY, lambda c: c.department))
    assert keys == ["AMB", "MOB", "URB", "unassigned"]
    assert list(by(reversed(CASES), TODAY, lambda c: c.cycle)) == ["2024", "2025"]


def test_a_compound_key():
    def cycle_and_department(c: CaseFacts) -> str | None:
        return None if c.department is None else f"{c.cycle}/{c.department}"

    groups = by(CASES, TODAY, cycle_and_department)
    assert list(groups) == [
        "2024/AMB", "2024/MOB", "2024/URB", "2025/AMB", "2025/MOB", "2025/URB", "unassigned"
    ]  # fmt: skip
    assert groups["2025/AMB"] == Levels(5, 3, 3, 0, Fraction(1), Fraction(20), 120, 2, 2, 0)


def test_the_same_figures_from_a_generator():
    assert levels((c for c in CASES), TODAY) == levels(CASES, TODAY)


def test_today_decides_only_what_is_overdue():
    # The day before, 18, 19, 22, 25 and 26 (due 29 June) are not overdue yet.
    assert levels(CASES, date(2025, 6, 29)).overdue == 2
    assert levels(CASES, date(2025, 6, 29)).on_time == 15
    # Long after, every open case is.
    assert levels(CASES, date(2026, 1, 1)).overdue == 11


def test_no_cases():
    assert levels([], TODAY) == Levels(
        cases=0,
        answered=0,
        on_time=0,
        late=0,
        on_time_rate=None,
        median_days=None,
        p90_days=None,
        open=0,
        overdue=0,
        extended=0,
    )
    assert by([], TODAY, lambda c: c.department) == {}


def test_nothing_answered_has_no_rate_and_no_durations():
    result = levels([case("AMB", "2025", O25, D25, None)], TODAY)
    assert (result.on_time_rate, result.median_days, result.p90_days) == (None, None, None)
    assert (result.cases, result.open, result.overdue) == (1, 1, 1)


def test_one_answered_case():
    result = levels([case("AMB", "2025", O25, D25, date(2025, 3, 2))], TODAY)
    assert (result.on_time_rate, result.median_days, result.p90_days) == (Fraction(1), 1, 1)


def test_answered_on_the_opening_day_is_zero_days():
    result = levels([case("AMB", "2025", O25, D25, O25)], TODAY)
    assert (result.median_days, result.p90_days) == (0, 0)


def test_figures_are_exact():
    result = levels(CASES, TODAY)
    assert isinstance(result.on_time_rate, Fraction)
    assert isinstance(result.median_days, Fraction)
    assert type(result.p90_days) is int


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], None),
        ([7], Fraction(7)),
        ([3, 1], Fraction(2)),
        ([1, 2], Fraction(3, 2)),
        ([5, 1, 3], Fraction(3)),
        ([4, 1, 3, 2], Fraction(5, 2)),
        ([10, 10, 10, 11], Fraction(10)),
    ],
)
def test_median(values, expected):
    assert median(values) == expected


@pytest.mark.parametrize(
    ("size", "rank"),
    [(1, 1), (2, 2), (5, 5), (9, 9), (10, 9), (11, 10), (19, 18), (20, 18), (21, 19), (100, 90)],
)
def test_the_90th_percentile_is_the_nearest_rank(size, rank):
    values = [10 * n for n in range(size, 0, -1)]  # given in descending order
    assert nearest_rank(values, 90) == 10 * rank


def test_nearest_rank_of_nothing():
    assert nearest_rank([], 90) is None


def test_a_case_cannot_be_due_or_answered_before_it_opened():
    with pytest.raises(InvalidValue) as caught:
        case("AMB", "2025", O25, date(2025, 2, 28), None)
    assert caught.value.slug == "due-before-opened"
    with pytest.raises(InvalidValue) as caught:
        case("AMB", "2025", O25, D25, date(2025, 2, 28))
    assert caught.value.slug == "answered-before-opened"


# --- milestones ---------------------------------------------------------------------

PLANNED = date(2025, 9, 30)


def test_a_milestone_done_on_the_day_or_before_is_not_late():
    for done in (PLANNED, date(2025, 9, 1)):
        milestone = MilestoneFacts(PLANNED, done)
        assert not late(milestone, date(2026, 1, 1))
        assert days_late(milestone, date(2026, 1, 1)) == 0


def test_a_milestone_done_after_the_day_is_late_by_the_days_between():
    milestone = MilestoneFacts(PLANNED, date(2025, 10, 3))
    assert late(milestone, date(2026, 1, 1))
    assert days_late(milestone, date(2026, 1, 1)) == 3  # not counted to today
    assert days_late(milestone, date(2025, 10, 3)) == 3


def test_a_milestone_not_done():
    milestone = MilestoneFacts(PLANNED, None)
    assert not late(milestone, date(2025, 9, 29))
    assert not late(milestone, PLANNED)  # the day planned itself is not late
    assert days_late(milestone, PLANNED) == 0
    assert late(milestone, date(2025, 10, 1))
    assert days_late(milestone, date(2025, 10, 1)) == 1
    assert days_late(milestone, date(2025, 12, 31)) == 92
