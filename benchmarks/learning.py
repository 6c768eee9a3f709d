"""Simulated learners preparing for an interview: plain SM-2 at 10 new cards a day against the interview plan.

Drives the real code: quizdl.session.QuizSession (the real queue, re-drills and store) on a real SQLite
database, with quizdl.planning.plan_today deciding each day's new and prep cards. The learner is simulated,
and its TRUE memory is deliberately not the model quizdl predicts with (FSRS-6's power-law curve): it forgets
exponentially, p = exp(-t / s), with a per-card difficulty and a per-learner rate; a recalled review grows s
more the harder the recall was, a lapse shrinks it, a same-day repeat barely moves it. So the benchmark can
show the model failing as well as the plan.

Per configuration it prints, averaged over the learners: share of cards seen by the day, true mean recall on
the day (from the simulated truth; unseen cards count 0), minutes per day (mean and max), and the gap between
quizdl's predicted recall on the day and the truth. It prints figures; it is not a test.

    python benchmarks/learning.py [--learners 5] [--cards 215] [--days 21 42] [--minutes 30] [--first-stability 3]
"""

from __future__ import annotations

import argparse
import itertools
import math
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from quizdl.bank.loader import load_bank
from quizdl.bank.model import Question
from quizdl.planning import plan_today
from quizdl.session import Action, Command, Prompt, QuizSession, Reveal, SessionOptions
from quizdl.srs import memory as memory_model
from quizdl.store import repo
from quizdl.store.engine import open_engine

START = date(2027, 3, 1)
# After first studying a card (with its same-day re-drill), true recall a day later is exp(-1/3) = 72% for an
# average card and learner: below the ~85% Anki users typically see, so the learners are if anything weak.
FIRST_STABILITY = 3.0


@dataclass
class Trace:
    s: float  # true stability: days for recall to fall to 1/e
    last: date


@dataclass
class Learner:
    """A simulated learner: true memory per card, timing per kind of answer, grades from true recall."""

    seed: int
    rate: float  # > 1 learns faster
    seconds_new: float
    seconds_review: float
    difficulty: dict[str, float]
    rng: random.Random
    first_stability: float = FIRST_STABILITY
    memory: dict[str, Trace] = field(default_factory=dict)
    seconds_today: float = 0.0
    today: date = START

    @classmethod
    def make(cls, seed: int, cards: list[Question], first_stability: float = FIRST_STABILITY) -> Learner:
        rng = random.Random(seed)
        return cls(
            seed=seed, rate=math.exp(rng.gauss(0, 0.25)), seconds_new=rng.uniform(45, 65),
            seconds_review=rng.uniform(14, 22), difficulty={q.id: math.exp(rng.gauss(0, 0.35)) for q in cards},
            rng=rng, first_stability=first_stability,
        )  # fmt: skip

    def true_recall(self, qid: str, day: date) -> float:
        trace = self.memory.get(qid)
        if trace is None:
            return 0.0
        return math.exp(-(day - trace.last).days / trace.s)

    def answer(self, qid: str, day: date) -> int:
        """Grade 0-5 from the true memory, and the memory after this retrieval (the answer is then seen)."""
        trace = self.memory.get(qid)
        if trace is None:  # first sight: mostly unknown; studying the answer lays down a first trace
            known = self.rng.random() < 0.2
            self.memory[qid] = Trace(s=self.first_stability * self.rate / self.difficulty[qid], last=day)
            return 3 if known else self.rng.choice((1, 2))
        elapsed = (day - trace.last).days
        p = math.exp(-elapsed / trace.s)
        recalled = self.rng.random() < p
        if elapsed == 0:  # massed repetition: little lasting gain
            trace.s *= 1.05
        elif recalled:  # the spacing effect: a harder recall strengthens more
            trace.s *= 1.0 + (1.2 + 3.0 * (1 - p)) * self.rate / self.difficulty[qid]
        else:
            trace.s = max(0.8, trace.s * 0.45)
        trace.last = day
        if not recalled:
            return 2 if p > 0.3 else 1
        return 5 if p > 0.9 else 4 if p > 0.6 else 3


class LearnerUI:
    """Answers through the real session's UI protocol; every answer advances the fake timer."""

    def __init__(self, learner: Learner, timer: FakeTimer) -> None:
        self.learner, self.timer = learner, timer
        self.grade = 0

    def ask_answer(self, prompt: Prompt) -> str | None:
        seen = prompt.question.id in self.learner.memory
        base = self.learner.seconds_review if seen else self.learner.seconds_new
        if prompt.kind == "redrill":
            base = self.learner.seconds_review * 0.6
        took = base * math.exp(self.learner.rng.gauss(0, 0.2))
        self.timer.t += took
        self.learner.seconds_today += took
        self.grade = self.learner.answer(prompt.question.id, self.learner.today)
        return ""

    def reveal(self, reveal: Reveal) -> None:
        pass

    def ask_command(self, reveal: Reveal) -> Command:
        return Command(Action.GRADE, self.grade)

    def run_demo(self, name: str) -> None:
        pass

    def notice(self, message: str) -> None:
        pass


class FakeTimer:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


@dataclass(frozen=True)
class Outcome:
    seen_share: float
    true_recall: float
    predicted_recall: float
    minutes_mean: float
    minutes_max: float
    answers: int
    prep: int


def simulate(
    cards: list[Question], seed: int, days: int, minutes: int, planned: bool, folder: Path,
    first_stability: float = FIRST_STABILITY,
) -> Outcome:  # fmt: skip
    engine = open_engine(f"sqlite:///{folder / f'{seed}-{days}-{planned}.db'}")
    learner = Learner.make(seed, cards, first_stability)
    now = datetime(2027, 3, 1, 9, tzinfo=UTC)
    pid = repo.ensure_profile(engine, f"learner-{seed}", now)
    interview = START + timedelta(days=days)
    if planned:
        repo.save_plan(engine, pid, repo.StoredPlan(interview, minutes, 0.9, None), now)
    per_day: list[float] = []
    prep = 0
    for offset in range(days):
        today = START + timedelta(days=offset)
        learner.today, learner.seconds_today = today, 0.0
        timer = FakeTimer()
        moment = datetime(today.year, today.month, today.day, 9, tzinfo=UTC)

        def clock(t: FakeTimer = timer, base: datetime = moment) -> datetime:
            return base + timedelta(seconds=t.t)

        if planned:
            plan = plan_today(engine, pid, cards, today)
            assert plan is not None
            options = SessionOptions(
                profile_id=pid, new_allowed=plan.new_allowed, prep=tuple(plan.prep), seconds_left=plan.seconds_left
            )
        else:
            options = SessionOptions(profile_id=pid, new_per_day=10)
        session = QuizSession(engine, cards, options, clock, today, timer=timer)
        summary = session.run(LearnerUI(learner, timer))
        prep += summary.prepped
        per_day.append(learner.seconds_today / 60)
    with engine.connect() as conn:
        memories = repo.memory_states(conn, pid)
        answers = conn.exec_driver_sql("SELECT COUNT(*) FROM reviews").scalar_one()
    engine.dispose()
    true = statistics.fmean(learner.true_recall(q.id, interview) for q in cards)
    predicted = statistics.fmean(memory_model.recall(memories.get(q.id), interview) for q in cards)
    seen = sum(q.id in learner.memory for q in cards) / len(cards)
    return Outcome(seen, true, predicted, statistics.fmean(per_day), max(per_day), answers, prep)


@dataclass(frozen=True)
class LongRun:
    reviews: int  # scheduled answers
    mean_true_recall: float  # over the last 30 days, of the cards seen, from the simulated truth
    log_loss_fsrs_default: float | None
    log_loss_fsrs_fitted: float | None
    log_loss_sm2: float | None


def simulate_scheduler(cards: list[Question], seed: int, days: int, scheduler: str, fitted: bool, folder: Path,
                       first_stability: float = FIRST_STABILITY, retention: float = 0.9) -> LongRun:  # fmt: skip
    """`days` of plain study at 10 new a day under one scheduler; with `fitted`, FSRS parameters are fitted
    to the learner's own log at half time (quizdl.srs.fitting, as `quizdl optimize`) and used from then on.
    Scheduler "oracle" is a bound no real scheduler reaches: the sessions run under SM-2, then every card
    answered that day is made due when the learner's TRUE recall falls to `retention`."""
    from sqlalchemy import update

    from quizdl.srs import fitting
    from quizdl.store.schema import Card
    from quizdl.vocab import SchedulerName

    engine = open_engine(f"sqlite:///{folder / f'long-{seed}-{scheduler}-{fitted}-{retention}.db'}")
    learner = Learner.make(seed, cards, first_stability)
    pid = repo.ensure_profile(engine, f"learner-{seed}", datetime(2027, 3, 1, 9, tzinfo=UTC))
    repo.set_scheduler(engine, pid, SchedulerName("sm2" if scheduler == "oracle" else scheduler), retention)
    recall_days: list[float] = []
    for offset in range(days):
        today = START + timedelta(days=offset)
        if fitted and offset == days // 2:
            with engine.connect() as conn:
                answers = repo.logged_answers(conn, pid)
            repo.save_fsrs_parameters(engine, pid, fitting.fit(answers))
        learner.today = today
        timer = FakeTimer()
        base = datetime(today.year, today.month, today.day, 9, tzinfo=UTC)
        session = QuizSession(engine, cards, SessionOptions(profile_id=pid, new_per_day=10),
                              lambda t=timer, b=base: b + timedelta(seconds=t.t), today, timer=timer)  # fmt: skip
        session.run(LearnerUI(learner, timer))
        if scheduler == "oracle":
            with engine.begin() as conn:
                for qid, trace in learner.memory.items():
                    if trace.last == today:  # exp(-t / s) = retention
                        days_on = max(1, int(-trace.s * math.log(retention)))
                        conn.execute(update(Card).where(Card.profile_id == pid, Card.question_id == qid)
                                     .values(due=today + timedelta(days=days_on)))  # fmt: skip
        if offset >= days - 30:
            seen = [q.id for q in cards if q.id in learner.memory]
            recall_days.append(statistics.fmean(learner.true_recall(qid, today) for qid in seen))
    with engine.connect() as conn:
        answers = repo.logged_answers(conn, pid)
        parameters = repo.fsrs_parameters(conn, pid)
    engine.dispose()
    reviews = sum(a.scheduled for a in answers)
    default = fitting.score(fitting.fsrs_predictions(answers, 0, None)).log_loss
    own = fitting.score(fitting.fsrs_predictions(answers, 0, parameters)).log_loss if parameters else None
    return LongRun(reviews, statistics.fmean(recall_days), default, own,
                   fitting.score(fitting.sm2_predictions(answers, 0)).log_loss)  # fmt: skip


def reviews_at(recall: float, curve: list[tuple[float, float]]) -> float | None:
    """Reviews a family of rows (true recall, reviews) needs for `recall`, interpolated linearly between the
    two rows around it; None outside the rows' range."""
    points = sorted(curve)
    for (r0, n0), (r1, n1) in itertools.pairwise(points):
        if r0 <= recall <= r1:
            return n0 if r1 == r0 else n0 + (n1 - n0) * (recall - r0) / (r1 - r0)
    return None


ROWS = (  # label, scheduler, fitted, desired retention
    ("SM-2", "sm2", False, 0.9),
    ("FSRS-6, default, R=0.90", "fsrs", False, 0.9), ("FSRS-6, default, R=0.95", "fsrs", False, 0.95),
    ("FSRS-6, default, R=0.97", "fsrs", False, 0.97),
    ("FSRS-6, fitted, R=0.90", "fsrs", True, 0.9), ("FSRS-6, fitted, R=0.95", "fsrs", True, 0.95),
    ("FSRS-6, fitted, R=0.97", "fsrs", True, 0.97),
    ("oracle bound, R=0.95", "oracle", False, 0.95), ("oracle bound, R=0.97", "oracle", False, 0.97),
)  # fmt: skip


def schedulers_table(cards: list[Question], learners: int, days: int, first_stability: float, tmp: Path) -> None:
    print(f"\nSchedulers, {days} days at 10 new a day (no plan): scheduled reviews, true recall of the seen cards "
          "over the last 30 days, and each model's log loss on the learner's whole log (FSRS-6 predicts each answer "
          "from the card's earlier answers; SM-2's implied recall is 0.9^(elapsed/interval)). The oracle knows the "
          "simulated truth: no scheduler can do much better than it.")  # fmt: skip
    print(f"{'scheduler':<26} {'reviews':>8} {'true recall':>11} {'LL fsrs default':>15} {'LL fsrs fitted':>14} "
          f"{'LL sm2':>7}")  # fmt: skip
    means: dict[str, tuple[float, float]] = {}
    for label, name, fitted, retention in ROWS:
        runs = [simulate_scheduler(cards, seed, days, name, fitted, tmp, first_stability, retention)
                for seed in range(learners)]  # fmt: skip

        def avg(key: str, runs: list[LongRun] = runs) -> float | None:
            values = [getattr(r, key) for r in runs if getattr(r, key) is not None]
            return statistics.fmean(values) if values else None

        def num(x: float | None) -> str:
            return "-" if x is None else f"{x:.4f}"

        means[label] = (avg("mean_true_recall") or 0.0, avg("reviews") or 0.0)
        print(f"{label:<26} {avg('reviews'):>8.0f} {avg('mean_true_recall'):>11.1%} "
              f"{num(avg('log_loss_fsrs_default')):>15} {num(avg('log_loss_fsrs_fitted')):>14} "
              f"{num(avg('log_loss_sm2')):>7}")  # fmt: skip
    target, sm2_reviews = means["SM-2"]
    print(f"\nReviews for SM-2's true recall ({target:.1%}), interpolated between each family's rows:")
    for family in ("FSRS-6, default", "FSRS-6, fitted", "oracle bound"):
        n = reviews_at(target, [v for k, v in means.items() if k.startswith(family)])
        said = (
            "outside its rows"
            if n is None
            else f"{n:.0f} ({n / sm2_reviews - 1:+.1%} against SM-2's {sm2_reviews:.0f})"
        )
        print(f"  {family:<18} {said}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=5)
    parser.add_argument("--cards", type=int, default=215)
    parser.add_argument("--days", type=int, nargs="+", default=[21, 42])
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--first-stability", type=float, default=FIRST_STABILITY,
                        help="true stability (days) after first study; lower = a weaker learner")  # fmt: skip
    parser.add_argument("--schedulers", type=int, default=0, metavar="DAYS",
                        help="instead: compare SM-2 and FSRS over DAYS days of plain study")  # fmt: skip
    args = parser.parse_args()
    bank = load_bank()
    cards = random.Random(0).sample(bank.questions, args.cards)
    cards.sort(key=lambda q: bank.questions.index(q))
    started = time.perf_counter()
    if args.schedulers:
        with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as tmp:
            schedulers_table(cards, args.learners, args.schedulers, args.first_stability, Path(tmp))
        print(f"({time.perf_counter() - started:.0f} s)")
        return
    print(
        f"{args.cards} cards, {args.learners} learners, {args.minutes} min a day budget for the plan; true memory:"
        " exponential forgetting, per-card difficulty, per-learner rate (not the FSRS model quizdl predicts with)"
    )
    header = (f"{'days':>4} {'schedule':<22} {'seen':>6} {'true recall':>11} {'predicted':>9} {'gap':>6} "
              f"{'min/day mean':>12} {'max':>5} {'answers':>7} {'prep':>5}")  # fmt: skip
    print(header)
    with tempfile.TemporaryDirectory(dir="/dev/shm" if Path("/dev/shm").is_dir() else None) as tmp:
        for days in args.days:
            for planned, label in ((False, "SM-2, 10 new a day"), (True, "interview plan")):
                runs = [
                    simulate(cards, seed, days, args.minutes, planned, Path(tmp), args.first_stability)
                    for seed in range(args.learners)
                ]
                mean = {k: statistics.fmean(getattr(r, k) for r in runs) for k in Outcome.__dataclass_fields__}
                worst_max = max(r.minutes_max for r in runs)
                gap = statistics.fmean(r.predicted_recall - r.true_recall for r in runs)
                print(f"{days:>4} {label:<22} {mean['seen_share']:>6.0%} {mean['true_recall']:>11.1%} "
                      f"{mean['predicted_recall']:>9.1%} {gap:>+6.1%} {mean['minutes_mean']:>12.1f} {worst_max:>5.1f} "
                      f"{mean['answers']:>7.0f} {mean['prep']:>5.0f}")  # fmt: skip
                if planned:
                    lows = min(r.true_recall for r in runs)
                    print(f"{'':>4} {'':<22} worst learner: true recall {lows:.1%}, seen "
                          f"{min(r.seen_share for r in runs):.0%}")  # fmt: skip
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
