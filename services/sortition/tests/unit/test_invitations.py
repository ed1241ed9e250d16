"""Stage 1: letters drawn from a registry extract, stratified, reproducible."""

from __future__ import annotations

import io
from collections import Counter

import numpy as np
import pytest

from sortition.domain.instance import InstanceError
from sortition.domain.invitations import allocate, draw_invitations, references, scan


def extract_csv() -> str:
    lines = ["person_ref,household_ref,age,gender,citizenship,municipio"]
    for i in range(1000):
        municipio = "M1" if i < 800 else "M2"
        household = f"h{i // 2}"  # two people per household
        age = 15 if i % 50 == 0 else 20 + i % 60  # some under 16
        lines.append(f"p{i},{household},{age},{'F' if i % 2 else 'M'},IT,{municipio}")
    return "\n".join(lines) + "\n"


def test_letters_are_proportional_one_per_household_and_reproducible():
    text = extract_csv()
    progress: list[int] = []
    extract = scan(io.StringIO(text), progress=progress.append, every=250)
    assert progress == [250, 500, 750, 1000, 1000]
    assert extract.rows == 1000
    assert len(extract.row_of) == 980  # the under-16s are out
    drawn, seats = draw_invitations(extract, count=100, seed="registro 2027")
    assert len(drawn) == 100
    assert int(seats.sum()) == 100
    again, _ = draw_invitations(extract, count=100, seed="registro 2027")
    assert np.array_equal(drawn, again)
    other, _ = draw_invitations(extract, count=100, seed="another")
    assert not np.array_equal(drawn, other)
    refs = dict(references(io.StringIO(text), drawn.tolist()))
    households = Counter(f"h{int(ref[1:]) // 2}" for ref in refs.values())
    assert max(households.values()) == 1
    by_municipio = Counter("M1" if int(ref[1:]) < 800 else "M2" for ref in refs.values())
    assert abs(by_municipio["M1"] - 80) <= 2


def test_oversampling_shifts_letters_to_strata_that_answer_less():
    extract = scan(io.StringIO(extract_csv()))
    weights = {s: (3.0 if s[3] == "M2" else 1.0) for s in extract.strata}
    drawn, _ = draw_invitations(extract, count=100, seed="s", oversampling=weights)
    refs = dict(references(io.StringIO(extract_csv()), drawn.tolist()))
    m2 = sum(1 for ref in refs.values() if int(ref[1:]) >= 800)
    assert m2 > 30  # 20 % of the pool, three times the weight: about 43 % of the letters


def test_allocation_never_exceeds_a_stratum():
    seats = allocate(np.array([5, 100]), np.array([10.0, 1.0]), 50)
    assert seats.tolist() == [5, 45]


def test_bad_extracts_are_named():
    with pytest.raises(InstanceError) as missing:
        scan(io.StringIO("person_ref,age\np1,30\n"))
    assert missing.value.code == "missing-columns"
    with pytest.raises(InstanceError) as bad:
        scan(
            io.StringIO(
                "person_ref,household_ref,age,gender,citizenship,municipio\np1,h1,old,F,IT,M1\n"
            )
        )
    assert bad.value.code == "invalid-extract"


def shared_household_csv() -> str:
    """A mother (45-59, EU) and her son (16-29, EU) are each the only person of their
    stratum and live in one household; 200 Italians live alone."""
    lines = ["person_ref,household_ref,age,gender,citizenship,municipio"]
    lines.append("mother,h0,50,F,EU,M1")
    lines.append("son,h0,20,M,EU,M1")
    lines += [f"p{i},h{i + 1},40,F,IT,M1" for i in range(200)]
    return "\n".join(lines) + "\n"


def test_seats_a_shared_household_cannot_fill_go_to_other_strata():
    extract = scan(io.StringIO(shared_household_csv()))
    eu = {s: 3.0 for s in extract.strata if s[2] == "EU"}
    # mother and son get a seat each, but only one of them can have the letter
    assert allocate(np.array([1, 1, 200]), np.array([3.0, 3.0, 1.0]), 50).tolist() == [1, 1, 48]
    for seed in ("a", "b", "c", "d"):
        drawn, seats = draw_invitations(extract, count=50, seed=seed, oversampling=eu)
        assert len(drawn) == 50  # 201 households: none ran out
        assert int(seats.sum()) == 50
        assert seats[:2].tolist() in ([1, 0], [0, 1])
        again, _ = draw_invitations(extract, count=50, seed=seed, oversampling=eu)
        assert np.array_equal(drawn, again)


def test_fewer_letters_than_asked_only_when_every_household_has_one():
    extract = scan(io.StringIO(shared_household_csv()))
    for count in (201, 300):  # as many letters as households, and more
        drawn, _ = draw_invitations(extract, count=count, seed="s")
        assert len(drawn) == 201  # every household, once
        assert len(set(extract.household_of[np.isin(extract.row_of, drawn)].tolist())) == 201
