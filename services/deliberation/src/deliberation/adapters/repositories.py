"""The deliberation service's aggregates, each behind its repository."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from common.db.repository import Record, Repository
from deliberation.adapters.tables import pac_actions


@dataclass(frozen=True, slots=True)
class PacAction(Record):
    id: uuid.UUID
    code: str
    ambito: int
    title: dict[str, str]
    version: int
    created_at: datetime
    updated_at: datetime


class PacActions(Repository[PacAction]):
    table = pac_actions
    record = PacAction
    key = "code"
    not_found = ("No PAC action {key}.", None)


REPOSITORIES: tuple[type[Repository[Any]], ...] = (PacActions,)
