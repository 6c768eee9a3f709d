"""saddle-point: gradient descent stalls at a saddle; the escape time grows like ln(1/y0); Newton converges to it."""

from __future__ import annotations

import pytest
import torch

from quizdl.demos.registry import DemoResult
from quizdl.demos.saddle_point import grad, hessian_diag, loss
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("saddle-point")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_gradient_and_hessian_match_autograd() -> None:
    w = torch.tensor([0.7, -1.3], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(loss(w), w)
    torch.testing.assert_close(grad(w.detach()), g)
    h = torch.autograd.functional.hessian(loss, w.detach())
    torch.testing.assert_close(torch.diagonal(h), hessian_diag(w.detach()))
    assert h[0, 1] == 0 and h[1, 0] == 0


def test_gradient_descent_on_the_stable_line_stops_at_the_saddle(result: DemoResult) -> None:
    m = result.metrics
    assert m["stuck_grad_norm"] < 1e-8
    assert abs(m["stuck_loss"]) < 1e-8  # the saddle's value, not the minimum (-1)
    assert m["stuck_hessian_min_eig"] == pytest.approx(-2.0)
    assert m["escape_steps"]["0"] is None


def test_escape_time_grows_with_log_of_one_over_offset(result: DemoResult) -> None:
    m = result.metrics
    for key, predicted in m["predicted_escape_steps"].items():
        if predicted is not None:
            assert m["escape_steps"][key] == pytest.approx(predicted, abs=10)
    steps = [m["escape_steps"][k] for k in ("0.01", "1e-05", "1e-08")]
    assert steps[0] < steps[1] < steps[2]


def test_noise_and_momentum_escape(result: DemoResult) -> None:
    m = result.metrics
    assert m["escape_steps_noise"] is not None
    assert m["escape_steps_momentum"] < m["escape_steps"]["1e-08"] / 2


def test_newton_is_attracted_to_the_saddle(result: DemoResult) -> None:
    m = result.metrics
    assert abs(m["newton_end_y"]) < 1e-6
    assert m["newton_end_grad_norm"] < 1e-6
    assert m["gd_end_loss_from_newton_start"] == pytest.approx(m["minimum_loss"], abs=1e-4)


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert str(m["escape_steps"]["1e-08"]) in result.takeaway
    assert str(m["escape_steps_momentum"]) in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("saddle-point", seed=1).metrics  # only the noise depends on the seed
    assert m["escape_steps_noise"] is not None and m["escape_steps_noise"] < 300
