"""The unit of work holds a transaction and writes collected events to the outbox.

One rule for who commits: the caller that opened the transaction, never a use case.
:func:`transaction` is the only way to own one: a request owns one through
:data:`common.http.deps.Tx`, a consumer one per event (:func:`common.events.consumer.apply_once`),
a job one per batch. Use cases take the open :class:`UnitOfWork` and never commit, so that
a route and a consumer can call the same use case and it composes inside their transaction.
A failed request whose writes must stay (a wrong code counted against its client) raises
:class:`~common.errors.FailAfterCommit`; progress that others must see while long work
runs (a draw, an upload) is written in transactions of its own, opened with
:func:`transaction`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from types import TracebackType
from typing import Self

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from common.db.platform_tables import PlatformTables
from common.errors import FailAfterCommit
from common.events.contracts import Contract
from common.events.envelope import Event

AfterCommit = Callable[[], Awaitable[None] | None]


class UnitOfWork:
    """One transaction. Anything not committed is rolled back when the block ends.

    Events passed to :meth:`emit` are written to the outbox in the same transaction as the
    change, and the outbox relay is woken by ``NOTIFY`` once the transaction commits.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        tables: PlatformTables,
        source: str,
        read_only: bool = False,
    ) -> None:
        self._sessionmaker = sessionmaker
        self.tables = tables
        self.source = source
        #: A unit of reads (:data:`common.http.deps.ReadTx`): it emits nothing and the
        #: database refuses its writes.
        self.read_only = read_only
        self._session: AsyncSession | None = None
        self._events: list[Event] = []
        self._after_commit: list[AfterCommit] = []

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside 'async with'")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._sessionmaker()
        self._events = []
        self._after_commit = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        try:
            await session.close()  # rolls back whatever was not committed
        finally:
            self._events = []
            self._after_commit = []

    def emit(self, data: Contract, *, subject: str | None = None) -> Event:
        """Record an event to publish if, and only if, this unit of work commits."""
        from common.tracing import current_traceparent

        self._refuse_in_reads("emit an event")
        event = Event(
            source=f"/{self.source}",
            type=data.TYPE,
            subject=subject,
            data=data.model_dump(mode="json"),
            traceparent=current_traceparent(),
        )
        self._events.append(event)
        return event

    def after_commit(self, callback: AfterCommit) -> None:
        """Run ``callback`` once the transaction has committed (not if it rolls back):
        where work started by a change (a background export) must see the change."""
        self._refuse_in_reads("run work after a commit")
        self._after_commit.append(callback)

    def _refuse_in_reads(self, what: str) -> None:
        if self.read_only:
            raise RuntimeError(f"a unit of reads cannot {what}: take Tx, not ReadTx")

    async def commit(self) -> None:
        """Called by :func:`transaction` only."""
        session = self.session
        if self._events:
            await session.execute(
                sa.insert(self.tables.outbox),
                [
                    {"id": e.id, "type": e.type, "envelope": e.model_dump(mode="json")}
                    for e in self._events
                ],
            )
            await session.execute(sa.select(sa.func.pg_notify(self.tables.notify_channel, "")))
            self._events = []
        await session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            result = callback()
            if result is not None:
                await result


UnitOfWorkFactory = Callable[[], UnitOfWork]


def uow_factory(
    engine: AsyncEngine, *, tables: PlatformTables, source: str, read_only: bool = False
) -> UnitOfWorkFactory:
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    return lambda: UnitOfWork(sessionmaker, tables=tables, source=source, read_only=read_only)


@contextlib.asynccontextmanager
async def transaction(factory: UnitOfWorkFactory) -> AsyncIterator[UnitOfWork]:
    """``async with transaction(factory) as uow:`` commits when the block ends normally and
    rolls back when it raises (but for :class:`~common.errors.FailAfterCommit`, which
    commits, then raises its error): the one place where a transaction is committed."""
    async with factory() as uow:
        try:
            yield uow
        except FailAfterCommit as failure:
            await uow.commit()
            raise failure.error from None
        await uow.commit()
