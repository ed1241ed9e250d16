"""Use cases for the PAC catalogue: ambiti, objectives and actions, versioned."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from common.db import UnitOfWork
from common.errors import Conflict, InvalidValue, NotFound
from common.http.pagination import PageParams
from common.texts import Text
from deliberation.adapters.repositories import (
    PacAction,
    PacActions,
    PacAmbiti,
    PacAmbito,
    PacObjective,
    PacObjectives,
    PacRevision,
    PacRevisions,
)
from deliberation.domain import pac as catalogue


async def add_action(code: str, title: dict[str, str], *, actor: str, uow: UnitOfWork) -> PacAction:
    parsed = catalogue.parse(code)
    if parsed.level != catalogue.Level.ACTION:
        raise InvalidValue(f"{code} is not an action's code (a.o.n).", slug="invalid-pac-code")
    await PacAmbiti(uow).referenced(parsed.ambito)
    row = await PacActions(uow).add(
        id=uuid.uuid4(),
        code=code,
        ambito=parsed.ambito,
        objective=parsed.objective,
        title=title,
        version=1,
        exists=Conflict(f"Action {code} is already in the catalogue.", slug="action-exists"),
    )
    await _revised(code, catalogue.Level.ACTION, 1, title, actor=actor, uow=uow)
    return row


async def get_action(code: str, *, uow: UnitOfWork) -> PacAction:
    return await PacActions(uow).get(code)


async def list_actions(
    params: PageParams, *, uow: UnitOfWork
) -> tuple[list[PacAction], str | None]:
    return await PacActions(uow).page(params)


async def _revised(
    code: str,
    level: catalogue.Level,
    version: int,
    title: dict[str, str],
    *,
    actor: str,
    uow: UnitOfWork,
) -> None:
    await PacRevisions(uow).add(
        code=code, version=version, level=str(level), title=title, changed_by=actor
    )


async def import_catalogue(
    rows: list[tuple[str, Text]], *, actor: str, uow: UnitOfWork
) -> dict[str, int]:
    """All or nothing. A new code is added at version 1; a known one whose title changed
    gets the next version (the old title stays in its revisions); the same title is left
    alone."""
    ambiti = {a.number: a for a in await PacAmbiti(uow).every()}
    entries = catalogue.check_import(rows, known_ambiti=ambiti)
    objectives = {o.code: o for o in await PacObjectives(uow).every()}
    actions = {a.code: a for a in await PacActions(uow).every()}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for entry in entries:
        code, title = entry.code, entry.title.model_dump()
        current: PacAmbito | PacObjective | PacAction | None
        if code.level == catalogue.Level.AMBITO:
            current = ambiti.get(code.ambito)
            repository: PacAmbiti | PacObjectives | PacActions = PacAmbiti(uow)
            key: int | str = code.ambito
            new: dict[str, Any] = {"number": code.ambito}
        elif code.level == catalogue.Level.OBJECTIVE:
            current = objectives.get(code.text)
            repository, key = PacObjectives(uow), code.text
            new = {"code": code.text, "ambito": code.ambito}
        else:
            current = actions.get(code.text)
            repository, key = PacActions(uow), code.text
            new = {
                "id": uuid.uuid4(),
                "code": code.text,
                "ambito": code.ambito,
                "objective": code.objective,
            }
        if current is None:
            await repository.add(**new, title=title, version=1)
            await _revised(code.text, code.level, 1, title, actor=actor, uow=uow)
            counts["created"] += 1
        elif catalogue.changed(current.title, entry.title):
            version = current.version + 1
            await repository.update(key, title=title, version=version)
            await _revised(code.text, code.level, version, title, actor=actor, uow=uow)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


@dataclass(frozen=True)
class Catalogue:
    ambiti: list[PacAmbito]
    objectives: list[PacObjective]
    actions: list[PacAction]


async def whole(*, uow: UnitOfWork) -> Catalogue:
    return Catalogue(
        ambiti=await PacAmbiti(uow).every(),
        objectives=sorted(
            await PacObjectives(uow).every(), key=lambda o: catalogue.sort_key(o.code)
        ),
        actions=sorted(await PacActions(uow).every(), key=lambda a: catalogue.sort_key(a.code)),
    )


async def revisions(code: str, *, uow: UnitOfWork) -> list[PacRevision]:
    catalogue.parse(code)
    found = await PacRevisions(uow).of_code(code)
    if not found:
        raise NotFound(f"No PAC entry {code}.")
    return found
