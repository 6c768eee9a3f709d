"""bpe-subwords: a word vocabulary leaves unseen words as [UNK]; BPE covers them at a few tokens per word."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from quizdl.demos.bpe_subwords import END, _merge, apply_bpe, learn_bpe
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("bpe-subwords")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_word_vocabulary_has_oov_and_bpe_has_none(result: DemoResult) -> None:
    m = result.metrics
    assert m["word_oov_rate"] > 0.05
    assert m["word_type_oov_rate"] > 0.15
    assert m["bpe_oov_rate"] == 0.0
    assert m["bpe_vocab_size"] < m["word_vocab_size"] / 3


def test_tokens_per_word_sit_between_words_and_characters(result: DemoResult) -> None:
    m = result.metrics
    assert 1.0 < m["bpe_tokens_per_word"] < 0.5 * m["char_tokens_per_word"]
    assert m["bpe_tokens_per_unseen_word"] > m["bpe_tokens_per_word"]
    assert m["top20_single_token_share"] >= 0.7
    assert m["example_split"].replace(" ", "").replace("_", "") == m["example"]


def test_fast_apply_equals_merging_in_order() -> None:
    freq = Counter({"lowest": 5, "newer": 6, "wider": 3, "low": 7, "new": 4})
    merges = learn_bpe(freq, 12)
    pairs: Counter[tuple[str, str]] = Counter()
    for w, c in freq.items():
        for pair in itertools.pairwise([*w, END]):
            pairs[pair] += c
    assert merges[0] == max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]  # the most frequent pair first
    ranks = {p: i for i, p in enumerate(merges)}
    for word in ["lowest", "newest", "wide", "slower", "xyz"]:
        sym = [*word, END]
        for pair in merges:  # the reference: run through every merge in the order learned
            sym = _merge(sym, pair)
        pieces, lengths = apply_bpe(word, ranks, (0, 3, 12))
        assert pieces == sym
        assert lengths[0] == len(word) + 1 and lengths[-1] == len(sym)
        assert "".join(pieces) == word + END


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{m['word_oov_rate']:.1%}" in result.takeaway
    assert "0% out of vocabulary" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("bpe-subwords", seed=1).metrics
    assert m["word_oov_rate"] > 0.05
    assert m["bpe_oov_rate"] == 0.0
    assert m["bpe_tokens_per_word"] < 0.5 * m["char_tokens_per_word"]
