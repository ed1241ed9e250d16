"""The responses service's aggregates, each behind its repository."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from common.db.repository import Record, Repository
from responses.adapters.tables import departments


@dataclass(frozen=True, slots=True)
class Department(Record):
    id: uuid.UUID
    code: str
    name: dict[str, str]
    version: int
    created_at: datetime
    updated_at: datetime


class Departments(Repository[Department]):
    table = departments
    record = Department
    not_found = ("No department with that id.", None)


REPOSITORIES: tuple[type[Repository[Any]], ...] = (Departments,)
