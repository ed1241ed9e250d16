from common.db.migrations import run_migrations
from responses.adapters.tables import SCHEMA, metadata
from responses.config import ResponsesSettings

run_migrations(
    metadata=metadata, schema=SCHEMA, default_url=lambda: ResponsesSettings().sqlalchemy_url
)
