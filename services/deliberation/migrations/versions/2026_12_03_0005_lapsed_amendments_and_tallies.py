"""Amendments lapse when another one changes the version they target; a show of hands
records when its tally was taken, so that a vote is never closed on counts nobody took.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "deliberation"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_amendments_state"), "amendments", schema=SCHEMA, type_="check")
    op.create_check_constraint(
        op.f("ck_amendments_state"),
        "amendments",
        "state IN ('proposed', 'voting', 'accepted', 'rejected', 'withdrawn', 'lapsed')",
        schema=SCHEMA,
    )
    op.add_column(
        "votes", sa.Column("tallied_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_column("votes", "tallied_at", schema=SCHEMA)
    op.execute(f"UPDATE {SCHEMA}.amendments SET state = 'withdrawn' WHERE state = 'lapsed'")
    op.drop_constraint(op.f("ck_amendments_state"), "amendments", schema=SCHEMA, type_="check")
    op.create_check_constraint(
        op.f("ck_amendments_state"),
        "amendments",
        "state IN ('proposed', 'voting', 'accepted', 'rejected', 'withdrawn')",
        schema=SCHEMA,
    )
