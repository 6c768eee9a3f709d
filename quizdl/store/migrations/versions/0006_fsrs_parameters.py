"""FSRS-6 parameters fitted to a profile's own log by `quizdl optimize` (JSON list of 21 numbers; NULL: the
defaults). The memory model (table `memory`, reviews.recall_before) is then replayed with them.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("profiles") as batch:
        batch.add_column(sa.Column("fsrs_parameters", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("profiles") as batch:
        batch.drop_column("fsrs_parameters")
