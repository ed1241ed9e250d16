"""Dependencies every router uses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from common.db.uow import UnitOfWork, UnitOfWorkFactory, transaction


async def request_transaction(request: Request) -> AsyncIterator[UnitOfWork]:
    """The request's transaction: committed once the route has returned and its response
    is serialised, before a byte is sent (a failed commit is the client's 5xx, never a
    2xx for a change that was lost); rolled back if the route raises."""
    async with transaction(request.app.state.uow_factory) as uow:
        yield uow


#: The unit of work of a route: ``uow: Tx``. The route never commits.
Tx = Annotated[UnitOfWork, Depends(request_transaction, scope="function")]


async def request_reads(request: Request) -> AsyncIterator[UnitOfWork]:
    """The unit of work of a route that only reads: statements on a read-only connection,
    each on its own (no ``BEGIN``/``COMMIT`` round trips); a write is refused by the
    database, an event or an after-commit callback by the unit of work."""
    async with request.app.state.read_uow_factory() as uow:
        yield uow


#: The unit of work of a route that only reads: ``uow: ReadTx``. A read that leaves a
#: trace (a personal-data read or a download recorded) takes :data:`Tx`.
ReadTx = Annotated[UnitOfWork, Depends(request_reads, scope="function")]


async def get_uow_factory(request: Request) -> UnitOfWorkFactory:
    """For work that needs a transaction of its own besides the request's (a draw's
    progress, a wrong code that must be counted although the request fails)."""
    factory: UnitOfWorkFactory = request.app.state.uow_factory
    return factory


UowFactory = Annotated[UnitOfWorkFactory, Depends(get_uow_factory)]
