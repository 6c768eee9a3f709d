from __future__ import annotations

from datetime import date

from quizdl.srs.queue import build_queue

TODAY = date(2026, 3, 10)
IDS = ["a", "b", "c", "d", "e", "f"]
STATES = {"a": date(2026, 3, 9), "b": date(2026, 3, 1), "c": date(2026, 3, 20), "d": TODAY}


def test_due_first_most_overdue_first_then_new_in_bank_order() -> None:
    assert build_queue(IDS, STATES, STATES, TODAY, new_allowed=10) == ["b", "a", "d", "e", "f"]


def test_new_cards_are_capped() -> None:
    assert build_queue(IDS, STATES, STATES, TODAY, new_allowed=1) == ["b", "a", "d", "e"]
    assert build_queue(IDS, STATES, STATES, TODAY, new_allowed=0) == ["b", "a", "d"]
    assert build_queue(IDS, STATES, STATES, TODAY, new_allowed=-3) == ["b", "a", "d"]


def test_limit_truncates_after_ordering() -> None:
    assert build_queue(IDS, STATES, STATES, TODAY, new_allowed=10, limit=2) == ["b", "a"]


def test_cram_takes_everything_regardless_of_due_dates() -> None:
    assert build_queue(IDS, STATES, STATES, TODAY, new_allowed=0, cram=True) == ["b", "a", "d", "c", "e", "f"]


def test_ties_keep_bank_order() -> None:
    dues = {"z": TODAY, "x": TODAY, "y": TODAY}
    assert build_queue(["x", "y", "z"], dues, dues, TODAY, new_allowed=0) == ["x", "y", "z"]


def test_only_due_dates_of_due_cards_are_needed() -> None:
    # The session passes every seen id but only the due dates up to today (cheap to fetch at scale).
    due_only = {k: v for k, v in STATES.items() if v <= TODAY}
    assert build_queue(IDS, set(STATES), due_only, TODAY, new_allowed=10) == ["b", "a", "d", "e", "f"]


def test_nothing_due_and_no_new_allowed_is_empty() -> None:
    assert build_queue(["c"], STATES, STATES, TODAY, new_allowed=5) == []
