"""Use cases for the Comune's departments: its Direzioni and Assessorati."""

from __future__ import annotations

import uuid

from common.db import UnitOfWork
from common.errors import Conflict, Invalid
from common.http.pagination import PageParams
from responses.adapters.repositories import Department, Departments

MAX_ROWS = 2000


async def add_department(
    code: str, name: dict[str, str], kind: str = "direzione", *, uow: UnitOfWork
) -> Department:
    return await Departments(uow).add(
        id=uuid.uuid4(),
        code=code,
        name=name,
        kind=kind,
        version=1,
        exists=Conflict(f"A department with code {code} exists.", slug="department-exists"),
    )


async def get_department(department_id: uuid.UUID, *, uow: UnitOfWork) -> Department:
    return await Departments(uow).get(department_id)


async def list_departments(
    params: PageParams, *, uow: UnitOfWork
) -> tuple[list[Department], str | None]:
    return await Departments(uow).page(params)


async def import_departments(
    rows: list[tuple[str, dict[str, str], str]], *, uow: UnitOfWork
) -> dict[str, int]:
    """All or nothing: no code twice; new codes are added, known ones renamed."""
    if not rows:
        raise Invalid("The import holds no department.", slug="empty-import")
    if len(rows) > MAX_ROWS:
        raise Invalid(f"At most {MAX_ROWS} departments at once.", slug="import-too-large")
    codes = [code for code, _, _ in rows]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise Invalid(f"Codes given twice: {', '.join(twice)}.", slug="duplicate-code")
    known = {d.code for d in await Departments(uow).by_codes(codes)}
    changed = 0
    for code, name, kind in rows:
        if await Departments(uow).upsert(code, name, kind):
            changed += 1
    created = len([c for c in codes if c not in known])
    return {"created": created, "updated": changed - created, "unchanged": len(codes) - changed}
