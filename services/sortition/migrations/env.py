from common.db.migrations import run_migrations
from sortition.adapters.tables import SCHEMA, metadata
from sortition.config import SortitionSettings

run_migrations(
    metadata=metadata, schema=SCHEMA, default_url=lambda: SortitionSettings().sqlalchemy_url
)
