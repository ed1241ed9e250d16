"""The unit of work owns the transaction and writes collected events to the outbox."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from common.db.platform_tables import PlatformTables
from common.events.envelope import Event


class UnitOfWork:
    """``async with uow: ...; await uow.commit()``. Anything not committed is rolled back.

    Events passed to :meth:`emit` are written to the outbox in the same transaction as the
    change, and the outbox relay is woken by ``NOTIFY`` once the transaction commits.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        tables: PlatformTables,
        source: str,
    ) -> None:
        self._sessionmaker = sessionmaker
        self.tables = tables
        self.source = source
        self._session: AsyncSession | None = None
        self._events: list[Event] = []

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside 'async with'")
        return self._session

    async def __aenter__(self) -> Self:
        self._session = self._sessionmaker()
        self._events = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        try:
            await session.rollback()
        finally:
            await session.close()
            self._events = []

    def emit(self, type: str, data: dict[str, Any], *, subject: str | None = None) -> Event:
        """Record an event to publish if, and only if, this unit of work commits."""
        from common.tracing import current_traceparent

        event = Event(
            source=f"/{self.source}",
            type=type,
            subject=subject,
            data=data,
            traceparent=current_traceparent(),
        )
        self._events.append(event)
        return event

    async def commit(self) -> None:
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


UnitOfWorkFactory = Callable[[], UnitOfWork]


def uow_factory(engine: AsyncEngine, *, tables: PlatformTables, source: str) -> UnitOfWorkFactory:
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    return lambda: UnitOfWork(sessionmaker, tables=tables, source=source)
