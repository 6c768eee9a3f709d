"""The database schema (SQLAlchemy 2.x). Alembic revisions in migrations/ create and change it.

`reviews` is the log and the source of truth; `cards` is a cache of the scheduler state that
`quizdl db rebuild` can always recompute from it by replaying the scheduled reviews through SM-2.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from quizdl.vocab import MAX_PROFILE_NAME, MAX_QUESTION_ID, ReviewKind, SchedulerName, SessionMode, sql_in


class Base(DeclarativeBase):
    pass


class Profile(Base):
    __tablename__ = "profiles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_PROFILE_NAME), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    fsrs_parameters: Mapped[str | None] = mapped_column(Text)  # JSON: fitted by `quizdl optimize`; NULL: defaults
    scheduler: Mapped[str] = mapped_column(String(8), server_default="sm2")  # a SchedulerName
    desired_retention: Mapped[float] = mapped_column(Float, server_default="0.9")  # FSRS's target recall

    __table_args__ = (
        CheckConstraint(sql_in("scheduler", SchedulerName), name="ck_profiles_scheduler"),
        CheckConstraint("desired_retention > 0 AND desired_retention < 1", name="ck_profiles_retention"),
    )


class StudySession(Base):
    __tablename__ = "sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    mode: Mapped[str] = mapped_column(String(16))  # a SessionMode

    __table_args__ = (CheckConstraint(sql_in("mode", SessionMode), name="ck_sessions_mode"),)


class Review(Base):
    """One answer: append-only, except that `u` (undo) in the same session deletes the row it undoes."""

    __tablename__ = "reviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"))
    question_id: Mapped[str] = mapped_column(String(MAX_QUESTION_ID))
    reviewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # UTC
    study_day: Mapped[date] = mapped_column(Date)  # the learner's local day (after the roll-over hour)
    kind: Mapped[str] = mapped_column(String(16))  # a ReviewKind
    grade: Mapped[int] = mapped_column(Integer)
    response_ms: Mapped[int | None] = mapped_column(Integer)
    typed_answer: Mapped[str | None] = mapped_column(Text)
    ef_before: Mapped[float] = mapped_column(Float)
    interval_before: Mapped[int] = mapped_column(Integer)
    repetitions_before: Mapped[int] = mapped_column(Integer)
    due_before: Mapped[date | None] = mapped_column(Date)
    ef_after: Mapped[float] = mapped_column(Float)
    interval_after: Mapped[int] = mapped_column(Integer)
    repetitions_after: Mapped[int] = mapped_column(Integer)
    due_after: Mapped[date | None] = mapped_column(Date)
    suggested_grade: Mapped[int | None] = mapped_column(Integer)  # what quizdl suggested; NULL: none
    # The memory model's predicted recall just before this answer (NULL for a card's first answer): the log
    # carries what was predicted, so calibration is one pass over it. `db rebuild` recomputes it.
    recall_before: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("ix_reviews_profile_time", "profile_id", "reviewed_at"),
        Index("ix_reviews_profile_question", "profile_id", "question_id"),
        Index("ix_reviews_profile_day", "profile_id", "study_day"),
        CheckConstraint(sql_in("kind", ReviewKind), name="ck_reviews_kind"),
        CheckConstraint("grade BETWEEN 0 AND 5", name="ck_reviews_grade"),
    )


class Memory(Base):
    """FSRS memory state per (profile, question) after every answer of any kind: derivable from `reviews`."""

    __tablename__ = "memory"
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(MAX_QUESTION_ID), primary_key=True)
    stability: Mapped[float] = mapped_column(Float)
    difficulty: Mapped[float] = mapped_column(Float)
    last_day: Mapped[date] = mapped_column(Date)


class Plan(Base):
    """A profile's interview plan (at most one): the date, the daily budget, the target and the topics."""

    __tablename__ = "plans"
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id"), primary_key=True)
    interview_day: Mapped[date] = mapped_column(Date)
    minutes_per_day: Mapped[int] = mapped_column(Integer)
    target: Mapped[float] = mapped_column(Float)
    topics: Mapped[str | None] = mapped_column(Text)  # JSON list of topic ids; NULL: the whole bank
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("minutes_per_day BETWEEN 1 AND 1440", name="ck_plans_minutes"),
        CheckConstraint("target > 0 AND target < 1", name="ck_plans_target"),
    )


class Card(Base):
    """Current SM-2 state per (profile, question): derivable from `reviews`."""

    __tablename__ = "cards"
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id"), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(MAX_QUESTION_ID), primary_key=True)
    ef: Mapped[float] = mapped_column(Float)
    interval: Mapped[int] = mapped_column(Integer)
    repetitions: Mapped[int] = mapped_column(Integer)
    due: Mapped[date] = mapped_column(Date)
    lapses: Mapped[int] = mapped_column(Integer)
    last_review: Mapped[date] = mapped_column(Date)
    introduced_on: Mapped[date] = mapped_column(Date)  # first scheduled review: counts against new/day
    stability: Mapped[float | None] = mapped_column(Float)  # FSRS scheduling state (fsrs scheduler); NULL: SM-2
    difficulty: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index("ix_cards_profile_due", "profile_id", "due"),
        Index("ix_cards_profile_introduced", "profile_id", "introduced_on"),
    )
