"""One vocabulary for session modes and review kinds, enforced by CHECK constraints.

The quiz has always written session mode 'scheduled' (and 'cram'), while the progress-file reader only
knew 'review' and 'cram', so no backup of an ordinary session could be restored. 'scheduled' is the
canonical spelling (every database written by a session already holds it); a legacy 'review' row, which
only a hand-made import could have stored, is normalised to it before the constraint is added.

The values are written out here, not imported from quizdl.vocab: a migration is a frozen snapshot.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE sessions SET mode = 'scheduled' WHERE mode = 'review'")
    with op.batch_alter_table("sessions") as batch:
        batch.create_check_constraint("ck_sessions_mode", "mode IN ('scheduled', 'cram')")
    with op.batch_alter_table("reviews") as batch:
        batch.create_check_constraint("ck_reviews_kind", "kind IN ('scheduled', 'redrill', 'cram')")
        batch.create_check_constraint("ck_reviews_grade", "grade BETWEEN 0 AND 5")


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_constraint("ck_reviews_grade", type_="check")
        batch.drop_constraint("ck_reviews_kind", type_="check")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_constraint("ck_sessions_mode", type_="check")
