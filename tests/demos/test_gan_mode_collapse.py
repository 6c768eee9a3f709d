"""gan-mode-collapse: the mode-coverage measurement is right, and the takeaway reports what the GAN did."""

from __future__ import annotations

import pytest
import torch

from quizdl.demos.common import fmt
from quizdl.demos.gan_mode_collapse import Config, coverage, mode_centers
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("gan-mode-collapse")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_the_measurement_counts_modes_correctly() -> None:
    cfg = Config()
    centers = mode_centers(cfg, "cpu")
    gen = torch.Generator().manual_seed(0)
    two_modes = centers[torch.randint(0, 2, (800,), generator=gen)] + cfg.mode_std * torch.randn(800, 2, generator=gen)
    c, mask = coverage(two_modes, cfg, centers)
    assert c["modes"] == 2  # a collapsed sampler is reported as collapsed
    assert mask == [True, True] + [False] * 6
    assert c["perplexity"] == pytest.approx(2.0, abs=0.05)
    assert c["on_mode"] > 0.95
    blur = 2.0 * torch.randn(800, 2, generator=gen)  # a blur around the ring: few samples on a mode
    assert coverage(blur, cfg, centers)[0]["on_mode"] < 0.4


def test_the_true_sampler_covers_every_mode(result: DemoResult) -> None:
    m = result.metrics
    assert m["reference_modes_covered"] == m["n_modes"] == 8
    assert m["reference_on_mode_share"] > 0.95
    assert m["reference_perplexity"] > 7.8


def test_the_gan_is_measured_and_below_the_reference(result: DemoResult) -> None:
    m = result.metrics
    assert 0 <= m["gan_modes_covered"] <= m["gan_modes_covered_ever"] <= 8
    assert m["gan_modes_covered_ever"] >= 2  # it learned something of the ring
    assert m["gan_on_mode_share"] < m["reference_on_mode_share"]


def test_takeaway_matches_what_happened(result: DemoResult) -> None:
    m = result.metrics
    if m["gan_modes_covered"] < 8:
        assert f"covers {m['gan_modes_covered']} of 8 modes" in result.takeaway
        assert "collapse" in result.takeaway
    else:
        assert "did not happen here" in result.takeaway
    assert fmt(m["gan_perplexity"]) in result.takeaway
    assert f"{100 * m['gan_on_mode_share']:.0f}%" in result.takeaway


def test_another_seed_is_measured_the_same_way() -> None:
    m = run_cpu("gan-mode-collapse", seed=1).metrics
    assert m["reference_modes_covered"] == 8
    assert m["gan_on_mode_share"] < m["reference_on_mode_share"]
    assert 0 <= m["gan_modes_covered"] <= m["gan_modes_covered_ever"] <= 8
