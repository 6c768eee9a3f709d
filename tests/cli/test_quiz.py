"""Whole quiz sessions driven through stdin, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.cli.helpers import TOPIC, cards, reviews, script, write_bank
from tests.conftest import invoke

DAY1 = "2026-03-02T09:00:00+00:00"
DAY2 = "2026-03-03T09:00:00+00:00"


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    return write_bank(tmp_path / "bank")


def quiz(runner: CliRunner, db_url: str, bank: Path, now: str, stdin: str, *extra: str):  # type: ignore[no-untyped-def]
    args = ["quiz", "--db", db_url, "--bank", str(bank), "--topic", TOPIC, *extra]
    return invoke(runner, args, input=stdin, env={"QUIZDL_NOW": now})


def test_a_whole_session_with_redrills(runner: CliRunner, db_url: str, bank: Path) -> None:
    stdin = script(("gradients flow fast", "5"), ("", "2"), ("", "4"), ("", "3"), ("", "5"))
    result = quiz(runner, db_url, bank, DAY1, stdin, "--new", "3")
    assert result.exit_code == 0, result.output
    # t2 got 2 -> re-drilled at the end: 3 (still below 4) -> asked again: 5
    assert reviews(db_url) == [
        ("t1", "scheduled", 5), ("t2", "scheduled", 2), ("t3", "scheduled", 4),
        ("t2", "redrill", 3), ("t2", "redrill", 5),
    ]  # fmt: skip
    # re-drills leave the schedule alone: t2 keeps the state its scheduled grade gave
    assert cards(db_url) == {"t1": (1, 1, "2026-03-03"), "t2": (0, 1, "2026-03-03"), "t3": (1, 1, "2026-03-03")}
    assert "1/3" in result.output and "re-drill" in result.output
    assert "You mentioned 1 of 2 key points." in result.output
    assert "Reviewed 5 (graded 3 or more: 80%)" in result.output
    assert "Next due: tomorrow (2026-03-03)" in result.output

    # The next day: the three due cards first, then the new cards left (t4, t5), and intervals grow.
    result = quiz(runner, db_url, bank, DAY2, script(("", "5"), ("", "4"), ("", "4")), "--new", "3")
    assert result.exit_code == 0, result.output
    assert "1/5" in result.output and "Grade: 0 1d  1 1d  2 1d  3 6d  4 6d  5 6d" in result.output
    assert cards(db_url)["t1"] == (2, 6, "2026-03-09")
    assert "Left for later: 2" in result.output


def test_undo_takes_back_the_last_grade(runner: CliRunner, db_url: str, bank: Path) -> None:
    stdin = script(("", "1"), ("", "u"), ("", "5"), ("", "q"))
    result = quiz(runner, db_url, bank, DAY1, stdin, "--new", "2")
    assert result.exit_code == 0, result.output
    assert reviews(db_url) == [("t1", "scheduled", 5)]
    assert cards(db_url) == {"t1": (1, 1, "2026-03-03")}
    assert "Reviewed 1" in result.output


def test_undo_with_nothing_to_undo(runner: CliRunner, db_url: str, bank: Path) -> None:
    result = quiz(runner, db_url, bank, DAY1, script(("", "u"), ("", "4")), "--limit", "1")
    assert result.exit_code == 0, result.output
    assert "nothing to undo" in result.output
    assert reviews(db_url) == [("t1", "scheduled", 4)]


def test_skip_and_quit(runner: CliRunner, db_url: str, bank: Path) -> None:
    result = quiz(runner, db_url, bank, DAY1, script(("", "s"), ("", "4"), ("", "q")))
    assert result.exit_code == 0, result.output
    assert reviews(db_url) == [("t2", "scheduled", 4)]
    assert "Skipped: 1" in result.output and "Left for later: 3" in result.output


def test_new_card_limit_holds_across_sessions_of_one_day(runner: CliRunner, db_url: str, bank: Path) -> None:
    assert quiz(runner, db_url, bank, DAY1, script(("", "5"), ("", "5")), "--new", "2").exit_code == 0
    result = quiz(runner, db_url, bank, DAY1, "", "--new", "2")
    assert result.exit_code == 0, result.output
    assert "Nothing is due today" in result.output and "Next due: tomorrow" in result.output


def test_pending_redrills_come_back_in_a_later_session_the_same_day(runner: CliRunner, db_url: str, bank: Path) -> None:
    assert quiz(runner, db_url, bank, DAY1, script(("", "1"), ("", "q")), "--new", "1").exit_code == 0
    result = quiz(runner, db_url, bank, DAY1, script(("", "4")), "--new", "1")
    assert result.exit_code == 0, result.output
    assert reviews(db_url) == [("t1", "scheduled", 1), ("t1", "redrill", 4)]


def test_cram_practises_without_touching_the_schedule(runner: CliRunner, db_url: str, bank: Path) -> None:
    assert quiz(runner, db_url, bank, DAY1, script(("", "5")), "--new", "1").exit_code == 0
    before = cards(db_url)
    result = quiz(runner, db_url, bank, DAY1, script(("", "2"), ("", "5"), ("", "q")), "--cram")
    assert result.exit_code == 0, result.output
    assert reviews(db_url)[1:] == [("t1", "cram", 2), ("t2", "cram", 5)]
    assert cards(db_url) == before
    assert "schedule unchanged" in result.output


def test_tag_filter(runner: CliRunner, db_url: str, bank: Path) -> None:
    result = quiz(runner, db_url, bank, DAY1, script(("", "5"), ("", "5"), ("", "5")), "--tag", "tag0")
    assert result.exit_code == 0, result.output
    assert [r[0] for r in reviews(db_url)] == ["t2", "t4"]


def test_progress_survives_edits_and_removal_of_questions(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank", n=2)
    assert quiz(runner, db_url, bank, DAY1, script(("", "5"), ("", "5"))).exit_code == 0
    # Editing the text keeps the history: the same ids are due tomorrow, not new.
    bank = write_bank(tmp_path / "bank", n=2, text_suffix=" (reworded)")
    result = quiz(runner, db_url, bank, DAY2, script(("", "4"), ("", "4")))
    assert "(reworded)" in result.output and "2/2" in result.output
    assert cards(db_url)["t1"][0] == 2
    # Removing a card hides it but keeps its history.
    bank = write_bank(tmp_path / "bank", n=1)
    result = quiz(runner, db_url, bank, "2026-03-20T09:00:00+00:00", script(("", "4")))
    assert result.exit_code == 0, result.output
    assert "1/1" in result.output and "Question number 2" not in result.output
    assert [r[0] for r in reviews(db_url)].count("t2") == 2


def test_profiles_keep_separate_progress(runner: CliRunner, db_url: str, bank: Path) -> None:
    assert quiz(runner, db_url, bank, DAY1, script(("", "5")), "--limit", "1", "--profile", "ana").exit_code == 0
    result = quiz(runner, db_url, bank, DAY1, script(("", "3")), "--limit", "1", "--profile", "ben")
    assert result.exit_code == 0, result.output
    stats = invoke(runner, ["stats", "--db", db_url, "--json", "--profile", "ana"], env={"QUIZDL_NOW": DAY1})
    assert '"reviews_today": 1' in stats.output


def test_rebuild_yields_identical_card_state(runner: CliRunner, db_url: str, bank: Path) -> None:
    quiz(runner, db_url, bank, DAY1, script(("", "5"), ("", "2"), ("", "4"), ("", "4")), "--new", "3")
    quiz(runner, db_url, bank, DAY2, script(("", "1"), ("", "5"), ("", "3"), ("", "5"), ("", "5")), "--new", "3")
    before = cards(db_url)
    result = invoke(runner, ["db", "rebuild", "--db", db_url])
    assert result.exit_code == 0, result.output
    assert "rebuilt 5 card states" in result.output
    assert cards(db_url) == before


def test_stats_and_topics(runner: CliRunner, db_url: str, bank: Path) -> None:
    quiz(runner, db_url, bank, DAY1, script(("", "5"), ("", "1"), ("", "4")), "--new", "2")
    result = invoke(runner, ["stats", "--db", db_url, "--bank", str(bank)], env={"QUIZDL_NOW": DAY1})
    assert result.exit_code == 0, result.output
    assert "reviews today 3" in result.output and "retention (30 days) 50% of 2" in result.output
    topics = invoke(runner, ["topics", "--bank", str(bank)])
    assert "testing" in topics.output and "optimization" in topics.output


def test_d_runs_the_cards_demo_and_the_session_carries_on(runner: CliRunner, tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank", n=2, demo="softmax-temperature")
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    stdin = script(("", "d", "4"), ("", "d", "5"))  # card 2 has no demo: a notice, then its grade
    result = quiz(runner, db, bank, DAY1, stdin)
    assert result.exit_code == 0, result.output
    assert "d demo (softmax-temperature)" in result.output
    assert "demo softmax-temperature on cpu" in result.output
    assert "entropy" in result.output.lower()
    assert "this card has no demo" in result.output
    assert reviews(db) == [("t1", "scheduled", 4), ("t2", "scheduled", 5)]
    assert "Reviewed 2" in result.output
