"""Dependencies every router uses."""

from __future__ import annotations

from fastapi import Request

from common.db.uow import UnitOfWork


def get_uow(request: Request) -> UnitOfWork:
    """A fresh unit of work; the route opens it with ``async with``."""
    uow: UnitOfWork = request.app.state.uow_factory()
    return uow
