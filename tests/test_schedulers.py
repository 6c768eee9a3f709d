"""FSRS as an opt-in scheduler: the log is the truth, so switching replays it and loses nothing."""

from __future__ import annotations

from collections import deque
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from quizdl.session import Action, Command, QuizSession, Reveal, SessionOptions
from quizdl.srs import memory as memory_model
from quizdl.srs import schedulers, sm2
from quizdl.store import repo
from quizdl.store.schema import Card
from quizdl.vocab import SchedulerName
from tests.cli.helpers import script, write_bank
from tests.conftest import invoke
from tests.sessions import StepClock, StepTimer, tiny_bank
from tests.test_plan import GradeUI

DAY0 = date(2027, 1, 4)
GRADES = deque([4, 5, 2, 4, 3, 4, 1, 5, 4, 4, 3])


def play(engine: Engine, pid: int, days: range, grade_cycle: deque[int] | None = None) -> None:
    """Real sessions, one a day, every card graded from a fixed cycle (re-drills with 4)."""
    cycle = deque(grade_cycle or GRADES)
    bank = tiny_bank(12)

    def grade(qid: str, kind: str) -> int:
        if kind != "scheduled":
            return 4
        cycle.rotate(-1)
        return cycle[0]

    for offset in days:
        day = DAY0 + timedelta(days=offset)
        clock = StepClock(datetime.combine(day, time(9), tzinfo=UTC))
        options = SessionOptions(profile_id=pid, new_per_day=4)
        QuizSession(engine, bank, options, clock, day, timer=StepTimer(1)).run(GradeUI(grade))


def cards(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(Card).order_by(Card.profile_id, Card.question_id))]


def test_fsrs_keeps_sm2s_easiness_and_counts_and_sets_its_own_interval() -> None:
    fsrs = schedulers.SchedulerConfig(SchedulerName.FSRS, 0.9)
    state = sm2.CardState()
    plain = sm2.CardState()
    for offset, grade in [(0, 4), (1, 3), (5, 1), (6, 5)]:
        day = DAY0 + timedelta(days=offset)
        state, plain = schedulers.review(state, grade, day, fsrs), sm2.review(plain, grade, day)
        assert (state.ef, state.repetitions, state.lapses, state.last_review) == (
            plain.ef, plain.repetitions, plain.lapses, plain.last_review,
        )  # fmt: skip
        memory = memory_model.Memory(state.stability, state.difficulty, day)  # type: ignore[arg-type]
        assert state.interval == memory_model.interval_for(memory, 0.9) and state.due == day + timedelta(state.interval)
    lower = schedulers.review(state, 4, DAY0 + timedelta(days=20), schedulers.SchedulerConfig(SchedulerName.FSRS, 0.8))
    higher = schedulers.review(
        state, 4, DAY0 + timedelta(days=20), schedulers.SchedulerConfig(SchedulerName.FSRS, 0.97)
    )
    assert lower.interval > higher.interval  # a lower desired retention spaces reviews further apart
    assert schedulers.review(state, 4, DAY0, schedulers.SM2).stability is None


def test_switching_to_fsrs_and_back_is_lossless(engine: Engine) -> None:
    pid = repo.ensure_profile(engine, "ana", datetime(2027, 1, 4, tzinfo=UTC))
    play(engine, pid, range(0, 30))
    never_switched = cards(engine)
    repo.set_scheduler(engine, pid, SchedulerName.FSRS, 0.9)
    under_fsrs = cards(engine)
    assert under_fsrs != never_switched  # other due dates, and FSRS state on every card
    assert all(row[-2] is not None for row in under_fsrs)
    repo.set_scheduler(engine, pid, SchedulerName.SM2, 0.9)
    assert cards(engine) == never_switched


def test_replay_under_each_scheduler_equals_what_the_sessions_wrote(engine: Engine) -> None:
    for name in SchedulerName:
        pid = repo.ensure_profile(engine, f"learner-{name}", datetime(2027, 1, 4, tzinfo=UTC))
        repo.set_scheduler(engine, pid, name, 0.85)
        play(engine, pid, range(0, 40))
        written = cards(engine)
        repo.rebuild_cards(engine, pid)  # `db rebuild` honours the profile's scheduler
        assert cards(engine) == written, name


def test_the_intervals_under_the_answer_come_from_the_active_scheduler(engine: Engine) -> None:
    pid = repo.ensure_profile(engine, "ana", datetime(2027, 1, 4, tzinfo=UTC))
    repo.set_scheduler(engine, pid, SchedulerName.FSRS, 0.9)
    play(engine, pid, range(0, 3))
    shown: list[Reveal] = []

    class Watching(GradeUI):
        def ask_command(self, reveal: Reveal) -> Command:
            shown.append(reveal)
            return Command(Action.GRADE, 4)

    day = DAY0 + timedelta(days=10)
    QuizSession(engine, tiny_bank(12), SessionOptions(profile_id=pid, new_per_day=0),
                StepClock(datetime.combine(day, time(9), tzinfo=UTC)), day, timer=StepTimer(1)).run(Watching())  # fmt: skip
    scheduled = [r for r in shown if r.prompt.kind == "scheduled"]
    assert scheduled
    config = schedulers.SchedulerConfig(SchedulerName.FSRS, 0.9)
    for r in scheduled:
        assert r.intervals == schedulers.preview(r.prompt.state, day, config)
        assert r.intervals != sm2.preview(r.prompt.state) or r.prompt.state.repetitions == 0


def test_scheduler_command_and_setting(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    env = {"QUIZDL_NOW": "2027-01-04T09:00:00+00:00"}
    assert "scheduler: sm2" in invoke(runner, ["scheduler", "--db", db_url], env=env).output
    result = invoke(runner, ["scheduler", "fsrs", "--retention", "0.85", "--db", db_url], env=env)
    assert "scheduler: fsrs (FSRS-6, desired retention 0.85, default parameters)" in result.output
    assert "scheduler: fsrs" in invoke(runner, ["scheduler", "--db", db_url], env=env).output
    bad = invoke(runner, ["scheduler", "anki", "--db", db_url], env=env)
    assert bad.exit_code == 2 and "scheduler 'anki' is unknown; choose sm2 or fsrs" in bad.output
    bank = write_bank(tmp_path / "bank", n=3)
    quiz = invoke(runner, ["quiz", "--db", db_url, "--bank", str(bank)], input=script(("", "4")),
                  env={**env, "QUIZDL_SCHEDULER": "sm2"})  # fmt: skip
    assert "Scheduler switched to sm2 (your settings)" in quiz.output
    assert "scheduler: sm2" in invoke(runner, ["scheduler", "--db", db_url], env=env).output
    wrong = invoke(runner, ["quiz", "--db", db_url], env={**env, "QUIZDL_SCHEDULER": "fsr"})
    assert wrong.exit_code == 2 and "QUIZDL_SCHEDULER must be sm2 or fsrs" in wrong.output
