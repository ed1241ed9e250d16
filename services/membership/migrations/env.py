from common.db.migrations import run_migrations
from membership.adapters.tables import SCHEMA, metadata
from membership.config import MembershipSettings

run_migrations(
    metadata=metadata, schema=SCHEMA, default_url=lambda: MembershipSettings().sqlalchemy_url
)
