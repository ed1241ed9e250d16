"""Cases' documents: technical opinions, formal acts, attachments of answers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

from common.documents import create_documents_v1

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_documents_v1("responses")


def downgrade() -> None:
    op.drop_table("documents", schema="responses")
