"""Every repository's record names columns of its table, in every service."""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any

import pytest
import sqlalchemy as sa

from common.db.repository import Record, Repository, check_records

SERVICES = ["sortition", "membership", "deliberation", "responses"]


@pytest.mark.parametrize("service", SERVICES)
def test_each_record_field_is_a_column_of_its_table(service):
    repositories = importlib.import_module(f"{service}.adapters.repositories").REPOSITORIES
    assert repositories, f"{service} declares no repositories"
    assert check_records(repositories) == []


def test_a_misspelt_field_is_found():
    table = sa.Table("things", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))

    @dataclasses.dataclass(frozen=True, slots=True)
    class Thing(Record):
        idd: int

    class Things(Repository[Any]):
        pass

    Things.table, Things.record = table, Thing
    assert check_records([Things]) == ["Things: idd is not a column of things"]
