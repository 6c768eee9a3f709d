"""The review log as CSV: one row per review, columns documented in docs/reports.md (CSV_COLUMNS below).

This is an export, not an aggregation: rows stream from the database straight into the writer.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TextIO

from sqlalchemy import Engine, String, case, func, select, type_coerce

from quizdl.bank.model import Bank
from quizdl.srs.sm2 import PASSING_GRADE
from quizdl.store.schema import Profile, Review

CSV_COLUMNS = (
    "review_id", "profile", "question_id", "topic", "session_id", "reviewed_at", "study_day", "kind", "grade",
    "passed", "response_ms", "typed_answer", "ef_before", "interval_before", "repetitions_before", "due_before",
    "ef_after", "interval_after", "repetitions_after", "due_after",
)  # fmt: skip
BATCH = 20_000


def utc_iso(moment: datetime) -> str:
    """A stored time as ISO-8601 UTC with a Z. SQLite hands back naive datetimes: they are UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"


def _time_column(dialect: str) -> Any:
    """reviewed_at as ISO-8601 UTC text, formatted by the database (per-row Python formatting is the slow part)."""
    if dialect == "sqlite":  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC
        return func.replace(type_coerce(Review.reviewed_at, String), " ", "T").concat("Z")
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", Review.reviewed_at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    return Review.reviewed_at


def _day_column(column: Any, dialect: str) -> Any:
    """A date column as text on SQLite (stored as ISO text already); elsewhere the driver's date, str() = ISO."""
    return type_coerce(column, String) if dialect == "sqlite" else column


def write_review_log(
    engine: Engine, out: TextIO, bank: Bank, profile_ids: list[int], since: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:  # fmt: skip
    """Write the header and one row per review of `profile_ids` (oldest first); returns the number of rows."""
    topic_of = {q.id: q.topic for q in bank.questions}
    dialect = engine.dialect.name
    query = (
        select(
            Review.id, Profile.name, Review.question_id, Review.session_id, _time_column(dialect),
            _day_column(Review.study_day, dialect), Review.kind, Review.grade,
            case((Review.grade >= PASSING_GRADE, 1), else_=0), Review.response_ms, Review.typed_answer,
            Review.ef_before, Review.interval_before, Review.repetitions_before,
            _day_column(Review.due_before, dialect), Review.ef_after, Review.interval_after,
            Review.repetitions_after, _day_column(Review.due_after, dialect),
        )
        .join(Profile, Profile.id == Review.profile_id)
        .where(Review.profile_id.in_(profile_ids))
        .order_by(Profile.name, Review.reviewed_at, Review.id)
    )  # fmt: skip
    if since is not None:
        query = query.where(Review.study_day >= since)
    writer = csv.writer(out, lineterminator="\n")  # None is written as an empty field
    writer.writerow(CSV_COLUMNS)
    written = 0
    fix_time = dialect not in ("sqlite", "postgresql")
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(query)
        for batch in result.partitions(BATCH):
            if fix_time:
                batch = [(*r[:4], utc_iso(r[4]), *r[5:]) for r in batch]
            writer.writerows((*r[:3], topic_of.get(r[2], ""), *r[3:]) for r in batch)
            written += len(batch)
            if progress is not None:
                progress(written)
    return written
