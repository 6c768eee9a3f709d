"""data-augmentation: from 30 signals an MLP memorizes positions; random-shift augmentation lifts val accuracy."""

from __future__ import annotations

import pytest
import torch

from quizdl.demos.data_augmentation import Config, _augment, _shift
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("data-augmentation")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_without_augmentation_the_mlp_memorizes(result: DemoResult) -> None:
    m = result.metrics
    assert m["train_accuracy_plain"] == 1.0
    assert m["val_accuracy_plain"] < 0.6
    assert m["val_accuracy_plain"] > m["chance"]  # it learns something, just not the invariance


def test_augmentation_raises_validation_accuracy(result: DemoResult) -> None:
    m = result.metrics
    assert m["val_accuracy_augmented"] > 0.7
    assert m["val_accuracy_augmented"] > m["val_accuracy_plain"] + 0.15
    assert m["val_loss_augmented"] < m["val_loss_plain"]
    gap_plain = m["train_accuracy_plain"] - m["val_accuracy_plain"]
    gap_aug = m["train_accuracy_augmented"] - m["val_accuracy_augmented"]
    assert gap_aug < gap_plain - 0.15


def test_the_shift_is_a_circular_roll_and_keeps_the_signal() -> None:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(50, 32, generator=gen)
    shifted = _shift(x, torch.Generator().manual_seed(1))
    for row, out in zip(x, shifted, strict=True):
        assert any(torch.equal(torch.roll(row, -k), out) for k in range(32))
    cfg = Config()
    augmented = _augment(cfg, x, torch.Generator().manual_seed(2))
    assert augmented.shape == x.shape


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"scores {m['val_accuracy_plain']:.0%} on new ones" in result.takeaway
    assert f"it scores {m['val_accuracy_augmented']:.0%}" in result.takeaway
    assert "points of validation accuracy" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("data-augmentation", seed=1).metrics
    assert m["val_accuracy_augmented"] > m["val_accuracy_plain"] + 0.15
    assert m["train_accuracy_plain"] == 1.0
