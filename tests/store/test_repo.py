"""The review log and card states: one transaction per answer, undo, and rebuild by replay."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, func, select

from quizdl.srs.sm2 import CardState, review
from quizdl.store import repo
from quizdl.store.schema import Card, Review

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def answer(engine: Engine, pid: int, qid: str, grade: int, day: int, kind: str = "scheduled") -> int:
    today = date(2026, 1, 1) + timedelta(days=day)
    recorded = repo.record_answer(
        engine, repo.Answer(pid, None, qid, T0 + timedelta(days=day), today, kind, grade, 1200, "typed")
    )
    return recorded.review_id


def states(engine: Engine, pid: int) -> dict[str, CardState]:
    with engine.connect() as conn:
        return repo.card_states(conn, pid)


def test_profiles_are_created_once(engine: Engine) -> None:
    a = repo.ensure_profile(engine, "ana", T0)
    assert repo.ensure_profile(engine, "ana", T0) == a
    assert repo.ensure_profile(engine, "ben", T0) != a
    assert repo.find_profile(engine, "nobody") is None


def test_answers_update_cards_and_rebuild_reproduces_them(engine: Engine) -> None:
    ana, ben = repo.ensure_profile(engine, "ana", T0), repo.ensure_profile(engine, "ben", T0)
    for day, grade in enumerate([5, 4, 2, 5, 3]):
        answer(engine, ana, "q1", grade, day)
    answer(engine, ana, "q2", 1, 0)
    answer(engine, ana, "q2", 3, 0, kind="redrill")
    answer(engine, ana, "q2", 5, 1, kind="cram")
    answer(engine, ben, "q1", 4, 0)
    expected = {"ana": states(engine, ana), "ben": states(engine, ben)}
    assert expected["ana"]["q1"].lapses == 1 and expected["ana"]["q2"].repetitions == 0  # redrill/cram: no effect
    assert repo.rebuild_cards(engine) == 3
    assert {"ana": states(engine, ana), "ben": states(engine, ben)} == expected
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Review)).scalar_one() == 9
        introduced = conn.execute(select(Card.introduced_on).where(Card.question_id == "q1", Card.profile_id == ana))
        assert introduced.scalar_one() == date(2026, 1, 1)


def test_undo_restores_the_previous_state_and_removes_the_row(engine: Engine) -> None:
    pid = repo.ensure_profile(engine, "ana", T0)
    answer(engine, pid, "q1", 5, 0)
    answer(engine, pid, "q1", 2, 1)
    after_lapse = states(engine, pid)["q1"]
    last = answer(engine, pid, "q1", 5, 2)
    repo.undo_answer(engine, last)
    assert states(engine, pid)["q1"] == after_lapse
    first_new = answer(engine, pid, "q9", 4, 0)
    repo.undo_answer(engine, first_new)
    assert "q9" not in states(engine, pid)  # undoing a card's first review makes it new again
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Review)).scalar_one() == 2


def test_the_state_before_is_read_in_the_transaction_not_trusted(engine: Engine) -> None:
    # Two sessions of one profile both answered a new card: the log keeps both and the card equals the replay.
    pid = repo.ensure_profile(engine, "ana", T0)
    first = repo.record_answer(engine, repo.Answer(pid, None, "q1", T0, date(2026, 1, 1), "scheduled", 5, 1, None))
    second = repo.record_answer(engine, repo.Answer(pid, None, "q1", T0, date(2026, 1, 1), "scheduled", 4, 1, None))
    assert first.before == CardState() and second.before == first.after
    assert second.after == review(review(CardState(), 5, date(2026, 1, 1)), 4, date(2026, 1, 1))
    live = states(engine, pid)
    repo.rebuild_cards(engine)
    assert states(engine, pid) == live


def test_new_cards_started_on_a_day_are_counted(engine: Engine) -> None:
    pid = repo.ensure_profile(engine, "ana", T0)
    answer(engine, pid, "q1", 5, 0)
    answer(engine, pid, "q2", 5, 0)
    answer(engine, pid, "q1", 5, 1)
    with engine.connect() as conn:
        assert repo.introduced_on(conn, pid, date(2026, 1, 1)) == 2
        assert repo.introduced_on(conn, pid, date(2026, 1, 2)) == 0
