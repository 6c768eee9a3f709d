"""knowledge-distillation: on 100 samples a small student learns more from soft targets at T than from hard labels."""

from __future__ import annotations

import itertools

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("knowledge-distillation")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_teacher_is_good_and_student_could_learn_with_enough_labels(result: DemoResult) -> None:
    m = result.metrics
    assert m["teacher_accuracy"] > 0.8
    assert m["student_all_labels_accuracy"] > m["student_hard_accuracy"] + 0.1  # small data is the problem


def test_soft_targets_beat_hard_labels(result: DemoResult) -> None:
    m = result.metrics
    assert m["soft_minus_hard"] > 0.04
    assert all(a > m["student_hard_accuracy"] for a in m["student_soft_accuracy_by_t"])
    assert m["student_soft_accuracy"] < m["teacher_accuracy"]
    assert m["teacher_wrong_class_mass"] > 0.05


def test_t_squared_keeps_the_soft_gradient_from_vanishing(result: DemoResult) -> None:
    m = result.metrics
    raw, scaled, ts = m["soft_grad_norm_unscaled"], m["soft_grad_norm_scaled"], m["temperatures"]
    assert all(b < a for a, b in itertools.pairwise(raw))  # unscaled: shrinks with every T
    assert raw[0] / raw[-1] > 20
    # between the two highest temperatures: close to 1/T^2 unscaled, nearly flat scaled
    predicted = (ts[-1] / ts[-2]) ** 2
    assert 0.6 * predicted < raw[-2] / raw[-1] <= predicted * 1.01
    assert scaled[-1] / scaled[-2] < 1.5


def test_very_high_temperature_is_logit_matching(result: DemoResult) -> None:
    m = result.metrics
    assert abs(m["soft_loss_over_logit_matching_limit"] - 1) < 0.05
    assert m["soft_loss_over_logit_matching"][0] < 0.1  # at T = 1 it is something else


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"{m['student_hard_accuracy']:.1%} test accuracy from hard labels" in result.takeaway
    assert f"{m['student_soft_accuracy']:.1%} from the teacher's soft targets" in result.takeaway
    assert f"{m['teacher_accuracy']:.1%}" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("knowledge-distillation", seed=1).metrics
    assert m["soft_minus_hard"] > 0.03
    assert abs(m["soft_loss_over_logit_matching_limit"] - 1) < 0.05
