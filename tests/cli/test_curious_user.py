"""Regressions for the sixteen defects a curious user found (issue 17), each through the real CLI or session.

Set-up as the user had it: a fresh data dir (the autouse fixture), a frozen clock, scripted sessions.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizdl.bank.loader import load_bank
from quizdl.clock import parse_now, study_day
from quizdl.store.engine import open_engine
from quizdl.store.repo import profile_names
from tests.cli.helpers import TOPIC, reviews, script, write_bank
from tests.conftest import invoke

NOW = {"QUIZDL_NOW": "2026-03-03T10:00:00+00:00"}
ROOT = Path(__file__).resolve().parents[2]


def one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code != 0, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("quizdl: error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def studied(runner: CliRunner, tmp_path: Path, home: Path) -> Path:
    """A data dir with two answers of the default profile; returns the bank used."""
    bank = write_bank(tmp_path / "bank", n=3)
    result = invoke(
        runner, ["quiz", "--bank", str(bank), "--topic", TOPIC], input=script(("", "5"), ("", "4")), env=NOW
    )
    assert result.exit_code == 0, result.output
    return bank


# 1. -o writes to what is at the path ----------------------------------------------------------------------


def test_output_follows_a_symlink_to_its_target(runner: CliRunner, tmp_path: Path, quizdl_home: Path) -> None:
    studied(runner, tmp_path, quizdl_home)
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    result = invoke(runner, ["export", "progress", "-o", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())["format"] == "quizdl-progress"


def test_output_streams_into_a_fifo(tmp_path: Path, quizdl_home: Path, runner: CliRunner) -> None:
    studied(runner, tmp_path, quizdl_home)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    env = {**os.environ, **NOW, "QUIZDL_HOME": str(quizdl_home)}
    proc = subprocess.run([sys.executable, "-m", "quizdl", "report", "--format", "json", "-o", str(fifo)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)  # fmt: skip
    reader.join(timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still a pipe, not replaced by a file
    assert json.loads(got[0])["profile"] == "default"


def test_output_to_stdout_and_dash(tmp_path: Path, quizdl_home: Path, runner: CliRunner) -> None:
    studied(runner, tmp_path, quizdl_home)
    env = {**os.environ, **NOW, "QUIZDL_HOME": str(quizdl_home)}
    for target in ("-", "/dev/stdout"):
        proc = subprocess.run([sys.executable, "-m", "quizdl", "export", "progress", "-o", target],
                              capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["format"] == "quizdl-progress"  # the message went to stderr
        assert not (tmp_path / "-").exists()
    proc = subprocess.run([sys.executable, "-m", "quizdl", "export", "anki", "-o", "-"],
                          capture_output=True, env=env, cwd=tmp_path, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout[:2] == b"PK"  # an .apkg is a zip file


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_to_a_full_device_fails_and_leaves_the_device(
    runner: CliRunner, tmp_path: Path, quizdl_home: Path
) -> None:
    studied(runner, tmp_path, quizdl_home)
    line = one_line_error(invoke(runner, ["report", "-o", "/dev/full"]))
    assert "cannot write /dev/full" in line
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


# 2. undo while a re-drill is on screen ---------------------------------------------------------------------


def test_undo_on_a_redrill_screen_does_not_redrill_a_card_that_passed(runner: CliRunner, tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank", n=1)
    db = f"sqlite:///{tmp_path / 'u.db'}"
    # t1 graded 1 -> its re-drill is shown -> u takes the 1 back -> t1 again, graded 5 -> nothing more
    stdin = "\n1\n\nu\n\n5\n\n4\n"
    result = invoke(runner, ["quiz", "--db", db, "--bank", str(bank), "--topic", TOPIC], input=stdin, env=NOW)
    assert result.exit_code == 0, result.output
    assert reviews(db) == [("t1", "scheduled", 5)]
    assert "1/1" in result.output and "2/1" not in result.output


# 3. --limit caps every card shown -------------------------------------------------------------------------


def test_limit_caps_redrills_from_an_earlier_session_and_cram(runner: CliRunner, tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank", n=5)
    db = f"sqlite:///{tmp_path / 'l.db'}"
    args = ["quiz", "--db", db, "--bank", str(bank), "--topic", TOPIC]
    first = invoke(runner, [*args, "--limit", "3"], input=script(("", "1"), ("", "1"), ("", "1")), env=NOW)
    assert first.exit_code == 0, first.output
    assert len(reviews(db)) == 3  # the limit stopped the session before its re-drills
    second = invoke(runner, [*args, "--limit", "1"], input=script(("", "1"), ("", "1"), ("", "1"), ("", "1")), env=NOW)
    assert second.exit_code == 0, second.output
    assert len(reviews(db)) == 4, second.output
    cram = invoke(runner, [*args, "--cram", "--limit", "3"], input=script(*[("", "1")] * 6), env=NOW)
    assert cram.exit_code == 0, cram.output
    assert len(reviews(db)) == 7, cram.output


# 4. validate a user's file against the bank it will be loaded with ---------------------------------------


def test_validate_reports_a_collision_with_a_shipped_card(runner: CliRunner, tmp_path: Path) -> None:
    shipped_id = load_bank().questions[0].id
    mine = tmp_path / "my.yaml"
    mine.write_text(
        f"topic: mine\nquestions:\n  - id: {shipped_id}\n    question: q?\n    answer: a\n    key_points: [p]\n"
        "    difficulty: 1\n    tags: [t]\n    origin: added\n",
        encoding="utf-8",
    )
    result = invoke(runner, ["bank", "validate", "--no-demos", str(mine)])
    assert result.exit_code == 1, result.output
    assert f"{mine}:3: duplicate id '{shipped_id}'" in result.output
    refused = invoke(runner, ["quiz", "--bank", str(mine)], env=NOW)
    assert refused.exit_code != 0 and f"duplicate id '{shipped_id}'" in refused.output


# 5. read-only commands never write -------------------------------------------------------------------------


def test_stats_with_an_unknown_profile_creates_nothing(runner: CliRunner, tmp_path: Path, quizdl_home: Path) -> None:
    studied(runner, tmp_path, quizdl_home)
    line = one_line_error(invoke(runner, ["stats", "-p", "anna"], env=NOW))
    assert "profile 'anna' has no history" in line
    engine = open_engine(f"sqlite:///{quizdl_home / 'quizdl.db'}")
    assert list(profile_names(engine).values()) == ["default"]
    engine.dispose()


def test_read_only_commands_leave_the_database_byte_identical(
    runner: CliRunner, tmp_path: Path, quizdl_home: Path
) -> None:
    bank = studied(runner, tmp_path, quizdl_home)
    db = quizdl_home / "quizdl.db"
    import sqlite3

    with contextlib.closing(sqlite3.connect(db)) as conn:  # move what the session left in the WAL into the file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = db.read_bytes()
    commands = [
        ["stats"], ["stats", "--json"], ["stats", "-p", "nobody"], ["topics"], ["report"], ["report", "--format", "csv"],
        ["report", "--all-profiles", "--format", "json"], ["bank", "validate", "--no-demos"],
        ["bank", "show", "t1", "--bank", str(bank)], ["bank", "search", "gradient"], ["demo", "list", "--json"],
        ["db", "info"],
    ]  # fmt: skip
    for args in commands:
        invoke(runner, args, env=NOW)
    assert db.read_bytes() == before
    wal = db.with_name(db.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


# 6. the same file reached twice -----------------------------------------------------------------------------


def test_a_bank_file_reached_twice_is_read_once(runner: CliRunner, tmp_path: Path, quizdl_home: Path) -> None:
    bank = write_bank(tmp_path / "bank", n=2)
    quizdl_home.mkdir(parents=True, exist_ok=True)
    (quizdl_home / "config.toml").write_text(f'bank = ["{bank.parent}"]\n', encoding="utf-8")
    for extra in (
        ["--bank", str(bank)],
        ["--bank", str(bank), "--bank", str(tmp_path / "bank" / ".." / "bank" / bank.name)],
    ):
        result = invoke(runner, ["quiz", *extra, "--topic", TOPIC, "--limit", "1"], input=script(("", "5")), env=NOW)
        assert result.exit_code == 0, result.output


# 7. a naive QUIZDL_NOW is in QUIZDL_TZ -----------------------------------------------------------------------


def test_a_naive_now_is_the_learners_local_time() -> None:
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")
    naive = parse_now("2026-03-03T02:00:00", tokyo)
    aware = parse_now("2026-03-03T02:00:00+09:00", tokyo)
    assert naive == aware
    assert study_day(naive, tokyo, 4) == date(2026, 3, 2)  # before the 4 a.m. roll-over


def test_the_cli_reads_a_naive_now_in_the_configured_zone(runner: CliRunner, tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank", n=1)
    db = f"sqlite:///{tmp_path / 'z.db'}"
    env = {"QUIZDL_TZ": "Asia/Tokyo", "QUIZDL_NOW": "2026-03-03T02:00:00"}
    result = invoke(
        runner, ["quiz", "--db", db, "--bank", str(bank), "--topic", TOPIC], input=script(("", "5")), env=env
    )
    assert result.exit_code == 0, result.output
    result = invoke(runner, ["report", "--db", db, "--format", "json", "--bank", str(bank)], env=env)
    assert json.loads(result.output)["today"] == "2026-03-02"


# 8. config values are type-checked --------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "key"), [("bank = 5", "bank"), ("bank = {a = 1}", "bank"), ('new_per_day = "x"', "new_per_day"),
                                            ("profile = 3", "profile"), ("timezone = []", "timezone")])  # fmt: skip
def test_a_wrongly_typed_config_value_is_one_line(runner: CliRunner, quizdl_home: Path, line: str, key: str) -> None:
    quizdl_home.mkdir(parents=True, exist_ok=True)
    (quizdl_home / "config.toml").write_text(line + "\n", encoding="utf-8")
    error = one_line_error(invoke(runner, ["topics"]))
    assert f"config.toml: {key} must be" in error


# 9. card ids longer than the columns ---------------------------------------------------------------------------


def test_an_id_over_200_characters_is_refused_at_load(runner: CliRunner, tmp_path: Path) -> None:
    long_id = "a" * 201
    mine = tmp_path / "long.yaml"
    mine.write_text(
        f"topic: mine\nquestions:\n  - id: {long_id}\n    question: q?\n    answer: a\n    key_points: [p]\n"
        "    difficulty: 1\n    tags: [t]\n    origin: added\n",
        encoding="utf-8",
    )
    error = one_line_error(invoke(runner, ["quiz", "--bank", str(mine)], env=NOW))
    assert f"{mine}:3:" in error and "at most 200" in error


# 10. a huge --seed ----------------------------------------------------------------------------------------------


def test_a_huge_seed_is_refused(runner: CliRunner) -> None:
    error = one_line_error(invoke(runner, ["demo", "dying-relu", "--seed", "99999999999999999999"]))
    assert "--seed must be a whole number from 0 to" in error


# 11. .yml files in a folder ---------------------------------------------------------------------------------------


def test_yml_files_in_a_bank_folder_are_loaded(runner: CliRunner, tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank", n=2)
    bank.rename(bank.with_suffix(".yml"))
    result = invoke(runner, ["topics", "--json", "--bank", str(tmp_path / "bank")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[TOPIC] == 2


# 12. an empty combination of --tag and --topic -----------------------------------------------------------------


def test_tag_and_topic_with_no_card_in_common(runner: CliRunner) -> None:
    error = one_line_error(invoke(runner, ["quiz", "--tag", "dropout", "--topic", "cnn"], env=NOW))
    assert "no card has both" in error


# 13. stats names cards that left the bank ---------------------------------------------------------------------


def test_stats_says_when_answered_cards_are_not_in_the_bank(
    runner: CliRunner, tmp_path: Path, quizdl_home: Path
) -> None:
    studied(runner, tmp_path, quizdl_home)
    result = invoke(runner, ["stats"], env=NOW)
    assert result.exit_code == 0, result.output
    assert "2 card(s) with history are not in the loaded bank" in result.output


# 14. skipped new cards are still there today ---------------------------------------------------------------------


def test_after_skipping_new_cards_they_are_left_for_today(runner: CliRunner, tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank", n=2)
    db = f"sqlite:///{tmp_path / 's.db'}"
    result = invoke(runner, ["quiz", "--db", db, "--bank", str(bank), "--topic", TOPIC],
                    input=script(("", "s"), ("", "s")), env=NOW)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Next due: today" in result.output and "tomorrow" not in result.output


# 15 and 16. options named as typed -------------------------------------------------------------------------------


def test_rebuild_refuses_all_profiles_with_a_profile(runner: CliRunner) -> None:
    error = one_line_error(invoke(runner, ["db", "rebuild", "--all-profiles", "--profile", "x"]))
    assert "--profile and --all-profiles exclude each other" in error


def test_an_out_of_range_new_names_the_option(runner: CliRunner) -> None:
    error = one_line_error(invoke(runner, ["quiz", "--new", "100000"], env=NOW))
    assert "--new must be a whole number from 0 to 10000" in error
