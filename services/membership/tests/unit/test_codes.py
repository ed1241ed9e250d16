"""Invitation codes: randomness, format, the check character."""

import math

from membership.domain.codes import ALPHABET, BITS, digest, new_code, normalise


def test_codes_are_grouped_typeable_and_random_enough():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert BITS >= 60
    assert math.log2(len(ALPHABET)) * 15 == BITS
    for code in list(codes)[:50]:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4, 4]
        assert not set(code.replace("-", "")) & set("ILOU")
        assert normalise(code) == code.replace("-", "")


def test_typing_is_forgiving():
    code = new_code()
    compact = code.replace("-", "")
    sloppy = " ".join(code.lower().split("-"))
    assert normalise(sloppy) == compact
    with_letters = compact.replace("0", "O").replace("1", "l")
    assert normalise(with_letters) == compact


def test_every_single_mistyped_character_is_caught():
    for _ in range(30):
        compact = new_code().replace("-", "")
        for i in range(len(compact)):
            for c in ALPHABET:
                if c != compact[i]:
                    assert normalise(compact[:i] + c + compact[i + 1 :]) is None


def test_most_swaps_of_neighbours_are_caught():
    caught = total = 0
    for _ in range(300):
        compact = new_code().replace("-", "")
        for i in range(len(compact) - 1):
            if compact[i] != compact[i + 1]:
                swapped = compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :]
                total += 1
                caught += normalise(swapped) is None
    assert caught / total > 0.99


def test_wrong_lengths_and_characters_are_not_codes():
    compact = new_code().replace("-", "")
    assert normalise(compact[:-1]) is None
    assert normalise(compact + "0") is None
    assert normalise(compact[:-1] + "U") is None
    assert normalise("") is None
    assert digest(compact) != digest(normalise(new_code()) or "")
