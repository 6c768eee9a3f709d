"""The key-point matcher: recall and precision against human judgements, and what it normalises.

Three judged sets are scored here, for the matcher and for the old rule it replaced (`old_matched_points`), and all
three are development sets now: their figures are optimistic, and only answers nobody has looked at estimate new
ones. matching_labels.yaml holds the judgements the matcher was first tuned on (and the bank's first `also:`
wordings were written against); matching_holdout.yaml was written afterwards, and the second round of rules
(idioms, more synonyms) and the bank-wide `also:` wordings were developed looking at both; matching_fresh.yaml was
written blind and scored once, then the third round (the checks for contradictions, the card-shared word weights,
stated numbers, more `also:` wordings) was developed looking at all three. matching_blind2.yaml was written blind
and scored once, then the checks for negation and for claims said of another name were developed looking at it.
matching_blind3.yaml, written blind after that, was scored once and never tuned on: it alone estimates new answers.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from quizdl.bank import matching
from quizdl.bank.loader import collect, load_bank
from quizdl.bank.matching import matched_points
from quizdl.bank.model import Bank, Question

HERE = Path(__file__).parent
LABELS = HERE / "matching_labels.yaml"
HOLDOUT = HERE / "matching_holdout.yaml"
FRESH = HERE / "matching_fresh.yaml"  # written blind, scored once (0.912 / 0.843), since tuned on


def old_matched_points(typed: str, key_points: tuple[str, ...] | list[str]) -> list[bool]:
    """The rule this matcher replaced: a point ticks when half its 5-letter word prefixes appear in the answer."""
    stop = {"a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "has", "have", "how", "in", "into", "is", "it", "its", "of", "on", "or", "than", "that", "the", "their", "them", "then", "there", "these", "this", "to", "too", "was", "were", "what", "when", "where", "which", "while", "who", "why", "will", "with", "without", "you", "your", "more", "less", "most", "each", "every", "also", "not", "no", "all", "any", "some", "one", "two", "only", "both", "very", "much", "many"}  # fmt: skip

    def stems(text: str) -> set[str]:
        return {w[:5] for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in stop and (len(w) > 2 or w.isdigit())}

    said = stems(typed)
    if not said:
        return [False] * len(key_points)
    return [bool(w := stems(p)) and len(w & said) * 2 >= len(w) for p in key_points]


@dataclass(frozen=True)
class Judged:
    card: Question
    answer: str
    ticks: frozenset[int]  # the key points a human grader ticks; every other point of the card is a "no"


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank()


def judgements(bank: Bank, path: Path) -> list[Judged]:
    """The judged answers in `path`, refusing labels written against key points the bank no longer has."""
    out = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["cards"]:
        card = bank.get(entry["card"])
        assert card is not None, f"{path.name}: card {entry['card']!r} is no longer in the bank"
        assert list(card.key_points) == entry["points"], (
            f"{path.name}: the key points of {card.id!r} changed since its answers were labelled; relabel that"
            " card's answers from scratch (do not just edit the ticks until the matcher passes)"
        )
        for answer in entry["answers"]:
            assert all(0 <= t < len(card.key_points) for t in answer["ticks"]), f"{path.name}: {card.id}: bad tick"
            out.append(Judged(card, answer["text"], frozenset(answer["ticks"])))
    return out


def score(judged: list[Judged], matcher) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """True positives, false positives and false negatives of `matcher(answer, card)` over `judged`."""
    tp = fp = fn = 0
    for j in judged:
        for i, hit in enumerate(matcher(j.answer, j.card)):
            want = i in j.ticks
            tp += want and hit
            fp += hit and not want
            fn += want and not hit
    return tp, fp, fn


MATCHERS = {
    "old rule": lambda typed, card: old_matched_points(typed, card.key_points),
    "new, no also:": lambda typed, card: matched_points(typed, card.key_points, question=card.question),
    "new": lambda typed, card: matched_points(typed, card.key_points, card.key_point_alternatives, card.question),
}


def report(name: str, judged: list[Judged], capsys: pytest.CaptureFixture[str]) -> dict[str, tuple[float, float]]:
    results = {}
    with capsys.disabled():
        print(f"\n{name}: {len(judged)} answers, {sum(len(j.card.key_points) for j in judged)} judgements")
        for label, matcher in MATCHERS.items():
            tp, fp, fn = score(judged, matcher)
            recall, precision = tp / (tp + fn), tp / max(1, tp + fp)
            results[label] = (recall, precision)
            print(f"  {label:14} recall {recall:.3f} ({tp}/{tp + fn})  precision {precision:.3f} ({tp}/{tp + fp})")
    return results


def test_the_labelled_set_is_broad_enough(bank: Bank) -> None:
    judged = judgements(bank, LABELS)
    cards = {j.card.id for j in judged}
    assert sum(len(j.card.key_points) for j in judged) >= 180
    assert len(cards) >= 30
    assert len({j.card.topic for j in judged}) >= 10
    assert sum(not j.ticks for j in judged) >= 10  # whole answers that are wrong or about something else


def test_recall_and_precision_on_the_labelled_set(bank: Bank, capsys: pytest.CaptureFixture[str]) -> None:
    """A regression guard, below the figures reached (0.99 / 0.94 with `also:`, 0.75 / 0.93 without)."""
    results = report("labelled set (tuned on)", judgements(bank, LABELS), capsys)
    recall, precision = results["new"]
    assert recall >= 0.95 and precision >= 0.93
    assert recall > results["old rule"][0] and precision > results["old rule"][1]


def test_recall_and_precision_on_the_held_out_set(bank: Bank, capsys: pytest.CaptureFixture[str]) -> None:
    """A regression guard only, below the figures reached (0.95 / 0.97 with `also:`, 0.77 / 0.97 without): this
    set has been looked at while the rules and wordings were developed, so it no longer estimates new answers."""
    results = report("held-out set (now a development set)", judgements(bank, HOLDOUT), capsys)
    recall, precision = results["new"]
    assert recall >= 0.92 and precision >= 0.96
    assert recall > results["old rule"][0]


def test_the_fresh_blind_set_is_broad_enough(bank: Bank) -> None:
    judged = judgements(bank, FRESH)
    assert sum(len(j.card.key_points) for j in judged) >= 230
    assert len({j.card.id for j in judged}) >= 45 and len({j.card.topic for j in judged}) >= 14
    assert sum(not j.ticks for j in judged) >= 15


def test_recall_and_precision_on_the_fresh_blind_set(bank: Bank, capsys: pytest.CaptureFixture[str]) -> None:
    """Written by someone who never saw the matcher, its tables or the bank's `also:` wordings, and scored blind
    once: recall 0.912, precision 0.843 (the old rule 0.574 / 0.840), the precision short of the 0.90 wanted.
    It has since been tuned on: the checks for contradictions (most of its false ticks were wrong answers in the
    card's own words), the card-shared word weights, stated numbers and more `also:` wordings were developed
    looking at it, so its figures now (0.96 / 0.92 with `also:`, 0.72 / 0.92 without) are optimistic too. The
    asserts guard them; only a new blind set can tell whether precision reaches 0.90 on new answers."""
    results = report("fresh set (scored blind once, now a development set)", judgements(bank, FRESH), capsys)
    recall, precision = results["new"]
    assert recall >= 0.94 and precision >= 0.90
    assert recall > results["old rule"][0] + 0.3


@pytest.mark.parametrize(
    ("path", "least_recall"), [(LABELS, 0.74), (HOLDOUT, 0.75), (FRESH, 0.70)], ids=["labelled", "held-out", "fresh"]
)
def test_the_rules_alone_recall_most_points(bank: Bank, path: Path, least_recall: float) -> None:
    """Without any `also:` wording (a card's points as written): a guard on the general rules, which are all a
    new or edited card can count on."""
    tp, fp, fn = score(judgements(bank, path), MATCHERS["new, no also:"])
    assert tp / (tp + fn) >= least_recall and tp / (tp + fp) >= 0.91


def test_every_key_point_in_the_bank_ticks_when_typed_as_written(bank: Bank) -> None:
    missed = [
        (q.id, text)
        for q in bank.questions
        for i, point in enumerate(q.key_points)
        for text in (point, *(q.key_point_alternatives[i] if q.key_point_alternatives else ()))
        if not matched_points(text, [text])[0]
    ]
    assert missed == []


def ticks(typed: str, point: str) -> bool:
    return matched_points(typed, [point])[0]


@pytest.mark.parametrize(
    ("point", "typed"),
    [
        ("sigmoid derivative at most 0.25", "the sigmoid's derivative never exceeds 1/4"),
        ("sigmoid derivative at most 0.25", "sigmoid derivative is at most a quarter"),
        ("sigmoid derivative at most 0.25", "sigmoid derivative peaks at 25%"),
        ("sigmoid derivative at most 0.25", "sigmoid derivative at most .25"),
        ("mask 75% of the patches", "mask three quarters of the patches"),
        ("mask 75% of the patches", "mask 3/4 of the patches"),
        ("mask 75% of the patches", "mask 0.75 of the patches"),
        ("dropout probability 0.5", "dropout probability of a half"),
        ("dropout probability 0.5", "dropout with 50% probability"),
        ("learning rate 1e-3", "learning rate of 0.001"),
        ("twelve attention heads", "12 attention heads"),
        ("ten epochs", "10 epochs"),
        ("a hundred warmup steps", "100 warmup steps"),
        ("70B parameters", "70 billion parameters"),
        ("10,000 examples", "10000 examples"),
        ("costs about 33% more compute", "costs a third more compute"),
    ],
)
def test_numbers_in_their_usual_spellings(point: str, typed: str) -> None:
    assert ticks(typed, point)


@pytest.mark.parametrize(
    ("point", "typed"),
    [("derivative at most 0.25", "derivative at most 0.5"), ("75% masked", "25% masked"), ("1e-3 rate", "1e-4 rate")],
)
def test_different_numbers_do_not_match(point: str, typed: str) -> None:
    assert not ticks(typed, point)


@pytest.mark.parametrize(
    ("point", "typed"),
    [
        ("lower the learning rate", "reduce the lr"),
        ("batch normalization allows higher learning rates", "BN lets you use a bigger lr"),
        ("validation accuracy stops improving", "val acc stops improving"),
        ("stochastic gradient descent is noisy", "SGD is noisy"),
        ("gradient descent steps downhill", "GD steps downhill"),
        ("the network overfits", "the nn overfits"),
        ("rectified linear units avoid saturation", "ReLU avoids saturation"),
        ("gradients explode", "the gradients blow up"),
        ("units are zeroed during training", "units are switched off during training"),
        ("dying ReLU", "ReLU units die"),
        ("gradients vanish in early layers", "gradients shrink toward zero in early layers"),
        ("fewer trainable parameters", "fewer trainable params"),
        ("L2 regularization", "L2 reg"),
        ("cross-entropy loss", "CE loss"),
        ("KL divergence to the prior", "Kullback-Leibler divergence to the prior"),
        ("skip connections", "residual connections"),
    ],
)
def test_abbreviations_and_synonyms(point: str, typed: str) -> None:
    assert ticks(typed, point)


@pytest.mark.parametrize(
    ("point", "typed"),
    [
        ("gradients shrink through saturating activations", "the gradient shrinks when activations saturate"),
        ("regularize the weights", "weight regularization"),
        ("normalize the inputs", "normalise the input"),
        ("colour jitter augmentation", "color jittering as augmentations"),
        ("mean-centered outputs", "outputs are mean-centred"),
    ],
)
def test_stemming_and_spelling(point: str, typed: str) -> None:
    assert ticks(typed, point)


@pytest.mark.parametrize(
    ("point", "typed"),
    [
        ("KL is non-negative", "KL >= 0 always"),
        ("KL is non-negative", "KL ≥ 0"),
        ("epsilon-greedy exploration", "ε-greedy exploration"),
        ("lower the learning rate", "lower η"),
        ("monitor samples and FID", "watch the samples and the Fréchet inception distance"),
        ("over-confident predictions", "overconfident predictions"),
        ("can be initialized from pretrained embeddings", "initialised from pre-trained embeddings"),
        ("prevents co-adaptation of neurons", "prevents coadaptation of neurons"),
        ("non-negative outputs", "nonnegative outputs"),
        ("less sensitive to initialization", "less fussy about the initialization"),
        ("outputs are sparse", "sparsity of the outputs"),
    ],
)
def test_symbols_accents_prefixes_and_word_families(point: str, typed: str) -> None:
    assert ticks(typed, point)


@pytest.mark.parametrize(
    ("point", "typed"),
    [
        ("multi-head attention", "MHA"),
        ("mixture of experts", "MoE layers"),
        ("all-reduce averages gradients", "allreduce averages the gradients"),
        ("linear warmup", "linear warm-up"),
        ("LSTM gates", "long short-term memory gates"),
        ("expected calibration error", "ECE"),
        ("directed acyclic graph", "a graph with no cycles"),  # an abbreviation keeps its parts
        ("O(n^2) cost in sequence length", "cost is quadratic in the sequence length"),
        ("quadratic memory", "memory grows as n squared"),
        ("doubles the memory", "twice the memory"),
        ("2x the memory", "double the memory"),
        ("off-policy methods reuse old data", "off policy methods reuse old data"),
        ("randomly zeroes units", "units drop out randomly"),
        ("KL divergence to the prior", "KL to the prior"),
        ("can be initialized from pretrained embeddings", "start from word2vec vectors"),
    ],
)
def test_more_abbreviations_and_synonyms(point: str, typed: str) -> None:
    assert ticks(typed, point)


@pytest.mark.parametrize(
    ("point", "typed"),
    [
        ("weight sharing", "the same filter is slid over the whole image"),
        ("mode collapse", "the generator keeps producing the same few outputs"),
        ("chain rule", "multiply the local derivatives going backwards"),
        ("vanishing gradients", "the gradient gets close to zero in the early layers"),
        ("mean, median or mode imputation", "fill missing values with the median"),
        ("experience replay", "transitions are stored in a buffer and sampled at random"),
        ("the model is over-confident", "the model is too sure of itself"),
        ("high variance", "the gradient estimates are very noisy"),
        ("restore the best checkpoint", "roll back to the best epoch"),
        ("autoregressive generation", "generating text one token at a time"),
    ],
)
def test_paraphrases_say_the_textbook_term(point: str, typed: str) -> None:
    assert ticks(typed, point)


@pytest.mark.parametrize(
    ("point", "typed"),
    [
        ("local connectivity", "attention looks at every token"),
        ("mode collapse", "GANs produce sharp images"),
        ("weight sharing", "each position has its own weights"),
        ("the same filter is applied at every position", "weight sharing"),  # only the answer's paraphrases count
        ("vanishing gradients", "leaky relu keeps a small gradient for negative inputs"),
        ("cross-entropy = entropy + KL divergence", "KL divergence is symmetric"),  # "KL divergence" is one term
        ("off-policy", "on-policy"),
        ("gradients all-reduced across GPUs", "reduce the gradients"),
        ("biases usually start at zero", "batch norm normally makes the bias redundant"),  # "normally" is no norm
        ("positional outputs", "positive outputs"),  # Snowball stems both "posit"
        ("less sensitive to initialization", "higher recall"),  # "sensitive" is not "sensitivity"
        ("quadratic cost", "linear cost"),
    ],
)
def test_paraphrase_and_vocabulary_rules_do_not_overreach(point: str, typed: str) -> None:
    assert not ticks(typed, point)


@pytest.mark.parametrize(
    ("point", "typed", "hit"),
    [
        ("attention heads", "atention heads", True),
        ("temperature scaling", "temprature scaling", True),
        ("ReLU units", "GELU units", False),  # short words are never typos of each other
        ("pretrained model", "retrained model", False),  # nor words that differ in their first letter
    ],
)
def test_one_letter_typos_of_longer_words(point: str, typed: str, hit: bool) -> None:
    assert ticks(typed, point) is hit


def test_answers_that_share_one_word_do_not_tick() -> None:
    assert not ticks("activations can get very large", "sparse activations")
    assert not ticks("we run the model at inference", "running statistics used at inference")
    assert not ticks("the channels double", "channels unchanged")
    assert not ticks("compute the gradient of the loss at each layer", "clip the gradient norm per layer")  # weak


def test_implied_broader_terms_tick_one_way_only() -> None:
    assert ticks("add dropout and weight decay", "more regularization")
    assert not ticks("add more regularization", "dropout and weight decay")


@pytest.mark.parametrize(
    ("point", "typed"),
    [
        ("learning rate sweep", "try several LRs"),  # an abbreviation's plural
        ("eight GPUs", "8 GPU"),
        ("T below 1 sharpens the distribution", "T < 1 sharpens the distribution"),
        ("T above 1 flattens the distribution", "T > 1 flattens the distribution"),
        ("smooths out oscillations", "the zig-zagging is smoothed out"),
        ("two 3x3 convolutions give 5x5", "two 3×3 convolutions give 5 × 5"),
        ("cross-entropy = -sum y log p", "CE = -Σ y log p"),  # a capital sigma is a sum, not a lower-case sigma
        ("higher guidance gives less diversity", "higher guidance gives less variety"),
    ],
)
def test_plurals_comparisons_and_symbols(point: str, typed: str) -> None:
    assert ticks(typed, point)


def test_an_arrow_is_no_comparison() -> None:
    point = "the int8 weights are above the fp32 ones"
    assert ticks("int8 > fp32", point)
    assert not ticks("fp32 -> int8", point)


def test_words_the_cards_points_share_count_less() -> None:
    # "trains" and "models" are in both points, the card's topic: they do not make the boosting point alone.
    points = ["bagging trains models in parallel on resamples", "boosting trains models sequentially on errors"]
    assert matched_points("boosting trains many models", points[1:]) == [True]  # no other point: no topic
    assert matched_points("boosting trains many models", points) == [False, False]
    assert matched_points("boosting trains models sequentially", points) == [False, True]


@pytest.mark.parametrize(
    ("point", "typed", "hit"),
    [
        ("split by time", "split the data by time", True),
        ("split by time", "you dedupe the data before splitting", False),  # "time" is weak, but it is half the point
        ("VGG design", "VGG uses them throughout", True),  # "design" is filler
    ],
)
def test_a_two_word_point_needs_both_words_but_filler(point: str, typed: str, hit: bool) -> None:
    assert ticks(typed, point) is hit


@pytest.mark.parametrize(
    ("point", "typed", "hit"),
    [
        ("two 3x3 convolutions give 5x5", "two 3x3 convolutions give 5x5", True),
        ("two 3x3 convolutions give 5x5", "two 3x3 convolutions give 7x7", False),
        ("a null prompt 10-20% of the time", "a null prompt ~10% of the time", True),  # either end of a range
        ("a null prompt 10-20% of the time", "a null prompt 50% of the time", False),
        ("train networks with 100 or more layers", "train networks with 152 layers", True),  # a bound
        ("train networks with 100 or more layers", "train networks with 50 layers", False),
        ("error = bias^2 + variance + noise", "error is bias squared plus variance plus noise", True),  # no bound
    ],
)
def test_a_stated_number_must_be_said(point: str, typed: str, hit: bool) -> None:
    assert ticks(typed, point) is hit


@pytest.mark.parametrize(
    ("point", "typed", "hit"),
    [
        ("predict context words from the center word", "predicts the context words from the centre word", True),
        ("predict context words from the center word", "predicts the centre word from the context words", False),
        ("loss.backward then optimizer.step", "loss.backward() and then optimizer.step()", True),
        ("loss.backward then optimizer.step", "call optimizer.step() first and then loss.backward()", False),
        ("loss.backward then optimizer.step", "call optimizer.step() after loss.backward()", True),  # "after" reversed
        ("loss.backward then optimizer.step", "after loss.backward(), call optimizer.step()", True),  # fronted
        ("about 20 tokens per parameter", "roughly 20 tokens per param", True),
        ("about 20 tokens per parameter", "about 20 params per token", False),
        ("forward mode needs a pass per input", "forward mode needs one input per pass", True),  # no rate, no roles
    ],
)
def test_a_relation_must_keep_its_roles(point: str, typed: str, hit: bool) -> None:
    assert ticks(typed, point) is hit


@pytest.mark.parametrize(
    ("typed", "hit"),
    [
        ("a low temperature makes the distribution sharper and more confident", True),
        ("a high temperature makes the distribution sharper and more confident", False),
        ("with a low temperature the distribution is sharper and more confident; a high one makes it flatter", True),
    ],
)
def test_an_opposite_in_the_points_place_contradicts_it(typed: str, hit: bool) -> None:
    assert ticks(typed, "low temperature gives a sharper, more confident distribution") is hit


@pytest.mark.parametrize(
    ("point", "typed", "hit"),
    [
        ("precision = TP / (TP + FP)", "precision = TP/(FP+TP)", True),
        ("precision = TP / (TP + FN)", "precision = TP/(TP+FP), recall = TP/(TP+FN)", False),
        ("precision = TP / (TP + FP)", "precision is TP over TP plus FP", True),  # no formula: the words decide
        ("Swish or SiLU = x * sigmoid(x)", "swish is x*sigmoid(x)", True),
        ("Swish or SiLU = x * sigmoid(x)", "swish is x * tanh(softplus(x))", False),
    ],
)
def test_a_formula_must_be_the_points_formula(point: str, typed: str, hit: bool) -> None:
    assert ticks(typed, point) is hit


@pytest.mark.parametrize(
    ("typed", "hit"),
    [
        ("divide the logits by the temperature before the softmax", True),
        ("multiply the logits by the temperature before the softmax", False),
        ("multiply the logits by the inverse temperature before the softmax", True),  # a reciprocal divides
        ("multiply the logits by 1/T before the softmax", True),
    ],
)
def test_multiplying_is_not_dividing(typed: str, hit: bool) -> None:
    assert ticks(typed, "divide logits by the temperature before softmax") is hit


def test_a_point_that_does_both_operations_is_not_judged_by_them() -> None:
    assert ticks("divide the gradients by S before the update", "multiply the loss by S, divide the gradients by S")


def test_a_for_pairing_must_not_be_crossed() -> None:
    points = ["Xavier for tanh and sigmoid", "He init for ReLU"]
    assert matched_points("Xavier for tanh, He for ReLU", points) == [True, True]
    assert matched_points("Xavier for ReLU and He for tanh", points) == [False, False]
    assert matched_points("use Xavier for tanh", points) == [True, False]
    huber = ["Huber is quadratic for small errors and linear for large errors"]
    assert matched_points("Huber: quadratic for small errors, linear for large ones", huber) == [True]
    assert matched_points("Huber is linear for small errors and quadratic for large ones", huber) == [False]


def test_a_contradicted_wording_does_not_count_and_the_points_own_vetoes() -> None:
    point = "predict context words from the center word"
    also = ("skip-gram predicts the words around the centre word",)
    swapped = "skip-gram predicts the centre word from the words around it"
    assert matched_points(swapped, [point], [also]) == [False]  # the point's own wording is contradicted
    assert matched_points("skip-gram predicts the words around the centre word", [point], [also]) == [True]


@pytest.mark.parametrize(
    ("point", "typed", "hit"),
    [
        ("sigmoid saturates and is not zero-centered", "Sigmoid is zero-centered and it saturates", False),
        (
            "sigmoid saturates and is not zero-centered",
            "sigmoid saturates and its outputs are not centred at zero",
            True,
        ),
        ("sigmoid saturates and is not zero-centered", "sigmoid saturates; it's never zero-centered", True),
        ("valid means no padding", "'valid' pads with the edge pixel values", False),
        ("valid means no padding", "'valid' means you don't pad at all", True),
        # a clause with a denying word is no assertion, even when the denial's scope misses the word
        ("L2 shrinks weights without zeroing them", "L2 pulls weights toward 0 but they never get exactly 0", True),
        ("must be differentiable", "it doesn't need to be differentiable", False),
        ("must be differentiable", "it must be differentiable, not piecewise constant", True),
        ("trained by backpropagation", "MLPs are trained with the perceptron rule, not backprop", False),
        ("trained by backpropagation", "MLPs are trained with backprop, not the perceptron rule", True),
    ],
)
def test_a_denial_must_keep_its_polarity(point: str, typed: str, hit: bool) -> None:
    assert ticks(typed, point) is hit


def test_contractions_are_negations() -> None:
    words = matching._tables().words_of("it won't fit, you can't, it doesn't")
    assert words == ["it", "will", "not", "fit", "you", "cannot", "it", "does", "not"]
    assert not ticks("MLPs are trained, but you can't backprop through them", "trained by backpropagation")


def test_a_claim_said_of_another_name_the_question_asks_about_does_not_tick() -> None:
    question = "How do GANs and autoencoders differ in goal, training signal and output?"
    points = ["autoencoder reconstructs its input through a bottleneck", "GAN generates new samples from noise"]
    swapped = "GANs reconstruct their input through a bottleneck, while autoencoders generate new samples from noise"
    assert matched_points(swapped, points, question=question) == [False, False]
    assert matched_points(swapped, points) == [True, True]  # without the question, the card's names are unknown
    right = (
        "An autoencoder reconstructs its input through a bottleneck, while a GAN generates samples from random noise"
    )
    assert matched_points(right, points, question=question) == [True, True]
    both = "GANs generate new samples from noise; unlike GANs, an autoencoder reconstructs its input via a bottleneck"
    assert matched_points(both, points, question=question) == [True, True]


def test_alternative_wordings_tick_a_point() -> None:
    points = ("symmetry is never broken", "biases can be zero")
    typed = "the neurons stay copies of each other forever"
    assert matched_points(typed, points) == [False, False]
    assert matched_points(typed, points, [("neurons stay copies of each other",), ()]) == [True, False]
    assert matched_points(typed, points, [("neurons stay copies of each other",)]) == [True, False]  # shorter
    assert matched_points(typed, points, ()) == [False, False]


def test_empty_answers_and_empty_cards() -> None:
    points = ("gradients shrink", "residual connections")
    assert matched_points("", points) == [False, False]
    assert matched_points("   \n\t", points) == [False, False]
    assert matched_points("...", points) == [False, False]
    assert matched_points("residual connections", ()) == []


CARD = """\
topic: custom
questions:
  - id: my-card
    question: Why clip gradients?
    answer: To stop them exploding.
    key_points:
      - plain point
      - {point: "clip by global norm", also: ["rescale the whole gradient vector"]}
      - point: lower the learning rate
        also:
          - use a smaller step size
    difficulty: 1
    tags: [basics]
    origin: added
"""


def test_key_points_may_carry_alternative_wordings(tmp_path: Path) -> None:
    path = tmp_path / "custom.yaml"
    path.write_text(CARD, encoding="utf-8")
    bank, problems = collect([path])
    card = bank.get("my-card")
    assert problems == [] and card is not None
    assert card.key_points == ("plain point", "clip by global norm", "lower the learning rate")
    assert card.key_point_alternatives == ((), ("rescale the whole gradient vector",), ("use a smaller step size",))
    path.write_text(CARD.replace("      - {point", "      - {pont").replace("\n      - point:", "\n      - x:"))
    assert collect([path])[1][0].startswith(f"{path}:8: card 'my-card': each key point must be text or")


def test_cards_without_alternatives_keep_an_empty_tuple(bank: Bank, tmp_path: Path) -> None:
    # Every shipped card now has some `also:` wording, so a card without any is built here.
    path = tmp_path / "custom.yaml"
    head, tail = CARD.split("    key_points:")
    plain_points = "    key_points: [plain point, clip by global norm, lower the learning rate]\n"
    path.write_text(head + plain_points + tail[tail.index("    difficulty:") :])
    card = collect([path])[0].get("my-card")
    assert card is not None and card.key_point_alternatives == ()
    plain = [q for q in bank.questions if not q.key_point_alternatives]
    assert all(q.key_point_alternatives == () for q in plain)
    assert all(len(q.key_point_alternatives) == len(q.key_points) for q in bank.questions if q.key_point_alternatives)


@pytest.mark.parametrize(
    ("item", "line", "message"),
    [
        ('{point: "x", also: "not a list"}', 8, "a key point's 'also' must be a list of non-empty text"),
        ('{point: "x", also: [""]}', 8, "a key point's 'also' must be a list of non-empty text"),
        ('{point: "", also: ["y"]}', 8, "each key point must be text or"),
        ('{point: "x", extra: ["y"]}', 8, "each key point must be text or"),
        ("[nested, list]", 6, "each key point must be text or"),
        ('""', 6, "each key point must be text or"),
    ],
)
def test_bad_key_points_are_reported_with_file_and_line(tmp_path: Path, item: str, line: int, message: str) -> None:
    path = tmp_path / "custom.yaml"
    path.write_text(CARD.replace("      - plain point\n", f"      - plain point\n      - {item}\n"), encoding="utf-8")
    bank, problems = collect([path])
    assert bank.get("my-card") is None
    assert len(problems) == 1 and problems[0].startswith(f"{path}:{line}: card 'my-card': {message}")


SPEED = """
import time
import quizdl.bank.matching as m
from quizdl.bank.loader import load_bank
bank = load_bank()
start = time.perf_counter()
tables = m._tables()
build = time.perf_counter() - start
texts = [q.answer + " " for q in bank.questions]  # not the texts matched below, so that no cache serves them
start = time.perf_counter()
for text in texts:
    tables.sequence(text)
floor = (time.perf_counter() - start) / len(texts)
start = time.perf_counter()
for q in bank.questions:
    m.matched_points(q.answer, q.key_points, q.key_point_alternatives, q.question)
print(build, (time.perf_counter() - start) / len(bank.questions), floor)
"""


def test_matching_is_fast_from_a_fresh_process(capsys: pytest.CaptureFixture[str]) -> None:
    """Each card's model answer (~190 words, longer than most typed answers) matched against its key points, in
    a fresh interpreter. The floor is one tokenizing pass over the same answers (which every match needs once):
    matching costs ~3x that (~5 ms per card on the 2-core sandbox, where the floor is ~1.7 ms), the checks for
    contradictions reading the answer's clauses a second time; the one-time build is ~90 ms."""
    done = subprocess.run([sys.executable, "-c", SPEED], capture_output=True, text=True, check=True)
    build, per_card, floor = map(float, done.stdout.split())
    with capsys.disabled():
        print(
            f"\nmatcher: {1e3 * per_card:.2f} ms per card, {per_card / floor:.1f}x a tokenizing pass"
            f" ({1e3 * floor:.2f} ms); first-use build {1e3 * build:.0f} ms"
        )
    assert per_card < 5 * floor
    assert build < 0.5


def test_importing_the_matcher_defers_the_stemmer() -> None:
    code = "import sys, quizdl.bank.matching; print('snowballstemmer' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_numbers_with_an_exponent_are_read_as_their_value() -> None:
    """3.4e+38's token once decoded its exponent letter as the digit 4 ("3.44+38"), which crashed a bound check
    ("at least 100") on any answer saying such a number."""
    assert ticks("the max is about 3.4e38", "max about 3.4e38")
    assert not ticks("the max is about 3.4e37", "max about 3.4e38")
    assert ticks("it underflows below 6e-8", "underflows below about 6e-8")
    assert matched_points("fp32 goes up to 3.4e38", ["100 or more layers"]) == [False]
    assert ticks("resnets with 1e3 layers", "100 or more layers")


BLIND2 = HERE / "matching_blind2.yaml"  # written blind (see its header); scored once, since a development set


def test_the_second_blind_set_is_broad_enough(bank: Bank) -> None:
    judged = judgements(bank, BLIND2)
    assert sum(len(j.card.key_points) for j in judged) >= 1000
    assert len({j.card.id for j in judged}) >= 70 and len({j.card.topic for j in judged}) == 20
    assert sum(not j.ticks for j in judged) >= 60


def test_recall_and_precision_on_the_second_blind_set(bank: Bank, capsys: pytest.CaptureFixture[str]) -> None:
    """219 answers on 73 cards no earlier set used, written by someone who never saw the matcher, its tables or the
    bank's `also:` wordings, scored once after the third round of precision rules was frozen: recall 0.930,
    precision 0.683 (the old rule 0.776 / 0.678). 199 of the 247 false ticks were on the 66 answers that are wrong
    throughout while reusing the card's vocabulary. The negation and misattribution checks were then developed
    looking at it (0.930 / 0.695 now), so it is a development set too; the asserts guard what is reached."""
    results = report("second blind set (scored blind once, now a development set)", judgements(bank, BLIND2), capsys)
    recall, precision = results["new"]
    assert recall >= 0.92 and precision >= 0.69
    assert precision > results["old rule"][1]


BLIND3 = HERE / "matching_blind3.yaml"  # written blind (see its header); scored once, never tuned on


def test_the_third_blind_set_is_broad_enough(bank: Bank) -> None:
    judged = judgements(bank, BLIND3)
    assert sum(len(j.card.key_points) for j in judged) >= 950
    assert len({j.card.id for j in judged}) >= 50 and len({j.card.topic for j in judged}) >= 19
    assert sum(not j.ticks for j in judged) >= 45
    assert not {j.card.id for j in judged} & {j.card.id for path in (LABELS, HOLDOUT, FRESH, BLIND2)
                                              for j in judgements(bank, path)}  # fmt: skip


def test_recall_and_precision_on_the_third_blind_set(bank: Bank, capsys: pytest.CaptureFixture[str]) -> None:
    """The honest estimate now: 187 answers on 50 cards no earlier set used, written blind like the second set and
    scored once after the negation and misattribution checks were frozen: recall 0.923, precision 0.836 (the
    matcher before those checks 0.923 / 0.834; the old rule 0.753 / 0.851). 51 of the 80 false ticks are on the
    47 answers that are wrong throughout; on the other answers precision is 0.933. The precision goal of issue 12
    (0.90) is missed on new answers. The asserts guard what was measured; tuning on this file would end its use."""
    results = report("third blind set (never tuned on)", judgements(bank, BLIND3), capsys)
    recall, precision = results["new"]
    assert recall >= 0.92 and precision >= 0.83
    assert recall > results["old rule"][0] + 0.15
