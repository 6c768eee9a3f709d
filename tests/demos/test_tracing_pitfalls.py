"""tracing-pitfalls: a traced graph bakes in a Python branch and drops side effects; torch.where is exact."""

from __future__ import annotations

import pytest

from quizdl.demos.common import fmt
from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("tracing-pitfalls")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_the_traced_branch_is_baked_in(result: DemoResult) -> None:
    m = result.metrics
    assert m["traced_if_error_positive"] == 0.0  # the branch it was traced with
    assert m["traced_if_error_negative"] > 1.0  # the other branch: silently wrong
    assert m["tracer_warned"] is True
    assert m["fx_refused_if"] is True


def test_branchless_version_is_exact(result: DemoResult) -> None:
    m = result.metrics
    assert m["traced_where_error"] == 0.0
    assert m["fx_nodes"] >= 5


def test_side_effects_run_only_at_trace_time(result: DemoResult) -> None:
    m = result.metrics
    assert m["side_effects_eager"] == m["calls"]
    assert m["side_effects_traced"] == 0
    assert m["side_effects_at_trace_time"] == 4  # two jit traces, two fx traces (one refused)


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert fmt(m["traced_if_error_negative"]) in result.takeaway
    assert "baked in" in result.takeaway


def test_effect_holds_for_another_seed() -> None:
    m = run_cpu("tracing-pitfalls", seed=1).metrics
    assert m["traced_if_error_negative"] > 1.0 and m["traced_where_error"] == 0.0
    assert m["side_effects_traced"] == 0
