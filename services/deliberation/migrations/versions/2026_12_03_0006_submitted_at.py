"""When a proposal was submitted (until then it is its working group's, not public); and
the amendments that an accepted one left waiting on an older version lapse now, as new
ones do since 0005.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "deliberation"


def upgrade() -> None:
    op.add_column(
        "proposals",
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        schema=SCHEMA,
    )
    # Past the draft, or withdrawn after amendments or votes: it was submitted. The exact
    # moment was not kept; its last change is the closest record there is.
    op.execute(
        f"""
        UPDATE {SCHEMA}.proposals p SET submitted_at = p.updated_at
        WHERE p.state IN ('submitted', 'voting', 'adopted', 'rejected')
           OR (p.state = 'withdrawn' AND (
                EXISTS (SELECT 1 FROM {SCHEMA}.amendments a WHERE a.proposal_id = p.id)
             OR EXISTS (SELECT 1 FROM {SCHEMA}.votes v WHERE v.proposal_id = p.id)))
        """
    )
    op.execute(
        f"""
        UPDATE {SCHEMA}.amendments a SET state = 'lapsed', version = a.version + 1
        FROM {SCHEMA}.proposals p
        WHERE a.proposal_id = p.id AND a.state = 'proposed'
          AND (a.target_version < p.current_version OR p.state <> 'submitted')
        """
    )


def downgrade() -> None:
    op.drop_column("proposals", "submitted_at", schema=SCHEMA)
