"""Sessions' documents: agendas, materials and minutes, uploaded or registered by URL.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

from common.documents import create_documents_v1

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_documents_v1("deliberation")


def downgrade() -> None:
    op.drop_table("documents", schema="deliberation")
