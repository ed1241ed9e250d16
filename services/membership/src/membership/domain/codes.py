"""Invitation codes: unguessable, easy to type, with a check character.

Fifteen symbols drawn by ``secrets`` from Crockford's base-32 alphabet (digits and
capitals without I, L, O and U, which are read as 1, 1, 0 or not at all) carry 75 bits;
a sixteenth is a Luhn mod 32 check character, which catches every single mistyped
character and almost every swap of two neighbours. Printed in four groups of four:
``K7QM-3XPD-9RTV-H2WC``. Typing is forgiving: case, spaces and hyphens do not matter,
O reads as 0, I and L as 1.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_SYMBOLS = 15
BITS = RANDOM_SYMBOLS * 5
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_READS_AS = {"O": "0", "I": "1", "L": "1"}


def _check_symbol(payload: str) -> str:
    """Luhn mod N (N = 32) over the payload."""
    n = len(ALPHABET)
    total, factor = 0, 2
    for symbol in reversed(payload):
        addend = factor * _VALUE[symbol]
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def new_code() -> str:
    payload = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
    return format_code(payload + _check_symbol(payload))


def format_code(compact: str) -> str:
    return "-".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def normalise(typed: str) -> str | None:
    """The compact code a person meant, or None if it cannot be one (wrong length, a
    character outside the alphabet, or a check character that does not match)."""
    compact = "".join(_READS_AS.get(c, c) for c in typed.upper() if c not in " -\t")
    if len(compact) != RANDOM_SYMBOLS + 1 or any(c not in _VALUE for c in compact):
        return None
    if _check_symbol(compact[:-1]) != compact[-1]:
        return None
    return compact


def digest(compact: str) -> str:
    """What the database keeps to recognise a code."""
    return hashlib.sha256(compact.encode()).hexdigest()
