"""Database plumbing: one schema per service, an async engine, and the unit of work."""

from common.db.engine import create_engine, created_at, metadata_for, updated_at
from common.db.platform_tables import PlatformTables
from common.db.uow import UnitOfWork, UnitOfWorkFactory, transaction, uow_factory

__all__ = [
    "PlatformTables",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "create_engine",
    "created_at",
    "metadata_for",
    "transaction",
    "uow_factory",
    "updated_at",
]
