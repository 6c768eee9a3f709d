from __future__ import annotations

from datetime import date

from quizdl.srs.queue import build_queue
from quizdl.srs.sm2 import CardState

TODAY = date(2026, 3, 10)
IDS = ["a", "b", "c", "d", "e", "f"]


def seen(due: date) -> CardState:
    return CardState(repetitions=1, interval=1, due=due, last_review=due)


STATES = {"a": seen(date(2026, 3, 9)), "b": seen(date(2026, 3, 1)), "c": seen(date(2026, 3, 20)), "d": seen(TODAY)}


def test_due_first_most_overdue_first_then_new_in_bank_order() -> None:
    assert build_queue(IDS, STATES, TODAY, new_allowed=10) == ["b", "a", "d", "e", "f"]


def test_new_cards_are_capped() -> None:
    assert build_queue(IDS, STATES, TODAY, new_allowed=1) == ["b", "a", "d", "e"]
    assert build_queue(IDS, STATES, TODAY, new_allowed=0) == ["b", "a", "d"]
    assert build_queue(IDS, STATES, TODAY, new_allowed=-3) == ["b", "a", "d"]


def test_limit_truncates_after_ordering() -> None:
    assert build_queue(IDS, STATES, TODAY, new_allowed=10, limit=2) == ["b", "a"]


def test_cram_takes_everything_regardless_of_due_dates() -> None:
    assert build_queue(IDS, STATES, TODAY, new_allowed=0, cram=True) == ["b", "a", "d", "c", "e", "f"]


def test_nothing_due_and_no_new_allowed_is_empty() -> None:
    assert build_queue(["c"], STATES, TODAY, new_allowed=5) == []
