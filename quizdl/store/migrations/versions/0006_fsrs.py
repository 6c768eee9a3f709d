"""FSRS as an opt-in scheduler, per profile.

- profiles.scheduler: 'sm2' (the default) or 'fsrs'; profiles.desired_retention: FSRS's target (0.9);
  profiles.fsrs_parameters: parameters fitted by `quizdl optimize` (JSON list of 21 numbers; NULL: defaults).
- cards.stability, cards.difficulty: the FSRS scheduling state of a card under the fsrs scheduler (NULL under
  SM-2). Like every card column they are derived from the log: switching scheduler replays it.

The vocabulary is written out here, not imported from quizdl.vocab: a migration is a frozen snapshot.

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
        batch.add_column(sa.Column("scheduler", sa.String(8), nullable=False, server_default="sm2"))
        batch.add_column(sa.Column("desired_retention", sa.Float(), nullable=False, server_default="0.9"))
        batch.create_check_constraint("ck_profiles_scheduler", "scheduler IN ('sm2', 'fsrs')")
        batch.create_check_constraint("ck_profiles_retention", "desired_retention > 0 AND desired_retention < 1")
    with op.batch_alter_table("cards") as batch:
        batch.add_column(sa.Column("stability", sa.Float(), nullable=True))
        batch.add_column(sa.Column("difficulty", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cards") as batch:
        batch.drop_column("difficulty")
        batch.drop_column("stability")
    with op.batch_alter_table("profiles") as batch:
        batch.drop_constraint("ck_profiles_retention", type_="check")
        batch.drop_constraint("ck_profiles_scheduler", type_="check")
        batch.drop_column("desired_retention")
        batch.drop_column("scheduler")
        batch.drop_column("fsrs_parameters")
