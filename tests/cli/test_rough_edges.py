"""Rough edges a newcomer met (issue 12): version, grade legend, what is left today, stats at 80 columns,
and the position counter after an undo."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from quizdl import __version__
from tests.cli.helpers import TOPIC, script, write_bank
from tests.conftest import invoke

NOW = {"QUIZDL_NOW": "2026-03-03T10:00:00+00:00"}


def quiz(runner: CliRunner, bank: Path, stdin: str, *extra: str):  # type: ignore[no-untyped-def]
    result = invoke(runner, ["quiz", "--bank", str(bank), "--topic", TOPIC, *extra], input=stdin, env=NOW)
    assert result.exit_code == 0, result.output
    return result


def test_version(runner: CliRunner) -> None:
    result = invoke(runner, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"quizdl {__version__}"


def test_the_grade_line_says_what_each_grade_means(runner: CliRunner, tmp_path: Path) -> None:
    result = quiz(runner, write_bank(tmp_path / "bank", n=1), script(("", "5")))
    assert "0 blank" in result.output and "3 hard" in result.output and "5 perfect" in result.output


def test_the_counter_has_no_phantom_card_after_an_undo(runner: CliRunner, tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank", n=2)
    # t1 graded 2 (a re-drill is owed: 1/3), undone (back to two cards), then 5 and 5
    result = quiz(runner, bank, script(("", "2"), ("", "u"), ("", "5"), ("", "5")))
    after_undo = result.output.split("Grade:")[2]
    assert "1/2" in after_undo and "/3" not in after_undo, result.output


def test_the_summary_says_what_is_left_today(runner: CliRunner, tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank", n=4)
    result = quiz(runner, bank, script(("", "5"), ("", "s"), ("", "q")))
    assert "Next due: today (2 new cards, 1 skipped left)" in result.output, result.output
    done = quiz(runner, bank, script(*[("", "5")] * 3), "--new", "4")
    assert "Next due: tomorrow" in done.output, done.output


def test_stats_fits_80_columns_with_whole_topic_names(runner: CliRunner, tmp_path: Path) -> None:
    quiz(runner, write_bank(tmp_path / "bank", n=1), script(("", "5")))
    result = invoke(runner, ["stats"], env={**NOW, "COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert max(len(line.rstrip()) for line in result.output.splitlines()) <= 80
    for topic in ("large-language-models", "attention-transformers", "reinforcement-learning"):
        assert topic in result.output
