"""`quizdl optimize` on both databases, with histories played through real quiz sessions."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from quizdl.session import QuizSession, SessionOptions
from quizdl.srs import memory as memory_model
from quizdl.store import repo
from quizdl.store.engine import open_engine
from quizdl.store.schema import Memory, Profile
from tests.conftest import invoke
from tests.sessions import StepClock, StepTimer, tiny_bank
from tests.test_plan import GradeUI

DAY0 = date(2027, 1, 4)


def play(db_url: str, cards: int, days: int, seed: int = 3) -> None:
    """A learner whose true memory is FSRS-6 with a steep forgetting curve studies `days` days, 10 new a day."""
    true = tuple(0.3 * w if i < 4 else (0.5 if i == 20 else w) for i, w in enumerate(memory_model.default_parameters()))
    rng = random.Random(seed)
    state: dict[str, memory_model.Memory] = {}
    engine = open_engine(db_url)
    pid = repo.ensure_profile(engine, "default", datetime(2027, 1, 4, tzinfo=UTC))
    bank = tiny_bank(cards)
    for offset in range(days):
        day = DAY0 + timedelta(days=offset)

        def grade(qid: str, kind: str, day: date = day) -> int:
            before = state.get(qid)
            ok = before is not None and rng.random() < memory_model.recall(before, day, true)
            g = (4 if rng.random() < 0.7 else 5) if ok else rng.choice((1, 2))
            state[qid] = memory_model.step(before, g, day, true)
            return g

        clock = StepClock(datetime.combine(day, time(9), tzinfo=UTC))
        QuizSession(engine, bank, SessionOptions(profile_id=pid), clock, day, timer=StepTimer(2)).run(GradeUI(grade))
    engine.dispose()


def stored(db_url: str) -> tuple[str | None, list[tuple[object, ...]]]:
    engine = open_engine(db_url)
    with engine.connect() as conn:
        params = conn.execute(select(Profile.fsrs_parameters)).scalar()
        memory = [tuple(r) for r in conn.execute(select(Memory).order_by(Memory.question_id))]
    engine.dispose()
    return params, memory


def test_too_little_history_gives_one_line_and_changes_nothing(runner: CliRunner, db_url: str) -> None:
    play(db_url, cards=12, days=10)
    before = stored(db_url)
    result = invoke(runner, ["optimize", "--db", db_url])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "too little history to fit" in lines[0] and "512 over 20 cards are needed" in lines[0]
    assert stored(db_url) == before and before[0] is None


def test_optimize_fits_scores_and_keeps_better_parameters(runner: CliRunner, db_url: str) -> None:
    play(db_url, cards=160, days=80)
    result = invoke(runner, ["optimize", "--db", db_url])
    assert result.exit_code == 0, result.output
    out = result.output
    for row in ("FSRS-6, default parameters", "FSRS-6, fitted to you", "SM-2, implied recall", "log loss"):
        assert row in out
    params, memory = stored(db_url)
    if "Kept the fitted parameters" in out:
        assert params is not None
        engine = open_engine(db_url)  # the memory model was replayed with them
        with engine.begin() as conn:
            repo.replay_memory(conn, conn.execute(select(Profile.id)).scalar_one())
        engine.dispose()
        assert stored(db_url)[1] == memory
    else:
        assert "Kept the default parameters" in out and params is None
