"""Migrations: a blank database reaches the exact current schema; the fast-path constant matches alembic."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from quizdl.store.engine import HEAD_REVISION, alembic_config, current_revision

EXPECTED_COLUMNS = {
    "profiles": ["id", "name", "created_at", "fsrs_parameters", "scheduler", "desired_retention"],
    "sessions": ["id", "profile_id", "started_at", "ended_at", "mode"],
    "reviews": [
        "id", "profile_id", "session_id", "question_id", "reviewed_at", "study_day", "kind", "grade", "response_ms",
        "typed_answer", "ef_before", "interval_before", "repetitions_before", "due_before", "ef_after",
        "interval_after", "repetitions_after", "due_after", "suggested_grade", "recall_before",
    ],
    "memory": ["profile_id", "question_id", "stability", "difficulty", "last_day"],
    "plans": ["profile_id", "interview_day", "minutes_per_day", "target", "topics", "created_at"],
    "cards": ["profile_id", "question_id", "ef", "interval", "repetitions", "due", "lapses", "last_review", "introduced_on", "stability", "difficulty"],
    "alembic_version": ["version_num"],
}  # fmt: skip
EXPECTED_INDEXES = {
    "sessions": {"ix_sessions_profile_id": ["profile_id"]},
    "reviews": {
        "ix_reviews_profile_time": ["profile_id", "reviewed_at"],
        "ix_reviews_profile_question": ["profile_id", "question_id"],
        "ix_reviews_profile_day": ["profile_id", "study_day"],
    },
    "cards": {
        "ix_cards_profile_due": ["profile_id", "due"],
        "ix_cards_profile_introduced": ["profile_id", "introduced_on"],
    },
}


def test_blank_database_gets_the_exact_schema(engine: Engine) -> None:
    inspector = inspect(engine)
    assert sorted(inspector.get_table_names()) == sorted(EXPECTED_COLUMNS)
    for table, columns in EXPECTED_COLUMNS.items():
        assert [c["name"] for c in inspector.get_columns(table)] == columns, table
    for table, indexes in EXPECTED_INDEXES.items():
        found = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes(table)}
        assert found == indexes, table
    assert inspector.get_pk_constraint("cards")["constrained_columns"] == ["profile_id", "question_id"]
    assert {fk["referred_table"] for fk in inspector.get_foreign_keys("reviews")} == {"profiles", "sessions"}
    assert current_revision(engine) == HEAD_REVISION


def test_head_constant_matches_the_newest_revision() -> None:
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == HEAD_REVISION


def test_reopening_is_a_no_op(db_url: str) -> None:
    from quizdl.store.engine import open_engine

    for _ in range(2):
        eng = open_engine(db_url)
        assert current_revision(eng) == HEAD_REVISION
        eng.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from quizdl.store.engine import open_engine

    eng = open_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    eng.dispose()
