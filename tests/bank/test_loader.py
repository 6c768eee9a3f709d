"""The loader rejects every kind of broken or hostile question file with `file:line: message`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from quizdl.bank.loader import collect, load_bank
from quizdl.bank.matching import matched_points
from quizdl.errors import BankError

CARD = """\
topic: custom
title: Custom
questions:
  - id: my-card
    question: What is a tensor?
    answer: An n-dimensional array.
    key_points: [n-dimensional array]
    difficulty: 1
    tags: [basics]
    origin: added
"""


def write(tmp_path: Path, text: str | bytes, name: str = "custom.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def problems_for(tmp_path: Path, text: str | bytes) -> list[str]:
    _, problems = collect([write(tmp_path, text)])
    return problems


def test_a_valid_file_loads(tmp_path: Path) -> None:
    bank, problems = collect([write(tmp_path, CARD)])
    assert problems == []
    card = bank.get("my-card")
    assert (
        card is not None and card.topic == "custom" and card.line == 4 and card.key_points == ("n-dimensional array",)
    )


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (CARD.replace("difficulty: 1", "difficulty: 5"), 8, "'difficulty' must be 1, 2 or 3, got 5"),
        (CARD.replace("    answer: An n-dimensional array.\n", ""), 4, "'answer' must be non-empty text"),
        (CARD.replace("answer:", "anwser:"), 6, "unknown field 'anwser'"),
        (CARD.replace("id: my-card", "id: My Card"), 4, "'id' must be kebab-case"),
        (CARD.replace("tags: [basics]", "tags: basics"), 9, "'tags' must be a list"),
        (
            CARD.replace("difficulty: 1", "difficulty: 1\n    difficulty: 2"),
            9,
            "duplicate key 'difficulty' (first at line 8)",
        ),
        (CARD + "  - [not, a, card]\n", 11, "each entry under 'questions' must be a mapping"),
        (
            CARD.replace("question: What is a tensor?", "question: [unclosed"),
            6,
            "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence started at line 5)",
        ),
        (CARD.replace("origin: added", "origin: mine"), 10, "'origin' must be 'source' or 'added'"),
        (CARD.replace("    origin: added\n", ""), 4, "needs 'sources'"),
        (CARD.replace("origin: added", 'sources: [{doc: "3", n: 1}]'), 10, 'doc as quoted 3 digits ("003")'),
        ("- just\n- a list\n", 1, "a question file is a mapping"),
        (CARD.replace("title: Custom", "title: Custom\nextra: 1"), 3, "unknown top-level field 'extra'"),
    ],
)
def test_schema_errors_name_the_line_and_the_field(tmp_path: Path, text: str, line: int, message: str) -> None:
    problems = problems_for(tmp_path, text)
    assert any(p.startswith(f"{tmp_path / 'custom.yaml'}:{line}: ") and message in p for p in problems), problems


def test_unsafe_tags_are_refused_without_being_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = CARD.replace("question: What is a tensor?", f"question: !!python/object/apply:os.system ['touch {marker}']")
    problems = problems_for(tmp_path, text)
    assert any(":5: unsupported YAML tag '!!python/object/apply:os.system'" in p for p in problems), problems
    assert not marker.exists()


def test_alias_bombs_are_refused_quickly(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    problems = problems_for(tmp_path, "\n".join(lines) + "\n")
    assert any("anchors and aliases are not allowed" in p for p in problems), problems


def test_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, CARD.encode().replace(b"tensor", b"tens\xff"))
    assert problems == [f"{tmp_path / 'custom.yaml'}:5: not valid UTF-8 (byte 0xff); save the file as UTF-8"]


def test_a_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    big = write(tmp_path, "")
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    _, problems = collect([big])
    assert problems == [f"{big}:1: file is 52.4 MB; question files must be under 5 MB (split it)"]


def test_duplicate_ids_across_files_name_both_files(tmp_path: Path) -> None:
    first = write(tmp_path, CARD, "a.yaml")
    second = write(tmp_path, CARD, "b.yaml")
    with pytest.raises(BankError) as err:
        load_bank([first, second], include_shipped=False)
    assert str(err.value) == f"{second}:4: duplicate id 'my-card' (also at {first}:4); ids must be unique"


def test_a_learner_card_colliding_with_the_shipped_bank(tmp_path: Path) -> None:
    shipped = load_bank()
    clash = write(tmp_path, CARD.replace("my-card", shipped.questions[0].id))
    with pytest.raises(BankError, match=f"duplicate id '{shipped.questions[0].id}' \\(also at .*questions"):
        load_bank([clash])


def test_missing_bank_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BankError, match="no such file or directory"):
        load_bank([tmp_path / "nope.yaml"])


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    text = CARD.replace("difficulty: 1", "difficulty: 9").replace("tags: [basics]", "tags: []")
    assert len(problems_for(tmp_path, text)) == 2


def test_key_point_matching_is_lexical_and_stem_based() -> None:
    points = ("gradients shrink through saturating activations", "residual connections", "batch normalization")
    typed = "The gradient shrinks when activations saturate; resnets add residual connection paths."
    assert matched_points(typed, points) == [True, True, False]
    assert matched_points("", points) == [False, False, False]


def test_the_bank_cache_is_used_and_invalidated_by_edits(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    mine = write(tmp_path, CARD)
    first = load_bank([mine], cache_dir=cache)
    assert (cache / "bank-cache.pickle").exists()
    assert load_bank([mine], cache_dir=cache) == first
    mine.write_text(CARD.replace("What is a tensor?", "What is a tensor, really?"), encoding="utf-8")
    os.utime(mine, ns=(mine.stat().st_mtime_ns + 10**9,) * 2)
    edited = load_bank([mine], cache_dir=cache).get("my-card")
    assert edited is not None and edited.question == "What is a tensor, really?"
    (cache / "bank-cache.pickle").write_bytes(b"garbage")
    assert load_bank([mine], cache_dir=cache).get("my-card") == edited  # a damaged cache is ignored
    mine.write_text(CARD.replace("difficulty: 1", "difficulty: 9"), encoding="utf-8")
    os.utime(mine, ns=(mine.stat().st_mtime_ns + 2 * 10**9,) * 2)
    with pytest.raises(BankError):  # a broken edit is never hidden behind the cached good version
        load_bank([mine], cache_dir=cache)
