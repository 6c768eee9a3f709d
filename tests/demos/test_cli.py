"""`quizdl demo`: list (with card links), run with rendering or --json, and the errors (exit 2, one line)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import torch
from rich.console import Console
from typer.testing import CliRunner

import quizdl.bank
from quizdl.cli.app import app
from quizdl.demos import registry
from quizdl.ui import demo_view

ROOT = Path(__file__).resolve().parents[2]
ENV = {"COLUMNS": "100", "NO_COLOR": "1"}


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, ["demo", *args], env=ENV, catch_exceptions=False)


def strict_json(text: str) -> Any:
    def refuse(const: str) -> None:
        raise ValueError(f"non-standard JSON constant {const}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def fake_bank(monkeypatch: pytest.MonkeyPatch) -> None:
    questions = [
        SimpleNamespace(id="exploding-gradients", demos=("exploding-gradients",)),
        SimpleNamespace(id="gradient-clipping", demos=("exploding-gradients", "dropout")),
        SimpleNamespace(id="what-is-dropout", demos=("dropout",)),
        SimpleNamespace(id="no-demo-card", demos=()),
    ]
    monkeypatch.setattr(quizdl.bank, "load_bank", lambda: SimpleNamespace(questions=questions))


def test_list_shows_every_demo_with_its_cards(fake_bank: None) -> None:
    result = invoke("list")
    assert result.exit_code == 0, result.output
    for name in ("dying-relu", "exploding-gradients", "vanishing-gradients", "zero-init", "init-schemes", "dropout"):
        assert name in result.output
    assert "gradient-clipping" in result.output
    assert "what-is-dropout" in result.output


def test_list_one_topic(fake_bank: None) -> None:
    result = invoke("list", "--topic", "reinforcement-learning", "--json")
    assert result.exit_code == 0, result.output
    listed = strict_json(result.output)
    assert listed and {row["topic"] for row in listed} == {"reinforcement-learning"}
    table = invoke("list", "--topic", "cnn")
    assert table.exit_code == 0 and "topic" in table.output and "conv-arithmetic" in table.output
    wrong = invoke("list", "--topic", "cn")
    assert wrong.exit_code == 2 and "did you mean cnn" in wrong.output


def test_a_card_linking_two_demos_is_listed_under_both(fake_bank: None) -> None:
    rows = {row["name"]: row for row in strict_json(invoke("list", "--json").output)}
    assert (
        "gradient-clipping" in rows["exploding-gradients"]["cards"] and "gradient-clipping" in rows["dropout"]["cards"]
    )


def test_list_json(fake_bank: None) -> None:
    result = invoke("list", "--json")
    assert result.exit_code == 0, result.output
    listed = strict_json(result.output)
    rows = {row["name"]: row for row in listed}
    assert len(rows) == len(registry.load_all()) >= 60
    order = [(row["topic"], row["name"]) for row in listed]
    assert order == sorted(order)  # grouped by topic, then by name
    assert rows["exploding-gradients"]["cards"] == ["exploding-gradients", "gradient-clipping"]
    assert rows["dropout"]["cards"] == ["gradient-clipping", "what-is-dropout"]
    assert rows["zero-init"]["cards"] == []
    assert rows["dropout"]["topic"] and rows["dropout"]["summary"]


def test_list_still_works_when_the_bank_cannot_be_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    from quizdl.errors import BankError

    def broken() -> None:
        raise BankError(["questions/x.yaml:3: bad"])

    monkeypatch.setattr(quizdl.bank, "load_bank", broken)
    result = invoke("list", "--json")
    assert result.exit_code == 0
    assert "warning" in result.stderr
    assert len(strict_json(result.stdout)) == len(registry.load_all())


def test_json_run_has_the_metrics() -> None:
    result = invoke("vanishing-gradients", "--device", "cpu", "--json")
    assert result.exit_code == 0, result.output
    data = strict_json(result.output)
    assert data["device"] == "cpu" and data["name"] == "vanishing-gradients" and data["seed"] == 0
    assert data["metrics"]["grad_ratio_sigmoid"] < 1e-6
    assert data["columns"] and data["rows"] and data["takeaway"] and data["charts"]


def test_json_run_is_strict_json_even_with_nan_and_inf() -> None:
    result = invoke("exploding-gradients", "--device", "cpu", "--json", "--steps", "20")
    assert result.exit_code == 0, result.output
    data = strict_json(result.output)
    assert data["steps"] == 20
    assert data["metrics"]["final_loss_unclipped"] == "NaN"
    assert data["metrics"]["max_grad_norm_unclipped"] == "inf"
    assert len(data["charts"][1]["series"][1]["values"]) == 20


def test_rendered_run_shows_header_table_chart_and_takeaway() -> None:
    result = invoke("init-schemes", "--device", "cpu", "--seed", "1")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "init-schemes" in out and "on cpu, seed 1" in out
    assert "after layer 30" in out and "explodes" in out  # table
    assert "activation std per layer, ReLU (log scale)" in out  # chart title
    assert "takeaway" in out and "He keeps ReLU at" in out
    assert any(0x2800 < ord(ch) <= 0x28FF for ch in out)  # braille chart
    assert "e+" in out  # exploding naive init shown in scientific notation


def test_unknown_demo_is_exit_2_with_a_suggestion() -> None:
    result = invoke("droput")
    assert result.exit_code == 2
    assert "quizdl: error: unknown demo 'droput': did you mean dropout" in result.output
    assert "Traceback" not in result.output


def test_bad_device_is_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke("dropout", "--device", "tpu")
    assert result.exit_code == 2
    assert "unknown device 'tpu'" in result.output
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    result = invoke("dropout", "--device", "cuda")
    assert result.exit_code == 2
    assert "--device cuda: not available" in result.output


@pytest.mark.parametrize("steps", ["0", "-3"])
def test_steps_must_be_positive(steps: str) -> None:
    result = invoke("dropout", "--steps", steps)
    assert result.exit_code == 2
    assert f"--steps must be at least 1 (got {steps})" in result.output


def test_run_and_render_works_with_any_console_and_shows_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_view, "PROGRESS_AFTER_SECONDS", 0.0)  # force the progress bar on
    buffer = io.StringIO()
    console = Console(file=buffer, width=72, force_terminal=False)
    result = demo_view.run_and_render("zero-init", console=console, device="cpu", steps=30)
    text = buffer.getvalue()
    assert result.metrics["distinct_units_zero"] == 1
    assert "zero-init" in text and "takeaway" in text
    assert all(len(line) <= 72 for line in text.splitlines())


def test_run_and_render_restores_the_thread_count() -> None:
    before = torch.get_num_threads()
    demo_view.run_and_render("vanishing-gradients", console=Console(file=io.StringIO()), device="cpu")
    assert torch.get_num_threads() == before


def test_render_json_turns_non_finite_numbers_into_strings() -> None:
    from quizdl.demos.registry import DemoResult

    result = DemoResult(
        header="h", columns=["a", "b"], rows=[[float("nan"), float("-inf")]], takeaway="t", metrics={"x": float("inf")}
    )
    data = strict_json(demo_view.render_json(result, "cpu"))
    assert data["rows"] == [["NaN", "-inf"]] and data["metrics"] == {"x": "inf"} and data["device"] == "cpu"


def test_help_does_not_import_torch() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "quizdl", "--help"],
        capture_output=True, text=True, cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time")]
    assert "quizdl.cli.demo" in imported
    assert not [m for m in imported if m == "torch" or m.startswith("torch.")]
    assert "demo" in proc.stdout
