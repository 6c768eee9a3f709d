"""After the reveal quizdl suggests a grade from the key points covered; Enter takes it, and it is logged."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from quizdl.feedback import suggest_grade
from quizdl.store.schema import Review
from tests.cli.helpers import TOPIC, write_bank
from tests.conftest import invoke

NOW = {"QUIZDL_NOW": "2026-03-03T10:00:00+00:00"}


def test_the_suggestion_follows_coverage() -> None:
    assert suggest_grade([True, True, True, True], "x") == 5
    assert suggest_grade([True, True, True, False], "x") == 4
    assert suggest_grade([True, True, False, False], "x") == 3
    assert suggest_grade([True, False, False, False], "x") == 2
    assert suggest_grade([False, False, False], "x") == 1
    assert suggest_grade([True, True], "  ") is None  # nothing typed: nothing to measure


def logged(db: str) -> list[tuple[str, int, int | None]]:
    engine = create_engine(db)
    with engine.connect() as conn:
        rows = conn.execute(select(Review.question_id, Review.grade, Review.suggested_grade).order_by(Review.id))
        out = [tuple(r) for r in rows]
    engine.dispose()
    return out  # type: ignore[return-value]


def test_enter_takes_the_suggestion_and_a_digit_overrides_it(runner: CliRunner, tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank", n=3)
    db = f"sqlite:///{tmp_path / 's.db'}"
    # t1: both key points typed -> suggested 5, Enter takes it; t2: one of two -> suggested 3, overridden by 4;
    # t3: nothing typed -> no suggestion: Enter is refused with a notice, then 5
    stdin = "gradients flow, point 1\n\n\ngradients flow\n\n4\n\n\n5\n"
    result = invoke(runner, ["quiz", "--db", db, "--bank", str(bank), "--topic", TOPIC], input=stdin, env=NOW)
    assert result.exit_code == 0, result.output
    assert "Enter = 5 (suggested)" in result.output and "Enter = 3 (suggested)" in result.output
    assert "no grade to suggest" in result.output
    assert logged(db) == [("t1", 5, 5), ("t2", 4, 3), ("t3", 5, None)]
