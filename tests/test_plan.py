"""The interview plan through the real path: `quizdl plan`, and real quiz sessions paced by it."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from quizdl.bank.model import Question
from quizdl.planning import plan_today, readiness
from quizdl.session import Action, Command, Prompt, QuizSession, Reveal, SessionOptions, Summary
from quizdl.srs import memory as memory_model
from quizdl.srs import pacing, schedulers
from quizdl.store import repo
from quizdl.store.schema import Card, Review
from quizdl.vocab import SchedulerName
from tests.cli.helpers import script, write_bank
from tests.conftest import invoke
from tests.sessions import StepClock, StepTimer, tiny_bank

DAY0 = date(2027, 3, 1)


@dataclass
class GradeUI:
    """Answers every card with grade(question id, kind); records what was shown."""

    grade: object = lambda qid, kind: 4
    shown: list[tuple[str, str]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    _key: tuple[str, str] = ("", "")

    def ask_answer(self, prompt: Prompt) -> str | None:
        self._key = (prompt.question.id, str(prompt.kind))
        self.shown.append(self._key)
        return ""

    def reveal(self, reveal: Reveal) -> None:
        pass

    def ask_command(self, reveal: Reveal) -> Command:
        return Command(Action.GRADE, self.grade(*self._key))  # type: ignore[operator]

    def run_demo(self, name: str) -> None:
        pass

    def notice(self, message: str) -> None:
        self.notices.append(message)


def planned_day(engine: Engine, pid: int, bank: list[Question], day: date, ui: GradeUI, seconds: float = 30) -> Summary:
    """One day as `quizdl quiz` runs it with a plan: plan_today decides the new and prep cards and the time."""
    today = plan_today(engine, pid, bank, day)
    options = SessionOptions(profile_id=pid, zone_name="UTC")
    if today is not None:
        options = SessionOptions(
            profile_id=pid, zone_name="UTC", new_allowed=today.new_allowed, prep=tuple(today.prep),
            seconds_left=today.seconds_left,
        )  # fmt: skip
    clock = StepClock(datetime.combine(day, time(9), tzinfo=UTC))
    return QuizSession(engine, bank, options, clock, day, timer=StepTimer(seconds / 2)).run(ui)


def set_plan(engine: Engine, pid: int, days: int, minutes: int = 30, target: float = 0.9) -> date:
    interview = DAY0 + timedelta(days=days)
    repo.save_plan(engine, pid, repo.StoredPlan(interview, minutes, target, None), datetime(2027, 3, 1, tzinfo=UTC))
    return interview


def log(engine: Engine) -> list[tuple[str, str, date, int, int | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Review.question_id, Review.kind, Review.study_day, Review.grade, Review.response_ms).order_by(
                Review.id
            )
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def card_rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(Card).order_by(Card.question_id))]


def test_the_plan_paces_every_card_for_two_spaced_reviews_within_the_budget(engine: Engine) -> None:
    bank = tiny_bank(60, ("alpha", "beta", "gamma"))
    pid = repo.ensure_profile(engine, "ana", datetime(2027, 3, 1, tzinfo=UTC))
    interview = set_plan(engine, pid, 21, minutes=15)
    for offset in range(21):
        planned_day(engine, pid, bank, DAY0 + timedelta(days=offset), GradeUI())
    rows = log(engine)
    first_seen: dict[str, date] = {}
    spaced: dict[str, set[date]] = defaultdict(set)
    minutes: dict[date, float] = defaultdict(float)
    for qid, kind, day, _, ms in rows:
        first_seen.setdefault(qid, day)
        if kind == "scheduled" and day > first_seen[qid]:
            spaced[qid].add(day)
        minutes[day] += (ms or 0) / 60000
    assert set(first_seen) == {q.id for q in bank}  # every selected card seen
    assert max(first_seen.values()) <= interview - timedelta(days=8)
    assert all(len(spaced[q.id]) >= 2 for q in bank), "two spaced reviews before the day"
    assert max(minutes.values()) <= 15  # never over the daily budget
    # without a plan, 10 new a day would have started all 60 only on day 6, and an hour's budget differs
    assert len({d for d in first_seen.values()}) < 15


def test_under_fsrs_the_plan_paces_by_the_fsrs_schedule(engine: Engine) -> None:
    """With FSRS as the scheduler (desired retention 0.9: reviews after 2 and 13 days), cards start by the
    FSRS lead, D-14, not SM-2's D-8, so the two spaced reviews the plan counts on are ones the FSRS scheduler
    really brings before the day."""
    bank = tiny_bank(40, ("alpha", "beta"))
    pid = repo.ensure_profile(engine, "ana", datetime(2027, 3, 1, tzinfo=UTC))
    repo.set_scheduler(engine, pid, SchedulerName.FSRS, 0.9)
    config = schedulers.SchedulerConfig(SchedulerName.FSRS, 0.9)
    lead = pacing.lead_days(config)
    assert lead != pacing.lead_days()  # not SM-2's 8
    interview = set_plan(engine, pid, 16, minutes=30)
    for offset in range(16):
        planned_day(engine, pid, bank, DAY0 + timedelta(days=offset), GradeUI())
    first_seen: dict[str, date] = {}
    spaced: dict[str, set[date]] = defaultdict(set)
    for qid, kind, day, _, _ in log(engine):
        first_seen.setdefault(qid, day)
        if kind == "scheduled" and day > first_seen[qid]:
            spaced[qid].add(day)
    assert set(first_seen) == {q.id for q in bank}
    assert max(first_seen.values()) <= interview - timedelta(days=lead)
    assert all(len(spaced[q.id]) >= 2 for q in bank), "two spaced reviews before the day"
    offsets = pacing.review_offsets(16, config)  # and they fell on the FSRS offsets
    assert all({(d - first_seen[q]).days for d in spaced[q]} <= set(offsets) for q in spaced)


def test_the_daily_budget_holds_new_and_prep_cards_back_but_never_due_reviews(engine: Engine) -> None:
    bank = tiny_bank(10)
    pid = repo.ensure_profile(engine, "ana", datetime(2027, 3, 1, tzinfo=UTC))
    clock = StepClock(datetime.combine(DAY0, time(9), tzinfo=UTC))
    QuizSession(engine, bank, SessionOptions(profile_id=pid, new_per_day=4), clock, DAY0, timer=StepTimer(1)).run(
        GradeUI()
    )
    with engine.connect() as conn:
        started = repo.seen_ids(conn, pid)
    ui = GradeUI()
    day1 = DAY0 + timedelta(days=1)
    options = SessionOptions(profile_id=pid, new_allowed=6, seconds_left=5)  # 4 due reviews take 8 s
    summary = QuizSession(engine, bank, options, StepClock(datetime.combine(day1, time(9), tzinfo=UTC)), day1,
                          timer=StepTimer(1)).run(ui)  # fmt: skip
    shown = [qid for qid, _ in ui.shown]
    assert set(shown[:4]) == started  # the due reviews, all of them
    assert len(shown) == 4 and summary.remaining_new == 6
    assert any("plan time is used" in n for n in ui.notices)


def test_prep_in_the_final_week_leaves_sm2_alone_and_db_rebuild_reproduces_it(engine: Engine) -> None:
    bank = tiny_bank(12)
    pid = repo.ensure_profile(engine, "ana", datetime(2027, 3, 1, tzinfo=UTC))
    interview = set_plan(engine, pid, 16, target=0.97)  # a high target: most cards are weak on the day
    prepped_on: dict[date, list[str]] = {}
    for offset in range(16):
        day = DAY0 + timedelta(days=offset)
        before = card_rows(engine)
        failed: list[str] = []

        def grade(qid: str, kind: str, failed: list[str] = failed) -> int:
            if kind == "prep" and qid == "c1" and not failed:  # failed once as prep, then recalled
                failed.append(qid)
                return 3
            return 4

        ui = GradeUI(grade=grade)
        planned_day(engine, pid, bank, day, ui)
        preps = [qid for qid, kind in ui.shown if kind == "prep"]
        if preps:
            prepped_on[day] = preps
            if not any(kind == "scheduled" for _, kind in ui.shown):
                assert card_rows(engine) == before  # prep answers alone leave every SM-2 state untouched
    assert prepped_on, "weak cards are asked as prep in the final week"
    assert min(prepped_on) >= interview - timedelta(days=7)
    assert all(kind != "prep" or day >= interview - timedelta(days=7) for _, kind, day, _, _ in log(engine))
    c1_prep = [k for q, k, *_ in log(engine) if q == "c1" and k == "prep"]
    c1_days = [d for q, k, d, *_ in log(engine) if q == "c1" and k == "prep"]
    assert len(c1_prep) >= 2 and c1_days[0] == c1_days[1]  # graded 3 as prep: back as prep the same day
    cards = card_rows(engine)
    repo.rebuild_cards(engine, pid)
    assert card_rows(engine) == cards  # the log's replay (scheduled reviews only) is the same schedule
    ready = readiness(engine, pid, bank, interview - timedelta(days=1))
    assert ready.plan is not None and ready.recall_on_day is not None


def test_the_plan_ends_by_itself_after_the_day(engine: Engine) -> None:
    bank = tiny_bank(30)
    pid = repo.ensure_profile(engine, "ana", datetime(2027, 3, 1, tzinfo=UTC))
    interview = set_plan(engine, pid, 10)
    assert plan_today(engine, pid, bank, interview - timedelta(days=1)) is not None
    assert plan_today(engine, pid, bank, interview) is None
    summary = planned_day(engine, pid, bank, interview + timedelta(days=1), GradeUI())
    assert summary.reviewed == 10 + 0  # plain SM-2: the default 10 new cards a day


def test_readiness_predicts_with_the_memory_model_of_the_real_log(engine: Engine) -> None:
    bank = tiny_bank(4)
    pid = repo.ensure_profile(engine, "ana", datetime(2027, 3, 1, tzinfo=UTC))
    for offset in (0, 1, 7):
        planned_day(engine, pid, bank, DAY0 + timedelta(days=offset), GradeUI())
    day = DAY0 + timedelta(days=20)
    ready = readiness(engine, pid, bank, day)
    with engine.connect() as conn:
        answers = conn.execute(select(Review.question_id, Review.study_day, Review.grade).order_by(Review.id)).all()
    expected = []
    for q in bank:
        state = memory_model.replay((d, g) for qid, d, g in answers if qid == q.id)
        expected.append(memory_model.recall(state, day))
    assert ready.recall_today == sum(expected) / len(expected)
    assert not ready.calibrated  # 8 answers after a gap: too few to judge the model


# The command line, on both databases.


def plan_cli(runner: CliRunner, db_url: str, *args: str, now: str = "2027-03-01T09:00:00+00:00"):  # type: ignore[no-untyped-def]
    return invoke(runner, ["plan", "--db", db_url, *args], env={"QUIZDL_NOW": now})


def test_plan_set_show_and_clear_live_in_the_database(runner: CliRunner, db_url: str, tmp_path: Path) -> None:
    result = plan_cli(runner, db_url, "--interview", "2027-04-12", "--minutes-per-day", "45", "--topic", "rnn")
    assert result.exit_code == 0, result.output
    assert "Interview 2027-04-12 · 45 min a day · target 90% · rnn" in result.output
    assert "The plan fits" in result.output
    shown = plan_cli(runner, db_url, "--json")
    data = json.loads(shown.output)
    assert data["plan"] == {"interview_day": "2027-04-12", "minutes_per_day": 45, "target": 0.9, "topics": ["rnn"]}
    assert data["fits"] is True and data["new_today"] > 0
    changed = plan_cli(runner, db_url, "--target", "0.85")  # the rest of the plan is kept
    assert "target 85% · rnn" in changed.output
    assert "Interview in 42 days" in plan_cli(runner, db_url).output
    assert "Plan removed" in plan_cli(runner, db_url, "--clear").output
    assert "No interview plan" in plan_cli(runner, db_url).output


def test_a_budget_that_cannot_cover_the_cards_says_what_would(runner: CliRunner, db_url: str) -> None:
    result = plan_cli(runner, db_url, "--interview", "2027-03-22", "--minutes-per-day", "10")
    assert result.exit_code == 0
    out = " ".join(result.output.split())
    assert "This plan does not fit" in out
    assert "It would fit with" in out and "minutes a day (`--minutes-per-day" in out and "leaving out" in out
    needed = int(out.split("--minutes-per-day ")[1].split("`")[0])
    fitted = plan_cli(runner, db_url, "--minutes-per-day", str(needed))
    assert "The plan fits" in fitted.output


def test_quiz_follows_the_plan(runner: CliRunner, tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank", n=40)
    db = f"sqlite:///{tmp_path / 'q.db'}"
    env = {"QUIZDL_NOW": "2027-03-01T09:00:00+00:00"}
    assert invoke(runner, ["plan", "--db", db, "--bank", str(bank), "--interview", "2027-03-12",
                           "--topic", "testing"], env=env).exit_code == 0  # fmt: skip
    result = invoke(runner, ["quiz", "--db", db, "--bank", str(bank)], input=script(*[("", "5")] * 50), env=env)
    # 40 cards to start by D-8 (4 days), planned over the first 60% of them (3 days): 14 today, not the default 10
    assert "Interview plan: 11 days to go; today 14 new" in result.output
    assert "Reviewed 14" in result.output


def test_bad_plan_options_get_one_clear_line(runner: CliRunner, db_url: str) -> None:
    for args, message in [
        (["--interview", "next week"], "--interview 'next week' is not a date; use YYYY-MM-DD"),
        (["--interview", "2027-02-01"], "--interview 2027-02-01 is not after today (2027-03-01)"),
        (["--interview", "2027-04-01", "--target", "90"], "--target must be a share between 0 and 1"),
        (["--clear", "--interview", "2027-04-01"], "--clear removes the plan; give it alone"),
        (["--interview", "2027-04-01", "--topic", "nope"], "--topic 'nope' is not a topic"),
        (["--target", "0.8"], "no plan yet: give --interview YYYY-MM-DD"),
    ]:
        result = plan_cli(runner, db_url, *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and "Traceback" not in result.output
