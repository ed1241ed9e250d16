"""Repositories: the one place per aggregate that touches its table.

A use case never writes ``select`` / ``first`` / ``NotFound`` by hand: it asks the
aggregate's repository, which returns typed, immutable :class:`Record` values (so a field
misspelt where a result is used fails in mypy), raises the domain's
:class:`~common.errors.NotFound` from :meth:`Repository.get`, and pages with the shared
keyset tokens.

Why frozen dataclasses over SQLAlchemy Core rows rather than ORM classes: the services
speak Core already (the outbox, the inbox, ``COPY`` of large extracts, ``ON CONFLICT``
upserts), and ORM instances under ``asyncio`` bring lazy loads and expiry after commit,
which fail at run time far from their cause. A record is a plain value: what a query
returned, nothing that loads behind the caller's back. Each record's fields are its
table's columns by name; ``check_records`` (run by the tests) proves it for every record.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Generic, Self, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from common.db.uow import UnitOfWork
from common.errors import DomainError, Invalid, NotFound
from common.http.pagination import PageParams, keyset_page, page_of

UNIQUE_VIOLATION = "23505"


@dataclasses.dataclass(frozen=True, slots=True)
class Record:
    """A row of one table as a typed value; subclasses are frozen dataclasses whose
    fields are some or all of the table's columns."""

    @classmethod
    def from_row(cls, row: sa.Row[Any] | Mapping[str, Any]) -> Self:
        """The record of a row that holds (at least) its fields as columns, by name."""
        mapping = row._mapping if isinstance(row, sa.Row) else row
        return cls(*[mapping[name] for name in _field_names(cls)])


_FIELD_NAMES: dict[type[Record], tuple[str, ...]] = {}


def _field_names(record: type[Record]) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(record)
    if names is None:
        names = _FIELD_NAMES[record] = tuple(f.name for f in dataclasses.fields(record))
    return names


R = TypeVar("R", bound=Record)


class Repository(Generic[R]):
    """``table`` and ``record`` name the aggregate; ``key`` its identifying column
    (default ``id``); ``not_found`` the message (``{key}`` is replaced) and slug (None: the
    generic ``not-found``) of the 404 that ``get`` raises."""

    table: ClassVar[sa.Table]
    record: type[R]
    key: ClassVar[str] = "id"
    not_found: ClassVar[tuple[str, str | None]] = ("Not found.", None)

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    @property
    def session(self) -> AsyncSession:
        return self.uow.session

    def _columns(self) -> tuple[sa.ColumnElement[Any], ...]:
        return _columns_of(self.table, self.record)

    def select(self) -> sa.Select[Any]:
        """The record's columns, for a named query to narrow (statements are immutable:
        each narrowing makes a new one, so the base is built once per record)."""
        return _select_of(self.table, self.record)

    def _records(self, rows: Iterable[sa.Row[Any]]) -> list[R]:
        """Records of rows whose first columns are the record's, in order (what
        :meth:`select` and ``returning(*self._columns())`` give): by position, the cheap
        way, for lists of many rows."""
        width, record = len(self._columns()), self.record
        return [record(*row[:width]) for row in rows]

    async def one_or_none(self, stmt: sa.Select[Any] | sa.Executable) -> R | None:
        row = (await self.session.execute(stmt)).first()
        return None if row is None else self.record.from_row(row)

    async def all(self, stmt: sa.Select[Any] | sa.Executable) -> list[R]:
        return [self.record.from_row(r) for r in (await self.session.execute(stmt)).all()]

    async def find(self, key: Any, *, lock: bool = False) -> R | None:
        """The record, or None; ``lock`` holds the row for the rest of the transaction (a
        unit of reads has none to hold it in, and reads without)."""
        stmt = self.select().where(self.table.c[self.key] == key)
        locked = lock and not self.uow.read_only
        return await self.one_or_none(stmt.with_for_update() if locked else stmt)

    async def get(self, key: Any, *, lock: bool = False) -> R:
        """The record, or the aggregate's 404 (``lock`` holds the row for the rest of the
        transaction)."""
        found = await self.find(key, lock=lock)
        if found is None:
            message, slug = self.not_found
            raise NotFound(message.format(key=key), slug=slug)
        return found

    async def referenced(self, key: Any, *, lock: bool = False) -> R:
        """The record a request's body names, or a 422 with the aggregate's message: the
        URL was found, what the body points to was not."""
        found = await self.find(key, lock=lock)
        if found is None:
            message, slug = self.not_found
            raise Invalid(message.format(key=key), slug=slug or "unknown-reference")
        return found

    async def add(self, *, exists: DomainError | None = None, **values: Any) -> R:
        """Insert one row; the record as stored (server defaults included). ``exists`` is
        raised instead when a unique constraint refuses the row."""
        try:
            row = (
                await self.session.execute(
                    sa.insert(self.table).values(**values).returning(*self._columns())
                )
            ).one()
        except IntegrityError as exc:
            if exists is None or getattr(exc.orig, "sqlstate", None) != UNIQUE_VIOLATION:
                raise
            raise exists from exc
        return self.record.from_row(row)

    async def append(self, group: str, value: Any, *, seq: str = "seq", **values: Any) -> R:
        """Insert the next row of a numbered sequence within ``group`` (a case's history,
        1, 2, 3…): the number is taken in the insert itself; the caller holds the group's
        lock, and the primary key refuses a second writer that does not."""
        column = self.table.c[seq]
        number = (
            sa.select(sa.func.coalesce(sa.func.max(column), 0) + 1)
            .where(self.table.c[group] == value)
            .scalar_subquery()
        )
        return await self.add(**{group: value, seq: number}, **values)

    async def update(self, key: Any, **values: Any) -> R:
        """Change one row; the record as stored. The caller has found or locked it. A table
        with ``updated_at`` has it set to the transaction's time."""
        if "updated_at" in self.table.c and "updated_at" not in values:
            values["updated_at"] = sa.func.now()
        row = (
            await self.session.execute(
                sa.update(self.table)
                .where(self.table.c[self.key] == key)
                .values(**values)
                .returning(*self._columns())
            )
        ).one()
        return self.record.from_row(row)

    async def page(
        self,
        params: PageParams,
        *where: sa.ColumnElement[bool],
        created_at: str = "created_at",
        id: str = "id",
    ) -> tuple[list[R], str | None]:
        """One page in the order of creation, with the next page's token. The first page
        of an unfiltered list is the same statement every time: it is built once."""
        first = not where and params.page_token is None
        key = (self.table, self.record, created_at, id, params.limit)
        stmt = _FIRST_PAGES.get(key) if first else None
        if stmt is None:
            stmt = keyset_page(
                self.select().where(*where),
                created_at=self.table.c[created_at],
                id=self.table.c[id],
                params=params,
            )
            if first:
                _FIRST_PAGES[key] = stmt
        rows, token = page_of((await self.session.execute(stmt)).all(), params)
        return self._records(rows), token


_COLUMNS: dict[tuple[sa.Table, type[Record]], tuple[sa.ColumnElement[Any], ...]] = {}
_SELECTS: dict[tuple[sa.Table, type[Record]], sa.Select[Any]] = {}
_FIRST_PAGES: dict[tuple[sa.Table, type[Record], str, str, int], sa.Select[Any]] = {}


def _columns_of(table: sa.Table, record: type[Record]) -> tuple[sa.ColumnElement[Any], ...]:
    columns = _COLUMNS.get((table, record))
    if columns is None:
        columns = _COLUMNS[table, record] = tuple(table.c[n] for n in _field_names(record))
    return columns


def _select_of(table: sa.Table, record: type[Record]) -> sa.Select[Any]:
    select = _SELECTS.get((table, record))
    if select is None:
        select = _SELECTS[table, record] = sa.select(*_columns_of(table, record))
    return select


def check_records(repositories: Iterable[type[Repository[Any]]]) -> list[str]:
    """Every record field that is not a column of its repository's table: the tests call
    this for each service, so that a misspelt field fails before any query runs."""
    problems: list[str] = []
    for repository in repositories:
        columns: Sequence[str] = list(repository.table.c.keys())
        for f in dataclasses.fields(repository.record):
            if f.name not in columns:
                problems.append(
                    f"{repository.__name__}: {f.name} is not a column of {repository.table.name}"
                )
        if repository.key not in columns:
            problems.append(f"{repository.__name__}: key {repository.key} is not a column")
    return problems
