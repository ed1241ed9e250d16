"""Working groups: members from the roster, a theme (a PAC ambito or actions)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from common.db import UnitOfWork
from common.errors import Conflict, Invalid
from common.http.etag import check_if_match
from common.http.pagination import PageParams
from deliberation.adapters.repositories import (
    Assemblies,
    PacActions,
    Roster,
    WorkingGroup,
    WorkingGroups,
)
from deliberation.domain import pac as catalogue


async def _check(
    assembly_id: uuid.UUID,
    values: dict[str, Any],
    members: list[str],
    today: date,
    *,
    uow: UnitOfWork,
) -> None:
    unknown = await PacActions(uow).unknown(values["pac_codes"])
    if unknown:
        raise Invalid(f"Unknown PAC actions: {', '.join(unknown)}.", slug="unknown-pac-action")
    ambito = values.get("ambito")
    if ambito is None and not values["pac_codes"]:
        raise Invalid("A working group's theme is a PAC ambito, actions, or both.", slug="no-theme")
    outside = [
        c for c in values["pac_codes"] if ambito is not None and catalogue.parse(c).ambito != ambito
    ]
    if outside:
        raise Invalid(
            f"Actions outside ambito {ambito}: {', '.join(sorted(outside))}.",
            slug="outside-ambito",
        )
    not_sitting = [m for m in members if not await Roster(uow).sits(assembly_id, m, today)]
    if not_sitting:
        raise Conflict(
            f"Not sitting members of the assembly: {', '.join(sorted(not_sitting))}.",
            slug="not-sitting",
        )


async def create(
    values: dict[str, Any], members: list[str], *, today: date, uow: UnitOfWork
) -> tuple[WorkingGroup, list[str]]:
    await Assemblies(uow).referenced(values["assembly_id"])
    await _check(values["assembly_id"], values, members, today, uow=uow)
    group = await WorkingGroups(uow).add(id=uuid.uuid4(), version=1, **values)
    await WorkingGroups(uow).set_members(group.id, sorted(set(members)))
    return group, await WorkingGroups(uow).members(group.id)


async def get(group_id: uuid.UUID, *, uow: UnitOfWork) -> tuple[WorkingGroup, list[str]]:
    group = await WorkingGroups(uow).get(group_id)
    return group, await WorkingGroups(uow).members(group_id)


async def listed(
    params: PageParams, *, assembly_id: uuid.UUID | None = None, uow: UnitOfWork
) -> tuple[list[tuple[WorkingGroup, list[str]]], str | None]:
    rows, token = await WorkingGroups(uow).listed(params, assembly_id=assembly_id)
    return [(r, await WorkingGroups(uow).members(r.id)) for r in rows], token


async def set_members(
    group_id: uuid.UUID,
    members: list[str],
    *,
    if_match: str | None,
    today: date,
    uow: UnitOfWork,
) -> tuple[WorkingGroup, list[str]]:
    group = await WorkingGroups(uow).get(group_id, lock=True)
    check_if_match(if_match, version=group.version)
    await _check(
        group.assembly_id,
        {"pac_codes": group.pac_codes, "ambito": group.ambito},
        members,
        today,
        uow=uow,
    )
    await WorkingGroups(uow).set_members(group_id, sorted(set(members)))
    moved = await WorkingGroups(uow).update(group_id, version=group.version + 1)
    return moved, await WorkingGroups(uow).members(group_id)
