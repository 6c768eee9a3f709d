"""Initial schema: profiles, sessions, the review log and card states.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("profile_id", sa.Integer(), sa.ForeignKey("profiles.id"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mode", sa.String(16), nullable=False),
    )
    op.create_index("ix_sessions_profile_id", "sessions", ["profile_id"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("profile_id", sa.Integer(), sa.ForeignKey("profiles.id"), nullable=False),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("sessions.id"), nullable=True),
        sa.Column("question_id", sa.String(200), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("study_day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("response_ms", sa.Integer(), nullable=True),
        sa.Column("typed_answer", sa.Text(), nullable=True),
        sa.Column("ef_before", sa.Float(), nullable=False),
        sa.Column("interval_before", sa.Integer(), nullable=False),
        sa.Column("repetitions_before", sa.Integer(), nullable=False),
        sa.Column("due_before", sa.Date(), nullable=True),
        sa.Column("ef_after", sa.Float(), nullable=False),
        sa.Column("interval_after", sa.Integer(), nullable=False),
        sa.Column("repetitions_after", sa.Integer(), nullable=False),
        sa.Column("due_after", sa.Date(), nullable=True),
    )
    op.create_index("ix_reviews_profile_time", "reviews", ["profile_id", "reviewed_at"])
    op.create_index("ix_reviews_profile_question", "reviews", ["profile_id", "question_id"])
    op.create_table(
        "cards",
        sa.Column("profile_id", sa.Integer(), sa.ForeignKey("profiles.id"), primary_key=True),
        sa.Column("question_id", sa.String(200), primary_key=True),
        sa.Column("ef", sa.Float(), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("repetitions", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("lapses", sa.Integer(), nullable=False),
        sa.Column("last_review", sa.Date(), nullable=False),
        sa.Column("introduced_on", sa.Date(), nullable=False),
    )
    op.create_index("ix_cards_profile_due", "cards", ["profile_id", "due"])
    op.create_index("ix_cards_profile_introduced", "cards", ["profile_id", "introduced_on"])


def downgrade() -> None:
    op.drop_table("cards")
    op.drop_table("reviews")
    op.drop_table("sessions")
    op.drop_table("profiles")
