"""lora-finetuning: r * (d_in + d_out) trainable parameters per matrix; rank vs loss reached; exact start and merge."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.lora_finetuning import Config
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("lora-finetuning")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_trainable_parameters_follow_the_formula(result: DemoResult) -> None:
    m, cfg = result.metrics, Config()
    expected = [r * (cfg.d_in + cfg.hidden) + r * (cfg.hidden + cfg.d_out) for r in cfg.ranks]
    assert m["lora_trainable"] == expected == m["lora_trainable_formula"]
    assert m["full_trainable"] == cfg.hidden * cfg.d_in + cfg.hidden + cfg.d_out * cfg.hidden + cfg.d_out


def test_lora_starts_at_the_base_model_and_merges_exactly(result: DemoResult) -> None:
    assert result.metrics["start_gap"] == 0.0  # B = 0 at init
    assert result.metrics["max_merge_gap"] < 1e-4


def _check(m: dict) -> None:
    ranks, test, train = m["ranks"], m["lora_test_loss"], m["lora_train_loss"]
    at = test[ranks.index(Config().shift_rank)]
    floor = m["noise_floor"]
    assert m["base_test_loss"] > 10 * floor  # the task really shifted
    # ranks below the true rank of the shift cannot fit it; the true rank gets near the noise floor
    for r, t in zip(ranks, test, strict=True):
        if r < Config().shift_rank:
            assert t > 3 * at
    assert at < 1.5 * floor
    # full fine-tuning fits the training set best but generalizes worse than a right-sized LoRA here
    assert m["full_train_loss"] < min(train)
    assert m["full_test_loss"] > 1.5 * at


def test_rank_sweep(result: DemoResult) -> None:
    _check(result.metrics)


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["full_test_loss"]) in result.takeaway
    assert str(m["lora_trainable"][m["ranks"].index(Config().shift_rank)]) in result.takeaway
    assert "cannot express it" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    _check(run_cpu("lora-finetuning", seed=1).metrics)
