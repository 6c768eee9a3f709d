"""Knowledge distillation: a small student learns more from a teacher's soft targets than from hard labels.

A teacher MLP (10 -> 64 -> 64 -> 6) is trained on plenty of data (1500 labelled samples of a synthetic
6-class task). A small student (10 -> 32 -> 6) then gets only 100 of those samples, and is trained
- on their hard labels (cross-entropy with the one-hot targets), or
- on the teacher's soft targets at temperature T: the loss is T^2 * KL(softmax(z_t / T) || softmax(z_s / T)).
  The student is trained at the same T and predicts at T = 1 (plain softmax of its logits).
The soft targets say, for each of the 100 inputs, how likely the teacher finds every wrong class, far
more information per example than one label. Without the T^2 factor the soft loss's gradient shrinks
like 1/T^2 once T is large; with it the gradient levels off instead of vanishing (measured at the start of
training). At very high T the scaled loss becomes logit matching, (1 / 2C) * ||centred z_s - centred z_t||^2
per sample (C classes): checked against the loss at the start. Test accuracy on 4000 fresh samples; for
reference the same student trained on all 1500 hard labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from quizdl.demos.common import fmt, mlp, randn, seeded, ticker, train
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    dim: int = 10  # input features
    classes: int = 6  # classes of the synthetic task
    world_hidden: int = 16  # hidden units of the random network that labels the data
    n_teacher: int = 1500  # labelled samples the teacher is trained on
    n_student: int = 100  # of those, the samples the student sees
    n_test: int = 4000  # test samples
    teacher_hidden: int = 64  # teacher: two hidden layers of this width
    student_hidden: int = 32  # student: one hidden layer of this width
    teacher_steps: int = 60  # full-batch Adam steps for the teacher
    student_steps: int = 80  # full-batch Adam steps for each student
    lr: float = 0.02  # Adam learning rate (teacher and students)
    temperature: float = 4.0  # the headline distillation temperature
    temperatures: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 20.0)  # all temperatures tried
    limit_temperature: float = 100.0  # a very high T, only to compare its loss with logit matching


def _soft_loss(student_logits: Tensor, teacher_logits: Tensor, t: float, scale: bool = True) -> Tensor:
    """KL(teacher || student) between the softmaxes at temperature t, times t^2 unless scale is False."""
    kl = F.kl_div(
        F.log_softmax(student_logits / t, dim=1),
        F.log_softmax(teacher_logits / t, dim=1),
        log_target=True,
        reduction="batchmean",
    )
    return kl * t * t if scale else kl


@torch.no_grad()
def _accuracy(net: nn.Module, x: Tensor, y: Tensor) -> float:
    return float((net(x).argmax(dim=1) == y).float().mean().item())


@demo(
    "knowledge-distillation",
    topic="deployment-practice",
    summary="a small student on 100 samples: hard labels vs a teacher's soft targets at temperature T",
)
def knowledge_distillation(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    gen = seeded(ctx)
    steps = ctx.steps_or(cfg.student_steps)

    # 1. data: labels from a fixed random ReLU network (argmax of its centred outputs)
    w1 = randn(gen, cfg.dim, cfg.world_hidden, device=ctx.device) / cfg.dim**0.5
    w2 = randn(gen, cfg.world_hidden, cfg.classes, device=ctx.device)

    def task(n: int) -> tuple[Tensor, Tensor]:
        x = randn(gen, n, cfg.dim, device=ctx.device)
        z = torch.relu(x @ w1)
        return x, ((z - z.mean(dim=0)) @ w2).argmax(dim=1)

    x_big, y_big = task(cfg.n_teacher)
    x_small, y_small = x_big[: cfg.n_student], y_big[: cfg.n_student]
    x_test, y_test = task(cfg.n_test)

    # 2. teacher: a bigger MLP trained on all the labelled data
    teacher = mlp([cfg.dim, cfg.teacher_hidden, cfg.teacher_hidden, cfg.classes], device=ctx.device)
    train(
        teacher,
        lambda: F.cross_entropy(teacher(x_big), y_big),
        steps=cfg.teacher_steps,
        lr=cfg.lr,
        optimizer="adam",
        progress=ticker(ctx, "training the teacher", 0.0, 0.4),
    )
    teacher_acc = _accuracy(teacher, x_test, y_test)
    with torch.no_grad():
        teacher_logits = teacher(x_small)
        teacher_probs_t = torch.softmax(teacher_logits / cfg.temperature, dim=1)
    # how much the soft targets say beyond the label: probability left on the wrong classes at T
    wrong_mass = float((1 - teacher_probs_t.max(dim=1).values).mean().item())

    # 3. students: the same initial weights each time, different targets
    def student() -> nn.Sequential:
        torch.manual_seed(ctx.seed + 1)
        return mlp([cfg.dim, cfg.student_hidden, cfg.classes], device=ctx.device)

    plan: list[tuple[str, float | None]] = [("hard labels", None)] + [(f"soft, T={t:g}", t) for t in cfg.temperatures]
    accs: dict[str, float] = {}
    grads: dict[str, tuple[float, float]] = {}
    match_ratio: dict[str, float] = {}  # T^2 * KL over the logit-matching loss, at the start

    @torch.no_grad()
    def _logit_match_ratio(z: Tensor, t: float) -> float:
        """T^2 * KL at temperature t over (1 / 2C) * mean ||centred z - centred teacher logits||^2."""
        zc, tc = z - z.mean(dim=1, keepdim=True), teacher_logits - teacher_logits.mean(dim=1, keepdim=True)
        logit_match = ((zc - tc) ** 2).sum(dim=1).mean() / (2 * cfg.classes)
        return float((_soft_loss(z, teacher_logits, t) / logit_match).item())

    with torch.no_grad():
        limit_ratio = _logit_match_ratio(student()(x_small), cfg.limit_temperature)
    report = ticker(ctx, "training students", 0.4, 0.95)
    for i, (name, t) in enumerate(plan):
        net = student()
        if t is None:

            def loss(net: nn.Sequential = net) -> Tensor:
                return F.cross_entropy(net(x_small), y_small)
        else:
            # gradient of the soft loss w.r.t. the student's logits at the start, with and without T^2
            z = net(x_small).detach().requires_grad_(True)
            g_raw = torch.autograd.grad(_soft_loss(z, teacher_logits, t, scale=False), z)[0].norm().item()
            grads[name] = (float(g_raw), float(g_raw * t * t))
            match_ratio[name] = _logit_match_ratio(z.detach(), t)

            def loss(net: nn.Sequential = net, t: float = t) -> Tensor:
                return _soft_loss(net(x_small), teacher_logits, t)

        train(net, loss, steps=steps, lr=cfg.lr, optimizer="adam")
        accs[name] = _accuracy(net, x_test, y_test)  # predicts at T = 1: argmax of the plain logits
        report((i + 1) / len(plan))
    ref = student()
    train(ref, lambda: F.cross_entropy(ref(x_big), y_big), steps=steps, lr=cfg.lr, optimizer="adam")
    ref_acc = _accuracy(ref, x_test, y_test)
    ctx.progress("done", 1.0)

    # 4. report
    hard = accs["hard labels"]
    head = f"soft, T={cfg.temperature:g}"
    soft = accs[head]
    soft_names = [n for n, t in plan if t is not None]
    best = max(soft_names, key=lambda n: accs[n])
    g_raw = [grads[n][0] for n in soft_names]
    g_scaled = [grads[n][1] for n in soft_names]
    rows: list[list[object]] = [
        ["teacher", f"{cfg.n_teacher} hard labels", cfg.teacher_hidden, teacher_acc, "", "", ""],
        ["student", f"{cfg.n_student} hard labels", cfg.student_hidden, hard, "", "", ""],
    ]
    rows += [
        [
            "student",
            f"{cfg.n_student} soft targets, {n.split(', ')[1]}",
            cfg.student_hidden,
            accs[n],
            *grads[n],
            match_ratio[n],
        ]
        for n in soft_names
    ]
    rows.append(["student (reference)", f"all {cfg.n_teacher} hard labels", cfg.student_hidden, ref_acc, "", "", ""])
    metrics = {
        "teacher_accuracy": teacher_acc,
        "student_hard_accuracy": hard,
        "student_soft_accuracy": soft,
        "temperature": cfg.temperature,
        "soft_minus_hard": soft - hard,
        "student_soft_accuracy_by_t": [accs[n] for n in soft_names],
        "temperatures": list(cfg.temperatures),
        "best_temperature": float(cfg.temperatures[soft_names.index(best)]),
        "student_all_labels_accuracy": ref_acc,
        "teacher_wrong_class_mass": wrong_mass,
        "soft_grad_norm_unscaled": g_raw,
        "soft_grad_norm_scaled": g_scaled,
        "soft_loss_over_logit_matching": [match_ratio[n] for n in soft_names],
        "soft_loss_over_logit_matching_limit": limit_ratio,
        "limit_temperature": cfg.limit_temperature,
        "n_student": cfg.n_student,
    }
    gain = soft - hard
    parts = [
        f"On {cfg.n_student} samples the small student reaches {hard:.1%} test accuracy from hard labels and "
        f"{soft:.1%} from the teacher's soft targets at T={cfg.temperature:g} ({100 * gain:+.1f} points; the "
        f"teacher, trained on {cfg.n_teacher}, scores {teacher_acc:.1%}, and the student trained on all "
        f"{cfg.n_teacher} labels {ref_acc:.1%}).",
    ]
    if gain > 0.02:
        parts.append(
            f"At T={cfg.temperature:g} the teacher leaves {wrong_mass:.0%} of its probability on wrong classes "
            "on average: which wrong classes look plausible is information a one-hot label does not carry."
        )
    else:
        parts.append("Here the soft targets did not clearly help.")
    parts.append(
        f"Across T = {', '.join(f'{t:g}' for t in cfg.temperatures)} the student scores "
        f"{', '.join(f'{accs[n]:.1%}' for n in soft_names)} (best at {best.split('=')[1]})."
    )
    t_hi, t_lo = cfg.temperatures[-1], cfg.temperatures[-2]
    fall_hi = g_raw[-2] / g_raw[-1]
    parts.append(
        f"Without the T^2 factor the soft loss's gradient falls from {fmt(g_raw[0])} at T={cfg.temperatures[0]:g} "
        f"to {fmt(g_raw[-1])} at T={t_hi:g} ({fmt(fall_hi)}x from T={t_lo:g} to {t_hi:g}, where 1/T^2 predicts "
        f"{fmt((t_hi / t_lo) ** 2)}x); times T^2 it goes from {fmt(g_scaled[-2])} to {fmt(g_scaled[-1])} there"
        + (", levelling off instead of vanishing." if g_scaled[-1] / g_scaled[-2] < fall_hi / 2 else ".")
    )
    ratio_hi, ratio_lo = match_ratio[soft_names[-1]], match_ratio[soft_names[0]]
    parts.append(
        f"The scaled soft loss is {fmt(ratio_lo)}, {fmt(ratio_hi)} and {fmt(limit_ratio)} times the plain "
        f"logit-matching loss at T = {cfg.temperatures[0]:g}, {t_hi:g} and {cfg.limit_temperature:g}"
        + (": at very high T distillation is just matching logits." if abs(limit_ratio - 1) < 0.05 else ".")
    )
    return DemoResult(
        header=(
            f"A teacher MLP trained on {cfg.n_teacher} labelled samples; a small student trained on only "
            f"{cfg.n_student} of them, from hard labels or from the teacher's soft targets at temperature T "
            "(loss T^2 * KL, trained at T, predicting at T = 1). Test accuracy on fresh samples."
        ),
        columns=[
            "model",
            "trained on",
            "hidden width",
            "test accuracy",
            "soft-loss gradient at start",
            "same, times T^2",
            "T^2 KL / logit matching",
        ],
        rows=rows,
        takeaway=" ".join(parts),
        metrics=metrics,
        charts=[
            Chart(
                title=f"student test accuracy ({cfg.n_student} samples) vs distillation temperature",
                series=[
                    Series("soft targets", [accs[n] for n in soft_names], [float(t) for t in cfg.temperatures]),
                    Series("hard labels", [hard] * len(soft_names), [float(t) for t in cfg.temperatures]),
                    Series("teacher", [teacher_acc] * len(soft_names), [float(t) for t in cfg.temperatures]),
                ],
                x_label="temperature T",
            )
        ],
    )
