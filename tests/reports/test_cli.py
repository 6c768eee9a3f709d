"""`quizdl report` and `quizdl stats` end to end, on the scripted history, in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizdl.store.engine import open_engine
from tests.conftest import invoke
from tests.reports.history import ALICE, BOB, NOW, play, small_bank


def write_small_bank(folder: Path) -> Path:
    """tests/reports/history.small_bank() as question files (added to the shipped bank by --bank)."""
    folder.mkdir(parents=True, exist_ok=True)
    bank = small_bank()
    for topic in bank.topics:
        lines = [f"topic: {topic}", f"title: {json.dumps(bank.topic_titles[topic])}", "questions:"]
        for q in bank.select([topic]):
            lines += [
                f"  - id: {q.id}", f"    question: {json.dumps(q.question)}", f"    answer: {json.dumps(q.answer)}",
                f"    key_points: {json.dumps(list(q.key_points))}", f"    difficulty: {q.difficulty}",
                f"    tags: {json.dumps([t.replace(' ', '-') for t in q.tags])}", "    origin: added",
            ]  # fmt: skip
        (folder / f"{topic}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def setup(db_url: str, tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    engine = open_engine(db_url)
    play(engine, "alice", ALICE)
    play(engine, "bob", BOB)
    engine.dispose()
    bank = write_small_bank(tmp_path / "bank")
    return ["--db", db_url, "--bank", str(bank)], {"QUIZDL_NOW": NOW.isoformat()}


def test_report_markdown_to_stdout(runner: CliRunner, setup: tuple[list[str], dict[str, str]]) -> None:
    args, env = setup
    result = invoke(runner, ["report", "--profile", "alice", *args], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Progress report: alice")
    assert "| 30 days | 18 | 15 | 83.3% |" in result.output and "| Alpha & \\<friends\\> |" in result.output


def test_report_every_format_to_files(
    runner: CliRunner, setup: tuple[list[str], dict[str, str]], tmp_path: Path
) -> None:
    args, env = setup
    out = tmp_path / "out"
    out.mkdir()
    for name in ("r.md", "r.html", "r.csv", "r.json"):
        result = invoke(runner, ["report", "-p", "alice", "-o", str(out / name), *args], env=env)
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "r-ef.svg", "r-forecast.svg", "r-heatmap.svg", "r-intervals.svg", "r.csv", "r.html", "r.json", "r.md",
    ]  # fmt: skip
    assert "![Cards due per day](r-forecast.svg)" in (out / "r.md").read_text(encoding="utf-8")
    assert (out / "r.html").read_text(encoding="utf-8").count("<svg") == 4
    rows = list(csv.DictReader(io.StringIO((out / "r.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 31 and {r["profile"] for r in rows} == {"alice"} and rows[0]["topic"] == "alpha"
    data = json.loads((out / "r.json").read_text(encoding="utf-8"))
    assert data["overview"]["reviews"] == 31 and data["retention"][3]["rate"] == 0.85
    # --format wins over the extension.
    result = invoke(runner, ["report", "-p", "alice", "--format", "json", "-o", str(out / "x.txt"), *args], env=env)
    assert result.exit_code == 0 and json.loads((out / "x.txt").read_text(encoding="utf-8"))["profile"] == "alice"


def test_all_profiles(runner: CliRunner, setup: tuple[list[str], dict[str, str]]) -> None:
    args, env = setup
    result = invoke(runner, ["report", "--all-profiles", "--format", "json", *args], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(x["profile"], x["reviews"]) for x in data["learners"]] == [("alice", 31), ("bob", 3)]
    assert data["weakest_topics"][0]["topic"] == "beta"
    csv_out = invoke(runner, ["report", "--all-profiles", "--format", "csv", *args], env=env)
    assert csv_out.output.count("\n") == 1 + 34
    md_out = invoke(runner, ["report", "--all-profiles", *args], env=env)
    assert md_out.output.startswith("# Class report") and "| bob |" in md_out.output


def test_since(runner: CliRunner, setup: tuple[list[str], dict[str, str]]) -> None:
    args, env = setup
    result = invoke(runner, ["report", "-p", "alice", "-f", "json", "--since", "2026-01-25", *args], env=env)
    assert json.loads(result.output)["overview"]["reviews"] == 14


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--since", "last week"], "quizdl: error: --since 'last week' is not a date; use YYYY-MM-DD"),
        (["--format", "pdf"], "quizdl: error: --format 'pdf' is not one of md, html, csv, json"),
        (["--profile", "zoe"], "quizdl: error: profile 'zoe' has no history in this database"),
        (["--profile", "alice", "--all-profiles"], "quizdl: error: --profile and --all-profiles exclude each other"),
    ],
)
def test_bad_input_is_one_line(
    runner: CliRunner, setup: tuple[list[str], dict[str, str]], extra: list[str], message: str
) -> None:
    args, env = setup
    result = invoke(runner, ["report", *extra, *args], env=env)
    assert result.exit_code == 2, result.output
    assert result.output.startswith(message) and result.output.count("\n") == 1


def test_unwritable_output_is_one_line(
    runner: CliRunner, setup: tuple[list[str], dict[str, str]], tmp_path: Path
) -> None:
    args, env = setup
    result = invoke(runner, ["report", "-p", "alice", "-o", str(tmp_path / "missing" / "r.html"), *args], env=env)
    assert result.exit_code == 2 and "quizdl: error: cannot write" in result.output
    assert not (tmp_path / "missing").exists()


def test_stats_shows_the_same_figures(runner: CliRunner, setup: tuple[list[str], dict[str, str]]) -> None:
    args, env = setup
    result = invoke(runner, ["stats", "-p", "alice", *args], env=env)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Due today 2 (1 overdue)" in out and "reviews today 2" in out
    assert "mature 2 · young 4" in out and "streak 7 days (longest 9)" in out
    assert "retention (7 days) 87.5% of 8" in out and "retention (30 days) 83.3% of 18" in out
    assert "Due forecast, next 30 days" in out and "today" in out and "+28d" in out
    assert "Sat " in out and "31 reviews on 17 days" in out
    as_json = json.loads(invoke(runner, ["stats", "-p", "alice", "--json", *args], env=env).output)
    report = json.loads(invoke(runner, ["report", "-p", "alice", "-f", "json", *args], env=env).output)
    assert as_json == report
