"""The table of commitments is called so (it was ``draws``, a word that names the panel
draw and the invitation draw too), and its count of panels ``uniform_panels`` (it was
``transparent``).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "sortition"


def upgrade() -> None:
    op.rename_table("draws", "commitments", schema=SCHEMA)
    op.alter_column("commitments", "transparent", new_column_name="uniform_panels", schema=SCHEMA)
    op.execute(f"ALTER INDEX {SCHEMA}.pk_draws RENAME TO pk_commitments")


def downgrade() -> None:
    op.execute(f"ALTER INDEX {SCHEMA}.pk_commitments RENAME TO pk_draws")
    op.alter_column("commitments", "uniform_panels", new_column_name="transparent", schema=SCHEMA)
    op.rename_table("commitments", "draws", schema=SCHEMA)
