"""embedding-lookup: a row lookup equals one-hot times the table; only rows in the batch get gradient."""

from __future__ import annotations

import pytest

from quizdl.demos.registry import DemoResult
from tests.demos.conftest import check_shape, run_cpu


@pytest.fixture(scope="module")
def result() -> DemoResult:
    return run_cpu("embedding-lookup")


def test_shape(result: DemoResult) -> None:
    check_shape(result)


def test_lookup_equals_one_hot_matmul(result: DemoResult) -> None:
    m = result.metrics
    assert m["output_max_diff"] == 0.0  # multiplying by exact 0s and 1s only copies the row
    assert m["grad_max_diff"] < 1e-4


def test_only_rows_in_the_batch_get_gradient(result: DemoResult) -> None:
    m = result.metrics
    assert m["rows_with_grad"] == m["unique_non_pad_ids"]
    assert m["share_of_rows_updated"] < 0.1
    assert m["pad_tokens"] > 0
    assert m["pad_row_zero_and_no_grad"] is True


def test_one_hot_cost(result: DemoResult) -> None:
    m = result.metrics
    assert m["onehot_macs"] == 256 * 5000 * 64
    assert m["onehot_bytes"] == 256 * 5000 * 4
    assert m["big_table_params"] == 204_800_000


def test_takeaway_quotes_the_measured_numbers(result: DemoResult) -> None:
    m = result.metrics
    assert f"Only {m['rows_with_grad']} of {m['vocab']} rows" in result.takeaway
    assert "identical to the bit" in result.takeaway


def test_same_for_another_seed() -> None:
    m = run_cpu("embedding-lookup", seed=1).metrics
    assert m["output_max_diff"] == 0.0
    assert m["rows_with_grad"] == m["unique_non_pad_ids"]
