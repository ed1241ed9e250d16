"""Use cases for the Comune's departments."""

from __future__ import annotations

import uuid

from common.db import UnitOfWork
from common.errors import Conflict
from common.http.pagination import PageParams
from responses.adapters.repositories import Department, Departments


async def add_department(code: str, name: dict[str, str], *, uow: UnitOfWork) -> Department:
    return await Departments(uow).add(
        id=uuid.uuid4(),
        code=code,
        name=name,
        version=1,
        exists=Conflict(f"A department with code {code} exists.", slug="department-exists"),
    )


async def get_department(department_id: uuid.UUID, *, uow: UnitOfWork) -> Department:
    return await Departments(uow).get(department_id)


async def list_departments(
    params: PageParams, *, uow: UnitOfWork
) -> tuple[list[Department], str | None]:
    return await Departments(uow).page(params)
