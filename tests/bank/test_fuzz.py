"""Property-based fuzzing of the bank loader: whatever the bytes, it reports problems and never crashes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizdl.bank.loader import CARD_FIELDS, collect

VALID = {
    "id": "fuzz-card", "question": "Why?", "answer": "Because.", "key_points": ["because"],
    "difficulty": 2, "tags": ["fuzz"], "origin": "added",
}  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def load(data: bytes) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_bytes(data)
        bank, problems = collect([path])
    for problem in problems:
        assert problem.startswith(f"{path}:") and "\n" not in problem
    assert bank.questions == () or not problems or len(bank.questions) >= 0
    return problems


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    load(data)


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("abc:-[]{}&*!|>'\"#\n \t%@`,?0123456789")), max_size=300))
def test_yaml_punctuation_soup(text: str) -> None:
    load(text.encode())


@FUZZ
@given(st.sampled_from(sorted(CARD_FIELDS | {"bogus"})), json_values)
def test_one_field_set_to_anything(field: str, value: object) -> None:
    card = {**VALID, field: value}
    text = yaml.safe_dump({"topic": "fuzz", "title": "Fuzz", "questions": [card]}, allow_unicode=True)
    problems = load(text.encode())
    if field == "bogus":
        assert any("unknown field 'bogus'" in p for p in problems)


@FUZZ
@given(json_values)
def test_any_document_shape(document: object) -> None:
    load(yaml.safe_dump(document, allow_unicode=True).encode())
