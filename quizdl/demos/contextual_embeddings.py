"""Static vs contextual embeddings of an ambiguous word: one vector for both senses, or one per context.

Generated sentences of 6 tokens each contain the ambiguous word "bank" once, two words of its sense
(river: water, shore, fish ... or money: loan, cash, account ...) and three fillers. A tiny encoder, an
embedding table followed by one self-attention layer with a residual connection, is trained on a
self-supervised task: from each position's output vector, predict the other words of its sentence. It is
never told the sense.

The static embedding of "bank" is one row of the table, the same vector in every sentence: the cosine
between its river and money uses is exactly 1 and no probe can read the sense from it. The contextual
vector, the attention layer's output at the position of "bank", mixes in the surrounding words: we measure
the cosine between river-sense and money-sense vectors, and the accuracy of a linear probe (logistic
regression fit on half of the sentences, tested on the other half) that reads the sense from it,
for the untrained and the trained encoder.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import fmt, randn, seeded, thin, ticker, train
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo

RIVER = ("water", "shore", "fish", "boat", "mud", "stream")
MONEY = ("loan", "cash", "account", "credit", "teller", "deposit")
FILLERS = ("the", "a", "of", "at", "on", "by")
VOCAB = ("bank", *RIVER, *MONEY, *FILLERS)


@dataclass(frozen=True)
class Config:
    sentences: int = 256  # each river or money at random
    sense_words: int = 2  # words of the sense per sentence
    fillers: int = 3  # filler words per sentence
    dim: int = 16  # embedding size
    steps: int = 80  # full-batch Adam steps
    lr: float = 0.03  # Adam learning rate
    ridge: float = 1e-3  # L2 penalty of the linear probe (ridge regression)


class Encoder(nn.Module):
    """Embedding table + one single-head self-attention layer with a residual; a linear head over the vocabulary."""

    def __init__(self, vocab: int, dim: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.head = nn.Linear(dim, vocab)
        self.dim = dim

    def contextual(self, tokens: Tensor) -> Tensor:
        x = self.embed(tokens)
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        att = torch.softmax(q @ k.transpose(1, 2) / self.dim**0.5, dim=-1)
        return x + att @ v

    def forward(self, tokens: Tensor) -> Tensor:
        return self.head(self.contextual(tokens))


def _sentences(cfg: Config, gen: torch.Generator) -> tuple[Tensor, Tensor]:
    """Token ids [n, length] (positions shuffled) and the sense of each sentence (0 river, 1 money)."""
    n = cfg.sentences
    sense = torch.randint(0, 2, (n,), generator=gen)
    first_sense = 1 + sense * len(RIVER)  # RIVER ids start at 1, MONEY ids after them
    words = first_sense[:, None] + torch.randint(0, len(RIVER), (n, cfg.sense_words), generator=gen)
    fill = 1 + len(RIVER) + len(MONEY) + torch.randint(0, len(FILLERS), (n, cfg.fillers), generator=gen)
    tokens = torch.cat([torch.zeros(n, 1, dtype=torch.long), words, fill], dim=1)
    order = torch.rand(tokens.shape, generator=gen).argsort(dim=1)
    return tokens.gather(1, order), sense


@torch.no_grad()
def _bank_vectors(model: Encoder, tokens: Tensor) -> tuple[Tensor, Tensor]:
    """Static (table row) and contextual (attention output) vector of "bank" in every sentence."""
    pos = (tokens == 0).float().argmax(dim=1)
    rows = torch.arange(tokens.shape[0], device=tokens.device)
    static = model.embed(tokens)[rows, pos]
    contextual = model.contextual(tokens)[rows, pos]
    return static, contextual


def _cosines(vecs: Tensor, sense: Tensor) -> dict[str, float]:
    """Mean cosine between uses of different senses and between uses of the same sense."""
    x = F.normalize(vecs, dim=1)
    cos = x @ x.T
    same = sense[:, None] == sense[None, :]
    off = ~torch.eye(len(sense), dtype=torch.bool, device=vecs.device)
    return {"cross": float(cos[~same].mean().item()), "within": float(cos[same & off].mean().item())}


def _probe(cfg: Config, vecs: Tensor, sense: Tensor) -> float:
    """Test accuracy of a linear probe (ridge regression onto +-1, fit on one half, tested on the other)."""
    half = vecs.shape[0] // 2
    x = torch.cat([vecs, torch.ones(vecs.shape[0], 1, device=vecs.device)], dim=1)  # features + bias
    y = 2.0 * sense.float() - 1.0
    a = x[:half].T @ x[:half] + cfg.ridge * torch.eye(x.shape[1], device=vecs.device)
    # a 17 x 17 system: solved on the CPU in float64 (linalg support varies across devices)
    w = torch.linalg.solve(a.double().cpu(), (x[:half].T @ y[:half]).double().cpu()).float().to(vecs.device)
    return float(((x[half:] @ w > 0).long() == sense[half:]).float().mean().item())


@demo(
    "contextual-embeddings",
    topic="embeddings-nlp",
    summary='static vs contextual vectors of "bank": cosine 1.0 and a chance probe vs per-context vectors that encode sense',
)
def contextual_embeddings(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)
    dev = ctx.device

    # 1. data: sentences with "bank" in a river or a money context
    tokens_cpu, sense_cpu = _sentences(cfg, gen)
    tokens, sense = tokens_cpu.to(dev), sense_cpu.to(dev)
    v, length = len(VOCAB), tokens.shape[1]
    bag = F.one_hot(tokens, v).float().sum(dim=1)  # [n, V] word counts of each sentence
    others = (bag[:, None, :] - F.one_hot(tokens, v).float()) / (length - 1)  # target: the other words

    # 2. model: embedding + one self-attention layer (seeded init)
    torch.manual_seed(ctx.seed + 1)
    model = Encoder(v, cfg.dim).to(dev)
    with torch.no_grad():  # draw the table from the demo's generator so every device starts alike
        model.embed.weight.copy_(randn(gen, v, cfg.dim, device=dev))
    static0, ctx0 = _bank_vectors(model, tokens)

    # 3. train: predict the other words of the sentence from each position's contextual vector
    def loss_fn() -> Tensor:
        return -(others * torch.log_softmax(model(tokens), dim=-1)).sum(dim=-1).mean()

    losses = train(model, loss_fn, steps=steps, lr=cfg.lr, optimizer="adam", progress=ticker(ctx, "encoder", 0, 0.8))
    static1, ctx1 = _bank_vectors(model, tokens)

    # 4. measure: cosine between senses, and a linear probe for the sense
    results = {}
    for name, vecs in (
        ("static (table row)", static1),
        ("contextual, untrained", ctx0),
        ("contextual, trained", ctx1),
    ):
        results[name] = {**_cosines(vecs, sense), "probe": _probe(cfg, vecs, sense)}
    static_identical = bool((static1 == static1[0]).all().item()) and bool((static0 == static0[0]).all().item())
    ctx.progress("done", 1.0)

    # 5. report
    rows = [[name, r["cross"], r["within"], r["probe"]] for name, r in results.items()]
    st, c0, c1 = results["static (table row)"], results["contextual, untrained"], results["contextual, trained"]
    majority = float(
        max(sense[sense.shape[0] // 2 :].float().mean().item(), 1 - sense[sense.shape[0] // 2 :].float().mean().item())
    )
    metrics: dict[str, float | bool] = {
        "static_identical": static_identical,
        "static_cross_cos": st["cross"],
        "static_probe": st["probe"],
        "majority_rate": majority,
        "untrained_cross_cos": c0["cross"],
        "untrained_within_cos": c0["within"],
        "untrained_probe": c0["probe"],
        "trained_cross_cos": c1["cross"],
        "trained_within_cos": c1["within"],
        "trained_probe": c1["probe"],
        "loss_first": losses[0],
        "loss_last": losses[-1],
    }
    parts = [
        f'The static vector of "bank" is {"the same in all" if static_identical else "NOT identical across"} '
        f"{cfg.sentences} sentences: cosine {fmt(st['cross'])} between river and money uses, and a probe can only give "
        f"every sentence the same answer ({st['probe']:.0%} correct; the larger sense is {majority:.0%} of the test half)."
    ]
    if c1["probe"] > st["probe"] + 0.2 and c1["cross"] < c1["within"]:
        parts.append(
            f"The trained encoder's contextual vectors differ by sense: cosine {fmt(c1['cross'])} across senses vs "
            f"{fmt(c1['within'])} within a sense, and the probe reads the sense with {c1['probe']:.0%} accuracy."
        )
    else:
        parts.append(
            f"The trained encoder's contextual vectors reach cosine {fmt(c1['cross'])} across vs {fmt(c1['within'])} "
            f"within senses and a probe accuracy of {c1['probe']:.0%}, so the sense is not clearly encoded."
        )
    parts.append(
        f"Even untrained, attention mixes the context in (cross-sense cosine {fmt(c0['cross'])}, probe "
        f"{c0['probe']:.0%}); training on the self-supervised task "
        + (
            "sharpens the split."
            if c1["cross"] < c0["cross"] and c1["within"] - c1["cross"] > c0["within"] - c0["cross"]
            else "did not sharpen the split here."
        )
    )
    return DemoResult(
        header=(
            f'{cfg.sentences} generated sentences use "bank" in a river or a money context. A static embedding (one '
            "table row per word) vs contextual vectors from one self-attention layer, untrained and trained to "
            "predict the other words of the sentence; cosines between uses, and a linear probe for the sense."
        ),
        columns=["vector of 'bank'", "cos across senses", "cos within a sense", "sense probe accuracy"],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[Chart(title="encoder training loss", series=[Series("loss", thin(losses))])],
    )
