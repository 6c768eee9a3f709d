"""Byte-pair encoding vs a word-level vocabulary: unseen words, vocabulary size and tokens per word.

Words are generated from morphemes: an optional prefix (un-, re-, pre-), a stem of two or three syllables
and an optional suffix (-s, -ed, -ing, -er, -ness, -able), with Zipf-like stem frequencies. The training
text uses 80% of the stems; the test text, drawn the same way, also uses the rest, and many of its
prefix-stem-suffix combinations never occurred in training.

A word-level vocabulary (every training word type) maps each test word it lacks to [UNK]. BPE starts
from single characters plus an end-of-word marker and repeatedly merges the most frequent adjacent pair
of symbols in the training words; applying the learned merges in order splits any word into known
pieces. Since every character is in the base vocabulary, nothing is ever out of vocabulary: frequent
words become one token, rare and unseen ones a few pieces such as un + stem + ness. The price is longer
sequences than word tokens, though far shorter than characters. Pure Python: tokenisation works on
strings, so there is nothing here for the device to do.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

import torch

from quizdl.demos.common import fmt, seeded, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo

END = "</w>"  # end-of-word marker: "ing" at the end of a word differs from "ing" inside one


@dataclass(frozen=True)
class Config:
    stems: int = 60  # distinct stems
    seen_share: float = 0.8  # share of stems that appear in the training text
    prefixes: tuple[str, ...] = ("", "", "", "un", "re", "pre")  # "" repeated: most words have no prefix
    suffixes: tuple[str, ...] = ("", "", "s", "ed", "ing", "er", "ness", "able")  # likewise
    train_words: int = 4000  # word tokens of training text
    test_words: int = 2000  # word tokens of test text
    merges: int = 150  # BPE merges to learn
    checkpoints: tuple[int, ...] = (0, 25, 50, 100, 150)  # merge counts at which test tokens/word are measured


def _stems(cfg: Config, gen: torch.Generator) -> list[str]:
    consonants, vowels = "bdfgklmnprstvz", "aeiou"
    out: list[str] = []
    while len(out) < cfg.stems:
        n_syll = 2 + int(torch.randint(0, 2, (1,), generator=gen).item())
        idx = torch.randint(0, 70, (n_syll, 2), generator=gen).tolist()
        stem = "".join(consonants[c % len(consonants)] + vowels[v % len(vowels)] for c, v in idx)
        if stem not in out:
            out.append(stem)
    return out


def _text(cfg: Config, gen: torch.Generator, stems: list[str], n: int) -> list[str]:
    """n word tokens; stem i has probability proportional to 1 / (i + 1)."""
    zipf = 1.0 / torch.arange(1, len(stems) + 1, dtype=torch.float32)
    s = torch.multinomial(zipf, n, replacement=True, generator=gen).tolist()
    p = torch.randint(0, len(cfg.prefixes), (n,), generator=gen).tolist()
    x = torch.randint(0, len(cfg.suffixes), (n,), generator=gen).tolist()
    return [cfg.prefixes[a] + stems[b] + cfg.suffixes[c] for a, b, c in zip(p, s, x, strict=True)]


def learn_bpe(freq: Counter[str], merges: int) -> list[tuple[str, str]]:
    """BPE merges on a word-frequency table, with incremental pair counts (only affected words are recounted)."""
    words = {w: [*w, END] for w in freq}
    pair_count: Counter[tuple[str, str]] = Counter()
    where: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for w, sym in words.items():
        for pair in itertools.pairwise(sym):
            pair_count[pair] += freq[w]
            where[pair].add(w)
    learned: list[tuple[str, str]] = []
    for _ in range(merges):
        if not pair_count:
            break
        best = max(pair_count.items(), key=lambda kv: (kv[1], kv[0]))[0]  # ties broken by the pair itself
        if pair_count[best] <= 0:
            break
        learned.append(best)
        for w in list(where[best]):
            sym = words[w]
            for pair in itertools.pairwise(sym):
                pair_count[pair] -= freq[w]
                if pair_count[pair] <= 0:
                    del pair_count[pair]
            merged = _merge(sym, best)
            words[w] = merged
            for pair in itertools.pairwise(merged):
                pair_count[pair] += freq[w]
                where[pair].add(w)
    return learned


def _merge(sym: list[str], pair: tuple[str, str]) -> list[str]:
    """Replace every adjacent occurrence of pair in sym (left to right) by the merged symbol."""
    merged, i = [], 0
    while i < len(sym):
        if i + 1 < len(sym) and (sym[i], sym[i + 1]) == pair:
            merged.append(sym[i] + sym[i + 1])
            i += 2
        else:
            merged.append(sym[i])
            i += 1
    return merged


def apply_bpe(
    word: str, ranks: dict[tuple[str, str], int], checkpoints: tuple[int, ...] = ()
) -> tuple[list[str], list[int]]:
    """Split a word into characters + END and apply the learned merges in order.

    Each round merges the adjacent pair learned earliest, which gives the same result as running through
    the whole merge list in order, in a few rounds per word instead of one pass per merge. The ranks of
    the rounds never decrease, so the length the word would have with only the first m merges is read off
    on the way: one count per checkpoint m.
    """
    sym = [*word, END]
    lengths: list[int] = []
    pending = list(checkpoints)
    while len(sym) > 1:
        rank, pair = min((ranks.get(p, math.inf), p) for p in itertools.pairwise(sym))
        while pending and rank >= pending[0]:
            lengths.append(len(sym))
            pending.pop(0)
        if rank == math.inf:
            break
        sym = _merge(sym, pair)
    lengths += [len(sym)] * len(pending)
    return sym, lengths


@demo(
    "bpe-subwords",
    topic="embeddings-nlp",
    summary="BPE merges: 0% out-of-vocabulary on unseen words vs a word vocabulary's [UNK]s, at a few tokens per word",
)
def bpe_subwords(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)

    # 1. data: morpheme-built words; training text from 80% of the stems, test text from all of them
    stems = _stems(cfg, gen)
    seen = stems[: int(cfg.seen_share * cfg.stems)]
    train = _text(cfg, gen, seen, cfg.train_words)
    test = _text(cfg, gen, stems, cfg.test_words)
    freq = Counter(train)

    # 2. word-level vocabulary: every training word type; the rest is [UNK]
    word_vocab = set(freq)
    word_oov = sum(w not in word_vocab for w in test) / len(test)
    test_types = set(test)
    type_oov = sum(w not in word_vocab for w in test_types) / len(test_types)
    ctx.progress("word vocabulary", 0.1)

    # 3. BPE: base vocabulary of characters + END, then learned merges
    base = sorted({c for w in freq for c in w} | {END})
    merges = learn_bpe(freq, cfg.merges)
    ranks = {pair: i for i, pair in enumerate(merges)}
    bpe_vocab = set(base) | {a + b for a, b in merges}
    ctx.progress("BPE merges", 0.6)
    report = ticker(ctx, "tokenising", 0.6, 1.0)
    test_counts = Counter(test)
    split = {w: apply_bpe(w, ranks, cfg.checkpoints) for w in test_counts}
    per_word = {w: pieces for w, (pieces, _) in split.items()}
    bpe_tokens = sum(len(per_word[w]) * c for w, c in test_counts.items())
    bpe_oov = sum(sum(t not in bpe_vocab for t in per_word[w]) * c for w, c in test_counts.items()) / bpe_tokens
    unseen = [w for w in test_counts if w not in word_vocab]
    unseen_tokens = sum(len(per_word[w]) for w in unseen) / max(1, len(unseen))
    char_tokens = sum((len(w) + 1) * c for w, c in test_counts.items()) / len(test)
    top = [w for w, _ in freq.most_common(20)]
    top_whole = sum(len(apply_bpe(w, ranks)[0]) == 1 for w in top) / len(top)
    curve = [sum(split[w][1][i] * c for w, c in test_counts.items()) / len(test) for i in range(len(cfg.checkpoints))]
    report(1.0)
    example = max(unseen, key=lambda w: (len(w), w)) if unseen else test[0]
    example_split = " ".join(t.replace(END, "_") for t in per_word.get(example, apply_bpe(example, ranks)[0]))

    # 4. report
    rows = [
        ["word-level", len(word_vocab), word_oov, type_oov, 1.0],
        [
            f"BPE, {len(merges)} merges",
            len(bpe_vocab),
            bpe_oov,
            0.0 if bpe_oov == 0 else bpe_oov,
            bpe_tokens / len(test),
        ],
        ["characters", len(base), 0.0, 0.0, char_tokens],
    ]
    metrics: dict[str, float | int | str] = {
        "word_vocab_size": len(word_vocab),
        "bpe_vocab_size": len(bpe_vocab),
        "char_vocab_size": len(base),
        "word_oov_rate": word_oov,
        "word_type_oov_rate": type_oov,
        "bpe_oov_rate": bpe_oov,
        "bpe_tokens_per_word": bpe_tokens / len(test),
        "bpe_tokens_per_unseen_word": unseen_tokens,
        "char_tokens_per_word": char_tokens,
        "top20_single_token_share": top_whole,
        "unseen_test_types": len(unseen),
        "example": example,
        "example_split": example_split,
    }
    parts = [
        f"A word vocabulary of all {len(word_vocab)} training word types leaves {word_oov:.1%} of test tokens "
        f"({type_oov:.0%} of test word types) as [UNK].",
    ]
    if bpe_oov == 0:
        parts.append(
            f"BPE with {len(bpe_vocab)} symbols ({len(base)} characters + {len(merges)} merges) has 0% out of "
            f"vocabulary, because any word can fall back to characters:"
        )
    else:
        parts.append(f"BPE with {len(bpe_vocab)} symbols still has {bpe_oov:.1%} out-of-vocabulary pieces:")
    parts.append(
        f"it spends {fmt(bpe_tokens / len(test))} tokens per test word ({fmt(unseen_tokens)} on unseen words, e.g. "
        f"{example} = {example_split}) against {fmt(char_tokens)} for characters, and {top_whole:.0%} of the 20 "
        "most frequent training words are a single token."
    )
    return DemoResult(
        header=(
            f"Words built from prefixes, {cfg.stems} stems and suffixes; {cfg.train_words} training tokens use "
            f"{len(seen)} stems, {cfg.test_words} test tokens all of them. A word-level vocabulary, BPE with "
            f"{len(merges)} learned merges and plain characters are compared on the test text."
        ),
        columns=["vocabulary", "size", "test tokens OOV", "test word types OOV", "tokens per word"],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title="BPE tokens per test word vs number of merges",
                series=[Series("BPE", curve, x=[float(m) for m in cfg.checkpoints])],
                x_label="merges",
            )
        ],
    )
