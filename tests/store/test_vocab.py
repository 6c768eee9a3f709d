"""One vocabulary per stored value: the database admits exactly quizdl.vocab's values, nothing else."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, insert, inspect
from sqlalchemy.exc import IntegrityError

from quizdl.store import repo
from quizdl.store.schema import Review, StudySession
from quizdl.vocab import ReviewKind, SessionMode, sql_in

T0 = datetime(2026, 1, 1, 9, tzinfo=UTC)


def _review(pid: int, kind: str, grade: int = 4) -> dict[str, object]:
    return {
        "profile_id": pid, "session_id": None, "question_id": "q", "reviewed_at": T0, "study_day": date(2026, 1, 1),
        "kind": kind, "grade": grade, "response_ms": 1, "typed_answer": None, "ef_before": 2.5,
        "interval_before": 0, "repetitions_before": 0, "due_before": None, "ef_after": 2.5, "interval_after": 0,
        "repetitions_after": 0, "due_after": None,
    }  # fmt: skip


def test_every_vocabulary_value_can_be_stored(engine: Engine) -> None:
    pid = repo.ensure_profile(engine, "ana", T0)
    with engine.begin() as conn:
        for mode in SessionMode:
            conn.execute(insert(StudySession).values(profile_id=pid, started_at=T0, mode=mode))
        for kind in ReviewKind:
            conn.execute(insert(Review).values(**_review(pid, kind)))


@pytest.mark.parametrize(
    ("table", "values"),
    [
        ("sessions", {"mode": "review"}),  # the legacy spelling is normalised by migration 0003, never stored
        ("sessions", {"mode": "Scheduled"}),
        ("reviews", {"kind": "learn"}),  # not a kind: a new kind needs a migration (0005 added 'prep')
        ("reviews", {"grade": 6}),
        ("reviews", {"grade": -1}),
    ],
)
def test_a_value_outside_the_vocabulary_cannot_be_stored(engine: Engine, table: str, values: dict[str, object]) -> None:
    pid = repo.ensure_profile(engine, "ana", T0)
    row = {"profile_id": pid, "started_at": T0, "mode": "scheduled"} if table == "sessions" else _review(pid, "cram")
    target = StudySession if table == "sessions" else Review
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(target).values(**{**row, **values}))


def test_the_migrated_constraints_are_the_models(engine: Engine) -> None:
    """Migrations 0003 and 0005 write their values out (a frozen snapshot); they must equal the vocabulary's."""
    inspector = inspect(engine)
    found = {
        c["name"]: " ".join(c["sqltext"].split())
        for t in ("sessions", "reviews")
        for c in inspector.get_check_constraints(t)
    }
    normal = {name: text.replace("(", "").replace(")", "").replace("::text", "").replace("ARRAY[", "").replace("]", "")
              for name, text in found.items()}  # fmt: skip
    for name, column, vocab in (("ck_sessions_mode", "mode", SessionMode), ("ck_reviews_kind", "kind", ReviewKind)):
        for value in vocab:
            assert f"'{value}'" in normal[name], (name, found[name])
        assert normal[name].count("'") == 2 * len(vocab), (name, found[name])
        assert sql_in(column, vocab).startswith(f"{column} IN")
    assert "ck_reviews_grade" in found
