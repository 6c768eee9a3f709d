"""The interview plan: a `plans` table, the `prep` review kind, and the FSRS memory model's cache.

`memory` holds each card's FSRS memory state after its latest answer and `reviews.recall_before` the recall
the model predicted just before each answer. Both are derived from the log: after this revision the store
fills them by replaying it (quizdl.store.engine.upgrade), as `db rebuild` does.

The vocabulary is written out here, not imported from quizdl.vocab: a migration is a frozen snapshot.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_constraint("ck_reviews_kind", type_="check")
        batch.create_check_constraint("ck_reviews_kind", "kind IN ('scheduled', 'redrill', 'cram', 'prep')")
        batch.add_column(sa.Column("recall_before", sa.Float(), nullable=True))
    op.create_table(
        "memory",
        sa.Column("profile_id", sa.Integer(), sa.ForeignKey("profiles.id"), primary_key=True),
        sa.Column("question_id", sa.String(200), primary_key=True),
        sa.Column("stability", sa.Float(), nullable=False),
        sa.Column("difficulty", sa.Float(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
    )
    op.create_table(
        "plans",
        sa.Column("profile_id", sa.Integer(), sa.ForeignKey("profiles.id"), primary_key=True),
        sa.Column("interview_day", sa.Date(), nullable=False),
        sa.Column("minutes_per_day", sa.Integer(), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("topics", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("minutes_per_day BETWEEN 1 AND 1440", name="ck_plans_minutes"),
        sa.CheckConstraint("target > 0 AND target < 1", name="ck_plans_target"),
    )


def downgrade() -> None:
    op.drop_table("plans")
    op.drop_table("memory")
    op.execute("DELETE FROM reviews WHERE kind = 'prep'")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("recall_before")
        batch.drop_constraint("ck_reviews_kind", type_="check")
        batch.create_check_constraint("ck_reviews_kind", "kind IN ('scheduled', 'redrill', 'cram')")
