"""A rotation may have a number of cohorts in all (the 2022–23 pilot had two); a round
knows when sortition committed to its pool, which closes registration; what operators
type about a person (a transition's or an erasure's reason) is sealed like the other
personal fields.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "membership"


def upgrade() -> None:
    op.add_column("assemblies", sa.Column("cohorts", sa.Integer), schema=SCHEMA)
    op.add_column("rounds", sa.Column("committed_at", sa.DateTime(timezone=True)), schema=SCHEMA)
    for table in ("transitions", "personal_data_reads"):
        op.add_column(table, sa.Column("note_sealed", sa.Text), schema=SCHEMA)
        op.add_column(table, sa.Column("key_id", sa.Text), schema=SCHEMA)
    # Erasure reasons typed by operators until now: no longer shown in the record of reads.
    op.execute(
        "UPDATE membership.personal_data_reads SET action = 'erase' "
        "WHERE action LIKE 'erase: %' AND action <> 'erase: retention period over'"
    )


def downgrade() -> None:
    for table in ("transitions", "personal_data_reads"):
        op.drop_column(table, "key_id", schema=SCHEMA)
        op.drop_column(table, "note_sealed", schema=SCHEMA)
    op.drop_column("rounds", "committed_at", schema=SCHEMA)
    op.drop_column("assemblies", "cohorts", schema=SCHEMA)
