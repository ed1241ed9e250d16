"""The Piano Aria e Clima's codes: five ambiti (``4``), their objectives (``4.2``) and
actions (``4.2.1``). A code says its level and its parents; an import is checked as a
whole before anything is written. Pure domain.

An action's objective need not be in the catalogue: where only the action's code and title
are known from public sources, the action is listed under its ambito until the objective's
title is imported (the code alone says which objective it belongs to).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from common.errors import InvalidValue
from common.texts import Text

CODE = re.compile(r"^[1-5](\.[1-9][0-9]?){0,2}$")
MAX_IMPORT = 1000


class Level(StrEnum):
    AMBITO = "ambito"
    OBJECTIVE = "objective"
    ACTION = "action"


@dataclass(frozen=True)
class Code:
    text: str
    level: Level
    ambito: int
    objective: str | None  # the objective's code, for an objective or an action


def parse(code: str) -> Code:
    if not CODE.fullmatch(code):
        raise InvalidValue(
            f"{code!r} is not a PAC code: an ambito 1–5, then an objective and an action "
            "number (4, 4.2, 4.2.1).",
            slug="invalid-pac-code",
        )
    parts = code.split(".")
    level = (Level.AMBITO, Level.OBJECTIVE, Level.ACTION)[len(parts) - 1]
    return Code(
        text=code,
        level=level,
        ambito=int(parts[0]),
        objective=".".join(parts[:2]) if len(parts) > 1 else None,
    )


@dataclass(frozen=True)
class Entry:
    code: Code
    title: Text


def check_import(rows: Iterable[tuple[str, Text]], *, known_ambiti: Iterable[int]) -> list[Entry]:
    """The rows of an import, each parsed; refused as a whole when a code is malformed or
    given twice, or when an objective or an action names an ambito that neither the
    catalogue nor the import holds. Sorted parents first, so that they are written first."""
    entries: list[Entry] = []
    seen: set[str] = set()
    for number, (code, title) in enumerate(rows, start=1):
        try:
            parsed = parse(code)
        except InvalidValue as exc:
            raise InvalidValue(f"Row {number}: {exc}", slug="invalid-pac-code") from None
        if code in seen:
            raise InvalidValue(f"Row {number}: {code} is given twice.", slug="duplicate-pac-code")
        seen.add(code)
        entries.append(Entry(parsed, title))
    if not entries:
        raise InvalidValue("The import holds no entry.", slug="empty-import")
    if len(entries) > MAX_IMPORT:
        raise InvalidValue(f"At most {MAX_IMPORT} entries at once.", slug="import-too-large")
    ambiti = set(known_ambiti) | {e.code.ambito for e in entries if e.code.level == Level.AMBITO}
    orphans = sorted(e.code.text for e in entries if e.code.ambito not in ambiti)
    if orphans:
        raise InvalidValue(
            f"Not in any ambito of the catalogue: {', '.join(orphans)}.", slug="unknown-ambito"
        )
    order = {Level.AMBITO: 0, Level.OBJECTIVE: 1, Level.ACTION: 2}
    return sorted(entries, key=lambda e: (order[e.code.level], sort_key(e.code.text)))


def sort_key(code: str) -> tuple[int, ...]:
    """``4.10.1`` after ``4.9.1``: codes sort by their numbers."""
    return tuple(int(p) for p in code.split("."))


def changed(current: Mapping[str, str] | None, title: Text) -> bool:
    return current is None or dict(current) != title.model_dump()
