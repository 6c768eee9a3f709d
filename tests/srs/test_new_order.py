"""New cards come interleaved across topics, basic first; `bank` and `random` keep the other orders."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from typer.testing import CliRunner

from quizdl.bank.loader import load_bank
from quizdl.srs.queue import new_card_order
from quizdl.store import repo
from quizdl.store.engine import open_engine
from tests.conftest import invoke
from tests.sessions import run_sequence

CARDS = [("a1", "a", 2), ("a2", "a", 1), ("a3", "a", 3), ("b1", "b", 1), ("c1", "c", 3), ("c2", "c", 1)]


def test_interleaved_is_round_robin_with_basic_cards_first() -> None:
    assert new_card_order(CARDS) == ["a2", "b1", "c2", "a1", "c1", "a3"]


def test_bank_order_and_a_seeded_random_order() -> None:
    assert new_card_order(CARDS, "bank") == [c[0] for c in CARDS]
    shuffled = new_card_order(CARDS, "random", seed=3)
    assert sorted(shuffled) == sorted(c[0] for c in CARDS)
    assert new_card_order(CARDS, "random", seed=3) == shuffled  # the same order every day
    with pytest.raises(ValueError, match="unknown new-card order"):
        new_card_order(CARDS, "alphabetical")


@pytest.mark.parametrize(("order", "all_started"), [("interleaved", True), ("bank", False)])
def test_ten_days_at_ten_a_day_start_every_topic(tmp_path, order: str, all_started: bool) -> None:  # type: ignore[no-untyped-def]
    """Real sessions on the shipped bank: every card shown is graded 4, ten days in a row."""
    bank = list(load_bank().questions)
    engine = open_engine(f"sqlite:///{tmp_path / 'ten.db'}")
    pid = repo.ensure_profile(engine, "newcomer", datetime(2026, 3, 1, tzinfo=UTC))
    for day in range(10):
        today = date(2026, 3, 2) + timedelta(days=day)
        run_sequence(engine, pid, bank, today, ["4"] * 200, new_per_day=10, new_order=order)
    with engine.connect() as conn:
        started = repo.seen_ids(conn, pid)
    engine.dispose()
    topics = {q.topic for q in bank if q.id in started}
    assert len(started) == 100
    assert (topics == {q.topic for q in bank}) is all_started, sorted(topics)


def test_the_setting_is_checked(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZDL_NEW_ORDER", "alphabetical")
    result = invoke(runner, ["topics"])
    assert result.exit_code == 2 and "QUIZDL_NEW_ORDER must be one of interleaved, bank, random" in result.output
