"""The shipped bank answers every manifest question exactly once and passes `quizdl bank validate`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from quizdl.bank.loader import load_bank, shipped_bank_dir
from quizdl.bank.validate import check_bank, load_manifest, manifest_path
from tests.conftest import invoke

SHARED_MANIFEST = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "manifest.yaml"


def test_shipped_manifest_is_the_shared_one() -> None:
    if not SHARED_MANIFEST.exists():
        pytest.skip("shared/seeds is not beside this checkout")
    assert manifest_path().read_bytes() == SHARED_MANIFEST.read_bytes()


def test_every_source_question_is_answered_exactly_once() -> None:
    manifest = load_manifest(SHARED_MANIFEST if SHARED_MANIFEST.exists() else None)
    bank = load_bank()
    cited = Counter(ref for q in bank.questions for ref in q.sources)
    missing = sorted(str(ref) for ref in manifest if ref not in cited)
    twice = sorted(str(ref) for ref, n in cited.items() if n > 1)
    unknown = sorted(str(ref) for ref in cited if ref not in manifest)
    assert (missing, twice, unknown) == ([], [], [])
    assert len(manifest) == 165


def test_bank_rules() -> None:
    bank = load_bank()
    assert len(bank.questions) >= 150
    assert check_bank(bank, demo_names=None, manifest=load_manifest(), strict=True, require_coverage=True) == []
    for q in bank.questions:
        assert q.file.stem == q.topic, f"{q.location}: topic {q.topic} differs from its file name"
        assert (q.origin == "added") == (not q.sources), q.id


def test_each_topic_file_has_a_title() -> None:
    bank = load_bank()
    assert set(bank.topic_titles) == {p.stem for p in shipped_bank_dir().glob("*.yaml")}


def test_validate_command_is_clean_on_the_shipped_bank(runner) -> None:  # type: ignore[no-untyped-def]
    result = invoke(runner, ["bank", "validate"])
    assert result.exit_code == 0, result.output
    assert "ok: " in result.output


def test_validate_reports_problems_as_file_line(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "mine.yaml"
    bad.write_text(
        "topic: mine\nquestions:\n  - id: x\n    question: q\n    answer: a\n    key_points: [p]\n"
        "    difficulty: 1\n    tags: [t]\n    demo: no-such-demo\n    sources: [{doc: '000', n: 999}]\n",
        encoding="utf-8",
    )
    result = invoke(runner, ["bank", "validate", str(bad)])
    assert result.exit_code == 1, result.output
    assert f"{bad}:3: card 'x': unknown demo 'no-such-demo'" in result.output
    assert f"{bad}:3: card 'x': source 000/999 is not in the manifest" in result.output
