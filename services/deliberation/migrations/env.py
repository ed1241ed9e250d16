from common.db.migrations import run_migrations
from deliberation.adapters.tables import SCHEMA, metadata
from deliberation.config import DeliberationSettings

run_migrations(
    metadata=metadata, schema=SCHEMA, default_url=lambda: DeliberationSettings().sqlalchemy_url
)
