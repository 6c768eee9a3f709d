"""`quizdl bank show | search | errata` and learners' own banks."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from quizdl.bank import load_bank
from quizdl.bank.validate import errata_markdown
from tests.conftest import invoke

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_show_prints_one_card(runner: CliRunner) -> None:
    result = invoke(runner, ["bank", "show", "exploding-gradients"])
    assert result.exit_code == 0, result.output
    assert "Key points" in result.output and "demo: exploding-gradients" in result.output
    data = json.loads(invoke(runner, ["bank", "show", "exploding-gradients", "--json"]).output)
    assert data["id"] == "exploding-gradients" and data["topic"] == "optimization" and data["sources"]


def test_show_suggests_close_ids(runner: CliRunner) -> None:
    result = invoke(runner, ["bank", "show", "exploding-gradient"])
    assert result.exit_code == 2
    assert "no card with id 'exploding-gradient': did you mean exploding-gradients" in result.output


def test_search_finds_cards_by_all_words(runner: CliRunner) -> None:
    found = json.loads(invoke(runner, ["bank", "search", "gradient clipping", "--json"]).output)
    ids = {card["id"] for card in found}
    assert "exploding-gradients" in ids
    bank = load_bank()
    for card_id in ids:
        card = bank.get(card_id)
        assert card is not None
        text = " ".join((card.question, card.answer, *card.key_points, *card.tags, card.id)).lower()
        assert "gradient" in text and "clipping" in text
    missing = invoke(runner, ["bank", "search", "zzzqqq"])
    assert missing.exit_code == 1 and "no card matches 'zzzqqq'" in missing.output


def test_errata_doc_is_in_sync_with_the_bank() -> None:
    assert (DOCS / "errata.md").read_text(encoding="utf-8") == errata_markdown(load_bank())


def test_a_learners_bank_from_config(runner: CliRunner, quizdl_home: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "topic: my-notes\nquestions:\n  - id: my-own-card\n    question: What did I learn?\n    answer: A lot.\n"
        "    key_points: [a lot]\n    difficulty: 1\n    tags: [mine]\n    origin: added\n",
        encoding="utf-8",
    )
    quizdl_home.mkdir(parents=True, exist_ok=True)
    (quizdl_home / "config.toml").write_text(f'bank = ["{mine}"]\n', encoding="utf-8")
    result = invoke(runner, ["topics", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["my-notes"] == 1
