"""Skip-gram with negative sampling learns that words sharing contexts belong together.

A corpus is generated with planted structure: 5 topics of 6 content words each, plus 10 filler words
("the", "of" ...) that appear everywhere, with Zipf-like frequencies. Each sentence is about one topic:
every token is one of that topic's words or a filler. Nothing tells the model about topics; it only sees
(center, context) pairs from a sliding window, so by the distributional hypothesis words of one topic
should end up with similar vectors.

Skip-gram with negative sampling (SGNS) trains an input vector v_w and an output vector u_c per word to
raise log sigma(u_c . v_w) on each real pair and log sigma(-u_n . v_w) on k noise words drawn from the
unigram distribution to the 3/4 power. We compare the cosine similarity of planted same-topic pairs with
that of different-topic pairs before and after training, and against a skip-gram trained with the full
softmax over the vocabulary, which costs V dot products per pair instead of k + 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from quizdl.demos.common import Adam, fmt, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    topics: int = 5  # planted word groups
    words_per_topic: int = 6  # content words per group
    fillers: int = 10  # function words shared by every topic
    filler_share: float = 0.4  # chance that a token is a filler word
    sentences: int = 300  # sentences in the corpus
    sentence_len: int = 8  # tokens per sentence
    window: int = 2  # context words on each side
    dim: int = 16  # embedding size
    negatives: int = 5  # noise words per real pair (k)
    noise_power: float = 0.75  # noise distribution: unigram ** power
    table_size: int = 10000  # slots of the noise table that negatives are drawn from (as in word2vec)
    steps: int = 100  # full-batch Adam steps
    lr: float = 0.05  # Adam learning rate


def _corpus(cfg: Config, gen: torch.Generator) -> tuple[Tensor, Tensor]:
    """Token ids [sentences, sentence_len] and each content word's topic (-1 for fillers)."""
    n_content = cfg.topics * cfg.words_per_topic
    topic = torch.randint(0, cfg.topics, (cfg.sentences, 1), generator=gen)
    content = topic * cfg.words_per_topic + torch.randint(
        0, cfg.words_per_topic, (cfg.sentences, cfg.sentence_len), generator=gen
    )
    zipf = 1.0 / torch.arange(1, cfg.fillers + 1, dtype=torch.float32)
    filler = n_content + torch.multinomial(zipf, cfg.sentences * cfg.sentence_len, replacement=True, generator=gen)
    is_filler = torch.rand(cfg.sentences, cfg.sentence_len, generator=gen) < cfg.filler_share
    tokens = torch.where(is_filler, filler.view(cfg.sentences, cfg.sentence_len), content)
    word_topic = torch.cat(
        [torch.arange(cfg.topics).repeat_interleave(cfg.words_per_topic), torch.full((cfg.fillers,), -1)]
    )
    return tokens, word_topic


def _pairs(tokens: Tensor, window: int) -> tuple[Tensor, Tensor]:
    """All (center, context) pairs within `window` positions inside each sentence."""
    centers, contexts = [], []
    for off in range(1, window + 1):
        centers += [tokens[:, :-off], tokens[:, off:]]
        contexts += [tokens[:, off:], tokens[:, :-off]]
    return torch.cat([c.reshape(-1) for c in centers]), torch.cat([c.reshape(-1) for c in contexts])


def _similarity(v: Tensor, word_topic: Tensor) -> dict[str, float]:
    """Mean cosine of same-topic and different-topic content-word pairs, and nearest-neighbour topic purity."""
    content = word_topic >= 0
    x = F.normalize(v[content], dim=1)
    t = word_topic[content].to(v.device)
    cos = x @ x.T
    same = t[:, None] == t[None, :]
    off_diag = ~torch.eye(len(t), dtype=torch.bool, device=v.device)
    top = cos.masked_fill(~off_diag, -2.0).topk(same.sum(dim=1).min().item() - 1, dim=1).indices
    return {
        "same": float(cos[same & off_diag].mean().item()),
        "different": float(cos[~same].mean().item()),
        "purity": float(same.gather(1, top).float().mean().item()),
    }


def _train(
    cfg: Config,
    ctx: DemoContext,
    gen: torch.Generator,
    kind: str,
    center: Tensor,
    context: Tensor,
    noise: Tensor,
    vocab: int,
    steps: int,
    span: tuple[float, float],
) -> dict:
    """Skip-gram with negative sampling (kind "sgns") or with the full softmax (kind "softmax").

    Pairs made of the same two words contribute identical loss terms, so each step counts how often every
    (center, context) and (center, noise word) pair occurs and weights one term per word pair by its count:
    the same loss and gradient as summing over the sampled pairs one by one, at a fraction of the cost.
    """
    dev = ctx.device
    v_in = (0.1 * randn(gen, vocab, cfg.dim, device=dev)).requires_grad_(True)
    u_out = (0.1 * randn(gen, vocab, cfg.dim, device=dev)).requires_grad_(True)
    before = v_in.detach().clone()
    opt = Adam([v_in, u_out], lr=cfg.lr)
    n = center.numel()
    pos_counts = torch.bincount(center * vocab + context, minlength=vocab * vocab).view(vocab, vocab).float()
    # word2vec's unigram table: each word fills a share of slots equal to its noise probability
    slots = torch.round(noise.cpu() * cfg.table_size).long()
    table = torch.repeat_interleave(torch.arange(vocab), slots).to(dev)
    center_rep = center.repeat_interleave(cfg.negatives)
    losses: list[float] = []
    report = ticker(ctx, f"skip-gram ({kind})", *span)
    for step in range(steps):
        logits = v_in @ u_out.T  # [V, V]: u_c . v_w for every word pair
        if kind == "sgns":
            # k noise words per real pair, drawn from unigram^(3/4) through the table
            neg = table[torch.randint(0, table.numel(), (n * cfg.negatives,), generator=gen).to(dev)]
            neg_counts = torch.bincount(center_rep * vocab + neg, minlength=vocab * vocab).view(vocab, vocab)
            loss = ((pos_counts * F.softplus(-logits)).sum() + (neg_counts * F.softplus(logits)).sum()) / n
        else:
            loss = -(pos_counts * torch.log_softmax(logits, dim=1)).sum() / n
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.item()))
        if (step + 1) % max(1, steps // 5) == 0:
            report((step + 1) / steps)
    return {"before": before, "after": v_in.detach(), "losses": losses}


@demo(
    "skipgram-negative-sampling",
    topic="embeddings-nlp",
    summary="SGNS on a corpus with planted word groups: same-group cosine rises, cross-group stays low",
)
def skipgram_negative_sampling(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)
    dev = ctx.device

    # 1. data: a generated corpus with planted topics, and its skip-gram pairs
    tokens, word_topic = _corpus(cfg, gen)
    vocab = len(word_topic)
    center, context = (t.to(dev) for t in _pairs(tokens, cfg.window))
    counts = torch.bincount(tokens.reshape(-1), minlength=vocab).float()
    unigram = counts / counts.sum()
    noise = unigram**cfg.noise_power
    noise = noise / noise.sum()
    filler = word_topic < 0

    # 2. models and 3. training: SGNS, then the full-softmax skip-gram for comparison
    sgns = _train(cfg, ctx, gen, "sgns", center, context, noise.to(dev), vocab, steps, (0.0, 0.6))
    full = _train(cfg, ctx, gen, "softmax", center, context, noise.to(dev), vocab, steps, (0.6, 1.0))

    # 4. measure: cosine of planted same-topic pairs vs different-topic pairs, before and after
    s0, s1, f1 = (_similarity(v, word_topic) for v in (sgns["before"], sgns["after"], full["after"]))
    ctx.progress("done", 1.0)
    k = cfg.negatives
    rows = [
        ["random init", "-", s0["same"], s0["different"], s0["same"] - s0["different"], s0["purity"]],
        [f"SGNS, k = {k}", k + 1, s1["same"], s1["different"], s1["same"] - s1["different"], s1["purity"]],
        ["full softmax", vocab, f1["same"], f1["different"], f1["same"] - f1["different"], f1["purity"]],
    ]
    metrics: dict[str, float | int] = {
        "pairs": int(center.numel()),
        "vocab": vocab,
        "same_before": s0["same"],
        "different_before": s0["different"],
        "purity_before": s0["purity"],
        "same_after": s1["same"],
        "different_after": s1["different"],
        "purity_after": s1["purity"],
        "same_softmax": f1["same"],
        "different_softmax": f1["different"],
        "purity_softmax": f1["purity"],
        "dots_per_pair_sgns": k + 1,
        "dots_per_pair_softmax": vocab,
        "filler_share_unigram": float(unigram[filler].sum().item()),
        "filler_share_noise": float(noise[filler].sum().item()),
        "loss_first": sgns["losses"][0],
        "loss_last": sgns["losses"][-1],
    }
    gap0, gap1 = s0["same"] - s0["different"], s1["same"] - s1["different"]
    if gap1 > gap0 + 0.2:
        first = (
            f"Before training, same-topic word pairs have mean cosine {fmt(s0['same'])} and different-topic pairs "
            f"{fmt(s0['different'])}; after {steps} SGNS steps they are {fmt(s1['same'])} vs {fmt(s1['different'])}, "
            f"and {s1['purity']:.0%} of each word's nearest neighbours share its planted topic "
            f"({s0['purity']:.0%} at random init)."
        )
    else:
        first = (
            f"After {steps} SGNS steps same-topic pairs have mean cosine {fmt(s1['same'])} vs {fmt(s1['different'])} "
            f"for different topics (before: {fmt(s0['same'])} vs {fmt(s0['different'])}), so the planted groups were "
            "not clearly recovered."
        )
    fill_u, fill_n = metrics["filler_share_unigram"], metrics["filler_share_noise"]
    flattening = (
        f"Raising the unigram distribution to the {cfg.noise_power:g} power cut the frequent fillers' share of noise "
        f"samples from {fill_u:.0%} to {fill_n:.0%}, so rarer words are drawn as negatives more often."
        if fill_n < fill_u
        else f"The {cfg.noise_power:g} power left the fillers' share of noise samples at {fill_n:.0%} ({fill_u:.0%})."
    )
    takeaway = (
        f"{first} The full softmax reaches {fmt(f1['same'])} vs {fmt(f1['different'])} (purity {f1['purity']:.0%}) "
        f"but scores all {vocab} words per pair where SGNS scores {k + 1}; the softmax cost grows with the "
        f"vocabulary (100k dot products per pair for 100k words), the SGNS cost does not. {flattening}"
    )
    return DemoResult(
        header=(
            f"A generated corpus of {cfg.sentences} sentences over {cfg.topics} planted topics of "
            f"{cfg.words_per_topic} words plus {cfg.fillers} shared fillers; skip-gram (window {cfg.window}) "
            f"trained on its {center.numel()} (center, context) pairs with negative sampling and with the full "
            "softmax. Cosines are between input vectors of content words."
        ),
        columns=[
            "vectors",
            "dot products per pair",
            "cos same topic",
            "cos different topic",
            "gap",
            "neighbour purity",
        ],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[
            Chart(
                title="training loss",
                series=[Series("SGNS", thin(sgns["losses"])), Series("full softmax", thin(full["losses"]))],
            )
        ],
    )
