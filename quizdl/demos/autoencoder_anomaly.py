"""Autoencoder anomaly detection: what the model cannot reconstruct is probably not like its training data.

Normal points lie near a curved 2-D surface inside 16-D space (a random 2 -> 8 -> 16 tanh map plus a little
noise). Anomalies are Gaussian points with exactly the same per-feature mean and standard deviation, so no
single feature, and not their distance from the mean, gives them away; only the joint structure does.

An autoencoder with a 2-unit bottleneck is trained on normal points only. A point's anomaly score is its
reconstruction error; the threshold is the 95th percentile of the scores of held-out normal points, so about
5% of normal points are flagged by design. On a test set with 100 anomalies among 200 normal points we
measure precision and recall, next to the same recipe with the distance from the mean as the score.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from quizdl.demos.common import Adam, fmt, mlp, randn, seeded, thin, ticker
from quizdl.demos.registry import Chart, DemoContext, DemoResult, Series, demo


@dataclass(frozen=True)
class Config:
    dim: int = 16  # features per point
    latent: int = 2  # true dimension of the normal data, and the bottleneck size
    noise: float = 0.05  # std of the noise around the normal surface
    n_train: int = 500  # normal training points
    n_val: int = 500  # held-out normal points that set the threshold
    n_test_normal: int = 200  # normal points in the test set
    n_test_anomalies: int = 100  # anomalies in the test set
    hidden: int = 32  # autoencoder hidden width (16 -> 32 -> 2 -> 32 -> 16)
    steps: int = 200  # full-batch Adam steps
    lr: float = 0.01  # Adam learning rate
    quantile: float = 0.95  # threshold = this quantile of normal validation scores


def detect(score_val: Tensor, score_normal: Tensor, score_anom: Tensor, quantile: float) -> dict[str, float]:
    """Threshold at the quantile of normal validation scores; precision/recall/F1 on the test scores."""
    threshold = torch.quantile(score_val, quantile)
    tp = float((score_anom > threshold).sum().item())
    fp = float((score_normal > threshold).sum().item())
    fn = float(score_anom.numel()) - tp
    precision = tp / max(tp + fp, 1.0)
    recall = tp / max(tp + fn, 1.0)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    auroc = float((score_anom[:, None] > score_normal[None, :]).float().mean().item())  # P(anomaly ranks higher)
    return {
        "threshold": float(threshold.item()),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "false_positive_rate": fp / score_normal.numel(),
        "auroc": auroc,
        "mean_normal": float(score_normal.mean().item()),
        "mean_anomaly": float(score_anom.mean().item()),
    }


@demo(
    "autoencoder-anomaly",
    topic="generative",
    summary="reconstruction error separates anomalies; precision and recall at a threshold",
)
def autoencoder_anomaly(ctx: DemoContext) -> DemoResult:
    cfg = Config()
    steps = ctx.steps_or(cfg.steps)
    gen = seeded(ctx)

    # 1. data: normal points near a curved 2-D surface; anomalies match their per-feature mean and std
    a1 = randn(gen, cfg.latent, 8, device=ctx.device)
    a2 = randn(gen, 8, cfg.dim, device=ctx.device) / 8**0.5

    def normal(n: int) -> Tensor:
        z = randn(gen, n, cfg.latent, device=ctx.device)
        return torch.tanh(z @ a1) @ a2 + cfg.noise * randn(gen, n, cfg.dim, device=ctx.device)

    x_train, x_val, x_test = normal(cfg.n_train), normal(cfg.n_val), normal(cfg.n_test_normal)
    mean, std = x_train.mean(dim=0), x_train.std(dim=0)
    x_anom = mean + std * randn(gen, cfg.n_test_anomalies, cfg.dim, device=ctx.device)

    def standardize(x: Tensor) -> Tensor:
        return (x - mean) / std

    x_train, x_val, x_test, x_anom = (standardize(x) for x in (x_train, x_val, x_test, x_anom))

    # 2. model: 16 -> 32 -> 2 -> 32 -> 16
    encoder = mlp([cfg.dim, cfg.hidden, cfg.latent], act=nn.Tanh, device=ctx.device)
    decoder = mlp([cfg.latent, cfg.hidden, cfg.dim], act=nn.Tanh, device=ctx.device)
    params = [*encoder.parameters(), *decoder.parameters()]

    def recon_error(x: Tensor) -> Tensor:
        return ((decoder(encoder(x)) - x) ** 2).mean(dim=1)

    # 3. train on normal points only (full batch)
    opt = Adam(params, lr=cfg.lr)
    report = ticker(ctx, "training the autoencoder", 0.0, 0.9)
    losses: list[float] = []
    for step in range(steps):
        loss = recon_error(x_train).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.item()))
        if (step + 1) % max(1, steps // 10) == 0:
            report((step + 1) / steps)

    # 4. score: reconstruction error vs the distance from the (standardized) mean
    with torch.no_grad():
        ae = detect(recon_error(x_val), recon_error(x_test), recon_error(x_anom), cfg.quantile)
        d_val, d_test, d_anom = ((x**2).mean(dim=1) for x in (x_val, x_test, x_anom))
        dist = detect(d_val, d_test, d_anom, cfg.quantile)
    ctx.progress("done", 1.0)

    rows: list[list[object]] = [
        [
            name,
            r["mean_normal"],
            r["mean_anomaly"],
            r["mean_anomaly"] / max(r["mean_normal"], 1e-12),
            r["precision"],
            r["recall"],
            r["f1"],
            r["auroc"],
        ]
        for name, r in (("reconstruction error", ae), ("distance from the mean", dist))
    ]
    metrics = {f"{k}_ae": v for k, v in ae.items()} | {f"{k}_distance": v for k, v in dist.items()}
    metrics["error_ratio_ae"] = ae["mean_anomaly"] / max(ae["mean_normal"], 1e-12)
    metrics["train_loss_start"], metrics["train_loss_end"] = losses[0], losses[-1]

    q = f"{cfg.quantile:.0%}"
    works = ae["precision"] > 0.8 and ae["recall"] > 0.8
    takeaway = (
        f"Anomalies reconstruct {metrics['error_ratio_ae']:.1f}x worse than normal test points (mean error "
        f"{fmt(ae['mean_anomaly'])} vs {fmt(ae['mean_normal'])}). Flagging errors above the {q} quantile of "
        f"normal validation errors ({fmt(ae['threshold'])}) gives precision {ae['precision']:.2f} and recall "
        f"{ae['recall']:.2f} ({ae['false_positive_rate']:.1%} of normal points flagged). The distance from the "
        f"mean, with the same recipe, gets precision {dist['precision']:.2f} and recall {dist['recall']:.2f}: "
        + (
            "the anomalies are only unusual jointly, and the autoencoder learned the joint structure."
            if works and ae["f1"] > dist["f1"] + 0.2
            else "in this run the autoencoder did not separate them clearly better."
        )
    )
    return DemoResult(
        header=(
            f"An autoencoder with a {cfg.latent}-unit bottleneck, trained on normal {cfg.dim}-D points only, "
            f"scores {cfg.n_test_normal} normal and {cfg.n_test_anomalies} anomalous test points by reconstruction "
            f"error, thresholded at the {q} quantile of normal validation errors."
        ),
        columns=["score", "mean normal", "mean anomaly", "ratio", "precision", "recall", "F1", "AUROC"],
        rows=rows,
        takeaway=takeaway,
        metrics=metrics,
        charts=[Chart(title="reconstruction loss (normal training points)", series=[Series("train", thin(losses))])],
    )
