"""Index the review log by study day: today's re-drills, streaks and per-day report figures read it.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_reviews_profile_day", "reviews", ["profile_id", "study_day"])


def downgrade() -> None:
    op.drop_index("ix_reviews_profile_day", table_name="reviews")
