"""`quizdl optimize` on both databases, with histories played through real quiz sessions."""

from __future__ import annotations

import json
import random
import re
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


def play(db_url: str, cards: int, days: int, seed: int = 3, growth: float | None = None) -> None:
    """A learner whose true memory is FSRS-6 with a steep forgetting curve studies `days` days, 10 new a day;
    `growth` replaces w8, how much a successful review grows stability (default 1.87)."""
    true = tuple(
        0.3 * w if i < 4 else 0.5 if i == 20 else growth if i == 8 and growth is not None else w
        for i, w in enumerate(memory_model.default_parameters())
    )
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


def log_losses(out: str) -> dict[str, float]:
    rows = ("FSRS-6, default parameters", "FSRS-6, fitted to you", "SM-2, implied recall")
    found = {row: re.search(re.escape(row) + r"\s*│\s*\d+\s*│\s*([0-9.]+)", out) for row in rows}
    assert all(found.values()), out
    return {row: float(m.group(1)) for row, m in found.items() if m}


def test_optimize_keeps_parameters_fitted_to_a_learner_unlike_the_defaults(runner: CliRunner, db_url: str) -> None:
    """Stability grows much more slowly for this learner (w8 0.8 against 1.87) than py-fsrs's defaults assume:
    the fit must find that and predict the later answers better."""
    play(db_url, cards=160, days=80, growth=0.8)
    result = invoke(runner, ["optimize", "--db", db_url])
    assert result.exit_code == 0, result.output
    losses = log_losses(result.output)
    assert losses["FSRS-6, fitted to you"] < losses["FSRS-6, default parameters"] - 0.01
    assert "Kept the fitted parameters" in result.output
    params, memory = stored(db_url)
    assert params is not None and float(json.loads(params)[8]) < 1.87
    engine = open_engine(db_url)  # the memory model was replayed with them
    with engine.begin() as conn:
        repo.replay_memory(conn, conn.execute(select(Profile.id)).scalar_one())
    engine.dispose()
    assert stored(db_url)[1] == memory


def test_optimize_keeps_the_defaults_unless_the_fit_predicts_better(runner: CliRunner, db_url: str) -> None:
    """A learner the defaults already describe well on its latest answers: the table decides what is kept."""
    play(db_url, cards=160, days=80)
    before = stored(db_url)
    result = invoke(runner, ["optimize", "--db", db_url])
    assert result.exit_code == 0, result.output
    losses = log_losses(result.output)
    if losses["FSRS-6, fitted to you"] < losses["FSRS-6, default parameters"]:
        assert "Kept the fitted parameters" in result.output and stored(db_url)[0] is not None
    else:
        assert "Kept the default parameters" in result.output and stored(db_url) == before
